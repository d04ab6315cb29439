"""The Connections page: the built-in sandbox and the saved Zoho connections; add (browser or grant code), test, remove."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app.gui.context import SANDBOX_NAME, AppContext
from app.gui.errors import plain_message
from app.gui.page import Page, ScreenshotState, card, hint, list_table, primary
from app.gui.pages.add_connection import AddConnectionDialog
from app.gui.table_model import Index, TitledColumnsModel
from app.zoho.connections import membership
from app.zoho.datacentres import DATA_CENTRES


class ConnectionsModel(TitledColumnsModel):
    """Rows: the built-in sandbox, then each saved connection (no secret is ever read here)."""

    HEADERS = ("Name", "Where", "Organization", "Status")

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.rows: list[tuple[str, str, str, str]] = []
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        rows = [(SANDBOX_NAME, "Built in, on this computer", "Demo organization", "Always available")]
        store = self.context.store
        try:
            default = store.default_name()
            saved = store.list()
        except Exception as error:  # noqa: BLE001 - an unreadable file: say so in the table
            saved, default = [], None
            rows.append(("(connections file)", plain_message(error), "", "Cannot be read"))
        for c in saved:
            where = DATA_CENTRES[c.data_centre].name if c.data_centre else (c.base_url or "")
            rows.append((c.name, f"Zoho {where}" if c.data_centre else where, c.organization_id,
                         "Default" if c.name == default else ""))
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's API
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = row[index.column()]
            if index.column() == 3 and row[0] == self.context.current_connection_name():
                text = "In use" + (f" · {text}" if text else "")
            return text
        if role == Qt.ItemDataRole.FontRole and row[0] == self.context.current_connection_name():
            font = QFont()
            font.setBold(True)
            return font
        return None

    def name_at(self, row: int) -> str:
        return self.rows[row][0]


class ConnectionsPage(Page):
    """Lists connections; forwards add, test, use, make default and remove to the client's store."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Connections", "Where your records go: the built-in sandbox to try things safely, "
                         "or your Zoho organizations.", parent)
        self.context = context
        self.model = ConnectionsModel(context)
        self.table = list_table(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(220)
        self.table.doubleClicked.connect(lambda _i: self.use_selected())

        self.add_button = primary("&Add Zoho connection…")
        self.use_button = QPushButton("&Use for jobs")
        self.test_button = QPushButton("&Test")
        self.default_button = QPushButton("Make &default")
        self.remove_button = QPushButton("&Remove")
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setObjectName("hint")

        box, layout = card("Your connections")
        layout.addWidget(self.table)
        row = QHBoxLayout()
        for button in (self.add_button, self.use_button, self.test_button, self.default_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.remove_button)
        layout.addLayout(row)
        layout.addWidget(self.result)
        self.body.addWidget(box)
        about, about_layout = card("About the sandbox")
        about_layout.addWidget(hint(
            "Sandbox (offline) is a Zoho Books and CRM stand-in that runs inside this app, with Zoho's own limits "
            "(100 calls a minute, 10 at once). Try an import with the samples, see the report, then switch to "
            "your organization: nothing you do in the sandbox reaches Zoho."))
        self.body.addWidget(about)
        self.body.addStretch(1)

        self.add_button.clicked.connect(self.add_connection)
        self.use_button.clicked.connect(self.use_selected)
        self.test_button.clicked.connect(lambda: self.context.start(self.test_selected(), "Test failed"))
        self.default_button.clicked.connect(self.make_default)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        context.target_changed.connect(self.model.refresh)
        context.connections_changed.connect(self.model.refresh)
        self._kept: str | None = None
        self.model.modelAboutToBeReset.connect(self._keep_selection)
        self.model.modelReset.connect(self._restore_selection)
        self.select(context.current_connection_name())

    def _keep_selection(self) -> None:
        self._kept = self.selected_name()

    def _restore_selection(self) -> None:
        if self._kept:
            self.select(self._kept)
        self._enable()

    def select(self, name: str) -> None:
        for row in range(self.model.rowCount()):
            if self.model.name_at(row) == name:
                self.table.selectRow(row)
                return

    def selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.name_at(rows[0].row()) if rows else None

    def _enable(self) -> None:
        name = self.selected_name()
        saved = name is not None and name != SANDBOX_NAME and not name.startswith("(")
        self.use_button.setEnabled(name is not None and not name.startswith("("))
        self.test_button.setEnabled(name is not None and not name.startswith("("))
        self.default_button.setEnabled(saved)
        self.remove_button.setEnabled(saved)

    def add_connection(self) -> AddConnectionDialog:
        """Open the add dialog (window-modal, the loop keeps running); the table refreshes when it is saved."""
        dialog = AddConnectionDialog(self.context, self)
        dialog.accepted.connect(lambda: self._added(dialog))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _added(self, dialog: AddConnectionDialog) -> None:
        name = dialog.name.text().strip() or "Zoho"
        self.context.forget_connection(name)  # a replaced profile must not keep its old target
        self.model.refresh()
        self.select(name)
        self.result.setText(f"Saved “{name}”. Its secret and refresh token are in the system keyring.")

    def use_selected(self) -> None:
        name = self.selected_name()
        if name and not name.startswith("("):
            self.context.set_connection(name)
            self.result.setText(f"Jobs now run against “{name}”.")

    async def test_selected(self) -> str:
        """Sign in and read the organizations; the outcome is shown under the table and returned."""
        name = self.selected_name()
        if not name:
            return ""
        self.result.setText(f"Testing “{name}”…")
        self.test_button.setEnabled(False)
        try:
            client = self.context.target_for(name).books()
            async with client:
                self.context.client_active.emit(client)
                found = await membership(client)
            quota = client.counters.quota_remaining
            if found.name is not None:
                text = (f"“{name}” works: organization {found.name} ({client.organization_id})"
                        + (f", {quota:,} calls left today." if quota is not None else "."))
            else:
                text = (f"Signed in, but organization {client.organization_id} is not among this user's "
                        "organizations; remove the connection and add it again.")
        except Exception as error:  # noqa: BLE001 - the client's errors are plain sentences
            text = f"“{name}” does not work: {plain_message(error)}"
            self.context.show_error("Connection test failed", text)
        finally:
            self.test_button.setEnabled(True)
        self.result.setText(text)
        return text

    def _saved_selected(self) -> str | None:
        """The selected saved connection (None for the sandbox or nothing selected)."""
        name = self.selected_name()
        return name if name and name != SANDBOX_NAME else None

    def _forward(self, failed: str, change: Callable[[], object]) -> bool:
        """Run one change of the store; what refused it is shown in a dialog titled `failed`."""
        try:
            change()
        except Exception as error:  # noqa: BLE001 - the store's errors are plain sentences
            self.context.show_error(failed, plain_message(error))
            return False
        return True

    def make_default(self) -> None:
        name = self._saved_selected()
        if not name or not self._forward("Cannot make it the default", lambda: self.context.store.set_default(name)):
            return
        self.context.preferences.set_text("connection/default", name)
        self.context.connections_changed.emit()
        self.result.setText(f"“{name}” is the default (the command line uses it too).")

    def remove_selected(self, confirm: bool = True) -> None:
        name = self._saved_selected()
        if not name:
            return
        if confirm and QMessageBox.question(
            self, "Remove connection",
            f"Remove “{name}”? Its secret and refresh token are deleted from the keyring.",
        ) != QMessageBox.StandardButton.Yes:
            return
        if not self._forward("Cannot remove the connection", lambda: self.context.store.remove(name)):
            return
        self.context.forget_connection(name)
        self.model.refresh()
        self.select(self.context.current_connection_name())
        self.result.setText(f"Removed “{name}”.")

    def screenshot_states(self) -> Iterator[ScreenshotState]:
        dialogs: list[AddConnectionDialog] = []

        def add() -> None:
            dialog = AddConnectionDialog(self.context, self)
            dialog.name.setText("Acme Books")
            dialog.client_id.setText("1000.8S5YQJ2KXN3G0W7")
            dialog.client_secret.setText("••••••••••")
            dialog.show()
            dialogs.append(dialog)

        yield "add-connection", add
        for dialog in dialogs:
            with contextlib.suppress(RuntimeError):
                dialog.close()
