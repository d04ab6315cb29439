"""The bundled `zoho-bulk` executable: the same command line as the installed console script."""

from app.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
