"""CRM bulk conversion against the sandbox: each direction, each documented error, calls spent, bodies per crm-oas."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.jobs.converting import ConvertJob
from app.jobs.errors import JobError
from app.zoho import CrmClient, RetryPolicy, Throttle, TokenSource
from tests.jobs.test_convert_env import (
    CrmBox,
    Sent,
    convert,
    order_id,
    quote_id,
    report_rows,
    settings,
    write_rows,
)

APPROVED = [f"QT-{n:05d}" for n in range(1, 11)]
ERRORS = {  # seeded quote -> the code Zoho answers when it is converted to a sales order
    "QT-00026": "NOT_APPROVED",  # approval pending
    "QT-00028": "NOT_APPROVED",  # approval rejected
    "QT-00030": "NOT_REVIEWED",
    "QT-00033": "ID_ALREADY_CONVERTED",
    "QT-00038": "NO_PERMISSION",
    "QT-00039": "AMBIGUITY_DURING_PROCESSING",
}
PLAIN = {  # words each code's message must say
    "NOT_APPROVED": "not been approved",
    "NOT_REVIEWED": "waiting for review",
    "ID_ALREADY_CONVERTED": "already converted",
    "NO_PERMISSION": "may not convert",
    "AMBIGUITY_DURING_PROCESSING": "could not tell which record",
}


@pytest.fixture
def box(tmp_path: Path) -> Iterator[CrmBox]:
    made = CrmBox(tmp_path / "sandbox.sqlite")
    yield made
    made.close()


def by_record(rows: list[dict[str, str]], column: str) -> dict[str, dict[str, str]]:
    return {r[column]: r for r in rows}


@pytest.mark.slow
async def test_quotes_to_sales_orders_with_every_documented_error(box: CrmBox, tmp_path: Path) -> None:
    numbers = APPROVED + list(ERRORS)
    file = write_rows(tmp_path / "quotes.csv", ["Quote Number", "Customer note"],
                      [[n, f"note {i}"] for i, n in enumerate(numbers)])
    before = box.crm.summary()

    result = await convert(box, "Quotes", ("Sales_Orders",), file)

    rows = by_record(report_rows(result), "Quote Number")
    assert list(rows) == numbers
    for number in APPROVED:
        row = rows[number]
        assert row["Status"] == "converted", row
        made = box.made_from("Sales_Orders", row["Record ID"])
        assert [m["id"] for m in made] == [row["Sales Order ID"]]
        assert made[0]["SO_Number"] == row["Sales Order Number"]
        assert row["Record ID"] == quote_id(int(number[3:]))
        assert row["Customer note"]  # the original columns stay
    for number, code in ERRORS.items():
        row = rows[number]
        assert (row["Status"], row["Code"]) == ("failed", code), row
        assert PLAIN[code] in row["Message"], row["Message"]
        assert row["Sales Order ID"] == ""
    assert box.crm.summary()["Sales_Orders"] == before["Sales_Orders"] + len(APPROVED)
    assert result.counts["converted"] == len(APPROVED) and result.counts["failed"] == len(ERRORS)
    assert result.exit_code == 1
    # One mass conversion for all 16; one single convert per record it left, to learn why.
    t = box.transport
    assert t.count("mass_convert") == 1 == result.calls["mass_convert"]
    assert sorted(s.path.split("/")[-3] for s in t.sent if s.kind == "convert") == sorted(
        quote_id(int(n[3:])) for n in ERRORS)
    assert result.calls["single_convert"] == len(ERRORS)
    assert result.calls["status"] == t.count("status") >= 1
    assert result.calls["total"] == len(t.sent)
    assert t.assert_bodies_match_zoho_schemas() == 1 + len(ERRORS)


async def test_quotes_to_invoices_carry_over_tags(box: CrmBox, tmp_path: Path) -> None:
    tagged = [3, 5, 6, 7, 9, 10, 12, 14, 15]  # seeded quotes with tags (multiples of 3, 5, 7)
    file = write_rows(tmp_path / "ids.csv", ["Record Id"], [[quote_id(n)] for n in tagged])

    result = await convert(box, "Quotes", ("Invoices",), file, carry_over_tags=True)

    assert result.exit_code == 0 and result.counts["converted"] == len(tagged)
    for row in report_rows(result):
        invoice = box.record("Invoices", row["Invoice ID"])
        quote = box.record("Quotes", row["Record Id"])
        assert invoice["Quote_Name"]["id"] == quote["id"]
        assert invoice["Tag"] and invoice["Tag"] == quote["Tag"]
        assert row["Invoice Number"] == invoice["Invoice_Number"]
    mass = [s for s in box.transport.sent if s.kind == "mass_convert"]
    assert [e["carry_over_tags"] for s in mass for e in s.body["convert_to"]] == [True]
    assert mass[0].body["convert_to"][0]["module"] == {"api_name": "Invoices", "id": "460000000000105"}
    assert result.calls["single_convert"] == 0
    box.transport.assert_bodies_match_zoho_schemas()


async def test_tags_stay_behind_unless_asked(box: CrmBox, tmp_path: Path) -> None:
    file = write_rows(tmp_path / "ids.csv", ["Record Id"], [[quote_id(n)] for n in (3, 5, 6, 7, 9)])
    result = await convert(box, "Quotes", ("Invoices",), file)
    assert result.exit_code == 0
    for row in report_rows(result):
        assert box.record("Invoices", row["Invoice ID"])["Tag"] == []
    body = next(s.body for s in box.transport.sent if s.kind == "mass_convert")
    assert body["convert_to"][0]["carry_over_tags"] is False


@pytest.mark.slow
async def test_quotes_to_sales_orders_and_invoices_is_two_conversions_each(box: CrmBox, tmp_path: Path) -> None:
    numbers = ["QT-00011", "QT-00012", "QT-00013", "QT-00014", "QT-00015",
               "QT-00033"]  # already has a sales order
    file = write_rows(tmp_path / "q.csv", ["Quote Number"], [[n] for n in numbers])

    result = await convert(box, "Quotes", ("Sales_Orders", "Invoices"), file)

    rows = by_record(report_rows(result), "Quote Number")
    for number in numbers[:5]:
        row = rows[number]
        assert row["Status"] == "converted"
        order = box.record("Sales_Orders", row["Sales Order ID"])
        assert order["Quote_Name"]["id"] == row["Record ID"]
        # the invoice is made from the sales order just made (seed 000: "Sales Orders to Invoices")
        assert box.record("Invoices", row["Invoice ID"])["Sales_Order"]["id"] == row["Sales Order ID"]
        assert row["Sales Order Number"] in row["Message"] and row["Invoice Number"] in row["Message"]
    assert (rows["QT-00033"]["Status"], rows["QT-00033"]["Code"]) == ("failed", "ID_ALREADY_CONVERTED")
    assert "already converted to a sales order" in rows["QT-00033"]["Message"]
    assert rows["QT-00033"]["Invoice ID"] == ""
    masses = [s for s in box.transport.sent if s.kind == "mass_convert"]
    assert [(s.path, [e["module"]["api_name"] for e in s.body["convert_to"]]) for s in masses] == [
        ("/crm/v8/Quotes/actions/mass_convert", ["Sales_Orders"]),
        ("/crm/v8/Sales_Orders/actions/mass_convert", ["Invoices"])]
    assert sorted(masses[1].body["ids"]) == sorted(rows[n]["Sales Order ID"] for n in numbers[:5])
    assert all("carry_over_tags" not in e for s in box.transport.sent if s.kind == "convert"
               for e in s.body["data"][0]["convert_to"])
    assert box.transport.assert_bodies_match_zoho_schemas() == 3  # two mass conversions, one single (QT-00033)


async def test_a_chain_whose_second_conversion_fails_reports_both(box: CrmBox, tmp_path: Path) -> None:
    box.crm.disabled_modules.add("Invoices")
    file = write_rows(tmp_path / "q.csv", ["Quote Number"], [["QT-00011"]])

    result = await convert(box, "Quotes", ("Sales_Orders", "Invoices"), file)

    row = report_rows(result)[0]
    assert (row["Status"], row["Code"]) == ("failed", "NO_PERMISSION")
    assert box.record("Sales_Orders", row["Sales Order ID"])["Quote_Name"]["id"] == row["Record ID"]
    assert row["Message"].startswith("sales order ") and "the invoice was not" in row["Message"]
    converts = [s for s in box.transport.sent if s.kind == "convert"]
    assert [(s.path.split("/")[3], s.body["data"][0]["convert_to"][0]["module"]["api_name"]) for s in converts] == [
        ("Quotes", "Sales_Orders"), ("Sales_Orders", "Invoices")]
    assert result.exit_code == 1


@pytest.mark.slow
async def test_sales_orders_to_invoices_with_every_documented_error(box: CrmBox, tmp_path: Path) -> None:
    approved = ["SO-00005", "SO-00006", "SO-00007", "SO-00008"]
    errors = {"SO-00009": "NOT_APPROVED", "SO-00010": "NOT_REVIEWED", "SO-00011": "ID_ALREADY_CONVERTED",
              "SO-00012": "NO_PERMISSION"}
    file = write_rows(tmp_path / "so.csv", ["SO Number"], [[n] for n in [*approved, *errors]])

    result = await convert(box, "Sales_Orders", ("Invoices",), file)

    rows = by_record(report_rows(result), "SO Number")
    for number in approved:
        invoice = box.record("Invoices", rows[number]["Invoice ID"])
        assert invoice["Sales_Order"]["id"] == order_id(int(number[3:])) == rows[number]["Record ID"]
        assert rows[number]["Sales Order ID"] == ""
    for number, code in errors.items():
        assert (rows[number]["Status"], rows[number]["Code"]) == ("failed", code)
        assert PLAIN[code] in rows[number]["Message"]
        assert "sales order" in rows[number]["Message"] or code == "NO_PERMISSION"
    assert result.calls["mass_convert"] == 1 and result.calls["single_convert"] == len(errors)
    assert all(s.path.startswith("/crm/v8/Sales_Orders/") for s in box.transport.sent
               if s.kind in ("convert", "mass_convert", "status"))
    box.transport.assert_bodies_match_zoho_schemas()


async def test_a_few_records_go_as_single_converts(box: CrmBox, tmp_path: Path) -> None:
    file = write_rows(tmp_path / "few.csv", ["Quote Id"], [[quote_id(n)] for n in (16, 17, 26)])

    result = await convert(box, "Quotes", ("Sales_Orders",), file)

    assert box.transport.count("mass_convert") == 0 and box.transport.count("status") == 0
    assert box.transport.count("convert") == 3
    rows = report_rows(result)
    assert [r["Status"] for r in rows] == ["converted", "converted", "failed"]
    assert box.record("Sales_Orders", rows[0]["Sales Order ID"])["Quote_Name"]["id"] == quote_id(16)
    assert rows[2]["Code"] == "NOT_APPROVED"
    # Without a listing: a single convert names the records it made.
    assert not [s for s in box.transport.sent if s.path == "/crm/v8/Sales_Orders"]
    box.transport.assert_bodies_match_zoho_schemas()


async def test_invalid_rows_cost_no_call(box: CrmBox, tmp_path: Path) -> None:
    rows = [
        ["QT-00018", ""],
        ["QT-09999", ""],  # no such number
        [quote_id(18), ""],  # the same quote as the first row, by ID
        ["hello", ""],  # not an ID or number
        ["QT-00019", "Purchase order"],  # not a module to convert to
        ["QT-00020", "Quote"],
        ["", "Invoices"],  # no record named
        ["QT-00021", "Invoices"],
        [4.600000001000221e17, ""],  # an 18-digit ID that Excel kept as a number
    ]
    file = write_rows(tmp_path / "mixed.csv", ["Quote Number", "Convert To"], rows)

    result = await convert(box, "Quotes", ("Sales_Orders",), file)

    out = report_rows(result)
    assert [r["Status"] for r in out] == ["converted", "invalid", "invalid", "invalid", "invalid", "invalid",
                                          "invalid", "converted", "invalid"]
    assert "no quote numbered QT-09999" in out[1]["Message"]
    assert "same record as row 2" in out[2]["Message"]
    assert "not a record ID or number" in out[3]["Message"]
    assert "Purchase order" in out[4]["Message"] and "column \"Convert To\"" in out[4]["Message"]
    assert "Quote" in out[5]["Message"]
    assert "empty" in out[6]["Message"]
    assert "digits" in out[8]["Message"] and "Excel" in out[8]["Message"]
    assert box.record("Invoices", out[7]["Invoice ID"])["Quote_Name"]["id"] == quote_id(21)
    assert out[7]["Sales Order ID"] == ""
    assert sorted(box.transport.converted_ids()) == [quote_id(18), quote_id(21)]
    assert result.counts["invalid"] == 7 and result.exit_code == 1


@pytest.mark.slow
async def test_rows_with_their_own_targets_are_grouped(box: CrmBox, tmp_path: Path) -> None:
    to_orders = [[f"QT-{n:05d}", ""] for n in range(1, 7)]
    to_invoices = [[f"QT-{n:05d}", "invoice"] for n in range(7, 13)]
    to_both = [[f"QT-{n:05d}", "Sales Order, Invoice"] for n in range(13, 15)]
    file = write_rows(tmp_path / "t.csv", ["Quote", "Convert To"], [*to_orders, *to_invoices, *to_both])

    result = await convert(box, "Quotes", ("Sales_Orders",), file)

    assert result.exit_code == 0 and result.counts["converted"] == 14
    mass = sorted(([e["module"]["api_name"] for e in s.body["convert_to"]], len(s.body["ids"]))
                  for s in box.transport.sent if s.kind == "mass_convert")
    # one module per call: the two rows for both join the sales-order batch, then their own sales
    # orders become invoices, a group of two, cheaper singly
    assert mass == [(["Invoices"], 6), (["Sales_Orders"], 8)]
    assert [s.path.split("/")[3] for s in box.transport.sent if s.kind == "convert"] == ["Sales_Orders"] * 2
    out = report_rows(result)
    assert all(r["Sales Order ID"] and not r["Invoice ID"] for r in out[:6])
    assert all(r["Invoice ID"] and not r["Sales Order ID"] for r in out[6:12])
    assert all(r["Invoice ID"] and r["Sales Order ID"] for r in out[12:])
    box.transport.assert_bodies_match_zoho_schemas()


async def test_pasted_list_of_ids_and_numbers(box: CrmBox, tmp_path: Path) -> None:
    text = f"QT-00022\n{quote_id(23)}, zcrm_{quote_id(24)}\n qt-00025 \n"
    result = await convert(box, "Quotes", ("Sales_Orders",), None, text=text, report_dir=tmp_path / "r")
    assert result.exit_code == 0 and result.counts["converted"] == 4
    assert [r["Record ID"] for r in report_rows(result)] == [quote_id(n) for n in (22, 23, 24, 25)]
    assert result.report is not None and result.report.parent == tmp_path / "r"


async def test_disabled_module_fails_the_batch_with_one_call(box: CrmBox, tmp_path: Path) -> None:
    box.crm.disabled_modules.add("Sales_Orders")
    file = write_rows(tmp_path / "q.csv", ["Quote Number"], [[n] for n in APPROVED])

    result = await convert(box, "Quotes", ("Sales_Orders",), file)

    rows = report_rows(result)
    assert {(r["Status"], r["Code"], r["HTTP status"]) for r in rows} == {("failed", "NO_PERMISSION", "403")}
    assert "administrator" in rows[0]["Message"]
    assert box.transport.count("mass_convert") == 1 and box.transport.count("convert") == 0


@pytest.mark.slow
async def test_status_polled_until_the_job_completes(box: CrmBox, tmp_path: Path) -> None:
    box.crm.mass_convert_polls = 4
    file = write_rows(tmp_path / "q.csv", ["Quote Number"], [[n] for n in APPROVED])
    result = await convert(box, "Quotes", ("Sales_Orders",), file)
    assert result.counts["converted"] == len(APPROVED)
    assert result.calls["status"] == box.transport.count("status") == 5  # four IN PROGRESS, then COMPLETED
    assert result.calls["single_convert"] == 0


async def test_concurrency_stays_within_crm_limit(tmp_path: Path) -> None:
    box = CrmBox(tmp_path / "s.sqlite", latency_ms=30)
    try:
        box.crm.concurrency = 10  # the sandbox refuses an 11th request at once with TOO_MANY_REQUESTS
        file = write_rows(tmp_path / "q.csv", ["Quote Number"], [[f"QT-{n:05d}"] for n in range(1, 41)])
        client = CrmClient.for_sandbox("http://sandbox.test", transport=box.transport,
                                       throttle=Throttle(calls=100_000, concurrency=10, daily_quota=None))
        job = ConvertJob(settings(box, "Quotes", ("Invoices",), file, mass_min=50, workers=25), client=client)
        async with client:
            result = await job.run()
        assert box.transport.count("convert") == 40  # every record singly, failures too
        assert 1 < box.transport.most_in_flight <= 10
        assert result.calls["rate_limited"] == 0 and result.counts["converted"] == 29  # QT-00001..25, 33..35, 40
    finally:
        box.close()


async def test_plan_counts_before_anything_is_converted(box: CrmBox, tmp_path: Path) -> None:
    numbers = [f"QT-{n:05d}" for n in range(1, 26)] + ["QT-00040", "QT-09999"]
    file = write_rows(tmp_path / "q.csv", ["Quote Number"], [[n] for n in numbers])
    job = ConvertJob(settings(box, "Quotes", ("Sales_Orders",), file, mass_min=5))
    plan = await job.plan()
    try:
        assert (plan.rows, plan.invalid, plan.to_convert) == (27, 1, 26)
        assert (plan.mass_calls, plan.single_calls) == (1, 0)
        assert plan.lookup_calls == 2  # module IDs, one page of quote numbers
        assert box.transport.count("mass_convert") == box.transport.count("convert") == 0
        assert any("1 mass conversions" in line for line in plan.lines())
    finally:
        await job.close()


@pytest.mark.slow
async def test_no_list_pages_when_the_mass_conversion_made_nothing(box: CrmBox, tmp_path: Path) -> None:
    file = write_rows(tmp_path / "q.csv", ["Quote Number"], [[f"QT-{n:05d}"] for n in range(26, 33)])

    result = await convert(box, "Quotes", ("Sales_Orders",), file)

    assert [r["Code"] for r in report_rows(result)] == ["NOT_APPROVED"] * 4 + ["NOT_REVIEWED"] * 3
    assert not [s for s in box.transport.sent if s.path == "/crm/v8/Sales_Orders"]  # its count said 0
    assert result.calls["lookup"] == 2  # module IDs and the page of quote numbers
    assert (result.calls["mass_convert"], result.calls["single_convert"]) == (1, 7)


async def test_ids_of_no_quote_or_of_another_module(box: CrmBox, tmp_path: Path) -> None:
    file = write_rows(tmp_path / "ids.csv", ["Record Id"], [
        [quote_id(1)], [quote_id(2)], [quote_id(3)], [quote_id(4)],
        ["460000000199999"],  # no record at all
        [order_id(5)],  # a sales order, not a quote
    ])

    result = await convert(box, "Quotes", ("Sales_Orders",), file)

    rows = report_rows(result)
    assert [r["Status"] for r in rows] == ["converted"] * 4 + ["failed", "failed"]
    assert rows[4]["Code"] == "INVALID_DATA" and "no quote with this ID" in rows[4]["Message"]
    assert rows[5]["Code"] == "AMBIGUITY_DURING_PROCESSING" and "Quotes module" in rows[5]["Message"]
    assert box.record("Sales_Orders", order_id(5))["$converted"] is False
    box.transport.assert_bodies_match_zoho_schemas()


@pytest.mark.slow
async def test_internal_error_is_plain_and_retried_on_the_next_run(box: CrmBox, tmp_path: Path) -> None:
    broken = {"code": "INTERNAL_ERROR", "details": {}, "message": "Internal Server Error", "status": "error"}

    def zoho_fails_on_quote_2(sent: Sent) -> httpx.Response | None:
        if sent.kind == "convert" and quote_id(2) in sent.path:
            return httpx.Response(500, json=broken)
        return None

    box.transport.answer_with = zoho_fails_on_quote_2
    file = write_rows(tmp_path / "q.csv", ["Quote Number"], [["QT-00001"], ["QT-00002"]])
    client = CrmClient("http://sandbox.test", TokenSource.for_sandbox("http://sandbox.test", box.transport),
                       transport=box.transport, retry=RetryPolicy(attempts=2, base_s=0.001, cap_s=0.001))

    async with client:
        first = await ConvertJob(settings(box, "Quotes", ("Invoices",), file), client=client).run()

    rows = report_rows(first)
    assert (rows[1]["Status"], rows[1]["Code"], rows[1]["HTTP status"]) == ("in doubt", "INTERNAL_ERROR", "500")
    # a 500 to a conversion proves nothing either way (the answer may come after the commit): plainly a failure to run again
    assert "run the same file again" in rows[1]["Message"] and "Traceback" not in rows[1]["Message"]
    assert box.transport.converted_ids().count(quote_id(2)) >= 2  # asked again (after looking for a record made)
    box.transport.answer_with = None
    box.transport.sent.clear()

    second = await convert(box, "Quotes", ("Invoices",), file)

    assert [r["Status"] for r in report_rows(second)] == ["converted", "converted"]
    assert box.transport.converted_ids() == [quote_id(2)]


async def test_refused_sign_in_sends_nothing(box: CrmBox, tmp_path: Path) -> None:
    file = write_rows(tmp_path / "q.csv", ["Quote Number"], [["QT-00001"]])
    tokens = TokenSource("http://sandbox.test/oauth/v2/token", "sandbox-client", "not-the-secret", "sandbox-refresh",
                         transport=box.transport)
    client = CrmClient("http://sandbox.test", tokens, transport=box.transport)
    async with client:
        with pytest.raises(JobError, match="Signing in failed"):
            await ConvertJob(settings(box, "Quotes", ("Invoices",), file), client=client).run()
    assert box.transport.count("convert") == box.transport.count("mass_convert") == 0


async def test_the_plan_claims_nothing_settled_before_zoho_is_asked(box: CrmBox, tmp_path: Path) -> None:
    file = write_rows(tmp_path / "q.csv", ["Quote Number"], [["QT-00011"], ["QT-00033"]])  # QT-00033 converted before
    job = ConvertJob(settings(box, "Quotes", ("Sales_Orders", "Invoices"), file))
    try:
        first = "\n".join((await job.plan()).lines())
    finally:
        await job.close()
    assert "settled" not in first  # whether Zoho converted QT-00033 before is known only once it is asked
    assert "2 to convert; 2 of them need two conversions" in first
    assert "Zoho carries them over on a single conversion whatever is asked" in first  # said, not hidden
    result = await convert(box, "Quotes", ("Sales_Orders", "Invoices"), file)
    again = ConvertJob(settings(box, "Quotes", ("Sales_Orders", "Invoices"), file, job_id=result.job_id))
    try:
        resumed = "\n".join((await again.plan()).lines())
    finally:
        await again.close()
    assert "2 settled by an earlier run, 0 to convert" in resumed


@pytest.mark.slow
async def test_a_rerun_goes_on_from_the_sales_order_made_and_never_converts_the_quote_again(
        box: CrmBox, tmp_path: Path) -> None:
    box.crm.disabled_modules.add("Invoices")  # the second conversions are refused (NO_PERMISSION)
    numbers = [f"QT-{n:05d}" for n in range(11, 19)]
    file = write_rows(tmp_path / "q.csv", ["Quote Number"], [[n] for n in numbers])
    first = await convert(box, "Quotes", ("Sales_Orders", "Invoices"), file)
    orders = {r["Record ID"]: r["Sales Order ID"] for r in report_rows(first)}
    assert first.counts["failed"] == 8 and all(orders.values())
    box.crm.disabled_modules.clear()  # an administrator allows Convert for Invoices
    box.transport.sent.clear()

    second = await convert(box, "Quotes", ("Sales_Orders", "Invoices"), file)

    rows = report_rows(second)
    assert [r["Status"] for r in rows] == ["converted"] * 8
    assert {r["Record ID"]: r["Sales Order ID"] for r in rows} == orders  # the same sales orders
    for row in rows:
        assert box.record("Invoices", row["Invoice ID"])["Sales_Order"]["id"] == row["Sales Order ID"]
        assert len(box.made_from("Sales_Orders", row["Record ID"])) == 1
    sent = [s for s in box.transport.sent if s.kind in ("convert", "mass_convert")]
    assert sent and all(s.path.startswith("/crm/v8/Sales_Orders/") for s in sent)
