"""What to convert: the rows of a spreadsheet or a pasted list, each a record ID or number, checked without any call.

A row names its record in one column (found by its header — "Record Id", "Quote Number",
"SO Number"... — or by its content), either by ID (digits, "zcrm_" prefix of CRM exports
allowed) or by number ("QT-00012"), resolved later from the source module's list pages.
Optional columns "Convert To" and "Carry Over Tags" override the run's choice for one row.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from app.jobs.converting.reasons import SINGULAR, target_words
from app.jobs.errors import JobError
from app.sheets import SheetError, read_table

SOURCES = ("Quotes", "Sales_Orders")
CONVERT_TARGETS: dict[str, tuple[str, ...]] = {"Quotes": ("Sales_Orders", "Invoices"), "Sales_Orders": ("Invoices",)}
TARGET_ORDER = ("Sales_Orders", "Invoices")
NUMBER_FIELDS = {"Quotes": "Quote_Number", "Sales_Orders": "SO_Number", "Invoices": "Invoice_Number"}

ID_MIN_DIGITS = 10  # shorter digit strings are taken as record numbers ("12" of an auto-number)
EXCEL_DIGITS = 15  # a number cell keeps at most 15 significant digits

ID_HEADERS = ("recordid", "id", "quoteid", "salesorderid", "soid", "sourceid", "zohoid", "crmid")
NUMBER_HEADERS = ("quotenumber", "quoteno", "quotenum", "salesordernumber", "salesorderno", "sonumber", "sono",
                  "number", "record", "quote", "quotes", "salesorder", "salesorders")
TARGET_HEADERS = ("convertto", "convertinto", "to", "target", "targets", "converttomodule")
TAGS_HEADERS = ("carryovertags", "carryovertag", "carrytags", "keeptags")

_WORD = re.compile(r"[^0-9a-z]+")
_SCIENTIFIC = re.compile(r"^\d(?:[.,]\d+)?E\+?\d+$", re.IGNORECASE)
_NUMBER = re.compile(r"^[A-Za-z]{1,10}[-/ ]?\d{1,12}$")
_TARGET_WORDS = {
    "salesorder": "Sales_Orders", "salesorders": "Sales_Orders", "so": "Sales_Orders",
    "invoice": "Invoices", "invoices": "Invoices", "inv": "Invoices",
}
_YES = {"yes", "y", "true", "1", "x", "on"}
_NO = {"no", "n", "false", "0", "off", ""}


def _key(text: str) -> str:
    return _WORD.sub("", text.casefold())


def normalise_number(text: str) -> str:
    """How record numbers are compared: case, spaces and surroundings ignored ("qt-00012 " == "QT-00012")."""
    return " ".join(str(text).split()).upper()


def parse_targets(text: str, source: str | None = None) -> tuple[str, ...]:
    """"Sales_Orders,Invoices" / "invoice" / "SO and invoices" -> ("Sales_Orders", "Invoices"); ValueError if not."""
    found: list[str] = []
    for part in re.split(r"[,;/&+]|\band\b", str(text), flags=re.IGNORECASE):
        word = _key(part)
        if not word:
            continue
        module = _TARGET_WORDS.get(word)
        if module is None:
            raise ValueError(f'"{part.strip()}" is not something to convert to (Sales_Orders or Invoices)')
        if module not in found:
            found.append(module)
    if not found:
        raise ValueError("no module to convert to (Sales_Orders or Invoices)")
    if source is not None:
        allowed = CONVERT_TARGETS[source]
        wrong = [m for m in found if m not in allowed]
        if wrong:
            raise ValueError(f"a {SINGULAR[source]} converts only to {target_words(allowed).replace(' and ', ' or ')}, "
                             f"not to {target_words(wrong)}")
    return tuple(m for m in TARGET_ORDER if m in found)


@dataclass
class ConvertRow:
    """One input row: the record it names (ID, or number still to resolve), its options, or why it is invalid."""

    index: int  # position among the data rows
    row_number: int  # as the spreadsheet shows it (line number of a pasted list)
    value: str  # the record cell as given
    record_id: str | None = None
    number: str | None = None  # normalised record number, when the row gives one
    targets: tuple[str, ...] = ()
    carry_over_tags: bool = False
    problem: str | None = None  # invalid: why (no call is spent on it)
    problem_column: int | None = None
    empty: bool = False  # a blank row: skipped

    @property
    def valid(self) -> bool:
        return self.problem is None and not self.empty and self.record_id is not None


@dataclass
class ConvertInput:
    """The rows read from a file or a pasted list, and which column holds what."""

    label: str  # file name or "pasted list"
    file: Path | None
    sheet: str | None
    headers: list[str]
    rows: list[list[object]]
    row_numbers: list[int]
    record_column: int
    targets_column: int | None = None
    tags_column: int | None = None
    fingerprint: str = ""
    notes: list[str] = field(default_factory=list)


def _looks_like_record(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value == value and float(value).is_integer() and value > 0
    text = str(value or "").strip()
    if text.lower().startswith("zcrm_"):
        text = text[5:]
    return text.isdigit() or bool(_NUMBER.match(text))


def _find_column(headers: list[str], names: tuple[str, ...]) -> int | None:
    keys = [_key(h) for h in headers]
    for name in names:
        if name in keys:
            return keys.index(name)
    return None


def _record_column(headers: list[str], rows: list[list[object]], wanted: str | None) -> int:
    if wanted:
        keys = [_key(h) for h in headers]
        if _key(wanted) in keys:
            return keys.index(_key(wanted))
        if wanted.isalpha() and len(wanted) <= 3:
            index = 0
            for ch in wanted.upper():
                index = index * 26 + ord(ch) - 64
            if 1 <= index <= len(headers):
                return index - 1
        raise JobError(f'There is no column "{wanted}" in the file.')
    found = _find_column(headers, ID_HEADERS)
    if found is None:
        found = _find_column(headers, NUMBER_HEADERS)
    if found is not None:
        return found
    best, best_share = None, 0.0
    for col in range(len(headers)):
        values = [r[col] for r in rows if col < len(r) and r[col] not in (None, "")]
        if values:
            share = sum(_looks_like_record(v) for v in values) / len(values)
            if share > best_share:
                best, best_share = col, share
    if best is None or best_share < 0.5:
        raise JobError('No column of record IDs or numbers was found; name it "Record Id" or "Quote Number" '
                       '(or "SO Number").')
    return best


def read_input(file: Path | None = None, text: str | None = None, *, sheet: str | None = None,
               column: str | None = None) -> ConvertInput:
    """The rows of `file` (any spreadsheet read_table reads) or of pasted `text`; JobError when unusable."""
    if text is not None:
        values = [v for v in re.split(r"[\s,;]+", text) if v]
        if not values:
            raise JobError("The pasted list holds no record IDs or numbers.")
        digest = hashlib.sha256("\n".join(values).encode()).hexdigest()
        return ConvertInput(label="pasted list", file=None, sheet=None, headers=["Record"],
                            rows=[[v] for v in values], row_numbers=list(range(1, len(values) + 1)),
                            record_column=0, fingerprint=digest)
    if file is None:
        raise JobError("Choose a file or paste a list of record IDs or numbers.")
    file = Path(file)
    if not file.is_file():
        raise JobError(f'The file "{file}" does not exist.')
    try:
        table = read_table(file, sheet=sheet)
    except SheetError as exc:
        raise JobError(str(exc)) from None
    headers, rows, numbers = list(table.headers), [list(r) for r in table.rows], list(table.row_numbers)
    named = [h for h in headers if h.strip()]
    if named and all(_looks_like_record(h) for h in named):  # no header row: the first line is data
        rows.insert(0, list(headers))
        numbers.insert(0, table.header_row)
        headers = ["Record"] if len(headers) == 1 else [f"Column {letter}" for letter in table.letters]
    if not rows:
        raise JobError(f'The file "{file.name}" has no rows to convert.')
    record = _record_column(headers, rows, column)
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    others = [h if i != record else "" for i, h in enumerate(headers)]
    return ConvertInput(label=file.name, file=file, sheet=table.sheet, headers=headers, rows=rows,
                        row_numbers=numbers, record_column=record,
                        targets_column=_find_column(others, TARGET_HEADERS),
                        tags_column=_find_column(others, TAGS_HEADERS), fingerprint=digest,
                        notes=[str(n) for n in table.notes])


def _record_of(value: object) -> tuple[str | None, str | None, str | None]:
    """(record ID, number, problem) of one record cell."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None, None, "not a record ID or number"
    if isinstance(value, int | float):  # a number cell: a spreadsheet keeps 15 significant digits
        if isinstance(value, float) and not value.is_integer() or value <= 0:
            return None, None, "not a record ID or number"
        digits = str(int(value))
        if len(digits) > EXCEL_DIGITS:
            return None, None, ("this ID was stored as a number, so Excel kept only its first 15 digits; "
                                "format the column as text and type the ID again")
        value = digits
    text = str(value).strip().strip("'\"").strip()
    if text.lower().startswith("zcrm_"):
        text = text[5:].strip()
    if _SCIENTIFIC.match(text):
        return None, None, ("this ID was shown by Excel as a rounded number (like 4.6E+17), so its digits are lost; "
                            "format the column as text and type the ID again")
    if text.isdigit():
        if len(text) >= ID_MIN_DIGITS:
            return text, None, None
        return None, normalise_number(text), None
    if len(text) > 40 or not any(ch.isdigit() for ch in text):
        return None, None, "not a record ID or number"
    return None, normalise_number(text), None


