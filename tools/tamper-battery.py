#!/usr/bin/env python3
"""Tampering battery: every way an insider holding the database file could falsify history, tried
against a ledger produced by qledgerd, each judged by `qledger verify`.

Setup: qledger init; qledgerd serves it; 40 events appended through POST /api/v1/events; a signed
checkpoint fetched from GET /api/v1/checkpoint at size 20, a backup copy taken then, and a second
checkpoint at size 40 made with `qledger checkpoint` after the daemon stopped. Each attack works on
a fresh copy of that file (the attacker drops the append-only triggers first — anyone with the
file can), then runs
  qledger verify --db COPY --json --trusted-key KEY --checkpoint cp-20 --checkpoint cp-40
and the table shows: detected?, exit code, the verifier's first problem code, the first bad seq it
names, and the seq the attack actually altered. The attacker's hashing and canonical encoding are
taken from tools/independent-verify.py (written from docs/ledger-format.md), not from qledger.
Exit 0 only if every attack is detected; with --strict also only if, where one row was altered,
the first bad seq named is that row.

  tools/tamper-battery.py --build build/release [--markdown]
"""

import argparse
import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.join(HERE, "reliability"))
import harness  # noqa: E402

_spec = importlib.util.spec_from_file_location("indep", os.path.join(HERE, "independent-verify.py"))
indep = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(indep)

N_EVENTS = 40  # appended through qledgerd, after the account events `qledger user/token` record
CP_EARLY = 20  # a checkpoint and a backup after this many of them
# Set once the ledger is built (seqs, not counts): the row most attacks alter (the 7th event
# appended through the daemon), the size at the early checkpoint, and the final size.
TARGET = CP_EARLY_SIZE = LAST = 0


def connect(db):
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
        con.execute('DROP TRIGGER "%s"' % name)
    return con


def leaf_of(con, seq):
    (leaf,) = con.execute("SELECT leaf FROM events WHERE seq=?", (seq,)).fetchone()
    return json.loads(bytes(leaf))


def encode(doc):
    return indep.canonical_bytes(doc)


def rebuild_tree(con):
    """Recomputes every stored perfect-subtree node (tree_nodes) from the leaf hashes."""
    hashes = [bytes(h) for (h,) in con.execute("SELECT leaf_hash FROM events ORDER BY seq")]
    con.execute("DELETE FROM tree_nodes")
    level, nodes = 0, hashes
    while len(nodes) > 1:
        level += 1
        nodes = [indep.node_hash(nodes[i], nodes[i + 1]) for i in range(0, len(nodes) - 1, 2)]
        for idx, h in enumerate(nodes):
            con.execute("INSERT INTO tree_nodes(level, idx, hash) VALUES (?,?,?)", (level, idx, h))


def rechain_from(con, start):
    """Re-encodes every leaf from `start` on with the right prev and stores fresh leaf hashes."""
    prev = None
    if start > 1:
        (h,) = con.execute("SELECT leaf_hash FROM events WHERE seq=?", (start - 1,)).fetchone()
        prev = bytes(h).hex()
    else:
        prev = "0" * 64
    for (seq,) in con.execute("SELECT seq FROM events WHERE seq>=? ORDER BY seq", (start,)).fetchall():
        doc = leaf_of(con, seq)
        doc["prev"] = prev
        doc["seq"] = seq
        leaf = encode(doc)
        h = indep.leaf_hash(leaf)
        con.execute("UPDATE events SET leaf=?, leaf_hash=? WHERE seq=?", (leaf, h, seq))
        prev = h.hex()
    rebuild_tree(con)


def edit_payload(con, seq, keep_hash=True):
    doc = leaf_of(con, seq)
    doc["payload"]["name"] = doc["payload"]["name"] + "（已篡改）"
    leaf = encode(doc)
    if keep_hash:
        con.execute("UPDATE events SET leaf=? WHERE seq=?", (leaf, seq))
    else:
        con.execute("UPDATE events SET leaf=?, leaf_hash=? WHERE seq=?", (leaf, indep.leaf_hash(leaf), seq))


# ---- the attacks: each takes (connection, context) and returns the seq it altered (or None) ----

def a_edit_payload(con, ctx):
    edit_payload(con, TARGET)
    return TARGET


def a_edit_payload_fix_leaf_hash(con, ctx):
    edit_payload(con, TARGET, keep_hash=False)
    return TARGET


def a_edit_hash(con, ctx):
    con.execute("UPDATE events SET leaf_hash=? WHERE seq=?", (bytes(32), TARGET))
    return TARGET


def a_edit_node(con, ctx):
    # The level-1 node over leaves TARGET and its sibling; it is complete at its right leaf.
    idx = (TARGET - 1) // 2
    con.execute("UPDATE tree_nodes SET hash=? WHERE level=1 AND idx=?", (bytes(32), idx))
    return 2 * idx + 2


def a_edit_metadata(con, ctx):
    con.execute("UPDATE events SET actor='someone-else' WHERE seq=?", (TARGET,))
    return TARGET


def a_delete_row(con, ctx):
    con.execute("DELETE FROM events WHERE seq=?", (TARGET,))
    return TARGET


