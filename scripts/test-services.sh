#!/usr/bin/env bash
# Make sure what the tests talk to is there: PostgreSQL and MariaDB on loopback,
# Debian's chromium (report tests) and tmux (terminal tests). Safe to run twice.
set -uo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing: ${need[*]}" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") \
    >/dev/null 2>&1 || echo "warning: could not install ${need[*]}; those tests will skip" >&2
fi

if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 2>/dev/null; then
  for v in /etc/postgresql/*; do
    pg_ctlcluster --skip-systemctl-redirect "$(basename "$v")" main start || true
  done
fi
if [ -x /usr/sbin/mariadbd ] && ! mariadb-admin ping -h 127.0.0.1 --silent 2>/dev/null; then
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
  for _ in $(seq 1 30); do mariadb-admin ping -h 127.0.0.1 --silent 2>/dev/null && break; sleep 1; done
fi

# The storage tests' home database on each server (each test run creates and drops its own
# uniquely named databases next to it, as this superuser).
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 2>/dev/null && break; sleep 1; done
if pg_isready -q -h 127.0.0.1 2>/dev/null; then
  psql -h 127.0.0.1 -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'framing_test'" 2>/dev/null | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE framing_test" \
    || echo "warning: could not create the PostgreSQL database framing_test" >&2
fi
if mariadb-admin ping -h 127.0.0.1 --silent >/dev/null 2>&1; then
  mariadb -h 127.0.0.1 -u root \
    -e "CREATE DATABASE IF NOT EXISTS framing_test CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" \
    || echo "warning: could not create the MariaDB database framing_test" >&2
fi
exit 0
