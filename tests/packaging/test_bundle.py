"""The desktop bundle, run headless the way a user runs it: --version, a sample imported into the
embedded sandbox, CRM quotes converted, the sandbox server, the demo, and the GUI opened and
closed offscreen.

The bundle is built with packaging/build-linux.sh (build-macos.sh on a Mac) from this tree, or
reused from dist/ when dist/zoho-bulk/build.stamp matches the tree (packaging/bundle_stamp.py). Every
run gets its own HOME, XDG folders and ZOHO_BULK_DATA_DIR, and only what the bundle carries:
no PYTHONPATH, no virtualenv.
"""

from __future__ import annotations

import csv
import fcntl
import importlib.util
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import openpyxl
import pytest

from app import __version__

pytestmark = pytest.mark.slow  # builds and runs the desktop bundle

ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = (
    ROOT / "packaging" / ("build-macos.sh" if sys.platform == "darwin" else "build-linux.sh")
)
BUILD_TIMEOUT_S = 1200
RUN_TIMEOUT_S = 180


def _bundle_stamp() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bundle_stamp", ROOT / "packaging" / "bundle_stamp.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bundle() -> Iterator[Path]:
    """dist/zoho-bulk/zoho-bulk, built from this tree (once; a matching build is reused).

    build/bundle.lock keeps builds apart: taken exclusively to check and build, then shared while
    the tests run the bundle, so `make package` or another test run never rebuilds it under them.
    """
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.fail(
            "PyInstaller is not installed in this environment: run `make test`, or "
            "`.venv/bin/pip install -e '.[dev]'` (the dev extra carries it)"
        )
    stamp = _bundle_stamp()
    lock_path = ROOT / "build" / "bundle.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stamp.bundle_is_current(ROOT):
            env = {**os.environ, "PYTHON": sys.executable, "ZOHO_BULK_BUILD_LOCK_HELD": "1"}
            built = subprocess.run(
                ["bash", str(BUILD_SCRIPT), "--no-archive"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=BUILD_TIMEOUT_S,
            )
            assert built.returncode == 0, (
                f"{BUILD_SCRIPT.name} failed ({built.returncode}):\n"
                f"{built.stdout[-3000:]}\n{built.stderr[-6000:]}"
            )
            assert stamp.bundle_is_current(ROOT), (
                "the build did not record dist/zoho-bulk/build.stamp"
            )
        fcntl.flock(lock, fcntl.LOCK_SH)
        yield ROOT / "dist" / "zoho-bulk" / "zoho-bulk"


@pytest.fixture
def user(tmp_path: Path) -> dict[str, str]:
    """The environment of a user who has never run zoho-bulk, without our virtualenv."""
    home = tmp_path / "home"
    runtime = tmp_path / "runtime"
    for folder in (home, runtime):
        folder.mkdir(mode=0o700)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("XDG_", "ZOHO_BULK_", "PYTHON", "QT_", "VIRTUAL_ENV"))
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_RUNTIME_DIR=str(runtime),
        ZOHO_BULK_DATA_DIR=str(tmp_path / "data"),
        QT_QPA_PLATFORM="offscreen",
        PATH=os.defpath,
    )
    return env


def run(bundle: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(bundle), *args],
        env=env,
        cwd=env["HOME"],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def summary_of(bundle: Path, env: dict[str, str], *args: str) -> dict[str, object]:
    """Run a command with --json that must succeed; its summary (the last line of standard output)."""
    done = run(bundle, env, *args, "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(summary, dict)
    return summary


def shipped_sample(bundle: Path, name: str) -> Path:
    """A sample spreadsheet as the bundle carries it (not the source tree's copy)."""
    path = bundle.parent / "_internal" / "resources" / "samples" / name
    assert path.is_file(), f"the bundle does not carry {name}"
    return path


def sample_contacts(path: Path) -> tuple[int, set[str]]:
    """The sample's data rows and the display names of the contacts they make."""
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    header, *rows = [
        row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)
    ]
    column = list(header).index("Display Name")
    return len(rows), {str(row[column]) for row in rows if row[column]}


def exported_names(bundle: Path, env: dict[str, str], out: Path) -> list[str]:
    summary = summary_of(bundle, env, "export", "contacts", "--out", str(out))
    with out.open(encoding="utf-8-sig", newline="") as fh:
        names = [row["Display Name"] for row in csv.DictReader(fh)]
    assert summary["records"] == len(names)
    return names


