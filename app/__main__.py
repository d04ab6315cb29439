"""Allow `python -m app` as a synonym of the `zoho-bulk` command."""

from app.cli import main

raise SystemExit(main())
