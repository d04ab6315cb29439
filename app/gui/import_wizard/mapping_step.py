"""Step 2 of the import wizard: which Zoho field each column feeds, how its values are read, and what is missing."""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.gui.import_wizard.field_editors import ConstantDialog, FieldDelegate, TransformDialog
from app.gui.import_wizard.mapping_model import FIELD, TRANSFORMS, MappingModel, Question
from app.gui.import_wizard.session import Context, Session
from app.gui.page import button, styled
from app.jobs import JobResult, data_dir
from app.jobs.outcomes import Outcome
from app.mapping import Mapping, MappingError, automap, load_mapping, refusals, save_mapping
from app.mapping.prepare import resolve_field
from app.mapping.preview import column_samples
from app.mapping.remembered import MappingMemory, Remembered, proposal
from app.resources import samples_dir
from app.sheets import Table

log = logging.getLogger("app.gui")
MAPPING_FILTER = "Mapping files (*.json);;All files (*)"
USED = (Outcome.CREATED, Outcome.UPDATED, Outcome.UNCHANGED, Outcome.SKIPPED, Outcome.IN_DOUBT)
"""Outcomes that show a mapping worked: the run sent the document or settled it with Zoho."""


def mapping_memory() -> MappingMemory:
    """The mappings and header names remembered from the imports that ran (in the private data folder)."""
    return MappingMemory(data_dir() / "mappings")


def used_successfully(result: JobResult | None) -> bool:
    """Whether a run's mapping is worth remembering: a real run that sent or settled at least one document."""
    return result is not None and not result.dry_run and any(result.counts.get(o.value, 0) for o in USED)


