"""What the app remembers between sessions: window geometry, recent files, last choices."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtCore import QByteArray, QObject, QSettings, Signal

APP_NAME = "zoho-bulk"
RECENT_LIMIT = 10
FOLDER_KEYS = {"open": "folders/import"}
"""One folder for every Open dialog: File > Open (Ctrl+O), the import wizard's Open file… (which reads and
writes folders/import itself) and CRM Convert's Choose…."""
OWN_OUTPUT = re.compile(r"\.report-\w+(\.|$)", re.IGNORECASE)
"""The files a run writes beside the user's (app.jobs.report.report_stem): `<file>.report-<job>.xlsx`, its
CSV twin, `.failed.xlsx` ("fix failed rows") and `.dry-run` reports."""


def is_own_output(path: Path) -> bool:
    """A file the app wrote, not one the user brought: a run's report or failed-rows file, or anything
    under the data folder (corrected copies, the samples' reports)."""
    from app.jobs import data_dir

    if OWN_OUTPUT.search(Path(path).name):
        return True
    try:
        return Path(path).resolve().is_relative_to(data_dir().resolve())
    except OSError:
        return False


def preferences_path() -> Path:
    """The settings file of the desktop app (no secrets ever go here)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "gui.ini"


class Preferences(QObject):
    """A thin, typed face over QSettings stored as an INI file under the user config dir."""

    recent_changed = Signal()
    """The recent files changed (a file opened anywhere): the lists showing them refresh."""

    def __init__(self, path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path or preferences_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._settings = QSettings(str(self.path), QSettings.Format.IniFormat)

    # window -----------------------------------------------------------------
    def geometry(self) -> QByteArray | None:
        value = self._settings.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, geometry: QByteArray) -> None:
        self._settings.setValue("window/geometry", geometry)

    def window_state(self) -> QByteArray | None:
        value = self._settings.value("window/state")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_window_state(self, state: QByteArray) -> None:
        self._settings.setValue("window/state", state)

    # recent files -------------------------------------------------------------
    def recent_files(self) -> list[Path]:
        """The files the user opened, newest first; the app's own outputs (kept by older versions) left out."""
        value: Any = self._settings.value("files/recent", [])  # a str, a list of them or None, as QSettings kept it
        names = [value] if isinstance(value, str) else list(value or [])
        return [Path(n) for n in dict.fromkeys(names) if n and not is_own_output(Path(n))]

    def add_recent_file(self, path: Path) -> None:
        """Remember a file the user opened (File > Open, the wizard, recent lists); a report, a failed-rows
        file or a corrected copy is not one."""
        path = Path(path).resolve()
        if is_own_output(path):
            return
        names = [str(path)] + [str(p) for p in self.recent_files() if Path(p) != path]
        self._settings.setValue("files/recent", names[:RECENT_LIMIT])
        self.recent_changed.emit()

    def clear_recent_files(self) -> None:
        self._settings.setValue("files/recent", [])
        self.recent_changed.emit()

    def last_folder(self, kind: str = "open") -> Path | None:
        """The folder a file dialog of this kind ("open", "save", "report") showed last."""
        value = self.text(FOLDER_KEYS.get(kind, f"folders/{kind}"))
        return Path(value) if value else None

    def set_last_folder(self, kind: str, folder: Path) -> None:
        self.set_text(FOLDER_KEYS.get(kind, f"folders/{kind}"), str(folder))

    # first run ------------------------------------------------------------------
    @property
    def first_run(self) -> bool:
        """True until the user has seen the welcome (the sandbox and the samples offered)."""
        return not self.flag("app/welcomed")

    def mark_welcomed(self) -> None:
        self.set_flag("app/welcomed", True)

    # settings page ----------------------------------------------------------------
    def theme(self) -> str:
        """"system", "light" or "dark"."""
        value = self.text("appearance/theme", "system")
        return value if value in ("system", "light", "dark") else "system"

    def set_theme(self, value: str) -> None:
        self.set_text("appearance/theme", value)

    def log_level(self) -> str:
        value = self.text("log/level", "INFO").upper()
        return value if value in ("DEBUG", "INFO", "WARNING", "ERROR") else "INFO"

    def set_log_level(self, value: str) -> None:
        self.set_text("log/level", value.upper())

    def report_folder(self) -> Path | None:
        """Where run reports go (None: next to the source file, the engine's default)."""
        value = self.text("reports/folder")
        return Path(value) if value else None

    def set_report_folder(self, folder: Path | None) -> None:
        self.set_text("reports/folder", str(folder) if folder else "")

    # plain values ---------------------------------------------------------------
    def text(self, key: str, default: str = "") -> str:
        value = self._settings.value(key, default)
        return str(value) if value is not None else default

    def set_text(self, key: str, value: str) -> None:
        self._settings.setValue(key, value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self._settings.value(key, default)
        if isinstance(value, str):
            return value.lower() in ("true", "1", "yes")
        return bool(value)

    def set_flag(self, key: str, value: bool) -> None:
        self._settings.setValue(key, bool(value))

    def sync(self) -> None:
        self._settings.sync()
