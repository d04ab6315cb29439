"""Recent files and folders: one folder for every Open dialog, the wizard's list refreshed as files are opened,
and the app's own outputs (reports, failed-rows files, corrected copies) never listed."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog

from app.gui.preferences import Preferences
from app.jobs import ImportJob, JobSettings, data_dir
from app.resources import samples_dir


async def until(condition: Callable[[], bool], timeout_s: float = 20.0) -> None:
    """Let the qasync loop run the page's work until `condition` holds."""
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout_s)


def listed(step: Any) -> list[str]:
    return [str(step.recent.item(row).data(Qt.ItemDataRole.UserRole)) for row in range(step.recent.count())]


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[Path]]:
    """The folder each Open dialog started in, and the files the user will pick (in turn)."""
    started: list[str] = []
    picks: list[Path] = []

    def open_dialog(_parent: Any, _title: str, folder: str, _filter: str = "") -> tuple[str, str]:
        started.append(folder)
        return str(picks.pop(0)), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", open_dialog)
    return started, picks


def copy_sample(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(samples_dir() / name, folder / name))


def test_ctrl_o_the_wizards_open_file_and_convert_share_one_folder(
        window: Any, run: Any, tmp_path: Path, dialogs: tuple[list[str], list[Path]]) -> None:
    started, picks = dialogs
    step = window.pages["Import"].file_step
    first = copy_sample(tmp_path / "january", "contacts.xlsx")
    second = copy_sample(tmp_path / "february", "salesorders.xlsx")

    picks.append(first)
    window.open_spreadsheet()  # File > Open (Ctrl+O)
    run(until(lambda: step.sheets_loaded and step.path.text() == str(first)))
    picks.append(second)
    step.browse.click()  # the wizard's Open file…
    assert started[-1] == str(first.parent)
    run(until(lambda: step.sheets_loaded and step.path.text() == str(second)))

    picks.append(first)
    window.open_spreadsheet()
    assert started[-1] == str(second.parent)  # Ctrl+O starts where Open file… was last
    run(until(lambda: step.sheets_loaded and step.path.text() == str(first)))
    convert = window.pages["CRM Convert"]
    picks.append(second)
    convert.choose.click()
    assert started[-1] == str(first.parent) and convert.file.text() == str(second)


def test_the_wizards_list_shows_a_file_as_soon_as_it_is_opened(window: Any, context: Any, run: Any,
                                                             tmp_path: Path) -> None:
    step = window.pages["Import"].file_step
    assert all("Sample" in step.recent.item(row).text() for row in range(step.recent.count()))
    opened = copy_sample(tmp_path / "orders", "salesorders.xlsx")
    context.open_file(opened)  # File > Open recent, the command line, a drop on the window
    run(until(lambda: step.sheets_loaded and step.path.text() == str(opened)))
    assert listed(step)[0] == str(opened.resolve())
    assert step.recent.currentRow() == 0  # the chosen file stays selected in the refreshed list
    other = copy_sample(tmp_path / "contacts", "contacts.xlsx")
    run(step.choose_new(other))
    assert listed(step)[:2] == [str(other.resolve()), str(opened.resolve())]


@pytest.mark.slow
def test_reports_failed_rows_and_corrected_copies_are_not_recent_files(
        window: Any, context: Any, run: Any, tmp_path: Path) -> None:
    source = copy_sample(tmp_path / "orders", "salesorders-with-problems.csv")
    job = ImportJob(JobSettings(source, "salesorders", target=context.target()))
    run(job.plan())
    result = run(job.run())
    assert result.failed_rows is not None and result.failed_rows.exists() and result.report is not None
    step = window.pages["Import"].file_step
    run(step.choose_new(source))
    run(step.choose(result.failed_rows, entity="salesorders"))  # what "Fix failed rows" opens
    corrected = data_dir() / "corrected" / "salesorders-with-problems.corrected.xlsx"
    for own in (result.report, result.report_csv, corrected):
        context.preferences.add_recent_file(own)
    assert context.preferences.recent_files() == [source.resolve()]
    assert str(result.failed_rows) not in listed(step) and listed(step)[0] == str(source.resolve())


def test_a_list_kept_by_an_older_version_drops_the_reports(tmp_path: Path) -> None:
    ini = tmp_path / "gui.ini"
    older = QSettings(str(ini), QSettings.Format.IniFormat)  # the file as an older version left it
    kept = tmp_path / "orders.xlsx"
    older.setValue("files/recent", [str(tmp_path / "orders.report-3f9c2a71d0b4.failed.xlsx"),
                                    str(kept), str(tmp_path / "orders.report-3f9c2a71d0b4.xlsx")])
    older.sync()
    assert Preferences(ini).recent_files() == [kept]
