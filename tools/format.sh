#!/usr/bin/env bash
# Applies clang-format to the C++ sources named on the command line, or to every tracked C++
# source when none is named. With --check, changes nothing and fails if any tracked source is
# not formatted.
set -euo pipefail
if [[ ${1:-} != --check && $# -gt 0 ]]; then
  exec clang-format -i "$@"
fi
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find src include tests bench -name '*.[ch]pp')
if [[ ${1:-} == --check ]]; then
  clang-format --dry-run --Werror "${files[@]}"
else
  clang-format -i "${files[@]}"
fi