class MappingStep(QWidget):
    """A table of the sheet's columns; the field column edits with a searchable picker."""

    changed = Signal()

    def __init__(self, context: Context, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mappingStep")
        self._context = context
        self._session = session
        self.model: MappingModel | None = None
        self.remembered: Remembered | None = None  # the remembered mapping on show, None: proposed afresh
        self._remembered_for: tuple[Path | None, list[str]] | None = None  # the file and headers it was found for
        self.file_dialog: QFileDialog | None = None  # the Save or Load mapping dialog shown last
        self.view = QTableView()
        self.view.setObjectName("mappingTable")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.doubleClicked.connect(self._double_clicked)

        self.automap_button = button("&Auto-map", "automap", clicked=self.automap,
                                     tip="Propose a field for every column again, from the headers and the values.")
        self.transforms_button = button("&Transforms\u2026", "editTransforms", clicked=self.edit_transforms)
        self.constant_button = button("Fi&xed value\u2026", "addConstant", clicked=self.add_constant,
                                      tip="Give a field the same value on every record (no column needed).")
        self.load_button = QPushButton("&Load mapping\u2026")
        self.load_button.clicked.connect(self._load)
        self.save_button = QPushButton("Sa&ve mapping\u2026")
        self.save_button.clicked.connect(self._save)
        buttons = QHBoxLayout()
        for b in (self.automap_button, self.transforms_button, self.constant_button, self.load_button,
                  self.save_button):
            buttons.addWidget(b)
        buttons.addStretch(1)

        self.remembered_note = QLabel()
        self.remembered_note.setObjectName("rememberedNote")
        self.remembered_note.setWordWrap(True)
        self.set_aside_button = QPushButton("Auto-map &instead")
        self.set_aside_button.setObjectName("setAsideRemembered")
        self.set_aside_button.setToolTip("Set the remembered mapping aside and propose a field for every column "
                                         "from the headers and the values.")
        self.set_aside_button.clicked.connect(self.automap)
        self.remembered_bar = QFrame()
        self.remembered_bar.setObjectName("rememberedBar")
        self.remembered_bar.setFrameShape(QFrame.Shape.StyledPanel)
        bar = QHBoxLayout(self.remembered_bar)
        bar.setContentsMargins(8, 4, 8, 4)
        bar.addWidget(self.remembered_note, 1)
        bar.addWidget(self.set_aside_button)
        self.remembered_bar.setVisible(False)

        self.missing = QLabel()
        self.missing.setObjectName("mappingProblems")
        self.missing.setWordWrap(True)
        self.missing.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.constants = styled("", "constants", wrap=True)
        self.constants.linkActivated.connect(self._remove_constant)
        self.questions = QGroupBox("Questions about the values")
        self.questions.setObjectName("questions")
        self.questions.setToolTip("The values of these columns can be read two ways; your answer is kept in "
                                  "the mapping (and in a saved mapping file).")
        self._questions_layout = QVBoxLayout(self.questions)
        self._question_rows: QWidget | None = None
        self.questions.setVisible(False)
        hint = QLabel("Fields marked * are required. Type in the field column to search the catalogue.")
        hint.setObjectName("hint")
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.remembered_bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.questions)
        layout.addWidget(self.constants)
        layout.addWidget(self.missing)
        layout.addWidget(hint)

    # --- setting up ---

    async def propose(self, table: Table) -> Mapping:
        """The mapping to offer for a sheet just read (worker thread): the one remembered for its headers
        from an import that ran, else auto-mapping with the header names the user taught it."""
        s = self._session
        mapping, self.remembered = await self._context.run_in_background(
            proposal, mapping_memory(), table, s.entity, s.operation)
        self._remembered_for = (s.file, list(table.headers))
        return mapping

    def show_mapping(self, table: Table, mapping: Mapping) -> None:
        if self._remembered_for != (self._session.file, list(table.headers)):
            self.remembered = None  # a fix round's file: its mapping is the round before's, not a remembered one
        self._show_remembered()
        self.model = MappingModel(table, mapping, self)
        self.model.mapping_changed.connect(self._mapping_changed)
        self.view.setModel(self.model)
        self.view.setItemDelegateForColumn(FIELD, FieldDelegate(self.model, self.view))
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((170, 200, 290, 200)):
            self.view.setColumnWidth(col, width)
        self._mapping_changed()

    def _show_remembered(self) -> None:
        kept = self.remembered
        if kept is not None:
            self.remembered_note.setText(f"This mapping is the one {kept.note}, with its answers about the "
                                         "values. Check it, or set it aside.")
        self.remembered_bar.setVisible(kept is not None)

    def _mapping_changed(self) -> None:
        assert self.model is not None
        self._session.mapping = self.model.mapping
        fixed = [f"{f.label} = {fm.constant!s} (<a href=\"{fm.field}\">remove</a>)"
                 for f, fm in self.model.constants()]
        self.constants.setText("Fixed values: " + "; ".join(fixed) if fixed else "")
        self.constants.setVisible(bool(fixed))
        self._ask()
        reasons = self.problems()
        if reasons:
            self.missing.setText("Before you go on:\n\u2022 " + "\n\u2022 ".join(reasons))
            self.missing.setStyleSheet("color: palette(highlighted-text); background: #b3261e; padding: 6px;")
        else:
            self.missing.setText("Every required field is mapped.")
            self.missing.setStyleSheet("")
        self.changed.emit()

    def _ask(self) -> None:
        """One question per ambiguous column (date order, decimal mark), each with a choice to make."""
        assert self.model is not None
        if self._question_rows is not None:  # it may be the answer's own combo box: delete it later
            self._question_rows.hide()
            self._question_rows.deleteLater()
        self._question_rows = rows = QWidget()
        form = QFormLayout(rows)
        form.setContentsMargins(0, 0, 0, 0)
        asked = self.model.questions()
        for question in asked:
            form.addRow(QLabel(question.text), self._choice(question))
        self._questions_layout.addWidget(rows)
        self.questions.setVisible(bool(asked))

    def _choice(self, question: Question) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(f"question-{question.kind}-{question.column}")
        combo.addItem("Choose\u2026", None)
        for text, value in question.choices:
            combo.addItem(text, value)
        model = self.model
        assert model is not None

        def chosen(index: int) -> None:
            value = combo.itemData(index)
            if value is not None:
                model.answer(question.column, question.kind, value)

        combo.activated.connect(chosen)
        return combo

    def question_boxes(self) -> list[QComboBox]:
        """The combo boxes of the questions now asked (for tests and accessibility checks)."""
        rows = self._question_rows
        return rows.findChildren(QComboBox) if rows is not None and self.questions.isVisible() else []

    def problems(self) -> list[str]:
        """Why the mapping cannot be used yet (required fields unmapped ...), from the engine's own check."""
        if self.model is None or self._session.table is None:
            return ["Choose a file first."]
        return refusals(self._session.table, self.model.mapping)

    def can_next(self) -> bool:
        return self.model is not None and not self.problems()

    # --- actions ---

    def automap(self) -> None:
        """Propose the mapping again from the headers and values (a remembered mapping is set aside)."""
        s = self._session
        if self.model is None or s.table is None:
            return
        self.remembered = None
        self._show_remembered()
        self.model.set_mapping(automap(s.table, s.entity, s.operation, mapping_memory().learned(s.entity)))

    def remember_run(self) -> asyncio.Future[None] | None:
        """After a run: keep its mapping for the next sheet with the same headers, and learn the headers mapped
        by hand, when the run sent or settled documents (a shipped sample or a failed-rows file is no sheet
        of the user's to remember; its learned headers come from the user's own file's run)."""
        s = self._session
        if not used_successfully(s.result) or s.mapping is None or s.table is None or s.file is None:
            return None
        from app.gui.preferences import is_own_output

        if is_own_output(s.file) or s.file.resolve().is_relative_to(samples_dir().resolve()):
            return None
        mapping, headers, name = s.mapping, list(s.table.headers), s.file.name

        async def keep() -> None:
            try:
                await self._context.run_in_background(mapping_memory().remember, mapping, headers, name,
                                                      date.today())
            except Exception:  # noqa: BLE001 - the import went through; only the remembering did not
                log.exception("The mapping of %s was not remembered", name)

        return asyncio.ensure_future(keep())

    def constant_dialog(self) -> ConstantDialog | None:
        if self.model is None:
            return None
        return ConstantDialog(self.model.fields(), self.model.mapping.operation, self)

    def add_constant(self) -> None:
        dialog = self.constant_dialog()
        if dialog is None or self.model is None:
            return
        model = self.model
        dialog.accepted.connect(lambda: model.set_constant(dialog.picker.path(), dialog.value.text())
                                if dialog.picker.path() else None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _remove_constant(self, path: str) -> None:
        if self.model is not None:
            self.model.set_constant(path, None)

    def _selected_column(self) -> int | None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        if rows:
            return rows[0].row()
        current = self.view.currentIndex()
        return current.row() if current.isValid() else None

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.column() == TRANSFORMS:
            self.edit_transforms()

    def transform_dialog(self, ci: int) -> TransformDialog | None:
        """The transforms dialog for column `ci` (None when the column feeds no field)."""
        if self.model is None:
            return None
        fm = self.model.field_mapping(ci)
        if fm is None:
            return None
        f = resolve_field(self.model.entity, fm.field)
        if f is None:
            return None
        table = self.model.table
        date_order, decimal = self.model.decided(ci)
        return TransformDialog(table.headers[ci], f, fm, self, samples=column_samples(table, fm),
                               entity=self.model.entity, date1904=bool(getattr(table, "date1904", False)),
                               date_order=date_order, decimal=decimal)

    def edit_transforms(self) -> None:
        ci = self._selected_column()
        if ci is None or self.model is None:
            return
        dialog = self.transform_dialog(ci)
        if dialog is None:
            self._context.show_error("No field chosen", "Choose a Zoho field for this column first.")
            return
        model = self.model

        def apply() -> None:
            transforms, lookup = dialog.rules()
            model.set_rules(ci, transforms, lookup)

        dialog.accepted.connect(apply)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def load(self, path: Path) -> None:
        """Use a saved mapping file (its record type must match the one chosen)."""
        s = self._session
        if self.model is None:
            return
        try:
            mapping = load_mapping(path)
        except MappingError as error:
            self._context.show_error("The mapping cannot be used", str(error))
            return
        if mapping.entity != s.entity:
            self._context.show_error("The mapping cannot be used",
                                     f"The mapping is for {mapping.entity}, not {s.entity}.")
            return
        self.remembered = None
        self._show_remembered()
        self.model.set_mapping(mapping.model_copy(update={"operation": s.operation}))

    def save(self, path: Path) -> Path | None:
        if self.model is None:
            return None
        try:
            return save_mapping(self.model.mapping, path)
        except OSError as error:
            from app.gui.errors import plain_message

            self._context.show_error("The mapping was not saved", plain_message(error))
            return None

    def mapping_folder(self) -> Path:
        """Where Save and Load mapping start: beside the sheet; for a shipped sample or a file of the app's
        own data folder, the folder a mapping was last saved to or loaded from, else the home folder."""
        file = self._session.file
        if file is not None and file.parent.is_dir():
            inside = file.resolve()
            if not any(inside.is_relative_to(own.resolve()) for own in (samples_dir(), data_dir())):
                return file.parent
        return Path(self._context.preferences.text("folders/mappings") or Path.home())

    def _file_dialog(self, title: str, save: bool) -> QFileDialog:
        if self.file_dialog is not None:  # the one shown before: done with
            self.file_dialog.deleteLater()
        self.file_dialog = dialog = QFileDialog(self, title, str(self.mapping_folder()), MAPPING_FILTER)
        dialog.setObjectName("mappingFileDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile if save else QFileDialog.FileMode.ExistingFile)
        return dialog

    def _chosen_file(self, name: str) -> Path:
        self._context.preferences.set_text("folders/mappings", str(Path(name).parent))
        return Path(name)

    def _load(self) -> None:
        dialog = self._file_dialog("Load a mapping", save=False)
        dialog.fileSelected.connect(lambda name: self.load(self._chosen_file(name)))
        dialog.open()

    def _save(self) -> None:
        stem = self._session.file.stem if self._session.file else "mapping"
        dialog = self._file_dialog("Save the mapping", save=True)
        dialog.setDefaultSuffix("json")
        dialog.selectFile(f"{stem}.mapping.json")
        dialog.fileSelected.connect(lambda name: self.save(self._chosen_file(name)))
        dialog.open()
