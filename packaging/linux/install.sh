#!/usr/bin/env sh
# Install this zoho-bulk build for the current user: the program under ~/.local/opt/zoho-bulk,
# the `zoho-bulk` command in ~/.local/bin, the menu entry and its icon. Run it from the unpacked
# folder: ./install.sh  (remove again with ./install.sh --uninstall).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data="${XDG_DATA_HOME:-$HOME/.local/share}"
opt="$HOME/.local/opt/zoho-bulk"
bin="$HOME/.local/bin"

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$opt" "$bin/zoho-bulk" "$data/applications/zoho-bulk.desktop"
    rm -f "$data"/icons/hicolor/*/apps/zoho-bulk.png "$data/icons/hicolor/scalable/apps/zoho-bulk.svg"
    echo "zoho-bulk removed (your settings, logs and job journals are kept)."
    exit 0
fi

if [ "$here" != "$opt" ]; then
    rm -rf "$opt"
    mkdir -p "$(dirname "$opt")"
    cp -R "$here" "$opt"
fi
mkdir -p "$bin" "$data/applications"
ln -sf "$opt/zoho-bulk" "$bin/zoho-bulk"
for png in "$opt"/share/icons/hicolor/*/apps/zoho-bulk.png "$opt"/share/icons/hicolor/scalable/apps/zoho-bulk.svg; do
    [ -f "$png" ] || continue
    target="$data/icons/${png#"$opt"/share/icons/}"
    mkdir -p "$(dirname "$target")"
    cp "$png" "$target"
done
sed -e "s|^Exec=zoho-bulk|Exec=\"$opt/zoho-bulk\"|" -e "s|^TryExec=zoho-bulk|TryExec=$opt/zoho-bulk|" \
    "$opt/share/applications/zoho-bulk.desktop" > "$data/applications/zoho-bulk.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "zoho-bulk installed in $opt; 'zoho-bulk' is in $bin and 'Zoho Bulk' in the applications menu."
