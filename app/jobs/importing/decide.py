"""What one document costs and how it is sent: decide create/update/upsert/unchanged/skip, send, reconcile.

Exactly-once rules:
- every create carries a key Zoho can be searched by (its number or name, the value of the
  unique custom field the mapping names, or a reference number derived from the job ID and
  document index, shown in the plan); no custom field the user did not map is ever added;
- a create whose answer was lost or answered 5xx is looked up by that key before it is sent again
  (or resent as an upsert on the unique custom field, which cannot duplicate);
- an update in doubt is confirmed by reading the record before anything is resent;
- an update naming line items reads the record once and sends each line's line_item_id
  (merge_lines), so Zoho edits lines in place instead of replacing them (Zoho Books API: Sales
  Order, "Update a sales order", whose line_items carry line_item_id).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

from app.jobs.catalog import Catalog, normalise


def header_safe(value: str) -> bool:
    """Whether a value can travel in an HTTP header as is (Zoho Books API: Sales Order, "Update a sales
    order using a custom field's unique value" puts it in the X-Unique-Identifier-Value header, and httpx
    sends header values as ASCII): a unique key value that cannot is matched from the list pages instead."""
    return value.isascii() and value.isprintable()


class Action(StrEnum):
    """What a document needs: one write (create, update, upsert) or none."""

    CREATE = "create"
    UPDATE = "update"
    UPSERT = "upsert"
    UNCHANGED = "unchanged"  # Zoho already holds its values
    SKIPPED = "skipped"  # skip-existing: it is in Zoho
    INVALID = "invalid"  # a name Zoho does not know: a cell to fix
    FAIL = "fail"  # it cannot be sent (no record to update, several match)

    @property
    def writes(self) -> bool:
        return self in (Action.CREATE, Action.UPDATE, Action.UPSERT)


@dataclass
class Marker:
    """How a write is found again in Zoho if its answer is lost, and what the run reads before it.

    The journal keeps it as JSON with each entry marked "sent" (`as_json`, `from_json`).
    """

    by: str | None = None  # the field the record is found by (its number, a unique custom field...)
    value: str | None = None  # that field's value
    customer_id: str | None = None  # a reference number the sheet gives: found among the customer's only
    tagged: bool = False  # the reference number is the job's own (ZB-job-n)
    outcome: str | None = None  # an upsert: "created" or "updated", as the list pages showed
    check: bool = False  # the list row cannot tell whether anything changes: read the record first
    persons: bool = False  # the update names contact persons: their IDs come from the read
    lines: bool = False  # the update names line items: their IDs come from the read
    action: Action | None = None  # the write sent (in the journal)

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, False)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Marker:
        known = {f.name for f in fields(cls)}
        marker = cls(**{k: v for k, v in data.items() if k in known})
        if marker.action is not None:
            marker.action = Action(marker.action)
        return marker

    @property
    def findable(self) -> bool:
        """Whether a create's record can be found with a list filter (a custom field cannot)."""
        return bool(self.by) and not str(self.by).startswith("cf_")


@dataclass
class Decision:
    """The one request (or none) a document needs."""

    action: Action
    payload: dict[str, Any] = field(default_factory=dict)
    zoho_id: str | None = None
    number: str | None = None
    message: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    marker: Marker = field(default_factory=Marker)
    problems: list[dict[str, Any]] = field(default_factory=list)  # invalid: each name Zoho does not know

    def __post_init__(self) -> None:
        self.action = Action(self.action)  # also when given as its word

    @property
    def writes(self) -> bool:
        return self.action.writes


def custom_value(payload: dict[str, Any], api_name: str) -> str | None:
    for entry in payload.get("custom_fields") or []:
        if api_name in (entry.get("api_name"), entry.get("label"), entry.get("customfield_id")):
            value = entry.get("value")
            return None if value in (None, "") else str(value)
    return None


def record_custom_value(record: dict[str, Any], api_name: str) -> str | None:
    if record.get(api_name) not in (None, ""):
        return str(record[api_name])
    return custom_value(record, api_name)


def set_path(payload: dict[str, Any], target: tuple[Any, ...] | list[Any], value: Any) -> None:
    """payload[a][b][c] = value for a target path such as ("line_items", 2, "item_id")."""
    node: Any = payload
    for step in list(target)[:-1]:
        node = node[step]
    node[list(target)[-1]] = value


