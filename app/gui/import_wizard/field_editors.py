"""Editors of the mapping step: the searchable field picker, the dialog for one field's transforms with its preview."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.entities import LOOKUP_BY, Entity, Field
from app.gui.import_wizard.mapping_model import NOT_IMPORTED, MappingModel, field_text
from app.gui.table_model import Index
from app.mapping import FieldMapping, LookupRule
from app.mapping.preview import PreviewRow, preview
from app.mapping.schema import (
    BooleanWords,
    Case,
    DateFormat,
    Default,
    NumberFormat,
    Scalar,
    Split,
    Transform,
    Trim,
    ValueMap,
)

PATH_ROLE = Qt.ItemDataRole.UserRole
PROBLEM_COLOUR = QColor(0xB3, 0x26, 0x1E)


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


def _words(text: str) -> list[str]:
    return [w.strip() for w in text.split(",") if w.strip()]


CASES = (("as in the sheet", None), ("UPPER CASE", "upper"), ("lower case", "lower"), ("Title Case", "title"))
PARTS = (("the whole value", None), ("the first part", 0), ("the second part", 1), ("the third part", 2),
         ("the last part", -1), ("the second-to-last part", -2))
class TransformDialog(QDialog):
    """How one column's values are read: trimming, splitting, case, dates, numbers, yes/no words, a value map,
    a default, a lookup; a preview shows the column's first values as Zoho will get them."""

    def __init__(self, header: str, f: Field, fm: FieldMapping, parent: QWidget | None = None, *,
                 samples: Sequence[Any] = (), entity: Entity | None = None, date1904: bool = False,
                 date_order: str | None = None, decimal: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transformDialog")
        self.setWindowTitle(f"Transforms for {f.label}")
        self.setMinimumWidth(500)
        self._fm = fm
        self._field = f
        self._entity = entity
        self._samples = list(samples)
        self._date1904 = date1904
        self._date_order, self._decimal = date_order, decimal
        rules = {t.op: t for t in fm.transforms}
        form = QFormLayout(self)
        form.addRow(QLabel(f'Column "{header}" feeds <b>{f.label}</b> ({f.path}).'))
        self.shown_ops: set[str] = {"trim", "split", "map", "default"}

        self.trim = QCheckBox("&Trim spaces")
        self.trim.setToolTip("Remove spaces at the start and end, and turn runs of spaces inside into one.")
        self.trim.setChecked("trim" in rules)
        form.addRow(self.trim)

        self.split_part = QComboBox()
        self.split_part.setObjectName("splitPart")
        for text, at in PARTS:
            self.split_part.addItem(text, at)
        self.split_separator = QLineEdit(",")
        self.split_separator.setObjectName("splitSeparator")
        self.split_separator.setPlaceholderText("e.g. , or - or a space")
        split = rules.get("split")
        if isinstance(split, Split):
            at = self.split_part.findData(split.index)
            if at < 0:
                self.split_part.addItem(f"part {split.index + 1}" if split.index >= 0
                                        else f"part {-split.index} from the end", split.index)
                at = self.split_part.count() - 1
            self.split_part.setCurrentIndex(at)
            self.split_separator.setText(split.separator)
        self.split_part.setToolTip('Cut each value where the separator is and keep one part: "Smith, John" '
                                   'cut at "," gives "Smith" as the first part and "John" as the last.')
        self.split_separator.setToolTip("The character(s) the value is cut at; spaces count.")
        form.addRow("&Keep:", self.split_part)
        form.addRow("Cut &at:", self.split_separator)

        self.case = QComboBox()
        self.case.setObjectName("letterCase")
        for text, to in CASES:
            self.case.addItem(text, to)
        self.case.setToolTip("Change the letters to capitals, small letters, or a capital at the start of "
                             "each word.")
        case = rules.get("case")
        if isinstance(case, Case):
            self.case.setCurrentIndex(self.case.findData(case.to))
        if (f.type in ("string", "email") and not f.allowed) or (fm.lookup is not None and fm.lookup.by != "rate"):
            form.addRow("Letter ca&se:", self.case)
            self.shown_ops.add("case")

        self.date_order = QComboBox()
        self.date_order.addItems(["year-first", "day-first", "month-first"])
        self.date_order.setToolTip("How dates like 03/04/2026 are read: day-first is 3 April, month-first "
                                   "is March 4.")
        self.date_formats = QLineEdit()
        self.date_formats.setPlaceholderText("e.g. %d.%m.%Y, %d %b %Y")
        self.date_formats.setToolTip("Exact date layouts to try first, separated by commas "
                                     "(%d day, %m month, %Y year, %b month name).")
        date = rules.get("date")
        if isinstance(date, DateFormat):
            self.date_order.setCurrentText(date.order)
            self.date_formats.setText(", ".join(date.formats))
        if f.type == "date":
            form.addRow("&Date order:", self.date_order)
            form.addRow("Date fo&rmats:", self.date_formats)
            self.shown_ops.add("date")

        number = rules.get("number")
        self.decimal_mark = QComboBox()
        for text, mark in (("as the column's values show", None), ("decimal point (1,234.56)", "."),
                           ("decimal comma (1.234,56)", ",")):
            self.decimal_mark.addItem(text, mark)
        self.decimal_mark.setToolTip("How the sheet writes numbers: a decimal point with commas between "
                                     "thousands, or the European way, a comma before the decimals. A value that "
                                     "reads differently the other way is shown as an error.")
        if isinstance(number, NumberFormat):
            self.decimal_mark.setCurrentIndex(self.decimal_mark.findData(number.decimal))
        self.percent = QCheckBox("Numbers are &percentages (12.5 means 12.5%)")
        self.percent.setToolTip('Send every number as a percentage discount: "20" becomes 20%, '
                                "not an amount of 20.")
        self.percent.setChecked(isinstance(number, NumberFormat) and number.percent)
        self._number_shown = f.type in ("number", "integer", "discount") or bool(fm.lookup and fm.lookup.by == "rate")
        if self._number_shown:
            form.addRow("Deci&mal mark:", self.decimal_mark)
        if f.type == "discount":
            form.addRow(self.percent)

        words = rules.get("boolean")
        words = words if isinstance(words, BooleanWords) else BooleanWords()
        self.true_words = QLineEdit(", ".join(words.true))
        self.true_words.setObjectName("trueWords")
        self.false_words = QLineEdit(", ".join(words.false))
        self.false_words.setObjectName("falseWords")
        for edit, meaning in ((self.true_words, "yes"), (self.false_words, "no")):
            edit.setPlaceholderText(", ".join(getattr(BooleanWords(), "true" if meaning == "yes" else "false")))
            edit.setToolTip(f'Words in the sheet that mean {meaning}, separated by commas (capitals do not '
                            f'matter); left empty, the usual ones are used.')
        if f.type == "boolean":
            form.addRow("&Yes words:", self.true_words)
            form.addRow("&No words:", self.false_words)
            self.shown_ops.add("boolean")

        value_map = rules.get("map")
        self._ignore_case = not isinstance(value_map, ValueMap) or value_map.ignore_case
        self.values = QPlainTextEdit(_map_text(value_map if isinstance(value_map, ValueMap) else None))
        self.values.setPlaceholderText("One a line: value in the sheet = value for Zoho")
        self.values.setToolTip('Replace whole values, one a line, e.g. "Cash = cash"; nothing after "=" '
                               "empties the value.")
        self.values.setMaximumHeight(100)
        form.addRow("&Value map:", self.values)
        self.strict = QCheckBox("Other values are &errors")
        self.strict.setToolTip("A value the map does not list is an error instead of being sent as it is.")
        self.strict.setChecked(isinstance(value_map, ValueMap) and value_map.strict)
        form.addRow(self.strict)

        default = rules.get("default")
        self.default = QLineEdit("" if not isinstance(default, Default) or default.value is None
                                 else str(default.value))
        self.default.setPlaceholderText("used where the cell is empty")
        self.default.setToolTip("What to send where the cell is empty.")
        form.addRow("Default va&lue:", self.default)

        self.lookup_by = QComboBox()
        if f.lookup:
            self.lookup_by.addItems(list(LOOKUP_BY.get(f.lookup, ("name",))))
            if fm.lookup is not None:
                self.lookup_by.setCurrentText(fm.lookup.by)
            self.lookup_by.setToolTip(f"What the cell holds, so the importer can find the {f.lookup}'s ID.")
            form.addRow(f"&Find the {f.lookup} by:", self.lookup_by)

        self.preview = QTableWidget(0, 2)
        self.preview.setObjectName("transformPreview")
        self.preview.setHorizontalHeaderLabels(["In the sheet", "Sent to Zoho"])
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().setVisible(False)
        self.preview.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.preview.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.preview.setToolTip("The column's first values as they will reach Zoho with these transforms.")
        self.preview.setMaximumHeight(170)
        preview_label = QLabel("Previe&w:")
        preview_label.setBuddy(self.preview)
        form.addRow(preview_label, self.preview)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)  # Esc cancels too
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        form.addRow(buttons)

        for combo in (self.split_part, self.case, self.date_order, self.decimal_mark, self.lookup_by):
            combo.currentIndexChanged.connect(self.update_preview)
        for edit in (self.split_separator, self.date_formats, self.true_words, self.false_words, self.default):
            edit.textChanged.connect(self.update_preview)
        for box in (self.trim, self.percent, self.strict):
            box.toggled.connect(self.update_preview)
        self.values.textChanged.connect(self.update_preview)
        self.split_part.currentIndexChanged.connect(self._split_chosen)
        self._split_chosen()
        self.update_preview()

    def _split_chosen(self) -> None:
        self.split_separator.setEnabled(self.split_part.currentData() is not None)

    def rules(self) -> tuple[list[Transform], LookupRule | None]:
        """The transforms and lookup as chosen; transforms this dialog does not show for the field are kept."""
        f = self._field
        kept = {t.op: t for t in self._fm.transforms if t.op not in self.shown_ops}
        out: list[Transform] = []
        if self.trim.isChecked():
            out.append(Trim())
        at = self.split_part.currentData()
        if at is not None and self.split_separator.text():
            out.append(Split(separator=self.split_separator.text(), index=int(at)))
        if "case" in self.shown_ops:
            if self.case.currentData() is not None:
                out.append(Case(to=self.case.currentData()))
        elif "case" in kept:
            out.append(kept["case"])
        if f.type == "date":
            formats = _words(self.date_formats.text())
            order = self.date_order.currentText()
            old_date = next((t for t in self._fm.transforms if isinstance(t, DateFormat)), None)
            if order != "year-first" or formats:  # an assumed order stays assumed until it is changed
                assumed = bool(old_date and old_date.assumed and old_date.order == order)
                out.append(DateFormat(order=order, formats=formats, assumed=assumed))  # type: ignore[arg-type]  # pydantic checks it against its literals
        elif "date" in kept:
            out.append(kept["date"])
        old_number = next((t for t in self._fm.transforms if t.op == "number"), None)
        if self._number_shown:
            percent = self.percent.isChecked() if f.type == "discount" else (
                isinstance(old_number, NumberFormat) and old_number.percent)
            mark = self.decimal_mark.currentData()
            if mark is not None or percent:
                out.append(NumberFormat(decimal=mark, percent=percent))
        elif isinstance(old_number, NumberFormat):
            out.append(old_number)
        if f.type == "boolean":
            words = BooleanWords(true=_words(self.true_words.text()) or BooleanWords().true,
                                 false=_words(self.false_words.text()) or BooleanWords().false)
            if words != BooleanWords():
                out.append(words)
        elif "boolean" in kept:
            out.append(kept["boolean"])
        pairs: dict[str, Scalar] = {}
        for line in self.values.toPlainText().splitlines():
            if "=" in line:
                key, _, value = line.partition("=")
                if key.strip():
                    pairs[key.strip()] = value.strip() or None
        if pairs:
            out.append(ValueMap(values=pairs, strict=self.strict.isChecked(), ignore_case=self._ignore_case))
        if self.default.text().strip():
            out.append(Default(value=self.default.text().strip()))
        lookup = self._fm.lookup
        if f.lookup:
            lookup = LookupRule(kind=f.lookup, by=self.lookup_by.currentText())  # type: ignore[arg-type]  # pydantic checks it against its literals
        return out, lookup

    def preview_rows(self) -> list[PreviewRow]:
        """The samples as the engine converts them with the rules as they stand in the dialog."""
        transforms, lookup = self.rules()
        fm = self._fm.model_copy(update={"transforms": transforms, "lookup": lookup})
        return preview(fm, self._field, self._entity, self._samples, self._date1904,
                       date_order=self._date_order, decimal=self._decimal)

    def update_preview(self) -> None:
        cut_nowhere = self.split_part.currentData() is not None and not self.split_separator.text()
        self.ok_button.setEnabled(not cut_nowhere)
        self.ok_button.setToolTip("Type the character(s) to cut at, or keep the whole value." if cut_nowhere else "")
        rows = self.preview_rows()
        self.preview.setRowCount(max(len(rows), 1))
        if not rows:
            self.preview.setItem(0, 0, QTableWidgetItem("(no values in this column)"))
            self.preview.setItem(0, 1, QTableWidgetItem(""))
            return
        looked_up = f" (the {self._field.lookup} is found by this)" if self._field.lookup else ""
        for r, row in enumerate(rows):
            self.preview.setItem(r, 0, QTableWidgetItem(row.sheet))
            if row.problem is not None:
                item = QTableWidgetItem(f"\u2717 {row.problem}")
                item.setForeground(QBrush(PROBLEM_COLOUR))
                said = f'"{row.sheet}" is {row.problem}' if row.sent is None else row.problem
                item.setToolTip(f"{said}: this record would not be sent.")
            elif row.sent is None:
                item = QTableWidgetItem("(empty: not sent)")
            else:
                item = QTableWidgetItem(row.sent)
                item.setToolTip(f"Sent to Zoho as {row.sent}{looked_up}.")
            self.preview.setItem(r, 1, item)


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
