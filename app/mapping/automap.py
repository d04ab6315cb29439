"""Auto-mapping: proposes a field, lookup and transforms for every column, with a confidence score."""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Mapping as Pairs
from datetime import date
from typing import Any

from app.entities import Entity, Field, entity
from app.entities.catalogue import Level
from app.mapping.dates import evidence
from app.mapping.numbers import convention
from app.mapping.prepare import TableLike, resolve_field
from app.mapping.schema import (
    BooleanWords,
    DateFormat,
    FieldMapping,
    LookupRule,
    Mapping,
    NumberFormat,
    Transform,
    Trim,
    ValueMap,
)
from app.mapping.transforms import is_empty

SAMPLE = 2000  # distinct non-empty values looked at per column
LEARNED = "learned"
"""How a proposal from a header the user mapped by hand before starts its note (the confidence column says it)."""

# Words other systems use for values Zoho knows by another name (allowed values only).
VALUE_WORDS: dict[str, str] = {
    "supplier": "vendor", "suppliers": "vendor", "vendors": "vendor", "client": "customer",
    "clients": "customer", "debtor": "customer", "creditor": "vendor",
    "english": "en", "english (uk)": "en_gb", "british english": "en_gb", "german": "de", "deutsch": "de",
    "spanish": "es", "español": "es", "french": "fr", "français": "fr", "italian": "it", "italiano": "it",
    "japanese": "ja", "dutch": "nl", "nederlands": "nl", "portuguese": "pt", "português": "pt",
    "brazilian portuguese": "pt_br", "portuguese (brazil)": "pt_br", "swedish": "sv", "svenska": "sv",
    "chinese": "zh", "product": "goods", "products": "goods", "inventory": "goods", "non-inventory": "goods",
    "labour": "service", "labor": "service", "whole order": "entity_level", "order": "entity_level",
    "line": "item_level", "per line": "item_level", "per item": "item_level",
}


