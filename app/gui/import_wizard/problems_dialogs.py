"""The bulk fixes' dialogs: replace one value in every cell of a column that holds it, and map a column's
unknown values to known ones (a value map saved into the mapping); each shows how many cells it changes first."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def _cells(n: int) -> str:
    return f"{n:,} {'cell' if n == 1 else 'cells'}"


class ReplaceDialog(QDialog):
    """"Replace "31/02/2026" in 21 cells of Order Date with: [ ]"; Replace stays off until a new value is typed."""

    def __init__(self, column: str, old: str, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("replaceDialog")
        self.setWindowTitle(f"Replace in {column}")
        self.column, self.old, self.count = column, old, count
        shown = old if old else "(empty)"
        self.question = QLabel(f"Replace \u201c{shown}\u201d in {_cells(count)} of column \u201c{column}\u201d with:")
        self.question.setObjectName("replaceCount")
        self.question.setWordWrap(True)
        self.new_value = QLineEdit(old)
        self.new_value.setObjectName("replaceWith")
        self.new_value.selectAll()
        note = QLabel("The cells change in the review only (your file is not changed); they are checked again "
                      "at once.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.replace_button = QPushButton(f"&Replace in {_cells(count)}")
        self.replace_button.setObjectName("replaceApply")
        buttons.addButton(self.replace_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.new_value.textChanged.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        layout.addWidget(self.new_value)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        self._check()

    def _check(self) -> None:
        self.replace_button.setEnabled(self.count > 0 and self.new_value.text().strip() != self.old.strip())

    def value(self) -> str:
        return self.new_value.text().strip()


class ValueMapDialog(QDialog):
    """One row per unknown value of a column with its count and a choice among the known values; what is
    chosen becomes the column's value map in the mapping (the cells stay as they are)."""

    def __init__(self, column: str, unknown: dict[str, int], known: list[str], proposed: dict[str, str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("valueMapDialog")
        self.setWindowTitle(f"Map the values of {column}")
        self.column = column
        intro = QLabel(f"Read these values of column \u201c{column}\u201d as the ones you choose. The map is saved "
                       "into the mapping (Save mapping keeps it for next time); the cells stay as they are. "
                       "Leave a choice empty to keep a value.")
        intro.setWordWrap(True)
        self.table = QTableWidget(len(unknown), 3)
        self.table.setObjectName("valueMap")
        self.table.setHorizontalHeaderLabels(["Value in the sheet", "Cells", "Read it as"])
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.choices: dict[str, QComboBox] = {}
        for row, (value, count) in enumerate(sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0]))):
            self.table.setItem(row, 0, QTableWidgetItem(value))
            self.table.setItem(row, 1, QTableWidgetItem(f"{count:,}"))
            choice = QComboBox()
            choice.setEditable(True)
            choice.addItems(["", *known])
            choice.setCurrentText(proposed.get(value, ""))
            choice.currentTextChanged.connect(self._check)
            self.table.setCellWidget(row, 2, choice)
            self.choices[value] = choice
        self.counts = unknown
        self.summary = QLabel()
        self.summary.setObjectName("valueMapCount")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = QPushButton("&Map")
        self.apply_button.setObjectName("valueMapApply")
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        self.resize(560, 320)
        self._check()

    def values(self) -> dict[str, str]:
        """{value in the sheet: value to read instead} for each choice made."""
        return {value: box.currentText().strip() for value, box in self.choices.items()
                if box.currentText().strip() and box.currentText().strip() != value}

    def _check(self) -> None:
        chosen = self.values()
        cells = sum(self.counts[v] for v in chosen)
        self.summary.setText(f"{len(chosen):,} {'value' if len(chosen) == 1 else 'values'} mapped, "
                             f"read differently in {_cells(cells)}.")
        self.apply_button.setText(f"&Map {len(chosen):,} {'value' if len(chosen) == 1 else 'values'}")
        self.apply_button.setEnabled(bool(chosen))
