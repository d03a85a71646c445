#!/usr/bin/env python3
"""Storage faults at start-up and at run time, through qledgerd and the qledger CLI.

Runs in a private mount namespace (re-executes itself under `unshare --mount`, adding
--map-root-user when not root) so it can give the ledger a real, small tmpfs file system: a full
disk is a real ENOSPC from the kernel and a read-only file system is a real read-only mount,
not a simulation inside SQLite. Cases (each prints ok/FAIL):
  start-up:  missing file, garbage file, truncated ledger, read-only file system, write lock held
  run time:  disk full (507 + storage_full in zh/en, nothing partial, daemon stays up, appends
             succeed once space is freed), write lock held past the busy timeout (503
             storage_busy, then success), the file moved away under the daemon (503
             storage_read_only, then success once it is back); the CLI on the same faults.
Exit 0 only if every case passed.

  tools/faults.py --build build/release          # CTest reliability_faults
"""

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reliability"))
import harness  # noqa: E402

results = []


def case(name, ok, detail=""):
    results.append((name, ok))
    print("%-4s %s%s" % ("ok" if ok else "FAIL", name, (": " + detail) if detail else ""))
    sys.stdout.flush()


def sh(*cmd):
    return subprocess.run(list(cmd), capture_output=True, text=True)


def qledgerd_start_fails(qledgerd, db, expect):
    try:
        p = subprocess.run([qledgerd, "--db", db, "--listen", "127.0.0.1:0"], capture_output=True,
                           text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return False, "qledgerd started and kept running"
    msg = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
    return p.returncode != 0 and expect in msg.lower(), "exit %d, %s" % (p.returncode, msg)


def cli(qledger, *args, stdin=None):
    p = subprocess.run([qledger, *args], input=stdin, capture_output=True, text=True, timeout=120)
    return p.returncode, (p.stdout + p.stderr).strip().replace("\n", " | ")[:160]


def storage_error_ok(status, body, want_status, want_code):
    if status != want_status or not isinstance(body, dict):
        return False
    errs = body.get("errors") or []
    return bool(errs) and errs[0].get("code") == want_code and errs[0].get("message_zh") \
        and errs[0].get("message")


def startup_cases(qledger, qledgerd, base):
    # Missing file.
    missing = os.path.join(base, "missing.db")
    ok, d = qledgerd_start_fails(qledgerd, missing, "not found")
    case("start-up, missing file: qledgerd exits non-zero with a message", ok, d)
    code, out = cli(qledger, "verify", "--db", missing)
    case("start-up, missing file: qledger verify exits 2", code == 2, out)
    # Garbage where the ledger should be.
    garbage = os.path.join(base, "garbage.db")
    with open(garbage, "wb") as f:
        f.write(os.urandom(8192))
    ok, d = qledgerd_start_fails(qledgerd, garbage, "damaged")
    case("start-up, garbage file: qledgerd exits non-zero, says damaged", ok, d)
    code, out = cli(qledger, "verify", "--db", garbage)
    case("start-up, garbage file: qledger verify exits non-zero", code in (1, 2), out)
    code, out = cli(qledger, "append", "--db", garbage, "--kind", "entity.registered", "--actor", "x",
                    stdin=json.dumps(harness.entity_event("D", 1)["payload"]))
    case("start-up, garbage file: qledger append exits 2", code == 2, out)
    # A real ledger cut in half (a failed copy).
    led = harness.Ledger(qledger, base, "cut.db").create()
    subprocess.run([qledger, "append", "--db", led.db, "--kind", "entity.registered", "--actor", "x"],
                   input=json.dumps(harness.entity_event("D", 2)["payload"]), text=True, check=True,
                   capture_output=True)
    con = sqlite3.connect(led.db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    size = os.path.getsize(led.db)
    with open(led.db, "r+b") as f:
        f.truncate(size // 2)
    p = subprocess.run([qledgerd, "--db", led.db, "--listen", "127.0.0.1:0"], capture_output=True,
                       text=True, timeout=20)
    case("start-up, truncated ledger: qledgerd exits non-zero", p.returncode != 0,
         "exit %d, %s" % (p.returncode, p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""))
    code, out = cli(qledger, "verify", "--db", led.db)
    case("start-up, truncated ledger: qledger verify exits non-zero", code in (1, 2), out)


def wait_until(pred, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return False


def runtime_cases(qledger, qledgerd, mnt):
    led = harness.Ledger(qledger, mnt).create()
    daemon = harness.Daemon(qledgerd, led, threads=4).start()
    c = daemon.client("insp", timeout=60)
    n = [100]

    def post(key=True):
        n[0] += 1
        hdr = {"Idempotency-Key": "f-%d" % n[0]} if key else {}
        return c.json("POST", "/api/v1/events", harness.entity_event("E", n[0]), hdr)

    for _ in range(5):
        assert post()[0] == 201

    # ---- disk full: fill the tmpfs with a filler file, append until refused.
    filler = os.path.join(mnt, "filler")
    sh("dd", "if=/dev/zero", "of=" + filler, "bs=64k")
    acked = len(led.rows())
    first_507 = None
    for i in range(300):
        status, body = post(key=(i % 2 == 0))
        if status == 201:
            acked += 1
            continue
        first_507 = (status, body)
        break
    case("disk full: append answered 507 storage_full with zh/en messages",
         first_507 is not None and storage_error_ok(*first_507, 507, "storage_full"),
         str(first_507)[:200])
    more = [post(key=(i % 2 == 0))[0] for i in range(5)]
    case("disk full: later appends also 507, never 5xx crash", all(s == 507 for s in more), str(more))
    rows = len(led.rows())
    case("disk full: no partial rows (events = acknowledged)", rows == acked, "%d rows, %d acked" % (rows, acked))
    st, _ = c.request("GET", "/healthz")
    st2, _ = c.request("GET", "/api/v1/events?limit=5")
    case("disk full: daemon stays up and serves reads", st == 200 and st2 == 200 and daemon.proc.poll() is None,
         "healthz %d, events %d" % (st, st2))
    code, out = cli(qledger, "append", "--db", led.db, "--kind", "entity.registered", "--actor", "cli",
                    stdin=json.dumps(harness.entity_event("E", 99999)["payload"]))
    case("disk full: qledger append exits 2 saying the disk is full", code == 2 and "full" in out, out)
    os.remove(filler)
    ok_after = [post()[0] for _ in range(5)]
    case("disk full: appends succeed again once space is freed", all(s == 201 for s in ok_after), str(ok_after))
    code, report, text = led.verify()
    case("disk full: qledger verify passes afterwards", code == 0, text[:200] if code else "")

    # ---- write lock held by another process past the busy timeout (10 s).
    locker = sqlite3.connect(led.db, timeout=1, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    before = len(led.rows())
    t0 = time.time()
    status, body = post()
    waited = time.time() - t0
    case("lock held: append answered 503 storage_busy after the busy timeout",
         storage_error_ok(status, body, 503, "storage_busy"), "HTTP %d after %.1f s" % (status, waited))
    locker.execute("ROLLBACK")
    locker.close()
    status, _ = post()
    case("lock released: append succeeds, nothing of the refused one written",
         status == 201 and len(led.rows()) == before + 1, "HTTP %d" % status)
    daemon.stop()

    # ---- start-up while another process holds the write lock: starts, reads work, then appends.
    locker = sqlite3.connect(led.db, timeout=1, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        daemon.start()
        ok = daemon.client("sup").request("GET", "/api/v1/events?limit=1")[0] == 200
    except RuntimeError as e:
        ok = False
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    case("start-up with the write lock held: qledgerd starts and serves reads", ok)
    c = daemon.client("insp", timeout=60)
    case("start-up with the write lock held: appends work once released", post()[0] == 201)

    # ---- the file is moved away (deleted, renamed) under the running daemon, then put back.
    os.rename(led.db, led.db + ".moved")
    status, body = post(key=False)
    case("file moved away at run time: append answered 503 storage_read_only, nothing written",
         storage_error_ok(status, body, 503, "storage_read_only"), "HTTP %d %s" % (status, str(body)[:160]))
    st, _ = c.request("GET", "/healthz")
    case("file moved away at run time: daemon stays up", st == 200 and daemon.proc.poll() is None)
    os.rename(led.db + ".moved", led.db)
    rows_before = len(led.rows())
    status, _ = post()
    case("file put back: appends succeed again", status == 201 and len(led.rows()) == rows_before + 1,
         "HTTP %d" % status)
    stop = daemon.stop()
    case("qledgerd stops cleanly after the faults", stop == 0, "exit %d" % stop)
    code, report, text = led.verify()
    case("ledger verifies after every run-time fault", code == 0, text[:200] if code else "")

    # ---- start-up on a read-only file system: the same files through a read-only bind mount
    # (works for root and inside an unprivileged user namespace alike).
    ro = mnt + "-ro"
    os.mkdir(ro)
    r = sh("mount", "--bind", mnt, ro)
    if r.returncode == 0:
        r = sh("mount", "-o", "remount,bind,ro", ro)
    case("mount the small file system read-only (bind, ro)", r.returncode == 0, r.stderr.strip())
    if r.returncode == 0:
        led.db = os.path.join(ro, os.path.basename(led.db))
        ok, d = qledgerd_start_fails(qledgerd, led.db, "read-only")
        case("start-up, read-only file system: qledgerd exits non-zero, says read-only", ok, d)
        code, out = cli(qledger, "append", "--db", led.db, "--kind", "entity.registered", "--actor", "cli",
                        stdin=json.dumps(harness.entity_event("E", 99998)["payload"]))
        case("start-up, read-only file system: qledger append exits 2, says read-only",
             code == 2 and "read-only" in out, out)
        code, out = cli(qledger, "verify", "--db", led.db)
        case("start-up, read-only file system: qledger verify still verifies", code == 0, out)
        sh("umount", ro)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build/release")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    if os.environ.get("QLEDGER_FAULTS_NS") != "1":
        flags = ["--mount"] + ([] if os.geteuid() == 0 else ["--map-root-user"])
        probe = subprocess.run(["unshare", *flags, "true"], capture_output=True, text=True)
        if probe.returncode != 0:
            print("faults: FAIL: cannot enter a private mount namespace (unshare %s: %s); this battery "
                  "needs root or unprivileged user namespaces" % (" ".join(flags), probe.stderr.strip()))
            return 2
        env = dict(os.environ, QLEDGER_FAULTS_NS="1")
        return subprocess.run(["unshare", *flags, sys.executable, os.path.abspath(__file__), "--build", build],
                              env=env).returncode
    qledger, qledgerd = harness.find_binaries(build)
    base = tempfile.mkdtemp(prefix="qledger-faults-")
    startup_cases(qledger, qledgerd, base)
    mnt = os.path.join(base, "small-fs")
    os.mkdir(mnt)
    r = sh("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt)
    if r.returncode != 0:
        case("mount an 8 MiB tmpfs", False, r.stderr.strip())
    else:
        try:
            runtime_cases(qledger, qledgerd, mnt)
        finally:
            sh("umount", "-l", mnt)
    failed = [n for n, ok in results if not ok]
    print("faults: %d cases, %d failed" % (len(results), len(failed)))
    if failed:
        print("work directory kept:", base)
    else:
        import shutil
        shutil.rmtree(base, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
