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

# ---- Tickets: 1,000,000 of them ------------------------------------------
# 30 projects of demo data, then a million tickets over two years written
# straight into the database (80% closed and scored, the rest open and
# mostly past due, already escalated as a running desk's would be). Then:
# intake at 16 connections, "my open tickets" and "overdue in project X" at
# 32, and the dashboard's aggregates.
if [ "${BENCH_TICKETS:-1}" = 1 ]; then
  [ -n "$srv" ] && { kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null; srv=""; }
  rm -f "$tmp/t.db"*
  "$BIN" init --db "$tmp/t.db" >/dev/null 2>&1
  "$BIN" demo --db "$tmp/t.db" --projects 30 --buildings 6 --flats 4 >/dev/null 2>&1
  n=${TICKETS:-1000000}
  t0=$(date +%s.%N)
  sqlite3 "$tmp/t.db" <<SQL
PRAGMA journal_mode = WAL;
CREATE TEMP TABLE who AS SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM users
 WHERE username IN ('agent', 'supervisor', 'manager', 'contract');
CREATE TEMP TABLE u AS SELECT id, project_id, building_id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k
 FROM units;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n),
r AS (SELECT i, date('2024-11-28', '+' || (i % 730) || ' days') AS d,
             CASE WHEN i % 10 < 8 THEN 'closed' WHEN i % 10 = 8 THEN 'processing' ELSE 'accepted' END AS st
      FROM s)
INSERT INTO tickets (no, type, channel, project_id, building_id, unit_id, caller_name, category_id,
  severity, title, description, status, assignee_id, sla_clock, response_due_at, resolve_due_at,
  warn_at, escalate2_at, responded_at, resolved_at, closed_at, warned_at, escalated1_at,
  escalated2_at, escalation_level, satisfaction, callback_required, created_by, opened_on,
  created_at, updated_at)
SELECT 'BT' || r.i, CASE r.i % 5 WHEN 0 THEN 'complaint' WHEN 1 THEN 'consult' ELSE 'repair' END,
  CASE r.i % 20 WHEN 0 THEN 'hotline' ELSE 'phone' END, u.project_id, u.building_id, u.id, '业主',
  1 + r.i % 21, 'normal', '工单 ' || r.i, '卫生间渗水', r.st,
  (SELECT id FROM who WHERE k = r.i % (SELECT COUNT(*) FROM who)), 'work',
  r.d || 'T06:00:00Z', date(r.d, '+7 days') || 'T10:00:00Z', date(r.d, '+6 days') || 'T10:00:00Z',
  date(r.d, '+10 days') || 'T10:00:00Z', r.d || 'T03:00:00Z',
  CASE WHEN r.st = 'closed' THEN date(r.d, '+' || (r.i % 9) || ' days') || 'T08:00:00Z' END,
  CASE WHEN r.st = 'closed' THEN date(r.d, '+' || (1 + r.i % 9) || ' days') || 'T08:00:00Z' END,
  r.d || 'T06:00:00Z', r.d || 'T06:00:00Z', r.d || 'T06:00:00Z', 2,
  CASE WHEN r.st = 'closed' THEN 3 + r.i % 3 END, 1,
  (SELECT id FROM who WHERE k = 0), r.d, r.d || 'T02:00:00Z', r.d || 'T02:00:00Z'
FROM r JOIN u ON u.k = r.i % (SELECT COUNT(*) FROM u);
ANALYZE;
SQL
  t1=$(date +%s.%N)
  printf 'tickets: %s written in %.1f s; database %s MiB\n' "$(sqlite3 "$tmp/t.db" 'SELECT COUNT(*) FROM tickets')" \
         "$(echo "$t1 - $t0" | bc)" "$(( $(stat -c %s "$tmp/t.db") / 1048576 ))"
  "$BIN" serve --db "$tmp/t.db" --listen 127.0.0.1:0 --access-log '' --pool-size 32 >"$tmp/out" 2>"$tmp/err" &
  srv=$!
  for _ in $(seq 100); do grep -qs listening "$tmp/out" && break; sleep 0.1; done
  url=$(grep -o 'http://[0-9.:]*' "$tmp/out")
  login() { curl -s -X POST "$url/api/v1/login" -d "{\"username\":\"$1\",\"password\":\"bench-demo-1\"}" |
            sed -n 's/.*"token":"\([^"]*\)".*/\1/p'; }
  atoken=$(login agent); mtoken=$(login manager)
  unit=$(sqlite3 "$tmp/t.db" "SELECT id FROM units WHERE project_id = 1 ORDER BY id LIMIT 1")
  cat > "$tmp/ticket.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"type":"repair","channel":"phone","unit_id":$unit,"caller_name":"业主","caller_phone":"13800138000","category_id":19,"description":"厨房水槽下水管漏水","location":"厨房"}'
