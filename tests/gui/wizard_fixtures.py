"""Fixtures of the import wizard tests: an AppContext on a live sandbox, its data folder, files, and the
steps every wizard test takes (open the page, choose a file and its record type, reach Mapping).

`qloop` and `run` are in tests/gui/conftest.py."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from app.gui.context import AppContext
from app.gui.import_wizard import ImportPage
from app.gui.import_wizard.page import MAPPING, REVIEW
from app.gui.preferences import Preferences
from app.jobs import ImportJob, JobSettings, Target, sandbox_target
from app.resources import samples_dir
from app.zoho import ConnectionStore

LEFT = Qt.MouseButton.LeftButton
WAIT_MS = 30_000


@pytest.fixture(autouse=True)
def wizard_data_dir(data_dir: Path) -> Path:
    """Journals, corrected copies and sample reports under the test's folder."""
    return data_dir


class SandboxContext(AppContext):
    """The real AppContext, its selected target pinned to the test's live sandbox."""

    def __init__(self, target: Target, preferences: Preferences, store: ConnectionStore) -> None:
        super().__init__(preferences, store)
        self.pinned_target = target

    def target(self) -> Target:
        return self.pinned_target


def seed(url: str, reports: Path, *entities: str) -> None:
    """Import the shipped samples of `entities` through the engine (customers the orders name, ...)."""
    async def run() -> None:
        for name in entities:
            job = ImportJob(JobSettings(samples_dir() / f"{name}.xlsx", name, target=sandbox_target(url),
                                        report_dir=reports))
            result = await job.run()
            assert result.exit_code == 0, result.message

    errors: list[BaseException] = []

    def thread() -> None:  # its own asyncio loop, apart from the test's qasync loop
        try:
            asyncio.run(run())
        except BaseException as error:  # noqa: BLE001 - re-raised in the test
            errors.append(error)

    worker = threading.Thread(target=thread)
    worker.start()
    worker.join()
    if errors:
        raise errors[0]


@pytest.fixture
def context(live_sandbox: Any, tmp_path: Path, qapp: QApplication) -> Iterator[SandboxContext]:
    ctx = SandboxContext(sandbox_target(live_sandbox.url), Preferences(tmp_path / "gui.ini"),
                         ConnectionStore(tmp_path / "connections.json"))
    yield ctx
    ctx.shutdown()


def with_bad_cell(source: Path, folder: Path, header: str, value: str, row: int = 2) -> Path:
    """A copy of a sample with one cell replaced (row as the spreadsheet numbers it)."""
    book = openpyxl.load_workbook(source)
    sheet = book.active
    assert sheet is not None
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=row, column=headers.index(header) + 1).value = value
    out = folder / source.name.replace(".xlsx", "-to-fix.xlsx")
    book.save(out)
    return out


class UrlCatcher(QObject):
    """Receives the URLs Qt would hand to the desktop (QDesktopServices.setUrlHandler)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


@pytest.fixture
def opened_urls() -> Iterator[UrlCatcher]:
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    yield catcher
    QDesktopServices.unsetUrlHandler("file")


def click(qtbot: Any, button: Any) -> None:
    """Click a button as the user does, which they can only do when it is shown and enabled."""
    assert button.isEnabled() and button.isVisible(), button.text()
    qtbot.mouseClick(button, LEFT)


def open_page(qtbot: Any, context: Any, size: tuple[int, int] = (1100, 800)) -> ImportPage:
    """The import wizard, shown at a comfortable size."""
    page = ImportPage(context)
    qtbot.addWidget(page)
    page.resize(*size)
    page.show()
    return page


def next_to_mapping(qtbot: Any, page: ImportPage, entity: str = "salesorders", timeout: int = WAIT_MS) -> None:
    """Once the chosen file is read: pick the record type, press Next, wait for the Mapping step."""
    qtbot.waitUntil(page.file_step.can_next, timeout=timeout)
    combo = page.file_step.entity
    combo.setCurrentIndex(combo.findData(entity))
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == MAPPING, timeout=timeout)


def open_mapping(qtbot: Any, context: Any, path: Path, entity: str = "salesorders", *,
                 size: tuple[int, int] = (1100, 800), timeout: int = WAIT_MS) -> ImportPage:
    """The wizard on `path` as `entity`, at the Mapping step."""
    page = open_page(qtbot, context, size)
    page.file_step.choose_new(path)
    next_to_mapping(qtbot, page, entity, timeout)
    return page


def review_ready(page: ImportPage) -> bool:
    """At Review with Next enabled: every row checked, the plan made."""
    return page.step == REVIEW and page.review_step.can_next()


def reviewed(page: ImportPage) -> bool:
    """At Review, checked and planned: the names are known, nothing runs."""
    step = page.review_step
    return page.step == REVIEW and not step.validating and not step.planning and page.session.plan is not None
