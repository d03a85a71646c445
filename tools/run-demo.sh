#!/usr/bin/env bash
# The README's run command: installs missing packages, builds, creates a demo ledger holding a
# generated county history (demo/county.db; its signing key demo/county.db.key), creates demo
# accounts, prints the URL and credentials, and runs qledgerd on 127.0.0.1:8080 until Ctrl-C.
# Re-running reuses the existing demo ledger. Environment: QLEDGER_LISTEN (default
# 127.0.0.1:8080).
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j "$(nproc)" --target qledger qledgerd
ql=build/release/qledger
listen=${QLEDGER_LISTEN:-127.0.0.1:8080}

mkdir -p demo
db=demo/county.db
if [[ ! -f $db ]]; then
  "$ql" demo --db "$db" --origin qledger.local/huoshan-demo --seed 2026
  # Demo accounts, one per role (passwords read from standard input). Demo only!
  for role in inspector supervisor analyst admin; do
    echo "demo-${role}-2026" | "$ql" user add "$role" --db "$db" --role "$role" --actor demo-setup
  done
fi
"$ql" checkpoint --db "$db" --out demo/checkpoint.txt
"$ql" public-key --db "$db" >demo/verifier-key.txt
"$ql" verify --db "$db" --checkpoint demo/checkpoint.txt --trusted-key demo/verifier-key.txt

cat <<MSG

qledger demo: http://${listen}/
  accounts (user / password):  inspector / demo-inspector-2026    supervisor / demo-supervisor-2026
                               analyst / demo-analyst-2026        admin / demo-admin-2026
  ledger: $db   checkpoint: demo/checkpoint.txt   verifier key: demo/verifier-key.txt
  try:    $ql report --db $db --period 2026-10 --format html --out demo/report-2026-10.html
          $ql overdue --db $db      $ql verify --db $db --checkpoint demo/checkpoint.txt
Stop with Ctrl-C.
MSG
exec build/release/qledgerd --db "$db" --listen "$listen"
