"""`zoho-bulk gui`: open the desktop app, or say in one sentence why no window can open here."""

from __future__ import annotations

import argparse
import sys


def gui_command(args: argparse.Namespace) -> int:
    """Open the desktop app; with --smoke, open the main window, let it paint, and exit 0; 2 without a display."""
    from app.gui.main import run_app, window_problem  # Qt is loaded for this command only

    problem = window_problem()
    if problem:
        print(f"zoho-bulk gui: cannot open a window: {problem}; the command line works without one "
              "(zoho-bulk --help).", file=sys.stderr)
        return 2
    return run_app(smoke=getattr(args, "smoke", False))
