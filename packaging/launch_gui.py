"""The bundled `zoho-bulk-gui` executable (Windows, macOS .app): opens the desktop app without a console."""

import sys

from app.cli import main

if __name__ == "__main__":
    # Finder used to add a -psn_... process serial number to the arguments of an .app.
    extra = [arg for arg in sys.argv[1:] if not arg.startswith("-psn_")]
    raise SystemExit(main(["gui", *extra]))
