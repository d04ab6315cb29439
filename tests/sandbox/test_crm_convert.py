"""Sandbox CRM v8 convert and mass_convert, checked against seed 000, Zoho's crm-oas schemas and the written contract.

Request bodies are judged by tests.contract.kinds (the contract the client is held to): each body
the contract accepts is accepted by the sandbox, and each documented violation is refused as Zoho
refuses it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft7Validator

from app.sandbox.crm import CrmStore
from tests.contract import kinds

SCHEMAS = Path(__file__).resolve().parents[2] / "app" / "sandbox" / "crm_schemas"
SALES_ORDERS_MODULE_ID = "460000000000103"
INVOICES_MODULE_ID = "460000000000105"
QUOTES_MODULE_ID = "460000000000101"
MODULE_IDS = {"Sales_Orders": SALES_ORDERS_MODULE_ID, "Invoices": INVOICES_MODULE_ID, "Quotes": QUOTES_MODULE_ID}
ITEMS = {"Quotes": "Quoted_Items", "Sales_Orders": "Ordered_Items", "Invoices": "Invoiced_Items"}


# --- Zoho's schemas -------------------------------------------------------------------------------


def _load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _relax(node: Any) -> Any:
    """crm-oas (OpenAPI 3.0) as JSON Schema that can tell answers apart.

    `nullable` becomes a null type. crm-oas answer alternatives overlap (no required keys), so
    `oneOf` can never hold: it becomes `anyOf`, and each answer object requires the keys it
    lists (`code`, `details`, `message`, `status`; `data` for wrappers), which is what makes the
    alternatives distinct. `message` enums are dropped: crm-oas copies "id already converted"
    into unrelated errors (NOT_APPROVED, NO_PERMISSION...). Request bodies are never touched
    by the last two rules (their objects have no `code` or lone `data`).
    """
    if isinstance(node, list):
        return [_relax(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {("anyOf" if k == "oneOf" else k): _relax(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True and isinstance(node.get("type"), str):
        out["type"] = [node["type"], "null"]
    properties = out.get("properties")
    if isinstance(properties, dict):
        if {"code", "status"} <= set(properties):
            out["required"] = sorted(properties)
            if isinstance(properties.get("message"), dict):
                properties["message"] = {k: v for k, v in properties["message"].items() if k != "enum"}
        elif set(properties) == {"data"}:
            out["required"] = ["data"]
    return out


CONVERT_DOC = _relax(_load("inventory_convert.json"))
MASS_DOC = _relax(_load("inventory_mass_convert.json"))
CONVERT_PATH = "#/paths/~1crm~1v8~1{module_api_name}~1{id}~1actions~1convert/post"
MASS_PATH = "#/paths/~1crm~1v8~1{module_api_name}~1actions~1mass_convert"


def _validator(document: dict[str, Any], ref: str) -> Draft7Validator:
    return Draft7Validator({"$ref": ref, "components": document["components"], "paths": document["paths"]})


CONVERT_BODY = Draft7Validator(kinds.CONVERT_BODY)  # crm-oas v8 inventory_convert.yaml, as the contract has it
MASS_BODY = Draft7Validator(kinds.MASS_CONVERT_BODY)


def assert_convert_answer(response: httpx.Response) -> None:
    """The answer matches the crm-oas convert response schema for its status."""
    ref = f"{CONVERT_PATH}/responses/{response.status_code}/content/application~1json/schema"
    _validator(CONVERT_DOC, ref).validate(response.json())


def assert_mass_answer(response: httpx.Response, method: str) -> None:
    name = {("post", 202): "SuccessResponse", ("post", 400): "ErrorResponse",
            ("get", 200): "Status", ("get", 400): "RErrorResponse"}[(method, response.status_code)]
    ref = f"#/components/responses/{name}/content/application~1json/schema"
    _validator(MASS_DOC, ref).validate(response.json())


def target(module: str, **more: Any) -> dict[str, Any]:
    return {"module": {"api_name": module, "id": MODULE_IDS[module]}, **more}


def wrapped(*entries: Any) -> dict[str, Any]:
    """crm-oas v8's convert body around `convert_to` entries: {"data": [{"convert_to": [...]}]}."""
    return {"data": [{"convert_to": list(entries)}]}


def convert_body(module: str, carry_over_tags: bool | None = None) -> dict[str, Any]:
    """A convert body the contract accepts: one module, carry_over_tags true or left out."""
    body = wrapped(target(module) if carry_over_tags is None else target(module, carry_over_tags=carry_over_tags))
    CONVERT_BODY.validate(body)
    return body


