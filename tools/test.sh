#!/usr/bin/env bash
# Runs every test: installs missing packages, checks formatting, then builds and runs the suite
#   1. optimised build, warnings as errors           (build/release; CTest includes the short
#      forms of the reliability batteries, label "reliability": docs/reliability.md)
#   2. AddressSanitizer + UBSan build, same tests     (build/asan)
#   3. bounded libFuzzer runs with clang-14           (build/fuzz)
# Environment: QLEDGER_FUZZ_SECONDS (default 30 per target), QLEDGER_CRASH_CYCLES (default 12),
# JOBS (default: number of cores).
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh

jobs=${JOBS:-$(nproc)}
fuzz_seconds=${QLEDGER_FUZZ_SECONDS:-30}

echo "== format check (clang-format)"
tools/format.sh --check

echo "== release build (-Werror)"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQLEDGER_WERROR=ON >/dev/null
cmake --build build/release -j "$jobs"
ctest --test-dir build/release --output-on-failure -j "$jobs"

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build (-Werror)"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DQLEDGER_WERROR=ON -DQLEDGER_SANITIZE=ON \
  -DQLEDGER_BENCH=OFF >/dev/null
cmake --build build/asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j "$jobs"

echo "== libFuzzer, ${fuzz_seconds}s per target (clang-14)"
CXX=clang++-14 cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQLEDGER_FUZZ=ON \
  -DQLEDGER_BENCH=OFF -DQLEDGER_FUZZ_SECONDS="$fuzz_seconds" >/dev/null
fuzz_targets=$(cd tests/fuzz && ls *_fuzz.cpp | sed 's/\.cpp$//')
# shellcheck disable=SC2086
cmake --build build/fuzz -j "$jobs" --target $fuzz_targets
ctest --test-dir build/fuzz --output-on-failure -L fuzz -j "$jobs"

echo "== all tests passed"
