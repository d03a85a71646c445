#!/usr/bin/env bash
# The README's run command: installs missing packages, builds, creates a demo ledger with a small
# generated history (demo/county.db, its key demo/county.db.key), signs a checkpoint and verifies.
# Re-running reuses the existing demo ledger and appends nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j "$(nproc)" --target qledger
ql=build/release/qledger

mkdir -p demo
db=demo/county.db
if [[ ! -f $db ]]; then
  "$ql" init --db "$db" --origin qledger.local/huoshan-demo
  townships=(衡山镇 佛子岭镇 下符桥镇 但家庙镇 与儿街镇 黑石渡镇 诸佛庵镇 落儿岭镇 磨子潭镇 大化坪镇)
  for i in $(seq 1 40); do
    t=${townships[$((i % ${#townships[@]}))]}
    conclusion=合格
    if ((i % 9 == 0)); then conclusion=不合格; fi
    printf '{"sample_no":"HS-2026-%04d","regime":"product","township":"%s","conclusion":"%s"}' \
      "$i" "$t" "$conclusion" |
      "$ql" append --db "$db" --kind demo.sample --actor "inspector-$((i % 3 + 1))" >/dev/null
  done
fi
"$ql" checkpoint --db "$db" --out demo/checkpoint.txt
"$ql" public-key --db "$db" >demo/verifier-key.txt
"$ql" verify --db "$db" --checkpoint demo/checkpoint.txt --trusted-key demo/verifier-key.txt
echo
echo "demo ledger: $db   checkpoint: demo/checkpoint.txt   verifier key: demo/verifier-key.txt"
echo "try:  $ql prove --db $db --seq 7   |   $ql verify --db $db --checkpoint demo/checkpoint.txt"
