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
exit 0
