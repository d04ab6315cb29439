"""Contacts and contact persons: seed 004's request examples replayed, lists, filters, upsert."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.sandbox.examples import (
    CONTACT_CREATE,
    CONTACT_UPDATE,
    PERSON_CREATE,
    PERSON_UPDATE,
    with_ids,
)

UPSERT = {"X-Unique-Identifier-Key": "cf_external_id", "X-Upsert": "true"}


async def create_contact(books: httpx.AsyncClient, name: str, **fields: Any) -> dict[str, Any]:
    answer = await books.post("/contacts", json={"contact_name": name, **fields})
    assert answer.status_code == 201, answer.text
    return answer.json()["contact"]


async def test_seed_example_create_as_jsonstring_form(books, catalogue) -> None:
    usd = catalogue["currencies"]["USD"]["currency_id"]
    body = with_ids(CONTACT_CREATE, {"460000000000097": usd}) | {"contact_name": "Bowman Furniture"}
    # the older docs send the JSON in a multipart `JSONString` field (curl -F)
    answer = await books.post("/contacts", files={"JSONString": (None, json.dumps(body))})
    assert answer.status_code == 201, answer.text
    envelope = answer.json()
    assert envelope["code"] == 0 and envelope["message"] == "The contact has been created"
    contact = envelope["contact"]
    assert contact["contact_id"].isdigit()
    assert contact["contact_name"] == "Bowman Furniture"
    assert contact["currency_code"] == "USD"
    assert contact["billing_address"]["city"] == "Pleasanton"
    assert contact["billing_address"]["zip"] == "94588"
    [person] = contact["contact_persons"]
    assert person["contact_person_id"].isdigit() and person["is_primary_contact"] is True
    assert person["first_name"] == "Will"
    assert contact["email"] == "willsmith@bowmanfurniture.com"
    [field] = contact["custom_fields"]
    assert (field["api_name"], field["value"]) == ("cf_external_id", "GBGD078")


async def test_urlencoded_jsonstring_is_accepted(books) -> None:
    answer = await books.post(
        "/contacts", data={"JSONString": json.dumps({"contact_name": "Form Encoded Ltd"})}
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["contact"]["contact_name"] == "Form Encoded Ltd"


async def test_jsonstring_query_parameter_is_accepted(books) -> None:
    answer = await books.post("/contacts", params={
        "organization_id": "10234695", "JSONString": json.dumps({"contact_name": "Query Ltd"})})
    assert answer.status_code == 201, answer.text
    assert answer.json()["contact"]["contact_name"] == "Query Ltd"


async def test_seed_example_update_then_get_and_delete(books, catalogue) -> None:
    contact = await create_contact(books, "Bowman Furniture", contact_persons=[{"first_name": "Will"}])
    person_id = contact["contact_persons"][0]["contact_person_id"]
    ids = {"460000000000097": catalogue["currencies"]["EUR"]["currency_id"],
           "460000000026051": person_id}
    body = with_ids(CONTACT_UPDATE, ids) | {"contact_name": "Bowman Furniture"}
    answer = await books.put(f"/contacts/{contact['contact_id']}", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["message"] == "Contact has been updated successfully"
    updated = answer.json()["contact"]
    assert updated["currency_code"] == "EUR"
    assert updated["contact_persons"][0]["contact_person_id"] == person_id
    assert updated["contact_persons"][0]["last_name"] == "Smith"

    fetched = (await books.get(f"/contacts/{contact['contact_id']}")).json()
    assert fetched["code"] == 0 and fetched["contact"]["payment_terms_label"] == "Net 15"

    deleted = await books.delete(f"/contacts/{contact['contact_id']}")
    assert deleted.json() == {"code": 0, "message": "The contact has been deleted."}
    gone = await books.get(f"/contacts/{contact['contact_id']}")
    assert gone.status_code == 404 and gone.json()["code"] == 1002


async def test_list_pages_and_page_context(books) -> None:
    for i in range(5):
        await create_contact(books, f"Pager {i}")
    first = (await books.get("/contacts", params={"per_page": 3, "page": 1})).json()
    assert len(first["contacts"]) == 3
    assert first["page_context"]["has_more_page"] is True
    assert first["page_context"]["per_page"] == 3
    last = (await books.get("/contacts", params={"per_page": 3, "page": 3})).json()
    assert last["page_context"]["has_more_page"] is False
    everyone = (await books.get("/contacts")).json()
    assert everyone["page_context"]["per_page"] == 200
    assert len(everyone["contacts"]) == 8
    ids = [c["contact_id"] for page in (1, 2, 3) for c in
           (await books.get("/contacts", params={"per_page": 3, "page": page})).json()["contacts"]]
    assert ids == [c["contact_id"] for c in everyone["contacts"]]


async def test_list_filters(books) -> None:
    await create_contact(books, "Northwind Traders", email="orders@northwind.example",
                         company_name="Northwind Group", notes="prefers email")
    await create_contact(books, "Northern Lights", company_name="Aurora plc")
    async def names(**params: Any) -> set[str]:
        answer = await books.get("/contacts", params=params)
        assert answer.status_code == 200, answer.text
        return {c["contact_name"] for c in answer.json()["contacts"]}

    assert await names(contact_name="northwind traders") == {"Northwind Traders"}
    assert await names(contact_name_startswith="North") == {"Northwind Traders", "Northern Lights"}
    assert await names(contact_name_contains="Light") == {"Northern Lights"}
    assert await names(email="orders@northwind.example") == {"Northwind Traders"}
    assert await names(company_name="Aurora plc") == {"Northern Lights"}
    assert await names(search_text="prefers") == {"Northwind Traders"}
    assert await names(search_text="Acme") == {"Acme Corporation"}
    assert "Zylker Corp" in await names(filter_by="Status.Active")
    assert await names(filter_by="Status.Inactive") == set()
    contact_id = (await books.get("/contacts", params={"contact_name": "Zylker Corp"})).json()[
        "contacts"][0]["contact_id"]
    assert (await books.post(f"/contacts/{contact_id}/inactive")).status_code == 200
    assert await names(filter_by="Status.Inactive") == {"Zylker Corp"}


async def test_upsert_by_unique_custom_field(books) -> None:
    headers = {**UPSERT, "X-Unique-Identifier-Value": "EXT-1"}
    created = await books.put("/contacts", json={"contact_name": "Upsert Ltd"}, headers=headers)
    assert created.status_code == 201, created.text
    contact = created.json()["contact"]
    assert contact["custom_fields"][0]["value"] == "EXT-1"
    again = await books.put("/contacts", json={"contact_name": "Upsert Ltd", "notes": "second"},
                            headers=headers)
    assert again.status_code == 200
    assert again.json()["contact"]["contact_id"] == contact["contact_id"]
    assert again.json()["contact"]["notes"] == "second"
    listed = (await books.get("/contacts", params={"contact_name": "Upsert Ltd"})).json()
    assert len(listed["contacts"]) == 1
    # without X-Upsert an unknown value is not created
    missing = await books.put("/contacts", json={"contact_name": "Other"},
                              headers={"X-Unique-Identifier-Key": "cf_external_id",
                                       "X-Unique-Identifier-Value": "EXT-404"})
    assert missing.status_code == 404 and missing.json()["code"] == 1002


async def test_contact_persons_routes(books) -> None:
    contact = await create_contact(books, "People Inc")
    cid = contact["contact_id"]
    created = await books.post("/contacts/contactpersons",
                               json=with_ids(PERSON_CREATE, {"460000000026049": cid}))
    assert created.status_code == 201, created.text
    assert created.json()["message"] == "The contactperson has been Created"
    will = created.json()["contact_person"]
    assert will["contact_id"] == cid and will["is_primary_contact"] is True
    second = await books.post("/contacts/contactpersons",
                              json={"contact_id": cid, "first_name": "Ann", "email": "ann@x.example"})
    ann = second.json()["contact_person"]
    assert ann["is_primary_contact"] is False

    updated = await books.put(f"/contacts/contactpersons/{ann['contact_person_id']}",
                              json=with_ids(PERSON_UPDATE, {"460000000026049": cid})
                              | {"first_name": "Ann"})
    assert updated.status_code == 200, updated.text
    assert updated.json()["contact_person"]["is_primary_contact"] is True

    listed = (await books.get(f"/contacts/{cid}/contactpersons")).json()
    primaries = {p["first_name"]: p["is_primary_contact"] for p in listed["contact_persons"]}
    assert primaries == {"Will": False, "Ann": True}
    assert listed["page_context"]["has_more_page"] is False

    marked = await books.post(f"/contacts/contactpersons/{will['contact_person_id']}/primary")
    assert marked.json()["code"] == 0
    one = (await books.get(f"/contacts/{cid}/contactpersons/{will['contact_person_id']}")).json()
    assert one["contact_person"]["is_primary_contact"] is True

    deleted = await books.delete(f"/contacts/contactpersons/{ann['contact_person_id']}")
    assert deleted.json() == {"code": 0, "message": "The contact person has been deleted."}
    contact = (await books.get(f"/contacts/{cid}")).json()["contact"]
    assert [p["first_name"] for p in contact["contact_persons"]] == ["Will"]
    gone = await books.delete(f"/contacts/contactpersons/{ann['contact_person_id']}")
    assert gone.status_code == 404 and gone.json()["code"] == 1002


async def test_alias_api_v3_serves_the_same_data(sandbox, sandbox_token) -> None:
    async with httpx.AsyncClient(transport=sandbox.transport, base_url=sandbox.url) as client:
        answer = await client.get(
            "/api/v3/contacts", params={"organization_id": "10234695"},
            headers={"Authorization": f"Zoho-oauthtoken {sandbox_token(sandbox)}"},
        )
    assert answer.status_code == 200
    assert len(answer.json()["contacts"]) == 3
