"""Which features a connection's grant allows: one cheap read per Books scope (and Get Modules for CRM).

`connections test` runs it right after signing in, so a grant typed without a scope is found
before a job needs it, not halfway through one. Each probe is a first page of one record (one
call from the daily quota); a refusal is a `MissingScope` (app.zoho.tokens) naming the scope.
Writes and conversions are not probed: they cannot be tried without changing something.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.zoho.books import BooksClient
from app.zoho.crm import CrmClient
from app.zoho.errors import MissingScope
from app.zoho.scopes import FEATURES, Feature

# feature name -> the Books list that proves its scope
_BOOKS_PROBES = {"contacts": "contacts", "salesorders": "salesorders", "creditnotes": "creditnotes",
                 "lookups": "currencies", "accounts": "chartofaccounts"}


@dataclass(frozen=True)
class ScopeFinding:
    """One feature probed: allowed, or refused with the scope it lacks."""

    feature: Feature
    missing: str | None = None


async def check_scopes(books: BooksClient, crm: CrmClient | None = None) -> list[ScopeFinding]:
    """Probe every Books feature (and CRM's Get Modules when `crm` is given); other errors propagate."""
    findings = []
    for feature in FEATURES:
        entity = _BOOKS_PROBES.get(feature.name)
        try:
            if entity:
                await books.list_page(entity, per_page=1)
            elif feature.name == "crm modules" and crm is not None:
                await crm.modules()
            else:
                continue
        except MissingScope as refused:
            findings.append(ScopeFinding(feature, refused.scope or feature.scopes[0]))
            continue
        findings.append(ScopeFinding(feature))
    return findings


def print_findings(findings: list[ScopeFinding], out: Any, *, crm: bool = False) -> int:
    """Say which scopes are missing and what they are for; 1 when any is, else 0."""
    missing = [f for f in findings if f.missing]
    for finding in missing:
        print(f"  missing scope {finding.missing}: cannot {finding.feature.what}", file=out)
    if missing:
        print("  sign in again with a grant that includes it (zoho-bulk connections scopes"
              f"{' --crm' if crm else ''} lists every scope)", file=out)
        return 1
    print(f"  scopes granted for: {', '.join(f.feature.name for f in findings)}", file=out)
    return 0