wrk.headers["Content-Type"] = "application/json"
LUA
  CONNS=16 run "POST /tickets (16 conns)" -s "$tmp/ticket.lua" -H "Authorization: Bearer $atoken" "$url/api/v1/tickets"
  echo "tickets now: $(sqlite3 "$tmp/t.db" 'SELECT COUNT(*) FROM tickets')"
  CONNS=32 run "queue mine (32 conns)" -H "Authorization: Bearer $atoken" "$url/api/v1/tickets/queue?view=mine"
  CONNS=32 run "queue overdue project 1" -H "Authorization: Bearer $mtoken" "$url/api/v1/tickets/queue?view=overdue&project_id=1"
  for q in "project_id=1" ""; do
    for i in 1 2; do
      t=$(curl -s -o "$tmp/dash.json" -w '%{time_total}' -H "Authorization: Bearer $mtoken" \
          "$url/api/v1/tickets/dashboard?from=2024-11-28&to=2026-11-28&$q")
      echo "dashboard ${q:-all projects} (run $i): ${t} s, $(wc -c < "$tmp/dash.json") bytes"
    done
  done
  echo "server peak memory: $(( $(awk '/VmHWM/{print $2}' /proc/$srv/status) / 1024 )) MiB"
fi

# ---- Handover: a delivery batch of about 2,000 flats ------------------------
# One project of 14 buildings; every signed flat is in the batch; measured
# areas within ±4% of the contract's. Then the notices PDF (time, size,
# memory), the true-up statements and the late-delivery ledger (time).
if [ "${BENCH_HANDOVER:-1}" = 1 ]; then
  [ -n "$srv" ] && { kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null; srv=""; }
  rm -f "$tmp/h.db"*
  "$BIN" init --db "$tmp/h.db" >/dev/null 2>&1
  "$BIN" demo --db "$tmp/h.db" --projects 1 --buildings 14 --flats 10 >/dev/null 2>&1
  sqlite3 "$tmp/h.db" "UPDATE units SET measured_area_dm2 = contract_area_dm2 + (id % 9 - 4) * contract_area_dm2 / 100 WHERE contract_area_dm2 IS NOT NULL"
  "$BIN" serve --db "$tmp/h.db" --listen 127.0.0.1:0 --access-log '' --pool-size 16 >"$tmp/out" 2>"$tmp/err" &
  srv=$!
  for _ in $(seq 100); do grep -qs listening "$tmp/out" && break; sleep 0.1; done
  url=$(grep -o 'http://[0-9.:]*' "$tmp/out")
  mtoken=$(curl -s -X POST "$url/api/v1/login" -d '{"username":"manager","password":"bench-demo-1"}' |
           sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  auth=(-H "Authorization: Bearer $mtoken")
  buildings=$(sqlite3 "$tmp/h.db" "SELECT group_concat(id) FROM buildings WHERE project_id = 1")
  t=$(curl -s -o "$tmp/batch.json" -w '%{time_total}' "${auth[@]}" -X POST "$url/api/v1/delivery-batches" \
      -d "{\"project_id\":1,\"name\":\"bench\",\"building_ids\":[$buildings],\"planned_start\":\"2026-12-01\",\"planned_end\":\"2026-12-31\"}")
  batch=$(sed -n 's/^{"id":\([0-9]*\),.*/\1/p' "$tmp/batch.json")
  echo "handover batch: $(sqlite3 "$tmp/h.db" "SELECT COUNT(*) FROM handovers WHERE batch_id = $batch") flats, created in ${t} s"
  rss0=$(awk '/VmRSS/{print $2}' /proc/$srv/status)
  t=$(curl -s -o "$tmp/notices.pdf" -w '%{time_total}' "${auth[@]}" "$url/api/v1/delivery-batches/$batch/notices.pdf")
  echo "notices PDF: ${t} s, $(( $(stat -c %s "$tmp/notices.pdf") / 1024 )) KiB, $(pdfinfo "$tmp/notices.pdf" 2>/dev/null | awk '/Pages/{print $2}') pages;" \
       "server RSS before $((rss0 / 1024)) MiB, VmHWM after $(( $(awk '/VmHWM/{print $2}' /proc/$srv/status) / 1024 )) MiB," \
       "anonymous $(( $(awk '/RssAnon/{print $2}' /proc/$srv/status) / 1024 )) MiB"
  t=$(curl -s -o "$tmp/tu.json" -w '%{time_total}' "${auth[@]}" -X POST "$url/api/v1/delivery-batches/$batch/true-up" -d '{}')
  echo "true-up statements: ${t} s ($(sed -n 's/^{"made":\([0-9]*\),.*/\1/p' "$tmp/tu.json") made, with their receivables)"
  t=$(curl -s -o "$tmp/ld.json" -w '%{time_total}' "${auth[@]}" "$url/api/v1/delivery-batches/$batch/late-delivery")
  echo "late-delivery ledger: ${t} s (JSON, $(( $(stat -c %s "$tmp/ld.json") / 1024 )) KiB)"
  t=$(curl -s -o "$tmp/ld.xlsx" -w '%{time_total}' "${auth[@]}" "$url/api/v1/delivery-batches/$batch/late-delivery.xlsx")
  echo "late-delivery ledger: ${t} s (Excel, $(( $(stat -c %s "$tmp/ld.xlsx") / 1024 )) KiB)"
fi

# ---- The same on PostgreSQL 15 ---------------------------------------------
# A cluster of its own (scripts/pg-test-cluster.sh); the foundation routes,
# then a million tickets written with generate_series, intake and the two
# queues, the dashboard. Figures beside the SQLite ones above. The bulk
# load ends with VACUUM ANALYZE, as autovacuum would do after it in service
# (index-only scans need the visibility map it sets).
if [ "${BENCH_PG:-1}" = 1 ]; then
  [ -n "$srv" ] && { kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null; srv=""; }
  pgdir=$(mktemp -d /tmp/anjia-bench-pg-XXXXXX); chmod 755 "$pgdir"
  pgurl=$(scripts/pg-test-cluster.sh start "$pgdir/c" $((20000 + RANDOM % 20000)))
  trap 'scripts/pg-test-cluster.sh stop "$pgdir/c"; rm -rf "$pgdir"; cleanup' EXIT
  psql() { /usr/lib/postgresql/15/bin/psql -qAt -d "$pgurl" "$@"; }
  echo "PostgreSQL: $pgurl"
  "$BIN" init --db "$pgurl" >/dev/null 2>&1
  "$BIN" demo --db "$pgurl" --projects 30 --buildings 6 --flats 4 >/dev/null 2>&1
  "$BIN" serve --db "$pgurl" --listen 127.0.0.1:0 --access-log '' --pool-size 16 >"$tmp/out" 2>"$tmp/err" &
  srv=$!
  for _ in $(seq 100); do grep -qs listening "$tmp/out" && break; sleep 0.1; done
  url=$(grep -o 'http://[0-9.:]*' "$tmp/out")
  login() { curl -s -X POST "$url/api/v1/login" -d "{\"username\":\"$1\",\"password\":\"bench-demo-1\"}" |
            sed -n 's/.*"token":"\([^"]*\)".*/\1/p'; }
  token=$(login agent)
  CONNS=64 run "PG GET /api/v1/health" "$url/api/v1/health"
  CONNS=64 run "PG GET /api/v1/me (bearer)" -H "Authorization: Bearer $token" "$url/api/v1/me"
  CONNS=64 run "PG GET /api/v1/units?limit=40" -H "Authorization: Bearer $token" "$url/api/v1/units?limit=40"
  kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null; srv=""
  n=${TICKETS:-1000000}
  t0=$(date +%s.%N)
  psql <<SQL
CREATE TEMP TABLE who AS SELECT id, (ROW_NUMBER() OVER (ORDER BY id) - 1) AS k FROM users
 WHERE username IN ('agent', 'supervisor', 'manager', 'contract');
CREATE TEMP TABLE uu AS SELECT id, project_id, building_id, (ROW_NUMBER() OVER (ORDER BY id) - 1) AS k FROM units;
INSERT INTO tickets (no, type, channel, project_id, building_id, unit_id, caller_name, category_id,
  severity, title, description, status, assignee_id, sla_clock, response_due_at, resolve_due_at,
  warn_at, escalate2_at, responded_at, resolved_at, closed_at, warned_at, escalated1_at,
  escalated2_at, escalation_level, satisfaction, callback_required, created_by, opened_on,
  created_at, updated_at)
SELECT 'BT' || r.i, CASE r.i % 5 WHEN 0 THEN 'complaint' WHEN 1 THEN 'consult' ELSE 'repair' END,
  CASE r.i % 20 WHEN 0 THEN 'hotline' ELSE 'phone' END, uu.project_id, uu.building_id, uu.id, '业主',
  1 + r.i % 21, 'normal', '工单 ' || r.i, '卫生间渗水', r.st,
  (SELECT id FROM who WHERE k = r.i % (SELECT COUNT(*) FROM who)), 'work',
  r.d || 'T06:00:00Z', to_char(r.dd + 7, 'YYYY-MM-DD') || 'T10:00:00Z', to_char(r.dd + 6, 'YYYY-MM-DD') || 'T10:00:00Z',
  to_char(r.dd + 10, 'YYYY-MM-DD') || 'T10:00:00Z', r.d || 'T03:00:00Z',
  CASE WHEN r.st = 'closed' THEN to_char(r.dd + (r.i % 9)::int, 'YYYY-MM-DD') || 'T08:00:00Z' END,
  CASE WHEN r.st = 'closed' THEN to_char(r.dd + (1 + r.i % 9)::int, 'YYYY-MM-DD') || 'T08:00:00Z' END,
  r.d || 'T06:00:00Z', r.d || 'T06:00:00Z', r.d || 'T06:00:00Z', 2,
  CASE WHEN r.st = 'closed' THEN 3 + r.i % 3 END, 1,
  (SELECT id FROM who WHERE k = 0), r.d, r.d || 'T02:00:00Z', r.d || 'T02:00:00Z'
FROM (SELECT i, date '2024-11-28' + (i % 730)::int AS dd, to_char(date '2024-11-28' + (i % 730)::int, 'YYYY-MM-DD') AS d,
             CASE WHEN i % 10 < 8 THEN 'closed' WHEN i % 10 = 8 THEN 'processing' ELSE 'accepted' END AS st
      FROM generate_series(1, $n) AS s(i)) r
JOIN uu ON uu.k = r.i % (SELECT COUNT(*) FROM uu);
VACUUM ANALYZE tickets;
SQL
  t1=$(date +%s.%N)
  printf 'PG tickets: %s written in %.1f s\n' "$(psql -c 'SELECT COUNT(*) FROM tickets')" "$(echo "$t1 - $t0" | bc)"
  "$BIN" serve --db "$pgurl" --listen 127.0.0.1:0 --access-log '' --pool-size 32 >"$tmp/out" 2>"$tmp/err" &
  srv=$!
  for _ in $(seq 100); do grep -qs listening "$tmp/out" && break; sleep 0.1; done
  url=$(grep -o 'http://[0-9.:]*' "$tmp/out")
  atoken=$(login agent); mtoken=$(login manager)
  unit=$(psql -c "SELECT id FROM units WHERE project_id = 1 ORDER BY id LIMIT 1")
  cat > "$tmp/ticket-pg.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"type":"repair","channel":"phone","unit_id":$unit,"caller_name":"业主","caller_phone":"13800138000","category_id":19,"description":"厨房水槽下水管漏水","location":"厨房"}'
wrk.headers["Content-Type"] = "application/json"
LUA
  CONNS=16 run "PG POST /tickets (16 conns)" -s "$tmp/ticket-pg.lua" -H "Authorization: Bearer $atoken" "$url/api/v1/tickets"
  CONNS=32 run "PG queue mine (32 conns)" -H "Authorization: Bearer $atoken" "$url/api/v1/tickets/queue?view=mine"
  CONNS=32 run "PG queue overdue project 1" -H "Authorization: Bearer $mtoken" "$url/api/v1/tickets/queue?view=overdue&project_id=1"
  for q in "project_id=1" ""; do
    t=$(curl -s -o "$tmp/dash.json" -w '%{time_total}' -H "Authorization: Bearer $mtoken" \
        "$url/api/v1/tickets/dashboard?from=2024-11-28&to=2026-11-28&$q")
    echo "PG dashboard ${q:-all projects}: ${t} s"
  done
fi
