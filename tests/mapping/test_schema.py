"""Mapping files: round trip, versions, plain messages for bad files, and the shipped mappings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.entities import ENTITIES
from app.mapping import (
    FieldMapping,
    LookupRule,
    Mapping,
    MappingError,
    automap,
    load_mapping,
    save_mapping,
)
from app.mapping.schema import (
    BooleanWords,
    Case,
    DateFormat,
    Default,
    NumberFormat,
    Split,
    Trim,
    ValueMap,
)
from tests.mapping.tables import table

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"


def test_a_mapping_with_every_transform_survives_a_round_trip(tmp_path: Path) -> None:
    mapping = Mapping(entity="salesorders", operation="upsert", sheet="Orders", header_row=3, document_key="No",
                      fields=[
                          FieldMapping(field="date", columns=["D"], transforms=[Trim(), DateFormat(order="month-first", formats=["%d.%m.%Y"])]),
                          FieldMapping(field="line_items.rate", columns=["R"], transforms=[NumberFormat(decimal=",", percent=False)]),
                          FieldMapping(field="is_inclusive_tax", columns=["I"], transforms=[BooleanWords(true=["ja"], false=["nein"])]),
                          FieldMapping(field="notes", columns=["A", "B"], join=" / ", transforms=[Case(to="upper"), Split(separator=";", index=1), Default(value="-")]),
                          FieldMapping(field="discount_type", columns=["T"], transforms=[ValueMap(values={"Whole": "entity_level"}, strict=True)]),
                          FieldMapping(field="customer_id", columns=["C"], lookup=LookupRule(kind="customer", by="email"), confidence=0.9),
                          FieldMapping(field="custom_fields.cf_channel", constant="web"),
                      ], ignored={"Total": "Zoho computes it"}, unmapped=["Colour"])
    path = save_mapping(mapping, tmp_path / "m.json")
    data = json.loads(path.read_text())
    assert data["version"] == 1 and data["fields"][0]["transforms"][1]["op"] == "date"
    assert load_mapping(path) == mapping


@pytest.mark.parametrize(("text", "words"), [
    ("{not json", "not valid JSON"),
    ('{"version": 2, "entity": "contacts"}', "version 2"),
    ('{"version": 1, "entity": "invoices"}', "not a valid mapping"),
    ('{"version": 1, "entity": "contacts", "fields": [{"field": "x", "transforms": [{"op": "shout"}]}]}', "not a valid mapping"),
])
def test_bad_mapping_files_give_one_plain_sentence(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(MappingError, match=words) as err:
        load_mapping(path)
    assert "bad.json" in str(err.value) and "Traceback" not in str(err.value)


def test_a_missing_mapping_file_is_named() -> None:
    with pytest.raises(MappingError, match="does not exist"):
        load_mapping("/nonexistent/mapping.json")


@pytest.mark.parametrize("name", list(ENTITIES))
def test_shipped_export_mappings_are_the_automapper_s_proposal(name: str) -> None:
    shipped = load_mapping(MAPPINGS / f"zoho-books-export-{name}.json")
    proposed = automap(table(list(ENTITIES[name].export_headers)), name)
    assert shipped.entity == name
    assert [(f.field, f.columns) for f in shipped.fields] == [(f.field, f.columns) for f in proposed.fields]
    assert shipped.ignored == proposed.ignored
    assert load_mapping(MAPPINGS / f"template-{name}.json").entity == name
