"""Where the files shipped with zoho-bulk live, whether it runs from source or from a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_root() -> Path:
    """The folder that holds `resources/`, `mappings/` and the `app/` package data.

    From source it is the repository (the parent of `app/`); in a PyInstaller bundle it is
    the bundle's data folder (`sys._MEIPASS`), where the spec copies the same layout.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """A shipped file or folder, e.g. `resource_path("resources", "samples", "contacts.xlsx")`."""
    return resource_root().joinpath(*parts)


def samples_dir() -> Path:
    """The sample spreadsheets a new user can import into the sandbox."""
    return resource_path("resources", "samples")


def mappings_dir() -> Path:
    """The shipped mapping files (e.g. the one that maps an export back for a round trip)."""
    return resource_path("mappings")


def icon_path(size: int | None = None) -> Path:
    """The app icon: the SVG master, or the PNG of `size` pixels (16 ... 512)."""
    name = "zoho-bulk.svg" if size is None else f"zoho-bulk-{size}.png"
    return resource_path("resources", "icons", name)