def mass_body(ids: list[str], module: str, carry_over_tags: bool = True, **extra: Any) -> dict[str, Any]:
    body = {"ids": ids, "convert_to": [target(module, carry_over_tags=carry_over_tags)], **extra}
    MASS_BODY.validate(body)
    return body


def quote(n: int) -> str:
    return str(460000000100000 + n)


def order(n: int) -> str:
    return str(460000000200000 + n)


# --- sandbox --------------------------------------------------------------------------------------


@dataclass
class Crm:
    client: httpx.AsyncClient
    store: CrmStore

    async def record(self, module: str, record_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/{module}/{record_id}")
        assert response.status_code == 200, response.text
        return response.json()["data"][0]

    async def convert(self, module: str, record_id: str, body: Any) -> httpx.Response:
        response = await self.client.post(f"/{module}/{record_id}/actions/convert", json=body)
        if response.status_code in (200, 400, 403):
            assert_convert_answer(response)
        return response

    async def all(self, module: str, fields: str) -> list[dict[str, Any]]:
        records, page = [], 1
        while True:
            response = await self.client.get(f"/{module}", params={"fields": fields, "page": page, "per_page": 200})
            if response.status_code == 204:
                return records
            records.extend(response.json()["data"])
            if not response.json()["info"]["more_records"]:
                return records
            page += 1

    async def schedule(self, module: str, body: dict[str, Any]) -> str:
        response = await self.client.post(f"/{module}/actions/mass_convert", json=body)
        assert response.status_code == 202, response.text
        assert_mass_answer(response, "post")
        return response.json()["details"]["job_id"]

    async def status(self, module: str, job_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/{module}/actions/mass_convert", params={"job_id": job_id})
        assert response.status_code == 200, response.text
        assert_mass_answer(response, "get")
        return response.json()

    async def until_done(self, module: str, job_id: str) -> tuple[dict[str, Any], int]:
        for polls in range(1, 100):
            status = await self.status(module, job_id)
            if status["status"] == "COMPLETED":
                return status, polls
        raise AssertionError("job never completed")


@pytest.fixture
async def crm(sandbox: Any) -> AsyncIterator[Crm]:
    """The whole sandbox in-process (auth gate included), spoken to at its CRM base URL."""
    headers = {"Authorization": f"Zoho-oauthtoken {sandbox.token()}"}
    base_url = f"{sandbox.url}/crm/v8"
    async with httpx.AsyncClient(transport=sandbox.transport, base_url=base_url, headers=headers) as client:
        yield Crm(client, sandbox.app.state.crm)


def _without_ids(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in item.items() if k != "id"} for item in items]


# --- single convert: each direction ---------------------------------------------------------------


async def test_quote_to_sales_order_points_back_and_carries_lines_and_tags(crm: Crm) -> None:
    source = await crm.record("Quotes", quote(15))
    assert [t["name"] for t in source["Tag"]] == ["Priority", "Renewal"]
    response = await crm.convert("Quotes", quote(15), convert_body("Sales_Orders"))
    assert response.status_code == 200
    answer = response.json()["data"][0]
    assert answer["code"] == "SUCCESS" and list(answer["details"]) == ["Sales_Orders"]
    made = await crm.record("Sales_Orders", answer["details"]["Sales_Orders"]["id"])
    assert made["Quote_Name"] == {"id": quote(15), "name": source["Subject"]}
    assert answer["details"]["Sales_Orders"]["name"] == source["Subject"] == made["Subject"]
    assert _without_ids(made["Ordered_Items"]) == _without_ids(source["Quoted_Items"])
    assert {i["id"] for i in made["Ordered_Items"]}.isdisjoint(i["id"] for i in source["Quoted_Items"])
    assert made["Tag"] == source["Tag"]
    assert made["Account_Name"] == source["Account_Name"] and made["Grand_Total"] == source["Grand_Total"]
    assert made["SO_Number"] == "SO-00013"
    after = await crm.record("Quotes", quote(15))
    assert after["$converted"] is True
    assert after["$converted_detail"] == {"Sales_Orders": answer["details"]["Sales_Orders"]}


async def test_quote_to_invoice_carries_tags_when_the_body_leaves_them_out(crm: Crm) -> None:
    source = await crm.record("Quotes", quote(21))
    assert source["Tag"], "QT-00021 is seeded with tags"
    response = await crm.convert("Quotes", quote(21), convert_body("Invoices"))
    assert response.status_code == 200
    invoice = await crm.record("Invoices", response.json()["data"][0]["details"]["Invoices"]["id"])
    assert invoice["Quote_Name"] == {"id": quote(21), "name": source["Subject"]}
    assert invoice["Sales_Order"] is None
    assert invoice["Tag"] == source["Tag"], "seed 000: upon conversion, the tags will be carried over"
    assert _without_ids(invoice["Invoiced_Items"]) == _without_ids(source["Quoted_Items"])
    assert invoice["Invoice_Number"] == "INV-00006"


async def test_carry_over_tags_false_is_not_allowed_and_two_modules_are_invalid_data(crm: Crm) -> None:
    no_tags = await crm.convert("Quotes", quote(5), wrapped(target("Sales_Orders", carry_over_tags=False)))
    both = await crm.convert("Quotes", quote(5), wrapped(target("Sales_Orders"), target("Invoices")))
    assert not CONVERT_BODY.is_valid(wrapped(target("Sales_Orders", carry_over_tags=False)))
    assert (no_tags.status_code, both.status_code) == (400, 400)
    refusal = no_tags.json()["data"][0]
    assert refusal["code"] == "NOT_ALLOWED"
    assert refusal["details"]["json_path"] == "$.data[0].convert_to[0].carry_over_tags"
    assert both.json()["data"][0]["code"] == "INVALID_DATA"  # seed 000: one module for conversion per action
    assert both.json()["data"][0]["details"] == {"api_name": "convert_to", "json_path": "$.data[0].convert_to"}
    assert (await crm.record("Quotes", quote(5)))["$converted"] is False


async def test_the_contract_example_and_every_body_the_client_sends_are_accepted(crm: Crm) -> None:
    example = kinds.CONVERT_BODY["examples"][0]
    example["data"][0]["convert_to"][0]["module"]["id"] = SALES_ORDERS_MODULE_ID  # the sandbox's module ID
    assert (await crm.convert("Quotes", quote(5), example)).status_code == 200
    tagged = convert_body("Invoices", carry_over_tags=True)
    assert (await crm.convert("Quotes", quote(6), tagged)).status_code == 200


async def test_sales_order_to_invoice_points_to_sales_order(crm: Crm) -> None:
    source = await crm.record("Sales_Orders", order(5))
    response = await crm.convert("Sales_Orders", order(5), convert_body("Invoices"))
    assert response.status_code == 200
    invoice = await crm.record("Invoices", response.json()["data"][0]["details"]["Invoices"]["id"])
    assert invoice["Sales_Order"] == {"id": order(5), "name": source["Subject"]}
    assert invoice["Quote_Name"] is None
    assert _without_ids(invoice["Invoiced_Items"]) == _without_ids(source["Ordered_Items"])


async def test_quote_converted_to_sales_order_can_still_become_an_invoice(crm: Crm) -> None:
    assert (await crm.convert("Quotes", quote(33), convert_body("Sales_Orders"))).json()["code"] == "ID_ALREADY_CONVERTED"
    response = await crm.convert("Quotes", quote(33), convert_body("Invoices"))
    assert response.status_code == 200
    detail = (await crm.record("Quotes", quote(33)))["$converted_detail"]
    assert set(detail) == {"Sales_Orders", "Invoices"}


async def test_converted_records_are_found_by_listing_back_pointers(crm: Crm) -> None:
    made = {}
    for n in (1, 2, 3):
        response = await crm.convert("Quotes", quote(n), convert_body("Sales_Orders"))
        made[quote(n)] = response.json()["data"][0]["details"]["Sales_Orders"]["id"]
    listed = await crm.all("Sales_Orders", "Quote_Name,SO_Number")
    pointing = {r["Quote_Name"]["id"]: r["id"] for r in listed if r["Quote_Name"]}
    assert {q: pointing[q] for q in made} == made
    assert {quote(33), quote(34), quote(35), quote(37)} <= set(pointing), "seeded conversions point back too"


# --- single convert: every documented error -------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "record_id", "targets", "status", "code"),
    [
        ("Quotes", quote(26), ("Sales_Orders",), 400, "NOT_APPROVED"),
        ("Quotes", quote(28), ("Invoices",), 400, "NOT_APPROVED"),
        ("Sales_Orders", order(9), ("Invoices",), 400, "NOT_APPROVED"),
        ("Quotes", quote(30), ("Sales_Orders",), 400, "NOT_REVIEWED"),
        ("Sales_Orders", order(10), ("Invoices",), 400, "NOT_REVIEWED"),
        ("Quotes", quote(34), ("Sales_Orders",), 400, "ID_ALREADY_CONVERTED"),
        ("Quotes", quote(36), ("Invoices",), 400, "ID_ALREADY_CONVERTED"),
        ("Quotes", quote(37), ("Invoices",), 400, "ID_ALREADY_CONVERTED"),
        ("Sales_Orders", order(11), ("Invoices",), 400, "ID_ALREADY_CONVERTED"),
        ("Quotes", quote(38), ("Sales_Orders",), 403, "NO_PERMISSION"),
        ("Sales_Orders", order(12), ("Invoices",), 403, "NO_PERMISSION"),
    ],
)
async def test_record_state_errors_come_bare(crm: Crm, module: str, record_id: str, targets: tuple[str, ...],
                                             status: int, code: str) -> None:
    before = len(await crm.all(targets[0], "Subject"))
    response = await crm.convert(module, record_id, convert_body(*targets))  # one module each
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["status"] == "error"
    assert response.json()["details"] == {"resource_path_index": 1}
    assert len(await crm.all(targets[0], "Subject")) == before, "a refused conversion creates nothing"


