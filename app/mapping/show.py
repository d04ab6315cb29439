"""What `validate` and `import` print about a mapping, its problems and its payloads, in plain lines for a terminal."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from app.mapping.documents import Problem
from app.mapping.schema import FieldMapping, Mapping

ERRORS_SHOWN = 20
WARNINGS_SHOWN = 200


def _source(fm: FieldMapping) -> str:
    if fm.columns:
        return " + ".join(f'"{c}"' for c in fm.columns)
    return f"constant {json.dumps(fm.constant, ensure_ascii=False)}"


def _rules(fm: FieldMapping) -> str:
    parts = []
    for rule in fm.transforms:
        settings = {k: v for k, v in rule.model_dump(exclude_none=True).items() if k != "op" and v not in ([], {})}
        parts.append(rule.op + (f"({', '.join(f'{k}={v}' for k, v in settings.items())})" if settings else ""))
    if fm.lookup is not None:
        parts.append(f"look up {fm.lookup.kind} by {fm.lookup.by}")
    return "; ".join(parts)


def mapping_lines(mapping: Mapping) -> list[str]:
    """The mapping as a table: each field with its source, rules and (for proposals) confidence and reason."""
    lines = [f"Mapping: {mapping.entity}, {mapping.operation}; one document per "
             + (f'value of "{mapping.document_key}"' if mapping.document_key else "row")]
    width = max((len(fm.field) for fm in mapping.fields), default=0)
    for fm in mapping.fields:
        sure = f"{fm.confidence:.0%}" if fm.confidence is not None else "set"
        line = f"  {fm.field.ljust(width)}  <- {_source(fm)}  [{sure}]"
        rules = _rules(fm)
        if rules:
            line += f"  {rules}"
        if fm.note:
            line += f"  ({fm.note})"
        lines.append(line)
    for column, why in mapping.ignored.items():
        lines.append(f'  not imported: "{column}" ({why})')
    for column in mapping.unmapped:
        lines.append(f'  no field found: "{column}"')
    return lines


def problem_lines(problems: Iterable[Problem], *, errors: int = ERRORS_SHOWN,
                  warnings: int = WARNINGS_SHOWN) -> list[str]:
    """The first `errors` errors and the first `warnings` warnings (problems of no row first); each message
    names its row and column already. The rest are counted and left to the report."""
    ordered = sorted(problems, key=lambda p: (p.row is not None, p.row or 0, p.column_letter or ""))
    lines: list[str] = []
    for severity, limit, title in (("error", errors, "Errors"), ("warning", warnings, "Warnings")):
        found = [p for p in ordered if p.severity == severity]
        if not found:
            continue
        lines.append(f"{title} ({len(found)}):")
        lines.extend(f"  {p.message}" for p in found[:limit])
        if len(found) > limit:
            lines.append(f"  ... and {len(found) - limit} more {title.lower()} in the report.")
    return lines


def payload_lines(payloads: Sequence[tuple[str, dict[str, Any]]], count: int) -> list[str]:
    """The first `count` payloads as JSON, each headed by what will be done with it."""
    lines: list[str] = []
    for heading, payload in payloads[:count]:
        lines.append(heading)
        lines.extend("  " + line for line in json.dumps(payload, indent=2, ensure_ascii=False,
                                                        default=str).splitlines())
    if not payloads:
        lines.append("No payload would be sent.")
    return lines
