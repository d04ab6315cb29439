"""The preview of an update: field by field, what a record in Zoho holds and what the update would send instead.

Nothing here calls Zoho. The record compared is the one the update itself compares with: the list row the
run read anyway, or, where line items or contact persons are involved, the whole record the update reads
before it writes (one call it makes in any case). Lines and persons are compared after the update's own
matchers (merge_lines, merge_persons) gave each the ID Zoho knows it by: a line sent with an ID is that
line, changed or not; a line sent without one is added; a line of Zoho the update leaves out is removed
(seed 003 "Update a sales order": a line left out is deleted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.jobs.catalog import SOURCES
from app.jobs.importing.decide import Decision, same_values

LINES = "line_items"
PERSONS = "contact_persons"
_LINE_ID = "line_item_id"
_PERSON_ID = "contact_person_id"
# What Zoho sends back about a line or person that is no value of the user's (IDs, sums, order)
_NOT_SHOWN = frozenset({_LINE_ID, _PERSON_ID, "item_order"})
# What a removed line is shown by: what the user knows a line by (Zoho's line also holds its sums and taxes)
_LINE_HELD = ("name", "description", "quantity", "rate", "discount", "unit")


@dataclass(frozen=True)
class FieldChange:
    """One field of one record: its value in Zoho and the value the update sends, as the user reads them."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class RecordChange:
    """Every field an update changes in one record (`unseen`: fields sent that the list row does not show)."""

    index: int  # the document
    rows: tuple[int, ...]  # its sheet row numbers
    record: str  # its number or name
    zoho_id: str
    fields: tuple[FieldChange, ...]
    unseen: tuple[str, ...] = ()
    row_index: int = -1  # the data row index of its first row (where the grid shows it)