async def test_converting_twice_is_already_converted(crm: Crm) -> None:
    assert (await crm.convert("Quotes", quote(7), convert_body("Invoices"))).status_code == 200
    again = await crm.convert("Quotes", quote(7), convert_body("Invoices"))
    assert (again.status_code, again.json()["code"]) == (400, "ID_ALREADY_CONVERTED")


async def test_ambiguity_from_seeded_record_module_id_and_foreign_record(crm: Crm) -> None:
    seeded = await crm.convert("Quotes", quote(39), convert_body("Sales_Orders"))
    mixed = wrapped({"module": {"api_name": "Sales_Orders", "id": INVOICES_MODULE_ID}})
    CONVERT_BODY.validate(mixed)
    wrong_module_id = await crm.convert("Quotes", quote(1), mixed)
    foreign = await crm.convert("Quotes", order(5), convert_body("Sales_Orders"))
    for response in (seeded, wrong_module_id, foreign):
        assert response.status_code == 400
        assert response.json()["data"][0]["code"] == "AMBIGUITY_DURING_PROCESSING"
    paths = [d["json_path"] for d in wrong_module_id.json()["data"][0]["details"]["ambiguity_due_to"]]
    assert paths == ["$.data[0].convert_to[0].module.api_name", "$.data[0].convert_to[0].module.id"]


