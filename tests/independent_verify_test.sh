#!/usr/bin/env bash
# Cross-checks `qledger verify` against tools/independent-verify.py, a verifier written from
# docs/ledger-format.md alone. Builds a ledger with the CLI, then checks that both verifiers agree
# (same verdict, same exit code, same root, same first bad seq) on the intact file and on
# tampered copies.
#
# usage: tests/independent_verify_test.sh PATH/TO/qledger
# Exit 0 when both agree everywhere, 1 on any disagreement, 77 (skip) when python3, sqlite3 or
# openssl is not installed.
set -euo pipefail

QLEDGER=${1:?usage: $0 PATH/TO/qledger}
QLEDGER=$(cd "$(dirname "$QLEDGER")" && pwd)/$(basename "$QLEDGER")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IV="$HERE/../tools/independent-verify.py"

for tool in python3 sqlite3 openssl; do
  if ! command -v "$tool" > /dev/null; then
    echo "SKIP: $tool is not installed"
    exit 77
  fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/qledger-iv-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

FAILURES=0
fail() {
  echo "FAIL: $*"
  FAILURES=$((FAILURES + 1))
}

# Runs one verifier; sets OUT and RC.
run() {
  set +e
  OUT=$("$@" 2>&1)
  RC=$?
  set -e
}

# Runs both verifiers with the same arguments, checks the expected exit code for both, that they
# print the same root (when intact) or the same first bad seq and code (when tampered).
# usage: both EXPECTED_RC EXPECTED_SEQ_OR_DASH LABEL -- ARGS...
both() {
  local want_rc=$1 want_seq=$2 label=$3
  shift 4
  run "$QLEDGER" verify "$@"
  local cpp_out=$OUT cpp_rc=$RC
  run python3 "$IV" "$@"
  local py_out=$OUT py_rc=$RC
  local cpp_verdict py_verdict
  cpp_verdict=$(grep -E '^(INTACT|TAMPERED|ERROR)' <<< "$cpp_out" | sed -E 's/^(INTACT: [0-9]+ events, root [0-9a-f]{64}).*/\1/; s/^TAMPERED: (first bad seq [0-9]+: )?.*(\[[a-z_]+\])$/TAMPERED \1\2/' || true)
  py_verdict=$(grep -E '^(INTACT|TAMPERED|ERROR)' <<< "$py_out" | sed -E 's/^(INTACT: [0-9]+ events, root [0-9a-f]{64}).*/\1/; s/^TAMPERED: (first bad seq [0-9]+: )?.*(\[[a-z_]+\])$/TAMPERED \1\2/' || true)
  echo "[$label] qledger: rc=$cpp_rc $cpp_verdict"
  echo "[$label] python:  rc=$py_rc $py_verdict"
  [[ $cpp_rc == "$want_rc" ]] || fail "$label: qledger verify exited $cpp_rc, expected $want_rc"$'\n'"$cpp_out"
  [[ $py_rc == "$want_rc" ]] || fail "$label: independent-verify.py exited $py_rc, expected $want_rc"$'\n'"$py_out"
  [[ -n $cpp_verdict && $cpp_verdict == "$py_verdict" ]] ||
    fail "$label: verdicts differ"$'\n'"qledger: $cpp_out"$'\n'"python:  $py_out"
  if [[ $want_seq != - ]]; then
    grep -q "first bad seq $want_seq: " <<< "$cpp_out" || fail "$label: qledger does not name seq $want_seq"
    grep -q "first bad seq $want_seq: " <<< "$py_out" || fail "$label: python does not name seq $want_seq"
  fi
}

# A tampered copy: a consistent snapshot of the ledger with its append-only triggers dropped.
tampered_copy() {
  sqlite3 ledger.db "VACUUM INTO '$1'"
  sqlite3 "$1" "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;
                DROP TRIGGER tree_nodes_no_update; DROP TRIGGER tree_nodes_no_delete;"
}

