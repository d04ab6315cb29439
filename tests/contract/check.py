"""What one HTTP request breaks of the written contract (tests.contract.kinds): a list of plain sentences."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

import httpx
from jsonschema import Draft7Validator

from tests.contract.kinds import API_ROOTS, KINDS, SANDBOX_ONLY, RequestKind


@dataclass(frozen=True)
class Match:
    """The kind a request is, or why none fits."""

    kind: RequestKind | None
    problem: str | None = None


@cache
def _template(path: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
    return re.compile(pattern)


@cache
def _validator(kind_name: str) -> Draft7Validator:
    kind = next(k for k in KINDS if k.name == kind_name)
    assert kind.body is not None
    return Draft7Validator(kind.body)


def _under_root(kind: RequestKind, path: str) -> str | None:
    for root in API_ROOTS[kind.api]:
        if path.startswith(root + "/") or (root == "" and path.startswith("/")):
            return path[len(root):]
    return None


def match(method: str, path: str) -> Match:
    """The request kind of `method path`, or the reason no kind fits (an unknown path, a wrong value)."""
    near: list[str] = []
    wrong_method: list[str] = []
    for kind in KINDS:
        rest = _under_root(kind, path)
        if rest is None:
            continue
        found = _template(kind.path).fullmatch(rest)
        if found is None:
            continue
        bad = [f"{{{name}}} is {value!r}, not one of {', '.join(kind.path_values[name])}"
               for name, value in found.groupdict().items()
               if name in kind.path_values and value not in kind.path_values[name]]
        if bad:
            near.append(f"{kind.name} ({kind.path}): " + "; ".join(bad))
        elif kind.method != method:
            wrong_method.append(f"{kind.method} ({kind.name})")
        else:
            return Match(kind)
    if near:
        return Match(None, f"{method} {path} is no documented request: " + " / ".join(near))
    if wrong_method:
        return Match(None, f"{method} {path}: this path is documented only with " + ", ".join(wrong_method))
    return Match(None, f"{method} {path} is no request Zoho documents (tests/contract/kinds.py)")


def _body_problems(kind: RequestKind, request: httpx.Request, query: dict[str, str]) -> list[str]:
    try:
        content = request.content
    except httpx.RequestNotRead:
        return []  # a streamed body: never sent by the tool
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind.form is not None:
        fields = dict(parse_qsl(content.decode("utf-8", "replace"))) if content else {}
        if content and content_type != "application/x-www-form-urlencoded":
            return [f"{kind.name}: the form goes form-encoded, not as {content_type or 'no content type'}"]
        fields = {**query, **fields}
        grant = fields.get("grant_type")
        if grant not in kind.form:
            return [f"{kind.name}: grant_type is {grant!r}, not one of {', '.join(kind.form)}"]
        return [f"{kind.name} ({grant}): {name} is missing" for name in kind.form[grant] if not fields.get(name)]
    if kind.body is None:
        return [f"{kind.name} carries no body, but {len(content)} bytes were sent"] if content else []
    if content_type != "application/json":
        return [f"{kind.name}: the body goes as application/json, not {content_type or 'no content type'}"]
    try:
        body: Any = json.loads(content)
    except ValueError:
        return [f"{kind.name}: the body is not JSON"]
    problems = []
    for error in sorted(_validator(kind.name).iter_errors(body), key=lambda e: list(e.absolute_path))[:5]:
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        problems.append(f"{kind.name}: body {where}: {error.message}")
    return problems


def deviations(request: httpx.Request) -> list[str]:
    """Every rule of the contract `request` breaks; [] when it keeps them all or is exempt."""
    method, path = request.method.upper(), request.url.path
    if (method, path) in SANDBOX_ONLY:
        return []
    found = match(method, path)
    if found.kind is None:
        return [found.problem or f"{method} {path}: unknown"]
    kind = found.kind
    query = dict(request.url.params.multi_items())
    problems = [f"{kind.name}: query parameter {name} is missing" for name in kind.query_required
                if not query.get(name)]
    for name, allowed in kind.query_values.items():
        if name in query and query[name] not in allowed:
            problems.append(f"{kind.name}: {name}={query[name]!r} is not one of {', '.join(allowed)}")
    for name, pattern in kind.headers.items():
        optional = name.endswith("?")
        header = name.rstrip("?")
        value = request.headers.get(header)
        if value is None:
            if not optional:
                problems.append(f"{kind.name}: header {header} is missing")
        elif not re.fullmatch(pattern, value):
            shown = value.split(" ")[0] + " ..." if header == "Authorization" else value[:40]  # no token in logs
            problems.append(f"{kind.name}: header {header} is {shown!r}, expected /{pattern}/")
    problems += _body_problems(kind, request, query)
    return [f"{method} {request.url.copy_with(query=None)}: {p}" for p in problems]
