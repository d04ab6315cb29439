"""Grouping rows into documents, payloads, lookups, and every class of problem pinned to its cell."""

from __future__ import annotations

import re

import pytest

from app.mapping import FieldMapping, LookupRule, Mapping, MappingRefused, prepare
from app.mapping.schema import DateFormat, NumberFormat, Trim
from app.sheets import ExcelError
from tests.mapping.tables import mapped, table

ORDER_HEADERS = ["Order No", "Date", "Customer", "Item", "Qty", "Rate"]


def order_mapping(**extra: object) -> Mapping:
    fields = [
        FieldMapping(field="salesorder_number", columns=["Order No"]),
        FieldMapping(field="date", columns=["Date"], transforms=[DateFormat(order="day-first")]),
        FieldMapping(field="customer_id", columns=["Customer"], transforms=[Trim()], lookup=LookupRule(kind="customer")),
        FieldMapping(field="line_items.item_id", columns=["Item"], lookup=LookupRule(kind="item")),
        FieldMapping(field="line_items.quantity", columns=["Qty"]),
        FieldMapping(field="line_items.rate", columns=["Rate"], transforms=[NumberFormat(decimal=",")]),
    ]
    return Mapping(entity="salesorders", document_key="Order No", fields=fields, **extra)  # type: ignore[arg-type]


def test_rows_sharing_a_key_become_one_document_with_line_items() -> None:
    t = table(ORDER_HEADERS,
              ["SO-1", "25/01/2026", "Bowman and Co ", "Laptop Stand", 2, "45,00"],
              ["SO-2", "26/01/2026", "Zylker Corp", "Desk Lamp", 1, "35"],
              ["SO-1", "25/01/2026", "Bowman and Co", "Wireless Mouse", 3, "25,50"],
              ["", "", "", "USB-C Hub", 1, "60"],  # a continuation row of SO-1... no: of the order above (SO-1)
              [None, None, None, None, None, None])  # blank row
    prepared = prepare(t, order_mapping())
    assert [d.key for d in prepared.documents] == ["SO-1", "SO-2"]
    so1 = prepared.documents[0]
    assert so1.row_indexes == [0, 2, 3] and so1.line_rows == [0, 2, 3]
    assert so1.payload == {
        "salesorder_number": "SO-1", "date": "2026-01-25", "customer_id": "Bowman and Co",
        "line_items": [{"item_id": "Laptop Stand", "quantity": 2.0, "rate": 45.0},
                       {"item_id": "Wireless Mouse", "quantity": 3.0, "rate": 25.5},
                       {"item_id": "USB-C Hub", "quantity": 1.0, "rate": 60.0}],
    }
    assert so1.valid and prepared.rows == 5
    kinds = [(lk.kind, lk.value, lk.target, lk.row_index, lk.column) for lk in so1.lookups]
    assert kinds == [
        ("customer", "Bowman and Co", ("customer_id",), 0, "Customer"),
        ("item", "Laptop Stand", ("line_items", 0, "item_id"), 0, "Item"),
        ("item", "Wireless Mouse", ("line_items", 1, "item_id"), 2, "Item"),
        ("item", "USB-C Hub", ("line_items", 2, "item_id"), 3, "Item"),
    ]


def test_without_a_document_key_each_row_is_a_document() -> None:
    t = table(ORDER_HEADERS, ["SO-1", "25/01/2026", "A", "X", 1, "1"], ["SO-1", "25/01/2026", "A", "Y", 1, "1"])
    prepared = prepare(t, order_mapping().model_copy(update={"document_key": None}))
    assert [len(d.payload["line_items"]) for d in prepared.documents] == [1, 1]


def test_header_values_that_disagree_inside_a_document_are_errors_on_those_rows() -> None:
    t = table(ORDER_HEADERS,
              ["SO-1", "25/01/2026", "Bowman and Co", "A", 1, "1"],
              ["SO-1", "26/01/2026", "Bowman and Co", "B", 1, "1"],
              ["SO-1", "25/01/2026", "Zylker Corp", "C", 1, "1"])
    doc = prepare(t, order_mapping()).documents[0]
    assert not doc.valid
    found = [(p.row, p.column, p.column_letter, p.field, p.message) for p in doc.problems]
    assert found == [
        (3, "Date", "B", "date", 'row 3, column "Date": "26/01/2026" differs from "25/01/2026" on row 2 of the same sales order'),
        (4, "Customer", "C", "customer_id",
         'row 4, column "Customer": "Zylker Corp" differs from "Bowman and Co" on row 2 of the same sales order'),
    ]


