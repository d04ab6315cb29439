"""Zoho CRM v8 routes of the sandbox: Quotes, Sales_Orders and Invoices records, convert and mass_convert.

Routes (all under /crm/v8, behind the sandbox's auth middleware):

- ``GET /settings/modules`` -> ``{"modules": [{"api_name", "id", ...}]}`` (module IDs for ``convert_to``).
- ``GET /{module}?fields=a,b&page=1&per_page=200&sort_by=id&sort_order=desc`` -> ``{"data": [...],
  "info": {"per_page", "next_page_token", "count", "sort_by", "page", "previous_page_token",
  "page_token_expiry", "sort_order", "more_records"}}``; 204 with an empty body when the page is empty.
  ``fields`` is mandatory (REQUIRED_PARAM_MISSING), ``per_page`` at most 200 (INVALID_DATA);
  ``sort_by`` id (default), Created_Time or Modified_Time, ``sort_order`` desc (default) or asc.
  ``page`` reaches the first 2,000 records only (DISCRETE_PAGINATION_LIMIT_EXCEEDED past them);
  every page with more after it hands out ``next_page_token``: ``page_token=`` (not with ``page``:
  AMBIGUITY_DURING_PROCESSING) goes on from that page's last record with the same other parameters
  (TOKEN_BOUND_DATA_MISMATCH otherwise), good for ``store.page_token_ttl_s`` (24 h; EXPIRED_VALUE
  after), an unknown token is INVALID_DATA, and tokens reach the first 100,000 records
  (PAGINATION_LIMIT_EXCEEDED).
- ``GET /{module}/{id}`` -> ``{"data": [record]}``.
- ``POST /{module}`` with ``{"data": [...]}`` (at most 100, else LIMIT_EXCEEDED) -> per-record
  ``{"code": "SUCCESS", "details": {"id", ...}, "message": "record added", "status": "success"}``;
  201 when all were added, 207 when some were, 400 when none. Mandatory: ``Subject``,
  ``Account_Name`` ({"id"} or {"name"} of a seeded account) and the line items subform
  (``Quoted_Items`` / ``Ordered_Items`` / ``Invoiced_Items``: ``Product_Name`` {"id"}, ``Quantity``,
  optional ``List_Price``, ``Discount``, ``Description``). Optional: ``Tag`` [{"name"}], ``Owner``
  {"id"}, ``Quote_Name`` / ``Sales_Order`` {"id"}, and the sandbox-only knob ``$approval_state``
  (approved | approval_process_pending | approval_process_rejected | review_process_pending).
- ``POST /{Quotes|Sales_Orders}/{id}/actions/convert`` with crm-oas v8 inventory_convert.yaml's body
  ``{"data": [{"convert_to": [{"module": {"api_name", "id"}, "carry_over_tags"?: true}]}]}``, checked
  against exactly that schema (crm_schemas/inventory_convert.request.schema.json) -> 200
  ``{"data": [{"code": "SUCCESS", "details": {"Sales_Orders": {"id", "name"}}, ...}]}``.
  ``carry_over_tags`` absent means true (seed 000's note); ``false`` is NOT_ALLOWED; two modules in
  ``convert_to`` (or two ``data`` items) are INVALID_DATA (seed 000: one module per action).
- ``POST /{Quotes|Sales_Orders}/actions/mass_convert`` with ``{"ids": [...<=50], "convert_to": [...],
  "assign_to"?, "related_modules"?}`` -> 202 ``{"code": "SCHEDULED", "details": {"job_id"}, ...}``.
- ``GET /{Quotes|Sales_Orders}/actions/mass_convert?job_id=`` -> ``{"total_count", "converted_count",
  "not_converted_count", "failed_count", "status"}``; status "IN PROGRESS" or "COMPLETED".

A converted record gets new line-item IDs and the source's lines, totals, account and owner (or the
mass_convert ``assign_to`` user); ``Quote_Name`` {"id", "name"} points to the quote it came from,
``Sales_Order`` to the sales order; tags go along when ``carry_over_tags``. The source gets
``$converted: true`` and ``$converted_detail`` {target module: {"id", "name"}}.

Errors, as seed 000 lists them (bodies ``{"code", "details", "message", "status": "error"}``);
errors about the convert body's items come wrapped in ``{"data": [...]}``, errors about the record
in the URL come bare, as the crm-oas convert schema has them; every mass_convert error is bare:

- MANDATORY_NOT_FOUND 400: a key the schema requires is missing (``data``, ``convert_to``, ``module``,
  ``module.api_name``, ``module.id``, ``ids``; for mass_convert also ``carry_over_tags``).
- EXPECTED_FIELD_MISSING 400: ``data``, ``convert_to`` (or ``ids``) is an empty array.
- NOT_ALLOWED 400: ``carry_over_tags: false`` in a single convert (details.json_path
  ``$.data[0].convert_to[0].carry_over_tags``).
- INVALID_DATA 400: a value of the wrong JSON type (``details.expected_data_type``), a key the
  schema does not have, an unknown module API name or module ID in ``convert_to``, a module that
  the source cannot convert to (``supported_values``), more than one module, a body that is not JSON, a non-digit ``ids``
  entry; a record ID that is no record (``resource_path_index`` 1); an unknown ``job_id``.
- AMBIGUITY_DURING_PROCESSING 400: ``convert_to`` names one module with another module's ID; the
  record ID in the URL belongs to another module; the seeded trap records (below).
- ID_ALREADY_CONVERTED 400: the record was already converted to one of the requested modules.
- NOT_APPROVED 400: ``$approval_state`` approval_process_pending or approval_process_rejected.
- NOT_REVIEWED 400: ``$approval_state`` review_process_pending.
- NO_PERMISSION 403: the seeded trap records (below), or a module in ``store.disabled_modules``.
- INVALID_URL_PATTERN 404: any other path under /crm (e.g. ``/Invoices/{id}/actions/convert``).
- INVALID_REQUEST_METHOD 400: a known path with the wrong method (seed 000).
- INVALID_MODULE 400: an unknown module in the path (CRM's own code for it).
- LIMIT_EXCEEDED 400: more than 50 ``ids`` or more than 100 records to create.
- REQUIRED_PARAM_MISSING 400: ``fields`` on list pages, ``job_id`` on job status.
- TOO_MANY_REQUESTS 429: more than ``store.concurrency`` CRM requests at once (the per-org cap).

Seeded records and what they trigger: see app.sandbox.crm_seed (QT-00026..29 NOT_APPROVED,
QT-00030..32 NOT_REVIEWED, QT-00033..37 already converted, QT-00038 NO_PERMISSION, QT-00039
AMBIGUITY_DURING_PROCESSING, SO-00009 NOT_APPROVED, SO-00010 NOT_REVIEWED, SO-00011 already
converted, SO-00012 NO_PERMISSION). Quote QT-000NN has ID 4600000001000NN, SO-000NN
4600000002000NN, INV-000NN 4600000003000NN.

Storage lives in app.sandbox.crm_store (CrmStore, re-exported here), list pages in app.sandbox.crm_pages. Mass-convert jobs are
deterministic: a job answers IN PROGRESS to its first
``store.mass_convert_polls`` status polls (converting a growing share of its records at each)
and COMPLETED from the next one on; with ``mass_convert_polls = 0`` it is done when scheduled.
Records that are not approved, not reviewed or already converted count as ``not_converted``;
unknown IDs, no permission and ambiguity count as ``failed``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from app.sandbox import crm_records as rec
from app.sandbox.crm_convert import convert_request, mass_convert_request, parse_json
from app.sandbox.crm_errors import (
    CrmError,
    discrete_pagination_limit_exceeded,
    expected_field_missing,
    invalid_data,
    invalid_module,
    invalid_record_id,
    invalid_request_method,
    invalid_url_pattern,
    limit_exceeded,
    mandatory_not_found,
    path_details,
    required_param_missing,
)
from app.sandbox.crm_pages import SORT_KEYS, ListQuery
from app.sandbox.crm_store import CrmStore

__all__ = ["CrmStore", "crm_routes"]

CREATE_MAX_RECORDS = 100
PER_PAGE_MAX = 200
DISCRETE_PAGINATION_LIMIT = 2000  # records reachable with `page`; past them only `page_token`
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

Handler = Callable[[Request], Awaitable[Response]]


def _module(request: Request) -> str:
    module = request.path_params["module"]
    if module not in rec.MODULES:
        raise invalid_module()
    return module


def _convertible_module(request: Request) -> str:
    module = _module(request)
    if module not in rec.CONVERT_TARGETS:
        raise invalid_url_pattern()
    return module


def _int_param(request: Request, name: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise invalid_data({"param_name": name})
    return int(raw)


def _choice(request: Request, name: str, allowed: Iterable[str], default: str) -> str:
    value = request.query_params.get(name, default)
    if value not in allowed:
        raise invalid_data({"param_name": name, "supported_values": sorted(allowed)})
    return value


def crm_routes(store: CrmStore) -> list[BaseRoute]:
    """Routes under /crm/v8/ served behind the sandbox's auth middleware."""

    def endpoint(methods: dict[str, Handler]) -> Handler:
        async def answer(request: Request) -> Response:
            try:
                with store.request_slot():
                    handler = methods.get(request.method)
                    if handler is None:
                        raise invalid_request_method()
                    return await handler(request)
            except CrmError as error:
                return error.response()
            except Exception:  # the sandbox answers like Zoho, never with a traceback
                return CrmError(500, "INTERNAL_ERROR", "Internal Server Error").response()

        return answer

    async def modules(request: Request) -> Response:
        return JSONResponse({
            "modules": [
                {
                    "api_name": m.api_name,
                    "id": m.id,
                    "module_name": m.api_name,
                    "singular_label": m.singular,
                    "plural_label": m.api_name.replace("_", " "),
                    "api_supported": True,
                }
                for m in rec.MODULES.values()
            ]
        })

    async def list_records(request: Request) -> Response:
        module = _module(request)
        fields_param = request.query_params.get("fields")
        if not fields_param:
            raise required_param_missing("fields")
        fields = [f.strip() for f in fields_param.split(",") if f.strip()]
        for name in fields:
            if name not in rec.MODULE_FIELDS[module]:
                raise invalid_data({"api_name": name, "param_name": "fields"})
        query = ListQuery(
            tuple(fields),
            _int_param(request, "per_page", PER_PAGE_MAX, PER_PAGE_MAX),
            _choice(request, "sort_by", SORT_KEYS, "id"),
            _choice(request, "sort_order", ("asc", "desc"), "desc"),
        )
        page_token = request.query_params.get("page_token")
        if page_token is not None and "page" in request.query_params:
            raise CrmError(400, "AMBIGUITY_DURING_PROCESSING", "You cannot use both page and page_token",
                           {"ambiguity_due_to": ["page", "page_token"]})
        page = _int_param(request, "page", 1, 10**6)
        if page_token is None and page * query.per_page > DISCRETE_PAGINATION_LIMIT:
            raise discrete_pagination_limit_exceeded(DISCRETE_PAGINATION_LIMIT)
        answer = store.list_page(module, query, page=page, page_token=page_token)
        if not answer.records:
            return Response(status_code=204)
        data = [{"id": r["id"], **{f: r.get(f) for f in fields}} for r in answer.records]
        info = {
            "per_page": query.per_page,
            "next_page_token": answer.next_page_token,
            "count": len(data),
            "sort_by": query.sort_by,
            "page": answer.page,
            "previous_page_token": answer.previous_page_token,
            "page_token_expiry": answer.page_token_expiry,
            "sort_order": query.sort_order,
            "more_records": answer.more_records,
        }
        return JSONResponse({"data": data, "info": info})

    async def create_records(request: Request) -> Response:
        module = _module(request)
        body = parse_json(await request.body(), wrapped=False)
        if not isinstance(body, dict):
            raise invalid_data({"json_path": "$", "expected_data_type": "jsonobject"})
        if "data" not in body:
            raise mandatory_not_found("data", "$.data")
        data = body["data"]
        if not isinstance(data, list):
            raise invalid_data(path_details("data", "$.data", expected_data_type="jsonarray"))
        if not data:
            raise expected_field_missing("data", "$.data")
        if len(data) > CREATE_MAX_RECORDS:
            raise limit_exceeded(CREATE_MAX_RECORDS, "data", "$.data")
        answers = store.create(module, data)
        added = sum(a["status"] == "success" for a in answers)
        status = 201 if added == len(answers) else 207 if added else 400
        return JSONResponse({"data": answers}, status_code=status)

    async def get_record(request: Request) -> Response:
        module = _module(request)
        record = store.get(module, request.path_params["id"])
        if record is None:
            raise invalid_record_id()
        return JSONResponse({"data": [record]})

    async def convert(request: Request) -> Response:
        module = _convertible_module(request)
        targets = convert_request(module, await request.body())
        details = store.convert(module, request.path_params["id"], targets)
        return JSONResponse({
            "data": [
                {
                    "code": "SUCCESS",
                    "details": details,
                    "message": "The record has been converted successfully",
                    "status": "success",
                }
            ]
        })

    async def mass_convert(request: Request) -> Response:
        module = _convertible_module(request)
        job = mass_convert_request(module, await request.body())
        store.check_permitted(module, job.targets)
        job_id = store.schedule_mass_convert(module, job.ids, job.targets, job.owner_id)
        return JSONResponse(
            {
                "code": "SCHEDULED",
                "details": {"job_id": job_id},
                "message": "Mass Convert scheduled successfully",
                "status": "success",
            },
            status_code=202,
        )

    async def mass_convert_status(request: Request) -> Response:
        module = _convertible_module(request)
        job_id = request.query_params.get("job_id")
        if not job_id:
            raise required_param_missing("job_id")
        return JSONResponse(store.mass_convert_status(module, job_id))

    async def unknown(request: Request) -> Response:
        raise invalid_url_pattern()

    def route(path: str, methods: dict[str, Handler]) -> Route:
        return Route(path, endpoint(methods), methods=ALL_METHODS)

    return [
        route("/crm/v8/settings/modules", {"GET": modules}),
        route("/crm/v8/{module}/actions/mass_convert", {"POST": mass_convert, "GET": mass_convert_status}),
        route("/crm/v8/{module}/{id}/actions/convert", {"POST": convert}),
        route("/crm/v8/{module}/{id}", {"GET": get_record}),
        route("/crm/v8/{module}", {"GET": list_records, "POST": create_records}),
        route("/crm/{rest:path}", {m: unknown for m in ALL_METHODS}),
        route("/crm", {m: unknown for m in ALL_METHODS}),
    ]
