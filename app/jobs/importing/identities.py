"""Gives the contact persons and line items an update sends the IDs Zoho knows them by, so they are edited in place."""

from __future__ import annotations

from typing import Any

from app.jobs.catalog import normalise


def merge_persons(wanted: list[dict[str, Any]], existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sheet's contact persons laid over the contact's persons in Zoho, for an update.

    Zoho replaces a contact's persons with the list an update sends, so each person of the
    sheet is matched to one in Zoho (by its ID, else email, else first and last name) and carries its
    contact_person_id; persons the sheet does not mention are sent by ID alone and stay as
    they are; the sheet's other persons are added. Zoho's order is kept, so an update whose
    persons already hold these values compares equal to the record.
    """
    def keys(person: dict[str, Any]) -> list[tuple[str, ...]]:  # a sheet's person is matched by its first
        names = (normalise(person.get("first_name")), normalise(person.get("last_name")))
        found: list[tuple[str, ...]] = []
        if normalise(person.get("contact_person_id")):
            found.append(("id", normalise(person.get("contact_person_id"))))
        if normalise(person.get("email")):
            found.append(("email", normalise(person.get("email"))))
        if any(names):
            found.append(("name", *names))
        return found

    new = list(wanted)
    sheet_has_primary = any(p.get("is_primary_contact") is True for p in new)
    merged: list[dict[str, Any]] = []
    for person in existing:
        known_by = keys(person)
        theirs = next((p for p in new if keys(p)[:1] and keys(p)[0] in known_by), None)
        entry: dict[str, Any] = {"contact_person_id": person.get("contact_person_id")}
        if theirs is not None:
            new.remove(theirs)
            entry.update(theirs)
        elif sheet_has_primary:
            entry["is_primary_contact"] = False  # the sheet names the primary person
        merged.append(entry)
    return merged + new


def merge_lines(wanted: list[dict[str, Any]], existing: list[dict[str, Any]], *,
                replace: bool = False) -> list[dict[str, Any]]:
    """The sheet's line items laid over the document's lines in Zoho, for an update.

    Seed 003 "Update a sales order": a line keeps its identity only when its `line_item_id` is
    sent; a line sent without one is created new; a line left out is deleted (invoiced lines are
    linked by their IDs). So each line of the sheet is matched to a line in Zoho, by the ID the
    sheet gives (an exported "Line Item ID"), else by its item and position (the second line of
    an item in the sheet is the second line of that item in Zoho), and carries its line_item_id.
    Lines of Zoho the sheet does not mention are kept (sent by their ID and values as they are),
    unless `replace` ("replace lines"): then they are left out, and Zoho deletes them. Zoho's order
    is kept and new lines come last, so an update whose lines already hold these values compares
    equal to the record.
    """
    free = [line for line in existing if line.get("line_item_id")]
    known = {str(line["line_item_id"]) for line in free}
    claimed: dict[str, dict[str, Any]] = {}
    unmatched: list[dict[str, Any]] = []
    for line in wanted:  # by the ID the sheet gives
        lid = str(line.get("line_item_id") or "").strip()
        if lid and lid in known and lid not in claimed:
            claimed[lid] = line
        else:
            unmatched.append({k: v for k, v in line.items() if k != "line_item_id"} if lid else line)
    new: list[dict[str, Any]] = []
    for line in unmatched:  # else by item and position
        item = normalise(line.get("item_id"))
        match = next((z for z in free if item and normalise(z.get("item_id")) == item
                      and str(z["line_item_id"]) not in claimed), None)
        if match is None:
            new.append(line)
        else:
            claimed[str(match["line_item_id"])] = line
    merged: list[dict[str, Any]] = []
    for line in existing:
        lid = str(line.get("line_item_id") or "")
        if lid in claimed:
            merged.append({**claimed[lid], "line_item_id": line["line_item_id"]})
        elif lid and not replace:
            merged.append({k: line[k] for k in _LINE_KEPT if line.get(k) not in (None, "")}
                          | {"line_item_id": line["line_item_id"]})
    return merged + new


# What a kept line is sent with besides its ID: the values a line is made of (Zoho Books API: Sales Order,
# "Update a sales order", its line_items),
# as Zoho holds them, so that nothing about it changes.
_LINE_KEPT = ("item_id", "name", "description", "quantity", "rate", "unit", "discount", "tax_id",
              "account_id", "item_order")