def normal(text: str) -> str:
    """A header reduced to lowercase letters and digits ("Sales-Order #" -> "salesorder")."""
    return re.sub(r"[^0-9a-z%#]+", "", text.casefold()).replace("#", "number")


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[^0-9a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", text).casefold()) if w}


def _candidates(ent: Entity) -> list[tuple[str, Field, float]]:
    """(normalised name, field, score) for every label, synonym and API name."""
    found: list[tuple[str, Field, float]] = []
    for f in ent.fields:
        found.append((normal(f.label), f, 1.0))
        for s in f.synonyms:
            found.append((normal(s), f, 0.9))
        found.append((normal(f.path), f, 0.9))
        found.append((normal(f.name), f, 0.85))
    return found


def score_column(header: str, ent: Entity, learned: Pairs[str, str] | None = None) -> tuple[Field | None, float, str]:
    """The best field for a header, its score and the reason; a header the user mapped by hand before
    (`learned`: normal(header) -> field path) goes to that field first."""
    h = normal(header)
    if not h:
        return None, 0.0, "empty header"
    path = (learned or {}).get(h)
    chosen = resolve_field(ent, path) if path else None
    if chosen is not None:
        return chosen, 1.0, f'{LEARNED}: you mapped a column "{header}" to {chosen.label} in an earlier import'
    low = header.casefold()
    custom: tuple[str, Level] | None = None
    if low.startswith("item.cf.") and ent.lines == "line_items":
        custom = (header[len("item.cf."):].strip(), "line")
    elif low.startswith("cf."):
        custom = (header[len("cf."):].strip(), "document")
    if custom and custom[0]:
        f = ent.custom_field(custom[0], custom[1])
        known = any(f is g for g in ent.fields)
        return f, (1.0 if known else 0.9), f'custom field "{custom[0]}"'
    best: tuple[Field | None, float, str] = (None, 0.0, "no similar field")
    for name, f, score in _candidates(ent):
        if name == h and score > best[1]:
            best = (f, score, f'"{header}" is {"the label" if score == 1.0 else "a known name"} of {f.label}')
    if best[0] is not None:
        return best
    words = _words(header)
    if not words:
        return best
    for f in ent.fields:
        for name in (f.label, *f.synonyms):
            other = _words(name)
            if not other:
                continue
            overlap = len(words & other) / len(words | other)
            score = round(0.4 + 0.4 * overlap, 2) if overlap >= 0.5 else 0.0
            if score > best[1]:
                best = (f, score, f'"{header}" resembles "{name}"')
    return best


def _sample(table: TableLike, ci: int) -> list[Any]:
    seen: dict[Any, None] = {}
    for r in table.rows:
        v = r[ci]
        if not is_empty(v):
            seen.setdefault(v, None)
            if len(seen) >= SAMPLE:
                break
    return list(seen)


def infer_date(values: Iterable[Any]) -> tuple[DateFormat, float, str]:
    """Date order from the values: one 25/01/2026 settles day-first, one 01/25/2026 month-first.

    When every text date reads both ways the order is assumed day-first and the rule says so (`assumed`).
    """
    seen = evidence(v for v in values if not isinstance(v, date | int | float))
    if seen.day_first and seen.month_first:  # open to --date-order: the values do not agree
        order = seen.order or "day-first"
        return (DateFormat(order=order, assumed=True), 0.5,
                f"dates disagree: some look day-first, some month-first; read {order}")
    if seen.day_first:
        return DateFormat(order="day-first"), 1.0, f'day-first: "{seen.day_first_example}" can only be day-first'
    if seen.month_first:
        return DateFormat(order="month-first"), 1.0, f'month-first: "{seen.month_first_example}" can only be month-first'
    if seen.two_way:
        return (DateFormat(order="day-first", assumed=True), 0.7,
                f'no date settles the order ("{seen.two_way}" reads both ways); assumed day-first')
    return DateFormat(order="year-first"), 1.0, "ISO dates or real date cells"


def infer_number(values: Iterable[Any], percent: bool = False) -> tuple[NumberFormat, float, str]:
    """Decimal mark from the values: one 1.234,50 settles decimal comma; none at all leaves it open."""
    found = convention(values)
    if found.mixed:  # left open to --decimal: the column is read as its majority unless told
        return (NumberFormat(percent=percent), 0.6,
                f'numbers disagree on the decimal mark ("{found.point_example}", "{found.comma_example}")')
    if found.decimal == ",":
        return NumberFormat(decimal=",", percent=percent), 1.0, f'decimal comma (e.g. "{found.comma_example}")'
    if found.decimal == ".":
        return NumberFormat(decimal=".", percent=percent), 1.0, f'decimal point (e.g. "{found.point_example}")'
    if found.two_way:
        return (NumberFormat(percent=percent), 0.7,
                f'no value shows the decimal mark ("{found.two_way}" reads two ways): choose one')
    return NumberFormat(percent=percent), 1.0, "numbers"


_ID_HEADER = re.compile(r"(?:^|[^A-Za-z])[Ii][Dd]\s*$|[a-z]ID\s*$")  # "Customer ID", "Product_Id", "ItemID"


def is_id_header(header: str) -> bool:
    """True for a column that holds Zoho IDs by its name ("Customer ID", "Product ID", "SalesOrderID")."""
    return bool(_ID_HEADER.search(header))


def _lookup_by(f: Field, header: str, values: list[Any]) -> str:
    h = header.casefold()
    kind = f.lookup
    if is_id_header(header):
        return "id"  # Zoho's own export: "Customer ID", "Product ID", "Tax ID" hold the record's ID
    if kind in ("customer", "salesperson") and (
        "email" in h or "e-mail" in h or (values and sum("@" in str(v) for v in values) > len(values) / 2)
    ):
        return "email"
    if kind == "item" and ("sku" in h or "code" in h):
        return "sku"
    if kind == "tax" and ("%" in h or "rate" in h or "percent" in h or (values and all(
        isinstance(v, int | float) or re.fullmatch(r"\s*\d+([.,]\d+)?\s*%?\s*", str(v)) for v in values))):
        return "rate"
    if kind == "currency":
        return "code"
    return "name"


def propose(table: TableLike, ci: int, f: Field) -> tuple[list[Transform], LookupRule | None, float, str]:
    """Transforms and lookup for column `ci` feeding field `f`, with a confidence factor and a note."""
    values = _sample(table, ci)
    header = table.headers[ci]
    if f.lookup:
        by = _lookup_by(f, header, values)
        rules: list[Transform] = [Trim()]
        if by == "rate":
            rule, conf, note = infer_number(values, percent=False)
            rules.append(rule)
            return rules, LookupRule(kind=f.lookup, by=by), conf, f"{f.lookup} by rate; {note}"  # type: ignore[arg-type]  # pydantic checks it against its literals
        return rules, LookupRule(kind=f.lookup, by=by), 1.0, f"{f.lookup} looked up by {by}"  # type: ignore[arg-type]  # pydantic checks it against its literals
    if f.type == "date":
        order, conf, note = infer_date(values)
        return [Trim(), order], None, conf, note
    if f.type in ("number", "integer", "discount"):
        percent = f.type == "discount" and ("percent" in header.casefold() or "%" in header)
        rule, conf, note = infer_number(values, percent=percent)
        return [rule], None, conf, note
    if f.type == "boolean":
        return [BooleanWords()], None, 1.0, "yes/no, true/false, 1/0, x"
    if f.allowed:
        return _choices(f, values)
    return [Trim()], None, 1.0, "text"


def _choices(f: Field, values: list[Any]) -> tuple[list[Transform], LookupRule | None, float, str]:
    """A value map for words other systems use for the field's allowed values."""
    known = {re.sub(r"[\s\-]+", "_", a) for a in f.allowed}
    words: dict[str, str] = {}
    strangers = 0
    for v in values:
        text = str(v).strip()
        folded = re.sub(r"[\s\-]+", "_", text.casefold())
        if folded in known or folded.rstrip("s") in known:
            continue
        target = VALUE_WORDS.get(text.casefold())
        if target in f.allowed:
            words[text] = target
        else:
            strangers += 1
    rules: list[Transform] = [Trim()]
    if words:
        rules.append(ValueMap(values=dict(words)))
    note = f"{strangers} value(s) are not among {', '.join(f.allowed)}" if strangers else "values are allowed ones"
    return rules, None, 0.7 if strangers else 1.0, note


def automap(table: TableLike, entity_name: str, operation: str = "create",
            learned: Pairs[str, str] | None = None) -> Mapping:
    """A proposed mapping for every column of the table; unmatched columns are listed in `unmapped`.

    `learned` (normal(header) -> field path) holds the headers the user mapped by hand in earlier imports
    (the desktop app keeps them, app.mapping.remembered); the command line passes none.
    """
    ent = entity(entity_name)
    scored: list[tuple[float, int, Field, str]] = []
    for ci, header in enumerate(table.headers):
        f, score, why = score_column(header, ent, learned)
        if f is not None and score > 0:
            if header in ent.ignored_headers and not why.startswith(LEARNED):
                if score < 0.85:  # a resemblance ("Status" ~ "Portal Status"), not a known name
                    continue
                score *= 0.5  # an export-only column maps only where nothing better claims its field
            scored.append((score, ci, f, why))
    # An ID column ("Customer ID") claims its lookup field before the name column ("Customer Name"); a header
    # the user mapped by hand before claims its field before a label that matches as well.
    scored.sort(key=lambda s: (-s[0] - (0.5 if s[2].lookup and is_id_header(table.headers[s[1]]) else 0)
                               - (0.01 if s[3].startswith(LEARNED) else 0), s[1]))
    taken: dict[str, str] = {}
    chosen: dict[int, FieldMapping] = {}
    ignored: dict[str, str] = {}
    for score, ci, f, why in scored:
        header = table.headers[ci]
        if f.path in taken:
            ignored[header] = ent.ignored_headers.get(header) or f'{f.label} is already taken from column "{taken[f.path]}"'
            continue
        taken[f.path] = header
        transforms, lookup, factor, note = propose(table, ci, f)
        chosen[ci] = FieldMapping(field=f.path, columns=[header], transforms=transforms, lookup=lookup,
                                  confidence=round(score * factor, 2), note=f"{why}; {note}")
    unmapped: list[str] = []
    for ci, header in enumerate(table.headers):
        if ci in chosen or header in ignored:
            continue
        if header in ent.ignored_headers:
            ignored[header] = ent.ignored_headers[header]
        else:
            unmapped.append(header)
    key_header = taken.get(ent.key_field)
    return Mapping(
        entity=entity_name,  # type: ignore[arg-type]  # pydantic checks it against its literals
        operation=operation,  # type: ignore[arg-type]  # pydantic checks it against its literals
        sheet=getattr(table, "sheet", None),
        header_row=getattr(table, "header_row", None),
        document_key=key_header,
        fields=[chosen[ci] for ci in sorted(chosen)],
        ignored=ignored,
        unmapped=unmapped,
    )
