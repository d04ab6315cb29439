"""The Add connection dialog: data centre, client, sign-in (browser or Self Client grant code), organization."""

from __future__ import annotations

from collections.abc import Awaitable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.context import AppContext
from app.gui.errors import plain_message
from app.gui.page import hint, primary
from app.zoho import TokenSource
from app.zoho.connections import NO_KEYRING_MESSAGE, Connection, keep_sign_in, user_organizations
from app.zoho.datacentres import DATA_CENTRES
from app.zoho.scopes import scopes_for
from app.zoho.signin import REDIRECT_PORT, sign_in_with_browser

LOCAL_SERVER = "local"  # the data-centre combo's last entry: a sandbox's base URL on this computer


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
