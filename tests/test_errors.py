"""One error base: every error zoho-bulk raises on purpose is a ZohoBulkError with a plain sentence and an exit
code, and the command line tells ours from unexpected ones by that base, not by the module that defines them."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import json
import pkgutil
from pathlib import Path

import pytest

import app
from app import cli
from app.errors import ZohoBulkError
from app.jobs.catalog import LookupMiss
from app.jobs.control import Cancelled
from app.jobs.errors import JobError
from app.jobs.exporting.columns import ColumnError
from app.jobs.exporting.settings import ExportError
from app.jobs.importing.revision import Regrouped
from app.jobs.importing.storm import ErrorStorm
from app.jobs.target import TargetError
from app.mapping.errors import CellError, MappingError, MappingRefused
from app.sandbox.embedded import SandboxError
from app.sandbox.server import UsageError
from app.sheets.encodings import Candidate, EncodingUnsure
from app.sheets.errors import SheetError, SheetWriteError
from app.zoho.errors import (
    AuthError,
    InDoubt,
    MissingScope,
    NoKeyring,
    QuotaSpent,
    Unreachable,
    ZohoError,
)

# The sandbox's own errors are Zoho's answers on the wire (turned into HTTP responses, never raised to a user),
# and ConnectionDropped is an httpx fault on purpose: the client must see a dropped connection.
NOT_OURS = {"app.sandbox.errors.BooksError", "app.sandbox.crm_errors.CrmError", "app.sandbox.oauth.ScopeMismatch",
            "app.sandbox.gate.ConnectionDropped"}

ROOTS: list[tuple[ZohoBulkError, str, int]] = [
    (ZohoError("Zoho refused the customer_id", status=400, code=1002), "Zoho refused the customer_id", 2),
    (AuthError("the refresh token was revoked", status=401), "the refresh token was revoked", 2),
    (MissingScope("the grant lacks ZohoBooks.contacts.READ", scope="ZohoBooks.contacts.READ"),
     "the grant lacks ZohoBooks.contacts.READ", 2),
    (NoKeyring("there is no keyring here"), "there is no keyring here", 2),
    (QuotaSpent(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)), "daily quota spent, resets in 00:00", 3),
    (Unreachable("Zoho cannot be reached"), "Zoho cannot be reached", 3),
    (InDoubt("the answer to the create was lost"), "the answer to the create was lost", 3),
    (ErrorStorm("Zoho refused 5 documents in a row", status=400), "Zoho refused 5 documents in a row", 3),
    (SheetError(Path("/tmp/orders.xlsx"), "the file is empty (0 bytes)"),
     'Cannot read "orders.xlsx": the file is empty (0 bytes).', 2),
    (SheetWriteError(Path("/tmp/report.xlsx"), "the folder is read-only"),
     'Cannot write "report.xlsx": the folder is read-only.', 2),
    (EncodingUnsure(Path("/tmp/a.csv"), [Candidate("windows-1251", "Привет")]),
     'Cannot read "a.csv": its encoding is not certain (windows-1251 reads "Привет"); say which one it is with '
     "--encoding NAME (e.g. --encoding windows-1251).", 2),
    (MappingError("the mapping file is not JSON"), "the mapping file is not JSON", 2),
    (MappingRefused("Customer Name is required"), "Customer Name is required", 2),
    (CellError("not a number"), "not a number", 2),
    (JobError("No job 0123456789ab."), "No job 0123456789ab.", 2),
    (TargetError("No sandbox answers at http://127.0.0.1:9."), "No sandbox answers at http://127.0.0.1:9.", 2),
    (ExportError("name the records to export"), "name the records to export", 2),
    (ColumnError("no column was chosen"), "no column was chosen", 2),
    (Regrouped("rows 2 and 3 went to Zoho as one document"), "rows 2 and 3 went to Zoho as one document", 2),
    (LookupMiss("no customer with name Acme in Zoho"), "no customer with name Acme in Zoho", 2),
    (Cancelled("cancelled"), "cancelled", 3),
    (SandboxError("cannot listen on 127.0.0.1:1"), "cannot listen on 127.0.0.1:1", 2),
    (UsageError("--latency-ms cannot be negative"), "--latency-ms cannot be negative", 2),
]


@pytest.mark.parametrize(("error", "sentence", "exit_code"), ROOTS, ids=lambda v: type(v).__name__)
def test_each_error_of_ours_is_a_zoho_bulk_error_with_its_sentence_and_exit_code(
        error: ZohoBulkError, sentence: str, exit_code: int) -> None:
    assert isinstance(error, ZohoBulkError)
    assert error.message == str(error) == sentence
    assert error.exit_code == exit_code


def test_the_errors_that_were_value_errors_still_are() -> None:
    """Callers (and pydantic's validators) catch these as ValueError."""
    for error in (CellError("not a number"), ColumnError("no column"), UsageError("--port 0")):
        assert isinstance(error, ValueError)


def test_every_exception_class_in_app_is_ours_but_the_sandbox_wire_answers() -> None:
    found: dict[str, type[BaseException]] = {}
    for module in pkgutil.walk_packages(app.__path__, "app."):
        if module.name.endswith("__main__"):
            continue
        for name, value in vars(importlib.import_module(module.name)).items():
            if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module.name:
                found[f"{module.name}.{name}"] = value
    assert {name for name, kind in found.items() if not issubclass(kind, ZohoBulkError)} == NOT_OURS
    assert len(found) > len(ROOTS)  # the walk did reach every package


class Outside(ZohoBulkError):
    """Ours, though defined outside the app package (here, in the tests)."""

    exit_code = 3


class Foreign(Exception):
    """Not ours, though it claims a module of the app."""


Foreign.__module__ = "app.jobs.importing.job"


def raises_ours(args: object) -> int:
    raise Outside("the run stopped: run the same command again to go on")


def raises_foreign(args: object) -> int:
    raise Foreign("a bug")


def test_the_command_line_says_an_error_of_ours_plainly_with_its_exit_code(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(cli.HANDLERS, "demo", f"{__name__}:raises_ours")
    assert cli.main(["demo"]) == 3
    captured = capsys.readouterr()
    assert captured.err == "zoho-bulk demo: the run stopped: run the same command again to go on\n"
    assert "Traceback" not in captured.err
    monkeypatch.setitem(cli.HANDLERS, "validate", f"{__name__}:raises_ours")
    assert cli.main(["validate", "x.xlsx", "--entity", "contacts", "--json"]) == 3
    last = capsys.readouterr().out.splitlines()[-1]
    assert json.loads(last) == {"error": "the run stopped: run the same command again to go on", "exit_code": 3}


def test_the_command_line_leaves_a_foreign_error_unexpected(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not ours, whatever module it names: it goes on up, and Python prints its traceback."""
    monkeypatch.setitem(cli.HANDLERS, "demo", f"{__name__}:raises_foreign")
    with pytest.raises(Foreign):
        cli.main(["demo"])

