"""What a job keeps to take back each change it made to a record, and the request that takes it back.

A job that writes keeps, in its journal's `kept` table, one `Reversal` per record it changed:
created (undone by deleting it), updated (by sending back the before-values of exactly the fields
it changed), status (by the call back to the previous status) or deleted (by creating it again
from the whole record, read before the delete). `modified` is the record's last_modified_time
once the job's change landed: undo leaves alone a record modified since.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from app.entities import entity as entity_of
from app.jobs.importing.decide import same_values

LINES = "line_items"
PERSONS = "contact_persons"
CUSTOM = "custom_fields"
_IDS = {LINES: "line_item_id", PERSONS: "contact_person_id"}


class Change(StrEnum):
    """What a job did to a record."""

    CREATED = "created"
    UPDATED = "updated"
    STATUS = "status"
    DELETED = "deleted"


@dataclass
class Reversal:
    """One record a job changed and what undoing that change needs."""

    entity: str
    change: Change
    zoho_id: str
    name: str = ""  # its number or name, as reports show it
    modified: str | None = None  # last_modified_time once the change landed (None: not known)
    before: dict[str, Any] = field(default_factory=dict)  # updated: fields' values before; status: {"status"}
    after: dict[str, Any] = field(default_factory=dict)  # updated: the values the job left; status: {"status"}
    record: dict[str, Any] = field(default_factory=dict)  # created: Zoho's answer; deleted: the whole record

    def kept(self) -> tuple[str, str | None, str]:
        """The journal's `keep` row: (Zoho ID, last_modified_time, the reversal as JSON)."""
        return self.zoho_id, self.modified, json.dumps(asdict(self), default=str)

    @classmethod
    def from_json(cls, text: str | dict[str, Any]) -> Reversal:
        data = json.loads(text) if isinstance(text, str) else dict(text)
        data["change"] = Change(data["change"])
        return cls(**data)

    @property
    def undo(self) -> str:
        """What undoing it does, in the report's words."""
        if self.change == Change.CREATED:
            return "delete"
        if self.change == Change.DELETED:
            return "create again"
        if self.change == Change.STATUS:
            return f"mark {self.before.get('status')}"
        return "restore " + ", ".join(sorted(self.before))


def modified_of(record: dict[str, Any]) -> str | None:
    value = record.get("last_modified_time")
    return None if value in (None, "") else str(value)


