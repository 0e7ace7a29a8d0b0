#!/usr/bin/env bash
# Make sure the UI tests have a headless Chromium and a Chinese font.
# Installs Debian's `chromium` and `fonts-wqy-microhei` when either is missing (as root);
# otherwise prints how to install them and exits 1. Never downloads a browser build of its own.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
FONT_PACKAGE=fonts-wqy-microhei

have_font() {
    dpkg-query -W -f='${Status}' "$FONT_PACKAGE" 2>/dev/null | grep -q "install ok installed"
}

if [ -x "$CHROMIUM" ] && have_font; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-browser: $CHROMIUM or the $FONT_PACKAGE font is missing." >&2
    echo "Install them with:  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium $FONT_PACKAGE" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium "$FONT_PACKAGE"
if [ ! -x "$CHROMIUM" ]; then
    echo "ensure-browser: apt-get finished but $CHROMIUM is still missing" >&2
    exit 1
fi
"$CHROMIUM" --version
