"""Editors of the mapping step: the searchable field picker and the dialog for one field's transforms."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from app.entities import LOOKUP_BY, Field
from app.gui.import_wizard.mapping_model import NOT_IMPORTED, MappingModel, field_text
from app.mapping import FieldMapping, LookupRule
from app.mapping.schema import DateFormat, Default, NumberFormat, Transform, Trim, ValueMap

Index = QModelIndex | QPersistentModelIndex
PATH_ROLE = Qt.ItemDataRole.UserRole


class FieldPicker(QComboBox):
    """A combo box you can type into: the popup shows the catalogue fields whose label or path contains the text."""

    def __init__(self, fields: list[Field], operation: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldPicker")
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItem(NOT_IMPORTED, "")
        for f in fields:
            self.addItem(field_text(f, operation), f.path)
            at = self.count() - 1
            self.setItemData(at, f.help or f.label, Qt.ItemDataRole.ToolTipRole)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)

    def path(self) -> str:
        """The chosen field's API path ("" for not imported); typed text matching no field keeps the current one."""
        at = self.findText(self.currentText(), Qt.MatchFlag.MatchFixedString)
        if at < 0:
            at = self.currentIndex()
        return str(self.itemData(at) or "")

    def set_path(self, path: str) -> None:
        at = self.findData(path)
        self.setCurrentIndex(max(at, 0))


class FieldDelegate(QStyledItemDelegate):
    """Puts a FieldPicker in the Zoho field column while it is edited."""

    def __init__(self, model: MappingModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        return FieldPicker(self._model.fields(), self._model.mapping.operation, parent)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, FieldPicker)
        editor.set_path(str(index.data(Qt.ItemDataRole.EditRole) or ""))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        assert isinstance(editor, FieldPicker)
        path = editor.path()
        if path != (index.data(Qt.ItemDataRole.EditRole) or ""):
            model.setData(index, path, Qt.ItemDataRole.EditRole)


def _map_text(rule: ValueMap | None) -> str:
    if rule is None:
        return ""
    return "\n".join(f"{k} = {'' if v is None else v}" for k, v in rule.values.items())


class TransformDialog(QDialog):
    """How one column's values are read: trimming, dates, decimal comma, a value map, a default, a lookup."""

    def __init__(self, header: str, f: Field, fm: FieldMapping, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transformDialog")
        self.setWindowTitle(f"Transforms for {f.label}")
        self._fm = fm
        self._field = f
        rules = {t.op: t for t in fm.transforms}
        form = QFormLayout(self)
        form.addRow(QLabel(f'Column "{header}" feeds <b>{f.label}</b> ({f.path}).'))
        self.trim = QCheckBox("&Trim spaces")
        self.trim.setChecked("trim" in rules)
        form.addRow(self.trim)

        self.date_order = QComboBox()
        self.date_order.addItems(["year-first", "day-first", "month-first"])
        self.date_formats = QLineEdit()
        self.date_formats.setPlaceholderText("e.g. %d.%m.%Y, %d %b %Y")
        date = rules.get("date")
        if isinstance(date, DateFormat):
            self.date_order.setCurrentText(date.order)
            self.date_formats.setText(", ".join(date.formats))
        if f.type == "date":
            form.addRow("&Date order:", self.date_order)
            form.addRow("Date &formats:", self.date_formats)

        self.decimal_comma = QCheckBox("Decimal &comma (1.234,56)")
        number = rules.get("number")
        self.decimal_comma.setChecked(isinstance(number, NumberFormat) and number.decimal == ",")
        if f.type in ("number", "integer", "discount") or (fm.lookup and fm.lookup.by == "rate"):
            form.addRow(self.decimal_comma)

        value_map = rules.get("map")
        self.values = QPlainTextEdit(_map_text(value_map if isinstance(value_map, ValueMap) else None))
        self.values.setPlaceholderText("One a line: value in the sheet = value for Zoho")
        self.values.setMaximumHeight(100)
        form.addRow("&Value map:", self.values)
        self.strict = QCheckBox("Other values are &errors")
        self.strict.setChecked(isinstance(value_map, ValueMap) and value_map.strict)
        form.addRow(self.strict)

        default = rules.get("default")
        self.default = QLineEdit("" if not isinstance(default, Default) or default.value is None
                                 else str(default.value))
        self.default.setPlaceholderText("used where the cell is empty")
        form.addRow("Default &value:", self.default)

        self.lookup_by = QComboBox()
        if f.lookup:
            self.lookup_by.addItems(list(LOOKUP_BY.get(f.lookup, ("name",))))
            if fm.lookup is not None:
                self.lookup_by.setCurrentText(fm.lookup.by)
            form.addRow(f"&Find the {f.lookup} by:", self.lookup_by)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)  # Esc cancels too
        form.addRow(buttons)

    def rules(self) -> tuple[list[Transform], LookupRule | None]:
        """The transforms and lookup as chosen; transforms this dialog does not show are kept."""
        f = self._field
        shown_ops = {"trim", "date", "number", "map", "default"}
        out: list[Transform] = []
        if self.trim.isChecked():
            out.append(Trim())
        if f.type == "date":
            formats = [s.strip() for s in self.date_formats.text().split(",") if s.strip()]
            out.append(DateFormat(order=self.date_order.currentText(), formats=formats))  # type: ignore[arg-type]
        old_number = next((t for t in self._fm.transforms if t.op == "number"), None)
        if self.decimal_comma.isChecked() or old_number is not None:
            percent = isinstance(old_number, NumberFormat) and old_number.percent
            out.append(NumberFormat(decimal="," if self.decimal_comma.isChecked() else ".", percent=percent))
        pairs: dict[str, str | None] = {}
        for line in self.values.toPlainText().splitlines():
            if "=" in line:
                key, _, value = line.partition("=")
                if key.strip():
                    pairs[key.strip()] = value.strip() or None
        if pairs:
            out.append(ValueMap(values=pairs, strict=self.strict.isChecked()))
        out.extend(t for t in self._fm.transforms if t.op not in shown_ops)
        if self.default.text().strip():
            out.append(Default(value=self.default.text().strip()))
        lookup = self._fm.lookup
        if f.lookup:
            lookup = LookupRule(kind=f.lookup, by=self.lookup_by.currentText())  # type: ignore[arg-type]
        return out, lookup


class ConstantDialog(QDialog):
    """A field that gets the same value on every record, e.g. Currency = EUR."""

    def __init__(self, fields: list[Field], operation: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("constantDialog")
        self.setWindowTitle("A fixed value for every record")
        form = QFormLayout(self)
        self.picker = FieldPicker(fields, operation)
        self.value = QLineEdit()
        self.value.setPlaceholderText("e.g. EUR, or a customer's name")
        field_label = QLabel("&Field:")
        field_label.setBuddy(self.picker)
        value_label = QLabel("&Value:")
        value_label.setBuddy(self.value)
        form.addRow(field_label, self.picker)
        form.addRow(value_label, self.value)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
