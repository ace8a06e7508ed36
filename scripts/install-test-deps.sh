#!/bin/sh
# Test dependencies outside pip: headless Chromium from the distribution for the preview's browser test.
# Idempotent and quiet; as root it installs the Debian/Ubuntu package when no Chromium is on PATH.
# Playwright (a pip test extra) drives that browser; its own browser downloads are never used.
set -eu
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "install-test-deps: chromium is missing; run this script as root (or: sudo apt-get install chromium)" >&2
    exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq chromium >/dev/null
else
    echo "install-test-deps: no apt-get here; install Chromium with the system's package manager" >&2
fi
