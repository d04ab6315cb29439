#!/usr/bin/env bash
# Build the macOS app: dist/zoho-bulk.app (and the one-folder dist/zoho-bulk/ it is made from),
# zipped as dist/zoho-bulk-VERSION-macos-ARCH.zip. Run on a Mac, for the Mac's own architecture:
#     make package        (installs PyInstaller into .venv first and runs this)
# PyInstaller signs the app ad hoc; sign and notarize with your Developer ID to ship it.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"

started=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/zoho-bulk.spec
"$PYTHON" packaging/bundle_stamp.py --write
echo "dist/zoho-bulk.app: $(du -sh dist/zoho-bulk.app | cut -f1), built in $(( $(date +%s) - started )) s"

version=$(dist/zoho-bulk/zoho-bulk --version | cut -d' ' -f2)
archive="dist/zoho-bulk-$version-macos-$(uname -m).zip"
rm -f "$archive"
ditto -c -k --keepParent dist/zoho-bulk.app "$archive"
echo "$archive: $(du -sh "$archive" | cut -f1)"