async def test_disabled_module_is_no_permission(crm: Crm) -> None:
    crm.store.disabled_modules.add("Invoices")
    response = await crm.convert("Quotes", quote(2), convert_body("Invoices"))
    assert response.status_code == 403
    assert response.json()["code"] == "NO_PERMISSION"
    assert response.json()["details"]["api_name"] == "Invoices"
    assert (await crm.convert("Quotes", quote(2), convert_body("Sales_Orders"))).status_code == 200


INVOICES = {"api_name": "Invoices", "id": INVOICES_MODULE_ID}
AT = "$.data[0].convert_to"


@pytest.mark.parametrize(
    ("body", "schema_valid", "code", "details"),
    [
        ({}, False, "MANDATORY_NOT_FOUND", {"api_name": "data", "json_path": "$.data"}),
        ({"data": []}, False, "EXPECTED_FIELD_MISSING",
         {"expected_fields": [{"api_name": "data", "json_path": "$.data"}]}),
        ({"data": [{}]}, False, "MANDATORY_NOT_FOUND", {"api_name": "convert_to", "json_path": AT}),
        (wrapped({}), False, "MANDATORY_NOT_FOUND", {"api_name": "module", "json_path": f"{AT}[0].module"}),
        (wrapped({"module": {"api_name": "Invoices"}}), False, "MANDATORY_NOT_FOUND",
         {"api_name": "id", "json_path": f"{AT}[0].module.id"}),
        (wrapped(), False, "EXPECTED_FIELD_MISSING", {"expected_fields": [{"api_name": "convert_to", "json_path": AT}]}),
        ({"data": {"convert_to": []}}, False, "INVALID_DATA",
         {"api_name": "data", "json_path": "$.data", "expected_data_type": "jsonarray"}),
        ({"data": [{"convert_to": {"module": {}}}]}, False, "INVALID_DATA",
         {"api_name": "convert_to", "json_path": AT, "expected_data_type": "jsonarray"}),
        (wrapped({"module": "Invoices"}), False, "INVALID_DATA",
         {"api_name": "module", "json_path": f"{AT}[0].module", "expected_data_type": "jsonobject"}),
        (wrapped({"module": {"api_name": "Invoices", "id": 460000000000105}}), False, "INVALID_DATA",
         {"api_name": "id", "json_path": f"{AT}[0].module.id", "expected_data_type": "string"}),
        (wrapped({"module": {"api_name": "Invoices", "id": "1" * 256}}), False, "INVALID_DATA",
         {"api_name": "id", "json_path": f"{AT}[0].module.id", "maximum_length": 255}),
        (wrapped({"module": INVOICES, "carry_over_tags": "yes"}), False, "INVALID_DATA",
         {"api_name": "carry_over_tags", "json_path": f"{AT}[0].carry_over_tags", "expected_data_type": "boolean"}),
        (wrapped({"module": INVOICES, "carry_over_tags": False}), False, "NOT_ALLOWED",
         {"api_name": "carry_over_tags", "json_path": f"{AT}[0].carry_over_tags",
          "reason": "carry_over_tags can only be true"}),
        (wrapped({"module": INVOICES}, {"module": {"api_name": "Sales_Orders", "id": SALES_ORDERS_MODULE_ID}}),
         False, "INVALID_DATA", {"api_name": "convert_to", "json_path": AT}),
        ({"data": [{"convert_to": [{"module": INVOICES}]}] * 2}, False, "INVALID_DATA",
         {"api_name": "data", "json_path": "$.data"}),
        (wrapped({"module": {"api_name": "Deals", "id": INVOICES_MODULE_ID}}), False, "INVALID_DATA",
         {"api_name": "api_name", "json_path": f"{AT}[0].module.api_name",
          "supported_values": ["Sales_Orders", "Invoices"]}),
        (wrapped({"module": {"api_name": "Invoices", "id": "123"}}), True, "INVALID_DATA",
         {"api_name": "id", "json_path": f"{AT}[0].module.id"}),
        ({**wrapped({"module": INVOICES}), "note": "extra"}, False, "INVALID_DATA",
         {"api_name": "note", "json_path": "$.note"}),
        (wrapped({"module": {**INVOICES, "name": "Invoices"}}), False, "INVALID_DATA",
         {"api_name": "name", "json_path": f"{AT}[0].module.name"}),
        ({"convert_to": [{"module": INVOICES}]}, False, "MANDATORY_NOT_FOUND", {"api_name": "data", "json_path": "$.data"}),
        ([], False, "INVALID_DATA", {"json_path": "$", "expected_data_type": "jsonobject"}),
    ],
)
async def test_body_errors_come_in_data(crm: Crm, body: Any, schema_valid: bool, code: str,
                                        details: dict[str, Any]) -> None:
    assert CONVERT_BODY.is_valid(body) is schema_valid
    response = await crm.convert("Quotes", quote(1), body)
    assert response.status_code == 400
    assert response.json()["data"] == [
        {"code": code, "details": details, "message": response.json()["data"][0]["message"], "status": "error"}
    ]
    assert (await crm.record("Quotes", quote(1)))["$converted"] is False