def a_delete_row_renumber(con, ctx):
    con.execute("DELETE FROM events WHERE seq=?", (TARGET,))
    con.execute("UPDATE events SET seq=seq+1000000 WHERE seq>?", (TARGET,))
    con.execute("UPDATE events SET seq=seq-1000000-1 WHERE seq>1000000")
    rechain_from(con, TARGET)
    return TARGET


def a_delete_tail(con, ctx):
    con.execute("DELETE FROM events WHERE seq>?", (LAST - 5,))
    rebuild_tree(con)
    return LAST - 4


def a_insert_row(con, ctx):
    # Shift seq >= TARGET up by one and put a forged, well-formed event at TARGET; rechain.
    forged = leaf_of(con, TARGET)
    forged["payload"]["name"] = "伪造企业"
    con.execute("UPDATE events SET seq=seq+1000000 WHERE seq>=?", (TARGET,))
    con.execute("UPDATE events SET seq=seq-1000000+1 WHERE seq>1000000")
    leaf = encode(forged)
    con.execute("INSERT INTO events(seq, kind, recorded_at, actor, leaf, leaf_hash) VALUES (?,?,?,?,?,?)",
                (TARGET, forged["kind"], forged["recorded_at"], forged["actor"], leaf, indep.leaf_hash(leaf)))
    rechain_from(con, TARGET)
    return TARGET


def a_swap_rows(con, ctx):
    a = con.execute("SELECT kind, recorded_at, actor, leaf, leaf_hash FROM events WHERE seq=?", (TARGET,)).fetchone()
    b = con.execute("SELECT kind, recorded_at, actor, leaf, leaf_hash FROM events WHERE seq=?", (TARGET + 1,)).fetchone()
    q = "UPDATE events SET kind=?, recorded_at=?, actor=?, leaf=?, leaf_hash=? WHERE seq=?"
    con.execute(q, (*b, TARGET))
    con.execute(q, (*a, TARGET + 1))
    return TARGET


def a_swap_rows_rechain(con, ctx):
    a, b = leaf_of(con, TARGET), leaf_of(con, TARGET + 1)
    for seq, doc in ((TARGET, b), (TARGET + 1, a)):
        con.execute("UPDATE events SET kind=?, recorded_at=?, actor=?, leaf=? WHERE seq=?",
                    (doc["kind"], doc["recorded_at"], doc["actor"], encode(doc), seq))
    rechain_from(con, TARGET)
    return TARGET


def a_rewrite_whole_chain(con, ctx):
    edit_payload(con, TARGET)
    rechain_from(con, TARGET)
    return TARGET


def a_restore_backup(con, ctx):
    con.close()
    shutil.copyfile(ctx["backup"], ctx["copy"])
    for suffix in ("-wal", "-shm"):
        if os.path.exists(ctx["copy"] + suffix):
            os.remove(ctx["copy"] + suffix)
    return CP_EARLY_SIZE + 1


def a_resign_other_key(con, ctx):
    # Rewrite history, put a new key in ledger_meta and replace BOTH checkpoint files with ones
    # signed by the new key. The verifier still holds the supervisor's trusted key.
    edit_payload(con, TARGET)
    rechain_from(con, TARGET)
    con.execute("UPDATE ledger_meta SET value=? WHERE key='verifier_key'", (ctx["attacker_vkey"],))
    con.close()
    for name in ("cp_early", "cp_late"):
        subprocess.run([ctx["qledger"], "checkpoint", "--db", ctx["copy"], "--key", ctx["attacker_key"],
                        "--out", ctx[name]], check=True, capture_output=True)
    return TARGET


def a_alter_checkpoint_root(con, ctx):
    text = open(ctx["cp_late"]).read().split("\n")
    text[2] = ("A" if text[2][0] != "A" else "B") + text[2][1:]  # the root hash line
    open(ctx["cp_late"], "w").write("\n".join(text))
    return None


def a_alter_checkpoint_size(con, ctx):
    text = open(ctx["cp_late"]).read().split("\n")
    text[1] = str(int(text[1]) - 1)
    open(ctx["cp_late"], "w").write("\n".join(text))
    return None


ATTACKS = [
    ("edit a payload (leaf bytes)", a_edit_payload),
    ("edit a payload and its leaf_hash", a_edit_payload_fix_leaf_hash),
    ("edit a leaf_hash", a_edit_hash),
    ("edit a stored Merkle node (level 1)", a_edit_node),
    ("edit the actor column", a_edit_metadata),
    ("delete a row", a_delete_row),
    ("delete a row, renumber, rechain", a_delete_row_renumber),
    ("delete the tail (5 rows)", a_delete_tail),
    ("insert a forged row, rechain", a_insert_row),
    ("swap two rows", a_swap_rows),
    ("swap two rows, rechain", a_swap_rows_rechain),
    ("edit, recompute whole chain+tree", a_rewrite_whole_chain),
    ("restore an old backup (20 events ago)", a_restore_backup),
    ("rewrite + re-sign with another key", a_resign_other_key),
    ("alter a checkpoint's root hash", a_alter_checkpoint_root),
    ("alter a checkpoint's tree size", a_alter_checkpoint_size),
]


