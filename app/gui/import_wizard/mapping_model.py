"""The mapping table: one Qt row per sheet column with samples, target field, transforms and auto-map confidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from app.entities import LOOKUP_BY, Entity, Field, entity
from app.gui.import_wizard.review_model import shown
from app.gui.table_model import Index, TitledColumnsModel
from app.mapping import FieldMapping, LookupRule, Mapping
from app.mapping.automap import LEARNED, propose
from app.mapping.dates import MONTHS, DateEvidence, evidence, parts_of
from app.mapping.numbers import Convention, convention, reading, take_apart
from app.mapping.prepare import resolve_field
from app.mapping.preview import SAMPLE_ROWS
from app.mapping.schema import DateFormat, NumberFormat, Transform
from app.sheets import Table

NUMBER_TYPES = ("number", "integer", "discount")


@dataclass(frozen=True, slots=True)
class Question:
    """What a column's values cannot tell and the user must: its date order ("date") or decimal mark ("decimal")."""

    column: int
    kind: str
    text: str
    choices: tuple[tuple[str, str], ...]  # (what the user reads, the order or mark it means)


def _date_question(ci: int, header: str, seen: DateEvidence) -> Question:
    example = seen.two_way or seen.day_first_example
    p = parts_of(example)
    dmy, mdy = (p.as_order("day-first"), p.as_order("month-first")) if p else (None, None)

    def said(d: date | None) -> str:
        return f"is {d.day} {MONTHS[d.month - 1]} {d.year}" if d else "is then not a date"

    mixed = (seen.day_first_example, seen.month_first_example) if seen.day_first and seen.month_first else None
    return _question(ci, "date", header, example, mixed, ("date orders", "which order does the column use?"),
                     "Which order does the column use?", (("day-first", said(dmy)), ("month-first", said(mdy))))


def _decimal_question(ci: int, header: str, found: Convention) -> Question:
    example = found.two_way or found.comma_example
    written = take_apart(example)
    point, comma = (reading(written.core, "."), reading(written.core, ",")) if written else (None, None)

    def said(number: str | None) -> str:
        return f"is {number}" if number is not None else "is then an error"

    mixed = (found.point_example, found.comma_example) if found.mixed else None
    return _question(ci, "decimal", header, example, mixed, ("decimal marks", "which does the column use?"),
                     "Does the column use a decimal point or comma?",
                     (("decimal point", said(point), "."), ("decimal comma", said(comma), ",")))


def _question(ci: int, kind: str, header: str, example: str, mixed: tuple[str, str] | None, mixes: tuple[str, str],
              ask: str, readings: tuple[tuple[str, ...], tuple[str, ...]]) -> Question:
    """The question of a column read two ways: (name, "is <reading>"[, the answer; default the name]) per way;
    `mixed` are the column's examples of each way when it holds both (`mixes`: what they are, what to ask)."""
    if mixed:
        text = f'"{header}" mixes {mixes[0]} ("{mixed[0]}", "{mixed[1]}"): {mixes[1]}'
    else:
        text = (f'"{header}": "{example}" could be {readings[0][1].removeprefix("is ")} or '
                f'{readings[1][1].removeprefix("is ")}. {ask}')
    return Question(ci, kind, text, tuple((f'{way[0]} ("{example}" {way[1]})', way[-1] if len(way) > 2 else way[0])
                                          for way in readings))


COLUMN, SAMPLES, FIELD, TRANSFORMS, CONFIDENCE = range(5)
TITLES = ("Column", "Sample values", "Zoho field", "Transforms", "Confidence")
NOT_IMPORTED = "(not imported)"



def field_text(f: Field, operation: str) -> str:
    """A field as the picker lists it: label, API path, a star when the operation requires it."""
    star = " *" if f.required_for(operation) else ""
    return f"{f.label}{star} \u2014 {f.path}"