def test_bad_cells_are_pinned_to_row_column_and_field() -> None:
    t = table(ORDER_HEADERS,
              ["SO-1", "31/02/2026", "Bowman and Co", "A", "two", "1"],
              ["SO-2", "01/02/2026", "Bowman and Co", "A", 0, "1"])
    prepared = prepare(t, order_mapping())
    first, second = prepared.documents
    assert [(p.severity, p.row, p.row_index, p.column, p.field, p.message) for p in first.problems] == [
        ("error", 2, 0, "Date", "date", 'row 2, column "Date": "31/02/2026" is not a date'),
        ("error", 2, 0, "Qty", "line_items.quantity", 'row 2, column "Qty": "two" is not a number'),
    ]
    # pydantic's "greater than 0" is traced back to the cell that fed the quantity
    (p,) = second.problems
    assert (p.row, p.column, p.field) == (3, "Qty", "line_items.quantity")
    assert p.message == 'row 3, column "Qty": Quantity must be more than 0, not "0"'


def test_validation_errors_point_at_the_right_line_row() -> None:
    t = table(ORDER_HEADERS,
              ["SO-1", "25/01/2026", "Bowman and Co", "A", 1, "1"],
              ["SO-1", "", "", "B", 1, "1"],
              ["SO-1", "", "", "C", -4, "1"])
    (p,) = prepare(t, order_mapping()).documents[0].problems
    assert (p.row, p.column_letter) == (4, "E")


def test_missing_required_value_and_no_line_items() -> None:
    t = table(ORDER_HEADERS, ["SO-1", "25/01/2026", "  ", None, None, None])
    doc = prepare(t, order_mapping()).documents[0]
    messages = sorted(p.message for p in doc.problems)
    assert messages == [
        'row 2, column "Customer": Customer Name is empty, but every sales order needs one',
        "row 2: this sales order has no line items",
    ]


def test_too_long_and_not_allowed_values_name_the_limit_and_choices() -> None:
    t = table(["Name", "Language", "Email"],
              ["x" * 205, "klingon", "nobody-at-example"])
    mapping = mapped("contacts", "Name", ("contact_name", "Name"), ("language_code", "Language"),
                     ("contact_persons.email", "Email"))
    doc = prepare(t, mapping).documents[0]
    by_column = {p.column: p.message for p in doc.problems}
    assert by_column["Name"].endswith("is longer than 200 characters (205)")
    assert by_column["Language"] == 'row 2, column "Language": "klingon" is not one of: de, en, es, fr, it, ja, nl, pt, pt_br, sv, zh, en_gb'
    assert by_column["Email"] == 'row 2, column "Email": "nobody-at-example" is not an email address'


def test_contacts_group_people_addresses_and_custom_fields() -> None:
    t = table(["Display Name", "City", "First", "Email", "Primary", "Region", "CF.Loyalty"],
              ["Acme", "Paris", "Ann", "ann@acme.example", "yes", "Europe", "Gold"],
              ["Acme", None, "Bob", "bob@acme.example", "no", None, None])
    mapping = mapped("contacts", "Display Name", ("contact_name", "Display Name"),
                     ("billing_address.city", "City"), ("contact_persons.first_name", "First"),
                     ("contact_persons.email", "Email"), ("contact_persons.is_primary_contact", "Primary"),
                     ("custom_fields.Region", "Region"), ("custom_fields.Loyalty", "CF.Loyalty"),
                     FieldMapping(field="contact_type", constant="customer"))
    (doc,) = prepare(t, mapping).documents
    assert doc.valid
    assert doc.payload == {
        "contact_name": "Acme", "billing_address": {"city": "Paris"}, "contact_type": "customer",
        "custom_fields": [{"api_name": "cf_region", "value": "Europe"}, {"label": "Loyalty", "value": "Gold"}],
        "contact_persons": [{"first_name": "Ann", "email": "ann@acme.example", "is_primary_contact": True},
                            {"first_name": "Bob", "email": "bob@acme.example", "is_primary_contact": False}],
    }


