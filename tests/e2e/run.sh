#!/usr/bin/env bash
# End-to-end test in a real browser: creates a fresh ledger and accounts with the built qledger
# CLI, starts the built qledgerd on a free 127.0.0.1 port, runs scenario.mjs in headless Chromium
# (/usr/bin/chromium, Debian's package) driven by playwright-core (pinned in package-lock.json;
# `npm ci` runs here when node_modules is missing), stops the daemon. Screenshots and the
# daemon's log are kept in ARTIFACT_DIR.
#
# usage: tests/e2e/run.sh QLEDGER QLEDGERD ARTIFACT_DIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ql=$1
qld=$2
artifacts=$3

# playwright-core only (no browser download: it drives Debian's chromium). One npm ci at a time.
(
  flock 9
  if [[ ! -f $here/node_modules/playwright-core/package.json ]]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
  fi
) 9>"${TMPDIR:-/tmp}/qledger-e2e-npm.lock"

work=$(mktemp -d "${TMPDIR:-/tmp}/qledger-e2e.XXXXXX")
pid=
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

rm -rf "$artifacts"
mkdir -p "$artifacts"
db=$work/bureau.db
"$ql" init --db "$db" --origin qledger.test/e2e >/dev/null
echo "inspector-e2e-password" | "$ql" user add wang --db "$db" --role inspector --actor e2e-setup
echo "supervisor-e2e-password" | "$ql" user add li --db "$db" --role supervisor --actor e2e-setup
# The sampled entity (GB 32100 code with its check character).
uscc=91341525MA0000001U
echo "{\"uscc\":\"$uscc\",\"name\":\"霍山县示例茶业有限公司\",\"township\":\"衡山镇\",\
\"industry\":\"ecological_food\"}" |
  "$ql" append --db "$db" --kind entity.registered --actor e2e-setup >/dev/null

"$qld" --db "$db" --listen 127.0.0.1:0 2>"$artifacts/qledgerd.log" &
pid=$!
port=
for _ in $(seq 1 200); do
  port=$(sed -n 's/^qledgerd: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$artifacts/qledgerd.log")
  [[ -n $port ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$artifacts/qledgerd.log" >&2; exit 1; }
  sleep 0.05
done
[[ -n $port ]] || { echo "qledgerd did not report its port" >&2; exit 1; }

QLEDGER_URL="http://127.0.0.1:$port" E2E_ARTIFACTS="$artifacts" E2E_USCC="$uscc" \
  E2E_BAD_USCC="${uscc%?}X" E2E_INSPECTOR="wang:inspector-e2e-password" \
  E2E_SUPERVISOR="li:supervisor-e2e-password" node "$here/scenario.mjs"

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
if ((status != 0)); then
  echo "qledgerd exited with $status" >&2
  exit 1
fi
# After the stop, the ledger verifies with the CLI too.
"$ql" verify --db "$db" >/dev/null
