"""The main window: every page, the Go menu, first run on Import with the built-in sandbox, the status bar."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtWidgets import QLabel

from app.gui.context import SANDBOX_NAME
from app.gui.window import PAGES, MainWindow, import_page


def test_every_page_is_there_and_the_go_menu_reaches_each(window: Any) -> None:
    assert window.navigation.count() == len(PAGES) == 7
    assert set(window.pages) == set(PAGES)
    go = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Go")
    actions = [a for a in go.actions() if not a.isSeparator()]
    assert [a.shortcut().toString() for a in actions] == [f"Ctrl+{n}" for n in range(1, 8)]
    for action, name in zip(actions, PAGES, strict=True):
        action.trigger()
        assert window.current_page() == name
        assert window.stack.currentWidget() is window.pages[name]


def test_first_run_opens_on_import_with_the_sandbox_selected(window: Any, context: Any) -> None:
    assert context.preferences.first_run
    assert window.current_page() == "Import"
    assert context.current_connection_name() == SANDBOX_NAME
    assert window.connection_label.text() == f"Connection: {SANDBOX_NAME}"


def test_the_second_start_remembers_page_and_geometry(context: Any, qtbot: Any) -> None:
    first = MainWindow(context)
    qtbot.addWidget(first)
    first.show()
    first.resize(1011, 677)
    first.show_page("Jobs")
    width = first.width()
    first.close()
    assert context.preferences.geometry() == first.saveGeometry()
    assert not context.preferences.first_run
    second = MainWindow(context)
    qtbot.addWidget(second)
    assert second.current_page() == "Jobs"
    # the offscreen screen is smaller than the window may be: Qt fits the restored geometry to it
    assert second.restoreGeometry(context.preferences.geometry())
    assert width == 1011


def test_status_bar_shows_the_live_api_counters(window: Any, context: Any, run: Any) -> None:
    async def one_call() -> None:
        async with context.books() as client:  # announced to the status bar
            await client.organizations()

    run(one_call())
    window.show_counters()
    assert "API calls: 1" in window.api_label.text()


def test_a_broken_wizard_gives_an_honest_page(context: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(sys.modules, "app.gui.import_wizard", None)  # import fails
    page = import_page(context)
    texts = " ".join(label.text() for label in page.findChildren(QLabel))
    assert "import wizard could not be loaded" in texts


def test_file_open_remembers_the_file_and_goes_to_import(window: Any, context: Any, monkeypatch: Any,
                                                         tmp_path: Any) -> None:
    from PySide6.QtWidgets import QFileDialog

    chosen = tmp_path / "orders.xlsx"
    chosen.write_bytes(b"")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(chosen), ""))
    asked: list[Any] = []
    context.open_file_requested.connect(asked.append)
    window.show_page("Jobs")
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    open_action = next(a for a in file_menu.actions() if a.text() == "&Open spreadsheet…")
    assert open_action.shortcut().toString() == "Ctrl+O"
    open_action.trigger()
    assert asked == [chosen]
    assert window.current_page() == "Import"
    assert context.preferences.recent_files()[0] == chosen.resolve()
    assert context.preferences.last_folder("open") == tmp_path


def test_the_log_file_never_holds_a_remembered_secret(tmp_path: Any, monkeypatch: Any) -> None:
    import logging

    from app.gui import logfile
    from app.zoho.redaction import remember_secret

    monkeypatch.setattr(logfile, "log_dir", lambda: tmp_path)
    root = logging.getLogger()
    before = list(root.handlers)
    path = logfile.start_logging()
    try:
        remember_secret("1000.topsecretgrantcode")
        logging.getLogger("app.gui").warning("sign-in answer carried 1000.topsecretgrantcode")
        for handler in root.handlers:
            handler.flush()
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
            handler.close()
    text = path.read_text()
    assert "sign-in answer carried" in text and "topsecretgrantcode" not in text