_PARTS = {0: "first part", 1: "second part", 2: "third part", -1: "last part", -2: "second-to-last part"}


def describe(fm: FieldMapping) -> str:
    """The transforms of one field in a few words ("trim, dates day-first, customer by name")."""
    parts: list[str] = []
    t: Any  # a Transform: each case reads the fields of the rule its op names, which mypy cannot narrow to
    for t in fm.transforms:
        match t.op:
            case "trim":
                parts.append("trim")
            case "case":
                parts.append(f"{t.to} case")
            case "date":
                formats = f" ({', '.join(t.formats)})" if t.formats else ""
                assumed = " (assumed)" if t.assumed else ""
                parts.append(f"dates {t.order}{assumed}{formats}")
            case "number":
                words = [w for w, on in (("decimal comma", t.decimal == ","),
                                         ("decimal point", t.decimal == "."),
                                         ("percent", t.percent)) if on]
                parts.append(" and ".join(words) or "number")
            case "boolean":
                parts.append("yes/no")
            case "map":
                parts.append(f"{len(t.values)} values mapped")
            case "split":
                part = _PARTS.get(t.index) or (f"part {t.index + 1}" if t.index >= 0
                                               else f"part {-t.index} from the end")
                parts.append(f"{part} of split at {t.separator!r}")
            case "default":
                parts.append(f"default {t.value!r}")
    if fm.lookup is not None:
        parts.append(f"{fm.lookup.kind} by {fm.lookup.by}")
    if not fm.columns and fm.constant is not None:
        parts.append(f"always {fm.constant!r}")
    return ", ".join(parts)


