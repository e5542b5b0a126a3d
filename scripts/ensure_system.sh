#!/usr/bin/env bash
# Installs and starts what the test suite needs from the system: Debian's Chromium for the browser tests,
# and a running PostgreSQL when one is installed but stopped. Safe to run again; prints what it did.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

if ! [ -x /usr/bin/chromium ]; then
    echo "== installing Debian's chromium for the browser tests"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi

if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
        echo "== starting PostgreSQL"
        for version in $(ls /etc/postgresql); do
            as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
        done
        for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && break; sleep 1; done
    fi
fi
