#!/usr/bin/env bash
# scripts/stress-test.sh [N]: the test suite N times (default 5) while two
# CPU-bound busy loops run beside it, as a loaded 2-core machine or a CI runner
# next to a benchmark would. Tests must hold there: a test that fails here
# depends on the machine's speed, not on the code.
#
# What runs: one `npm run build` (the CLI and worker tests run dist/), then
# `vitest run` N times. Not `npm test` N times: its lint, format, cycle and
# type checks do not depend on timing, so repeating them proves nothing and
# takes the time the repeated test runs need. Run `npm test` once for those.
#
# Exits 0 only if every run passed; prints one line per run. Each run's output
# is kept in a temporary folder, named at the end.
set -u

runs="${1:-5}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "stress-test: N must be a whole number ≥ 1 (got \"$runs\")" >&2
  exit 2
fi

cd "$(dirname "$0")/.." || exit 2
logs="$(mktemp -d "${TMPDIR:-/tmp}/abx-stress-XXXXXX")"

busy=()
tests=""
stop_busy() {
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null; done
  [ "${#busy[@]}" -gt 0 ] && wait "${busy[@]}" 2>/dev/null
  busy=()
}
cleanup() {
  # A test run cut short (Ctrl-C, kill) is stopped too; vitest stops its own workers on SIGTERM.
  if [ -n "$tests" ]; then
    kill "$tests" 2>/dev/null
    wait "$tests" 2>/dev/null
  fi
  stop_busy
}
# The loops must never outlive the script, however it ends. The tests run in
# the background and the script waits for them, because bash runs a trap only
# once the foreground command has finished.
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! npm run --silent build >"$logs/build.log" 2>&1; then
  echo "stress-test: the build failed; see $logs/build.log" >&2
  exit 1
fi

for _ in 1 2; do
  (while :; do :; done) &
  busy+=("$!")
done
echo "stress-test: $runs run(s) of vitest run beside 2 busy loops (pids ${busy[*]}); logs in $logs"

failed=0
summary=()
for ((i = 1; i <= runs; i++)); do
  started=$SECONDS
  ./node_modules/.bin/vitest run >"$logs/run-$i.log" 2>&1 &
  tests=$!
  wait "$tests"
  status=$?
  tests=""
  if [ "$status" -eq 0 ]; then
    line="run $i/$runs: pass ($((SECONDS - started)) s)"
  else
    failed=$((failed + 1))
    line="run $i/$runs: FAIL ($((SECONDS - started)) s): $(sed 's/\x1b\[[0-9;]*m//g' "$logs/run-$i.log" | grep -E '^ *FAIL ' | head -3 | tr -s ' ' | paste -sd ';' -)"
  fi
  summary+=("$line")
  echo "$line"
done

stop_busy
echo "stress-test: $((runs - failed)) of $runs run(s) passed beside 2 busy loops"
for line in "${summary[@]}"; do echo "  $line"; done
[ "$failed" -eq 0 ]
