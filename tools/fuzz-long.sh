#!/usr/bin/env bash
# Long-form fuzzing for release checks: every libFuzzer target in tests/fuzz for at least
# QLEDGER_FUZZ_RUNS executions (default 10,000,000), one after the other, on one core each
# (JOBS parallel targets, default 1). Builds build/fuzz with clang-14 if needed. New inputs that
# raise coverage are kept in build/fuzz/fuzz-work/<target>; crashes are written to
# build/fuzz/crashes/<target>/ and make the script fail.
#   tools/fuzz-long.sh                         # every target, 10M executions each
#   QLEDGER_FUZZ_RUNS=100000 tools/fuzz-long.sh http_request_fuzz   # one target, shorter
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${QLEDGER_FUZZ_RUNS:-10000000}
jobs=${JOBS:-1}
CXX=clang++-14 cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQLEDGER_FUZZ=ON \
  -DQLEDGER_BENCH=OFF >/dev/null
if [ $# -gt 0 ]; then targets="$*"; else targets=$(cd tests/fuzz && ls *_fuzz.cpp | sed 's/\.cpp$//'); fi
# shellcheck disable=SC2086
cmake --build build/fuzz -j "$(nproc)" --target $targets
status=0
run_one() {
  local target=$1 corpus=${1%_fuzz}
  mkdir -p "build/fuzz/fuzz-work/$corpus" "build/fuzz/crashes/$corpus"
  echo "== $target: $runs executions"
  local start=$SECONDS
  if build/fuzz/"$target" -runs="$runs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="build/fuzz/crashes/$corpus/" "build/fuzz/fuzz-work/$corpus" \
      "tests/fuzz/corpus/$corpus" 2>"build/fuzz/$target.long.log"; then
    echo "   $target: ok in $((SECONDS - start)) s ($(grep -m1 'stat::number_of_executed_units' \
      "build/fuzz/$target.long.log" | awk '{print $2}') executions)"
  else
    echo "   $target: FAILED, see build/fuzz/$target.long.log and build/fuzz/crashes/$corpus/"
    return 1
  fi
}
export -f run_one
export runs
# shellcheck disable=SC2086
printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'run_one {}' || status=1
exit $status
