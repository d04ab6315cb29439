"""A CSV whose encoding the detector cannot tell: the file step shows each candidate as it reads, and the one
picked is the one the wizard reads (and the run uses)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.gui.import_wizard import ImportPage
from app.gui.import_wizard.page import FILE, MAPPING
from tests.gui import wizard_fixtures as fixtures

pytestmark = pytest.mark.slow  # the wizard against a live sandbox

context = fixtures.context
wizard_data_dir = fixtures.wizard_data_dir
WAIT_MS = 30_000


def test_the_user_picks_the_encoding_by_how_it_reads(qtbot: Any, context: Any, qloop: Any, tmp_path: Path) -> None:
    source = tmp_path / "contacts-1c.csv"
    source.write_bytes("Display Name,Email\r\nООО Ромашка,info@romashka.example\r\n".encode("cp1251"))
    page = ImportPage(context)
    qtbot.addWidget(page)
    page.show()
    step = page.file_step
    assert not step.encoding.isVisible()
    step.choose_new(source)
    qtbot.waitUntil(step.can_next, timeout=WAIT_MS)
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(step.encoding.isVisible, timeout=WAIT_MS)
    assert page.step == FILE and page.session.table is None
    shown = [step.encoding.itemText(i) for i in range(step.encoding.count())]
    assert shown[0] == "windows-1251 \u2014 ООО Ромашка,info@romashka.example"
    assert len(shown) > 1 and "not certain" in step.status.text()

    step.encoding.setCurrentIndex(step.encoding.findData("windows-1251"))
    qtbot.waitUntil(lambda: page.next_button.isEnabled(), timeout=WAIT_MS)
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.step == MAPPING, timeout=WAIT_MS)
    table = page.session.table
    assert table is not None and table.encoding == "windows-1251"
    assert table.rows == [["ООО Ромашка", "info@romashka.example"]]
    assert page.session.encoding == "windows-1251"

    step.choose_new(tmp_path / "contacts-1c.csv")  # choosing a file again asks afresh
    assert not step.encoding.isVisible()
