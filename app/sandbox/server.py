"""What `zoho-bulk sandbox` runs on: its options read into settings, the address checked, the database's place,
and a uvicorn server that ends quietly on Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import ipaddress
import signal
import socket
from pathlib import Path
from types import FrameType

import platformdirs
import uvicorn

from app.errors import ZohoBulkError
from app.sandbox.oauth import CLIENT_ID, CLIENT_SECRET
from app.sandbox.settings import SandboxSettings


class ForegroundServer(uvicorn.Server):
    """uvicorn that ends quietly on Ctrl-C / SIGTERM instead of re-raising the signal."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        else:
            self.should_exit = True


class UsageError(ZohoBulkError, ValueError):
    """A command-line option the sandbox cannot use."""


def parse_rate(text: str) -> tuple[int, float]:
    """"100/60" -> (100, 60.0): requests per window of seconds."""
    count, _, seconds = text.partition("/")
    try:
        limit, window = int(count), float(seconds or 60)
    except ValueError:
        raise UsageError(f"--rate must look like N/SECONDS, not {text!r}") from None
    if limit < 1 or window <= 0:
        raise UsageError("--rate needs at least 1 request per a positive number of seconds")
    return limit, window


def parse_latency(text: str) -> tuple[float, float]:
    """"200" or "200+50" -> (fixed ms, jitter ms)."""
    fixed, _, jitter = str(text).partition("+")
    try:
        values = float(fixed), float(jitter or 0)
    except ValueError:
        raise UsageError(f"--latency-ms must look like MS or MS+JITTER, not {text!r}") from None
    if min(values) < 0:
        raise UsageError("--latency-ms cannot be negative")
    return values


def settings_from(args: argparse.Namespace) -> SandboxSettings:
    rate, window = parse_rate(args.rate)
    latency, jitter = parse_latency(args.latency_ms)
    for name in ("fail_rate", "drop_rate", "fail_after_commit_rate"):
        if not 0.0 <= (getattr(args, name, 0.0) or 0.0) <= 1.0:
            raise UsageError(f"--{name.replace('_', '-')} must be between 0 and 1")
    token_limit = getattr(args, "token_limit", 0) or 0
    if args.concurrency < 1 or args.daily < 0 or args.token_uses < 0 or token_limit < 0:
        raise UsageError("--concurrency must be at least 1; --daily, --token-uses and --token-limit "
                         "not negative")
    return SandboxSettings(
        rate_limit=rate, rate_window_s=window, concurrency=args.concurrency,
        daily_quota=args.daily, latency_ms=latency, latency_jitter_ms=jitter,
        fail_rate=args.fail_rate, drop_rate=args.drop_rate, token_uses=args.token_uses,
        fail_after_commit_rate=getattr(args, "fail_after_commit_rate", 0.0) or 0.0,
        token_limit=token_limit,
    )


def check_address(host: str, port: int, *, allow_remote: bool) -> str | None:
    """Refuse a port outside 0..65535 and a host off this machine without --allow-remote (UsageError);
    returns the warning to print for an allowed remote host."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port}: a port is a number from 1 to 65535 (0: any free port)")
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except OSError as error:
        raise UsageError(f"--host {host}: {error.strerror or error}") from None
    remote = sorted(a for a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_loopback)
    if not remote:
        return None
    if not allow_remote:
        raise UsageError(f"--host {host} listens beyond this machine ({', '.join(remote)}); the sandbox's "
                         "credentials are public, so pass --allow-remote to mean it")
    return (f"Warning: listening on {host}: anyone who can reach port {port or 'chosen'} can use this sandbox, "
            f"its credentials are public ({CLIENT_ID} / {CLIENT_SECRET}).")


def default_db() -> Path:
    """Where the sandbox keeps its records unless --db says otherwise."""
    return platformdirs.user_data_path("zoho-bulk", appauthor=False) / "sandbox.sqlite3"
