#!/usr/bin/env bash
# Run the test suites against the ASan+UBSan build and print one closing
# line "N passed, N failed". SUITES picks suites (default: unit api browser);
# the arguments are the unit test binaries' names.
set -uo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# The font libraries' process-long caches (tests/lsan.supp); nothing of anjia's.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
export ANJIA_BIN=${ANJIA_BIN:-build/asan/anjia}
suites=${SUITES:-unit api api-pg browser browser-pg}
passed=0 failed=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

count() { # add the counts from a suite's output file
  local f=$1 p=0 q=0
  if grep -qE '^\[  PASSED  \] [0-9]+ test' "$f"; then
    p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$f" | grep -oE '[0-9]+$' | tail -1)
  fi
  if grep -qE '^\[  FAILED  \] [0-9]+ test' "$f"; then
    q=$(grep -oE '^\[  FAILED  \] [0-9]+' "$f" | grep -oE '[0-9]+$' | tail -1)
  fi
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$f" | tail -1)
  if [ -n "$line" ]; then
    p=$((p + $(echo "$line" | awk '{print $1}')))
    q=$((q + $(echo "$line" | awk '{print $3}')))
  fi
  echo "$p $q"
}

run() { # name, command...
  local name=$1; shift
  local out="$log/${name//\//_}.out"
  echo "== $name"
  "$@" >"$out" 2>&1
  local rc=$?
  read -r p q < <(count "$out")
  if [ "$rc" -ne 0 ] && [ "$q" -eq 0 ]; then q=1; fi  # crashed before counting
  if [ "$rc" -ne 0 ] || [ "$q" -ne 0 ]; then
    cat "$out"
  else
    grep -vE '^\[ RUN|^\[       OK|info applied migration' "$out" | tail -3
  fi
  echo "-- $name: $p passed, $q failed"
  passed=$((passed + p)); failed=$((failed + q))
}

for s in $suites; do
  case $s in
    unit)
      for t in "$@"; do run "unit/$t" "build/asan/tests/$t"; done ;;
    api)
      run api node tests/api/run.mjs ;;
    api-pg)
      # The same API suite on a PostgreSQL 15 cluster the runner starts.
      run api-pg env ANJIA_TEST_PG=1 node tests/api/run.mjs ;;
    browser)
      run browser node tests/browser/run.mjs ;;
    browser-pg)
      run browser-pg env ANJIA_TEST_PG=1 node tests/browser/run.mjs ;;
  esac
done
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