def same_values(payload: dict[str, Any], record: dict[str, Any]) -> bool:
    """True when every value the payload sets already equals the record's (list data).

    A field the list data does not show (line items, addresses...) counts as a change.
    """
    for name, wanted in payload.items():
        if name == "custom_fields":
            for entry in wanted or []:
                api = entry.get("api_name") or entry.get("label")
                if api is None or not _equal(entry.get("value"), record_custom_value(record, api)):
                    return False
            continue
        if name == "contact_persons" and "contact_persons" not in record:
            if not _primary_person_same(wanted, record):
                return False
            continue
        if name not in record:
            return False
        if not _equal(wanted, record[name]):
            return False
    return True


def listed_same(payload: dict[str, Any], record: dict[str, Any]) -> bool:
    """True when a list row shows the payload's values but not all of its fields.

    Only the whole record (one read) can then tell "unchanged" from "update"; one read
    costs no more than the write it may spare, and keeps an unchanged record untouched.
    """
    seen = {k: v for k, v in payload.items() if k in record or k == "custom_fields"}
    return len(seen) < len(payload) and same_values(seen, record)


def _read_first(body: dict[str, Any], record: dict[str, Any]) -> Marker:
    """The marker of an update that reads the whole record before it writes (or reads nothing).

    "check": the list row cannot tell whether anything changed. "persons": the update names
    contact persons, whose IDs only the whole record shows (see merge_persons). "lines": the
    update names line items, whose IDs only the whole record shows (see merge_lines).
    """
    if body.get("contact_persons"):
        return Marker(check=True, persons=True)
    if body.get("line_items"):
        return Marker(check=True, lines=True)
    return Marker(check=listed_same(body, record))


_PERSON_FIELDS_IN_LISTS = ("email", "phone", "mobile", "first_name", "last_name")


