"""What several pages share: a row of buttons, a spreadsheet chooser, a date range that can be off, a job's step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from app.gui.errors import plain_message
from app.gui.page import SPREADSHEETS, RunPanel, close_quietly
from app.gui.preferences import Preferences

if TYPE_CHECKING:
    from app.gui.context import AppContext

T = TypeVar("T")


def button_row(left: Iterable[QWidget], right: Iterable[QWidget]) -> QHBoxLayout:
    """Buttons at the left end of a row and at its right end."""
    row = QHBoxLayout()
    for widget in left:
        row.addWidget(widget)
    row.addStretch(1)
    for widget in right:
        row.addWidget(widget)
    return row


def choose_spreadsheet(parent: QWidget, title: str, into: QLineEdit, preferences: Preferences) -> None:
    """Ask for a spreadsheet, starting in the folder the last one was opened from; its path goes `into` the field."""
    folder = preferences.last_folder("open") or Path.home()
    name, _ = QFileDialog.getOpenFileName(parent, title, str(folder), SPREADSHEETS)
    if name:
        into.setText(name)
        preferences.set_last_folder("open", Path(name).parent)


class DateRange(QHBoxLayout):
    """"[x] <label> <from> and <to>": two dates, used only when the box is ticked."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.use = QCheckBox(label)
        self.date_from = QDateEdit(QDate.currentDate().addMonths(-1))
        self.date_to = QDateEdit(QDate.currentDate())
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        for widget in (self.use, self.date_from, QLabel("and"), self.date_to):
            self.addWidget(widget)
        self.addStretch(1)

    def dates(self) -> tuple[dt.date, dt.date] | None:
        """(from, to) when the box is ticked, else None."""
        if not self.use.isChecked():
            return None
        return _day(self.date_from.date()), _day(self.date_to.date())


def _day(date: QDate) -> dt.date:
    return dt.date(date.year(), date.month(), date.day())


class JobPage(Protocol):
    """A page that drives one engine job through its steps (Export, CRM Convert, Cleanup)."""

    panel: RunPanel
    job: Any

    @property
    def context(self) -> AppContext: ...

    def _busy(self, busy: bool) -> None: ...


def start_step(page: Any, work: Coroutine[Any, Any, object], failure_title: str) -> None:
    """Start one of the page's steps on the Qt loop, as `page.task` (an error that escapes it becomes a dialog)."""
    page.task = page.context.start(work, failure_title)


async def job_step(page: JobPage, started: str, work: Callable[[], Awaitable[T]], *,
                   failed: tuple[str, str]) -> T | None:
    """One step of the page's job (its plan, or its run): the page busy and its panel saying `started` while `work`
    runs. When it fails the panel ends with failed[0], a dialog titled failed[1] says why in plain words, the job
    lets its client and journal go, and None is returned."""
    page._busy(True)
    page.panel.started(started)
    try:
        return await work()
    except Exception as error:  # noqa: BLE001 - JobError, TargetError, ZohoError...: plain sentences
        page.panel.ended(failed[0])
        page.context.show_error(failed[1], plain_message(error))
        if page.job is not None:
            await close_quietly(page.job)
        return None
    finally:
        page._busy(False)
