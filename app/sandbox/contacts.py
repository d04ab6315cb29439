"""Books contacts and the contact persons inside them (seed 004's Contacts and Contact Persons)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.sandbox.books import Books, Columns, Kind, choice, ok, page_context, text_filters
from app.sandbox.errors import (
    INVALID_VALUE,
    BooksError,
    already_exists,
    invalid,
    not_found,
    required,
    too_long,
)
from app.sandbox.payload import (
    ADDRESS,
    ANY,
    BOOL,
    CUSTOM_FIELD,
    ID,
    NUM,
    RO,
    F,
    S,
    Spec,
    check,
    read_payload,
)

PERSON: Spec = {
    "contact_person_id": ID, "salutation": S(25), "first_name": S(100), "last_name": S(100),
    "email": S(100), "phone": S(50), "mobile": S(50), "skype": S(50), "designation": S(50),
    "department": S(50), "is_primary_contact": BOOL, "enable_portal": BOOL,
    "communication_preference": ANY, "is_added_in_portal": RO, "contact_id": RO,
}
PERSON_ROUTE: Spec = {**PERSON, "contact_id": ID}

CONTACT: Spec = {
    "contact_name": S(200), "company_name": S(200), "website": S(500), "language_code": S(10),
    "contact_type": S(20), "customer_sub_type": S(20), "is_portal_enabled": BOOL,
    "currency_id": ID, "payment_terms": NUM, "payment_terms_label": S(100), "notes": S(5000),
    "email": S(100), "phone": S(50), "mobile": S(50), "first_name": S(100), "last_name": S(100),
    "billing_address": F("obj", children=ADDRESS), "shipping_address": F("obj", children=ADDRESS),
    "contact_persons": F("list", children=PERSON), "default_templates": ANY,
    "custom_fields": F("list", children=CUSTOM_FIELD), "owner_id": ID,
    "tax_authority_name": S(100), "tax_id": ID, "tax_exemption_id": ID, "tax_authority_id": ID,
    "is_taxable": BOOL, "facebook": S(100), "twitter": S(100), "gst_no": S(15),
    "gst_treatment": S(50), "place_of_contact": S(10), "vat_treatment": S(50),
    "vat_reg_no": S(20), "tax_treatment": S(50), "tax_reg_no": S(50), "country_code": S(5),
    "tags": ANY, "credit_limit": NUM, "pricebook_id": ID, "track_1099": BOOL,
    "contact_id": RO, "status": RO, "created_time": RO, "last_modified_time": RO,
    "currency_code": RO, "currency_symbol": RO, "primary_contact_id": RO, "has_transaction": RO,
    "outstanding_receivable_amount": RO, "outstanding_receivable_amount_bcy": RO,
    "unused_credits_receivable_amount": RO, "unused_credits_receivable_amount_bcy": RO,
    "is_linked_with_zohocrm": RO, "payment_reminder_enabled": RO, "tax_name": RO,
    "tax_percentage": RO,
}

FILTER_BY = {
    "Status.All": None, "Status.Active": "active", "Status.Inactive": "inactive",
    "Status.Duplicate": "duplicate", "Status.Crm": "crm",
}
LIST_FIELDS = (
    "contact_id", "contact_name", "company_name", "contact_type", "customer_sub_type", "status",
    "payment_terms", "payment_terms_label", "currency_id", "currency_code", "email", "phone",
    "mobile", "website", "created_time", "last_modified_time", "custom_fields",
)


class Contacts(Kind):
    entity = "contacts"
    singular = "contact"
    id_field = "contact_id"
    label = "Contact"
    report_name = "Contacts"
    # seed 004 List contacts: "sort_column ... contact_name, first_name, last_name, email,
    # outstanding_receivable_amount, created_time and last_modified_time"
    sort_columns = ("contact_name", "first_name", "last_name", "email", "outstanding_receivable_amount",
                    "created_time", "last_modified_time")
    spec = CONTACT
    created_message = "The contact has been created"
    updated_message = "Contact has been updated successfully"
    deleted_message = "The contact has been deleted."

    def persons(
        self, given: list[dict[str, Any]], existing: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        known = {p["contact_person_id"]: p for p in existing}
        people = []
        for i, person in enumerate(given):
            pid = person.get("contact_person_id")
            if pid is not None and pid not in known:
                raise invalid(f"contact_persons[{i}].contact_person_id", "no such contact person")
            base = dict(known[pid]) if pid is not None else {
                "contact_person_id": self.books.store.new_id(), "salutation": "",
                "first_name": "", "last_name": "", "email": "", "phone": "", "mobile": "",
                "is_primary_contact": False,
            }
            base.update({k: v for k, v in person.items() if v is not None})
            people.append(base)
        primaries = [p for p in people if p.get("is_primary_contact")]
        for p in primaries[1:]:
            p["is_primary_contact"] = False
        if people and not primaries:
            people[0]["is_primary_contact"] = True
        return people

    def build(
        self, payload: dict[str, Any], existing: dict[str, Any] | None, request: Request | None
    ) -> tuple[dict[str, Any], Columns]:
        books = self.books
        doc: dict[str, Any] = dict(existing) if existing else {
            "contact_id": books.store.new_id(), "contact_type": "customer",
            "customer_sub_type": "business", "status": "active", "company_name": "",
            "email": "", "notes": "", "billing_address": {}, "shipping_address": {},
            "custom_fields": [], "contact_persons": [], "payment_terms": 0,
            "payment_terms_label": "Due on Receipt", "created_time": books.now(),
        }
        name = payload.get("contact_name", doc.get("contact_name"))
        if name is None or not str(name).strip():
            raise required("contact_name")
        contact_type = payload.get("contact_type") or doc["contact_type"]
        if contact_type not in ("customer", "vendor"):
            raise invalid("contact_type", "customer or vendor")
        sub_type = payload.get("customer_sub_type") or doc.get("customer_sub_type", "business")
        if sub_type not in ("business", "individual"):
            raise invalid("customer_sub_type", "business or individual")
        for key, value in payload.items():
            if key in ("custom_fields", "contact_persons", "billing_address", "shipping_address"):
                continue
            doc[key] = value
        for key in ("billing_address", "shipping_address"):
            if key in payload:
                doc[key] = {**doc.get(key, {}), **(payload[key] or {})}
        if "currency_id" in payload or existing is None:
            currency = books.currency(payload.get("currency_id") or doc.get("currency_id"))
            doc["currency_id"] = currency["currency_id"]
            doc["currency_code"] = currency["currency_code"]
        if "contact_persons" in payload:
            doc["contact_persons"] = self.persons(
                payload["contact_persons"] or [], doc.get("contact_persons", [])
            )
        doc["custom_fields"] = books.merge_custom_fields(
            "contacts", payload.get("custom_fields"), doc.get("custom_fields", [])
        )
        doc["contact_name"] = str(name).strip()
        doc["contact_type"] = contact_type
        doc["customer_sub_type"] = sub_type
        primary = next((p for p in doc["contact_persons"] if p.get("is_primary_contact")), None)
        doc["primary_contact_id"] = primary["contact_person_id"] if primary else ""
        if not doc.get("email") and primary:
            doc["email"] = primary.get("email", "")
        doc["last_modified_time"] = books.now()
        other = books.store.find_id("contacts", "number", doc["contact_name"].casefold())
        if other is not None and other != doc["contact_id"]:
            raise already_exists("contact_name", doc["contact_name"])
        unique = books.unique_value("contacts", doc["custom_fields"])
        books.check_unique("contacts", unique, doc["contact_id"])
        columns = {
            "number": doc["contact_name"].casefold(), "name": doc["contact_name"],
            "email": doc.get("email") or None, "company": doc.get("company_name") or None,
            "status": doc.get("status"), "unique_value": unique,
        }
        return doc, columns

    def after_write(self, doc: dict[str, Any]) -> None:
        store = self.books.store
        keep = {p["contact_person_id"] for p in doc["contact_persons"]}
        store.forget_persons(doc["contact_id"], keep)
        for pid in keep:
            store.set_person_owner(pid, doc["contact_id"])

    def after_delete(self, record_id: str) -> None:
        self.books.store.forget_persons(record_id)

    def refuse_delete(self, doc: dict[str, Any]) -> None:
        # Zoho Books keeps a contact that has transactions (Zoho Books help, Contacts: a contact with
        # transactions cannot be deleted, mark it inactive instead). The API reference documents no code
        # or wording for this refusal: the code is the sandbox's "invalid value" and the message plain.
        store = self.books.store
        if any(store.select(entity, ["customer_id = ?"], [doc["contact_id"]], 0, 1)
               for entity in ("salesorders", "creditnotes")):
            raise BooksError(400, INVALID_VALUE, "The contact cannot be deleted as it has transactions "
                             "(sales orders or credit notes); mark it as inactive instead.")

    def summary(self, doc: dict[str, Any]) -> dict[str, Any]:
        row = {k: doc.get(k) for k in LIST_FIELDS}
        primary: dict[str, Any] = next((p for p in doc["contact_persons"] if p.get("is_primary_contact")), {})
        row["first_name"] = primary.get("first_name", "")
        row["last_name"] = primary.get("last_name", "")
        return row

    def filters(self, request: Request) -> tuple[list[str], list[Any], str]:
        where: list[str] = []
        params: list[Any] = []
        text_filters(request, "name", "contact_name", where, params)
        text_filters(request, "email", "email", where, params)
        text_filters(request, "company", "company_name", where, params)
        search = request.query_params.get("search_text")
        if search and len(search) > 100:
            raise too_long("search_text", 100)
        if search:
            escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append(
                "name LIKE ? ESCAPE '\\' OR json_extract(doc, '$.notes') LIKE ? ESCAPE '\\'"
            )
            params += [f"%{escaped}%", f"%{escaped}%"]
        status = choice(request, "filter_by", FILTER_BY)
        if status is not None:
            where.append("status = ?")
            params.append(status)
        contact_type = request.query_params.get("contact_type")
        if contact_type:
            where.append("json_extract(doc, '$.contact_type') = ?")
            params.append(contact_type)
        return where, params, request.query_params.get("filter_by") or "Status.All"

    # ---- status ------------------------------------------------------------------------
    def mark(self, status: str, message: str) -> Any:
        async def handler(request: Request) -> Response:
            store = self.books.store
            with store.transaction():
                doc = self.load(request.path_params["record_id"])
                doc["status"] = status
                doc["last_modified_time"] = self.books.now()
                _, columns = self.build({}, doc, request)
                store.replace(self.entity, doc["contact_id"], doc, **columns)
            return ok(message)

        return handler

    # ---- contact persons -------------------------------------------------------------------
    def person_owner(self, person_id: str) -> dict[str, Any]:
        contact_id = self.books.store.person_owner(person_id)
        if contact_id is None:
            raise not_found("Contact person")
        return self.load(contact_id)

    def store_persons(self, contact: dict[str, Any], people: list[dict[str, Any]]) -> None:
        _, columns = self.build({}, {**contact, "contact_persons": people}, request=None)
        contact["contact_persons"] = people
        primary = next((p for p in people if p.get("is_primary_contact")), None)
        contact["primary_contact_id"] = primary["contact_person_id"] if primary else ""
        contact["last_modified_time"] = self.books.now()
        self.books.store.replace("contacts", contact["contact_id"], contact, **columns)
        self.after_write(contact)

    @staticmethod
    def person_view(contact: dict[str, Any], person: dict[str, Any]) -> dict[str, Any]:
        return {"contact_id": contact["contact_id"], **person}

    async def create_person(self, request: Request) -> Response:
        payload = check(await read_payload(request), PERSON_ROUTE)
        contact_id = payload.pop("contact_id", None)
        if not contact_id:
            raise required("contact_id")
        if not payload.get("first_name"):
            raise required("first_name")
        payload.pop("contact_person_id", None)
        store = self.books.store
        with store.transaction():
            contact = store.get("contacts", contact_id)
            if contact is None:
                raise invalid("contact_id", f"no contact has the ID {contact_id}")
            existing = contact.get("contact_persons", [])
            people = self.persons([*({"contact_person_id": p["contact_person_id"]} for p in existing), payload], existing)
            if payload.get("is_primary_contact"):
                for p in people[:-1]:
                    p["is_primary_contact"] = False
                people[-1]["is_primary_contact"] = True
            self.store_persons(contact, people)
        return ok(
            "The contactperson has been Created", 201,
            contact_person=self.person_view(contact, people[-1]),
        )

    async def update_person(self, request: Request) -> Response:
        person_id = request.path_params["person_id"]
        payload = check(await read_payload(request), PERSON_ROUTE)
        payload.pop("contact_id", None)
        payload["contact_person_id"] = person_id
        store = self.books.store
        with store.transaction():
            contact = self.person_owner(person_id)
            existing = contact.get("contact_persons", [])
            given = [payload if p["contact_person_id"] == person_id
                     else {"contact_person_id": p["contact_person_id"]} for p in existing]
            people = self.persons(given, existing)
            if payload.get("is_primary_contact"):
                for p in people:
                    p["is_primary_contact"] = p["contact_person_id"] == person_id
            self.store_persons(contact, people)
        person = next(p for p in people if p["contact_person_id"] == person_id)
        return ok("The contactperson details has been updated.",
                  contact_person=self.person_view(contact, person))

    async def delete_person(self, request: Request) -> Response:
        person_id = request.path_params["person_id"]
        store = self.books.store
        with store.transaction():
            contact = self.person_owner(person_id)
            existing = contact.get("contact_persons", [])
            given = [{"contact_person_id": p["contact_person_id"]}
                     for p in existing if p["contact_person_id"] != person_id]
            self.store_persons(contact, self.persons(given, existing))
        return ok("The contact person has been deleted.")

    async def mark_primary(self, request: Request) -> Response:
        person_id = request.path_params["person_id"]
        store = self.books.store
        with store.transaction():
            contact = self.person_owner(person_id)
            people = [dict(p) for p in contact.get("contact_persons", [])]
            for p in people:
                p["is_primary_contact"] = p["contact_person_id"] == person_id
            self.store_persons(contact, people)
        return ok("This contact person has been marked as your primary contact person.")

    async def list_persons(self, request: Request) -> Response:
        contact = self.load(request.path_params["record_id"])
        people = contact.get("contact_persons", [])
        context = page_context(1, 200, False, "Contact Persons")
        context.update(sort_column="contact_person_id")
        return ok("success", contact_persons=people, page_context=context)

    async def get_person(self, request: Request) -> Response:
        contact = self.load(request.path_params["record_id"])
        person_id = request.path_params["person_id"]
        person = next(
            (p for p in contact.get("contact_persons", []) if p["contact_person_id"] == person_id),
            None,
        )
        if person is None:
            raise not_found("Contact person")
        return ok("success", contact_person=self.person_view(contact, person))

    def routes(self) -> list[Route]:
        persons = "/contacts/contactpersons"
        return [
            Route(persons, self.create_person, methods=["POST"]),
            Route(f"{persons}/{{person_id}}", self.update_person, methods=["PUT"]),
            Route(f"{persons}/{{person_id}}", self.delete_person, methods=["DELETE"]),
            Route(f"{persons}/{{person_id}}/primary", self.mark_primary, methods=["POST"]),
            Route("/contacts/{record_id}/contactpersons", self.list_persons, methods=["GET"]),
            Route("/contacts/{record_id}/contactpersons/{person_id}", self.get_person,
                  methods=["GET"]),
            Route("/contacts/{record_id}/active",
                  self.mark("active", "The contact has been marked as active."), methods=["POST"]),
            Route("/contacts/{record_id}/inactive",
                  self.mark("inactive", "The contact has been marked as inactive."),
                  methods=["POST"]),
            *super().routes(),
        ]


def contact_routes(books: Books) -> list[Route]:
    return Contacts(books).routes()
