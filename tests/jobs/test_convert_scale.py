"""Converting 500 quotes spends at most 10 convert calls (mass conversions of 50) plus status polls and list pages."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app.cli.converting import run_convert
from tests.jobs.test_convert_env import CrmBox, create_quotes, settings, write_rows

pytestmark = pytest.mark.slow  # 500 quotes converted


async def test_500_quotes_cost_at_most_10_convert_calls(tmp_path: Path) -> None:
    box = CrmBox(tmp_path / "sandbox.sqlite")
    try:
        ids = await create_quotes(box, 500)
        file = write_rows(tmp_path / "500-quotes.csv", ["Record Id"], [[i] for i in ids])
        out = io.StringIO()

        code = await run_convert(settings(box, "Quotes", ("Sales_Orders",), file), as_json=True, out=out,
                                 err=io.StringIO())

        summary = json.loads(out.getvalue().strip().splitlines()[-1])
        calls = summary["calls"]
        print(f"\n500 quotes -> sales orders: {calls}")
        assert code == 0 and summary["converted"] == 500
        assert calls["convert"] <= 10 and calls["mass_convert"] == 10 and calls["single_convert"] == 0
        t = box.transport
        assert calls["convert"] == t.count("mass_convert") + t.count("convert")
        assert calls["status"] == t.count("status")
        assert calls["total"] == len(t.sent) == calls["convert"] + calls["status"] + calls["lookup"]
        assert calls["lookup"] == 1 + 3  # module IDs; 512 sales orders = 3 pages of back-pointers
        assert t.assert_bodies_match_zoho_schemas() == 10
        orders, _more = box.crm.page("Sales_Orders", 1, 1000)
        made = [o["Quote_Name"]["id"] for o in orders if o.get("Quote_Name")]
        assert sorted(m for m in made if m in set(ids)) == sorted(ids)  # each quote converted exactly once
    finally:
        box.close()
