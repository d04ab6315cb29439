"""Every page, in each state it offers (the import wizard's steps, a running export, CRM results), at the
smallest allowed window (960x620): no visible widget is cut off by its parent, and no scroll area hides
content it cannot scroll to."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QDialog,
    QLabel,
    QScrollArea,
    QWidget,
)

from app.gui.window import PAGES

pytestmark = pytest.mark.slow  # every page laid out at the smallest window

SMALLEST = (960, 620)


def settled(qtbot: Any, root: QWidget) -> None:
    """Wait until the layouts have stopped moving the widgets (each pass of events may post another)."""
    def geometry() -> list[tuple[int, int, int, int]]:
        QApplication.processEvents()
        return [w.geometry().getRect() for w in root.findChildren(QWidget) if w.isVisible()]

    last: list[list[tuple[int, int, int, int]]] = [geometry()]

    def still() -> bool:
        now = geometry()
        same = now == last[0]
        last[0] = now
        return same

    qtbot.waitUntil(still, timeout=5000)


def cut_off(root: QWidget) -> list[str]:
    """Each visible widget that lies (partly) outside its parent, and each scrolled content larger than
    its viewport in a direction the scroll area cannot scroll; a wrapped label shorter than its text."""
    found: list[str] = []
    for child in root.findChildren(QWidget):
        parent = child.parentWidget()
        if not child.isVisible() or child.isWindow() or parent is None:
            continue
        name = f"{type(child).__name__}({child.objectName() or getattr(child, 'text', lambda: '')()[:30]!r})"
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and parent is area.viewport():
            if isinstance(area, QScrollArea) and area.widget() is child:
                if child.width() > parent.width() and not area.horizontalScrollBar().isVisible():
                    found.append(f"{name}: {child.width()} px wide in a viewport of {parent.width()} px "
                                 "that cannot scroll sideways")
                if child.height() > parent.height() and not area.verticalScrollBar().isVisible():
                    found.append(f"{name}: {child.height()} px tall in a viewport of {parent.height()} px "
                                 "that cannot scroll down")
            continue  # an item view's own children and scrolled content move with their scroll bars
        if not parent.rect().contains(child.geometry()):
            found.append(f"{name} at {child.geometry().getRect()} is outside {type(parent).__name__}"
                         f"({parent.objectName()!r}) of {parent.rect().getRect()}")
        if isinstance(child, QLabel) and child.wordWrap() and child.text():
            needed = child.heightForWidth(child.width())
            if needed > child.height() + 1:
                found.append(f"{name}: its wrapped text needs {needed} px, it has {child.height()} px")
    return found


def states(page: Any) -> list[tuple[str, Any]]:
    return [("as opened", lambda: None), *list(page.screenshot_states())]


@pytest.mark.parametrize("page_name", PAGES)
def test_each_page_fits_the_smallest_window(page_name: str, window: Any, qtbot: Any, run: Any,
                                          error_dialogs: Any) -> None:
    window.resize(*SMALLEST)
    window.show_page(page_name)
    page = window.pages[page_name]
    settled(qtbot, window)
    assert window.size().toTuple() == SMALLEST
    problems: dict[str, list[str]] = {}
    rendered = 0
    for state, prepare in states(page):
        prepare()
        task = getattr(page, "task", None)
        if isinstance(task, asyncio.Future) and not task.done():
            run(task)
        settled(qtbot, window)
        rendered += 1
        if found := cut_off(page):
            problems[state] = found
        for dialog in QApplication.topLevelWidgets():
            if isinstance(dialog, QDialog) and dialog.isVisible() and dialog.objectName() != "errorDialog":
                dialog.close()
    assert rendered >= 1
    assert problems == {}
    assert [d.message for d in error_dialogs()] == []
