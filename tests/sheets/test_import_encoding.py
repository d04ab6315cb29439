"""`import --encoding`: a CSV the detector cannot be sure of is refused before any call, then imported as the
user named it, through real HTTP to the sandbox; the report names the encoding used."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from app.cli import main
from app.sandbox import EmbeddedSandbox


def test_an_unsure_encoding_is_refused_then_imported_as_named(
        live_sandbox: EmbeddedSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "contacts-1c.csv"
    source.write_bytes("Display Name,Email\r\nООО Ромашка,info@romashka.example\r\n".encode("cp1251"))
    store = live_sandbox.app.state.store
    before = len(store.all("contacts"))
    args = ["import", str(source), "--entity", "contacts", "--sandbox", live_sandbox.url,
            "--report-dir", str(tmp_path / "r"), "--json"]

    assert main(args) == 2
    err = capsys.readouterr().err
    assert 'windows-1251 reads "ООО Ромашка,info@romashka.example"' in err and "--encoding NAME" in err
    assert len(store.all("contacts")) == before  # nothing sent

    assert main([*args, "--encoding", "windows-1251"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    names = [c["contact_name"] for c in store.all("contacts")]
    assert names.count("ООО Ромашка") == 1 and len(names) == before + 1
    book = openpyxl.load_workbook(summary["report"])
    facts = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert facts["Encoding"] == "windows-1251"