async def test_body_that_is_not_json_is_invalid_data(crm: Crm) -> None:
    response = await crm.client.post(f"/Quotes/{quote(1)}/actions/convert", content=b"{convert_to:")
    assert response.status_code == 400
    assert response.json()["data"][0]["code"] == "INVALID_DATA"


async def test_unknown_record_is_invalid_data(crm: Crm) -> None:
    response = await crm.convert("Quotes", "460000000199999", convert_body("Sales_Orders"))
    assert response.status_code == 400
    assert response.json() == {"code": "INVALID_DATA", "details": {"resource_path_index": 1},
                               "message": "invalid data", "status": "error"}


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("POST", f"/Invoices/{quote(1)}/actions/convert", 404, "INVALID_URL_PATTERN"),
        ("POST", f"/Quotes/{quote(1)}/actions/transfer", 404, "INVALID_URL_PATTERN"),
        ("GET", "/Quotes/actions", 400, "INVALID_DATA"),
        ("POST", "/Invoices/actions/mass_convert", 404, "INVALID_URL_PATTERN"),
        ("GET", f"/Quotes/{quote(1)}/actions/convert", 400, "INVALID_REQUEST_METHOD"),
        ("DELETE", "/Quotes/actions/mass_convert", 400, "INVALID_REQUEST_METHOD"),
        ("POST", f"/Deals/{quote(1)}/actions/convert", 400, "INVALID_MODULE"),
        ("GET", "/Deals", 400, "INVALID_MODULE"),
    ],
)
async def test_url_errors(crm: Crm, method: str, path: str, status: int, code: str) -> None:
    response = await crm.client.request(method, path, json=convert_body("Sales_Orders"))
    assert (response.status_code, response.json()["code"]) == (status, code)


