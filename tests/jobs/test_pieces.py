"""The engine's pieces on their own: journal states across a crash, name resolution, the plan's finishing day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

import pytest

from app.jobs.catalog import Catalog, LookupMiss
from app.jobs.importing.decide import same_values
from app.jobs.journal import Entry, Journal, State
from app.jobs.plan import estimate


def test_an_entry_marked_sent_survives_a_crash_and_becomes_in_doubt(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    journal = Journal(path)
    journal.add([Entry(0, "SO-1", [0, 1]), Entry(1, "SO-2", [2])])
    journal.mark_sent(0, {"by": "salesorder_number", "value": "SO-1", "action": "create"})
    journal.mark_sent(1)
    journal.finish(1, State.DONE, "created", zoho_id="46001", number="SO-2")
    del journal  # no close: as if the process died
    reopened = Journal(path)
    assert reopened.interrupted_to_in_doubt() == 1
    first, second = reopened.entries()
    assert (first.state, first.attempts, first.marker["value"]) == (State.IN_DOUBT, 1, "SO-1")
    assert (second.state, second.zoho_id, second.rows) == (State.DONE, "46001", [2])
    reopened.release(0)  # only "sent" entries go back to pending
    assert reopened.entry(0).state == State.IN_DOUBT


def test_counts_say_failed_only_for_rows_zoho_refused_not_for_invalid_ones(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "job.sqlite")
    journal.add([Entry(0), Entry(1), Entry(2), Entry(3)])
    journal.finish(0, State.DONE, "created", zoho_id="1")
    journal.finish(1, State.FAILED, "invalid")
    journal.finish(2, State.FAILED, "invalid")
    assert journal.counts() == {"done": 1, "pending": 1, "created": 1, "invalid": 2}
    assert journal.states() == {State.DONE: 1, State.FAILED: 2, State.PENDING: 1}
    journal.finish(3, State.FAILED, "failed", message="Zoho said no")
    assert journal.counts()["failed"] == 1 and journal.states()[State.FAILED] == 3


def test_release_returns_an_unsent_entry_to_pending_without_counting_it(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "job.sqlite")
    journal.add([Entry(0)])
    journal.mark_sent(0)
    journal.release(0)
    entry = journal.entry(0)
    assert (entry.state, entry.attempts) == (State.PENDING, 0)



async def test_changes_made_together_are_committed_all_or_none(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    journal = Journal(path)
    journal.add([Entry(0), Entry(1)])

    def refused() -> None:
        raise ValueError("the disk said no")

    with pytest.raises(ValueError):
        await journal.write(journal.together, partial(journal.mark_sent, 0), partial(journal.set, "batch.1", {}),
                            refused)
    assert journal.states() == {State.PENDING: 2} and journal.get("batch.1") is None  # none of them

    await journal.write(journal.together, partial(journal.mark_sent, 0), partial(journal.mark_sent, 1),
                        partial(journal.set, "batch.1", {"ids": ["a", "b"]}), partial(journal.add, [Entry(2)]))
    other = Journal(path)  # another process: sees committed rows only
    assert other.states() == {State.SENT: 2, State.PENDING: 1} and other.get("batch.1") == {"ids": ["a", "b"]}
    other.close()
    journal.close()


class _Pages:
    def __init__(self, records: dict[str, list[dict]]) -> None:
        self.records = records
        self.calls: list[tuple[str, int]] = []

    async def list_page(self, entity: str, page: int = 1, per_page: int = 200, **filters):
        self.calls.append((entity, page))
        rows = self.records[entity]
        return rows[(page - 1) * per_page: page * per_page], len(rows) > page * per_page


async def test_catalog_reads_every_page_once_and_names_candidates() -> None:
    contacts = [{"contact_id": str(i), "contact_name": f"Customer {i}", "email": f"c{i}@x.example"}
                for i in range(450)]
    contacts += [{"contact_id": "d1", "contact_name": "Twin Ltd"},
                 {"contact_id": "d2", "contact_name": "twin ltd "}]
    taxes = [{"tax_id": "t1", "tax_name": "Standard Rate", "tax_percentage": 20}]
    pages = _Pages({"contacts": contacts, "taxes": taxes})
    catalog = Catalog(pages)
    await catalog.load(["contacts", "taxes", "contacts"])
    assert sorted(pages.calls) == [("contacts", 1), ("contacts", 2), ("contacts", 3), ("taxes", 1)]
    assert catalog.calls == 4
    assert catalog.resolve("customer", "name", "customer 301") == "301"
    assert catalog.resolve("customer", "email", "C7@X.example") == "7"
    assert catalog.resolve("tax", "rate", "20%") == "t1"
    with pytest.raises(LookupMiss, match=r"2 customers match .*d1.*d2"):
        catalog.resolve("customer", "name", "Twin Ltd")
    with pytest.raises(LookupMiss, match=r"no customer .*Custmer 12.*did you mean"):
        catalog.resolve("customer", "name", "Custmer 12")
    await catalog.load(["contacts"])
    assert catalog.calls == 4  # cached for the run


def test_unchanged_compares_only_what_list_data_shows() -> None:
    record = {"company_name": "Contoso", "email": "a@b.example", "phone": "1",
              "custom_fields": [{"api_name": "cf_region", "value": "East"}]}
    assert same_values({"company_name": "Contoso", "custom_fields": [
        {"api_name": "cf_region", "value": "East"}]}, record)
    assert same_values({"contact_persons": [{"email": "a@b.example", "phone": "1"}]}, record)
    assert not same_values({"company_name": "Contoso Ltd"}, record)
    assert not same_values({"line_items": [{"item_id": "1"}]}, record)  # not in list data: a change
    assert same_values({"total": 10}, {"total": 10.0})


def test_plan_beyond_todays_quota_names_the_day_it_finishes() -> None:
    resets = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    plan = estimate(job_id="j", rows=30_000, documents=25_000, invalid=0, to_send=25_000,
                    already_done=0, lookup_calls=20, write_calls=25_000, quota_left=4_000,
                    daily_quota=10_000, rate_per_min=100, quota_resets_at=resets)
    # 4,000 today, 10,000 on the 23rd, 10,000 on the 24th, the last 1,020 on the 25th
    assert plan.finishes_on == date(2026, 11, 25)
    assert plan.eta_s == pytest.approx(25_020 / 100 * 60)
    fits = estimate(job_id="j", rows=1, documents=1, invalid=0, to_send=1, already_done=0,
                    lookup_calls=1, write_calls=1, quota_left=10, daily_quota=10,
                    rate_per_min=100, quota_resets_at=resets)
    assert fits.finishes_on is None and fits.fits_today