@dataclass
class Wording:
    """How fields and values are shown: the sheet's column for a field, a name for an ID."""

    labels: dict[str, str] = field(default_factory=dict)  # "line_items.quantity" -> "QuantityOrdered"
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # "line_items.item_id" -> {id: name}

    def label(self, path: str) -> str:
        if path in self.labels:
            return self.labels[path]
        last = path.rsplit(".", 1)[-1]
        return last.removeprefix("cf_").replace("_", " ").capitalize()

    def value(self, path: str, value: Any) -> str:
        """A value as a cell shows it: names for IDs, 7 for 7.0, yes/no, empty for nothing."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, dict):
            return ", ".join(f"{self.label(f'{path}.{k}')}: {self.value(f'{path}.{k}', v)}"
                             for k, v in value.items() if v not in (None, ""))
        if isinstance(value, list):
            return "; ".join(self.value(path, v) for v in value)
        text = str(value)
        return self.names.get(path, {}).get(text, text)


def wording(fields: Iterable[tuple[str, list[str], str | None]],
            records: Callable[[str], list[dict[str, Any]]]) -> Wording:
    """The wording of a mapping's fields: (API path, its columns, its lookup kind or None) each; `records`
    gives the records of a looked-up entity the run listed (so an ID shows as its name)."""
    out = Wording()
    for path, columns, kind in fields:
        if columns:
            out.labels[path] = " + ".join(columns)
        source = SOURCES.get(kind or "")
        if source is not None:
            out.names[path] = {str(r.get(source.id_field)): str(r.get(source.label_field) or "")
                               for r in records(source.entity) if r.get(source.id_field) is not None}
    return out


def field_changes(payload: Mapping[str, Any], record: dict[str, Any],
                  words: Wording) -> tuple[list[FieldChange], list[str]]:
    """The fields whose values the payload changes in the record, and the fields the record does not show."""
    changes: list[FieldChange] = []
    unseen: list[str] = []
    for name, wanted in payload.items():
        if name in record and record[name] == wanted and wanted.__class__ is record[name].__class__:
            continue  # the same value, as most are (comparing as the update does takes longer)
        if name == "custom_fields":
            changes.extend(_custom_changes(wanted or [], record, words))
        elif name == LINES and isinstance(wanted, list) and isinstance(record.get(LINES), list):
            changes.extend(_line_changes(wanted, record[LINES], words))
        elif name == PERSONS and isinstance(wanted, list) and isinstance(record.get(PERSONS), list):
            changes.extend(_person_changes(wanted, record[PERSONS], words))
        elif name not in record:
            unseen.append(words.label(name))
        elif isinstance(wanted, dict) and isinstance(record[name], dict):
            changes.extend(_values(wanted, record[name], words, name, ""))
        elif not same_values({name: wanted}, record):
            changes.append(FieldChange(words.label(name), words.value(name, record[name]),
                                       words.value(name, wanted)))
    return changes, unseen


def _values(wanted: Mapping[str, Any], held: dict[str, Any], words: Wording, path: str,
            prefix: str) -> list[FieldChange]:
    """The changed values of one part of a record (an address, a line, a person), each named by its column."""
    out: list[FieldChange] = []
    for key, value in wanted.items():
        if key in _NOT_SHOWN:
            continue
        sub = f"{path}.{key}"
        if key == "custom_fields" or key == "item_custom_fields":
            out.extend(FieldChange(prefix + c.field, c.old, c.new)
                       for c in _custom_changes(value or [], held, words, sub))
            continue
        if not same_values({key: value}, held):
            out.append(FieldChange(prefix + words.label(sub), words.value(sub, held.get(key)),
                                   words.value(sub, value)))
    return out


def _custom_changes(entries: list[dict[str, Any]], record: Mapping[str, Any], words: Wording,
                    path: str = "custom_fields") -> list[FieldChange]:
    held: dict[str, Any] = {}
    for entry in record.get(path.rsplit(".", 1)[-1]) or []:
        for key in ("api_name", "label", "customfield_id"):
            if entry.get(key) not in (None, ""):
                held[str(entry[key])] = entry.get("value")
    out = []
    for entry in entries:
        api = entry.get("api_name") or entry.get("label") or entry.get("customfield_id")
        if api is None:
            continue
        old = record.get(api) if api in record else held.get(str(api))
        new = entry.get("value")
        if not same_values({"v": new}, {"v": old}):
            label = words.labels.get(f"{path}.{api}") or str(entry.get("label") or words.label(str(api)))
            out.append(FieldChange(label, words.value(path, old), words.value(path, new)))
    return out


def _line_changes(sent: list[dict[str, Any]], held: list[dict[str, Any]],
                  words: Wording) -> list[FieldChange]:
    """Lines changed, added and removed: `sent` are the lines as the update's merge_lines made them."""
    by_id = {str(line.get(_LINE_ID)): (n, line) for n, line in enumerate(held, 1) if line.get(_LINE_ID)}
    sent_ids = {str(line.get(_LINE_ID)) for line in sent if line.get(_LINE_ID)}
    out: list[FieldChange] = []
    for line in sent:
        known = by_id.get(str(line.get(_LINE_ID) or ""))
        if known is None:
            out.append(FieldChange("Line added", "", _line_text(line, words)))
            continue
        n, old = known
        out.extend(_values(line, old, words, LINES, f"Line {n} ({_line_name(old, words)}): "))
    for lid, (n, old) in by_id.items():
        if lid not in sent_ids:
            out.append(FieldChange(f"Line {n} removed", _line_text(old, words, _LINE_HELD), ""))
    return out


def _line_name(line: Mapping[str, Any], words: Wording) -> str:
    name = line.get("name") or words.value(f"{LINES}.item_id", line.get("item_id")) or line.get("description")
    return str(name or "no item")


def _line_text(line: Mapping[str, Any], words: Wording, keys: tuple[str, ...] | None = None) -> str:
    """A line in one cell: each value the sheet gives (or, of a line Zoho holds, those of `keys`)."""
    shown = [(k, line.get(k)) for k in keys] if keys is not None else list(line.items())
    return ", ".join(f"{words.label(f'{LINES}.{k}')}: {words.value(f'{LINES}.{k}', v)}"
                     for k, v in shown
                     if k not in _NOT_SHOWN and k != "item_custom_fields" and v not in (None, ""))


