"""The CRM Convert page against the built-in sandbox's CRM: pasted quote numbers, plan, run, results per row."""

from __future__ import annotations

from typing import Any

import pytest

CONVERTIBLE = ["QT-00011", "QT-00012", "QT-00013", "QT-00014", "QT-00015"]
NOT_APPROVED = "QT-00026"  # seeded: approval pending


@pytest.mark.slow
def test_pasted_quotes_convert_to_sales_orders_with_a_result_per_row(window: Any, context: Any, run: Any,
                                                                    error_dialogs: Any) -> None:
    window.show_page("CRM Convert")
    page = window.pages["CRM Convert"]
    page.from_list.setChecked(True)
    page.pasted.setPlainText("\n".join([*CONVERTIBLE, NOT_APPROVED]))
    page.source.setCurrentIndex(page.source.findData("Quotes"))
    assert page.targets() == ("Sales_Orders",)
    assert not page.to_invoices.isChecked()
    assert not page.results_box.isVisible()  # no empty results pane before a run

    plan = run(page.make_plan())
    assert plan is not None and (plan.rows, plan.to_convert, plan.invalid) == (6, 6, 0)

    page.run_button.click()
    result = run(page.task)
    assert result is not None
    assert (result.counts["converted"], result.counts["failed"]) == (5, 1)
    assert result.report is not None and result.report.exists()
    statuses = page.results.column_values(page.results.headers[page.results.status_column])
    assert sorted(statuses) == ["converted"] * 5 + ["failed"]
    assert page.results_box.isVisible()
    assert "5 converted, 1 failed" in page.panel.status.text()
    assert page.report_button.isEnabled()
    assert error_dialogs() == []


def test_nothing_pasted_is_a_plain_message(window: Any, run: Any, error_dialogs: Any) -> None:
    page = window.pages["CRM Convert"]
    page.from_list.setChecked(True)
    assert run(page.make_plan()) is None
    assert [d.message for d in error_dialogs()] == ["Paste the record IDs or numbers first, one a line."]