# --- Build a ledger of 50 events with the CLI, checkpoints at sizes 20 and 50. ----------------
"$QLEDGER" init --db ledger.db --origin qledger.example/iv-test > /dev/null
for i in $(seq 1 50); do
  # Valid domain events (appends are validated) whose text exercises the canonical encoding.
  printf '{"complaint_no":"TS-%04d","received_on":"2026-10-%02d","channel":"hotline_12315","respondent_name":"商户 %d \\"quoted\\" \\\\","category":"goods","amount_yuan":"%d.50","summary":"第一行\\n第二行 😀 %d"}' \
    "$i" "$(( (i % 28) + 1 ))" "$i" "$i" "$i" |
    "$QLEDGER" append --db ledger.db --kind complaint.received --actor "inspector-$((i % 4))" \
      > append.out || { echo "FAIL: qledger append $i was refused: $(cat append.out)"; exit 1; }
  if [[ $i == 20 ]]; then "$QLEDGER" checkpoint --db ledger.db --out cp20.txt; fi
done
"$QLEDGER" checkpoint --db ledger.db --out cp50.txt
KEY=$("$QLEDGER" public-key --db ledger.db)
CPS=(--checkpoint cp20.txt --checkpoint cp50.txt --trusted-key "$KEY")

# --- Intact: both say so, with the same root (and it is the root the checkpoint signed). -----
both 0 - intact -- --db ledger.db "${CPS[@]}"
ROOT=$(grep -oE 'root [0-9a-f]{64}' <<< "$OUT" | cut -d' ' -f2)
SIGNED=$(sed -n 3p cp50.txt | base64 -d | od -An -tx1 | tr -d ' \n')
[[ $ROOT == "$SIGNED" ]] || fail "root $ROOT is not the root signed in cp50.txt ($SIGNED)"
both 0 - intact-no-checkpoints -- --db ledger.db

# --- One payload edited in place: both exit 1 naming seq 23. --------------------------------
tampered_copy payload.db
sqlite3 payload.db "UPDATE events SET leaf = CAST(replace(CAST(leaf AS TEXT), 'TS-0023', 'TS-0032') AS BLOB) WHERE seq = 23"
both 1 23 payload-edit -- --db payload.db "${CPS[@]}"
both 1 23 payload-edit-no-checkpoints -- --db payload.db

# --- The same edit with leaf_hash recomputed: the chain breaks at seq 24. ----------------------
tampered_copy rehash.db
sqlite3 rehash.db "UPDATE events SET leaf = CAST(replace(CAST(leaf AS TEXT), 'TS-0023', 'TS-0032') AS BLOB) WHERE seq = 23"
python3 - rehash.db << 'EOF'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
leaf = db.execute("SELECT leaf FROM events WHERE seq = 23").fetchone()[0]
db.execute("UPDATE events SET leaf_hash = ? WHERE seq = 23", (hashlib.sha256(b"\0" + leaf).digest(),))
db.commit()
EOF
both 1 24 rehashed-edit -- --db rehash.db "${CPS[@]}"

# --- Clean tail truncation (events 46..50 and their nodes): only a checkpoint notices. ---------
tampered_copy truncated.db
sqlite3 truncated.db "DELETE FROM events WHERE seq > 45; DELETE FROM tree_nodes WHERE (idx + 1) << level > 45;"
both 1 46 truncated -- --db truncated.db "${CPS[@]}"
both 0 - truncated-no-checkpoints -- --db truncated.db

# --- A proof from the CLI checks out with the independent code. ------------------------------
"$QLEDGER" prove --db ledger.db --seq 17 --tree-size 50 > incl.json
"$QLEDGER" prove --db ledger.db --from 20 --to 50 > cons.json
run python3 "$IV" --proof incl.json --checkpoint cp50.txt --trusted-key "$KEY"
[[ $RC == 0 && $OUT == VALID* ]] || fail "independent check of incl.json: $OUT"
run python3 "$IV" --proof cons.json "${CPS[@]}"
[[ $RC == 0 && $OUT == VALID* ]] || fail "independent check of cons.json: $OUT"
run python3 "$IV" --proof incl.json --checkpoint cp20.txt --trusted-key "$KEY"
[[ $RC == 1 ]] || fail "an inclusion proof at size 50 must not match the size-20 checkpoint: $OUT"

if ((FAILURES > 0)); then
  echo "$FAILURES check(s) failed"
  exit 1
fi
echo "OK: qledger verify and tools/independent-verify.py agree"
