"""The import wizard's states for `python -m app.gui.screenshots`: each step with the shipped sample that has problems."""

from __future__ import annotations

from collections.abc import Iterator
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

    yield "1 file", file
    yield "2 mapping", mapping
    yield "3 review", review
    yield "3 review bulk fix", bulk_fix
    yield "4 running", running
    yield "5 results", results
