"""Custom fields Zoho refused during a run: the first refusal of a field stops further sends of documents with it.

No documented Books endpoint lists an organization's custom fields (the seeds have none, and Zoho's
Custom Fields page, www.zoho.com/books/api/v3/custom-fields, documents creating one with POST
/settings/fields), so a mapped custom field the organization does not have is only found by the first
write that carries it. One refusal is enough: every later document carrying
that field would be refused the same way and spend a call of the day's quota for nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.zoho.errors import ZohoError

# "custom_fields[0]" or "line_items[2].item_custom_fields[0]", but not "custom_fields[0].value" (a bad
# value of a field that exists: only that document is wrong).
_INDEXED = re.compile(r"(?:line_items\[(\d+)\]\.)?(item_custom_fields|custom_fields)\[(\d+)\](?!\.value)")
_API_NAME = re.compile(r"\b(cf_[a-z0-9_]+)\b")


def _name(entry: dict[str, Any]) -> str:
    for key in ("api_name", "label", "customfield_id", "index"):
        if entry.get(key) not in (None, ""):
            return str(entry[key])
    return "?"


def custom_fields_in(payload: dict[str, Any]) -> set[str]:
    """The custom fields a payload writes (by API name, label or ID, as it names them)."""
    names = {_name(e) for e in payload.get("custom_fields") or [] if isinstance(e, dict)}
    for line in payload.get("line_items") or []:
        if isinstance(line, dict):
            names |= {_name(e) for e in line.get("item_custom_fields") or [] if isinstance(e, dict)}
    return names


def refused_custom_field(exc: ZohoError, payload: dict[str, Any]) -> str | None:
    """The custom field of `payload` that Zoho's refusal names as such (not one of its values), if any."""
    text = " ".join(part for part in (exc.field, exc.message) if part)
    found = _INDEXED.search(text)
    if found:
        line, kind, i = found.groups()
        holder: Any = payload
        if kind == "item_custom_fields":
            lines = payload.get("line_items") or []
            holder = lines[int(line)] if line is not None and int(line) < len(lines) else {}
        entries = holder.get(kind) or [] if isinstance(holder, dict) else []
        return _name(entries[int(i)]) if int(i) < len(entries) and isinstance(entries[int(i)], dict) else None
    names = custom_fields_in(payload)
    named = _API_NAME.search(text)
    if named and named.group(1) in names:
        return named.group(1)
    return next((n for n in sorted(names) if f'"{n}"' in text or f"'{n}'" in text), None)


@dataclass
class RefusedFields:
    """The custom fields refused so far in this run, each with the first refusal's words."""

    first: dict[str, str] = field(default_factory=dict)

    def note(self, document: int, exc: ZohoError, payload: dict[str, Any]) -> bool:
        """Remember the custom field Zoho's refusal names; True when it was not refused before."""
        name = refused_custom_field(exc, payload)
        if name is None or name in self.first:
            return False
        self.first[name] = f'document {document + 1}: "{exc.message}"'
        return True

    def stops(self, payload: dict[str, Any]) -> str | None:
        """Why a document must not be sent (it carries a refused custom field), or None."""
        for name in sorted(custom_fields_in(payload)):
            if name in self.first:
                return (f'not sent: Zoho refused the custom field "{name}" ({self.first[name]}), so no other '
                        "document with it was sent; add the field to the organization or take it out of the "
                        "mapping, then run the same import again")
        return None
