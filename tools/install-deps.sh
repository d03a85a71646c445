#!/usr/bin/env bash
# Installs the Debian 12 packages qledger needs to build, test and run, skipping those present.
# Needs root (or sudo). Safe to run repeatedly.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates
  libsqlitecpp-dev libsqlite3-dev sqlite3
  libboost-dev libssl-dev openssl
  nlohmann-json3-dev doctest-dev
  clang-14 libclang-rt-14-dev clang-format
  python3
  libxlsxwriter-dev      # xlsx reports
  chromium               # real-browser end-to-end test and report rendering check
  fonts-wqy-microhei     # CJK glyphs for headless chromium (screenshots show Chinese, not boxes)
  prometheus             # promtool check metrics
)
# Node.js + npm drive playwright-core in the browser test; install Debian's only if none is present.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
