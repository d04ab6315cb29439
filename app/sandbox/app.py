"""Assembles the sandbox: SQLite file, demo seed, Books/CRM/OAuth routes behind the gate."""

from __future__ import annotations

import secrets
import threading
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from app.sandbox.books import Books, catalogue_route, ok
from app.sandbox.contacts import contact_routes
from app.sandbox.crm import CrmStore, crm_routes
from app.sandbox.documents import document_routes
from app.sandbox.errors import INVALID_URL, METHOD_NOT_ALLOWED, BooksError
from app.sandbox.gate import Gate
from app.sandbox.limits import Limits
from app.sandbox.oauth import TokenBook, oauth_routes
from app.sandbox.seed import ORGANIZATION_ID, seed_demo, summary
from app.sandbox.settings import SandboxSettings
from app.sandbox.store import Store, connect


def books_routes(books: Books) -> list[BaseRoute]:
    async def organizations(request: Request) -> Response:
        return ok("success", organizations=list(books.organizations.values()))

    def sorted_by(kind: dict[str, dict[str, Any]]) -> Any:
        records = list(kind.values())
        return lambda: records

    return [
        Route("/organizations", organizations, methods=["GET"]),
        *contact_routes(books),
        *document_routes(books),
        catalogue_route("/items", "items", sorted_by(books.items)),
        catalogue_route("/settings/taxes", "taxes", sorted_by(books.taxes)),
        catalogue_route("/settings/currencies", "currencies", sorted_by(books.currencies)),
        catalogue_route("/chartofaccounts", "chartofaccounts", sorted_by(books.accounts)),
        catalogue_route("/salespersons", "salespersons", sorted_by(books.salespersons)),
    ]


def _is_crm(request: Request) -> bool:
    return request.url.path.startswith("/crm/")


async def books_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BooksError)
    return exc.response()


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        if _is_crm(request):
            return JSONResponse({"code": "METHOD_NOT_ALLOWED", "details": {},
                                 "message": "The HTTP method is not allowed for this URL",
                                 "status": "error"}, status_code=405)
        return JSONResponse({"code": METHOD_NOT_ALLOWED,
                             "message": f"The HTTP method {request.method} is not allowed "
                                        f"for {request.url.path}"}, status_code=405)
    if exc.status_code == 404:
        if _is_crm(request):
            return JSONResponse({"code": "INVALID_URL_PATTERN", "details": {},
                                 "message": "Please check if the URL trying to access is a "
                                            "correct one", "status": "error"}, status_code=404)
        return JSONResponse({"code": INVALID_URL, "message": "Invalid URL Passed"},
                            status_code=404)
    return JSONResponse({"code": exc.status_code, "message": str(exc.detail)},
                        status_code=exc.status_code)


def sandbox_instance(store: Store) -> str:
    """A random ID kept in the sandbox file: two sandboxes (two files) never share it, a restart keeps it.

    Every sandbox serves the same organization ID, so a client tells sandboxes apart by this
    (a job journalled against one sandbox must not count as done against another).
    """
    with store.transaction():
        value = store.peek_value("instance")
        if value is None:
            value = store.next_value("instance", start=secrets.randbelow(2**52) + 1)
    return f"{value:x}"


def create_app(settings: SandboxSettings, db_path: str | Path) -> Starlette:
    """The sandbox as an ASGI app on the SQLite file ``db_path`` (created and seeded if new)."""
    conn = connect(db_path)
    lock = threading.RLock()
    store = Store(conn, lock)
    if store.is_empty():
        seed_demo(store)
    books = Books(store, settings)
    tokens = TokenBook(store, settings)
    limits = Limits(settings)
    crm = CrmStore(conn, lock)
    book_routes = books_routes(books)

    instance = sandbox_instance(store)

    async def root(request: Request) -> Response:
        """Who this sandbox is and its limits, so that a client can pace itself to them."""
        return JSONResponse({
            "service": "zoho-bulk sandbox",
            "name": "zoho-bulk sandbox",
            "instance": instance,
            "books": f"{str(request.base_url).rstrip('/')}/books/v3",
            "organization_id": ORGANIZATION_ID,
            "limits": {
                "rate_limit": settings.rate_limit, "rate_window_s": settings.rate_window_s,
                "concurrency": settings.concurrency, "daily_quota": settings.daily_quota,
            },
            "records": summary(store),
            "crm_records": crm.summary(),
        })

    app = Starlette(
        routes=[
            Route("/", root, methods=["GET"]),
            *oauth_routes(tokens),
            Mount("/books/v3", routes=book_routes),
            Mount("/api/v3", routes=book_routes),
            *crm_routes(crm),
        ],
        middleware=[
            Middleware(
                Gate, settings=settings, tokens=tokens, limits=limits,
                organizations=set(books.organizations), default_organization=ORGANIZATION_ID,
            )
        ],
        exception_handlers={BooksError: books_error, 404: http_error, 405: http_error},
    )
    app.state.store = store
    app.state.books = books
    app.state.crm = crm
    app.state.tokens = tokens
    app.state.limits = limits
    app.state.settings = settings
    app.state.db_path = Path(db_path)
    app.state.close = conn.close
    return app
