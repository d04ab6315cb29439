"""Remembered mappings and learned header names: the header signature, the private file, what comes back."""

from __future__ import annotations

import json
import os
import stat
from datetime import date
from pathlib import Path

import pytest

from app.mapping import FieldMapping, automap
from app.mapping.automap import LEARNED
from app.mapping.remembered import FILE_NAME, KEEP, MappingMemory, proposal, signature
from app.mapping.schema import DateFormat, NumberFormat, Trim, ValueMap
from tests.mapping.tables import table

HEADERS = ["Order Number", "Order Date", "Customer", "Item", "Quantity", "Rate", "Despatch Before", "Channel"]
ROW = ["SO-1", "03/02/2026", "Acme", "Widget", "1", "1,5", "05/02/2026", "Web"]
DAY = date(2026, 12, 4)


def test_the_signature_ignores_header_order_case_and_spacing() -> None:
    same = signature("salesorders", HEADERS)
    assert signature("salesorders", list(reversed(HEADERS))) == same
    assert signature("salesorders", [h.upper() for h in HEADERS]) == same
    assert signature("salesorders", [f"  {h.replace(' ', '   ')} " for h in HEADERS]) == same


def test_the_signature_tells_record_types_and_header_sets_apart() -> None:
    same = signature("salesorders", HEADERS)
    assert signature("creditnotes", HEADERS) != same
    assert signature("salesorders", HEADERS[:-1]) != same  # a column fewer
    assert signature("salesorders", [*HEADERS, "Notes"]) != same  # a column more
    assert signature("salesorders", [h.replace("Despatch Before", "DespatchBefore") for h in HEADERS]) != same


def used_mapping() -> tuple[list[str], object]:
    """An auto-mapping with the user's work on it: a column mapped by hand, questions answered, a value map."""
    t = table(HEADERS, ROW)
    mapping = automap(t, "salesorders")
    assert mapping.for_field("shipment_date") is None and "Despatch Before" in mapping.unmapped
    hand = FieldMapping(field="shipment_date", columns=["Despatch Before"],
                        transforms=[Trim(), DateFormat(order="month-first")], note="chosen by hand; dates")
    channel = mapping.for_field("custom_fields.cf_channel")
    assert channel is not None
    mapped_channel = channel.model_copy(update={"transforms": [Trim(), ValueMap(values={"Web": "web"})]})
    fields = [mapped_channel if fm is channel else fm for fm in mapping.fields] + [hand]
    return HEADERS, mapping.model_copy(update={
        "fields": fields, "unmapped": [h for h in mapping.unmapped if h != "Despatch Before"],
        "date_order": "month-first", "decimal": ","})


