"""The client's rules against a scripted Zoho: errors, retries, in-doubt writes, token refresh, paging, redaction."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from app.zoho import AuthError, InDoubt, QuotaSpent, ZohoError
from app.zoho.errors import MissingScope
from tests.zoho.scripted import REFRESH, SECRET, ScriptedZoho, answer

CREATED = {"code": 0, "message": "The contact has been added.", "contact": {"contact_id": "460000000012345"}}


async def test_a_created_record_comes_back_and_every_request_carries_org_and_token() -> None:
    zoho = ScriptedZoho([answer(201, CREATED)])
    async with zoho.client() as client:
        record = await client.create("contacts", {"contact_name": "Ann"}, ignore_auto_number_generation=True)
    assert record == {"contact_id": "460000000012345"}
    sent = zoho.requests[0]
    assert sent.method == "POST" and sent.url.path == "/books/v3/contacts"
    assert sent.url.params["organization_id"] == "10234695"
    assert sent.url.params["ignore_auto_number_generation"] == "true"
    assert sent.headers["authorization"].startswith("Zoho-oauthtoken 1000.access")
    assert sent.headers["content-type"] == "application/json"
    assert client.counters.calls == 1


@pytest.mark.parametrize(
    ("reply", "status", "code", "field", "words"),
    [
        (answer(400, {"code": 4, "message": "Invalid value passed for customer_id"}), 400, 4, "customer_id", "customer_id"),
        (answer(404, {"code": 1002, "message": "Contact does not exist."}), 404, 1002, None, "does not exist"),
        (answer(400, {"code": 11, "message": "The field 'contact_name' is required"}), 400, 11, "contact_name", "required"),
        (answer(200, {"code": 1001, "message": "Sales order SO-1 already exists"}), 200, 1001, None, "already exists"),
        (answer(400, {"data": [{"code": "INVALID_DATA", "details": {"api_name": "convert_to"},
                                "message": "invalid data", "status": "error"}]}), 400, "INVALID_DATA", "convert_to", "invalid data"),
        (answer(403, text="<html><body>Forbidden</body></html>", **{"content-type": "text/html"}), 403, None, None, "web page"),
        (answer(400, text="oops not json"), 400, None, None, "other than data"),
    ],
)
async def test_every_refusal_becomes_a_zoho_error(reply, status, code, field, words) -> None:
    zoho = ScriptedZoho([reply])
    async with zoho.client() as client:
        with pytest.raises(ZohoError) as refused:
            await client.create("contacts", {"contact_name": "Ann"})
    err = refused.value
    assert (err.status, err.code, err.field) == (status, code, field)
    assert words in str(err)
    assert len(zoho.requests) == 1  # a validation error is never retried


async def test_reads_are_retried_on_server_errors_and_timeouts() -> None:
    zoho = ScriptedZoho([answer(503, {"code": 1000, "message": "Service unavailable"}), httpx.ReadTimeout,
                         answer(502, text="<html>bad gateway</html>"), answer(429, {"code": 44, "message": "slow down"}),
                         answer(200, {"code": 0, "contact": {"contact_id": "7"}})])
    async with zoho.client() as client:
        record = await client.get("contacts", "7")
    assert record == {"contact_id": "7"}
    assert len(zoho.requests) == 5
    assert client.counters.retries == 4
    assert client.counters.rate_limited == 1


async def test_retries_are_bounded() -> None:
    zoho = ScriptedZoho([answer(503, {"code": 1000, "message": "Service unavailable"})] * 10)
    async with zoho.client(attempts=3) as client:
        with pytest.raises(ZohoError) as failed:
            await client.get("contacts", "7")
    assert failed.value.status == 503
    assert len(zoho.requests) == 3


async def test_a_write_whose_answer_was_lost_is_in_doubt_and_never_resent() -> None:
    for fault in (httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError):
        zoho = ScriptedZoho([fault, answer(201, CREATED)])
        async with zoho.client() as client:
            with pytest.raises(InDoubt) as doubt:
                await client.create("contacts", {"contact_name": "Ann"})
        assert len(zoho.requests) == 1, fault
        assert "may or may not" in str(doubt.value)


async def test_a_write_that_never_connected_is_retried() -> None:
    zoho = ScriptedZoho([httpx.ConnectError, answer(201, CREATED)])
    async with zoho.client() as client:
        record = await client.create("contacts", {"contact_name": "Ann"})
    assert record["contact_id"] == "460000000012345"
    assert len(zoho.requests) == 2


async def test_a_write_answered_5xx_is_in_doubt_and_never_resent_but_429_is_retried() -> None:
    # A 5xx answer to a write does not prove that nothing was saved (a timeout inside Zoho after the
    # commit looks the same): it is in doubt.
    for status in (500, 502, 503, 504):
        failing = answer(status, {"code": 1000, "message": "Internal error"})
        zoho = ScriptedZoho([failing, failing, answer(201, CREATED)])
        async with zoho.client() as client:
            with pytest.raises(InDoubt) as doubt:
                await client.create("contacts", {"contact_name": "Ann"})
            with pytest.raises(InDoubt):
                await client.update("contacts", "1", {"contact_name": "Ann"})
        assert doubt.value.status == status
        assert len(zoho.requests) == 2, status  # one each, none resent

    zoho = ScriptedZoho([answer(429, {"code": 44, "message": "slow down"}), answer(201, CREATED)])
    async with zoho.client() as client:
        await client.update("contacts", "1", {"contact_name": "Ann"})
    assert len(zoho.requests) == 2

    zoho = ScriptedZoho([answer(502, text="<html>bad gateway</html>"), answer(201, CREATED)])
    async with zoho.client() as client:
        with pytest.raises(InDoubt):
            await client.upsert("contacts", {"contact_name": "Ann"}, "cf_external_id", "A-1")
    assert len(zoho.requests) == 1
    assert zoho.requests[0].headers["x-upsert"] == "true"
    assert zoho.requests[0].headers["x-unique-identifier-key"] == "cf_external_id"


async def test_one_refresh_for_ten_requests_waiting_on_an_expired_token() -> None:
    zoho = ScriptedZoho(token_uses=10)
    zoho.refresh_delay_s = 0.01
    async with zoho.client() as client:
        await client.get("contacts", "1")  # first token
        for _ in range(9):
            await client.get("contacts", "1")
        assert zoho.refreshes == 1
        # the token is spent now: ten requests in flight all meet the 401
        await asyncio.gather(*(client.get("contacts", str(i)) for i in range(10)))
    assert zoho.refreshes == 2
    assert client.counters.retries == 0


async def test_bad_credentials_are_an_auth_error_in_plain_words() -> None:
    from app.zoho import BooksClient, TokenSource

    zoho = ScriptedZoho()
    tokens = TokenSource("http://zoho.test/oauth/v2/token", "client-id", SECRET, "wrong-refresh-token-xyz",
                         transport=zoho.transport)
    async with BooksClient("http://zoho.test/books/v3", "1", tokens, transport=zoho.transport) as client:
        with pytest.raises(AuthError) as refused:
            await client.get("contacts", "1")
    assert "refresh token" in str(refused.value)
    assert "wrong-refresh-token-xyz" not in str(refused.value)
    assert zoho.requests == []


async def test_quota_headers_are_read_and_a_spent_quota_is_refused_without_sending() -> None:
    zoho = ScriptedZoho([
        answer(200, {"code": 0, "contact": {"contact_id": "1"}}, **{"X-Rate-Limit-Limit": "1000",
               "X-Rate-Limit-Remaining": "1", "X-Rate-Limit-Reset": "3600"}),
        answer(429, {"code": 45, "message": "You have reached the daily limit of 1000 API requests"},
               **{"X-Rate-Limit-Limit": "1000", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "3599"}),
    ])
    async with zoho.client() as client:
        await client.get("contacts", "1")
        assert client.counters.quota_remaining == 1
        with pytest.raises(QuotaSpent) as spent:
            await client.get("contacts", "1")
        assert str(spent.value).startswith("daily quota spent, resets in 01:0")
        with pytest.raises(QuotaSpent):
            await client.get("contacts", "1")
    assert len(zoho.requests) == 2


async def test_a_429_is_the_daily_quota_only_when_the_headers_say_none_is_left() -> None:
    # Books' X-Rate-Limit-Remaining header is what is left of the daily quota.
    # The words of the message tell nothing: "daily" with quota left is the per-minute rate.
    wordy = answer(429, {"code": 44, "message": "daily quota per day reached?"},
                   **{"X-Rate-Limit-Limit": "1000", "X-Rate-Limit-Remaining": "500", "X-Rate-Limit-Reset": "60"})
    plain = answer(429, {"code": 44, "message": "Too many requests"},
                   **{"X-Rate-Limit-Limit": "1000", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "600"})
    ok = answer(200, {"code": 0, "contact": {"contact_id": "1"}})
    zoho = ScriptedZoho([wordy, ok, plain])
    async with zoho.client() as client:
        assert await client.get("contacts", "1") == {"contact_id": "1"}  # retried: not the quota
        with pytest.raises(QuotaSpent):
            await client.get("contacts", "1")
    assert len(zoho.requests) == 3
    assert client.counters.rate_limited == 2


async def test_list_walks_every_page() -> None:
    def page(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page"])
        assert request.url.params["per_page"] == "200"
        assert request.url.params["contact_name_startswith"] == "A"
        records = [{"contact_id": f"{number}-{i}"} for i in range(200 if number < 3 else 5)]
        return answer(200, {"code": 0, "contacts": records,
                            "page_context": {"page": number, "has_more_page": number < 3}})

    zoho = ScriptedZoho([page, page, page])
    async with zoho.client() as client:
        records = [r async for r in client.list("contacts", contact_name_startswith="A")]
    assert len(records) == 405
    assert records[-1] == {"contact_id": "3-4"}


async def test_status_actions_use_zohos_paths() -> None:
    ok = answer(200, {"code": 0, "message": "done"})
    zoho = ScriptedZoho([ok, ok, ok])
    async with zoho.client() as client:
        await client.mark("salesorders", "9", "void")
        await client.mark("creditnotes", "8", "draft")
        await client.mark("contacts", "7", "inactive")
        with pytest.raises(ValueError):
            await client.mark("salesorders", "9", "draft")
    assert [r.url.path for r in zoho.requests] == [
        "/books/v3/salesorders/9/status/void", "/books/v3/creditnotes/8/draft",
        "/books/v3/contacts/7/inactive"]


async def test_no_token_or_secret_in_logs_or_error_text(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    zoho = ScriptedZoho([answer(429, {"code": 44, "message": "slow down"}), answer(201, CREATED),
                         httpx.ReadTimeout], token_uses=1)
    errors = []
    async with zoho.client() as client:
        await client.create("contacts", {"contact_name": "Ann"})
        try:
            await client.create("contacts", {"contact_name": "Bob"})
        except ZohoError as err:
            errors.append(err)
        logging.getLogger("app.zoho").info("header was Authorization: Zoho-oauthtoken %s", client.tokens.current)
        tokens_seen = {r.headers["authorization"].split()[-1] for r in zoho.requests}
    assert errors and isinstance(errors[0], InDoubt)
    assert zoho.refreshes >= 2
    text = caplog.text + " ".join(str(e) + repr(e) for e in errors)
    assert "Zoho-oauthtoken [redacted]" in caplog.text
    for secret in (*tokens_seen, SECRET, REFRESH):
        assert secret not in text


async def test_the_token_is_refreshed_shortly_before_it_expires() -> None:
    from app.zoho import BooksClient, Throttle, TokenSource

    now = [0.0]
    zoho = ScriptedZoho()
    tokens = TokenSource("http://zoho.test/oauth/v2/token", "client-id", SECRET, REFRESH,
                         transport=zoho.transport, clock=lambda: now[0])
    async with BooksClient("http://zoho.test/books/v3", "1", tokens, Throttle(calls=10_000),
                           transport=zoho.transport) as client:
        await client.get("contacts", "1")
        now[0] = 3000.0
        await client.get("contacts", "1")
        assert zoho.refreshes == 1
        now[0] = 3550.0  # within a minute of the hour's end
        await client.get("contacts", "1")
    assert zoho.refreshes == 2
    assert client.counters.unauthorized == 0
    assert tokens.refresh_token == REFRESH  # reused, never replaced


async def test_timeouts_and_connection_errors_on_reads_end_as_plain_errors() -> None:
    zoho = ScriptedZoho([httpx.ReadTimeout] * 3)
    async with zoho.client(attempts=3) as client:
        with pytest.raises(ZohoError) as late:
            await client.get("contacts", "1")
    assert str(late.value) == "Zoho at zoho.test did not answer in time"
    assert late.value.status is None and not isinstance(late.value, InDoubt)

    zoho = ScriptedZoho([httpx.ConnectError] * 3)
    async with zoho.client(attempts=3) as client:
        with pytest.raises(ZohoError, match="could not connect to Zoho at zoho.test"):
            await client.create("contacts", {"contact_name": "Ann"})
    assert len(zoho.requests) == 3


async def test_a_401_on_a_token_minted_moments_ago_names_the_missing_scope_and_is_not_retried() -> None:
    no = answer(401, {"code": 57, "message": "You are not authorized to perform this operation"})
    zoho = ScriptedZoho([no] * 10)
    async with zoho.client() as client:
        with pytest.raises(MissingScope) as refused:
            await client.create("contacts", {"contact_name": "Ann"})
    assert refused.value.scope == "ZohoBooks.contacts.ALL"
    assert "needs scope ZohoBooks.contacts.ALL" in str(refused.value)
    assert "You are not authorized to perform this operation" in str(refused.value)
    assert zoho.refreshes == 1  # the token of this run, never a second one
    assert len(zoho.requests) == 1


async def test_a_write_answered_2xx_with_an_unreadable_body_is_in_doubt() -> None:
    zoho = ScriptedZoho([answer(201, text="<html>Saved!</html>", **{"content-type": "text/html"})])
    async with zoho.client() as client:
        with pytest.raises(InDoubt):
            await client.create("contacts", {"contact_name": "Ann"})
    assert len(zoho.requests) == 1


def test_redact_masks_tokens_in_headers_urls_and_forms() -> None:
    from app.zoho.redaction import redact, remember_secret

    remember_secret("a-registered-secret-value")
    text = redact(
        "Authorization: Zoho-oauthtoken 1000.abc.def; GET https://x.test/cb?code=1000.grant&state=s3cr3t "
        "grant_type=refresh_token&refresh_token=1000.refresh&client_secret=shh {'access_token': '1000.tok'} "
        "and a-registered-secret-value"
    )
    for secret in ("1000.abc.def", "1000.grant", "s3cr3t", "1000.refresh", "shh", "1000.tok",
                   "a-registered-secret-value"):
        assert secret not in text
    assert "grant_type=refresh_token" in text  # the rest stays readable
