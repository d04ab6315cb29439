"""Sales orders (seed 003) and credit notes (seed 004): fields, numbering, filters, statuses; lines in document_lines."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.sandbox.books import Books, Columns, Kind, choice, ok, text_filters
from app.sandbox.document_lines import line_items, totals
from app.sandbox.errors import (
    INVALID_VALUE,
    BooksError,
    already_exists,
    invalid,
    required,
    too_long,
)
from app.sandbox.payload import (
    ADDRESS,
    ANY,
    BOOL,
    CUSTOM_FIELD,
    DATEF,
    ID,
    NUM,
    RO,
    F,
    S,
    Spec,
    check,
    coerce,
    read_json,
)

LINE_ITEM: Spec = {
    "line_item_id": ID, "item_order": NUM, "item_id": ID, "rate": NUM, "name": S(255),
    "description": S(2000), "quantity": NUM, "product_type": S(20), "hsn_or_sac": S(20),
    "sat_item_key_code": S(20), "unitkey_code": S(20), "location_id": ID, "discount": ANY,
    "tax_id": ID, "tds_tax_id": ID, "tags": ANY, "unit": S(20), "item_custom_fields": ANY,
    "tax_exemption_id": ID, "tax_exemption_code": S(50), "tax_treatment_code": S(50),
    "avatax_exempt_no": S(50), "avatax_use_code": S(50), "project_id": ID, "warehouse_id": ID,
    "account_id": ID, "account_name": S(200), "code": S(100), "type": NUM, "serial_numbers": ANY,
    "warehouse_name": S(200), "invoice_id": ID, "invoice_item_id": ID,
    "item_total": RO, "tax_name": RO, "tax_percentage": RO, "tax_type": RO, "location_name": RO,
    "discount_amount": RO, "bcy_rate": RO, "sku": RO,
}
DOCUMENT: Spec = {
    "customer_id": ID, "currency_id": ID, "contact_persons": ANY,
    "contact_persons_associated": ANY, "date": DATEF,
    "custom_fields": F("list", children=CUSTOM_FIELD), "place_of_supply": S(10),
    "salesperson_id": ID, "salesperson_name": S(200), "merchant_id": ID, "gst_treatment": S(50),
    "gst_no": S(15), "is_inclusive_tax": BOOL, "location_id": ID,
    "line_items": F("list", children=LINE_ITEM), "notes": S(5000), "terms": S(10000),
    "billing_address_id": ID, "shipping_address_id": ID, "vat_treatment": S(50),
    "tax_treatment": S(50), "is_reverse_charge_applied": BOOL, "reference_number": S(100),
    "discount": ANY, "exchange_rate": NUM, "tax_id": ID, "tax_authority_id": ID,
    "tax_exemption_id": ID, "tax_authority_name": S(100), "tax_exemption_code": S(50),
    "avatax_exempt_no": S(50), "avatax_use_code": S(50), "shipping_charge": NUM,
    "adjustment": NUM, "adjustment_description": S(100), "is_discount_before_tax": BOOL,
    "discount_type": S(20), "pricebook_id": ID, "template_id": ID, "documents": ANY,
    "ignore_auto_number_generation": BOOL, "tags": ANY,
    "status": RO, "customer_name": RO, "currency_code": RO, "currency_symbol": RO,
    "sub_total": RO, "tax_total": RO, "total": RO, "taxes": RO, "created_time": RO,
    "last_modified_time": RO, "discount_amount": RO, "price_precision": RO, "is_emailed": RO,
    "billing_address": F("obj", children=ADDRESS), "shipping_address": F("obj", children=ADDRESS),
    "created_by_id": RO, "template_name": RO, "has_attachment": RO, "bcy_total": RO,
}
SALESORDER: Spec = {
    **DOCUMENT, "salesorder_number": S(100), "shipment_date": DATEF, "crm_owner_id": ID,
    "crm_custom_reference_id": ID, "is_update_customer": BOOL, "notes_default": S(5000),
    "terms_default": S(10000), "delivery_method": S(100), "estimate_id": ID,
    "zcrm_potential_id": ID, "zcrm_potential_name": S(200), "salesorder_id": RO,
    "invoiced_status": RO, "paid_status": RO, "order_status": RO, "shipment_days": RO,
}
CREDITNOTE: Spec = {
    **DOCUMENT, "creditnote_number": S(100), "is_draft": BOOL, "invoice_id": ID,
    "creditnote_id": RO, "balance": RO, "email": RO,
    # seed 004's update example repeats line item fields at the top level: accepted, ignored
    "item_id": RO, "account_id": RO, "name": RO, "description": RO, "unit": RO, "rate": RO,
    "quantity": RO,
}


class Document(Kind):
    """What sales orders and credit notes share."""

    number_field = ""
    prefix = ""

    def initial_status(self, payload: dict[str, Any]) -> str:
        raise NotImplementedError

    def next_number(self) -> str:
        store = self.books.store
        while True:
            number = f"{self.prefix}{store.next_value(f'number:{self.entity}'):05d}"
            if store.find_id(self.entity, "number", number) is None:
                return number

    def build(
        self, payload: dict[str, Any], existing: dict[str, Any] | None, request: Request
    ) -> tuple[dict[str, Any], Columns]:
        books = self.books
        creating = existing is None
        doc: dict[str, Any] = dict(existing) if existing else {
            self.id_field: books.store.new_id(), "reference_number": "", "notes": "",
            "terms": "", "custom_fields": [], "line_items": [], "discount": 0,
            "is_discount_before_tax": True, "discount_type": "entity_level",
            "status": self.initial_status(payload), "created_time": books.now(),
            "salesperson_id": "", "salesperson_name": "", "exchange_rate": 1.0,
        }
        if creating:
            if not payload.get("customer_id"):
                raise required("customer_id")
            if not payload.get("line_items"):
                raise required("line_items")
        elif "line_items" in payload and not payload["line_items"]:
            raise required("line_items")
        for key, value in payload.items():
            if key in ("custom_fields", "line_items", "ignore_auto_number_generation",
                       "billing_address", "shipping_address", self.number_field):
                continue
            doc[key] = value
        for key in ("billing_address", "shipping_address"):
            if key in payload:
                doc[key] = {**doc.get(key, {}), **(payload[key] or {})}
        if "customer_id" in payload or creating:
            customer = books.customer(payload.get("customer_id"))
            doc["customer_name"] = customer["contact_name"]
            if "currency_id" not in payload and creating:
                doc["currency_id"] = customer.get("currency_id", "")
            for key in ("billing_address", "shipping_address"):
                if not doc.get(key):
                    doc[key] = dict(customer.get(key) or {})
        if "currency_id" in payload or creating:
            currency = books.currency(doc.get("currency_id"))
            doc.update(currency_id=currency["currency_id"], currency_code=currency["currency_code"],
                       currency_symbol=currency["currency_symbol"])
        if payload.get("salesperson_id"):
            person = books.salespersons.get(payload["salesperson_id"])
            if person is None:
                raise invalid("salesperson_id", f"no salesperson has the ID {payload['salesperson_id']}")
            doc["salesperson_name"] = person["salesperson_name"]
        if creating and not doc.get("date"):
            doc["date"] = books.today()
        if "line_items" in payload:
            doc["line_items"] = line_items(books, payload["line_items"], doc["line_items"])
        doc["custom_fields"] = books.merge_custom_fields(
            self.entity, payload.get("custom_fields"), doc.get("custom_fields", [])
        )
        self.number(doc, payload, request, creating)
        totals(doc)
        doc["last_modified_time"] = books.now()
        unique = books.unique_value(self.entity, doc["custom_fields"])
        books.check_unique(self.entity, unique, doc[self.id_field])
        columns = {
            "number": doc[self.number_field], "name": doc["customer_name"],
            "customer_id": doc["customer_id"], "date": doc.get("date") or None,
            "status": doc["status"], "reference": doc.get("reference_number") or None,
            "unique_value": unique,
        }
        return doc, columns

    def number(
        self, doc: dict[str, Any], payload: dict[str, Any], request: Request | None,
        creating: bool,
    ) -> None:
        given = (payload.get(self.number_field) or "").strip()
        if creating:
            flag = payload.get("ignore_auto_number_generation")
            raw = request.query_params.get("ignore_auto_number_generation") if request else None
            if raw is not None:
                if raw.lower() not in ("true", "false"):
                    raise invalid("ignore_auto_number_generation", "true or false")
                flag = raw.lower() == "true"
            if flag:
                if not given:
                    raise required(self.number_field)
                number = given
            else:
                number = self.next_number()
        else:
            number = given or doc[self.number_field]
        other = self.books.store.find_id(self.entity, "number", number)
        if other is not None and other != doc[self.id_field]:
            raise already_exists(self.number_field, number)
        doc[self.number_field] = number

    def filters(self, request: Request) -> tuple[list[str], list[Any], str]:
        where: list[str] = []
        params: list[Any] = []
        text_filters(request, "number", self.number_field, where, params)
        text_filters(request, "reference", "reference_number", where, params)
        text_filters(request, "name", "customer_name", where, params)
        customer_id = request.query_params.get("customer_id")
        if customer_id:
            where.append("customer_id = ?")
            params.append(customer_id)
        for names, op in ((("date_start", "date.start", "date_after", "date.after"), ">="),
                          (("date_end", "date.end", "date_before", "date.before"), "<=")):
            for name in names:
                raw = request.query_params.get(name)
                if raw:
                    coerce(raw, DATEF, name)
                    where.append(f"date {op} ?")
                    params.append(raw)
        search = request.query_params.get("search_text")
        if search and len(search) > 100:
            raise too_long("search_text", 100)
        if search:
            escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append("number LIKE ? ESCAPE '\\' OR reference LIKE ? ESCAPE '\\' "
                         "OR name LIKE ? ESCAPE '\\'")
            params += [f"%{escaped}%"] * 3
        status = choice(request, "status", {s: s for s in self.statuses})
        if status:
            where.append("status = ?")
            params.append(status)
        by_filter = choice(request, "filter_by", self.filter_by)
        if by_filter:
            where.append("status = ?")
            params.append(by_filter)
        return where, params, request.query_params.get("filter_by") or "Status.All"

    statuses: tuple[str, ...] = ()
    filter_by: dict[str, str | None] = {}  # the documented filter_by values and the status each keeps
    list_fields: tuple[str, ...] = ()

    def summary(self, doc: dict[str, Any]) -> dict[str, Any]:
        return {k: doc.get(k) for k in self.list_fields}

    def mark(self, status: str, message: str, allowed_from: tuple[str, ...]) -> Any:
        async def handler(request: Request) -> Response:
            store = self.books.store
            with store.transaction():
                doc = self.load(request.path_params["record_id"])
                if doc["status"] != status:
                    if doc["status"] not in allowed_from:
                        raise BooksError(
                            400, INVALID_VALUE,
                            f"The {self.label.lower()} is {doc['status'].replace('_', ' ')} and cannot be "
                            f"marked as {status}",
                        )
                    doc["status"] = status
                    doc["last_modified_time"] = self.books.now()
                    store.replace(
                        self.entity, doc[self.id_field], doc,
                        number=doc[self.number_field], name=doc["customer_name"],
                        customer_id=doc["customer_id"], date=doc.get("date") or None,
                        status=status, reference=doc.get("reference_number") or None,
                        unique_value=self.books.unique_value(self.entity, doc["custom_fields"]),
                    )
            return ok(message)

        return handler


class SalesOrders(Document):
    entity = "salesorders"
    singular = "salesorder"
    id_field = "salesorder_id"
    number_field = "salesorder_number"
    prefix = "SO-"
    label = "Sales order"
    report_name = "Sales Orders"
    # seed 003 List sales orders: "sort_column ... customer_name, salesorder_number, shipment_date,
    # last_modified_time, reference_number, total, date, and created_time"
    sort_columns = ("customer_name", "salesorder_number", "shipment_date", "last_modified_time",
                    "reference_number", "total", "date", "created_time")
    spec = SALESORDER
    created_message = "Sales Order Created Successfully."
    updated_message = "Sales Order Updated Successfully."
    deleted_message = "Sales Order Deleted Successfully."
    statuses = ("draft", "open", "void", "invoiced", "partially_invoiced", "overdue", "closed")
    # seed 003 List sales orders, filter_by: "Status.All, Status.Open, Status.Draft, Status.OverDue,
    # Status.PartiallyInvoiced, Status.Invoiced, Status.Void and Status.Closed".
    filter_by = {"Status.All": None, "Status.Open": "open", "Status.Draft": "draft",
                 "Status.OverDue": "overdue", "Status.PartiallyInvoiced": "partially_invoiced",
                 "Status.Invoiced": "invoiced", "Status.Void": "void", "Status.Closed": "closed"}
    list_fields = (
        "salesorder_id", "customer_name", "customer_id", "status", "salesorder_number",
        "reference_number", "date", "shipment_date", "currency_id", "currency_code", "total",
        "sub_total", "salesperson_name", "created_time", "last_modified_time", "custom_fields",
    )

    def initial_status(self, payload: dict[str, Any]) -> str:
        return "draft"

    def refuse_delete(self, doc: dict[str, Any]) -> None:
        # seed 003 "Delete a sales order": "Invoiced sales order cannot be deleted." (the code is undocumented:
        # the sandbox's "invalid value").
        if doc["status"] in ("invoiced", "partially_invoiced"):
            raise BooksError(400, INVALID_VALUE, "Invoiced sales order cannot be deleted.")

    async def update_custom_fields(self, request: Request) -> Response:
        """PUT /salesorder/{id}/customfields (seed 003): a list of custom field values."""
        data = await read_json(request)
        if isinstance(data, dict):
            data = data.get("custom_fields", [data])
        if not isinstance(data, list):
            raise invalid("custom_fields", "expected a list")
        payload = check({"custom_fields": data}, {"custom_fields": self.spec["custom_fields"]})
        with self.books.store.lock:
            self.save(self.load(request.path_params["record_id"]), payload, request)
        return ok("Custom Fields Updated Successfully")

    def routes(self) -> list[Route]:
        return [
            Route("/salesorder/{record_id}/customfields", self.update_custom_fields,
                  methods=["PUT"]),
            Route("/salesorders/{record_id}/status/open",
                  self.mark("open", "Sales order status has been changed to Open.",
                            ("draft", "void")), methods=["POST"]),
            Route("/salesorders/{record_id}/status/void",
                  self.mark("void", "Sales order status has been changed to Void.",
                            ("draft", "open")), methods=["POST"]),
            *super().routes(),
        ]


class CreditNotes(Document):
    entity = "creditnotes"
    singular = "creditnote"
    id_field = "creditnote_id"
    number_field = "creditnote_number"
    prefix = "CN-"
    label = "Credit note"
    report_name = "Credit Notes"
    # seed 004 List credit notes: "sort_column ... customer_name creditnote_number balance total date and
    # created_time"
    sort_columns = ("customer_name", "creditnote_number", "balance", "total", "date", "created_time")
    spec = CREDITNOTE
    created_message = "The credit note has been created."
    updated_message = "The credit note has been updated."
    deleted_message = "The credit note has been deleted."
    statuses = ("draft", "open", "void", "closed")
    # seed 004 List credit notes, filter_by: Status.All, Status.Open, Status.Draft, Status.Closed, Status.Void.
    filter_by = {"Status.All": None, "Status.Open": "open", "Status.Draft": "draft",
                 "Status.Closed": "closed", "Status.Void": "void"}
    list_fields = (
        "creditnote_id", "creditnote_number", "status", "reference_number", "date", "total",
        "balance", "customer_id", "customer_name", "currency_id", "currency_code",
        "created_time", "last_modified_time", "custom_fields",
    )

    def initial_status(self, payload: dict[str, Any]) -> str:
        return "draft" if payload.get("is_draft") else "open"

    def refuse_delete(self, doc: dict[str, Any]) -> None:
        # Zoho Books keeps a credit note whose credits were applied to invoices or refunded (its balance is
        # below its total; closed: nothing left). The API reference documents no code or wording for this
        # refusal: the code is the sandbox's "invalid value" and the message plain.
        if doc["status"] == "closed" or float(doc.get("balance") or 0) < float(doc.get("total") or 0):
            raise BooksError(400, INVALID_VALUE, "The credit note cannot be deleted as its credits have been "
                             "applied to invoices or refunded.")

    def build(
        self, payload: dict[str, Any], existing: dict[str, Any] | None, request: Request
    ) -> tuple[dict[str, Any], Columns]:
        if existing is None and not payload.get("date"):
            raise required("date")
        doc, columns = super().build(payload, existing, request)
        doc.pop("is_draft", None)
        doc["balance"] = doc["total"]
        return doc, columns

    def routes(self) -> list[Route]:
        void = self.mark("void", "The credit note has been marked as void.", ("draft", "open"))
        draft = self.mark("draft", "The credit note has been marked as Draft.", ("void", "open"))
        open_ = self.mark("open", "The credit note has been converted to Open.", ("draft", "void"))
        # seed 004: "Void a Credit Note" POST /creditnotes/{creditnote_id}/void, "Convert Credit Note
        # to Draft" .../draft, "Convert to Open" .../converttoopen (no /status/... paths).
        base = "/creditnotes/{record_id}"
        return [
            Route(f"{base}/void", void, methods=["POST"]),
            Route(f"{base}/draft", draft, methods=["POST"]),
            Route(f"{base}/converttoopen", open_, methods=["POST"]),
            *super().routes(),
        ]


def document_routes(books: Books) -> list[Route]:
    return [*SalesOrders(books).routes(), *CreditNotes(books).routes()]


