"""The field catalogue and the pydantic models follow the seeds' rules."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.entities import ENTITIES, LOOKUP_BY, entity
from app.mapping.automap import normal


def test_each_entity_names_its_key_and_id_fields() -> None:
    for name, ent in ENTITIES.items():
        assert ent.name == name
        assert ent.field(ent.key_field) is not None
        assert ent.field(ent.id_field) is not None


def test_required_fields_on_create_come_from_the_seeds() -> None:
    assert [f.path for f in entity("contacts").required("create")] == ["contact_name"]
    assert [f.path for f in entity("salesorders").required("create")] == ["customer_id"]
    assert {f.path for f in entity("creditnotes").required("create")} == {"creditnote_number", "customer_id", "date"}
    assert entity("salesorders").required("update") == []


def test_unknown_entity_names_the_choices() -> None:
    with pytest.raises(KeyError, match="contacts, salesorders, creditnotes"):
        entity("invoices")


def test_contact_name_is_required_and_at_most_200_characters() -> None:
    model = entity("contacts").create_model
    assert model.model_validate({"contact_name": "x" * 200}).contact_name == "x" * 200
    with pytest.raises(ValidationError) as err:
        model.model_validate({"contact_name": "x" * 201})
    assert err.value.errors()[0]["type"] == "string_too_long"
    with pytest.raises(ValidationError):
        model.model_validate({"company_name": "Acme"})
    assert entity("contacts").update_model.model_validate({"company_name": "Acme"}).company_name == "Acme"


def test_language_code_and_contact_type_take_only_allowed_values() -> None:
    model = entity("contacts").create_model
    assert model.model_validate({"contact_name": "A", "language_code": "pt_br", "contact_type": "vendor"})
    for bad in ({"language_code": "klingon"}, {"contact_type": "partner"}):
        with pytest.raises(ValidationError):
            model.model_validate({"contact_name": "A", **bad})


def test_contact_person_email_must_be_an_address() -> None:
    model = entity("contacts").create_model
    ok = model.model_validate({"contact_name": "A", "contact_persons": [{"email": "a@b.example"}]})
    assert ok.contact_persons[0].email == "a@b.example"
    with pytest.raises(ValidationError) as err:
        model.model_validate({"contact_name": "A", "contact_persons": [{"email": "not-an-address"}]})
    assert err.value.errors()[0]["loc"] == ("contact_persons", 0, "email")


def test_sales_order_create_needs_line_items_update_does_not() -> None:
    so = entity("salesorders")
    for payload in ({"customer_id": "1"}, {"customer_id": "1", "line_items": []}):
        with pytest.raises(ValidationError):
            so.create_model.model_validate(payload)
    assert so.update_model.model_validate({"notes": "n"}).notes == "n"


@pytest.mark.parametrize("name", ["salesorders", "creditnotes"])
def test_line_rules_quantity_positive_discount_percent_or_amount_dates_iso(name: str) -> None:
    model = entity(name).create_model
    base = {"customer_id": "1", "creditnote_number": "CN-1", "date": "2026-01-31"}
    good = model.model_validate({**base, "line_items": [{"item_id": "9", "quantity": 2, "discount": "12.5%"},
                                                        {"item_id": "9", "quantity": 1, "discount": "190"}]})
    assert [li.discount for li in good.line_items] == ["12.5%", "190"]
    for line in ({"quantity": 0}, {"quantity": -1}, {"discount": "abc"}, {"discount": "-5%"}):
        with pytest.raises(ValidationError):
            model.model_validate({**base, "line_items": [line]})
    with pytest.raises(ValidationError):
        model.model_validate({**base, "date": "31/01/2026", "line_items": [{"item_id": "9"}]})


def test_custom_fields_are_accepted_by_api_name_or_label() -> None:
    model = entity("salesorders").create_model
    order = model.model_validate({"customer_id": "1", "line_items": [{"item_id": "2"}],
                                  "custom_fields": [{"api_name": "cf_channel", "value": "web"},
                                                    {"label": "External ID", "value": "E-1"}]})
    assert [c.value for c in order.custom_fields] == ["web", "E-1"]


def test_custom_field_lookup_by_label_or_api_name_and_unknown_labels() -> None:
    ent = entity("contacts")
    assert ent.custom_field("Region").path == "custom_fields.cf_region"
    assert ent.custom_field("cf_external_id").label == "External ID"
    new = ent.custom_field("Loyalty Tier")
    assert new.path == "custom_fields.Loyalty Tier" and new.is_custom


def test_catalogue_is_consistent() -> None:
    for ent in ENTITIES.values():
        seen: dict[str, str] = {}
        for f in ent.fields:
            assert f.label and f.path
            if f.lookup:
                assert f.lookup in LOOKUP_BY
            if f.allowed:
                assert f.type == "string"
            names = {normal(f.label), *(normal(s) for s in f.synonyms)}
            for n in names:
                # one name never points at two fields of the same record type
                assert seen.setdefault(n, f.path) == f.path, (ent.name, n, seen[n], f.path)
