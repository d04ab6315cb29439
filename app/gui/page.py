"""The pieces every page is made of: a titled page, a card, a run panel (progress, rate, ETA, pause, cancel)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.jobs import Progress
from app.jobs.progress import format_duration

SPREADSHEETS = "Spreadsheets (*.xlsx *.xlsm *.xls *.ods *.csv *.tsv *.txt);;All files (*)"

ScreenshotState = tuple[str, Callable[[], None]]
"""(name, put the page in that state): what `screenshot_states()` yields for app.gui.screenshots."""


class Page(QWidget):
    """A page of the main window: a title, a one-line subtitle and a scrolling body.

    A page may define `screenshot_states()` yielding (name, prepare) pairs; the screenshot
    command grabs the window once per state (the page's plain look is always grabbed).
    """

    def __init__(self, title: str, subtitle: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.task: asyncio.Future[Any] | None = None  # the page's run, on the qasync loop
        self.job: Any = None  # the engine job it drives (ImportJob, ExportJob, ConvertJob), if any
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 22, 28, 18)
        outer.setSpacing(4)
        outer.addWidget(styled(title, "pageTitle"))
        outer.addWidget(styled(subtitle, "pageSubtitle", wrap=True))
        outer.addSpacing(12)
        inner = QWidget()
        self.body = QVBoxLayout(inner)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(14)
        self.scroll_area = QScrollArea()  # not `scroll`: that is QWidget.scroll(dx, dy)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(inner)
        outer.addWidget(self.scroll_area, 1)

    def run_panel(self, unit: str) -> RunPanel:
        """A RunPanel whose Pause, Resume and Cancel act on the page's job of the moment."""
        panel = RunPanel(unit)
        panel.pause_requested.connect(lambda: self.job and self.job.pause())
        panel.resume_requested.connect(lambda: self.job and self.job.resume())
        panel.cancel_requested.connect(lambda: self.job and self.job.cancel())
        return panel

    def running(self) -> asyncio.Future[Any] | None:
        """The job this page has under way (planning or running), None when idle; the window asks before quitting."""
        return self.task if self.task is not None and not self.task.done() else None

    def shutdown(self) -> None:
        """Stop the job under way (the window is closing): no new requests; those already out come back first."""
        if self.job is not None:
            self.job.cancel()

    def screenshot_states(self) -> Iterator[ScreenshotState]:
        yield from ()


def list_table(model: QAbstractItemModel) -> QTableView:
    """A table of whole rows to pick one from (connections, jobs): no grid, no row numbers."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    return table


def card(title: str | None = None, *beside: QWidget) -> tuple[QFrame, QVBoxLayout]:
    """A framed box with an optional section title (and widgets on the title's line, at its right end);
    returns the frame and its layout."""
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 14, 16, 14)
    layout.setSpacing(10)
    if title:
        label = QLabel(title)
        label.setObjectName("sectionTitle")
        line = QHBoxLayout()
        line.addWidget(label)
        line.addStretch(1)
        for widget in beside:
            line.addWidget(widget)
        layout.addLayout(line)
    return frame, layout


def styled(text: str, name: str, *, wrap: bool = False) -> QLabel:
    """A label the style sheet draws by its object name (pageTitle, hint, bigNumber...)."""
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


def hint(text: str) -> QLabel:
    return styled(text, "hint", wrap=True)


def path_row(form: QFormLayout, text: str, path: QLineEdit, choose: QPushButton) -> None:
    """A form row for a file or folder: its field and its Choose… button, the label's shortcut going to the field."""
    row = QHBoxLayout()
    row.addWidget(path, 1)
    row.addWidget(choose)
    label = QLabel(text)
    label.setBuddy(path)
    form.addRow(label, row)


def button(text: str, name: str = "", *, tip: str = "", clicked: Callable[[], object] | None = None) -> QPushButton:
    """A push button with its object name (for the style sheet and the tests), tooltip and action."""
    made = QPushButton(text)
    if name:
        made.setObjectName(name)
    if tip:
        made.setToolTip(tip)
    if clicked is not None:
        made.clicked.connect(clicked)
    return made


def primary(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName("primary")
    return button


class RunPanel(QFrame):
    """Progress of a running job: bar, counts, rate, ETA, and Pause/Resume/Cancel forwarded as signals."""

    pause_requested = Signal()
    resume_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, unit: str = "records", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.unit = unit
        self.bar = QProgressBar()
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.status = QLabel("Not started")
        self.status.setObjectName("sectionTitle")
        self.figures = QLabel("")
        self.figures.setObjectName("hint")
        self.figures.setWordWrap(True)
        self.status.setWordWrap(True)
        self.pause = QPushButton("&Pause")
        self.cancel = QPushButton("&Cancel")
        self.pause.setEnabled(False)
        self.cancel.setEnabled(False)
        self.pause.clicked.connect(self._pause_clicked)
        self.cancel.clicked.connect(self.cancel_requested)
        self._paused = False
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.pause)
        buttons.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addLayout(buttons)
        layout.addWidget(self.bar)
        layout.addWidget(self.figures)

    def _pause_clicked(self) -> None:
        if self._paused:
            self.resume_requested.emit()
        else:
            self.pause_requested.emit()

    def started(self, text: str = "Running…") -> None:
        self._paused = False
        self.pause.setText("&Pause")
        self.pause.setEnabled(True)
        self.cancel.setEnabled(True)
        self.bar.setRange(0, 0)  # busy until the first figures arrive
        self.status.setText(text)
        self.figures.setText("")

    def show_progress(self, p: Progress) -> None:
        self._paused = p.paused
        self.pause.setText("&Resume" if p.paused else "&Pause")
        self.bar.setRange(0, max(p.total, 1))
        self.bar.setValue(min(p.finished, max(p.total, 1)))
        phase = "Paused" if p.paused else p.phase.capitalize()
        self.status.setText(f"{phase}: {p.finished:,} of {p.total:,} {self.unit}")
        eta = format_duration(p.eta_s) if p.eta_s is not None else "—"
        parts = [f"{p.done:,} done", f"{p.failed:,} failed", f"{p.rate_per_min:,.0f}/min", f"ETA {eta}"]
        if p.calls:
            parts.append(f"{p.calls:,} calls")
        if p.last_failure:
            parts.append(f"last failure: {p.last_failure}")
        self.figures.setText("   ·   ".join(parts))

    def ended(self, text: str) -> None:
        self.pause.setEnabled(False)
        self.cancel.setEnabled(False)
        if self.bar.maximum() == 0:
            self.bar.setRange(0, 1)
            self.bar.setValue(1)
        self.status.setText(text)


class SideBySide(QWidget):
    """Widgets beside each other when the width holds them all, one above the other when it does not
    (the smallest window), so nothing is cut off at the right edge of a page that scrolls only down."""

    def __init__(self, *widgets: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.widgets = widgets
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(14)
        for widget in widgets:
            self.row.addWidget(widget, 1)

    def beside_width(self) -> int:
        """The narrowest width that holds the widgets side by side."""
        return (sum(w.minimumSizeHint().width() for w in self.widgets)
                + self.row.spacing() * (len(self.widgets) - 1))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """As narrow as the widest widget (one above the other); as tall as the present direction needs."""
        return QSize(max(w.minimumSizeHint().width() for w in self.widgets), self.row.minimumSize().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        beside = event.size().width() >= self.beside_width()
        direction = QBoxLayout.Direction.LeftToRight if beside else QBoxLayout.Direction.TopToBottom
        if self.row.direction() != direction:
            self.row.setDirection(direction)
            self.updateGeometry()
        super().resizeEvent(event)


class Figures(QHBoxLayout):
    """A row of big numbers (a plan's), shown and cleared as a whole."""

    def show(self, figures: Iterable[tuple[str, str]]) -> None:
        """(value, caption) pairs, in place of the figures shown before."""
        self.clear()
        for value, label in figures:
            self.addWidget(big_number(value, label))
        self.addStretch(1)

    def clear(self) -> None:
        while self.count():
            item = self.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()


async def ask(parent: QWidget, title: str, text: str, details: str, yes: str) -> bool:
    """A question answered with `yes` or No (the default), asked without stopping the event loop: the
    page's coroutines go on meanwhile. True for yes; closing the box is a no."""
    no_or_yes = QMessageBox.StandardButton.No | QMessageBox.StandardButton.Yes
    box = QMessageBox(QMessageBox.Icon.Question, title, text, no_or_yes, parent)
    box.setObjectName("question")
    box.setInformativeText(details)
    box.button(QMessageBox.StandardButton.Yes).setText(yes)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    answered: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def done(_code: int) -> None:
        if not answered.done():
            answered.set_result(box.clickedButton() is box.button(QMessageBox.StandardButton.Yes))

    box.finished.connect(done)
    box.open()
    try:
        return await answered
    finally:
        box.deleteLater()


async def close_quietly(job: Any) -> None:
    """Let a job's client and journal go after its plan failed or went stale (its errors are shown
    already, or no longer matter): closing must not raise another."""
    with contextlib.suppress(Exception):
        await job.close()


def big_number(value: str, label: str) -> QWidget:
    """A figure with a small caption under it (plans and results)."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 18, 0)
    layout.setSpacing(0)
    layout.addWidget(styled(value, "bigNumber"))
    layout.addWidget(styled(label, "statLabel"))
    layout.setAlignment(Qt.AlignmentFlag.AlignLeft)
    return box