def test_concatenated_columns_and_line_custom_fields() -> None:
    t = table(["No", "Customer", "Item", "Colour", "Note 1", "Note 2"],
              ["SO-1", "A", "Lamp", "Red", "Leave at", "the door"])
    mapping = Mapping(entity="salesorders", document_key="No", fields=[
        FieldMapping(field="customer_id", columns=["Customer"], lookup=LookupRule(kind="customer")),
        FieldMapping(field="line_items.item_id", columns=["Item"], lookup=LookupRule(kind="item")),
        FieldMapping(field="line_items.item_custom_fields.Colour", columns=["Colour"]),
        FieldMapping(field="notes", columns=["Note 1", "Note 2"], join=" "),
    ])
    (doc,) = prepare(t, mapping).documents
    assert doc.payload["notes"] == "Leave at the door"
    assert doc.payload["line_items"] == [{"item_id": "Lamp", "item_custom_fields": [{"label": "Colour", "value": "Red"}]}]


def test_an_id_column_gives_the_zoho_id_not_a_payload_field() -> None:
    t = table(["SalesOrder ID", "No", "Notes"], ["460000000039129", "SO-1", "updated"])
    mapping = mapped("salesorders", "No", ("salesorder_id", "SalesOrder ID"), ("notes", "Notes"),
                     operation="update")
    (doc,) = prepare(t, mapping).documents
    assert doc.zoho_id == "460000000039129" and doc.payload == {"notes": "updated"} and doc.valid


def test_unmapped_columns_are_warnings_but_ignored_ones_are_not() -> None:
    t = table([*ORDER_HEADERS, "Total", "Colour"], ["SO-1", "25/01/2026", "A", "X", 1, "1", "1", "red"])
    prepared = prepare(t, order_mapping(ignored={"Total": "Zoho computes it"}))
    (warning,) = prepared.problems
    assert warning.severity == "warning" and warning.column == "Colour" and warning.column_letter == "H"
    assert prepared.documents[0].valid


@pytest.mark.parametrize(("change", "reason"), [
    ({"fields": []}, 'required field "Customer Name" (customer_id) is not mapped'),
    ({"document_key": "Nope"}, 'document key column "Nope"'),
    ({"operation": "update", "fields": [FieldMapping(field="notes", columns=["Item"])]}, "An update needs a column"),
    ({"operation": "upsert"}, "An upsert needs a unique custom field"),
    ({"operation": "upsert", "upsert_key": "cf_order_ref"}, 'The upsert key "cf_order_ref" is not mapped'),
    ({"operation": "upsert", "upsert_key": "reference_number"}, "is not a custom field's API name"),
])
def test_mappings_that_cannot_apply_are_refused(change: dict, reason: str) -> None:
    t = table(ORDER_HEADERS, ["SO-1", "25/01/2026", "A", "X", 1, "1"])
    with pytest.raises(MappingRefused, match=re.escape(reason)):
        prepare(t, order_mapping().model_copy(update=change))


def test_refused_for_missing_columns_unknown_fields_and_no_line_items() -> None:
    t = table(["Customer"], ["A"])
    mapping = Mapping(entity="salesorders", fields=[
        FieldMapping(field="customer_id", columns=["Customer"]),
        FieldMapping(field="colour", columns=["Customer"]),
        FieldMapping(field="notes", columns=["Remarks"]),
    ])
    with pytest.raises(MappingRefused) as err:
        prepare(t, mapping)
    text = str(err.value)
    assert 'field "colour"' in text and 'column "Remarks"' in text and "needs line items" in text


def test_scattered_rows_of_one_document_are_joined_with_a_warning() -> None:
    t = table(ORDER_HEADERS,
              ["SO-1", "25/01/2026", "A", "X", 1, "1"],
              ["SO-2", "25/01/2026", "B", "Y", 1, "1"],
              ["SO-1", "25/01/2026", "A", "Z", 1, "1"])
    so1, so2 = prepare(t, order_mapping()).documents
    (warning,) = so1.problems
    assert warning.severity == "warning" and warning.row == 2 and warning.column == "Order No"
    assert "continues on row 4" in warning.message
    assert so1.valid and len(so1.payload["line_items"]) == 2 and so2.problems == []


def test_fill_puts_found_ids_where_the_looked_up_values_were() -> None:
    t = table(ORDER_HEADERS, ["SO-1", "25/01/2026", "Bowman and Co", "Laptop Stand", 1, "1"],
              ["SO-1", "", "", "Desk Lamp", 2, "1"])
    (doc,) = prepare(t, order_mapping()).documents
    for n, lookup in enumerate(doc.lookups):
        doc.fill(lookup, f"46000000000{n}")
    assert doc.payload["customer_id"] == "460000000000"
    assert [li["item_id"] for li in doc.payload["line_items"]] == ["460000000001", "460000000002"]


