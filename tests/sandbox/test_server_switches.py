"""`zoho-bulk sandbox --port/--host`: a port outside 1..65535 and a host beyond this machine are refused plainly."""

from __future__ import annotations

import argparse

import pytest

from app.cli import build_parser
from app.cli.sandbox import sandbox_command
from app.sandbox.server import UsageError, check_address


def args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["sandbox", *argv])


@pytest.mark.parametrize("port", ["99999", "65536", "-1"])
def test_a_port_outside_the_range_is_refused_with_exit_2(port: str, tmp_path, capsys) -> None:
    assert sandbox_command(args("--port", port, "--db", str(tmp_path / "s.sqlite3"))) == 2
    out, err = capsys.readouterr()
    assert f"--port {port}: a port is a number from 1 to 65535" in err
    assert out == "" and not (tmp_path / "s.sqlite3").exists()  # nothing listened, nothing created


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_a_host_beyond_this_machine_needs_allow_remote(host: str, tmp_path, capsys) -> None:
    assert sandbox_command(args("--host", host, "--port", "0", "--db", str(tmp_path / "s.sqlite3"))) == 2
    out, err = capsys.readouterr()
    assert f"--host {host} listens beyond this machine" in err and "--allow-remote" in err
    assert out == "" and not (tmp_path / "s.sqlite3").exists()


def test_allow_remote_warns_that_anyone_reaching_the_port_can_use_the_public_credentials() -> None:
    warning = check_address("0.0.0.0", 8777, allow_remote=True)
    assert warning is not None
    assert "anyone who can reach port 8777 can use this sandbox" in warning
    assert "sandbox-client / sandbox-secret" in warning
    assert args("--allow-remote").allow_remote


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_loopback_hosts_need_nothing(host: str) -> None:
    try:
        assert check_address(host, 0, allow_remote=False) is None
    except UsageError as error:  # a machine without IPv6 cannot resolve ::1: still no warning
        assert "beyond" not in str(error)