async def test_paths_outside_v8_are_invalid_url_pattern(crm: Crm) -> None:
    response = await crm.client.get("http://sandbox.test/crm/v2/Quotes")
    assert (response.status_code, response.json()["code"]) == (404, "INVALID_URL_PATTERN")


async def test_concurrency_cap_answers_429(crm: Crm) -> None:
    with crm.store.request_slot():
        crm.store.concurrency = 1
        refused = await crm.client.get(f"/Quotes/{quote(1)}")
    assert refused.status_code == 429
    assert refused.json()["code"] == "TOO_MANY_REQUESTS"
    assert (await crm.client.get(f"/Quotes/{quote(1)}")).status_code == 200
    assert crm.store.in_flight == 0


async def test_ten_requests_in_flight_refuse_the_eleventh(crm: Crm) -> None:
    slots = [crm.store.request_slot() for _ in range(10)]
    for slot in slots:
        slot.__enter__()
    try:
        refused = await crm.client.get(f"/Quotes/{quote(1)}")
    finally:
        for slot in slots:
            slot.__exit__(None, None, None)
    assert refused.status_code == 429
    assert (await crm.client.get(f"/Quotes/{quote(1)}")).status_code == 200


# --- mass convert ---------------------------------------------------------------------------------

ALL_QUOTES = [quote(n) for n in range(1, 41)]
# Seed 000 outcomes of converting all 40 quotes to Sales_Orders (see app.sandbox.crm_seed).
CONVERTIBLE_TO_SALES_ORDERS = [quote(n) for n in [*range(1, 26), 36, 40]]


async def test_mass_convert_progresses_one_step_per_poll(crm: Crm) -> None:
    crm.store.mass_convert_polls = 2
    job_id = await crm.schedule("Quotes", mass_body(ALL_QUOTES, "Sales_Orders"))
    first, second, third = [await crm.status("Quotes", job_id) for _ in range(3)]
    assert [first["status"], second["status"], third["status"]] == ["IN PROGRESS", "IN PROGRESS", "COMPLETED"]
    done = [s["converted_count"] + s["not_converted_count"] + s["failed_count"] for s in (first, second, third)]
    assert done[0] < done[1] < done[2] == 40
    assert third == {"total_count": 40, "converted_count": 27, "not_converted_count": 11, "failed_count": 2,
                     "status": "COMPLETED"}
    assert await crm.status("Quotes", job_id) == third, "a finished job stays finished"


async def test_mass_convert_done_at_once_with_zero_polls(crm: Crm) -> None:
    crm.store.mass_convert_polls = 0
    ids = [quote(1), quote(2), quote(26)]
    job_id = await crm.schedule("Quotes", mass_body(ids, "Invoices"))
    assert (await crm.record("Quotes", quote(1)))["$converted"] is True, "converted before any poll"
    status, polls = await crm.until_done("Quotes", job_id)
    assert polls == 1
    assert (status["converted_count"], status["not_converted_count"], status["failed_count"]) == (2, 1, 0)


async def test_mass_converted_quotes_are_found_by_back_pointers(crm: Crm) -> None:
    crm.store.mass_convert_polls = 3
    jobs = [await crm.schedule("Quotes", mass_body(ALL_QUOTES[i:i + 20], "Sales_Orders")) for i in (0, 20)]
    for job_id in jobs:
        _, polls = await crm.until_done("Quotes", job_id)
        assert polls == 4
    listed = await crm.all("Sales_Orders", "Quote_Name,Ordered_Items,Tag")
    made = {r["Quote_Name"]["id"]: r for r in listed if r["Quote_Name"] and r["id"] > order(100)}
    assert sorted(made) == sorted(CONVERTIBLE_TO_SALES_ORDERS)
    source = await crm.record("Quotes", quote(15))
    assert _without_ids(made[quote(15)]["Ordered_Items"]) == _without_ids(source["Quoted_Items"])
    assert made[quote(15)]["Tag"] == source["Tag"]


async def test_mass_convert_with_new_owner_and_no_tags(crm: Crm) -> None:
    crm.store.mass_convert_polls = 0
    body = mass_body([quote(15), quote(21)], "Invoices", carry_over_tags=False, assign_to={"id": "460000000000503"})
    job_id = await crm.schedule("Quotes", body)
    status, _ = await crm.until_done("Quotes", job_id)
    assert status["converted_count"] == 2
    detail = (await crm.record("Quotes", quote(15)))["$converted_detail"]
    made = await crm.record("Invoices", detail["Invoices"]["id"])
    assert made["Owner"]["name"] == "Carla Diaz"
    assert made["Tag"] == [], "inventory_mass_convert: carry_over_tags false keeps the tags behind"
    assert made["Quote_Name"]["id"] == quote(15)


