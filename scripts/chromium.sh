#!/usr/bin/env bash
# Print the path of a headless-capable Chromium, installing Debian's package when it is missing.
#
# Why a script: the one-page check of `flexpolicy doc --format html` (tests/authoring/test_doc.py) prints
# the summary to PDF with a real browser, and CI and developers need that browser found (or
# installed) the same way.  Debian 12, as root, for the install; finding an existing browser
# works for anyone.
#
#   CHROMIUM="$(sudo scripts/chromium.sh)"
#   "$CHROMIUM" --headless --no-sandbox --disable-gpu --print-to-pdf=out.pdf file:///tmp/doc.html
#
# Everything but the path goes to stderr, so the command substitution above stays clean.
# Installing took 15 s on a Debian 12 machine with a reachable mirror (25 packages, Chromium
# 156); a bare image pulls more dependencies and takes longer.
set -euo pipefail

log() { echo "chromium: $*" >&2; }

# Names Debian, Ubuntu and Google use for the binary, most likely first.
find_chromium() {
    local name
    for name in chromium chromium-browser google-chrome-stable google-chrome; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return 0
        fi
    done
    return 1
}

if path="$(find_chromium)"; then
    echo "$path"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    log "no Chromium found, and installing one needs root."
    log "install it with: sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium"
    log "or run: sudo $0"
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    log "no Chromium found and no apt-get to install one: install Chromium or Chrome by hand"
    exit 1
fi

log "installing chromium (Debian package, no recommends)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium >&2

if path="$(find_chromium)"; then
    echo "$path"
    exit 0
fi
log "apt-get installed chromium but no chromium binary is on PATH"
exit 1
