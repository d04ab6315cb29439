"""app.jobs.resume: a stopped job comes back as the job of its kind, set to go on where it stopped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.jobs import ExportJob, ExportSettings, ImportJob, JobError, JobSettings, resume
from app.jobs.converting import ConvertJob
from app.jobs.journal import Journal, journal_path
from app.resources import samples_dir
from tests.jobs.conftest import CountingSandbox
from tests.jobs.test_convert_env import CrmBox, quote_id, settings


async def test_a_cancelled_import_resumes_with_its_file_and_sends_only_the_rest(
        books: CountingSandbox, tmp_path: Path) -> None:
    source = samples_dir() / "contacts.xlsx"
    job = ImportJob(JobSettings(source, "contacts", target=books.target(), report_dir=tmp_path))

    def cancel_after_one(p: Any) -> None:
        if p.phase == "run" and p.done >= 1:
            job.cancel()

    stopped = await job.run(cancel_after_one)
    assert stopped.exit_code != 0
    sent_before = books.writes("contacts")

    again = resume(stopped.job_id, books.target(), report_dir=tmp_path)
    assert isinstance(again, ImportJob)
    assert (again.settings.file, again.settings.entity, again.settings.operation) == (source, "contacts", "create")
    result = await again.run()
    assert result.exit_code == 0 and result.job_id == stopped.job_id
    names = [c["contact_name"] for c in books.records("contacts")]
    assert len(names) == len(set(names))  # no contact made twice
    assert books.writes("contacts") - sent_before == result.counts["created"] - stopped.counts.get("created", 0)


async def test_a_cancelled_export_resumes_with_its_settings_and_the_details_it_read(
        books: CountingSandbox, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    job = ExportJob(ExportSettings("contacts", out, line_items=True, workers=1, target=books.target()))

    def cancel_after_two(p: Any) -> None:
        if p.phase == "run" and p.done >= 2:
            job.cancel()

    stopped = await job.run(cancel_after_two)
    assert stopped.out is None

    again = resume(stopped.job_id, books.target())
    assert isinstance(again, ExportJob)
    assert (again.settings.entity, again.settings.out, again.settings.line_items) == ("contacts", out, True)
    result = await again.run()
    assert result.exit_code == 0 and result.out == out and result.reused >= 2


async def test_a_conversion_resumes_with_its_pasted_list(tmp_path: Path) -> None:
    box = CrmBox(tmp_path / "sandbox.sqlite")
    try:
        first = await ConvertJob(settings(box, "Quotes", ("Invoices",), None, text="QT-00014 QT-00015 QT-00027",
                                          report_dir=tmp_path)).run()
        assert first.counts["failed"] == 1
        box.set_approval(quote_id(27), "approved")
        again = resume(first.job_id, box.target(), report_dir=tmp_path)
        assert isinstance(again, ConvertJob)
        assert (again.settings.source, again.settings.text) == ("Quotes", "QT-00014 QT-00015 QT-00027")
        assert again.settings.report_dir == tmp_path
    finally:
        box.close()


def test_no_such_job_and_a_kind_resumed_elsewhere_are_plain_refusals(books: CountingSandbox) -> None:
    with pytest.raises(JobError, match="There is no job nothing-here to resume"):
        resume("nothing-here", books.target())
    journal_path("a-cleanup").parent.mkdir(parents=True, exist_ok=True)
    with Journal(journal_path("a-cleanup")) as journal:
        journal.set("kind", "cleanup")
    with pytest.raises(JobError, match="Job a-cleanup is a cleanup; resume it with the command that started it"):
        resume("a-cleanup", books.target())
