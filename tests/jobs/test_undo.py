"""Undo on the sandbox: an import's records gone, an update's fields restored, a status and a delete taken back,
a record changed since the job left alone and reported, and an undo undone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.jobs.errors import JobError
from app.jobs.undoing.job import UndoJob, UndoSettings
from tests.jobs.conftest import Clock, CountingSandbox, read_report, run_job, write_csv
from tests.jobs.test_cleanup import clean, make_orders
from tests.jobs.test_cli import cli

CONTACT_HEADERS = ["Display Name", "Company Name", "Website"]


@pytest.fixture
def box(make_books: Any, clock: Clock) -> CountingSandbox:
    built: CountingSandbox = make_books(clock=clock)
    return built


async def undo(box: CountingSandbox, job: str, **settings: Any) -> Any:
    settings.setdefault("report_dir", None)
    job_ = UndoJob(UndoSettings("", "undo", target=box.target(), job=job, **settings))
    try:
        await job_.plan()
        return await job_.run()
    finally:
        await job_.close()


def contacts(box: CountingSandbox) -> dict[str, dict[str, Any]]:
    return {c["contact_name"]: c for c in box.records("contacts")}


async def test_undo_of_an_import_deletes_every_record_it_created_and_nothing_else(
        box: CountingSandbox, tmp_path: Path) -> None:
    before = set(contacts(box))
    sheet = write_csv(tmp_path / "new.csv", CONTACT_HEADERS,
                      [[f"Undo Test {i}", f"Company {i}", f"https://u{i}.example"] for i in range(5)])
    created = await run_job(box, sheet, "contacts")
    assert created.counts["created"] == 5 and set(contacts(box)) - before == {f"Undo Test {i}" for i in range(5)}
    box.requests.clear()

    result = await undo(box, created.job_id)

    assert set(contacts(box)) == before  # the organization as before the import
    assert result.counts["undone"] == 5 and result.exit_code == 0
    assert box.requests[("DELETE", "contacts")] == 5 and box.writes() == 5
    rows = read_report(result.report_csv)
    assert [r["Status"] for r in rows] == ["undone"] * 5
    assert {r["Number or name"] for r in rows} == {f"Undo Test {i}" for i in range(5)}
    assert all(r["Message"] == "deleted (the job had created it)" for r in rows)


async def test_undo_of_an_update_restores_each_changed_field_and_leaves_a_record_edited_since_alone(
        box: CountingSandbox, tmp_path: Path, clock: Clock) -> None:
    sheet = write_csv(tmp_path / "new.csv", CONTACT_HEADERS,
                      [["Alpha Ltd", "Alpha", "https://alpha.example"], ["Beta Ltd", "Beta", "https://beta.example"],
                       ["Gamma Ltd", "Gamma", "https://gamma.example"], ["Delta Ltd", "Delta", "https://delta.example"]])
    await run_job(box, sheet, "contacts")
    original = contacts(box)
    clock.now += 10
    edits = write_csv(tmp_path / "edits.csv", ["Display Name", "Company Name", "Website", "Notes"], [
        ["Alpha Ltd", "Alpha Two", "https://alpha.example", "moved"],  # company and notes change
        ["Beta Ltd", "Beta", "https://beta2.example", ""],  # the website changes
        ["Gamma Ltd", "Gamma", "https://gamma2.example", "edited"],  # edited again in Zoho after the job
        ["Delta Ltd", "Delta", "https://delta.example", ""]])  # unchanged
    updated = await run_job(box, edits, "contacts", "update", report_dir=tmp_path / "upd")
    assert (updated.counts["updated"], updated.counts["unchanged"]) == (3, 1)
    clock.now += 10
    async with box.target().books() as client:
        await client.update("contacts", original["Gamma Ltd"]["contact_id"], {"website": "https://gamma3.example"})
    box.requests.clear()

    result = await undo(box, updated.job_id)

    now = contacts(box)
    assert (now["Alpha Ltd"]["company_name"], now["Alpha Ltd"].get("notes") or "") == ("Alpha", "")
    assert now["Beta Ltd"]["website"] == "https://beta.example"
    assert now["Gamma Ltd"]["website"] == "https://gamma3.example"  # left as its later editor made it
    assert now["Gamma Ltd"].get("notes") == "edited"
    assert now["Delta Ltd"]["last_modified_time"] == original["Delta Ltd"]["last_modified_time"]
    assert (result.counts["undone"], result.counts["skipped"]) == (2, 1)
    assert box.requests[("PUT", "contacts")] == 2 and box.writes() == 2
    rows = {r["Number or name"]: r for r in read_report(result.report_csv)}
    assert rows["Gamma Ltd"]["Status"] == "skipped"
    assert "left alone: modified in Zoho since the job" in rows["Gamma Ltd"]["Message"]
    assert rows["Alpha Ltd"]["Message"] == "restored company_name, notes to the values before the job"


async def test_undo_of_a_void_marks_the_orders_open_again_and_an_undo_can_be_undone(
        box: CountingSandbox, tmp_path: Path) -> None:
    orders = await make_orders(box, tmp_path, ["UV-1", "UV-2", "UV-3"])
    async with box.target().books() as client:
        for number in ("UV-1", "UV-2"):
            await client.mark("salesorders", orders[number]["salesorder_id"], "open")
    sheet = write_csv(tmp_path / "void.csv", ["Sales Order Number"], [["UV-1"], ["UV-2"], ["UV-3"]])
    voided = await clean(box, "salesorders", "void", file=sheet)
    assert voided.counts["voided"] == 3

    result = await undo(box, voided.job_id)

    status = {o["salesorder_number"]: o["status"] for o in box.records("salesorders")}
    assert (status["UV-1"], status["UV-2"]) == ("open", "open")
    assert status["UV-3"] == "void"  # a draft before: Books has no call back to draft, said so on its row
    assert (result.counts["undone"], result.counts["failed"]) == (2, 1) and result.exit_code == 1
    rows = {r["Number or name"]: r for r in read_report(result.report_csv)}
    assert "no call that marks a salesorder draft again" in rows["UV-3"]["Message"]

    again = await undo(box, result.job_id)  # undo the undo: voided again

    status = {o["salesorder_number"]: o["status"] for o in box.records("salesorders")}
    assert (status["UV-1"], status["UV-2"], status["UV-3"]) == ("void", "void", "void")
    assert again.counts["undone"] == 2


async def test_undo_of_a_delete_creates_each_order_again_with_its_number_lines_and_customer(
        box: CountingSandbox, tmp_path: Path) -> None:
    orders = await make_orders(box, tmp_path, ["UD-1", "UD-2"])
    sheet = write_csv(tmp_path / "delete.csv", ["Sales Order Number"], [["UD-1"], ["UD-2"]])
    box.requests.clear()
    deleted = await clean(box, "salesorders", "delete", file=sheet)
    assert deleted.counts["deleted"] == 2 and box.reads("salesorders") == 3  # one list page, one read each
    assert not {"UD-1", "UD-2"} & {o["salesorder_number"] for o in box.records("salesorders")}

    result = await undo(box, deleted.job_id)

    again = {o["salesorder_number"]: o for o in box.records("salesorders")}
    for number in ("UD-1", "UD-2"):
        old, new = orders[number], again[number]
        assert new["salesorder_id"] != old["salesorder_id"]
        assert (new["customer_id"], new["date"]) == (old["customer_id"], old["date"])
        assert [(i["item_id"], i["quantity"], i["rate"]) for i in new["line_items"]] == \
            [(i["item_id"], i["quantity"], i["rate"]) for i in old["line_items"]]
    rows = {r["Number or name"]: r for r in read_report(result.report_csv)}
    assert "created again as a new record: Zoho ID" in rows["UD-1"]["Message"]
    assert result.counts["undone"] == 2

    await undo(box, result.job_id)  # undoing that undo deletes the new records again
    assert not {"UD-1", "UD-2"} & {o["salesorder_number"] for o in box.records("salesorders")}


async def test_an_export_or_an_unknown_job_cannot_be_undone_and_says_why(box: CountingSandbox) -> None:
    with pytest.raises(JobError, match="no job 0123456789ab to undo"):
        await undo(box, "0123456789ab")


def test_the_command_asks_for_the_count_and_refuses_an_export_in_plain_words(live_sandbox: Any, tmp_path: Path,
                                                                             data_dir: Path) -> None:
    live = live_sandbox
    sheet = write_csv(tmp_path / "new.csv", CONTACT_HEADERS, [["Cli Undo 1", "C1", ""], ["Cli Undo 2", "C2", ""]])
    made = cli("import", str(sheet), "--entity", "contacts", "--sandbox", live.url, "--json", data=data_dir)
    job = json.loads(made.stdout.strip().splitlines()[-1])["job_id"]

    unasked = cli("undo", job, "--sandbox", live.url, data=data_dir)  # not a terminal, no --yes
    assert unasked.returncode == 2 and "Undo 2 contacts in" in unasked.stderr and "--yes" in unasked.stderr
    assert "Traceback" not in unasked.stderr

    done = cli("undo", job, "--yes", "--sandbox", live.url, "--json", data=data_dir)
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0 and summary["undone"] == 2 and summary["operation"] == "undo"

    exported = cli("export", "contacts", "--out", str(tmp_path / "c.csv"), "--sandbox", live.url, "--json",
                   data=data_dir)
    export_job = json.loads(exported.stdout.strip().splitlines()[-1])["job_id"]
    refused = cli("undo", export_job, "--sandbox", live.url, "--json", data=data_dir)
    assert refused.returncode == 2
    assert "is an export: it changed nothing in Zoho Books" in json.loads(refused.stdout.strip().splitlines()[-1])["error"]


async def test_undo_of_a_line_item_update_puts_each_line_back_as_it_was(
        box: CountingSandbox, tmp_path: Path, clock: Clock) -> None:
    orders = await make_orders(box, tmp_path, ["UL-1", "UL-2"])
    clock.now += 10
    edits = write_csv(tmp_path / "edits.csv", ["Order Number", "Order Date", "Customer Name", "Item Name",
                                               "Quantity", "Rate"],
                      [["UL-1", "2026-03-02", "Zylker Corp", "Laptop Stand", 5, 45],  # quantity 1 -> 5
                       ["UL-1", "2026-03-02", "Zylker Corp", "Wireless Mouse", 2, 20],  # a line added
                       ["UL-2", "2026-03-02", "Zylker Corp", "Laptop Stand", 1, 45]])  # unchanged
    updated = await run_job(box, edits, "salesorders", "update", report_dir=tmp_path / "upd")
    assert (updated.counts["updated"], updated.counts["unchanged"]) == (1, 1)
    changed = next(o for o in box.records("salesorders") if o["salesorder_number"] == "UL-1")
    assert [(i["name"], i["quantity"]) for i in changed["line_items"]] == [("Laptop Stand", 5), ("Wireless Mouse", 2)]
    box.requests.clear()

    result = await undo(box, updated.job_id)

    back = next(o for o in box.records("salesorders") if o["salesorder_number"] == "UL-1")
    old = orders["UL-1"]
    assert [(i["line_item_id"], i["item_id"], i["quantity"], i["rate"]) for i in back["line_items"]] == \
        [(i["line_item_id"], i["item_id"], i["quantity"], i["rate"]) for i in old["line_items"]]  # edited in place
    assert back["total"] == old["total"]
    assert result.counts["undone"] == 1 and box.writes() == 1


async def test_undo_of_a_person_update_restores_the_person_and_says_an_added_one_stays(
        box: CountingSandbox, tmp_path: Path, clock: Clock) -> None:
    headers = ["Display Name", "First Name", "Last Name", "Email", "Phone"]
    made = write_csv(tmp_path / "new.csv", headers, [["Person Co", "Ann", "Lee", "ann@person.example", "111"]])
    await run_job(box, made, "contacts")
    clock.now += 10
    edits = write_csv(tmp_path / "edits.csv", headers, [["Person Co", "Ann", "Lee", "ann@person.example", "222"],
                                                         ["Person Co", "Bo", "Kim", "bo@person.example", "333"]])
    updated = await run_job(box, edits, "contacts", "update", report_dir=tmp_path / "upd")
    assert updated.counts["updated"] == 1
    assert {p["email"]: p["phone"] for p in contacts(box)["Person Co"]["contact_persons"]} == {
        "ann@person.example": "222", "bo@person.example": "333"}

    result = await undo(box, updated.job_id)

    persons = {p["email"]: p["phone"] for p in contacts(box)["Person Co"]["contact_persons"]}
    assert persons["ann@person.example"] == "111"
    message = read_report(result.report_csv)[0]["Message"]
    assert result.counts["undone"] == 1 and "contact person Bo Kim, added by the job, is still there" in message
