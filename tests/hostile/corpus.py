"""The hostile-spreadsheet corpus: each case builds one file and states the exact outcome of every row.

Cases live in ``tests/hostile/cases_<area>.py`` modules, each exposing ``CASES: list[Case]``. The runner
(`test_corpus.py`) runs ``zoho-bulk validate FILE --entity E --json`` (plus the case's ``args``) on every case
and compares the problems report with ``expect`` exactly: every expected problem must be there, and no
other problem may appear on any row. ``python -m tests.hostile.make DIR`` writes every file into DIR so a
person can open them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from tests.jobs.conftest import write_csv

Severity = str  # "error" or "warning"
Rows = Sequence[Sequence[object]]
Build = Callable[[Path], Path]
ORDER = ["Order Number", "Order Date", "Customer Name", "Item Name", "Quantity", "Rate"]


@dataclass(frozen=True)
class Expected:
    """One problem the report must hold: on `row` (0 for the whole sheet), in `column` (None: any), whose
    message contains `says` (case-sensitive)."""

    severity: Severity
    says: str
    column: str | None = None


def error(says: str, column: str | None = None) -> Expected:
    return Expected("error", says, column)


def warning(says: str, column: str | None = None) -> Expected:
    return Expected("warning", says, column)


@dataclass(frozen=True)
class Case:
    """One hostile file and what the tool must say about each of its rows.

    - ``build(folder)`` writes the file into `folder` and returns its path.
    - ``expect`` maps the spreadsheet row number (as the user sees it; 0 = problems of no row) to the exact
      problems of that row. Rows not listed must have none.
    - ``documents``/``valid``/``invalid``: the counts of the ``--json`` summary, when given.
    - ``args``: extra options of ``validate``; ``{folder}`` stands for the folder ``build`` wrote into.
    - ``refused``: the whole file is refused (exit 2) with this text on stderr; ``expect`` is then unused.
    - ``exit_code``: defaults to 2 when refused, else 1 when any error is expected, else 0.
    """

    name: str
    entity: str
    build: Callable[[Path], Path]
    expect: dict[int, list[Expected]] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    documents: int | None = None
    valid: int | None = None
    invalid: int | None = None
    refused: str | None = None
    exit_code: int | None = None

    def expected_exit(self) -> int:
        if self.exit_code is not None:
            return self.exit_code
        if self.refused is not None:
            return 2
        return 1 if any(p.severity == "error" for ps in self.expect.values() for p in ps) else 0


def csv_file(name: str, headers: Sequence[str], rows: Rows) -> Build:
    """A case's file: a UTF-8 CSV named `name` with `headers` and `rows`."""
    def build(folder: Path) -> Path:
        return write_csv(folder / name, headers, rows)
    return build


def xlsx_file(name: str, headers: Sequence[str], rows: Rows,
              dress: Callable[[openpyxl.Workbook], None] = lambda book: None) -> Build:
    """A case's file: an xlsx named `name` with `headers` and `rows`, then whatever `dress` does to the book."""
    def build(folder: Path) -> Path:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(list(headers))
        for row in rows:
            sheet.append(list(row))  # "#REF!" becomes an error cell, as Excel saves a broken formula
        dress(book)
        path = folder / name
        book.save(path)
        return path
    return build


def with_mapping(build: Build, mapping: dict[str, object]) -> Build:
    """`build`'s file with mapping.json beside it."""
    def both(folder: Path) -> Path:
        (folder / "mapping.json").write_text(json.dumps(mapping), encoding="utf-8")
        return build(folder)
    return both


def all_cases() -> list[Case]:
    """Every case of every ``cases_*.py`` module beside this one, names unique."""
    import importlib

    found: list[Case] = []
    for module_path in sorted(Path(__file__).parent.glob("cases_*.py")):
        module = importlib.import_module(f"tests.hostile.{module_path.stem}")
        found.extend(module.CASES)
    names = [c.name for c in found]
    duplicates = {n for n in names if names.count(n) > 1}
    assert not duplicates, f"case names must be unique: {sorted(duplicates)}"
    return found