def _yes_no(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    word = str(value if value is not None else "").strip().casefold()
    if word in _YES:
        return True
    if word in _NO:
        return False
    return None


def check_rows(data: ConvertInput, source: str, targets: tuple[str, ...],
               carry_over_tags: bool) -> list[ConvertRow]:
    """Every row with its record and options, or its problem; numbers are left for `resolve_numbers`."""
    out: list[ConvertRow] = []
    header = data.headers[data.record_column]
    for i, row in enumerate(data.rows):
        raw = row[data.record_column] if data.record_column < len(row) else None
        shown = "" if raw is None else str(raw).strip()
        item = ConvertRow(index=i, row_number=data.row_numbers[i], value=shown, targets=targets,
                          carry_over_tags=carry_over_tags)
        out.append(item)
        if all(v is None or str(v).strip() == "" for v in row):
            item.empty = True
            continue
        if not shown:
            item.problem, item.problem_column = f'column "{header}" is empty: no record ID or number', \
                data.record_column
            continue
        item.record_id, item.number, problem = _record_of(raw)
        if problem:
            item.problem, item.problem_column = f'column "{header}": {shown!r} is {problem}', data.record_column
            continue
        if data.targets_column is not None and str(row[data.targets_column] or "").strip():
            try:
                item.targets = parse_targets(str(row[data.targets_column]), source)
            except ValueError as exc:
                item.problem, item.problem_column = (f'column "{data.headers[data.targets_column]}": {exc}',
                                                     data.targets_column)
                continue
        if data.tags_column is not None:
            flag = _yes_no(row[data.tags_column])
            if flag is None:
                item.problem, item.problem_column = (
                    f'column "{data.headers[data.tags_column]}": write yes or no', data.tags_column)
                continue
            if str(row[data.tags_column] or "").strip():
                item.carry_over_tags = flag
    return out


def needs_numbers(rows: list[ConvertRow]) -> bool:
    return any(r.number is not None and r.problem is None for r in rows)


def resolve_numbers(rows: list[ConvertRow], source: str, numbers: dict[str, str], record_column: int) -> None:
    """Give each numbered row its record ID from `numbers` (normalised number -> ID), or its problem."""
    what = SINGULAR[source]
    for r in rows:
        if r.number is None or r.problem is not None:
            continue
        found = numbers.get(r.number)
        if found is None:
            r.problem = f"there is no {what} numbered {r.value} in Zoho CRM"
            r.problem_column = record_column
        else:
            r.record_id = found


def mark_duplicates(rows: list[ConvertRow], record_column: int) -> None:
    """A record named again (by ID or number) is invalid on every row after its first."""
    first: dict[str, ConvertRow] = {}
    for r in rows:
        if not r.valid or r.record_id is None:
            continue
        earlier = first.get(r.record_id)
        if earlier is None:
            first[r.record_id] = r
            continue
        r.problem = f"the same record as row {earlier.row_number}: it is converted once"
        r.problem_column = record_column
