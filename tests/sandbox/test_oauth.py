"""Offline OAuth: refresh-token grant, authorization-code flow with a loopback redirect, errors."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from tests.sandbox.conftest import books_client

CLIENT = {"client_id": "sandbox-client", "client_secret": "sandbox-secret"}


async def test_refresh_token_grant(live_sandbox) -> None:
    async with httpx.AsyncClient(base_url=live_sandbox.url) as client:
        answer = await client.post("/oauth/v2/token", data={
            "grant_type": "refresh_token", "refresh_token": "sandbox-refresh", **CLIENT})
    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_in"] == 3600
    assert body["api_domain"] == live_sandbox.url
    assert body["access_token"].startswith("1000.")
    assert "refresh_token" not in body
    async with books_client(live_sandbox, body["access_token"]) as books:
        assert (await books.get("/organizations")).status_code == 200


async def test_authorization_code_flow(sandbox) -> None:
    async with httpx.AsyncClient(transport=sandbox.transport, base_url=sandbox.url) as client:
        redirect = await client.get("/oauth/v2/auth", params={
            "response_type": "code", "client_id": "sandbox-client", "access_type": "offline",
            "scope": "ZohoBooks.fullaccess.all", "redirect_uri": "http://127.0.0.1:53682/callback",
            "state": "s-42"})
        assert redirect.status_code == 302
        location = urlsplit(redirect.headers["location"])
        assert (location.hostname, location.port, location.path) == ("127.0.0.1", 53682, "/callback")
        query = parse_qs(location.query)
        assert query["state"] == ["s-42"]
        code = query["code"][0]
        exchange = {"grant_type": "authorization_code", "code": code,
                    "redirect_uri": "http://127.0.0.1:53682/callback", **CLIENT}
        first = await client.post("/oauth/v2/token", params=exchange)  # Zoho takes query params
        assert first.status_code == 200, first.text
        tokens = first.json()
        assert tokens["refresh_token"] and tokens["access_token"]
        assert tokens["api_domain"] == "http://sandbox.test"
        reused = await client.post("/oauth/v2/token", data=exchange)
        assert reused.json() == {"error": "invalid_code"}
        refreshed = await client.post("/oauth/v2/token", data={
            "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], **CLIENT})
        assert refreshed.status_code == 200 and refreshed.json()["access_token"]


async def test_self_client_grant_code(sandbox) -> None:
    async with httpx.AsyncClient(transport=sandbox.transport, base_url=sandbox.url) as client:
        answer = await client.post("/oauth/v2/token", data={
            "grant_type": "authorization_code", "code": "sandbox-grant", **CLIENT})
    assert answer.status_code == 200 and answer.json()["refresh_token"]


async def test_oauth_errors(sandbox) -> None:
    async with httpx.AsyncClient(transport=sandbox.transport, base_url=sandbox.url) as client:
        bad_secret = await client.post("/oauth/v2/token", data={
            "grant_type": "refresh_token", "refresh_token": "sandbox-refresh",
            "client_id": "sandbox-client", "client_secret": "wrong"})
        assert bad_secret.status_code == 401 and bad_secret.json() == {"error": "invalid_client"}
        bad_refresh = await client.post("/oauth/v2/token", data={
            "grant_type": "refresh_token", "refresh_token": "nope", **CLIENT})
        assert bad_refresh.status_code == 400 and bad_refresh.json() == {"error": "invalid_code"}
        bad_grant = await client.post("/oauth/v2/token", data={"grant_type": "password", **CLIENT})
        assert bad_grant.json() == {"error": "unsupported_grant_type"}
        elsewhere = await client.get("/oauth/v2/auth", params={
            "client_id": "sandbox-client", "redirect_uri": "http://example.com/cb"})
        assert elsewhere.status_code == 400 and elsewhere.json() == {"error": "invalid_redirect_uri"}
        stranger = await client.get("/oauth/v2/auth", params={
            "client_id": "other", "redirect_uri": "http://127.0.0.1/cb"})
        assert stranger.json() == {"error": "invalid_client"}
