"""Writes the shipped mapping files: Zoho Books' export format and the sample template of each entity.

Run from the repository root: `.venv/bin/python mappings/make_mappings.py`. The files are the
auto-mapper's proposals, kept in the repository so users (and tests) can read and edit them.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.entities import ENTITIES  # noqa: E402
from app.mapping import automap, save_mapping  # noqa: E402
from app.sheets import Table, column_letter, read_table  # noqa: E402


def export_table(name: str) -> Table:
    headers = list(ENTITIES[name].export_headers)
    return Table(source=Path(f"{name}.csv"), sheet="", sheets=[], header_row=1, headers=headers,
                 letters=[column_letter(i) for i in range(len(headers))], rows=[], row_numbers=[])


def main() -> None:
    here = ROOT / "mappings"
    for name in ENTITIES:
        mapping = automap(export_table(name), name).model_copy(update={"sheet": None, "header_row": None})
        save_mapping(mapping, here / f"zoho-books-export-{name}.json")
        sample = read_table(ROOT / "resources" / "samples" / f"{name}.xlsx")
        template = automap(sample, name).model_copy(update={"sheet": None, "header_row": None})
        save_mapping(template, here / f"template-{name}.json")
    print(f"mappings written to {here}")


if __name__ == "__main__":
    main()
