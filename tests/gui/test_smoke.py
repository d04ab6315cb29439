"""`zoho-bulk gui --smoke` (the packaging check): opens the main window offscreen and exits 0, leaving no preferences."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # starts the desktop app in a child process


def test_gui_smoke_opens_the_window_and_exits_zero(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ZOHO_BULK_DATA_DIR": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state"),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "app", "gui", "--smoke"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    logs = list(tmp_path.rglob("zoho-bulk.log"))
    assert len(logs) == 1 and "zoho-bulk closed" in logs[0].read_text()
    assert "import wizard did not load" not in logs[0].read_text()
