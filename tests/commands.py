"""The real `zoho-bulk` command in a child process: `python -m app` with this interpreter, in a user's own folders."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ZOHO_BULK = [sys.executable, "-m", "app"]


def user_environment(home: Path) -> dict[str, str]:
    """This process's environment with HOME, the XDG folders and zoho-bulk's data folder moved under `home`."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ZOHO_BULK_", "XDG_"))},
        "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"), "ZOHO_BULK_DATA_DIR": str(home / "zoho-bulk"),
    }


def interrupt(proc: subprocess.Popen[str]) -> str:
    """Ctrl-C, then read standard error until the command says it is stopping; what it said so far."""
    assert proc.stderr is not None
    proc.send_signal(signal.SIGINT)
    seen = ""
    while "Stopping" not in seen:
        chunk = proc.stderr.read(1)
        assert chunk, seen
        seen += chunk
    return seen


def interrupt_twice(proc: subprocess.Popen[str]) -> tuple[str, str, str]:
    """Ctrl-C until the command says it is stopping, then Ctrl-C again ("now"); stdout, stderr before and after."""
    seen = interrupt(proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return out, seen, err
