"""The sandbox starts in-process and on a port, seeded with the demo organization."""

from __future__ import annotations

import httpx

from tests.sandbox.conftest import books_client


async def test_in_process_lists_seeded_contacts(books: httpx.AsyncClient) -> None:
    answer = await books.get("/contacts")
    assert answer.status_code == 200
    names = {c["contact_name"] for c in answer.json()["contacts"]}
    assert names == {"Bowman and Co", "Zylker Corp", "Acme Corporation"}


async def test_live_sandbox_answers_on_loopback(live_sandbox, sandbox_token) -> None:
    assert live_sandbox.url.startswith("http://127.0.0.1:")
    async with books_client(live_sandbox, sandbox_token(live_sandbox)) as client:
        answer = await client.get("/organizations")
    assert answer.status_code == 200
    org = answer.json()["organizations"][0]
    assert (org["organization_id"], org["name"]) == ("10234695", "Zylker Demo Ltd")
