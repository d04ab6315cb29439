"""Fault injection: dropped connections after the commit, tokens that expire after N uses, latency."""

from __future__ import annotations

import httpx
import pytest

from app.sandbox import ConnectionDropped
from tests.sandbox.conftest import books_client


async def contact_names(client: httpx.AsyncClient) -> set[str]:
    answer = await client.get("/contacts")
    assert answer.status_code == 200
    return {c["contact_name"] for c in answer.json()["contacts"]}


async def test_drop_in_process_is_a_transport_error_after_commit(make_sandbox) -> None:
    sandbox = make_sandbox(drop_rate=1.0)
    async with books_client(sandbox, sandbox.token()) as client:
        with pytest.raises(httpx.TransportError) as caught:
            await client.post("/contacts", json={"contact_name": "Dropped Ltd"})
        assert isinstance(caught.value, ConnectionDropped)
        # reads are never dropped, and the write above was committed
        assert "Dropped Ltd" in await contact_names(client)


async def test_drop_on_the_live_server_closes_the_connection(make_live_sandbox, sandbox_token) -> None:
    live = make_live_sandbox(drop_rate=1.0)
    async with books_client(live, sandbox_token(live)) as client:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            await client.post("/contacts", json={"contact_name": "Lost Answer Ltd"})
        # the next request opens a new connection and sees the committed record
        assert "Lost Answer Ltd" in await contact_names(client)
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            await client.put("/contacts", json={"contact_name": "Upserted Ltd"},
                             headers={"X-Unique-Identifier-Key": "cf_external_id",
                                      "X-Unique-Identifier-Value": "U-1", "X-Upsert": "true"})
        assert "Upserted Ltd" in await contact_names(client)


async def test_some_drops_not_all(make_sandbox) -> None:
    sandbox = make_sandbox(drop_rate=0.5, seed=7)
    outcomes = []
    async with books_client(sandbox, sandbox.token()) as client:
        for i in range(20):
            try:
                answer = await client.post("/contacts", json={"contact_name": f"Half {i}"})
                outcomes.append(answer.status_code)
            except ConnectionDropped:
                outcomes.append("dropped")
        names = await contact_names(client)
    assert 0 < outcomes.count("dropped") < 20
    assert outcomes.count(201) + outcomes.count("dropped") == 20
    assert {f"Half {i}" for i in range(20)} <= names  # every write committed either way


async def test_access_token_expires_after_n_uses(make_sandbox) -> None:
    sandbox = make_sandbox(token_uses=3)
    async with books_client(sandbox, sandbox.token()) as client:
        assert [(await client.get("/items")).status_code for _ in range(3)] == [200, 200, 200]
        expired = await client.get("/items")
        assert expired.status_code == 401
        assert expired.json()["code"] == 57 and "expired" in expired.json()["message"]
    async with httpx.AsyncClient(transport=sandbox.transport, base_url=sandbox.url) as client:
        fresh = await client.post("/oauth/v2/token", data={
            "grant_type": "refresh_token", "refresh_token": "sandbox-refresh",
            "client_id": "sandbox-client", "client_secret": "sandbox-secret"})
    async with books_client(sandbox, fresh.json()["access_token"]) as client:
        assert (await client.get("/items")).status_code == 200


async def test_latency_with_jitter_still_answers(make_sandbox) -> None:
    sandbox = make_sandbox(latency_ms=5, latency_jitter_ms=5)
    async with books_client(sandbox, sandbox.token()) as client:
        assert (await client.get("/organizations")).status_code == 200
