#!/usr/bin/env bash
# Makes sure a PostgreSQL server is installed for the ledger's PostgreSQL tests and load runs. The tests start their
# own throw-away server (initdb + pg_ctl on a free loopback port in a temp directory); nothing here starts one.
# Idempotent: does nothing when the binaries are already there. Prints the bin directory it found.
set -euo pipefail

find_bin() {
  local candidate
  # The newest installed major version wins; no version is assumed.
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/pg_ctl" ] && [ -x "$candidate/initdb" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if bin=$(find_bin); then
  echo "$bin"
  exit 0
fi

echo "install-postgres.sh: installing postgresql (Debian package) for the ledger's PostgreSQL tests" >&2
sudo_cmd=""
if [ "$(id -u)" != 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-postgres.sh: not root and no sudo; install PostgreSQL (apt-get install -y postgresql), then run again." >&2
    exit 1
  fi
  sudo_cmd="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get install -y -q postgresql >/dev/null 2>&1 \
  || { $sudo_cmd apt-get update -q >/dev/null && $sudo_cmd apt-get install -y -q postgresql >/dev/null; } \
  || { echo "install-postgres.sh: could not install postgresql with apt-get; install it, then run again." >&2; exit 1; }

if bin=$(find_bin); then
  echo "$bin"
  exit 0
fi
echo "install-postgres.sh: postgresql was installed but no /usr/lib/postgresql/*/bin/pg_ctl was found." >&2
exit 1