def _person_changes(sent: list[dict[str, Any]], held: list[dict[str, Any]],
                    words: Wording) -> list[FieldChange]:
    """Persons changed and added: `sent` are the persons as the update's merge_persons made them (Zoho keeps
    the persons an update sends by their ID alone, so none is removed)."""
    by_id = {str(p.get(_PERSON_ID)): p for p in held if p.get(_PERSON_ID)}
    out: list[FieldChange] = []
    for person in sent:
        old = by_id.get(str(person.get(_PERSON_ID) or ""))
        if old is None:
            out.append(FieldChange("Contact person added", "", words.value(PERSONS, _shown(person))))
            continue
        out.extend(_values(person, old, words, PERSONS, f"Contact person {_person_name(old)}: "))
    return out


def _shown(person: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in person.items() if k not in _NOT_SHOWN}


def _person_name(person: Mapping[str, Any]) -> str:
    name = " ".join(str(person.get(k) or "").strip() for k in ("first_name", "last_name")).strip()
    return name or str(person.get("email") or person.get(_PERSON_ID) or "")


class ChangePreview:
    """The changes of a run's updates, record by record, as they become known: those the list rows show at
    plan time, those of records read before their update as the run reads them."""

    def __init__(self, words: Wording, *, id_field: str) -> None:
        self.words = words
        self.id_field = id_field
        self.records: dict[int, RecordChange] = {}
        self.to_read = 0  # updates compared only once their record is read (one call each, the update's own)
        self.read = 0  # of those, read so far
        self.unchanged = 0  # at plan time: records the list rows show already holding the sheet's values

    def listed(self, decisions: Mapping[int, Decision], records: list[dict[str, Any]],
               named: Callable[[dict[str, Any]], dict[str, Any]],
               where: Callable[[int], tuple[tuple[int, ...], str, int]]) -> None:
        """At plan time: the changes of every update the list rows tell; `named` gives a list row the IDs the
        decision compared it with, `where` a document's sheet rows, name and first row index."""
        listed = {str(r.get(self.id_field)): r for r in records}
        for index, d in decisions.items():
            self.unchanged += d.action == "unchanged"
            if not _updates(d):
                continue
            if d.marker.check:
                self.to_read += 1
                continue
            record = listed.get(str(d.zoho_id))
            if record is not None:
                self.add(index, d, named(record), *where(index))

    def add(self, index: int, d: Decision, record: dict[str, Any], rows: tuple[int, ...],
            name: str, row_index: int = -1) -> RecordChange | None:
        """The changes of one update against the record it compares with (None: no field changes)."""
        fields, unseen = field_changes(d.payload, record, self.words)
        self.records.pop(index, None)
        if not fields and not unseen:
            return None
        change = RecordChange(index, rows, str(d.number or name or d.zoho_id or ""), str(d.zoho_id or ""),
                              tuple(fields), tuple(unseen), row_index)
        self.records[index] = change
        return change

    def after_read(self, index: int, d: Decision, record: dict[str, Any], rows: tuple[int, ...],
                   name: str, row_index: int = -1) -> None:
        """An update's record was read before it is sent: its changes against the whole record."""
        self.read += 1
        self.add(index, d, record, rows, name, row_index)

    def changes(self) -> list[RecordChange]:
        return [self.records[i] for i in sorted(self.records)]

    def fields(self) -> int:
        return sum(len(c.fields) for c in self.records.values())

    def plan_lines(self) -> tuple[str, ...]:
        """What the plan says of the preview: records that change, records unchanged, records compared after
        the read their update makes, and that the preview costs no other call."""
        known = len(self.records)
        if not known and not self.to_read and not self.unchanged:
            return ()
        line = (f"Changes: {_plural(known, 'record')} change in fields the list pages show "
                f"({_plural(self.fields(), 'field')}), {self.unchanged:,} unchanged")
        if self.to_read:
            line += (f"; {_plural(self.to_read, 'record')} compared once read before their update "
                     f"(line items, contact persons or fields the list pages do not show: "
                     f"{_plural(self.to_read, 'call')} the update makes anyway)")
        return (line + "; the preview costs no other call",)


def _updates(d: Decision) -> bool:
    """Whether a decision changes a record Zoho holds (an update, or an upsert of a listed record)."""
    return d.action == "update" or (d.action == "upsert" and d.marker.outcome == "updated")


def _plural(n: int, word: str) -> str:
    return f"1 {word}" if n == 1 else f"{n:,} {word}s"


__all__ = ["ChangePreview", "FieldChange", "RecordChange", "Wording", "field_changes", "wording"]