@pytest.mark.parametrize(
    "folder", ["resources/samples", "resources/icons", "mappings", "app/sandbox/crm_schemas"]
)
def test_bundle_carries_the_shipped_files(bundle: Path, folder: str) -> None:
    """What app.resources finds in the source tree is where it looks in the bundle, byte for byte."""
    left_by_a_run = _bundle_stamp().left_by_a_run
    shipped = {
        path.name: path.read_bytes()
        for path in (ROOT / folder).iterdir()
        if path.is_file() and path.suffix != ".py" and not left_by_a_run(path)
    }
    carried = {
        path.name: path.read_bytes() for path in (bundle.parent / "_internal" / folder).iterdir()
    }
    assert shipped and carried == shipped


def test_version(bundle: Path, user: dict[str, str]) -> None:
    done = run(bundle, user, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"zoho-bulk {__version__}"


def test_import_a_sample_into_the_embedded_sandbox(
    bundle: Path, user: dict[str, str], tmp_path: Path
) -> None:
    sample = tmp_path / "contacts.xlsx"
    sample.write_bytes(shipped_sample(bundle, "contacts.xlsx").read_bytes())
    rows, names = sample_contacts(sample)
    before = exported_names(bundle, user, tmp_path / "before.csv")
    assert not names & set(before), "the fresh sandbox already holds the sample's contacts"

    reports = tmp_path / "reports"
    summary = summary_of(bundle, user, "import", str(sample), "--entity", "contacts", "--report-dir", str(reports))
    assert (summary["rows"], summary["documents"], summary["created"]) == (rows, len(names), len(names))
    assert (summary["failed"], summary["invalid"], summary["in_doubt"]) == (0, 0, 0)
    for report in (summary["report"], summary["report_csv"]):
        assert Path(str(report)).parent == reports and Path(str(report)).is_file()
    after = exported_names(bundle, user, tmp_path / "after.csv")
    assert sorted(after) == sorted([*before, *names]), (
        "each sample contact once, in the sandbox kept under ZOHO_BULK_DATA_DIR"
    )
    assert (tmp_path / "data" / "sandbox.sqlite").is_file()


def test_convert_crm_quotes_in_the_embedded_sandbox(
    bundle: Path, user: dict[str, str], tmp_path: Path
) -> None:
    """The sandbox checks each convert body against the CRM schemas the bundle carries."""
    quotes = tmp_path / "quotes.csv"
    quotes.write_text("Quote Number\nQT-00001\nQT-00002\nQT-00003\n", encoding="utf-8")

    summary = summary_of(bundle, user, "convert", str(quotes), "--from", "Quotes", "--to", "Sales_Orders",
                         "--report-dir", str(tmp_path / "reports"))
    assert (summary["rows"], summary["converted"], summary["failed"], summary["invalid"]) == (3, 3, 0, 0)
    assert Path(str(summary["report"])).is_file()


def test_sandbox_server_answers_and_stops_on_sigterm(
    bundle: Path, user: dict[str, str], tmp_path: Path
) -> None:
    """`zoho-bulk sandbox` from the bundle: uvicorn serves on loopback, SIGTERM stops it cleanly."""
    server = subprocess.Popen(
        [str(bundle), "sandbox", "--port", "0", "--db", str(tmp_path / "sandbox.sqlite3")],
        env=user,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()  # printed once the socket is bound
        assert first.startswith("Zoho sandbox at http://127.0.0.1:"), first + server.stderr.read()
        url = first.split()[3]
        token = httpx.post(
            f"{url}/oauth/v2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": "sandbox-refresh",
                "client_id": "sandbox-client",
                "client_secret": "sandbox-secret",
            },
        ).json()["access_token"]
        answer = httpx.get(
            f"{url}/books/v3/organizations", headers={"Authorization": f"Zoho-oauthtoken {token}"}
        )
        assert answer.status_code == 200
        assert [org["organization_id"] for org in answer.json()["organizations"]] == ["10234695"]
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=RUN_TIMEOUT_S)
    assert server.returncode == 0, err
    assert "Sandbox stopped." in out + err and "Traceback" not in err


def test_demo_finds_its_samples_in_the_bundle(bundle: Path, user: dict[str, str]) -> None:
    done = run(bundle, {**user, "ZOHO_BULK_SANDBOX_RATE": "1000/1"}, "demo")
    assert done.returncode == 0, done.stderr[-3000:]
    table = done.stdout.split("zoho-bulk demo: the samples in the embedded sandbox")[1]
    for entity in ("contacts", "salesorders", "creditnotes"):
        assert entity in table, done.stdout


def test_gui_opens_and_closes_offscreen(bundle: Path, user: dict[str, str]) -> None:
    done = run(bundle, user, "gui", "--smoke")
    assert done.returncode == 0, done.stderr[-3000:]
    log_file = Path(user["XDG_STATE_HOME"]) / "zoho-bulk" / "log" / "zoho-bulk.log"
    log = log_file.read_text(encoding="utf-8")
    assert f"zoho-bulk {__version__} starting (Qt platform offscreen)" in log
    assert log.rstrip().endswith("zoho-bulk closed")
