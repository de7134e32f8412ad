#!/usr/bin/env bash
# How long `npm test` takes, how much memory its biggest process (a Jest worker) peaks at, and whether it passes every
# time: `bench/test-suite.sh [runs] [--beside]`. With --beside, each run has a second `npm test` running next to it
# (in a throw-away copy of this checkout, sharing node_modules), as on a busy CI machine. Prints one line per run and
# a summary; exit 1 if any run failed. Needs a build (`npm run build`: some tests start dist/) and GNU time.
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
beside="${2:-}"
log_dir="$(mktemp -d)"
twin=""
if [ "$beside" = "--beside" ]; then
  twin="$(mktemp -d)/twin"
  git worktree add --detach "$twin" HEAD >/dev/null 2>&1 || { echo "cannot make a copy of the checkout" >&2; exit 2; }
  ln -s "$PWD/node_modules" "$twin/node_modules"
  cp -r dist "$twin/dist"
  trap 'git worktree remove --force "$twin" >/dev/null 2>&1' EXIT
fi
echo "npm test x $runs${twin:+, each beside a second npm test}; $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %-6s %9s %16s %s\n' run result "wall s" "peak RSS (MB)" tests
failed=0
for i in $(seq 1 "$runs"); do
  if [ -n "$twin" ]; then (cd "$twin" && npm test >"$log_dir/twin-$i.log" 2>&1) & twin_pid=$!; fi
  start=$(date +%s)
  /usr/bin/time -f '%M' -o "$log_dir/rss-$i" npm test >"$log_dir/run-$i.log" 2>&1
  status=$?
  wall=$(( $(date +%s) - start ))
  # GNU time reports the largest resident set of any one process it waited for: the biggest Jest worker.
  rss_mb=$(( $(tail -1 "$log_dir/rss-$i") / 1024 ))
  tests=$(grep -E '^Tests:' "$log_dir/run-$i.log" | tail -1 | sed 's/^Tests: *//')
  result=pass
  [ $status -eq 0 ] || { result=FAIL; failed=$((failed + 1)); }
  if [ -n "$twin" ]; then
    wait "$twin_pid" || { result="$result, beside: FAIL"; failed=$((failed + 1)); }
  fi
  printf '%-4s %-6s %9s %16s %s\n' "$i" "$result" "$wall" "$rss_mb" "$tests"
done
echo "logs: $log_dir"
[ $failed -eq 0 ] && echo "every run passed" || { echo "$failed run(s) failed: see the logs"; exit 1; }
