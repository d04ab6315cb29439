"""Closing the window during an import: the user is asked; keeping it running keeps it, quitting stops it cleanly."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.gui.import_wizard.page import MAPPING, REVIEW, RUN
from app.gui.window import MainWindow
from app.jobs import list_jobs
from tests.gui import wizard_fixtures as fixtures

pytestmark = pytest.mark.slow  # the main window with an import under way

context = fixtures.context
wizard_data_dir = fixtures.wizard_data_dir

WAIT_MS = 30_000


def answer(qtbot: Any, window: MainWindow, role: QMessageBox.ButtonRole) -> None:
    """Click the button of `role` in the window's quit question."""
    qtbot.waitUntil(lambda: window.confirm_quit is not None and window.confirm_quit.isVisible(), timeout=WAIT_MS)
    box = window.confirm_quit
    assert box is not None and "still running" in box.text() and "Jobs page" in box.informativeText()
    button = next(b for b in box.buttons() if box.buttonRole(b) == role)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_quitting_during_an_import_asks_then_stops_it_cleanly(qtbot: Any, qloop: Any, window: MainWindow) -> None:
    page = window.pages["Import"]
    # the first run has the contacts sample chosen: Next, Next, then start the import held paused
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.step == MAPPING, timeout=WAIT_MS)
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.step == REVIEW and page.review_step.can_next(), timeout=WAIT_MS)
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    job = page.session.job
    assert page.step == RUN and job is not None
    job.pause()  # before its first request: the run waits, still under way
    qtbot.waitUntil(lambda: page.run_step.running, timeout=WAIT_MS)
    assert window.busy_pages() == ["Import"]

    # keep running: the window stays, the job is untouched
    window.close()
    assert window.isVisible()
    answer(qtbot, window, QMessageBox.ButtonRole.RejectRole)
    qtbot.waitUntil(lambda: window.confirm_quit is None, timeout=WAIT_MS)
    assert window.isVisible() and not window.stopping
    assert page.running() is not None and not job.control.cancelled

    # stop and quit: cancelled, the run ends (its journal written), then the window closes
    window.close()
    answer(qtbot, window, QMessageBox.ButtonRole.DestructiveRole)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    assert job.control.cancelled and page.running() is None
    result = page.session.result
    assert result is not None and result.counts.get("created", 0) == 0
    unfinished = [j for j in list_jobs() if j.kind == "import"]
    assert len(unfinished) == 1 and unfinished[0].resumable


def test_closing_with_nothing_running_asks_nothing(qtbot: Any, qloop: Any, window: MainWindow) -> None:
    assert window.busy_pages() == []
    window.close()
    assert not window.isVisible() and window.confirm_quit is None