def test_blank_rows_inside_a_document_are_not_scattered_rows() -> None:
    t = table(ORDER_HEADERS,
              ["SO-1", "25/01/2026", "A", "X", 1, "1"],
              [None, None, None, None, None, None],
              ["SO-1", "25/01/2026", "A", "Z", 1, "1"])
    (doc,) = prepare(t, order_mapping()).documents
    assert doc.problems == [] and doc.row_indexes == [0, 2]


# --- rows with an empty key: continuation, a document of their own, totals rows --------------------------

CUSTOMER_HEADERS = ["Customer", "Company", "Street", "Email", "First Name"]


def customer_mapping() -> Mapping:
    return Mapping(entity="contacts", document_key="Customer", fields=[
        FieldMapping(field="contact_name", columns=["Customer"]),
        FieldMapping(field="company_name", columns=["Company"]),
        FieldMapping(field="billing_address.address", columns=["Street"]),
        FieldMapping(field="contact_persons.email", columns=["Email"]),
        FieldMapping(field="contact_persons.first_name", columns=["First Name"]),
    ])


def test_an_empty_name_row_with_its_own_company_is_a_contact_of_its_own_not_a_second_person() -> None:
    t = table(CUSTOMER_HEADERS,
              ["Acme Ltd", "Acme Ltd", "1 High St", "ann@acme.example", "Ann"],
              [None, "Beta GmbH", "2 Ring", "info@beta.example", "Bea"],   # a new customer, name forgotten
              [None, None, None, "bob@beta.example", "Bob"])                # Beta's second person
    acme, beta = prepare(t, customer_mapping()).documents
    assert acme.valid and acme.row_indexes == [0] and len(acme.payload["contact_persons"]) == 1
    assert not beta.valid and beta.row_indexes == [1, 2] and beta.key is None
    (problem,) = beta.problems  # one sentence, not also "Display Name is empty"
    assert (problem.row, problem.column, problem.field) == (3, "Customer", "contact_name")
    assert problem.message == (
        'row 3, column "Customer": no Display Name: this row is not another contact person of contact '
        '"Acme Ltd" (row 2), since it has its own Company "Beta GmbH"; give it its Display Name to import it '
        "as a contact of its own")


def test_a_contact_continuation_row_may_repeat_nothing_but_person_fields() -> None:
    t = table(CUSTOMER_HEADERS,
              ["Acme Ltd", "Acme Ltd", "1 High St", "ann@acme.example", "Ann"],
              [None, "Acme Ltd", None, "bob@acme.example", "Bob"])  # equal company: still not a person row
    acme, other = prepare(t, customer_mapping()).documents
    assert acme.valid and acme.row_indexes == [0]
    assert "no Display Name" in other.problems[0].message and 'own Company "Acme Ltd"' in other.problems[0].message


def test_an_order_row_with_an_empty_number_continues_only_with_equal_or_empty_header_cells() -> None:
    t = table(ORDER_HEADERS,
              ["SO-1", "25/01/2026", "Bowman and Co", "Laptop Stand", 1, "1"],
              [None, "25/01/2026", "Bowman and Co", "Desk Lamp", 1, "1"],  # same header cells: a line of SO-1
              [None, None, None, "USB-C Hub", 1, "1"],                      # empty header cells: a line of SO-1
              [None, "26/01/2026", "Zylker Corp", "Mouse", 1, "1"])         # another customer: its own order
    so1, other = prepare(t, order_mapping()).documents
    assert so1.valid and so1.row_indexes == [0, 1, 2] and len(so1.payload["line_items"]) == 3
    assert other.row_indexes == [3] and not other.valid
    (problem,) = other.problems
    assert problem.message == (
        'row 5, column "Order No": no SalesOrder Number: this row does not continue sales order "SO-1" (row 2): '
        'its Date "26/01/2026" differs from "2026-01-25"; give it its own SalesOrder Number, or empty its Date '
        "if it belongs there")


def test_an_empty_key_row_at_the_top_has_nothing_to_continue() -> None:
    t = table(ORDER_HEADERS, [None, "25/01/2026", "A", "X", 1, "1"], ["SO-1", "25/01/2026", "A", "Y", 1, "1"])
    first, so1 = prepare(t, order_mapping()).documents
    assert "no SalesOrder Number, and no sales order above it to continue" in first.problems[0].message
    assert so1.valid


