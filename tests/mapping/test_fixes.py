"""Bulk fixes on the table: problems grouped by kind, replace-all counts, "did you mean" names, value maps in the
mapping, and re-validating only the touched documents giving what a whole validation gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.mapping import Mapping, Problem, automap, load_mapping, prepare, save_mapping
from app.mapping.fixes import (
    cells_holding,
    group_problems,
    holding_mapped,
    kind,
    reason,
    recheck,
    replace_cells,
    suggestions,
    value_map_of,
    with_value_map,
)
from app.mapping.schema import ValueMap
from app.sheets import read_table
from tests.mapping.tables import FakeTable, table
from tests.perf.repair import BAD_DATE, BAD_QUANTITY, GOOD_DATE, write_sheet_to_repair

HEADERS = ["Order", "Order Date", "Customer", "Item", "Quantity", "Rate"]


def orders() -> tuple[FakeTable, Mapping]:
    rows = []
    for n in range(12):
        for line in range(3):
            rows.append([f"SO-{n}", "14/01/2026", "Acme Corporation", "Laptop Stand", str(line + 1), "45.00"])
    t = table(HEADERS, *rows)
    return t, automap(t, "salesorders")


def test_problems_of_one_kind_in_one_column_are_one_group_with_a_plain_title() -> None:
    t, mapping = orders()
    di, qi = t.headers.index("Order Date"), t.headers.index("Quantity")
    for ri in (0, 1, 2, 9, 10, 11):
        t.rows[ri][di] = "31/02/2026" if ri < 3 else "32/01/2026"
    t.rows[4][qi] = "ten"
    groups = group_problems(prepare(t, mapping).all_problems(), t.headers)
    assert [g.title for g in groups] == ["Order Date: 6 cells are not dates", "Quantity: 1 cell is not a number"]
    assert [reason(p) for p in groups[1].problems] == ['"ten" is not a number']
    t.rows[6][t.headers.index("Customer")] = None
    t.rows[7][t.headers.index("Customer")] = None
    t.rows[8][t.headers.index("Customer")] = None
    titles = [g.title for g in group_problems(prepare(t, mapping).all_problems(), t.headers)]
    assert "Customer: 1 cell is empty (every sales order needs one)" in titles, titles


def test_a_name_look_up_offers_its_suggestions_and_groups_as_unknown_names() -> None:
    found = [Problem("error", f'column "Customer": no customer with name "{name}" in Zoho; '
                              f"did you mean 'Acme Corporation', \"Zylker's Corp\"?", 5 + i, 3 + i, "Customer")
             for i, name in enumerate(("Acme Corp", "Acme Co"))]
    assert suggestions(found[0]) == ["Acme Corporation", "Zylker's Corp"]
    assert kind(found[0]) == kind(found[1]) == 'no customer with name "…" in Zoho'
    (group,) = group_problems(found, ["Order", "Customer"])
    assert group.title == "Customer: 2 cells hold names Zoho does not know"
    plain = Problem("error", 'column "Customer": no customer with name "Nobody" in Zoho', 2, 0, "Customer")
    assert suggestions(plain) == []


def test_replace_counts_the_cells_holding_a_value_and_changes_only_those() -> None:
    t = table(["A", "B"], ["x", "31/02/2026"], ["y", " 31/02/2026 "], ["z", "1/1/2026"], ["w", None])
    rows = cells_holding(t, 1, "31/02/2026")
    assert rows == [0, 1]
    assert replace_cells(t, 1, rows, "28/02/2026") == [0, 1]
    assert [r[1] for r in t.rows] == ["28/02/2026", "28/02/2026", "1/1/2026", None]
    assert replace_cells(t, 1, [0], "28/02/2026") == []  # already so: nothing changes


def test_a_value_map_goes_into_the_mapping_file_and_reads_the_cells_as_mapped(tmp_path: Path) -> None:
    t, mapping = orders()
    ii = t.headers.index("Item")
    t.rows[3][ii] = "laptop stnd"
    mapped = with_value_map(mapping, "Item", {"Laptop Stnd": "Laptop Stand"})
    assert value_map_of(mapped, "Item") == {"Laptop Stnd": "Laptop Stand"}
    assert value_map_of(with_value_map(mapped, "Item", {"Mouse": "Wireless Mouse"}), "Item") == {
        "Laptop Stnd": "Laptop Stand", "Mouse": "Wireless Mouse"}
    assert value_map_of(mapping, "Item") == {}  # the mapping given is not changed
    assert holding_mapped(t, ii, ["Laptop Stnd"]) == [3]
    saved = load_mapping(save_mapping(mapped, tmp_path / "orders.mapping.json"))
    fm = saved.for_field("line_items.item_id")
    assert fm is not None and any(isinstance(r, ValueMap) for r in fm.transforms)
    doc = prepare(t, saved).documents[1]
    assert [lk.value for lk in doc.lookups if lk.kind == "item"][0] == "Laptop Stand"
    with pytest.raises(ValueError, match="Nothing"):
        with_value_map(mapping, "Nothing", {"a": "b"})


def test_rechecking_the_touched_documents_gives_what_a_whole_validation_gives(tmp_path: Path) -> None:
    source = write_sheet_to_repair(tmp_path / "orders.csv", rows=5_000, per_kind=25)
    t = read_table(source)
    mapping = automap(t, "salesorders")
    before = prepare(t, mapping)
    di, qi = t.headers.index("Order Date"), t.headers.index("Quantity")
    changed = replace_cells(t, di, cells_holding(t, di, BAD_DATE), GOOD_DATE)
    changed += replace_cells(t, qi, cells_holding(t, qi, BAD_QUANTITY)[:10], "7")
    found = recheck(t, mapping, before, changed, [di, qi])
    assert found is not None
    whole = prepare(t, mapping)
    assert len(found.documents) == 5 + 10 and len(found.rows) == 5 * len(found.documents)
    for d in found.documents:
        same = whole.documents[d.index]
        assert (d.row_indexes, d.payload, d.lookups, d.line_rows) == (
            same.row_indexes, same.payload, same.lookups, same.line_rows)
        assert [p.message for p in d.problems] == [p.message for p in same.problems] == []
    assert sum(not d.valid for d in whole.documents) == 15  # the quantities left as they were


def test_a_changed_document_key_or_a_row_of_no_document_needs_a_whole_validation() -> None:
    t, mapping = orders()
    before = prepare(t, mapping)
    key = t.headers.index("Order")
    assert recheck(t, mapping, before, [0], [key]) is None
    assert recheck(t, mapping, before, [len(t.rows) + 5], [1]) is None
    found = recheck(t, mapping, before, [4], [t.headers.index("Quantity")])
    assert found is not None and found.rows == [3, 4, 5] and [d.index for d in found.documents] == [1]
