"""Zoho's limits are checked before sending: each length and allowed value quotes the passage it comes from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.entities import ENTITIES, entity
from app.mapping import FieldMapping, Mapping, prepare
from tests.mapping.tables import mapped, table

SEEDS = Path(__file__).resolve().parents[2] / "docs" / "zoho"


def _seed_text(number: str) -> str:
    found = list(SEEDS.glob(f"{number}_*.txt"))
    assert len(found) == 1, f"seed {number} is not in docs/zoho"
    return " ".join(found[0].read_text(encoding="utf-8").split())


def _limited() -> list[tuple[str, str, str]]:
    return [(name, f.path, f.source) for name, ent in ENTITIES.items() for f in ent.fields
            if f.max_length or f.allowed]


@pytest.mark.parametrize(("name", "path", "source"), _limited(), ids=[f"{n}:{p}" for n, p, _ in _limited()])
def test_every_limit_quotes_its_documented_passage(name: str, path: str, source: str) -> None:
    assert source, f"{name}.{path} has a limit but cites no passage"
    quoted = re.fullmatch(r'seed (\d{3}): "(.+)"', source)
    if quoted is None:
        assert source.startswith("https://www.zoho.com/books/api/v3/"), source
        return
    number, passage = quoted.groups()
    assert " ".join(passage.split()) in _seed_text(number), f"{name}.{path}: not in seed {number}: {passage}"
    f = entity(name).field(path)
    assert f is not None
    if f.max_length:  # the number checked is the number quoted
        assert f"[{f.max_length}]" in passage


def test_no_length_is_invented_where_the_seeds_give_none() -> None:
    so = entity("salesorders")
    for path in ("notes", "terms", "salesorder_number", "reference_number"):
        assert so.field(path).max_length is None  # type: ignore[union-attr]
    assert entity("contacts").field("notes").max_length is None  # type: ignore[union-attr]
    assert entity("creditnotes").field("notes").max_length == 5000  # type: ignore[union-attr]


def _contacts(headers: list[str], *rows: list[object], fields: dict[str, str]) -> list[list[str]]:
    mapping = Mapping(entity="contacts", document_key=headers[0],
                      fields=[FieldMapping(field=f, columns=[c]) for c, f in fields.items()])
    prepared = prepare(table(headers, *rows), mapping)
    return [[p.message for p in d.problems] for d in prepared.documents]


def test_contact_person_limits_from_seed_004_are_pinned_to_the_cell() -> None:
    headers = ["Name", "Email", "Phone", "Salutation", "Department"]
    problems = _contacts(headers,
                         ["Acme", "a" * 95 + "@x.example", "+1 555 0100", "Mr", "Sales"],
                         ["Beta", "b@x.example", "1" * 51, "Dr" * 13, "d" * 51],
                         fields={"Name": "contact_name", "Email": "contact_persons.email",
                                 "Phone": "contact_persons.phone", "Salutation": "contact_persons.salutation",
                                 "Department": "contact_persons.department"})
    assert problems[0] == [f'row 2, column "Email": "{"a" * 57}..." is longer than 100 characters (105)']
    assert sorted(problems[1]) == [
        'row 3, column "Department": "' + "d" * 51 + '" is longer than 50 characters (51)',
        'row 3, column "Phone": "' + "1" * 51 + '" is longer than 50 characters (51)',
        'row 3, column "Salutation": "' + "Dr" * 13 + '" is longer than 25 characters (26)',
    ]


def test_credit_note_notes_over_5000_characters_fail_before_sending() -> None:
    headers = ["CN", "Customer", "Date", "Item", "Notes"]
    mapping = mapped("creditnotes", "CN", ("creditnote_number", "CN"), ("customer_id", "Customer"),
                     ("date", "Date"), ("line_items.item_id", "Item"), ("notes", "Notes"))
    prepared = prepare(table(headers, ["CN-1", "A", "2026-01-05", "X", "n" * 5001]), mapping)
    (problem,) = prepared.documents[0].problems
    assert problem.column == "Notes" and problem.message.endswith("is longer than 5000 characters (5001)")


def test_contact_type_takes_customer_or_vendor_only() -> None:
    problems = _contacts(["Name", "Type"], ["Acme", "partner"], fields={"Name": "contact_name", "Type": "contact_type"})
    assert problems == [['row 2, column "Type": "partner" is not one of: customer, vendor']]
