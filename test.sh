#!/usr/bin/env bash
# Runs every test of the solution. It installs or starts what the tests need, and stops with a message that
# names the missing piece when it cannot.
set -euo pipefail
cd "$(dirname "$0")"

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "test.sh: '$1' is not installed. $2" >&2
    exit 1
  fi
}

need dotnet "Install the .NET SDK named in global.json (https://dot.net), then run ./test.sh again."
sdk=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' global.json)
if ! dotnet --list-sdks | grep -q "^${sdk%.*}"; then
  echo "test.sh: the .NET SDK ${sdk} (or a later feature band of ${sdk%.*}) is required; found: $(dotnet --list-sdks | tr '\n' ' ')" >&2
  exit 1
fi

# The Redis cache tests start their own redis-server on a loopback port (in memory, no files): install the Debian
# package when it is missing.
if ! command -v redis-server >/dev/null 2>&1; then
  echo "test.sh: installing redis-server (Debian package) for the Redis cache tests"
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then
    need sudo "Install redis-server (apt-get install redis-server), then run ./test.sh again."
    sudo_cmd="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get install -y -q redis-server >/dev/null 2>&1 \
    || { $sudo_cmd apt-get update -q >/dev/null && $sudo_cmd apt-get install -y -q redis-server >/dev/null; } \
    || { echo "test.sh: could not install redis-server with apt-get; install it, then run ./test.sh again." >&2; exit 1; }
fi

# The ledger's PostgreSQL tests start their own throw-away server (initdb + pg_ctl on a loopback port): install the
# Debian package when it is missing.
bash eng/install-postgres.sh >/dev/null

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet restore AiOrchestrator.sln
dotnet build AiOrchestrator.sln -c Release --no-restore
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test AiOrchestrator.sln -c Release --no-build --logger "console;verbosity=minimal" "$@" 2>&1 | tee "$log" || status=$?

# One closing line over every test project: "N passed, N failed".
passed=$(sed -n 's/.*Passed: *\([0-9][0-9]*\).*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
failed=$(sed -n 's/.*Failed: *\([0-9][0-9]*\),.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
echo "${passed} passed, ${failed} failed"
exit "$status"