class MappingModel(TitledColumnsModel):
    """Adapts a Mapping to the table view; edits go back into the Mapping (the engine's own schema)."""

    HEADERS = TITLES

    mapping_changed = Signal()

    def __init__(self, table: Table, mapping: Mapping, parent: Any = None) -> None:
        super().__init__(parent)
        self.table = table
        self.mapping = mapping
        self.entity: Entity = entity(mapping.entity)
        self._samples = [self._sample(ci) for ci in range(len(table.headers))]
        self._by_column: dict[str, FieldMapping] = {}
        self._evidence: dict[int, DateEvidence] = {}  # per column, read once: the table does not change
        self._convention: dict[int, Convention] = {}
        self._index()

    def _sample(self, ci: int) -> str:
        seen: list[str] = []
        for row in self.table.rows[:SAMPLE_ROWS]:
            text = shown(row[ci]).strip()
            if text and text not in seen:
                seen.append(text)
                if len(seen) == 3:
                    break
        return " \u00b7 ".join(seen)

    def _index(self) -> None:
        self._by_column = {fm.columns[0]: fm for fm in self.mapping.fields if fm.columns}

    # --- reading ---

    def field_mapping(self, ci: int) -> FieldMapping | None:
        return self._by_column.get(self.table.headers[ci])

    def line_sheet(self) -> bool:
        """Whether the sheet has line-item columns: a column feeds a line item's field (item, quantity, rate)."""
        lines = self.entity.lines
        return lines == "line_items" and any(fm.columns and fm.field.startswith(f"{lines}.")
                                             for fm in self.mapping.fields)

    def fields(self) -> list[Field]:
        """The catalogue in the picker's order: required first; on a sheet of line items the line item's
        fields next (its Discount before the whole order's); then as the catalogue lists them."""
        op, lines_first = self.mapping.operation, self.line_sheet()
        return sorted(self.entity.fields, key=lambda f: (not f.required_for(op),
                                                         lines_first and f.level != "line"))

    # --- what the values cannot tell ---

    def _distinct(self, ci: int) -> dict[Any, None]:
        return dict.fromkeys(r[ci] for r in self.table.rows)

    def date_evidence(self, ci: int) -> DateEvidence:
        if ci not in self._evidence:
            self._evidence[ci] = evidence(self._distinct(ci))
        return self._evidence[ci]

    def number_convention(self, ci: int) -> Convention:
        if ci not in self._convention:
            self._convention[ci] = convention(self._distinct(ci))
        return self._convention[ci]

    def questions(self) -> list[Question]:
        """One question per column whose date order or decimal mark neither its values nor the user fixed."""
        found: list[Question] = []
        index = {h: i for i, h in enumerate(self.table.headers)}
        for fm in self.mapping.fields:
            if len(fm.columns) != 1 or fm.columns[0] not in index:
                continue
            ci, f = index[fm.columns[0]], resolve_field(self.entity, fm.field)
            if f is None:
                continue
            header = fm.columns[0]
            if f.type == "date" and fm.lookup is None and not self.mapping.date_order:
                own = next((t for t in fm.transforms if isinstance(t, DateFormat)), None)
                seen = self.date_evidence(ci)
                if (own is None or own.assumed or own.order == "year-first") and (
                        (seen.order is None and seen.two_way) or (seen.day_first and seen.month_first)):
                    found.append(_date_question(ci, header, seen))
            elif (f.type in NUMBER_TYPES or (fm.lookup is not None and fm.lookup.by == "rate")) \
                    and not self.mapping.decimal:
                own_mark = next((t.decimal for t in fm.transforms if isinstance(t, NumberFormat)), None)
                conv = self.number_convention(ci)
                if own_mark is None and (conv.mixed or (conv.decimal is None and conv.two_way)):
                    found.append(_decimal_question(ci, header, conv))
        return found

    def answer(self, ci: int, kind: str, value: str) -> None:
        """The user's answer to a question: the column's own date order or decimal mark, kept in the mapping."""
        fm = self.field_mapping(ci)
        if fm is None:
            return
        if kind == "date":
            old = next((t for t in fm.transforms if isinstance(t, DateFormat)), None)
            rule: Transform = DateFormat(order=value, formats=list(old.formats) if old else [])  # type: ignore[arg-type]  # pydantic checks it against its literals
        else:
            old_number = next((t for t in fm.transforms if isinstance(t, NumberFormat)), None)
            rule = NumberFormat(decimal=value, percent=bool(old_number and old_number.percent))  # type: ignore[arg-type]  # pydantic checks it against its literals
        kept = [t for t in fm.transforms if t.op != rule.op]
        self.set_rules(ci, [*kept, rule], fm.lookup)

    def decided(self, ci: int) -> tuple[str | None, str | None]:
        """(date order, decimal mark) the mapping or the column's values give where the field's rules do not."""
        seen, conv = self.date_evidence(ci), self.number_convention(ci)
        return self.mapping.date_order or seen.order, self.mapping.decimal or conv.decimal

    # --- editing ---

    def set_mapping(self, mapping: Mapping) -> None:
        self.beginResetModel()
        self.mapping = mapping
        self.entity = entity(mapping.entity)
        self._index()
        self.endResetModel()
        self.mapping_changed.emit()

    def set_field(self, ci: int, path: str | None) -> None:
        """Feed field `path` from column `ci` (None: do not import the column), with proposed transforms."""
        header = self.table.headers[ci]
        fields = [fm for fm in self.mapping.fields
                  if not (fm.columns and fm.columns[0] == header) and fm.field != path]
        unmapped = [h for h in self.mapping.unmapped if h != header]
        ignored = {h: why for h, why in self.mapping.ignored.items() if h != header}
        if path:
            f = resolve_field(self.entity, path)
            if f is None:
                return
            transforms, lookup, _factor, note = propose(self.table, ci, f)
            fields.append(FieldMapping(field=path, columns=[header], transforms=transforms,
                                       lookup=lookup, note=f"chosen by hand; {note}"))
        else:
            unmapped.append(header)
        self._replace(fields, unmapped=unmapped, ignored=ignored)

    def set_constant(self, path: str, value: str | None) -> None:
        """Give field `path` the same value on every record (None: no fixed value); a column feeding it stops."""
        f = resolve_field(self.entity, path)
        if f is None:
            return
        freed = [fm.columns[0] for fm in self.mapping.fields if fm.field == path and fm.columns]
        fields = [fm for fm in self.mapping.fields if fm.field != path]
        if value is not None and value.strip():
            lookup = LookupRule(kind=f.lookup, by=LOOKUP_BY[f.lookup][0]) if f.lookup else None  # type: ignore[arg-type]  # pydantic checks it against its literals
            fields.append(FieldMapping(field=path, constant=value.strip(), lookup=lookup, note="a fixed value"))
        self._replace(fields, unmapped=[*self.mapping.unmapped, *freed])

    def constants(self) -> list[tuple[Field, FieldMapping]]:
        """The fields with a fixed value (no column), in mapping order."""
        found = []
        for fm in self.mapping.fields:
            f = resolve_field(self.entity, fm.field)
            if not fm.columns and f is not None:
                found.append((f, fm))
        return found

    def set_rules(self, ci: int, transforms: list[Transform], lookup: LookupRule | None) -> None:
        """Replace the transforms and lookup of the field column `ci` feeds."""
        fm = self.field_mapping(ci)
        if fm is None:
            return
        new = fm.model_copy(update={"transforms": transforms, "lookup": lookup})
        self._replace([new if f is fm else f for f in self.mapping.fields])

    def _replace(self, fields: list[FieldMapping], **changes: Any) -> None:
        order = {h: i for i, h in enumerate(self.table.headers)}
        fields.sort(key=lambda fm: order.get(fm.columns[0], len(order)) if fm.columns else len(order))
        key = next((fm.columns[0] for fm in fields if fm.field == self.entity.key_field and fm.columns), None)
        self.mapping = self.mapping.model_copy(update={"fields": fields, "document_key": key, **changes})
        self._index()
        self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, CONFIDENCE - 0))
        self.mapping_changed.emit()

    # --- QAbstractTableModel ---

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.table.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        ci, col = index.row(), index.column()
        fm = self.field_mapping(ci)
        f = resolve_field(self.entity, fm.field) if fm else None
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COLUMN:
                return f"{self.table.letters[ci]}  {self.table.headers[ci]}"
            if col == SAMPLES:
                return self._samples[ci]
            if col == FIELD:
                return field_text(f, self.mapping.operation) if f else NOT_IMPORTED
            if col == TRANSFORMS:
                return describe(fm) if fm else ""
            if col == CONFIDENCE:
                if fm is None:
                    return ""
                if fm.confidence is None:
                    return "chosen"
                return LEARNED if (fm.note or "").startswith(LEARNED) else f"{round(fm.confidence * 100)}%"
        if role == Qt.ItemDataRole.EditRole and col == FIELD:
            return fm.field if fm else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == FIELD and f is not None:
                return f.help or f.label
            if col in (CONFIDENCE, TRANSFORMS) and fm is not None:
                return fm.note
            if col == COLUMN:
                why = self.mapping.ignored.get(self.table.headers[ci])
                return f"Not imported: {why}" if why and fm is None else None
        if role == Qt.ItemDataRole.BackgroundRole and col == CONFIDENCE and fm and fm.confidence is not None:
            c = fm.confidence
            return QBrush(QColor(198, 239, 206) if c >= 0.9 else QColor(255, 235, 156) if c >= 0.7
                          else QColor(255, 199, 206))
        if role == Qt.ItemDataRole.ForegroundRole and col == CONFIDENCE and fm and fm.confidence is not None:
            return QBrush(QColor(0, 0, 0))
        if role == Qt.ItemDataRole.UserRole and col == CONFIDENCE:
            return fm.confidence if fm else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and index.column() == FIELD:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != FIELD:
            return False
        self.set_field(index.row(), str(value) if value else None)
        return True
