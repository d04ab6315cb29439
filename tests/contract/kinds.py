"""Every kind of request zoho-bulk sends, as data: method, path, query, headers and body rules, each with its source.

Sources, abbreviated in the comments:
- S000: docs/zoho/000 (CRM "Convert Inventory Records").
- S003: docs/zoho/003 (Books v3 sales orders, www.zohoapis.com/books/v3).
- S004: docs/zoho/004 (Books v3 contacts, sales orders, credit notes, books.zoho.com/api/v3).
- OAS-C: app/sandbox/crm_schemas/inventory_convert.request.schema.json (crm-oas v8 inventory_convert.yaml).
- OAS-M: app/sandbox/crm_schemas/inventory_mass_convert.json (crm-oas v8 inventory_mass_convert).
- FACTS: Zoho's pages outside the seeds (API limits, OAuth, data centres), by the fact's name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# --- the three APIs -------------------------------------------------------------------------------

# FACTS "Data centres and OAuth": Books at {api-domain}/books/v3 (S003), the older books.zoho.{dc}/api/v3
# still in S004's examples; CRM at {api-domain}/crm/v8 (S000 "{api-domain}/crm/{version}/...", FACTS "CRM");
# Zoho Accounts' token endpoint POST https://accounts.zoho.{dc}/oauth/v2/token.
API_ROOTS: dict[str, tuple[str, ...]] = {
    "books": ("/books/v3", "/api/v3"),
    "crm": ("/crm/v8",),
    "accounts": ("",),
}

# S000 "Header: Authorization: Zoho-oauthtoken d92d4xxx"; S003/S004 every request example
# (-H "Authorization: Zoho-oauthtoken 1000.41d9...").
OAUTH_HEADER = {"Authorization": r"Zoho-oauthtoken \S+"}

# Requests to the sandbox's own endpoints, which no Zoho has; sent by the tool only to a sandbox.
# (app.jobs.target asks the sandbox root "/" what it is before using it.)
SANDBOX_ONLY: tuple[tuple[str, str], ...] = (("GET", "/"),)


@dataclass(frozen=True)
class RequestKind:
    """One kind of request: where it goes, what it must carry, what its body looks like, and why."""

    name: str
    api: str  # "books", "crm" or "accounts"
    method: str
    path: str  # template under the API root; {name} matches one path segment
    source: str  # the passage the kind itself comes from
    path_values: dict[str, tuple[str, ...]] = field(default_factory=dict)  # allowed values of {name}s
    query_required: tuple[str, ...] = ()
    query_values: dict[str, tuple[str, ...]] = field(default_factory=dict)  # allowed values of a parameter
    headers: dict[str, str] = field(default_factory=dict)  # name -> full-match regex of its value
    body: dict[str, Any] | None = None  # JSON Schema of a JSON body; None: no body may be sent
    form: dict[str, tuple[str, ...]] | None = None  # grant_type -> fields required (form-encoded)


def _object(required: tuple[str, ...] = (), **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": properties}


_ID = {"type": ["string", "integer"]}
_LINES = {"type": "array", "items": {"type": "object"}}
_BOOL_TEXT = ("true", "false")

# --- Zoho Books ------------------------------------------------------------------------------------

BOOKS_QUERY = ("organization_id",)  # S003 every endpoint: "organization_id string (Required)"; FACTS
BOOKS_HEADERS = OAUTH_HEADER

# FACTS "Books request details": filter_by values are exact. S004 GET /contacts "filter_by ... Allowed
# Values: Status.All, Status.Active, Status.Inactive, Status.Duplicate and Status.Crm"; S003 List sales
# orders "filter_by ... Status.All, Status.Open, Status.Draft, Status.OverDue, Status.PartiallyInvoiced,
# Status.Invoiced, Status.Void and Status.Closed"; S004 GET /creditnotes "filter_by ... Status.All
# Status.Open Status.Draft Status.Closed and Status.Void".
FILTER_BY: dict[str, tuple[str, ...]] = {
    "contacts": ("Status.All", "Status.Active", "Status.Inactive", "Status.Duplicate", "Status.Crm"),
    "salesorders": ("Status.All", "Status.Open", "Status.Draft", "Status.OverDue", "Status.PartiallyInvoiced",
                    "Status.Invoiced", "Status.Void", "Status.Closed"),
    "creditnotes": ("Status.All", "Status.Open", "Status.Draft", "Status.Closed", "Status.Void"),
}
# S004 GET /contacts "sort_column ... contact_name, first_name, last_name, email,
# outstanding_receivable_amount, created_time and last_modified_time"; S003 List sales orders
# "sort_column ... customer_name, salesorder_number, shipment_date, last_modified_time, reference_number,
# total, date, and created_time"; S004 GET /creditnotes "sort_column ... customer_name creditnote_number
# balance total date and created_time".
SORT_COLUMN: dict[str, tuple[str, ...]] = {
    "contacts": ("contact_name", "first_name", "last_name", "email", "outstanding_receivable_amount",
                 "created_time", "last_modified_time"),
    "salesorders": ("customer_name", "salesorder_number", "shipment_date", "last_modified_time",
                    "reference_number", "total", "date", "created_time"),
    "creditnotes": ("customer_name", "creditnote_number", "balance", "total", "date", "created_time"),
}

# Bodies. S004 "Create a Contact" ARGUMENTS "contact_name Required"; contact_persons a list ("To delete
# a contact person, remove it from the contact_persons list").
CONTACT_CREATE = _object(("contact_name",), contact_name={"type": "string", "maxLength": 200},
                         contact_persons={"type": "array", "items": {"type": "object"}})
# S003 "Create a sales order" "customer_id string (Required)"; line_items a list of line objects.
SALESORDER_CREATE = _object(("customer_id",), customer_id=_ID, line_items=_LINES)
# S004 "Create a credit note" ARGUMENTS: customer_id Required, date Required ("Format [yyyy-mm-dd]"),
# line_items Required ("Line items of a credit note").
CREDITNOTE_CREATE = _object(("customer_id", "date", "line_items"), customer_id=_ID,
                            date={"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}, line_items=_LINES)
# Updates: the same shapes, fields not required. The seeds' update sections repeat the create ARGUMENTS
# with their "Required" marks (S004 "Update a Contact" contact_name; S003 "Update a sales order"
# customer_id; S004 "Update a credit note" customer_id, date, line_items, creditnote_number), while the
# tool sends partial updates (only the columns the sheet has). Whether Zoho refuses a partial update is
# not settled by the documents; DOCUMENTED_NOT_CHECKED names these marks so that the question stays
# visible (issue 13 report) instead of being decided silently either way. An update decided from a listed
# record does add each of them the sheet lacks, unchanged from that record (app.jobs.importing.decide.with_required,
# tests/jobs/test_required_on_update.py), all but a credit note's line_items, which need a whole record.
CONTACT_UPDATE = _object(contact_name={"type": "string", "maxLength": 200},
                         contact_persons={"type": "array", "items": {"type": "object"}})
SALESORDER_UPDATE = _object(customer_id=_ID, line_items=_LINES)
CREDITNOTE_UPDATE = _object(customer_id=_ID, date={"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                            line_items=_LINES)
DOCUMENTED_NOT_CHECKED: dict[str, tuple[str, ...]] = {
    "update contacts": ("contact_name",),
    "update salesorders": ("customer_id",),
    "update creditnotes": ("customer_id", "date", "line_items", "creditnote_number"),
    # S004 "Create a credit note" marks creditnote_number Required too, though Zoho numbers a credit
    # note itself unless ignore_auto_number_generation=true (S004 query parameter).
    "create creditnotes": ("creditnote_number",),
}
BODIES = {
    "contacts": (CONTACT_CREATE, CONTACT_UPDATE),
    "salesorders": (SALESORDER_CREATE, SALESORDER_UPDATE),
    "creditnotes": (CREDITNOTE_CREATE, CREDITNOTE_UPDATE),
}
SOURCES = {
    "contacts": "S004 Contacts (POST /contacts, GET/PUT/DELETE /contacts/{contact_id})",
    "salesorders": "S003 Sales Order (POST /salesorders, PUT/GET/DELETE /salesorders/{salesorder_id})",
    "creditnotes": "S004 Credit Notes (POST /creditnotes, GET/PUT/DELETE /creditnotes/{creditnote_id})",
}
# S003 "Create a sales order" query "ignore_auto_number_generation boolean"; S004 POST /creditnotes the same.
NUMBERED = ("salesorders", "creditnotes")


def _books(name: str, method: str, path: str, source: str, **rules: Any) -> RequestKind:
    rules.setdefault("query_required", BOOKS_QUERY)
    rules.setdefault("headers", BOOKS_HEADERS)
    return RequestKind(name, "books", method, path, source, **rules)


def _books_kinds() -> list[RequestKind]:
    # S004 "GET /organizations": organization_id "can be obtained from the GET /organizations API's JSON
    # response", so this one call goes without it.
    kinds = [_books("list organizations", "GET", "/organizations", "S004 Organizations", query_required=())]
    for entity, (create, update) in BODIES.items():
        record = f"/{entity}/{{id}}"
        kinds += [
            _books(f"list {entity}", "GET", f"/{entity}", SOURCES[entity],
                   query_values={"filter_by": FILTER_BY[entity], "sort_column": SORT_COLUMN[entity],
                                 "sort_order": ("A", "D")}),  # S004 page_context "sort_order": "D"
            _books(f"get {entity}", "GET", record, SOURCES[entity]),
            _books(f"create {entity}", "POST", f"/{entity}", SOURCES[entity], body=create,
                   query_values={"ignore_auto_number_generation": _BOOL_TEXT} if entity in NUMBERED else {}),
            _books(f"update {entity}", "PUT", record, SOURCES[entity], body=update),
            _books(f"delete {entity}", "DELETE", record, SOURCES[entity]),
            # S003 "Update a sales order using a custom field's unique value": PUT /salesorders with
            # "X-Unique-Identifier-Key string (Required)", "X-Unique-Identifier-Value string (Required)",
            # optional "X-Upsert" true; the key is the custom field's API name (example "cf_unique_cf").
            # FACTS "Books request details" extends it to contacts and credit notes.
            _books(f"upsert {entity}", "PUT", f"/{entity}", "S003 / FACTS upsert", body=update,
                   headers={**BOOKS_HEADERS, "X-Unique-Identifier-Key": r"cf_\w+",
                            "X-Unique-Identifier-Value": r".+", "X-Upsert?": "true|false"}),
        ]
    kinds += [
        # S004 "Mark as Active" POST /contacts/{:contact_id}/active, "Mark as Inactive" .../inactive.
        _books("mark contact", "POST", "/contacts/{id}/{status}", "S004 Mark as Active / Inactive",
               path_values={"status": ("active", "inactive")}),
        # S004 POST /salesorders/{salesorder_id}/status/open and /status/void; FACTS "Books request details".
        _books("mark sales order", "POST", "/salesorders/{id}/status/{status}",
               "S004 / S003 Mark a sales order as open / void", path_values={"status": ("open", "void")}),
        # S004 "Void a Credit Note" POST /creditnotes/{creditnote_id}/void, "Convert Credit Note to Draft"
        # .../draft, "Convert to Open" .../converttoopen; FACTS "Credit-note status changes".
        _books("mark credit note", "POST", "/creditnotes/{id}/{status}", "S004 credit note status",
               path_values={"status": ("void", "draft", "converttoopen")}),
    ]
    # Catalogues the tool reads to turn names into IDs. FACTS "Scopes": items, taxes, currencies, users
    # (ZohoBooks.settings.READ), chart of accounts (ZohoBooks.accountants.READ). Not in the seeds: only
    # the rules every Books request keeps are checked. /salespersons is in no document here (see the
    # report of issue 13): kept so that its use stays visible, not because a document names it.
    for path in ("/items", "/settings/taxes", "/settings/currencies", "/chartofaccounts", "/users",
                 "/salespersons"):
        kinds.append(_books(f"list {path[1:]}", "GET", path, "FACTS Scopes (catalogues)"))
    return kinds


# --- Zoho CRM --------------------------------------------------------------------------------------

CONVERT_SOURCES = ("Quotes", "Sales_Orders")  # S000 "Possible modules names: Quotes, and Sales Orders"
CRM_MODULES = ("Quotes", "Sales_Orders", "Invoices")  # the inventory modules the tool reads and makes

# OAS-C, the request body of POST /crm/v8/{Quotes|Sales_Orders}/{id}/actions/convert, as transcribed:
# {"data": [exactly one {"convert_to": [exactly one {"module": {"api_name", "id"}}]}]}, no other keys,
# carry_over_tags true or absent (false is NOT_ALLOWED). S000 "One module for conversion per action".
CONVERT_BODY: dict[str, Any] = json.loads(
    (Path(__file__).with_name("crm_convert.request.schema.json")).read_text(encoding="utf-8"))
# FACTS "CRM": "data holds exactly one object; convert_to exactly one module". The transcription
# gives maxItems 1; an empty list names nothing to convert (S000 EXPECTED_FIELD_MISSING "The
# 'convert_to' JSON array is missing or empty").
CONVERT_BODY["properties"]["data"]["minItems"] = 1
CONVERT_BODY["properties"]["data"]["items"]["properties"]["convert_to"]["minItems"] = 1

# OAS-M components.schemas.Body_Wrapper: required convert_to and ids; each convert_to entry requires
# module {api_name, id} and carry_over_tags (boolean); optional assign_to {id (required), api_name},
# related_modules [{api_name, id}]. FACTS "CRM": "ids (1..50 strings) and convert_to (one module;
# carry_over_tags boolean is required here)".
MASS_CONVERT_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["convert_to", "ids"],
    "properties": {
        "ids": {"type": "array", "minItems": 1, "maxItems": 50, "items": {"type": "string"}},
        "convert_to": {
            "type": "array", "minItems": 1, "maxItems": 1,
            "items": {
                "type": "object",
                "required": ["module", "carry_over_tags"],
                "properties": {
                    "module": {
                        "type": "object", "required": ["api_name", "id"],
                        "properties": {"api_name": {"type": "string", "enum": ["Sales_Orders", "Invoices"]},
                                       "id": {"type": "string"}},
                    },
                    "carry_over_tags": {"type": "boolean"},
                },
            },
        },
        "assign_to": {"type": "object", "required": ["id"],
                      "properties": {"id": {"type": "string"}, "api_name": {"type": "string"}}},
        "related_modules": {"type": "array", "items": {"type": "object", "properties": {
            "api_name": {"type": ["string", "null"]}, "id": {"type": ["string", "null"]}}}},
    },
}
# Zoho CRM's Create Records: {"data": [records]} (FACTS "CRM" shape of data lists; at most 100 a call).
CREATE_RECORDS_BODY: dict[str, Any] = {
    "type": "object", "required": ["data"],
    "properties": {"data": {"type": "array", "minItems": 1, "maxItems": 100, "items": {"type": "object"}}},
}


def _crm(name: str, method: str, path: str, source: str, **rules: Any) -> RequestKind:
    rules.setdefault("headers", OAUTH_HEADER)
    return RequestKind(name, "crm", method, path, source, **rules)


def _crm_kinds() -> list[RequestKind]:
    return [
        # S000 "Use the GET - Modules API to retrieve modules API names and IDs"; FACTS Scopes "Get Modules".
        _crm("get modules", "GET", "/settings/modules", "S000 module (GET - Modules)"),
        # S000 Endpoints "POST /Quotes/{record_ID}/actions/convert", "POST /Sales_Orders/{record_ID}/...".
        _crm("convert", "POST", "/{module}/{id}/actions/convert", "S000 / OAS-C",
             path_values={"module": CONVERT_SOURCES}, body=CONVERT_BODY),
        # OAS-M paths "/crm/v8/{module_api_name}/actions/mass_convert" post (body) and get (job_id required).
        _crm("mass convert", "POST", "/{module}/actions/mass_convert", "OAS-M post",
             path_values={"module": CONVERT_SOURCES}, body=MASS_CONVERT_BODY),
        _crm("mass convert status", "GET", "/{module}/actions/mass_convert", "OAS-M get",
             path_values={"module": CONVERT_SOURCES}, query_required=("job_id",)),
        # FACTS "CRM": "Get Records (v8): fields is required; page numbers reach only the first 2,000
        # records, after that page_token from info.next_page_token".
        _crm("get records", "GET", "/{module}", "FACTS CRM Get Records", path_values={"module": CRM_MODULES},
             query_required=("fields",)),
        _crm("get record", "GET", "/{module}/{id}", "FACTS CRM Get Records", path_values={"module": CRM_MODULES}),
        _crm("create records", "POST", "/{module}", "FACTS CRM", path_values={"module": CRM_MODULES},
             body=CREATE_RECORDS_BODY),
    ]


# --- Zoho Accounts ---------------------------------------------------------------------------------

# FACTS "Data centres and OAuth": POST /oauth/v2/token with grant_type=authorization_code (code,
# client_id, client_secret, redirect_uri) or grant_type=refresh_token (refresh_token, client_id,
# client_secret). redirect_uri goes with the authorization-code flow's loopback redirect only (a Self
# Client grant code has none), so it is not required here.
TOKEN_FORM = {
    "authorization_code": ("code", "client_id", "client_secret"),
    "refresh_token": ("refresh_token", "client_id", "client_secret"),
}


def _accounts_kinds() -> list[RequestKind]:
    return [RequestKind("token", "accounts", "POST", "/oauth/v2/token", "FACTS Data centres and OAuth",
                        form=TOKEN_FORM)]


KINDS: tuple[RequestKind, ...] = (*_books_kinds(), *_crm_kinds(), *_accounts_kinds())
