"""`zoho-bulk sandbox`: serve the sandbox in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.private import private_file, private_folder
from app.sandbox.app import create_app
from app.sandbox.embedded import SandboxError, bind, uvicorn_config
from app.sandbox.oauth import BOOKS_REFRESH_TOKEN, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN
from app.sandbox.seed import ORGANIZATION_ID, ORGANIZATION_NAME, summary
from app.sandbox.server import (
    ForegroundServer,
    UsageError,
    check_address,
    default_db,
    settings_from,
)


def sandbox_command(args: argparse.Namespace) -> int:
    """Check the options, open the database, print where the sandbox is and its credentials, serve; 2 with one
    plain sentence on standard error when an option or the database cannot be used."""
    try:
        settings = settings_from(args)
    except UsageError as error:
        print(f"zoho-bulk sandbox: {error}", file=sys.stderr)
        return 2
    db_path = Path(args.db) if args.db else default_db()
    try:
        warning = check_address(args.host, args.port, allow_remote=getattr(args, "allow_remote", False))
        sock = bind(args.host, args.port)
    except (UsageError, SandboxError) as error:
        print(f"zoho-bulk sandbox: {error}", file=sys.stderr)
        return 2
    if warning:
        print(warning, file=sys.stderr, flush=True)
    try:
        private_folder(db_path.parent, tighten=not args.db)
        private_file(db_path)
        app = create_app(settings, db_path)
    except Exception as error:  # an unreadable or foreign file: one plain sentence
        sock.close()
        print(f"zoho-bulk sandbox: cannot open {db_path}: {error}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]  # the free port the system chose for --port 0
    url = f"http://{args.host}:{port}"
    counts = summary(app.state.store)
    print(f"Zoho sandbox at {url}  (Books: {url}/books/v3, CRM: {url}/crm/v8)")
    print(f"Organization {ORGANIZATION_ID} \"{ORGANIZATION_NAME}\"; data in {db_path}")
    print("Records: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    crm_counts = app.state.crm.summary()
    print("CRM records: " + ", ".join(f"{n} {module}" for module, n in crm_counts.items()))
    print(f"OAuth client {CLIENT_ID} / {CLIENT_SECRET}, refresh token {REFRESH_TOKEN} "
          f"(Books only: {BOOKS_REFRESH_TOKEN})")
    print(f"Limits: {settings.rate_limit} requests per {settings.rate_window_s:g} s, "
          f"{settings.concurrency} at once, {settings.daily_quota} a day. Ctrl-C stops.",
          flush=True)
    server = ForegroundServer(uvicorn_config(app, args.host, port))
    try:
        server.run(sockets=[sock])
    finally:
        app.state.close()
        sock.close()
    print("Sandbox stopped.")
    return 0
