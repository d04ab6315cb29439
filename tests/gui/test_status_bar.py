"""The status bar shows the API calls, rate and quota of the job under way: an import through the wizard (it
showed nothing before: no page announced the import's client), an export, a conversion."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.gui.import_wizard.page import MAPPING, RESULTS, REVIEW
from app.resources import samples_dir


def shown_calls(window: Any) -> int:
    """The call count the status bar shows now (its timer redraws it every second)."""
    window.show_counters()
    found = re.search(r"API calls: ([\d,]+)", window.api_label.text())
    assert found, window.api_label.text()
    return int(found.group(1).replace(",", ""))


@pytest.mark.slow
def test_an_import_through_the_wizard_shows_its_calls_and_quota(window: Any, run: Any, qtbot: Any) -> None:
    assert window.api_label.text() == ""
    page = window.pages["Import"]
    window.show_page("Import")
    run(page.file_step.choose_new(samples_dir() / "contacts.xlsx"))
    page.file_step.entity.setCurrentIndex(page.file_step.entity.findData("contacts"))
    run(page.next())
    assert page.step == MAPPING
    run(page.next())
    assert page.step == REVIEW and page.review_step.can_next()
    job = page.session.job
    # the plan's look-ups went through the job's client: the status bar follows that client
    qtbot.waitUntil(lambda: window.counted_client is job.client)
    planned = shown_calls(window)
    assert planned == job.client.counters.calls > 0
    assert "quota left today:" in window.api_label.text() and "/min" in window.api_label.text()

    run(page.next())  # the import itself
    assert page.step == RESULTS
    result = page.session.result
    assert result is not None and result.counts["created"] > 0
    assert window.counted_client is job.client
    assert shown_calls(window) == job.client.counters.calls > planned
    quota = job.client.counters.quota_remaining
    assert quota is not None and f"quota left today: {quota:,}" in window.api_label.text()


def test_an_export_shows_its_calls(window: Any, run: Any) -> None:
    page = window.pages["Export"]
    page.entity.setCurrentIndex(page.entity.findData("contacts"))
    plan = run(page.make_plan())
    assert plan is not None
    assert window.counted_client is page.job.client
    assert shown_calls(window) == page.job.client.counters.calls >= 1
