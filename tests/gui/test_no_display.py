"""`zoho-bulk gui` where no window can open: one sentence and exit 2, not Qt's abort (exit 134)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.gui.main import display_problem

ROOT = Path(__file__).resolve().parents[2]
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's Linux platforms")


@pytest.mark.slow
@linux_only
def test_without_a_display_gui_says_so_and_exits_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="xcb", ZOHO_BULK_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(ROOT),
               HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "app", "gui"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.strip() == ("zoho-bulk gui: cannot open a window: there is no display (DISPLAY is not "
                                   "set); the command line works without one (zoho-bulk --help).")


@linux_only
def test_a_missing_system_package_is_named() -> None:
    absent = {"libzoho-bulk-absent.so.0": "libzoho-bulk-absent0"}
    problem = display_problem({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0"}, xcb_libraries=absent)
    assert problem == ("the system package libzoho-bulk-absent0 is missing "
                       "(e.g. sudo apt install libzoho-bulk-absent0)")


@linux_only
def test_each_platform_tried_is_accounted_for() -> None:
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert display_problem({"QT_QPA_PLATFORM": "wayland", "WAYLAND_DISPLAY": "wayland-0"}) is None
    assert display_problem({"XDG_SESSION_TYPE": "wayland"}) == (
        "there is no display (WAYLAND_DISPLAY is not set); there is no display (DISPLAY is not set)")
    assert display_problem({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":4711"}) == "the display :4711 is not running"
    assert display_problem({"QT_QPA_PLATFORM": "xcb", "DISPLAY": "far.example:0"}) is None  # left to Qt