async def test_mass_convert_sales_orders_to_invoices(crm: Crm) -> None:
    ids = [order(n) for n in range(1, 13)] + [quote(1), "460000000299999"]
    job_id = await crm.schedule("Sales_Orders", mass_body(ids, "Invoices"))
    status, _ = await crm.until_done("Sales_Orders", job_id)
    # SO-1..8 convert; SO-9 not approved, SO-10 not reviewed, SO-11 converted; SO-12, a quote, an unknown ID fail.
    assert status == {"total_count": 14, "converted_count": 8, "not_converted_count": 3, "failed_count": 3,
                      "status": "COMPLETED"}
    invoices = await crm.all("Invoices", "Sales_Order,Quote_Name")
    pointing = {r["Sales_Order"]["id"] for r in invoices if r["Sales_Order"]}
    assert pointing == {order(n) for n in range(1, 12) if n not in (9, 10)}


async def test_hundreds_of_created_quotes_mass_convert_in_calls_of_50(crm: Crm) -> None:
    crm.store.mass_convert_polls = 1
    states = ["approved"] * 8 + ["approval_process_pending", "review_process_pending"]
    created: list[str] = []
    for start in (0, 100, 200):
        size = 100 if start < 200 else 50
        records = [
            {
                "Subject": f"Bulk quote {start + i}",
                "Account_Name": {"id": "460000000000602"},
                "Quoted_Items": [{"Product_Name": {"id": "460000000000702"}, "Quantity": 1 + i % 4}],
                "Tag": [{"name": "Priority"}],
                "$approval_state": states[(start + i) % 10],
            }
            for i in range(size)
        ]
        response = await crm.client.post("/Quotes", json={"data": records})
        assert response.status_code == 201
        created.extend(a["details"]["id"] for a in response.json()["data"])
    assert len(set(created)) == 250
    totals = {"converted_count": 0, "not_converted_count": 0, "failed_count": 0}
    for start in range(0, 250, 50):
        job_id = await crm.schedule("Quotes", mass_body(created[start:start + 50], "Sales_Orders"))
        status, polls = await crm.until_done("Quotes", job_id)
        assert polls == 2
        for key in totals:
            totals[key] += status[key]
    assert totals == {"converted_count": 200, "not_converted_count": 50, "failed_count": 0}


async def test_mass_convert_refuses_a_job_of_another_module_and_unknown_jobs(crm: Crm) -> None:
    job_id = await crm.schedule("Quotes", mass_body([quote(1)], "Sales_Orders"))
    for module, params in (("Sales_Orders", {"job_id": job_id}), ("Quotes", {"job_id": "460000000999999"})):
        response = await crm.client.get(f"/{module}/actions/mass_convert", params=params)
        assert response.status_code == 400
        assert_mass_answer(response, "get")
        assert response.json()["code"] == "INVALID_DATA" and response.json()["details"] == {"param_name": "job_id"}
    missing = await crm.client.get("/Quotes/actions/mass_convert")
    assert_mass_answer(missing, "get")
    assert missing.json()["code"] == "REQUIRED_PARAM_MISSING"


