"""The transform preview: a column's first values as the engine converts them, each refusal worded as prepare words it."""

from __future__ import annotations

from app.entities import entity
from app.mapping import FieldMapping, prepare
from app.mapping.preview import EMPTY, PreviewRow, column_samples, preview
from app.mapping.schema import Trim
from tests.mapping.tables import mapped, table


def test_a_refused_value_is_worded_as_the_validation_words_it() -> None:
    contacts = entity("contacts")
    email = contacts.field("contact_persons.email")
    assert email is not None
    fm = FieldMapping(field="contact_persons.email", columns=["Email"])
    rows = preview(fm, email, contacts, ["ann@example.com", "nobody-at-example", None])
    assert rows == [PreviewRow("ann@example.com", "ann@example.com"),
                    PreviewRow("nobody-at-example", "nobody-at-example",
                               '"nobody-at-example" is not an email address'),
                    PreviewRow(EMPTY, None)]
    prepared = prepare(table(["Name", "Email"], ["Ann", "nobody-at-example"]),
                       mapped("contacts", "Name", ("contact_name", "Name"), ("contact_persons.email", "Email")))
    (problem,) = prepared.documents[0].problems
    assert problem.message == f'row 2, column "Email": {rows[1].problem}'


def test_a_value_the_converter_refuses_says_what_the_sheet_value_is_not() -> None:
    orders = entity("salesorders")
    date = orders.field("date")
    assert date is not None
    (row,) = preview(FieldMapping(field="date", columns=["Date"]), date, orders, ["someday"])
    assert row.sheet == "someday" and row.sent is None and row.problem is not None
    assert row.problem.startswith("not a date")


def test_samples_are_the_first_distinct_values_the_rules_will_read_and_one_empty_cell() -> None:
    t = table(["First", "Last"], ["Ann", "Lee"], ["Ann", "Lee"], [None, None], ["Bo", None], ["Cy", "Dee"])
    joined = FieldMapping(field="contact_name", columns=["First", "Last"], join=" ", transforms=[Trim()])
    assert column_samples(t, joined) == ["Ann Lee", "Bo", "Cy Dee", None]
    assert column_samples(t, FieldMapping(field="contact_name", columns=["Last"]), limit=1) == ["Lee", None]
