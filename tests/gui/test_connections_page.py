"""The Connections page: browser sign-in against a live sandbox, organization picked, test, default, remove."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.gui.context import SANDBOX_NAME
from app.gui.pages.add_connection import LOCAL_SERVER, AddConnectionDialog


def follow_consent(sandbox_url: str, visits: list[str]) -> Any:
    """A browser stand-in: the sandbox's consent page redirects to the app's loopback listener; follow it."""

    async def open_browser(url: str) -> None:
        visits.append(url)
        assert url.startswith(sandbox_url + "/oauth/v2/auth?")
        async with httpx.AsyncClient() as browser:
            consent = await browser.get(url)
            assert consent.status_code == 302
            answer = await browser.get(consent.headers["location"])
            assert answer.status_code == 200

    return open_browser


def fill(dialog: AddConnectionDialog, url: str, secret: str = "sandbox-secret") -> None:
    dialog.name.setText("Test org")
    dialog.data_centre.setCurrentIndex(dialog.data_centre.findData(LOCAL_SERVER))
    dialog.base_url.setText(url)
    dialog.client_id.setText("sandbox-client")
    dialog.client_secret.setText(secret)


@pytest.fixture
def page(window: Any) -> Any:
    window.show_page("Connections")
    return window.pages["Connections"]


def test_browser_sign_in_pick_organization_test_and_remove(page: Any, context: Any, run: Any, live_sandbox: Any,
                                                          keyring_backend: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(AddConnectionDialog, "redirect_port", 0)  # any free loopback port
    visits: list[str] = []
    context.url_opener = follow_consent(live_sandbox.url, visits)
    assert [page.model.name_at(r) for r in range(page.model.rowCount())] == [SANDBOX_NAME]

    dialog = page.add_connection()
    fill(dialog, live_sandbox.url)
    assert run(dialog.sign_in_with_browser()) is True
    assert len(visits) == 1
    organizations = [dialog.organization.itemData(i) for i in range(dialog.organization.count())]
    assert "10234695" in organizations
    dialog.organization.setCurrentIndex(organizations.index("10234695"))
    dialog.buttons.accepted.emit()

    assert [page.model.name_at(r) for r in range(page.model.rowCount())] == [SANDBOX_NAME, "Test org"]
    saved = context.store.get("Test org")
    assert (saved.base_url, saved.organization_id, saved.client_id) == (live_sandbox.url, "10234695",
                                                                        "sandbox-client")
    secret, refresh = context.store.secrets("Test org")
    assert secret == "sandbox-secret" and refresh
    context.preferences.sync()
    files = [p for p in context.store.path.parent.rglob("*") if p.is_file() and p.suffix in (".json", ".ini")]
    assert context.store.path in files
    assert not [p for p in files if "sandbox-secret" in p.read_text(errors="replace")]

    assert page.selected_name() == "Test org"
    result = run(page.test_selected())
    assert result.startswith("“Test org” works: organization")
    page.use_selected()
    assert context.current_connection_name() == "Test org"
    assert context.target().identity == f"{live_sandbox.url} 10234695"

    page.remove_selected(confirm=False)
    assert [page.model.name_at(r) for r in range(page.model.rowCount())] == [SANDBOX_NAME]
    assert context.store.list() == []
    assert keyring_backend.passwords == {}
    assert context.current_connection_name() == SANDBOX_NAME


def test_a_wrong_secret_ends_in_a_plain_message(page: Any, context: Any, run: Any, live_sandbox: Any,
                                                error_dialogs: Any) -> None:
    dialog = page.add_connection()
    fill(dialog, live_sandbox.url, secret="not-the-secret")
    dialog.grant_code.setText("1000.not-a-code")
    assert run(dialog.sign_in_with_code()) is False
    shown = error_dialogs()
    assert len(shown) == 1
    assert "Traceback" not in shown[0].message and shown[0].message
    assert dialog.state.text() == shown[0].message
    assert context.store.list() == []
    shown[0].close()


def test_no_keyring_says_so_before_anything_is_asked(page: Any, context: Any, run: Any, error_dialogs: Any,
                                                     monkeypatch: Any) -> None:
    from app.zoho.connections import NO_KEYRING_MESSAGE

    monkeypatch.setattr(context.store, "keyring_works", lambda: False)
    dialog = page.add_connection()
    fill(dialog, "http://127.0.0.1:9")
    assert run(dialog.sign_in_with_browser()) is False
    assert [d.message for d in error_dialogs()] == [NO_KEYRING_MESSAGE]


def test_the_sandbox_connection_tests_itself(page: Any, run: Any) -> None:
    page.select(SANDBOX_NAME)
    assert run(page.test_selected()).startswith(f"“{SANDBOX_NAME}” works")
    assert not page.remove_button.isEnabled()