def build_ledger(qledger, qledgerd, work):
    global TARGET, CP_EARLY_SIZE, LAST
    ledger = harness.Ledger(qledger, work).create(origin="qledger.test/tamper-battery")
    daemon = harness.Daemon(qledgerd, ledger, threads=2).start()
    client, sup = daemon.client("insp"), daemon.client("sup")
    cps = {}
    for n in range(1, N_EVENTS + 1):
        status, receipt = client.json("POST", "/api/v1/events", harness.entity_event("B", n),
                                      {"Idempotency-Key": "tamper-%d" % n})
        assert status == 201, (status, receipt)
        if n == 7:
            TARGET = receipt["seq"]
        LAST = receipt["seq"]
        if n == CP_EARLY:
            CP_EARLY_SIZE = receipt["seq"]
            status, note = sup.request("GET", "/api/v1/checkpoint")
            assert status == 200, note
            cps["cp_early"] = os.path.join(work, "cp-20.txt")
            open(cps["cp_early"], "wb").write(note)
            # A backup as an admin would take it: SQLite's online backup of the live file.
            src = sqlite3.connect("file:%s?mode=ro" % ledger.db, uri=True)
            dst = sqlite3.connect(os.path.join(work, "backup-20.db"))
            src.backup(dst)
            dst.close()
            src.close()
    assert daemon.stop() == 0
    cps["cp_late"] = os.path.join(work, "cp-40.txt")
    harness.run([qledger, "checkpoint", "--db", ledger.db, "--out", cps["cp_late"]])
    return ledger, cps


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--strict", action="store_true",
                    help="also fail when the verifier names a row other than the one altered")
    args = ap.parse_args()
    qledger, qledgerd = harness.find_binaries(args.build)
    work = tempfile.mkdtemp(prefix="qledger-tamper-")
    ledger, cps = build_ledger(qledger, qledgerd, work)
    code, report, text = ledger.verify([cps["cp_early"], cps["cp_late"]])
    if code != 0:
        print("the untouched ledger does not verify:", text)
        return 1
    # The attacker's own key (a second ledger's key; same origin so checkpoints look alike).
    attacker_db = os.path.join(work, "attacker.db")
    harness.run([qledger, "init", "--db", attacker_db, "--origin", "qledger.test/tamper-battery"])
    attacker_vkey = harness.run([qledger, "public-key", "--db", attacker_db]).stdout.strip()

    rows, failures, misnamed = [], 0, 0
    for i, (name, attack) in enumerate(ATTACKS, 1):
        d = os.path.join(work, "attack-%02d" % i)
        os.mkdir(d)
        copy = os.path.join(d, "bureau.db")
        shutil.copyfile(ledger.db, copy)
        ctx = {"copy": copy, "backup": os.path.join(work, "backup-20.db"), "qledger": qledger,
               "attacker_key": attacker_db + ".key", "attacker_vkey": attacker_vkey,
               "cp_early": os.path.join(d, "cp-20.txt"), "cp_late": os.path.join(d, "cp-40.txt")}
        shutil.copyfile(cps["cp_early"], ctx["cp_early"])
        shutil.copyfile(cps["cp_late"], ctx["cp_late"])
        con = connect(copy)
        altered = attack(con, ctx)
        try:
            con.close()
        except sqlite3.ProgrammingError:
            pass
        victim = harness.Ledger(qledger, d)
        victim.db = copy
        victim.verifier_key = ledger.verifier_key
        code, report, text = victim.verify([ctx["cp_early"], ctx["cp_late"]])
        detected = code == 1 and report is not None and not report.get("intact", True)
        first = report.get("first_bad_seq") if report else None
        problem = report["problems"][0]["code"] if report and report.get("problems") else "-"
        if problem == "-" and report:
            bad_cps = [c for c in report.get("checkpoints", []) if not c.get("ok")]
            if bad_cps:
                problem = "checkpoint: " + bad_cps[0].get("message", "")[:40]
        named_ok = altered is None or first == altered
        failures += 0 if detected else 1
        misnamed += 0 if (not detected or named_ok) else 1
        verdict = "NOT DETECTED" if not detected else ("detected, row named" if named_ok and altered
                                                       else "detected" if named_ok else
                                                       "detected, other row named")
        rows.append((i, name, "yes" if detected else "NO", code, problem,
                     "-" if not first else first, "-" if altered is None else altered, verdict))
    header = ("#", "attack", "detected", "exit", "first problem code", "first bad seq named",
              "seq altered", "result")
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for r in rows:
            print("| " + " | ".join(str(c) for c in r) + " |")
    else:
        widths = [max(len(str(r[k])) for r in rows + [header]) for k in range(len(header))]
        for r in [header] + rows:
            print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    print("tamper battery: %d attacks, %d detected (%d naming a row other than the one altered), "
          "%d not detected" % (len(rows), len(rows) - failures, misnamed, failures))
    bad = failures + (misnamed if args.strict else 0)
    if bad == 0:
        shutil.rmtree(work)
    else:
        print("work directory kept:", work)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
