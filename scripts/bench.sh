#!/usr/bin/env bash
# Benchmarks (make bench): start a release build on a loopback port with a
# temporary database and drive it with wrk. Prints requests/s, p99 latency
# and the server's peak memory (VmHWM). Figures go in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${ANJIA_BIN:-build/release/anjia}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
tmp=$(mktemp -d)
srv=""
cleanup() { [ -n "$srv" ] && kill "$srv" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export ANJIA_KEY_FILE=$tmp/k.key ANJIA_ADMIN_PASSWORD=bench-admin-1 ANJIA_DEMO_PASSWORD=bench-demo-1
"$BIN" init --db "$tmp/b.db" >/dev/null 2>&1
"$BIN" demo --db "$tmp/b.db" >/dev/null 2>&1
"$BIN" serve --db "$tmp/b.db" --listen 127.0.0.1:0 --access-log '' --pool-size 16 >"$tmp/out" 2>"$tmp/err" &
srv=$!
for _ in $(seq 50); do grep -q listening "$tmp/out" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$tmp/out")
token=$(curl -s -X POST "$url/api/v1/login" -d '{"username":"agent","password":"bench-demo-1"}' |
        sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "bench: login failed"; exit 1; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)"
echo "command: wrk -t2 -c$CONNS -d$DURATION --latency"
run() { # name, wrk args...
  local name=$1; shift
  local out
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency "$@")
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  local errs
  errs=$(echo "$out" | grep -E 'Non-2xx|Socket errors' || true)
  printf '%-28s %10s req/s   p99 %-8s %s\n' "$name" "$rps" "$p99" "$errs"
}
run "GET /api/v1/health" "$url/api/v1/health"
run "GET /api/v1/me (bearer)" -H "Authorization: Bearer $token" "$url/api/v1/me"
run "GET /api/v1/units?limit=40" -H "Authorization: Bearer $token" "$url/api/v1/units?limit=40"
echo "server peak memory: $(awk '/VmHWM/{print $2, $3}' /proc/$srv/status)"
