#!/usr/bin/env bash
# Build the Linux bundle dist/zoho-bulk/ (and dist/zoho-bulk-VERSION-linux-ARCH.tar.gz unless
# --no-archive). `make package` installs PyInstaller into .venv first and runs this.
# PYTHON picks the interpreter whose packages are bundled (default .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
archive=1
[[ "${1:-}" == "--no-archive" ]] && archive=0

# One build at a time in this tree (the bundle tests hold the lock while they run the bundle).
if [[ -z "${ZOHO_BULK_BUILD_LOCK_HELD:-}" ]]; then
    mkdir -p build
    exec 9>build/bundle.lock
    flock 9
fi

started=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/zoho-bulk.spec

# The menu entry, the icons and the per-user installer travel with the program.
bundle=dist/zoho-bulk
install -Dm644 packaging/linux/zoho-bulk.desktop "$bundle/share/applications/zoho-bulk.desktop"
for size in 16 24 32 48 64 128 256 512; do
    install -Dm644 "resources/icons/zoho-bulk-$size.png" \
        "$bundle/share/icons/hicolor/${size}x${size}/apps/zoho-bulk.png"
done
install -Dm644 resources/icons/zoho-bulk.svg "$bundle/share/icons/hicolor/scalable/apps/zoho-bulk.svg"
install -m755 packaging/linux/install.sh "$bundle/install.sh"

"$PYTHON" packaging/bundle_stamp.py --write
echo "dist/zoho-bulk: $(du -sh "$bundle" | cut -f1), built in $(( $(date +%s) - started )) s"

if [[ $archive == 1 ]]; then
    version=$("$bundle/zoho-bulk" --version | cut -d' ' -f2)
    tarball="dist/zoho-bulk-$version-linux-$(uname -m).tar.gz"
    tar -C dist -czf "$tarball" zoho-bulk
    echo "$tarball: $(du -sh "$tarball" | cut -f1)"
fi
