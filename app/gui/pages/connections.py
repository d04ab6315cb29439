"""The Connections page: the built-in sandbox and the saved Zoho connections; add (browser or grant code), test, remove."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.context import SANDBOX_NAME, AppContext
from app.gui.errors import plain_message
from app.gui.page import Page, ScreenshotState, card, hint, list_table, primary
from app.gui.table_model import Index, TitledColumnsModel
from app.zoho import TokenSource
from app.zoho.connections import (
    NO_KEYRING_MESSAGE,
    Connection,
    keep_sign_in,
    membership,
    user_organizations,
)
from app.zoho.datacentres import DATA_CENTRES
from app.zoho.scopes import scopes_for
from app.zoho.signin import REDIRECT_PORT, sign_in_with_browser

LOCAL_SERVER = "local"  # the data-centre combo's last entry: a sandbox's base URL on this computer


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


class AddConnectionDialog(QDialog):
    """Data centre, client ID and secret; sign in (browser or Self Client grant code); pick the organization; save."""

    redirect_port: int | None = None  # the loopback port of the browser sign-in (None: the client's default)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Add a Zoho connection")
        self.setMinimumWidth(520)
        self.tokens: TokenSource | None = None
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Acme Books")
        self.data_centre = QComboBox()
        for code, dc in DATA_CENTRES.items():
            self.data_centre.addItem(f"{dc.name} ({dc.accounts_host})", code)
        self.data_centre.addItem("A test server on this computer (base URL)", LOCAL_SERVER)
        self.base_url = QLineEdit()
        self.base_url.setPlaceholderText("http://127.0.0.1:8777")
        self.client_id = QLineEdit()
        self.client_id.setPlaceholderText("1000.XXXXXXXX (api-console.zoho.com)")
        self.client_secret = QLineEdit()
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.grant_code = QLineEdit()
        self.grant_code.setPlaceholderText("Self Client grant code (1000.xxx…)")
        self.crm = QCheckBox("Also convert Zoho &CRM quotes and sales orders (asks for the CRM scopes too)")
        self.browser_button = primary("Sign in with &browser")
        self.code_button = QPushButton("Use &grant code")
        self.organization = QComboBox()
        self.organization.setEnabled(False)
        self.state = QLabel("Fill in the client, then sign in.")
        self.state.setObjectName("hint")
        self.state.setWordWrap(True)

        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("&Data centre", self.data_centre)
        self.base_url_label = QLabel("Base &URL")
        self.base_url_label.setBuddy(self.base_url)
        form.addRow(self.base_url_label, self.base_url)
        form.addRow("Client &ID", self.client_id)
        form.addRow("Client &secret", self.client_secret)
        form.addRow("", self.crm)
        sign_in = QHBoxLayout()
        sign_in.addWidget(self.browser_button)
        sign_in.addWidget(QLabel("or"))
        sign_in.addWidget(self.grant_code, 1)
        sign_in.addWidget(self.code_button)
        form.addRow("Sign in", sign_in)
        form.addRow("&Organization", self.organization)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint("Create a client at api-console.zoho.com (Server-based Applications with redirect "
                              f"URI http://127.0.0.1:{REDIRECT_PORT}/callback, or a Self Client). The secret and the refresh "
                              "token go to the system keyring, never to a file."))
        layout.addLayout(form)
        layout.addWidget(self.state)
        layout.addWidget(self.buttons)
        self.data_centre.currentIndexChanged.connect(self._place_changed)
        self.browser_button.clicked.connect(lambda: self.context.start(self.sign_in_with_browser(), "Sign-in failed"))
        self.code_button.clicked.connect(lambda: self.context.start(self.sign_in_with_code(), "Sign-in failed"))
        self._place_changed()

    def _place_changed(self) -> None:
        local = self.data_centre.currentData() == LOCAL_SERVER
        self.base_url.setVisible(local)
        self.base_url_label.setVisible(local)

    def connection(self, organization_id: str = "-") -> Connection:
        """The profile as filled in so far (pydantic checks the URL and the data centre)."""
        local = self.data_centre.currentData() == LOCAL_SERVER
        return Connection(
            name=self.name.text().strip() or "Zoho", organization_id=organization_id,
            client_id=self.client_id.text().strip(),
            data_centre=None if local else self.data_centre.currentData(),
            base_url=self.base_url.text().strip() if local else None,
        )

    def _ready(self) -> Connection | None:
        if not self.context.store.keyring_works():
            self._fail(NO_KEYRING_MESSAGE)
            return None
        if not self.client_id.text().strip() or not self.client_secret.text().strip():
            self._fail("Enter the client ID and the client secret first.")
            return None
        try:
            return self.connection()
        except ValueError as error:
            self._fail(_plain_validation(error))
            return None

    def _fail(self, message: str) -> None:
        self.state.setText(message)
        self.context.show_error("Cannot add the connection", message)

    def _busy(self, busy: bool, text: str = "") -> None:
        for widget in (self.browser_button, self.code_button, self.data_centre, self.client_id, self.client_secret):
            widget.setEnabled(not busy)
        if text:
            self.state.setText(text)

    async def sign_in_with_browser(self) -> bool:
        connection = self._ready()
        if connection is None:
            return False
        return await self._signed_in(connection, "Waiting for the browser… sign in to Zoho and accept; this window "
                                     "continues by itself.", sign_in_with_browser(
            connection.accounts_url, connection.client_id, self.client_secret.text().strip(),
            scopes=scopes_for(crm=self.crm.isChecked()), open_browser=self.context.open_url,
            port=self.redirect_port))

    async def sign_in_with_code(self) -> bool:
        connection = self._ready()
        code = self.grant_code.text().strip()
        if connection is None:
            return False
        if not code:
            self._fail("Paste the Self Client grant code first (api-console.zoho.com > Self Client > Generate Code).")
            return False
        return await self._signed_in(connection, "Exchanging the grant code…", TokenSource.exchange_code(
            connection.token_url, connection.client_id, self.client_secret.text().strip(), code))

    async def _signed_in(self, connection: Connection, waiting: str, signing_in: Awaitable[TokenSource]) -> bool:
        """Wait for the sign-in, then list the user's organizations to pick from."""
        self._busy(True, waiting)
        try:
            self.tokens = await signing_in
        except Exception as error:  # noqa: BLE001 - the client's errors are plain sentences
            self._busy(False)
            self._fail(plain_message(error))
            return False
        self._busy(False)
        self.state.setText("Signed in; reading your organizations…")
        try:
            organizations = await user_organizations(connection, self.tokens)
        except Exception as error:  # noqa: BLE001
            self._fail(f"Signed in, but the organizations could not be read: {plain_message(error)}")
            return False
        self.organization.clear()
        for organization_id, name in organizations.items():
            self.organization.addItem(f"{name} ({organization_id})", organization_id)
        if not organizations:
            self._fail("Signed in, but this user belongs to no Zoho Books organization.")
            return False
        self.organization.setEnabled(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(True)
        self.state.setText(f"Signed in. Pick the organization ({len(organizations)} found) and save.")
        return True

    def save(self) -> None:
        if self.tokens is None or not self.organization.currentData():
            return
        try:
            connection = self.connection(str(self.organization.currentData()))
            keep_sign_in(self.context.store, connection, self.client_secret.text().strip(), self.tokens)
        except Exception as error:  # noqa: BLE001
            self._fail(plain_message(error))
            return
        self.accept()


def _plain_validation(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        return "; ".join(str(e.get("msg", "")).removeprefix("Value error, ") for e in errors())
    return str(error)


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