@pytest.mark.parametrize(
    ("body", "schema_valid", "code", "details"),
    [
        ({"convert_to": [{"module": {"api_name": "Invoices", "id": INVOICES_MODULE_ID}, "carry_over_tags": True}]},
         False, "MANDATORY_NOT_FOUND", {"api_name": "ids", "json_path": "$.ids"}),
        ({"ids": [quote(1)]}, False, "MANDATORY_NOT_FOUND", {"api_name": "convert_to", "json_path": "$.convert_to"}),
        ({"ids": [quote(1)], "convert_to": [{"module": {"api_name": "Invoices", "id": INVOICES_MODULE_ID}}]},
         False, "MANDATORY_NOT_FOUND", {"api_name": "carry_over_tags", "json_path": "$.convert_to[0].carry_over_tags"}),
        ({"ids": [], "convert_to": [{"module": {"api_name": "Invoices", "id": INVOICES_MODULE_ID},
                                     "carry_over_tags": True}]},
         False, "EXPECTED_FIELD_MISSING", {"expected_fields": [{"api_name": "ids", "json_path": "$.ids"}]}),
        ({"ids": [quote(1)], "convert_to": []}, False, "EXPECTED_FIELD_MISSING",
         {"expected_fields": [{"api_name": "convert_to", "json_path": "$.convert_to"}]}),
        ({"ids": [quote(n) for n in range(1, 52)], "convert_to": [
            {"module": {"api_name": "Invoices", "id": INVOICES_MODULE_ID}, "carry_over_tags": True}]},
         False, "LIMIT_EXCEEDED", {"limit": 50, "limit_due_to": [{"api_name": "ids", "json_path": "$.ids"}]}),
        ({"ids": [460000000100001], "convert_to": [
            {"module": {"api_name": "Invoices", "id": INVOICES_MODULE_ID}, "carry_over_tags": True}]},
         False, "INVALID_DATA", {"api_name": "ids", "json_path": "$.ids[0]", "expected_data_type": "string"}),
        ({"ids": ["QT-00001"], "convert_to": [
            {"module": {"api_name": "Invoices", "id": INVOICES_MODULE_ID}, "carry_over_tags": True}]},
         True, "INVALID_DATA", {"api_name": "ids", "json_path": "$.ids[0]"}),
        ({"ids": [quote(1)], "convert_to": [
            {"module": {"api_name": "Invoices", "id": INVOICES_MODULE_ID}, "carry_over_tags": True}],
          "assign_to": {"id": "42"}},
         True, "INVALID_DATA", {"api_name": "id", "json_path": "$.assign_to.id"}),
        ({"ids": [quote(1)], "convert_to": [
            {"module": {"api_name": "Invoices", "id": INVOICES_MODULE_ID}, "carry_over_tags": True},
            {"module": {"api_name": "Sales_Orders", "id": SALES_ORDERS_MODULE_ID}, "carry_over_tags": True}]},
         False, "INVALID_DATA", {"api_name": "convert_to", "json_path": "$.convert_to"}),
        ({"ids": [quote(1)], "convert_to": [
            {"module": {"api_name": "Invoices", "id": SALES_ORDERS_MODULE_ID}, "carry_over_tags": True}]},
         True, "AMBIGUITY_DURING_PROCESSING", {"ambiguity_due_to": [
             {"api_name": "api_name", "json_path": "$.convert_to[0].module.api_name"},
             {"api_name": "id", "json_path": "$.convert_to[0].module.id"}]}),
    ],
)
async def test_mass_convert_errors_are_bare(crm: Crm, body: dict[str, Any], schema_valid: bool, code: str,
                                            details: dict[str, Any]) -> None:
    assert MASS_BODY.is_valid(body) is schema_valid
    response = await crm.client.post("/Quotes/actions/mass_convert", json=body)
    assert response.status_code == 400
    assert_mass_answer(response, "post")
    assert (response.json()["code"], response.json()["details"]) == (code, details)


async def test_mass_convert_accepts_related_modules_with_nulls(crm: Crm) -> None:
    body = mass_body([quote(3)], "Sales_Orders", related_modules=[{"api_name": None, "id": None}])
    job_id = await crm.schedule("Quotes", body)
    status, _ = await crm.until_done("Quotes", job_id)
    assert status["converted_count"] == 1


async def test_mass_convert_into_disabled_module_is_no_permission(crm: Crm) -> None:
    crm.store.disabled_modules.add("Sales_Orders")
    response = await crm.client.post("/Quotes/actions/mass_convert", json=mass_body([quote(1)], "Sales_Orders"))
    assert response.status_code == 403
    assert response.json()["code"] == "NO_PERMISSION"


# --- behind the sandbox's gate, over real HTTP ----------------------------------------------------


async def test_crm_answers_need_a_token(crm: Crm) -> None:
    response = await crm.client.get(f"/Quotes/{quote(1)}", headers={"Authorization": ""})
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_TOKEN"


async def test_convert_and_mass_convert_over_loopback(live_sandbox: Any, sandbox_token: Any) -> None:
    headers = {"Authorization": f"Zoho-oauthtoken {sandbox_token(live_sandbox)}"}
    async with httpx.AsyncClient(base_url=f"{live_sandbox.url}/crm/v8", headers=headers, timeout=10) as client:
        crm = Crm(client, live_sandbox.app.state.crm)
        assert (await crm.convert("Quotes", quote(8), convert_body("Sales_Orders"))).status_code == 200
        job_id = await crm.schedule("Quotes", mass_body([quote(8), quote(9), quote(27)], "Sales_Orders"))
        status, _ = await crm.until_done("Quotes", job_id)
    assert (status["converted_count"], status["not_converted_count"]) == (1, 2)
