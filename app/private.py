"""Files and folders that hold customer data, created readable by the user alone (0600 / 0700 on POSIX)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

POSIX = os.name == "posix"
DATA_DIR_ENV = "ZOHO_BULK_DATA_DIR"


def private_folder(path: Path, *, tighten: bool = True) -> Path:
    """Make `path` (and its missing parents) a folder only the user can open; `tighten` also
    narrows a folder that already existed wider (the app's own folders, not one the user named)."""
    existed = path.is_dir()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if POSIX and (tighten or not existed):
        os.chmod(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty if missing, readable by the user alone; an older, wider one is narrowed.

    Called before SQLite opens a database: its -wal and -shm files take the database's permissions.
    """
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    if POSIX:
        os.chmod(path, 0o600)
    return path


def data_dir() -> Path:
    """The user data folder: job journals, the built-in sandbox, reports with no better place
    (ZOHO_BULK_DATA_DIR overrides the platform default)."""
    override = os.environ.get(DATA_DIR_ENV)
    path = Path(override) if override else Path(platformdirs.user_data_dir("zoho-bulk", appauthor=False))
    return private_folder(path, tighten=not override)  # a folder the user named keeps its mode
