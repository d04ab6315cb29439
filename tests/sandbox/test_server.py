"""`zoho-bulk sandbox` and EmbeddedSandbox: loopback only, URL and summary printed, clean stop."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.cli import build_parser
from app.cli.sandbox import sandbox_command
from app.sandbox import EmbeddedSandbox, SandboxError, SandboxSettings
from app.sandbox.server import UsageError, parse_latency, parse_rate, settings_from

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["sandbox", *argv])


def test_options_become_settings() -> None:
    settings = settings_from(args("--rate", "10/1", "--concurrency", "3", "--daily", "50",
                                  "--latency-ms", "200+50", "--fail-rate", "0.1",
                                  "--drop-rate", "0.2", "--token-uses", "7"))
    assert (settings.rate_limit, settings.rate_window_s) == (10, 1.0)
    assert (settings.concurrency, settings.daily_quota) == (3, 50)
    assert (settings.latency_ms, settings.latency_jitter_ms) == (200.0, 50.0)
    assert (settings.fail_rate, settings.drop_rate, settings.token_uses) == (0.1, 0.2, 7)
    assert parse_latency("15") == (15.0, 0.0)
    assert parse_rate("100/60") == (100, 60.0)
    for bad in ("ten/1", "0/5", "5/0"):
        with pytest.raises(UsageError):
            parse_rate(bad)
    with pytest.raises(UsageError):
        parse_latency("fast")


def test_bad_option_is_a_plain_message_and_exit_2(capsys) -> None:
    assert sandbox_command(args("--rate", "lots")) == 2
    err = capsys.readouterr().err
    assert "--rate" in err and "Traceback" not in err
    assert sandbox_command(args("--fail-rate", "2")) == 2


def test_a_taken_port_is_a_plain_message(tmp_path, capsys) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = sandbox_command(args("--port", str(port), "--db", str(tmp_path / "t.sqlite3")))
        assert code == 2
        assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
        with pytest.raises(SandboxError, match="cannot listen"):
            EmbeddedSandbox(port=port, db_path=tmp_path / "u.sqlite3").start()


@pytest.mark.slow
def test_embedded_sandbox_binds_loopback_only_and_stops(tmp_path) -> None:
    with EmbeddedSandbox(SandboxSettings(), db_path=tmp_path / "e.sqlite3") as sb:
        assert sb.url.startswith("http://127.0.0.1:")
        assert sb.listening_on() == {("127.0.0.1", sb.port)}
        assert httpx.get(f"{sb.url}/").json()["organization_id"] == "10234695"
        url = sb.url
    assert sb.listening_on() == set()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/", timeout=2)
    # the data outlives the server: a second start on the same file sees it
    with EmbeddedSandbox(db_path=tmp_path / "e.sqlite3") as again:
        assert httpx.get(f"{again.url}/").json()["records"]["contacts"] == 3


@pytest.mark.slow
def test_command_prints_url_and_summary_and_stops_on_sigterm(tmp_path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "sandbox", "--port", str(port), "--db",
         str(tmp_path / "cli.sqlite3"), "--rate", "50/1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(6)]
        url = f"http://127.0.0.1:{port}"
        assert url in lines[0]
        assert "10234695" in lines[1]
        assert "3 contacts" in lines[2] and "9 items" in lines[2]
        assert "Quotes" in lines[3] and "Invoices" in lines[3]
        # uvicorn listens a moment after the banner: httpx retries the connection with backoff
        with httpx.Client(transport=httpx.HTTPTransport(retries=6), timeout=5) as client:
            answer = client.post(f"{url}/oauth/v2/token", data={
                "grant_type": "refresh_token", "refresh_token": "sandbox-refresh",
                "client_id": "sandbox-client", "client_secret": "sandbox-secret"})
        assert answer.json()["api_domain"] == url
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Sandbox stopped." in out
    assert "Traceback" not in err