def test_a_remembered_mapping_comes_back_with_its_answers_spelt_as_the_new_sheet(tmp_path: Path) -> None:
    headers, mapping = used_mapping()
    memory = MappingMemory(tmp_path / "mappings")
    assert memory.recall("salesorders", headers) is None
    memory.remember(mapping, headers, "orders-march.xlsx", DAY)  # type: ignore[arg-type]

    other = [h.lower() for h in reversed(headers)]  # next month's file: same columns, its own spelling
    kept = memory.recall("salesorders", other)
    assert kept is not None and kept.file_name == "orders-march.xlsx" and kept.used == DAY
    assert kept.note == "from your last import of orders-march.xlsx on 4 December 2026"
    back = kept.mapping
    assert back.date_order == "month-first" and back.decimal == ","
    shipped = back.for_field("shipment_date")
    assert shipped is not None and shipped.columns == ["despatch before"]
    assert DateFormat(order="month-first") in shipped.transforms
    channel = back.for_field("custom_fields.cf_channel")
    assert channel is not None and ValueMap(values={"Web": "web"}) in channel.transforms
    assert back.document_key == "order number"
    assert {c for fm in back.fields for c in fm.columns} <= set(other)
    assert memory.recall("creditnotes", other) is None
    assert memory.recall("salesorders", other[:-1]) is None


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_file_is_the_users_alone(tmp_path: Path) -> None:
    headers, mapping = used_mapping()
    memory = MappingMemory(tmp_path / "mappings")
    memory.remember(mapping, headers, "orders.xlsx", DAY)  # type: ignore[arg-type]
    assert stat.S_IMODE(memory.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(memory.folder.stat().st_mode) == 0o700
    assert sorted(p.name for p in memory.folder.iterdir()) == [FILE_NAME]  # no partial file left behind


def test_a_header_mapped_by_hand_is_learned_for_other_files(tmp_path: Path) -> None:
    headers, mapping = used_mapping()
    memory = MappingMemory(tmp_path / "mappings")
    memory.remember(mapping, headers, "orders.xlsx", DAY)  # type: ignore[arg-type]
    learned = memory.learned("salesorders")
    assert learned == {"despatchbefore": "shipment_date"}  # only the hand-picked column, not the proposals
    assert memory.learned("creditnotes") == {}

    other = table(["Order #", "Customer", "Item", "Qty", "DESPATCH-BEFORE", "Expected Shipment Date"],
                  ["SO-9", "Acme", "Widget", "2", "2026-02-05", "2026-02-07"])
    proposed = automap(other, "salesorders", learned=learned)
    fm = proposed.for_field("shipment_date")
    assert fm is not None and fm.columns == ["DESPATCH-BEFORE"]  # before the label of the field itself
    assert fm.note is not None and fm.note.startswith(LEARNED) and fm.confidence == 1.0
    assert "Expected Shipment Date" in proposed.ignored
    plain = automap(other, "salesorders")  # what the command line proposes: nothing learned
    assert plain.column_of("shipment_date") == "Expected Shipment Date"


def test_a_learned_header_set_to_not_imported_is_forgotten(tmp_path: Path) -> None:
    headers, mapping = used_mapping()
    memory = MappingMemory(tmp_path / "mappings")
    memory.remember(mapping, headers, "orders.xlsx", DAY)  # type: ignore[arg-type]
    t = table(headers, ROW)
    again = automap(t, "salesorders", learned=memory.learned("salesorders"))
    assert again.column_of("shipment_date") == "Despatch Before"
    dropped = again.model_copy(update={"fields": [fm for fm in again.fields if fm.field != "shipment_date"],
                                       "unmapped": [*again.unmapped, "Despatch Before"]})
    memory.remember(dropped, headers, "orders.xlsx", DAY)
    assert memory.learned("salesorders") == {}


def test_proposal_offers_the_remembered_mapping_else_auto_mapping(tmp_path: Path) -> None:
    headers, mapping = used_mapping()
    memory = MappingMemory(tmp_path / "mappings")
    t = table(headers, ROW)
    fresh, none = proposal(memory, t, "salesorders", "create")
    assert none is None and fresh.column_of("shipment_date") is None
    memory.remember(mapping, headers, "orders.xlsx", DAY)  # type: ignore[arg-type]
    offered, kept = proposal(memory, t, "salesorders", "upsert")
    assert kept is not None and kept.mapping is offered
    assert offered.operation == "upsert" and offered.column_of("shipment_date") == "Despatch Before"
    numbers = [t for fm in offered.fields for t in fm.transforms if isinstance(t, NumberFormat)]
    assert numbers and offered.decimal == ","


def test_a_damaged_file_is_passed_over_and_replaced(tmp_path: Path) -> None:
    headers, mapping = used_mapping()
    memory = MappingMemory(tmp_path / "mappings")
    memory.folder.mkdir()
    memory.path.write_text("{not json", encoding="utf-8")
    assert memory.recall("salesorders", headers) is None and memory.learned("salesorders") == {}
    memory.remember(mapping, headers, "orders.xlsx", DAY)  # type: ignore[arg-type]
    assert memory.recall("salesorders", headers) is not None
    data = json.loads(memory.path.read_text(encoding="utf-8"))
    data["mappings"][signature("salesorders", headers)]["mapping"]["fields"] = "garbled"
    memory.path.write_text(json.dumps(data), encoding="utf-8")
    assert memory.recall("salesorders", headers) is None


@pytest.mark.slow
def test_the_oldest_mappings_are_let_go(tmp_path: Path) -> None:
    _, mapping = used_mapping()
    memory = MappingMemory(tmp_path / "mappings")
    for n in range(KEEP + 3):
        memory.remember(mapping, [*HEADERS, f"Extra {n}"], f"file{n}.xlsx", DAY)  # type: ignore[arg-type]
    data = json.loads(memory.path.read_text(encoding="utf-8"))
    assert len(data["mappings"]) == KEEP
    assert memory.recall("salesorders", [*HEADERS, f"Extra {KEEP + 2}"]) is not None
    assert memory.recall("salesorders", [*HEADERS, "Extra 0"]) is None


def test_the_command_line_neither_reads_nor_writes_remembered_mappings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main
    from tests.jobs.conftest import write_csv

    data = tmp_path / "data"
    monkeypatch.setenv("ZOHO_BULK_DATA_DIR", str(data))
    headers = ["Order Number", "Order Date", "Customer", "Item", "Quantity", "Rate"]
    source = write_csv(tmp_path / "orders.csv", headers, [["SO-1", "25/01/2026", "Acme", "Widget", 1, 10]])
    remembered = automap(table(headers, ["SO-1", "25/01/2026", "Acme", "Widget", 1, 10]), "salesorders")
    memory = MappingMemory(data / "mappings")  # the folder the desktop app keeps them in
    memory.remember(remembered.model_copy(update={"date_order": "month-first", "fields": [
        fm.model_copy(update={"transforms": [DateFormat(order="month-first")]}) if fm.field == "date" else fm
        for fm in remembered.fields]}), headers, "orders.csv", DAY)
    kept = memory.path.read_bytes()
    code = main(["validate", str(source), "--entity", "salesorders", "--report-dir", str(tmp_path), "--json"])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and result["valid"] == 1  # read day-first by auto-mapping; month-first would refuse 25/01
    assert memory.path.read_bytes() == kept
