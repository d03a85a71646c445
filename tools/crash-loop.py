#!/usr/bin/env python3
"""Crash loop through qledgerd: appends over HTTP from many connections, SIGKILL at random moments.

Each cycle starts qledgerd on the ledger, runs --connections writer threads that POST
/api/v1/events (bearer token; every other request with a fresh Idempotency-Key, so both of the
daemon's append paths are cut: answered from the append's completion, and answered by a handler
that waited for the commit) as fast as the daemon answers,
kills the daemon with SIGKILL after a random 0.3–2.0 s, restarts it and checks:
  * it restarts at all (no crash loop), and every event the daemon acknowledged (201 + receipt) is
    in the file at the acknowledged seq with the acknowledged leaf hash and exactly the payload sent
    (read back through GET /api/v1/events/{seq} and compared field by field);
  * every event in the file is one we sent, at most once (requests cut by the kill may or may not
    be present — if present, whole: leaf, payload and the entity projection row);
  * the entity projection holds exactly the entities of the events in the file (no half-applied
    append), and `qledger verify` with the trusted key and every checkpoint taken so far passes
    (a checkpoint is fetched from GET /api/v1/checkpoint after each restart).
Exit 0 only if every cycle passed.

  tools/crash-loop.py --build build/release --cycles 200        # long form (release check)
  tools/crash-loop.py --build build/release --cycles 4          # short form (CTest reliability_crash_loop)
"""

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reliability"))
import harness  # noqa: E402


class Load:
    """Writer threads; `acked` maps uscc → receipt, `sent` maps uscc → request body."""

    def __init__(self, daemon, connections, counter):
        self.daemon = daemon
        self.connections = connections
        self.counter = counter
        self.lock = threading.Lock()
        self.sent = {}
        self.acked = {}
        self.other = {}  # unexpected HTTP answers: status → count
        self.stop = threading.Event()

    def next_n(self):
        with self.lock:
            self.counter[0] += 1
            return self.counter[0]

    def writer(self):
        c = self.daemon.client("insp", timeout=30)
        while not self.stop.is_set():
            n = self.next_n()
            body = harness.entity_event("A", n)
            headers = {"Idempotency-Key": "crash-%d" % n} if n % 2 == 0 else {}
            with self.lock:
                self.sent[body["payload"]["uscc"]] = body
            try:
                status, answer = c.json("POST", "/api/v1/events", body, headers)
            except OSError:
                return  # the daemon is gone: this request is unacknowledged
            with self.lock:
                if status == 201:
                    self.acked[body["payload"]["uscc"]] = answer
                else:
                    self.other[status] = self.other.get(status, 0) + 1

    def run_until_killed(self, kill_after):
        threads = [threading.Thread(target=self.writer) for _ in range(self.connections)]
        for t in threads:
            t.start()
        time.sleep(kill_after)
        self.daemon.kill()
        self.stop.set()
        for t in threads:
            t.join()


def check_cycle(ledger, daemon, load, all_sent, checkpoints, failures, base):
    client = daemon.client("sup")
    # 1. every acknowledged event, read back through the daemon.
    for u, receipt in load.acked.items():
        status, ev = client.json("GET", "/api/v1/events/%d" % receipt["seq"])
        want = load.sent[u]
        if status != 200:
            failures.append("acked seq %d missing (HTTP %d)" % (receipt["seq"], status))
        elif ev["leaf_hash"] != receipt["leaf_hash"] or ev["kind"] != want["kind"] \
                or ev.get("payload") != want["payload"]:
            failures.append("acked seq %d differs: got %s want %s / %s" %
                            (receipt["seq"], json.dumps(ev, ensure_ascii=False)[:300], receipt, want))
    # 2. every row of the file is one request we sent, once; projections match the events.
    rows = ledger.rows()
    seen = set()
    for seq, leaf, _ in rows:
        if seq <= base:
            continue  # the account events `qledger user add` / `token create` recorded at setup
        doc = json.loads(leaf)
        p = doc["payload"]
        u = p.get("uscc")
        if u not in all_sent or all_sent[u]["payload"] != p:
            failures.append("seq %d holds a payload nobody sent: %s" % (seq, p))
        if u in seen:
            failures.append("seq %d: %s appended twice" % (seq, u))
        seen.add(u)
        if seq != doc["seq"]:
            failures.append("row %d holds leaf seq %d" % (seq, doc["seq"]))
    con = sqlite3.connect("file:%s?mode=ro" % ledger.db, uri=True)
    entities = {u for (u,) in con.execute("SELECT uscc FROM entities")}
    con.close()
    if entities != seen:
        failures.append("entity projection differs from the events: %d extra, %d missing" %
                        (len(entities - seen), len(seen - entities)))
    # 3. a signed checkpoint now, then verify against all of them with the trusted key.
    status, note = client.request("GET", "/api/v1/checkpoint")
    if status != 200:
        failures.append("checkpoint: HTTP %d %s" % (status, note[:200]))
    else:
        path = os.path.join(ledger.dir, "cp-%03d.txt" % len(checkpoints))
        with open(path, "wb") as f:
            f.write(note)
        checkpoints.append(path)
    code, report, text = ledger.verify(checkpoints)
    if code != 0 or not report or not report.get("intact"):
        failures.append("qledger verify failed (exit %d): %s" % (code, text[:500]))
    client.close()
    return len(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build/release", help="build directory with qledger, qledgerd")
    ap.add_argument("--cycles", type=int, default=int(os.environ.get("QLEDGER_CRASH_CYCLES", "4")))
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    qledger, qledgerd = harness.find_binaries(args.build)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="qledger-crash-loop-")
    ledger = harness.Ledger(qledger, work).create()
    daemon = harness.Daemon(qledgerd, ledger, threads=8)
    counter = [0]
    base = len(ledger.rows())
    all_sent, checkpoints, failures = {}, [], []
    total_acked = total_unacked_present = 0
    started = time.time()
    print("crash loop: %d cycles, %d connections, seed %d, work %s" %
          (args.cycles, args.connections, seed, work))
    for cycle in range(1, args.cycles + 1):
        daemon.start()
        load = Load(daemon, args.connections, counter)
        before = len(ledger.rows())
        load.run_until_killed(rng.uniform(0.3, 2.0))
        all_sent.update(load.sent)
        daemon.start()  # the restart itself is checked: it must come up
        n_failures = len(failures)
        size = check_cycle(ledger, daemon, load, all_sent, checkpoints, failures, base)
        daemon.stop()
        unacked_present = size - before - len(load.acked)
        total_acked += len(load.acked)
        total_unacked_present += unacked_present
        print("cycle %3d: %5d acked, %3d cut by the kill (%d of them committed), tree %6d, "
              "other answers %s: %s" %
              (cycle, len(load.acked), len(load.sent) - len(load.acked), unacked_present, size,
               load.other or "{}", "ok" if len(failures) == n_failures else "FAILED"))
        if len(failures) > n_failures:
            for f in failures[n_failures:][:10]:
                print("   ", f)
        if load.other:
            failures.append("cycle %d: unexpected answers %s" % (cycle, load.other))
    print("crash loop: %d cycles in %.0f s, %d acknowledged appends all present with their payloads, "
          "%d unacknowledged but committed (whole), %d failures" %
          (args.cycles, time.time() - started, total_acked, total_unacked_present, len(failures)))
    if not failures and not args.keep:
        import shutil
        shutil.rmtree(work)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
