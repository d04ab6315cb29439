"""The import wizard driven end to end with real widgets against a live sandbox: load, map, fix a cell, run, report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.gui.import_wizard.field_editors import FieldPicker
from app.gui.import_wizard.mapping_model import CONFIDENCE, FIELD
from app.gui.import_wizard.page import FILE, MAPPING, RESULTS, REVIEW
from app.gui.import_wizard.review_model import ERROR_COLOUR
from app.resources import samples_dir
from tests.gui import wizard_fixtures as fixtures
from tests.gui.wizard_fixtures import (
    WAIT_MS,
    click,
    next_to_mapping,
    open_mapping,
    open_page,
    review_ready,
    seed,
    with_bad_cell,
)

context = fixtures.context
opened_urls = fixtures.opened_urls
wizard_data_dir = fixtures.wizard_data_dir

CASES = [
    # entity, samples to import first, column to spoil, bad value, fixed value, the record's number field
    ("contacts", (), "Email", "not-an-email", "andrew@northwind.example", "contact_name"),
    ("salesorders", ("contacts",), "Order Date", "31/02/2026", "14/01/2026", "salesorder_number"),
    ("creditnotes", ("contacts",), "Credit Note Date", "31.02.2026", "20.01.2026", "creditnote_number"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("entity", "first", "header", "bad", "fixed", "number"), CASES,
                         ids=[c[0] for c in CASES])
def test_sample_with_a_bad_cell_goes_through_every_step(
        qtbot: Any, live_sandbox: Any, context: Any, qloop: Any, opened_urls: Any, tmp_path: Path,
        entity: str, first: tuple[str, ...], header: str, bad: str, fixed: str, number: str) -> None:
    seed(live_sandbox.url, tmp_path, *first)
    store = live_sandbox.app.state.store
    before = len(store.all(entity))
    source = with_bad_cell(samples_dir() / f"{entity}.xlsx", tmp_path, header, bad)
    page = open_page(qtbot, context)

    # (1) file
    page.file_step.choose_new(source)
    next_to_mapping(qtbot, page, entity)
    table = page.session.table
    assert table is not None and page.file_step.sheet.currentText() == table.sheet

    # (2) mapping: auto-map proposes a field for every column, with its confidence shown
    click(qtbot, page.mapping_step.automap_button)
    model = page.mapping_step.model
    assert model is not None
    assert all(model.field_mapping(ci) is not None for ci in range(model.rowCount()))
    shown = [model.index(ci, CONFIDENCE).data() for ci in range(model.rowCount())]
    assert all(text.endswith("%") for text in shown)
    assert page.mapping_step.can_next() and page.next_button.isEnabled()
    click(qtbot, page.next_button)

    # (3) review: the bad cell is red with its reason; the filter keeps only its row
    qtbot.waitUntil(lambda: review_ready(page), timeout=WAIT_MS)
    review = page.review_step.model
    validation = page.session.validation
    assert review is not None and validation is not None
    assert validation.invalid == 1 and review.rowCount() == len(table.rows)
    ci = table.headers.index(header)
    cell = review.index(0, ci)
    assert cell.data() == bad
    assert cell.data(Qt.ItemDataRole.BackgroundRole).color() == ERROR_COLOUR
    assert bad in cell.data(Qt.ItemDataRole.ToolTipRole)
    assert review.index(0, 0 if ci else 1).data(Qt.ItemDataRole.ToolTipRole) is None
    page.review_step.only_problems.setChecked(True)
    assert review.rowCount() == 1 and review.headerData(0, Qt.Orientation.Vertical) == "2"
    plan = page.session.plan
    assert plan is not None and plan.invalid == 1 and plan.write_calls == validation.valid
    assert "Calls:" in page.review_step.plan_label.text()

    # fix the cell in place, as an edit would, and check again
    assert review.setData(cell, fixed, Qt.ItemDataRole.EditRole)
    assert not page.next_button.isEnabled()
    click(qtbot, page.review_step.revalidate_button)
    qtbot.waitUntil(lambda: review_ready(page), timeout=WAIT_MS)
    validation = page.session.validation
    assert validation is not None and validation.invalid == 0
    assert review.rowCount() == 0  # still filtered to problem rows: none left
    assert page.session.plan is not None and page.session.plan.invalid == 0
    documents = validation.documents

    # (4) run, (5) results
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == RESULTS, timeout=WAIT_MS)
    result = page.session.result
    assert result is not None and result.exit_code == 0, result and result.message
    assert result.counts["created"] == documents
    assert page.run_step.bar.value() == documents == page.run_step.bar.maximum()
    assert f"all {documents} documents are in Zoho" in page.results_step.headline.text()
    assert page.results_step.findChild(type(page.steps_label), "count_created").text() == f"{documents:,}"
    report = page.results_step.report  # the per-row report right there, what happened first
    assert page.results_step.report_view.isVisible()
    assert report.column_values("Status") == ["created"] * len(table.rows)
    columns = page.results_step.report_view.horizontalHeader()
    assert report.headers[columns.logicalIndex(0)] == "Status"
    click(qtbot, page.results_step.open_report_button)
    assert [Path(u.toLocalFile()) for u in opened_urls.urls] == [result.report]
    assert result.report is not None and result.report.exists() and result.report.parent == tmp_path

    # the sandbox holds every record, the fixed one with the fixed value
    records = store.all(entity)
    assert len(records) == before + documents
    fixed_number = str(table.rows[0][table.headers.index(model.mapping.column_of(number) or "")])
    mine = [r for r in records if r.get(number) == fixed_number]
    assert len(mine) == 1
    if entity == "contacts":
        assert any(p.get("email") == fixed for p in mine[0].get("contact_persons", []))
    else:
        day, month, year = fixed.replace(".", "/").split("/")
        assert mine[0]["date"] == f"{year}-{month}-{day}"


def test_an_unreadable_file_says_so_plainly(qtbot: Any, context: Any, qloop: Any, tmp_path: Path) -> None:
    broken = tmp_path / "orders.xlsx"
    broken.write_bytes(b"this is not a workbook")
    page = open_page(qtbot, context)
    page.file_step.choose_new(broken)
    qtbot.waitUntil(lambda: "orders.xlsx" in page.file_step.status.text()
                    and "Reading" not in page.file_step.status.text(), timeout=WAIT_MS)
    text = page.file_step.status.text()
    assert "Traceback" not in text and "orders.xlsx" in text
    assert not page.next_button.isEnabled() and page.step == FILE


def test_required_field_left_unmapped_blocks_next(qtbot: Any, context: Any, qloop: Any) -> None:
    page = open_mapping(qtbot, context, samples_dir() / "salesorders.xlsx", "salesorders")
    model = page.mapping_step.model
    assert model is not None and page.next_button.isEnabled()
    ci = model.table.headers.index("Customer")
    assert model.setData(model.index(ci, FIELD), "", Qt.ItemDataRole.EditRole)
    assert model.index(ci, FIELD).data() == "(not imported)"
    assert "Customer" in page.mapping_step.missing.text()
    assert not page.next_button.isEnabled()
    # the searchable picker finds the field again by part of its label
    view = page.mapping_step.view
    view.edit(model.index(ci, FIELD))
    picker = view.findChild(FieldPicker)
    assert picker is not None
    picker.completer().setCompletionPrefix("ustomer")
    found = [picker.completer().completionModel().index(i, 0).data()
             for i in range(picker.completer().completionCount())]
    assert any("customer_id" in f for f in found)
    picker.set_path("customer_id")
    view.commitData(picker)
    view.closeEditor(picker, view.itemDelegate().EndEditHint.NoHint)
    assert model.field_mapping(ci) is not None and model.field_mapping(ci).field == "customer_id"
    assert model.field_mapping(ci).lookup is not None
    assert page.next_button.isEnabled()


def test_transforms_dialog_and_saved_mapping_round_trip(qtbot: Any, context: Any, qloop: Any,
                                                        tmp_path: Path) -> None:
    page = open_mapping(qtbot, context, samples_dir() / "creditnotes.xlsx", "creditnotes")
    step = page.mapping_step
    model = step.model
    assert model is not None
    ci = model.table.headers.index("Credit Note Date")
    dialog = step.transform_dialog(ci)
    assert dialog is not None
    dialog.date_order.setCurrentText("month-first")
    dialog.default.setText("2026-01-01")
    transforms, lookup = dialog.rules()
    model.set_rules(ci, transforms, lookup)
    fm = model.field_mapping(ci)
    assert fm is not None and "dates month-first" in model.index(ci, 3).data()
    assert any(t.op == "default" for t in fm.transforms)
    saved = step.save(tmp_path / "credit.mapping.json")
    assert saved is not None
    click(qtbot, step.automap_button)  # back to the proposal: day-first dates
    assert "month-first" not in model.index(ci, 3).data()
    step.load(saved)
    assert "dates month-first" in model.index(ci, 3).data()


@pytest.mark.slow
def test_failed_rows_come_back_with_the_same_mapping(qtbot: Any, live_sandbox: Any, context: Any,
                                                     qloop: Any, tmp_path: Path) -> None:
    seed(live_sandbox.url, tmp_path, "contacts")
    source = with_bad_cell(samples_dir() / "salesorders.xlsx", tmp_path, "Item", "Flux Capacitor")
    page = open_mapping(qtbot, context, source, "salesorders")
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: review_ready(page), timeout=WAIT_MS)
    validation = page.session.validation
    assert validation is not None and not validation.prepared.invalid  # the cells are fine
    assert page.session.plan is not None and page.session.plan.invalid == 1  # but Zoho has no such item
    assert validation.invalid == 1 and validation.problem_rows == [0]  # and the review counts and shows it
    mapping = page.session.mapping
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == RESULTS, timeout=WAIT_MS)
    result = page.session.result
    assert result is not None and result.failed_rows is not None and result.counts["invalid"] == 1
    failures = [page.run_step.failures.item(i).text() for i in range(page.run_step.failures.count())]
    assert len(failures) == 1 and "Flux Capacitor" in failures[0]
    assert page.results_step.fix_button.isEnabled()
    click(qtbot, page.results_step.fix_button)
    qtbot.waitUntil(page.file_step.can_next, timeout=WAIT_MS)
    assert page.step == FILE and page.file_step.path.text() == str(result.failed_rows)
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == MAPPING, timeout=WAIT_MS)
    assert page.session.mapping is not None and mapping is not None
    assert page.session.mapping.fields == mapping.fields
    assert page.session.table is not None and 0 < len(page.session.table.rows) < 5


def test_reports_of_shipped_samples_go_under_the_data_folder(wizard_data_dir: Path, tmp_path: Path) -> None:
    from app.gui.import_wizard.session import Session

    assert Session(file=samples_dir() / "contacts.xlsx").report_dir() == wizard_data_dir / "reports"
    assert Session(file=tmp_path / "mine.xlsx").report_dir() == tmp_path  # beside the file, as the CLI does


@pytest.mark.slow
def test_pause_resume_cancel_then_the_rest_goes_once(qtbot: Any, make_live_sandbox: Any, tmp_path: Path,
                                                     qloop: Any) -> None:
    import openpyxl

    from app.gui.context import AppContext
    from app.gui.preferences import Preferences
    from app.zoho import ConnectionStore

    # a slow sandbox (latency per call, 2 at a time) so the run is still going when the buttons are pressed
    server = make_live_sandbox(rate_limit=100_000, concurrency=2, daily_quota=1_000_000, latency_ms=40)
    ctx = fixtures.SandboxContext(fixtures.sandbox_target(server.url), Preferences(tmp_path / "gui.ini"),
                                  ConnectionStore(tmp_path / "connections.json"))
    assert isinstance(ctx, AppContext)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Display Name", "Email"])
    rows = 60
    for i in range(rows):
        sheet.append([f"Paced Customer {i:03d}", f"paced{i:03d}@example.com"])
    source = tmp_path / "contacts-paced.xlsx"
    book.save(source)

    page = open_mapping(qtbot, ctx, source, "contacts")
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: review_ready(page), timeout=WAIT_MS)
    click(qtbot, page.next_button)
    run = page.run_step
    qtbot.waitUntil(lambda: run.latest is not None and run.latest.done >= 3, timeout=WAIT_MS)
    click(qtbot, run.pause_button)
    assert run.resume_button.isEnabled() and not run.pause_button.isEnabled()
    qtbot.waitUntil(lambda: run.latest is not None and run.latest.paused and run.latest.in_flight == 0,
                    timeout=WAIT_MS)
    def paced() -> list[str]:
        return [r["contact_name"] for r in server.app.state.store.all("contacts")
                if r["contact_name"].startswith("Paced Customer")]

    held = len(paced())
    assert held < rows
    click(qtbot, run.resume_button)
    qtbot.waitUntil(lambda: run.latest is not None and run.latest.done > held, timeout=WAIT_MS)
    click(qtbot, run.cancel_button)
    qtbot.waitUntil(lambda: page.step == RESULTS, timeout=WAIT_MS)
    first = page.session.result
    assert first is not None and first.stopped == "cancelled" and first.exit_code != 0
    sent = len(paced())
    # requests in flight at the cancel may have landed: in doubt, looked up (never resent blindly) next run
    assert 0 < sent < rows
    assert first.counts.get("created", 0) <= sent <= first.counts.get("created", 0) + first.counts.get("in_doubt", 0)
    assert "Stopped (cancelled)" in page.results_step.headline.text()

    # back to the review: the same job resumes and sends only what is left
    click(qtbot, page.back_button)
    qtbot.waitUntil(lambda: review_ready(page), timeout=WAIT_MS)
    assert page.session.plan is not None and page.session.plan.job_id == first.job_id, (first.job_id, page.session.plan)
    assert page.session.plan.to_send <= rows - first.counts["created"]
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == RESULTS, timeout=WAIT_MS)
    names = paced()
    assert sorted(names) == sorted(set(names)) and len(names) == rows
    ctx.shutdown()


def test_a_dropped_file_is_taken_and_its_record_type_guessed(qtbot: Any, context: Any, qloop: Any,
                                                             tmp_path: Path) -> None:
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    dropped = tmp_path / "credit notes march.xlsx"
    dropped.write_bytes((samples_dir() / "creditnotes.xlsx").read_bytes())
    page = open_page(qtbot, context)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dropped))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    page.file_step.dropEvent(event)
    qtbot.waitUntil(page.file_step.can_next, timeout=WAIT_MS)
    assert page.file_step.path.text() == str(dropped)
    assert page.file_step.entity.currentData() == "creditnotes"
    assert page.file_step.sheet.currentText() == "Credit Notes"
    assert dropped in context.preferences.recent_files()
    # Ctrl+Enter goes on like the Next button
    qtbot.keyClick(page, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.step == MAPPING, timeout=WAIT_MS)


def test_a_fixed_value_stands_in_for_a_column(qtbot: Any, context: Any, qloop: Any) -> None:
    from app.gui.import_wizard.field_editors import ConstantDialog

    page = open_mapping(qtbot, context, samples_dir() / "salesorders.xlsx", "salesorders")
    step = page.mapping_step
    model = step.model
    assert model is not None
    customer = model.table.headers.index("Customer")
    click(qtbot, step.constant_button)
    dialog = step.findChild(ConstantDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.picker.set_path("customer_id")
    dialog.value.setText("Northwind Traders")
    dialog.accept()
    fm = model.mapping.for_field("customer_id")
    assert fm is not None and fm.columns == [] and fm.constant == "Northwind Traders"
    assert fm.lookup is not None and fm.lookup.kind == "customer"
    assert model.field_mapping(customer) is None  # the column no longer feeds the field
    assert "Northwind Traders" in step.constants.text() and page.next_button.isEnabled()
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.session.validation is not None, timeout=WAIT_MS)
    docs = page.session.validation.prepared.documents
    assert docs and all(lk.value == "Northwind Traders" for d in docs for lk in d.lookups if lk.kind == "customer")
    qtbot.waitUntil(lambda: review_ready(page), timeout=WAIT_MS)
    click(qtbot, page.back_button)
    qtbot.waitUntil(lambda: page.step == MAPPING, timeout=WAIT_MS)
    assert '<a href="customer_id">remove</a>' in step.constants.text()
    step.constants.linkActivated.emit("customer_id")  # what a click on that "remove" link sends
    assert model.mapping.for_field("customer_id") is None and not page.next_button.isEnabled()


def test_a_look_back_at_the_file_keeps_the_mapping_a_new_file_does_not(qtbot: Any, context: Any,
                                                                        qloop: Any) -> None:
    page = open_mapping(qtbot, context, samples_dir() / "contacts.xlsx", "contacts")
    model = page.mapping_step.model
    assert model is not None
    region = model.table.headers.index("Region")
    model.set_field(region, None)
    click(qtbot, page.back_button)
    assert page.step == FILE
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == MAPPING, timeout=WAIT_MS)
    model = page.mapping_step.model
    assert model is not None and model.field_mapping(region) is None
    click(qtbot, page.back_button)
    page.file_step.choose_new(samples_dir() / "contacts.xlsx")
    qtbot.waitUntil(page.file_step.can_next, timeout=WAIT_MS)
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == MAPPING, timeout=WAIT_MS)
    model = page.mapping_step.model
    assert model is not None and model.field_mapping(region) is not None


def test_an_unusable_connection_leaves_a_plain_no_plan(qtbot: Any, qloop: Any, tmp_path: Path) -> None:
    from app.gui.context import AppContext
    from app.gui.preferences import Preferences
    from app.zoho import ConnectionStore

    ctx = AppContext(Preferences(tmp_path / "gui.ini"), ConnectionStore(tmp_path / "connections.json"))
    ctx.set_connection("Acme (deleted)")
    page = open_mapping(qtbot, ctx, samples_dir() / "contacts.xlsx", "contacts")
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == REVIEW and not page.review_step.validating
                    and not page.review_step.planning and page.session.validation is not None, timeout=WAIT_MS)
    text = page.review_step.plan_label.text()
    assert text.startswith("No plan:") and "Acme (deleted)" in text and "Traceback" not in text
    assert not page.next_button.isEnabled() and page.back_button.isEnabled()
    assert page.review_step.model is not None and page.review_step.model.rowCount() == 15
    ctx.shutdown()


def test_first_run_offers_the_contacts_sample_ready_to_go(qtbot: Any, context: Any, qloop: Any) -> None:
    from app.sheets import sheet_names

    assert context.preferences.first_run
    page = open_page(qtbot, context)
    step = page.file_step
    sample = samples_dir() / "contacts.xlsx"
    assert page.step == FILE and page.next_button.isEnabled()  # at once: nothing to wait for
    assert step.welcome.isVisible()
    welcome = step.welcome.text()
    assert "Sandbox (offline)" in welcome and "Next" in welcome and "no account" in welcome
    assert step.path.text() == str(sample) and page.session.file == sample
    assert step.sheet.currentText() == sheet_names(sample)[0]
    assert step.entity.currentData() == "contacts"
    assert step.recent.currentItem().data(Qt.ItemDataRole.UserRole) == str(sample)
    other = samples_dir() / "creditnotes.xlsx"
    page.file_step.choose_new(other)  # another file: the welcome's "contacts sample is chosen" would be wrong
    qtbot.waitUntil(lambda: page.session.file == other and step.can_next(), timeout=WAIT_MS)
    assert not step.welcome.isVisible()
    assert step.recent.currentItem().data(Qt.ItemDataRole.UserRole) == str(other)
    step.choose_new(sample)
    qtbot.waitUntil(lambda: page.session.file == sample and step.can_next(), timeout=WAIT_MS)
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == MAPPING, timeout=WAIT_MS)
    table = page.session.table
    assert table is not None and table.source == sample and len(table.rows) > 0


def test_a_returning_user_gets_no_welcome_and_no_file_chosen(qtbot: Any, context: Any, qloop: Any) -> None:
    context.preferences.mark_welcomed()
    page = open_page(qtbot, context)
    assert not page.file_step.welcome.isVisible() and not page.next_button.isEnabled()
    assert page.file_step.path.text() == "" and page.session.file is None


def test_the_samples_list_shows_only_the_shipped_samples(
        qtbot: Any, context: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from app.gui.import_wizard import file_step

    folder = tmp_path / "samples"
    shutil.copytree(samples_dir(), folder)
    for junk in ("contacts.report-20260101-120000.xlsx", "salesorders-problems.csv", "notes.xlsx", "contacts.csv"):
        (folder / junk).write_bytes((folder / "contacts.xlsx").read_bytes())
    monkeypatch.setattr(file_step, "samples_dir", lambda: folder)
    page = open_page(qtbot, context)
    listed = [page.file_step.recent.item(r).text() for r in range(page.file_step.recent.count())]
    assert listed == [f"Sample: {name}" for name in file_step.SAMPLES]
    assert sorted(file_step.SAMPLES) == sorted(p.name for p in samples_dir().iterdir()
                                               if p.suffix in (".xlsx", ".csv"))


def test_names_zoho_does_not_know_are_red_cells_in_the_review(
        qtbot: Any, live_sandbox: Any, context: Any, qloop: Any, tmp_path: Path) -> None:
    seed(live_sandbox.url, tmp_path, "contacts")
    source = samples_dir() / "salesorders.xlsx"
    for row in (5, 6, 7):  # every line of order SO-S-0002
        source = with_bad_cell(source, tmp_path, "Customer", "Nobody Such Ltd", row=row)
    source = with_bad_cell(source, tmp_path, "Item", "Flux Capacitor", row=8)
    page = open_mapping(qtbot, context, source, "salesorders")
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: review_ready(page), timeout=WAIT_MS)
    table, plan, review = page.session.table, page.session.plan, page.review_step.model
    assert table is not None and plan is not None and review is not None
    # the engine pins them: row and column as the user's sheet has them
    pinned = {(p.row, p.column) for p in plan.problems}
    assert (5, "Customer") in pinned and (8, "Item") in pinned
    assert {p.column for p in plan.problems} == {"Customer", "Item"} and {p.row for p in plan.problems} <= {5, 6, 7, 8}
    assert plan.invalid >= 2
    for row, header, name in ((5, "Customer", "Nobody Such Ltd"), (8, "Item", "Flux Capacitor")):
        cell = review.index(table.row_numbers.index(row), table.headers.index(header))
        assert cell.data() == name
        assert cell.data(Qt.ItemDataRole.BackgroundRole).color() == ERROR_COLOUR
        assert name in cell.data(Qt.ItemDataRole.ToolTipRole)
    assert review.index(0, table.headers.index("Order Date")).data(Qt.ItemDataRole.ToolTipRole) is None
    page.review_step.only_problems.setChecked(True)
    shown = [review.headerData(r, Qt.Orientation.Vertical) for r in range(review.rowCount())]
    assert shown == [str(n) for n in sorted({p.row for p in plan.problems})] and "2" not in shown
    assert "names Zoho does not know" in page.review_step.counts.text()
