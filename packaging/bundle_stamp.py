"""The fingerprint of what the bundle in dist/ was built from, so a matching build is reused.

`python packaging/bundle_stamp.py` prints the fingerprint of the tree; `--write` records it in
dist/zoho-bulk/build.stamp after a build (inside the bundle, so any other build into dist/ wipes
it); `--check` exits 0 when dist/zoho-bulk/ was built from this tree.
"""

from __future__ import annotations

import hashlib
import platform
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("app", "packaging", "resources", "mappings", "pyproject.toml")
SKIPPED_PARTS = {"__pycache__", "screenshots"}  # screenshots are for the README, not the bundle
BUNDLE = ROOT / "dist" / "zoho-bulk"
STAMP_FILE = BUNDLE / "build.stamp"


def left_by_a_run(path: Path) -> bool:
    """A report or problem list a run wrote beside its spreadsheet (NAME.report-JOB.xlsx,
    NAME-problems.csv beside NAME.xlsx): never shipped, and no reason to rebuild."""
    stem = path.name.split(".report-")[0].split("-problems.")[0]
    return stem != path.name and any(path.parent.glob(f"{stem}.*"))


def source_files(root: Path = ROOT) -> list[Path]:
    """Every file the bundle is built from, in a stable order."""
    files: list[Path] = []
    for name in SOURCES:
        path = root / name
        candidates = [path] if path.is_file() else path.rglob("*")
        files += [
            f
            for f in candidates
            if f.is_file()
            and f.suffix != ".pyc"
            and not left_by_a_run(f)
            and not SKIPPED_PARTS & set(f.relative_to(root).parts)
        ]
    return sorted(files)


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def source_stamp(root: Path = ROOT) -> str:
    """A hash of the source files and of the tools that turn them into a bundle."""
    digest = hashlib.sha256()
    tools = f"{platform.python_version()} {sys.platform} {platform.machine()}"
    for distribution in ("pyinstaller", "PySide6-Essentials"):
        tools += f" {distribution} {_version(distribution)}"
    digest.update(tools.encode())
    for path in source_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def bundle_is_current(root: Path = ROOT) -> bool:
    """True when dist/zoho-bulk/ exists and was built from the tree as it is now."""
    stamp = root / STAMP_FILE.relative_to(ROOT)
    executable = (
        root
        / BUNDLE.relative_to(ROOT)
        / ("zoho-bulk.exe" if sys.platform == "win32" else "zoho-bulk")
    )
    return (
        executable.is_file()
        and stamp.is_file()
        and stamp.read_text(encoding="utf-8").strip() == source_stamp(root)
    )


def main(argv: list[str]) -> int:
    if argv == ["--write"]:
        STAMP_FILE.parent.mkdir(parents=True, exist_ok=True)
        STAMP_FILE.write_text(source_stamp() + "\n", encoding="utf-8")
        return 0
    if argv == ["--check"]:
        return 0 if bundle_is_current() else 1
    if argv:
        print("usage: bundle_stamp.py [--write | --check]", file=sys.stderr)
        return 2
    print(source_stamp())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
