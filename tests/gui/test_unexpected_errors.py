"""Unexpected errors reach the log file with their traceback and the dialog offers Open log; a workbook
whose zip parts are encrypted is a plain message (it was RuntimeError, unlogged, in the file step)."""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.errors import ZohoBulkError
from app.gui import errors, logfile
from app.sheets import SheetError, read_table, sheet_names


def zip_encrypted_ods(path: Path) -> Path:
    """An OpenDocument spreadsheet whose zip entries carry the "encrypted" flag (a password on the archive)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    data = bytearray(buffer.getvalue())
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local and central headers
        at = data.find(signature)
        while at >= 0:
            data[at + flags_at] |= 0x1
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app's real log file handler, writing under tmp_path for the test."""
    monkeypatch.setattr(logfile, "log_dir", lambda: tmp_path / "logs")
    root = logging.getLogger()
    before = list(root.handlers)
    path = logfile.start_logging()
    yield path
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
        handler.close()


def logged(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8") if path.exists() else ""


def failed_export(context: Any, run: Any, qtbot: Any, error_dialogs: Any, error: Exception) -> Any:
    """Start work on the Qt loop as the Export page does, have it raise `error`; the one error dialog it opens."""
    async def broken() -> None:
        raise error

    task = context.start(broken(), "Export failed")
    with pytest.raises(type(error)):
        run(task)
    qtbot.waitUntil(lambda: len(error_dialogs()) == 1)  # the task's done callback opens it
    [dialog] = error_dialogs()
    return dialog


def test_a_zip_encrypted_workbook_is_a_plain_sheet_error(tmp_path: Path) -> None:
    locked = zip_encrypted_ods(tmp_path / "orders.ods")
    for read in (sheet_names, read_table):
        with pytest.raises(SheetError) as raised:
            read(locked)
        assert str(raised.value) == ('Cannot read "orders.ods": its parts are encrypted with a password; '
                                     "save it again without one and try again.")


def test_the_file_step_says_plainly_why_an_encrypted_workbook_cannot_be_read(
        window: Any, run: Any, tmp_path: Path, log_file: Path) -> None:
    locked = zip_encrypted_ods(tmp_path / "orders.ods")
    step = window.pages["Import"].file_step
    run(step.choose_new(locked))
    status = step.status
    assert "orders.ods" in status.text() and "encrypted with a password" in status.text()
    assert not step.can_next()
    assert "unexpected" not in status.text() and "RuntimeError" not in status.text()


def test_an_unexpected_error_is_logged_with_its_traceback_and_offers_open_log(
        window: Any, context: Any, run: Any, qtbot: Any, error_dialogs: Any, log_file: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = failed_export(context, run, qtbot, error_dialogs, RuntimeError("the worker pool is gone"))
    assert dialog.message == "Something unexpected went wrong (RuntimeError); the log file has the details."
    assert dialog.open_log.text() == "Open &log"
    text = logged(log_file)
    assert "Export failed" in text and "Traceback (most recent call last)" in text
    assert "RuntimeError: the worker pool is gone" in text and "in broken" in text
    opened: list[Any] = []
    monkeypatch.setattr(errors.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    dialog.open_log.click()
    assert opened == [str(log_file)]


def test_a_plain_message_of_an_unexpected_error_logs_it_once(log_file: Path) -> None:
    try:
        {}["missing"]
    except KeyError as error:
        caught = error
    assert errors.plain_message(caught) == errors.plain_message(caught)
    assert "KeyError" in errors.plain_message(caught)
    text = logged(log_file)
    assert text.count("Traceback (most recent call last)") == 1 and "KeyError: 'missing'" in text


def test_our_own_errors_are_shown_as_they_are_and_not_logged_as_unexpected(tmp_path: Path, log_file: Path) -> None:
    error = SheetError(tmp_path / "orders.xlsx", "the file is empty (0 bytes)")
    assert errors.plain_message(error) == 'Cannot read "orders.xlsx": the file is empty (0 bytes).'
    assert "Traceback" not in logged(log_file)


class Outside(ZohoBulkError):
    """Ours, though defined outside the app package: the GUI decides by the base, not by module names."""


class Foreign(Exception):
    """Not ours, though it claims a module of the app."""


Foreign.__module__ = "app.jobs.exporting.job"


def test_an_error_of_ours_from_any_module_is_shown_plainly_and_not_logged_as_unexpected(
        window: Any, context: Any, run: Any, qtbot: Any, error_dialogs: Any, log_file: Path) -> None:
    dialog = failed_export(context, run, qtbot, error_dialogs, Outside("The folder is read-only; choose another one."))
    assert dialog.message == "The folder is read-only; choose another one."
    text = logged(log_file)
    assert "Export failed: The folder is read-only; choose another one." in text and "Traceback" not in text


def test_a_foreign_error_is_unexpected_whatever_module_it_names(
        window: Any, context: Any, run: Any, qtbot: Any, error_dialogs: Any, log_file: Path) -> None:
    dialog = failed_export(context, run, qtbot, error_dialogs, Foreign("a bug"))
    assert dialog.message == "Something unexpected went wrong (Foreign); the log file has the details."
    text = logged(log_file)
    assert "Traceback (most recent call last)" in text and "Foreign: a bug" in text
