"""Secrets never leave the keyring: after a user's whole day with `zoho-bulk` (add a connection, test it,
validate, import with faults and token refreshes, export, a wrong refresh token), no file under the user's
folders and no line the commands printed holds the client secret, a refresh token or an access token."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from keyring.backend import KeyringBackend

from app.sandbox import EmbeddedSandbox, SandboxSettings
from tests.commands import ZOHO_BULK, user_environment

pytestmark = pytest.mark.slow  # a day of work through the command in child processes

ROOT = Path(__file__).resolve().parents[1]
KEYRING_FILE_ENV = "ZOHO_BULK_TEST_KEYRING_FILE"
CLIENT_SECRET = "sandbox-secret"
WRONG_REFRESH = "1000.f00dfeedf00dfeedf00dfeed.wrongrefresh"


class FileKeyring(KeyringBackend):
    """The OS keyring's stand-in across processes: a JSON file kept outside the user's folders."""

    priority = 1  # type: ignore[assignment]

    def _path(self) -> Path:
        return Path(os.environ[KEYRING_FILE_ENV])

    def _load(self) -> dict[str, str]:
        path = self._path()
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}|{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}|{username}"] = password
        self._path().write_text(json.dumps(data), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        data.pop(f"{service}|{username}", None)
        self._path().write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture
def sandbox(tmp_path: Path) -> Any:
    settings = SandboxSettings(rate_limit=100_000, concurrency=10, daily_quota=1_000_000,
                               token_uses=6, fail_rate=0.2, seed=11)  # a refresh every 6 calls, under the 10 a client may ask for in ten minutes
    sb = EmbeddedSandbox(settings, db_path=tmp_path / "sandbox.sqlite").start()
    yield sb
    sb.stop()


def test_no_secret_in_any_file_or_output_after_a_day_of_work(sandbox: Any, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **user_environment(home),
        "PYTHON_KEYRING_BACKEND": f"{__name__}.FileKeyring", "PYTHONPATH": str(ROOT),
        KEYRING_FILE_ENV: str(tmp_path / "keyring.json"),
    }
    said: list[str] = []

    def run(*args: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*ZOHO_BULK, *args], cwd=home, env={**env, **(extra or {})},
                              capture_output=True, text=True, timeout=90)
        said.extend([done.stdout, done.stderr])
        return done

    added = run("connections", "add", "books", "--base-url", sandbox.url, "--organization-id", "10234695",
                "--client-id", "sandbox-client", "--grant-code", "sandbox-grant", "--default",
                extra={"ZOHO_BULK_CLIENT_SECRET": CLIENT_SECRET})
    assert added.returncode == 0, added.stdout + added.stderr
    settings = home / "config" / "zoho-bulk" / "connections.json"
    saved = json.loads(settings.read_text(encoding="utf-8"))
    saved["connections"]["books"]["per_minute"] = 100_000  # a short test: Zoho's 100 a minute would pace it
    settings.write_text(json.dumps(saved), encoding="utf-8")
    assert run("connections", "list").returncode == 0
    assert run("connections", "test", "books").returncode == 0, said[-2:]

    file = home / "people.csv"
    with file.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Name", "Email", "Currency"])
        writer.writerows([f"Secret Co {i}", f"s{i}@example.com", "USD"] for i in range(20))
        writer.writerow(["Bad Currency Co", "bad@example.com", "XXX"])  # a row that fails
    assert run("validate", str(file), "--entity", "contacts", "--json").returncode in (0, 1)
    imported = run("import", str(file), "--entity", "contacts", "--json")  # the default connection
    assert imported.returncode in (0, 1, 3), said[-2:]
    assert run("import", str(file), "--entity", "contacts", "--json").returncode in (0, 1)
    exported = run("export", "contacts", "--out", str(home / "contacts.xlsx"), "--json")
    assert exported.returncode == 0, said[-2:]
    refused = run("import", str(file), "--entity", "contacts", "--connection", "books", "--json",
                  extra={"ZOHO_BULK_CLIENT_SECRET": CLIENT_SECRET, "ZOHO_BULK_REFRESH_TOKEN": WRONG_REFRESH})
    assert refused.returncode in (0, 1, 2), said[-2:]  # nothing left to send, or refused

    keyring = json.loads((tmp_path / "keyring.json").read_text(encoding="utf-8"))
    refresh = keyring["zoho-bulk|books:refresh_token"]
    assert keyring["zoho-bulk|books:client_secret"] == CLIENT_SECRET
    with sqlite3.connect(sandbox.db_path) as conn:
        refresh_tokens = {str(r[0]) for r in conn.execute("SELECT token FROM refresh_tokens")}
    access_tokens = set(sandbox.app.state.tokens.tokens)
    assert refresh in refresh_tokens and len(access_tokens) >= 3  # several refreshes happened
    secrets = {CLIENT_SECRET, WRONG_REFRESH, *refresh_tokens, *access_tokens}

    written = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.suffix == ".sqlite" or "journal" in str(p) or "jobs" in str(p) for p in written)
    assert any(p.name.startswith("people.report-") for p in written)
    assert any(p.name == "connections.json" for p in written)
    for path in written:
        blob = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in blob, f"{secret[:12]}... found in {path}"
    output = "\n".join(said)
    for secret in secrets:
        assert secret not in output, f"{secret[:12]}... printed by a command"


def test_no_secret_in_any_log_record_even_at_debug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Every logger at DEBUG into one handler (as a log file would be), through import, export and a refusal."""
    import logging

    from app import cli
    from app.zoho.connections import Connection, ConnectionStore

    settings = SandboxSettings(rate_limit=100_000, concurrency=10, daily_quota=1_000_000,
                               token_uses=3, fail_rate=0.3, drop_rate=0.1, seed=5)
    sb = EmbeddedSandbox(settings, db_path=tmp_path / "sandbox.sqlite").start()
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep(level=logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        config = tmp_path / "config"
        monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
        monkeypatch.setenv("ZOHO_BULK_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("ZOHO_BULK_CLIENT_SECRET", CLIENT_SECRET)
        monkeypatch.setenv("ZOHO_BULK_REFRESH_TOKEN", "sandbox-refresh")
        ConnectionStore(config / "zoho-bulk" / "connections.json").save(Connection(
            name="books", base_url=sb.url, organization_id="10234695", client_id="sandbox-client",
            per_minute=100_000))
        file = tmp_path / "people.csv"
        file.write_text("Name,Email\n" + "".join(f"Log Co {i},l{i}@example.com\n" for i in range(15)),
                        encoding="utf-8")
        assert cli.main(["import", str(file), "--entity", "contacts", "--connection", "books",
                         "--json"]) in (0, 1, 3)
        assert cli.main(["export", "contacts", "--out", str(tmp_path / "c.csv"), "--connection",
                         "books", "--json"]) in (0, 1, 3)
        monkeypatch.setenv("ZOHO_BULK_REFRESH_TOKEN", WRONG_REFRESH)
        assert cli.main(["export", "contacts", "--out", str(tmp_path / "d.csv"), "--connection",
                         "books", "--json"]) == 2
        access_tokens = set(sb.app.state.tokens.tokens)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        sb.stop()
    out, err = capsys.readouterr()
    assert len(access_tokens) >= 3 and records  # tokens were refreshed, and things were logged
    assert any("oauth" in r.lower() or "token" in r.lower() for r in records), records[:20]
    text = "\n".join(records) + out + err
    for secret in {CLIENT_SECRET, "sandbox-refresh", WRONG_REFRESH, *access_tokens}:
        assert secret not in text, f"{secret[:12]}... in a log record or the output"