def before_values(payload: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """The record's values of the fields `payload` changes (those it sends unchanged are left out)."""
    before: dict[str, Any] = {}
    for name, wanted in payload.items():
        if name == CUSTOM:
            changed = [c for c in _custom_entries(wanted or [], record)
                       if not same_values({"v": _custom_value(wanted, c)}, {"v": c.get("value")})]
            if changed:
                before[CUSTOM] = changed
        elif not same_values({name: wanted}, record):
            before[name] = record.get(name)
    return before


def after_values(before: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """The same fields as `before`, as `record` (the job's answer) holds them."""
    after: dict[str, Any] = {}
    for name, old in before.items():
        after[name] = _custom_entries(old, record) if name == CUSTOM else record.get(name)
    return after


def _custom_key(entry: dict[str, Any]) -> tuple[str, str] | None:
    for key in ("customfield_id", "api_name", "label"):
        if entry.get(key) not in (None, ""):
            return key, str(entry[key])
    return None


def _custom_entries(entries: list[dict[str, Any]], record: dict[str, Any]) -> list[dict[str, Any]]:
    """For each custom field entry named, the record's entry for it: {key: ..., "value": its value}."""
    held = record.get(CUSTOM) or []
    out = []
    for entry in entries:
        key = _custom_key(entry)
        if key is None:
            continue
        name, wanted = key
        value = record.get(wanted) if wanted in record else None
        for c in held:
            if wanted in (str(c.get("customfield_id")), str(c.get("api_name")), str(c.get("label"))):
                value = c.get("value")
                break
        out.append({name: wanted, "value": value})
    return out


def _custom_value(sent: list[dict[str, Any]], entry: dict[str, Any]) -> Any:
    key = _custom_key(entry)
    for s in sent:
        if key is not None and _custom_key(s) == key:
            return s.get("value")
    return None


def restore_payload(rev: Reversal) -> dict[str, Any]:
    """The update that sends back the before-values. A line (or person) the job's update kept keeps its ID,
    so Zoho edits it back in place; one the update removed is sent again without an ID (Zoho adds it); one the
    update added is left out of the lines, so Zoho deletes it (Books API "Update a sales order": a line left
    out is deleted)."""
    payload: dict[str, Any] = {}
    for name, old in rev.before.items():
        if name in _IDS and isinstance(old, list):
            now_ids = {str(x.get(_IDS[name])) for x in rev.after.get(name) or [] if x.get(_IDS[name])}
            payload[name] = [_sendable(rev.entity, name, x, keep_id=str(x.get(_IDS[name])) in now_ids) for x in old]
        elif isinstance(old, dict):
            payload[name] = _sendable(rev.entity, name, old)
        elif name == CUSTOM:
            payload[name] = [dict(c) for c in old]
        else:
            payload[name] = "" if old is None else old
    return payload


def added_persons(rev: Reversal) -> list[str]:
    """Contact persons the job's update added: Zoho keeps persons an update leaves out, so undo cannot."""
    before = {str(p.get(_IDS[PERSONS])) for p in rev.before.get(PERSONS) or []}
    return [" ".join(str(p.get(k) or "") for k in ("first_name", "last_name")).strip() or str(p.get("email") or "")
            for p in rev.after.get(PERSONS) or [] if str(p.get(_IDS[PERSONS])) not in before] \
        if PERSONS in rev.before else []


@functools.cache
def _writable(entity: str) -> dict[str, frozenset[str]]:
    """The fields a request may set, from the field catalogue (the seeds' request bodies): top-level name -> the
    keys it takes inside (a line's, a person's, an address's)."""
    inside: dict[str, set[str]] = {}
    for f in entity_of(entity).fields:
        head, _, rest = f.path.partition(".")
        inside.setdefault(head, set())
        if rest and head != CUSTOM:
            inside[head].add(rest.split(".")[0])
    return {name: frozenset(keys) for name, keys in inside.items()}


def _sendable(entity: str, name: str, part: dict[str, Any], *, keep_id: bool = False) -> dict[str, Any]:
    """What of a line, person or address (as Zoho answered it) a request sends back: its writable keys that hold
    a value, and its ID when Zoho should edit it in place."""
    keys = _writable(entity).get(name, frozenset())
    own_id = _IDS.get(name)
    return {k: v for k, v in part.items() if v is not None and (keep_id if k == own_id else k in keys)}


def create_payload(entity: str, record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A create request (payload, query) that makes a deleted record again: its writable fields (those the
    field catalogue lists, from the seeds' request bodies), under its own number where it has one
    (`ignore_auto_number_generation`, seed 003 "Create a sales order")."""
    e, writable = entity_of(entity), _writable(entity)
    payload: dict[str, Any] = {}
    for name, value in record.items():
        if name == e.id_field or name not in writable or value in (None, "", [], {}):
            continue
        if name == CUSTOM:
            payload[name] = [{key[0]: key[1], "value": c.get("value")} for c in value
                             if (key := _custom_key(c)) is not None and c.get("value") not in (None, "")]
        elif isinstance(value, list):
            payload[name] = [_sendable(entity, name, part) for part in value]
        elif isinstance(value, dict):
            payload[name] = _sendable(entity, name, value)
        else:
            payload[name] = value
    params = {"ignore_auto_number_generation": "true"} if e.key_field in payload and e.key_field != "contact_name" \
        else {}
    return payload, params


__all__ = ["Change", "Reversal", "added_persons", "after_values", "before_values", "create_payload",
           "modified_of", "restore_payload"]
