"""The import wizard's states for `python -m app.gui.screenshots`: each step with the shipped sample that has problems."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from app.gui.page import ScreenshotState
from app.jobs import Progress
from app.resources import samples_dir

if TYPE_CHECKING:
    from app.gui.import_wizard.page import ImportPage

SAMPLE = "salesorders-with-problems.csv"


def states(page: ImportPage) -> Iterator[ScreenshotState]:
    """(name, prepare) pairs; a prepare that starts work leaves it in `page.task` for the runner to await."""
    from app.gui.import_wizard.page import REVIEW, RUN

    def file() -> None:
        page.task = page.file_step.choose_new(samples_dir() / SAMPLE)

    def mapping() -> None:
        page.task = page.next()

    def review() -> None:
        page.task = page.next()

    def bulk_fix() -> None:  # a value replaced in every cell of its column that holds it, the count shown first
        step, panel = page.review_step, page.review_step.panel
        model = panel.model
        if model is None or not model.groups:
            return
        dates = [i for i, g in enumerate(model.groups) if g.title.endswith("not a date")]
        group = model.index(dates[0] if dates else 0, 0)
        panel.tree.expand(group)
        panel.tree.setCurrentIndex(group)
        problem = panel.current_problem()
        dialog = step.fixes.ask_replace(problem) if problem is not None else None
        if dialog is not None:
            dialog.new_value.setText("28/02/2026")

    def running() -> None:  # drawn, not run: a real run against the sandbox is over before a grab
        dialog = page.review_step.fixes.dialog
        if dialog is not None:
            dialog.reject()
        page.go(RUN)
        step = page.run_step
        for failure in ('Row 7, column "Customer": no customer is named "Contoso Ltd"',
                        'Row 12, column "Quantity": "-2" must be greater than zero'):
            step.failures.addItem(failure)
        step._latest = Progress(done=1312, failed=2, in_flight=10, total=2400, rate_per_min=98.4,
                                eta_s=663, calls=1326)
        step._draw()
        for button in (step.pause_button, step.cancel_button):
            button.setEnabled(True)

    def results() -> None:
        page.run_step.failures.clear()
        page.go(REVIEW)
        page.task = page.next()

    def changes() -> None:  # an update of the imported contacts: what it would change, field by field
        page.task = asyncio.ensure_future(_to_changes(page))

    yield "1 file", file
    yield "2 mapping", mapping
    yield "3 review", review
    yield "3 review bulk fix", bulk_fix
    yield "4 running", running
    yield "5 results", results
    yield "6 update changes", changes


# Edits a user makes to their contacts sheet before updating Zoho with it (Display Name -> column -> new value)
EDITS = {"Northwind Traders": {"Company Name": "Northwind Traders Incorporated"},
         "Tailspin Toys": {"Company Name": "Tailspin Toys Australia", "Website": "https://tailspin.example"},
         "Contoso Pharmaceuticals": {"Website": "https://contoso-pharma.example"}}


async def _to_changes(page: ImportPage) -> None:
    """The wizard on an edited copy of the contacts sample, set to update, up to Review's Changes tab."""
    import tempfile

    from PySide6.QtWidgets import QSplitter, QTabWidget

    from app.gui.import_wizard.page import RESULTS
    from app.sheets import write_csv

    folder = Path(tempfile.mkdtemp(prefix="zoho-bulk-changes-"))
    source = folder / "contacts-edited.csv"
    names = ["Northwind Traders", "Contoso Pharmaceuticals", "Fabrikam GmbH", "Tailspin Toys"]
    columns = ["Display Name", "Company Name", "Website"]
    sample = {"Northwind Traders": "Northwind Traders Inc.", "Contoso Pharmaceuticals": "Contoso Pharmaceuticals Ltd",
              "Fabrikam GmbH": "Fabrikam GmbH", "Tailspin Toys": "Tailspin Toys Pty Ltd"}
    rows = [[n, EDITS.get(n, {}).get("Company Name", sample[n]), EDITS.get(n, {}).get("Website", "")]
            for n in names]
    write_csv(source, columns, rows)
    if page.step == RESULTS:
        await _finished(page.next())  # a new import, from the file step
    await page.file_step.choose(source, entity="contacts", operation="update")
    await _finished(page.next())
    await _until(page.mapping_step.can_next)
    await _finished(page.next())
    await _until(lambda: page.session.plan is not None and page.review_step.changes.model.rowCount() > 0)
    tabs = page.review_step.findChild(QTabWidget, "reviewSide")
    if tabs is not None:
        tabs.setCurrentWidget(page.review_step.changes)
    split = page.review_step.findChild(QSplitter)
    if split is not None:  # the changes wide enough to read old and new side by side
        split.setSizes([360, 640])


async def _until(ready: Callable[[], bool]) -> None:
    """Wait (at most 20 s) for the wizard's work started by a step to show its result."""
    for _ in range(2000):
        if ready():
            return
        await asyncio.sleep(0.01)


async def _finished(work: asyncio.Future[None] | None) -> None:
    if work is not None:
        await work
