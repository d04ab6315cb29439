"""Every file that holds customer data is the user's alone: journals, the sandbox's database, logs, reports."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from app.gui import logfile
from app.jobs.journal import jobs_dir
from app.sandbox import EmbeddedSandbox, SandboxSettings
from tests.jobs.conftest import read_report, run_job, write_csv

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def open_umask():
    """The usual umask (files 0644, folders 0755) is what would have let others read them."""
    old = os.umask(0o022)
    yield
    os.umask(old)


async def test_an_import_leaves_its_journal_and_report_readable_by_the_user_alone(books, tmp_path: Path,
                                                                                  data_dir: Path) -> None:
    file = write_csv(tmp_path / "people.csv", ["Display Name"], [["Private Co 1"], ["Private Co 2"]])
    result = await run_job(books, file, "contacts")
    assert result.counts["created"] == 2 and [r["Status"] for r in read_report(result.report_csv)] == ["created"] * 2
    journals = list(jobs_dir().glob(f"{result.job_id}.sqlite*"))
    assert journals and {mode(p) for p in journals} == {0o600}, [(p.name, oct(mode(p))) for p in journals]
    assert mode(data_dir) == 0o700 and mode(jobs_dir()) == 0o700
    assert mode(result.report) == 0o600 and mode(result.report_csv) == 0o600


def test_a_journal_created_before_is_narrowed_when_opened(data_dir: Path) -> None:
    from app.jobs.journal import Journal

    old = jobs_dir() / "older.sqlite"
    old.touch(mode=0o644)
    os.chmod(old, 0o644)
    with Journal(old):
        pass
    assert mode(old) == 0o600


def test_the_embedded_sandbox_database_is_the_users_alone(tmp_path: Path) -> None:
    db = tmp_path / "new-folder" / "sandbox.sqlite"
    with EmbeddedSandbox(SandboxSettings(), db_path=db):
        files = list(db.parent.glob("sandbox.sqlite*"))
        assert {mode(p) for p in files} == {0o600}, [(p.name, oct(mode(p))) for p in files]
    assert mode(db.parent) == 0o700


def test_the_log_file_and_each_rolled_over_one_are_the_users_alone(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logfile, "log_dir", lambda: tmp_path / "logs")
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = logfile.start_logging()
        handler = next(h for h in root.handlers if h not in before)
        logging.getLogger("app.test").warning("a row of Private Co")
        assert mode(path) == 0o600 and mode(path.parent) == 0o700
        handler.doRollover()  # type: ignore[attr-defined]
        logging.getLogger("app.test").warning("after the rollover")
        assert mode(path) == 0o600 and mode(path.with_name(path.name + ".1")) == 0o600
    finally:
        for h in root.handlers:
            if h not in before:
                root.removeHandler(h)
                h.close()
