"""`python -m app.gui.screenshots`: render every page (and each state a page offers) into resources/screenshots/.

Runs offscreen unless a display (e.g. Xvfb) is there; uses a throw-away data folder and
settings, imports the samples into the built-in sandbox first so Jobs and Export show real
runs, and grabs the main window at 1280x800. A page offers more states through
`screenshot_states()` — (name, prepare) pairs; the import wizard adds its steps that way.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.gui.context import AppContext

SIZE = (1280, 800)
DARK_PAGES = ("Import", "Jobs")  # also grabbed in the dark theme


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=None, help="folder for the PNGs (default resources/screenshots)")
    parser.add_argument("--theme", default="light", choices=("light", "dark", "system"))
    args = parser.parse_args(argv)
    if not os.environ.get("QT_QPA_PLATFORM") and not os.environ.get("DISPLAY") and sys.platform.startswith("linux"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    scratch = Path(tempfile.mkdtemp(prefix="zoho-bulk-screenshots-"))
    os.environ["ZOHO_BULK_DATA_DIR"] = str(scratch / "data")

    import qasync
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QPainter, QPixmap
    from PySide6.QtWidgets import QApplication, QDialog, QWidget

    from app.gui.appearance import apply_appearance, set_theme
    from app.gui.context import AppContext
    from app.gui.main import make_application
    from app.gui.preferences import Preferences
    from app.gui.window import PAGES, MainWindow
    from app.resources import resource_path
    from app.sandbox import SandboxSettings
    from app.zoho import ConnectionStore
    from app.zoho.connections import Connection

    out = args.out or resource_path("resources", "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = make_application()
    apply_appearance(app, args.theme)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    store = ConnectionStore(scratch / "connections.json")
    store.save(Connection(name="Acme Books (EU)", data_centre="eu", organization_id="20081234567",
                          client_id="1000.8S5YQJ2KXN3G0W7"))
    context = AppContext(Preferences(scratch / "gui.ini"), store,
                         sandbox_settings=SandboxSettings(rate_limit=100_000, concurrency=20),
                         sandbox_db=scratch / "sandbox.sqlite")
    written: list[Path] = []
    try:
        loop.run_until_complete(_sample_runs(context))
        window = MainWindow(context)
        window.remember = False
        window.resize(*SIZE)
        window.show()

        def settle() -> None:
            for _ in range(5):
                app.processEvents()
                loop.run_until_complete(asyncio.sleep(0.02))  # let queued coroutines paint their state

        def grab(name: str) -> None:
            settle()
            shot = window.grab()
            dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]
            if dialogs:
                painter = QPainter(shot)
                painter.fillRect(shot.rect(), _shade())
                for dialog in dialogs:
                    image: QPixmap = dialog.grab()
                    painter.drawPixmap(QPoint((shot.width() - image.width()) // 2,
                                              (shot.height() - image.height()) // 3), image)
                painter.end()
            path = out / f"{name}.png"
            shot.save(str(path))
            written.append(path)

        for number, page_name in enumerate(PAGES, start=1):
            window.show_page(page_name)
            stem = f"{number:02d}-{_slug(page_name)}"
            grab(stem)
            page: QWidget = window.pages[page_name]
            states = getattr(page, "screenshot_states", None)
            if states is None:
                continue
            try:
                for state, prepare in states():
                    prepare()
                    task = getattr(page, "task", None)
                    if isinstance(task, asyncio.Future) and not task.done():
                        loop.run_until_complete(task)
                    grab(f"{stem}-{_slug(state)}")
            except Exception as error:  # noqa: BLE001 - one page's states must not stop the others
                print(f"{page_name}: its states could not be rendered ({type(error).__name__}: {error})",
                      file=sys.stderr)
            for widget in QApplication.topLevelWidgets():
                if isinstance(widget, QDialog) and widget.isVisible():
                    widget.close()
        set_theme(app, "dark")
        for page_name in DARK_PAGES:
            window.show_page(page_name)
            grab(f"{PAGES.index(page_name) + 1:02d}-{_slug(page_name)}-dark")
        window.close()
    finally:
        context.shutdown()
        loop.close()  # joins qasync's executor thread
    for path in written:
        print(path)
    return 0


def _shade() -> object:
    from PySide6.QtGui import QColor

    return QColor(0, 0, 0, 90)


async def _sample_runs(context: AppContext) -> None:
    """Import the samples and export the contacts in the built-in sandbox, so the pages show real jobs."""
    from app.jobs import ExportJob, ExportSettings, ImportJob, JobSettings
    from app.resources import samples_dir

    target = context.target()
    reports = Path(os.environ["ZOHO_BULK_DATA_DIR"]) / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    # not the sample with problems: the import wizard's states run it afresh (a plan with calls, a real run)
    for name, entity in (("contacts.xlsx", "contacts"), ("salesorders.xlsx", "salesorders"),
                         ("creditnotes.xlsx", "creditnotes")):
        job = ImportJob(JobSettings(samples_dir() / name, entity, target=target, report_dir=reports))
        await job.plan()
        await job.run()
    export = ExportJob(ExportSettings("contacts", reports / "contacts-export.xlsx", target=target))
    await export.run()


if __name__ == "__main__":
    raise SystemExit(main())