def _primary_person_same(persons: Any, record: dict[str, Any]) -> bool:
    """A contact's list row shows its primary person's email, phone, mobile and names only."""
    if not isinstance(persons, list) or len(persons) != 1 or not isinstance(persons[0], dict):
        return False
    person = persons[0]
    return all(k in _PERSON_FIELDS_IN_LISTS and k in record and _equal(v, record[k])
               for k, v in person.items() if k != "is_primary_contact")


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return all(k in b and _equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return normalise(a) == normalise(b)
    fa, fb = _number(a), _number(b)
    if fa is not None and fb is not None:
        return math.isclose(fa, fb, abs_tol=1e-9)
    if a in (None, "") and b in (None, ""):
        return True
    return str(a).strip() == str(b).strip() if a is not None and b is not None else False


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


@dataclass
class EntityFacts:
    """What the engine needs to know of the imported record type."""

    name: str
    id_field: str
    key_field: str  # contact_name, salesorder_number, creditnote_number
    singular: str

    @property
    def numbered(self) -> bool:
        return self.key_field.endswith("_number")


class Decider:
    """Chooses each document's request from the run's catalog (existing records, once listed)."""

    def __init__(self, facts: EntityFacts, operation: str, catalog: Catalog, *, job_id: str,
                 unique_field: str | None = None,
                 user_references: set[str] | None = None) -> None:
        self.facts = facts
        self.operation = operation
        self.catalog = catalog
        self.job_id = job_id
        self.unique_field = unique_field
        self.user_references = user_references or set()  # references used by one document only

    def needs_existing(self, payloads: Iterable[dict[str, Any]]) -> bool:
        """Whether the run lists the entity's own records (update, skip-existing, upsert).

        An upsert lists them too: the list pages (one per 200 records) tell created from
        updated and spare the write of every record whose values are already there.
        """
        return self.operation in ("update", "skip-existing", "upsert")

    # --- existing records ---

    def existing(self, payload: dict[str, Any], key: str | None,
                 zoho_id: str | None) -> tuple[list[dict[str, Any]], str]:
        """Records in Zoho this document refers to, and what they were matched by."""
        f = self.facts
        if not self.catalog.loaded(f.name):
            return [], ""
        records = self.catalog.records(f.name)
        if zoho_id:
            return [r for r in records if str(r.get(f.id_field)) == str(zoho_id)], f"ID {zoho_id}"
        value = payload.get(f.key_field) or key
        if value:
            wanted = normalise(value)
            return ([r for r in records if normalise(r.get(f.key_field)) == wanted],
                    f'{f.key_field.replace("_", " ")} "{value}"')
        unique = custom_value(payload, self.unique_field) if self.unique_field else None
        if unique:
            wanted = normalise(unique)
            return ([r for r in records if normalise(record_custom_value(r, self.unique_field or "")) == wanted],
                    f'{self.unique_field} "{unique}"')
        email = payload.get("email") or _person_email(payload)
        if f.name == "contacts" and email:
            wanted = normalise(email)
            return [r for r in records if normalise(r.get("email")) == wanted], f'email "{email}"'
        return [], ""

    def decide(self, index: int, payload: dict[str, Any], key: str | None,
               zoho_id: str | None) -> Decision:
        f = self.facts
        op = self.operation
        unique = custom_value(payload, self.unique_field) if self.unique_field else None
        if op == "upsert" and unique:
            return self.upsert(payload, unique, index)
        if op == "create":
            return self.create(index, payload)
        matches, matched_by = self.existing(payload, key, zoho_id)
        if zoho_id and not matches:
            if not self.catalog.loaded(f.name):
                return Decision(Action.UPDATE, _without(payload, f.id_field), zoho_id=zoho_id)
            return Decision(Action.FAIL, message=f"no {f.singular} with ID {zoho_id} in Zoho")
        if len(matches) > 1:
            ids = ", ".join(str(m.get(f.id_field)) for m in matches[:5])
            return Decision(Action.FAIL, message=f"{len(matches)} records in Zoho match {matched_by}: {ids}")
        if not matches:
            if op == "update":
                if not matched_by:
                    return Decision(Action.FAIL, message=f"nothing says which {f.singular} to update: "
                                    f"map the Zoho ID or {f.key_field.replace('_', ' ')}")
                return Decision(Action.FAIL, message=f"no {f.singular} with {matched_by} in Zoho")
            return self.create(index, payload)
        record = matches[0]
        if op == "skip-existing":
            return Decision(Action.SKIPPED, zoho_id=str(record.get(f.id_field)), number=record.get(f.key_field),
                            message=f"already in Zoho ({matched_by})")
        return self.against(record, _without(payload, f.id_field))

    def against(self, record: dict[str, Any], body: dict[str, Any], upsert: Marker | None = None) -> Decision:
        """The document against its listed record: unchanged when Zoho holds its values, else the update
        (or, given `upsert`'s key, the upsert), which reads the whole record first when the list cannot tell."""
        f = self.facts
        record_id, number = str(record.get(f.id_field)), record.get(f.key_field)
        record = self.with_named_ids(record)
        if same_values(body, record):
            return Decision(Action.UNCHANGED, zoho_id=record_id, number=number,
                            message="Zoho already holds these values")
        first = _read_first(body, record)
        if upsert is not None:
            return Decision(Action.UPSERT, body, zoho_id=record_id, number=number,
                            marker=replace(first, by=upsert.by, value=upsert.value, outcome="updated"))
        return Decision(Action.UPDATE, with_required(body, record, f.name), zoho_id=record_id, number=number,
                        marker=first)

    def listed_by_unique(self, unique: str) -> list[dict[str, Any]]:
        """The listed records whose unique custom field holds `unique` (none when the list was not read)."""
        f = self.facts
        if not self.catalog.loaded(f.name):
            return []
        wanted = normalise(unique)
        return [r for r in self.catalog.records(f.name)
                if normalise(record_custom_value(r, self.unique_field or "")) == wanted]

    def upsert(self, payload: dict[str, Any], unique: str, index: int = 0) -> Decision:
        """One upsert call on the unique custom field, unless the listed record already matches.

        A key value that cannot travel in a header (non-ASCII) is matched from the list pages the
        run read anyway: an update by ID when a record has it, else a create.
        """
        f = self.facts
        if not header_safe(unique):
            return self.by_listed_key(payload, unique, index)
        key = Marker(by=self.unique_field, value=unique)
        body = _without(payload, f.id_field)
        matches = self.listed_by_unique(unique)
        if not matches:  # created: an exported Line Item ID names a line of another record
            return Decision(Action.UPSERT, _without_line_ids(body), marker=replace(key, outcome="created"))
        return self.against(matches[0], body, upsert=key)

    def by_listed_key(self, payload: dict[str, Any], unique: str, index: int) -> Decision:
        """The upsert of a key value no header can carry: list-match, then update by ID or create."""
        f = self.facts
        matches = self.listed_by_unique(unique)
        if len(matches) > 1:
            ids = ", ".join(str(m.get(f.id_field)) for m in matches[:5])
            return Decision(Action.FAIL, message=f'{len(matches)} records in Zoho have {self.unique_field} "{unique}": {ids}')
        if not matches:
            return self.create(index, payload)
        return self.against(matches[0], _without(payload, f.id_field))

    def with_named_ids(self, record: dict[str, Any]) -> dict[str, Any]:
        """A list row shows the salesperson's name, not the ID: add the ID the run's catalog gives."""
        name = record.get("salesperson_name")
        if "salesperson_id" in record or name is None or not self.catalog.loaded("salespersons"):
            return record
        ids = [str(p.get("salesperson_id")) for p in self.catalog.records("salespersons")
               if normalise(p.get("salesperson_name")) == normalise(name)]
        if name and len(ids) != 1:
            return record
        return {**record, "salesperson_id": ids[0] if name else ""}

    def create(self, index: int, payload: dict[str, Any]) -> Decision:
        """A create with the key that finds it again if its answer is lost."""
        f = self.facts
        body = _without_line_ids(_without(payload, f.id_field))  # IDs of lines of another record
        params: dict[str, Any] = {}
        number = body.get(f.key_field)
        if number:
            if f.numbered:
                params["ignore_auto_number_generation"] = True
            return Decision(Action.CREATE, body, params=params,
                            marker=Marker(by=f.key_field, value=str(number)))
        unique = custom_value(body, self.unique_field) if self.unique_field else None
        if unique and header_safe(unique):  # a lost create is resent as an upsert on it (idempotent)
            return Decision(Action.CREATE, body, marker=Marker(by=self.unique_field, value=unique))
        reference = body.get("reference_number")
        if reference and normalise(reference) in self.user_references:
            customer = body.get("customer_id")
            return Decision(Action.CREATE, body, marker=Marker(
                by="reference_number", value=str(reference), customer_id=None if customer is None else str(customer)))
        if not reference:
            tag = f"ZB-{self.job_id}-{index + 1}"
            body["reference_number"] = tag
            return Decision(Action.CREATE, body, marker=Marker(by="reference_number", value=tag, tagged=True))
        # A reference several documents share finds none of them again; no custom field the user
        # did not map is ever sent, so the plan says these cannot be found again automatically.
        return Decision(Action.CREATE, body)


def _without(payload: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != name}


# The fields Zoho Books API marks "Required" on an update: Contacts, "Update a contact": contact_name; Sales
# Order, "Update a sales order": customer_id; Credit Notes, "Update a credit note": customer_id, date, creditnote_number
# (its line_items too, which only a read of the whole record could give: not added).
REQUIRED_ON_UPDATE: dict[str, tuple[str, ...]] = {
    "contacts": ("contact_name",), "salesorders": ("customer_id",),
    "creditnotes": ("customer_id", "date", "creditnote_number"),
}


def with_required(body: dict[str, Any], record: dict[str, Any], entity: str) -> dict[str, Any]:
    """An update's body with each field Zoho documents as required that the sheet does not give, taken
    unchanged from the listed record (no call, no value changed)."""
    missing = {name: record[name] for name in REQUIRED_ON_UPDATE.get(entity, ())
               if name not in body and record.get(name) not in (None, "")}
    return {**body, **missing} if missing else body


def _without_line_ids(payload: dict[str, Any]) -> dict[str, Any]:
    """A copy of the payload whose line items carry no line_item_id (a create makes new lines)."""
    body = copy.deepcopy(payload)
    for line in body.get("line_items") or []:
        line.pop("line_item_id", None)
    return body


def _person_email(payload: dict[str, Any]) -> str | None:
    for person in payload.get("contact_persons") or []:
        if person.get("email"):
            return str(person["email"])
    return None


def match_marker(records: list[dict[str, Any]], marker: Marker) -> list[dict[str, Any]]:
    """The records a create's marker points at (exact, case-insensitive)."""
    by, value = marker.by, marker.value
    if not by or value is None:
        return []
    wanted = normalise(value)
    found = [r for r in records
             if normalise(r.get(by) if not by.startswith("cf_") else record_custom_value(r, by))
             == wanted]
    customer = marker.customer_id
    if customer:
        found = [r for r in found if str(r.get("customer_id", customer)) == str(customer)]
    return found