def test_a_formula_without_a_value_never_makes_a_row_a_continuation() -> None:
    no_value = ExcelError("#VALUE!")
    t = table(ORDER_HEADERS + ["Note"],
              ["SO-1", "25/01/2026", "A", "X", 1, "1", None],
              [None, None, None, "Y", 1, "1", no_value])  # an unmapped column, but still a formula
    so1, other = prepare(t, order_mapping().model_copy(update={"ignored": {"Note": "kept out"}})).documents
    assert so1.valid and so1.row_indexes == [0]
    assert 'column "Note" holds a formula, not a value ("#VALUE!")' in other.problems[0].message


def test_a_key_that_is_a_formula_without_a_value_is_a_document_of_its_own() -> None:
    t = table(ORDER_HEADERS,
              ["SO-1", "25/01/2026", "A", "X", 1, "1"],
              [ExcelError("#N/A"), "25/01/2026", "A", "Y", 1, "1"],
              [ExcelError("#N/A"), "25/01/2026", "A", "Z", 1, "1"])
    so1, second, third = prepare(t, order_mapping()).documents
    assert so1.valid and [second.row_indexes, third.row_indexes] == [[1], [2]]
    for doc in (second, third):
        (problem,) = doc.problems
        assert problem.column == "Order No" and "formula" in problem.message


@pytest.mark.parametrize("row", [
    [None, None, None, "Total", None, "120"],
    [None, None, None, "Subtotal:", 3, "$ 120.00"],
    ["Total SO-1", None, None, None, 3, "120"],
    [None, None, None, "TOTAL", None, None],
])
def test_a_totals_row_is_skipped_with_a_warning(row: list[object]) -> None:
    t = table(ORDER_HEADERS, ["SO-1", "25/01/2026", "A", "X", 1, "1"], row, ["SO-2", "25/01/2026", "B", "Y", 1, "1"])
    prepared = prepare(t, order_mapping())
    assert [d.row_indexes for d in prepared.documents] == [[0], [2]]
    assert all(d.valid for d in prepared.documents)
    (warning,) = prepared.problems
    assert warning.severity == "warning" and warning.row == 3 and "looks like a totals row" in warning.message


def test_a_row_with_only_output_columns_filled_is_a_totals_row() -> None:
    t = table(ORDER_HEADERS + ["Item Total", "SubTotal"],
              ["SO-1", "25/01/2026", "A", "X", 1, "1", "1", "1"],
              [None, None, None, None, None, None, "1", "1"])
    prepared = prepare(t, order_mapping().model_copy(update={"ignored": {"Item Total": "x", "SubTotal": "x"}}))
    (so1,) = prepared.documents
    assert so1.row_indexes == [0] and so1.valid
    (warning,) = prepared.problems
    assert warning.message == ('row 3, column "Item Total": only "Item Total", "SubTotal" filled: a totals row, '
                               "not a sales order; it was skipped")


def test_an_item_whose_name_starts_with_total_is_a_line_not_a_totals_row() -> None:
    t = table(ORDER_HEADERS, ["SO-1", "25/01/2026", "A", "X", 1, "1"], [None, None, None, "Total Care Kit", 2, "5"])
    prepared = prepare(t, order_mapping())
    (so1,) = prepared.documents
    assert so1.row_indexes == [0, 1] and prepared.problems == []


def test_a_field_mapped_twice_is_refused_naming_both_columns() -> None:
    t = table(["Name", "Memo", "Comments"], ["A", "x", "y"])
    mapping = mapped("contacts", "Name", ("contact_name", "Name"), ("notes", "Memo"), ("notes", "Comments"))
    with pytest.raises(MappingRefused) as err:
        prepare(t, mapping)
    assert 'The field "Notes" (notes) is mapped twice: from column "Memo" and from column "Comments"' in str(err.value)


def test_a_custom_field_mapped_by_label_and_by_api_name_is_the_same_field_twice() -> None:
    t = table(["Name", "Region", "CF.Region"], ["A", "x", "y"])
    mapping = mapped("contacts", "Name", ("contact_name", "Name"), ("custom_fields.Region", "Region"),
                     ("custom_fields.cf_region", "CF.Region"))
    with pytest.raises(MappingRefused, match=re.escape('"Region" (custom_fields.cf_region) is mapped twice')):
        prepare(t, mapping)
