"""Every hostile spreadsheet of the corpus, validated from the command line, says exactly what its case expects."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from app.cli import main
from tests.hostile.corpus import Case, Expected, all_cases

CASES = all_cases()


def _problems(report_csv: str) -> dict[int, list[tuple[str, str, str]]]:
    by_row: dict[int, list[tuple[str, str, str]]] = {}
    with open(report_csv, encoding="utf-8-sig", newline="") as fh:
        for line in csv.DictReader(fh):
            row = int(line["Row"]) if line["Row"] else 0
            by_row.setdefault(row, []).append((line["Severity"], line["Column"], line["Message"]))
    return by_row


def _matches(expected: Expected, actual: tuple[str, str, str]) -> bool:
    severity, column, message = actual
    return (severity == expected.severity and expected.says in message
            and (expected.column is None or expected.column == column))


def test_the_corpus_is_big_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = case.build(tmp_path)
    args = [a.replace("{folder}", str(tmp_path)) for a in case.args]  # files build() wrote beside the sheet
    code = main(["validate", str(source), "--entity", case.entity, "--report-dir", str(tmp_path / "report"),
                 "--json", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code == case.expected_exit(), out + err
    summary = json.loads(out.strip().splitlines()[-1])
    if case.refused is not None:
        assert case.refused in err, err
        return
    for name in ("documents", "valid", "invalid"):
        if getattr(case, name) is not None:
            assert summary[name] == getattr(case, name), (name, summary)
    actual = _problems(summary["report_csv"])
    for row in sorted(set(actual) | set(case.expect)):
        left = list(actual.get(row, []))
        for expected in case.expect.get(row, []):
            hit = next((a for a in left if _matches(expected, a)), None)
            assert hit is not None, f"row {row}: expected {expected} among {left}"
            left.remove(hit)
        assert not left, f"row {row}: unexpected problems {left}"
