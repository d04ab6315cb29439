"""A local Zoho-compatible server (Books v3, CRM v8, OAuth) on SQLite: the app's embedded
default target and the test double of every test above unit level.

Routes (also under the older ``/api/v3`` alias; every Books call needs ``organization_id``
and ``Authorization: Zoho-oauthtoken <token>``):

- ``GET /books/v3/organizations``
- contacts: ``POST|GET|PUT /contacts`` (PUT = update/upsert by ``X-Unique-Identifier-Key``/
  ``-Value``/``X-Upsert``), ``GET|PUT|DELETE /contacts/{id}``, ``POST /contacts/{id}/active|inactive``,
  contact persons: ``POST /contacts/contactpersons``, ``PUT|DELETE /contacts/contactpersons/{pid}``,
  ``POST /contacts/contactpersons/{pid}/primary``, ``GET /contacts/{id}/contactpersons[/{pid}]``
- sales orders: ``POST|GET|PUT /salesorders``, ``GET|PUT|DELETE /salesorders/{id}``,
  ``POST /salesorders/{id}/status/open|void``, ``PUT /salesorder/{id}/customfields``
- credit notes: ``POST|GET|PUT /creditnotes``, ``GET|PUT|DELETE /creditnotes/{id}``,
  ``POST /creditnotes/{id}/void|draft|converttoopen`` (seed 004)
- read-only catalogues: ``/items``, ``/settings/taxes``, ``/settings/currencies``,
  ``/chartofaccounts``, ``/salespersons`` (the sandbox's own path; answer key ``salespersons``)
- ``POST /oauth/v2/token``, ``GET /oauth/v2/auth``; CRM under ``/crm/v8`` (app.sandbox.crm)

Answers: ``{"code": 0, "message": ..., "<resource>": {...}}`` with the record as an object
(the seeds' doubled ``"contact": {"contact": ...}`` is a documentation artefact); lists add
``page_context``. New sales orders start as ``draft``; credit notes as ``open`` (``draft``
with ``is_draft``). Drop faults hit writes (POST/PUT/DELETE) only.

Error codes. From the seeds: 1002 unknown ID (404), 1000 internal error (500, also 503 for
the fail fault). The sandbox's own where the seeds give none:

====  ======  =========================================================================
code  status  meaning
====  ======  =========================================================================
2     400     unknown field (message names it, e.g. ``line_items[0].colour``)
4     400     invalid value: wrong type, bad date, unknown customer_id/item_id/tax_id, ...
5     404     unknown URL ("Invalid URL Passed")
6     400     organization_id missing
11    400     required field missing (message names it)
15    400     value too long (message names the field and the limit)
16    413     request body over 8 MB
37    405     HTTP method not allowed for the URL
44    429     more requests than the sliding window allows
45    429     daily quota spent
46    429     more concurrent requests than allowed
57    401     missing, malformed, unknown or expired access token; a call outside the
              grant's scopes ("You are not authorized to perform this operation": Zoho Books
              answers a call outside the granted scopes as it answers an expired token)
1001  400     number or unique custom field value already used
1038  400     malformed JSON / missing JSON body / JSONString not an object
6041  400     unknown organization_id
====  ======  =========================================================================

OAuth errors are ``{"error": "invalid_client" | "invalid_code" | ...}`` (HTTP 400/401); past
``token_limit`` access tokens per refresh token in ten minutes, HTTP 200 ``{"error": "Access
Denied", ...}`` (app.sandbox.oauth). Grants and their scopes: app.sandbox.grants; CRM answers a
call outside them 401 ``OAUTH_SCOPE_MISMATCH`` (seed 000).
Every Books answer carries ``X-Rate-Limit-Limit`` (daily quota), ``-Remaining`` and ``-Reset``
(seconds until the quota day ends).
"""

from app.sandbox.app import create_app  # noqa: I001  (after settings: app imports them)
from app.sandbox.embedded import EmbeddedSandbox, SandboxError
from app.sandbox.gate import ConnectionDropped
from app.sandbox.settings import SandboxSettings

__all__ = ["ConnectionDropped", "EmbeddedSandbox", "SandboxError", "SandboxSettings", "create_app"]
