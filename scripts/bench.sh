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
for _ in $(seq 50); do grep -qs listening "$tmp/out" && break; sleep 0.1; done
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

# ---- Master data (issue: projects, units, customers) ----------------------
# 100 projects × 10 buildings × 2 stairwells × ~15 floors × 10 flats ≈ 300k
# units with their owners, then 400k customers imported from one CSV.
if [ "${BENCH_MASTERDATA:-1}" = 1 ]; then
  kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null; srv=""
  rm -f "$tmp/m.db"*
  "$BIN" init --db "$tmp/m.db" >/dev/null 2>&1
  t0=$(date +%s.%N)
  "$BIN" demo --db "$tmp/m.db" --projects 100 --buildings 10 --flats 10 2>/dev/null | head -1
  t1=$(date +%s.%N)
  printf 'demo data generated in %.1f s\n' "$(echo "$t1 - $t0" | bc)"
  awk -v n="${IMPORT_ROWS:-400000}" -f scripts/gen-customers.awk > "$tmp/customers.csv"
  echo "import file: $(wc -l < "$tmp/customers.csv") lines, $(du -m "$tmp/customers.csv" | cut -f1) MiB"
  "$BIN" serve --db "$tmp/m.db" --listen 127.0.0.1:0 --access-log '' --pool-size 16 >"$tmp/out" 2>"$tmp/err" &
  srv=$!
  for _ in $(seq 100); do grep -qs listening "$tmp/out" && break; sleep 0.1; done
  url=$(grep -o 'http://[0-9.:]*' "$tmp/out")
  mtoken=$(curl -s -X POST "$url/api/v1/login" -d '{"username":"manager","password":"bench-demo-1"}' |
           sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  rss0=$(awk '/VmRSS/{print $2}' /proc/$srv/status)
  t0=$(date +%s.%N)
  job=$(curl -s -H "Authorization: Bearer $mtoken" --data-binary @"$tmp/customers.csv" \
        "$url/api/v1/imports?kind=customers&dry_run=false&file_name=customers.csv" |
        sed -n 's/.*"id":\([0-9]*\).*/\1/p')
  while :; do
    st=$(curl -s -H "Authorization: Bearer $mtoken" "$url/api/v1/imports/$job")
    case "$st" in *'"status":"running"'*) sleep 0.5 ;; *) break ;; esac
  done
  t1=$(date +%s.%N)
  echo "import: $(echo "$st" | sed -n 's/.*"message":"\([^"]*\)".*/\1/p') in $(printf '%.1f' "$(echo "$t1 - $t0" | bc)") s;" \
       "server RSS before $((rss0 / 1024)) MiB, peak $(( $(awk '/VmHWM/{print $2}' /proc/$srv/status) / 1024 )) MiB"
  echo "database: $(sqlite3 "$tmp/m.db" 'SELECT (SELECT COUNT(*) FROM projects) || " projects, " || (SELECT COUNT(*) FROM units) || " units, " || (SELECT COUNT(*) FROM customers) || " customers"')"
  CONNS=32
  run "search phone suffix 0466" -H "Authorization: Bearer $mtoken" "$url/api/v1/search?q=0466"
  run "search name 王伟" -H "Authorization: Bearer $mtoken" "$url/api/v1/search?q=%E7%8E%8B%E4%BC%9F"
  run "search room 3-2-15" -H "Authorization: Bearer $mtoken" "$url/api/v1/search?q=3-2-15"
  run "search initials zs" -H "Authorization: Bearer $mtoken" "$url/api/v1/search?q=zs"

  # ---- Mortgages: the weekly report over every loan, and the calculator --
  echo "database: $(sqlite3 "$tmp/m.db" 'SELECT (SELECT COUNT(*) FROM contracts) || " contracts, " || (SELECT COUNT(*) FROM loans) || " loans, " || (SELECT COUNT(*) FROM loan_stages) || " loan stages"')"
  for i in 1 2 3; do
    t=$(curl -s -o "$tmp/weekly.json" -w '%{time_total}' -H "Authorization: Bearer $mtoken" "$url/api/v1/mortgage/weekly")
    echo "weekly mortgage report (run $i): ${t} s, $(wc -c < "$tmp/weekly.json") bytes"
  done
  echo "server peak memory after the report: $(( $(awk '/VmHWM/{print $2}' /proc/$srv/status) / 1024 )) MiB"
  cat > "$tmp/calc.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"principal_fen":100000000,"months":360,"annual_rate_percent":"3.5","method":"equal_payment"}'
wrk.headers["Content-Type"] = "application/json"
LUA
  run "calc/mortgage 360 months" -s "$tmp/calc.lua" -H "Authorization: Bearer $mtoken" "$url/api/v1/calc/mortgage"
fi
