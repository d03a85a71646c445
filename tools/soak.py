#!/usr/bin/env python3
"""Load and soak test of qledgerd on 127.0.0.1 with our own small client.

Starts qledgerd on a fresh ledger, then for --seconds drives --rate appends per second in total
(POST /api/v1/events, bearer token, Idempotency-Key) from --connections keep-alive connections,
paced by a shared schedule, with reads mixed in (one per --read-every appends: event lists, single
events, inclusion proofs). Samples qledgerd's RSS (/proc/PID/status VmRSS) every --sample seconds.
Passes only if every response was the expected 2xx, every scheduled append was made and the
run ended at most 10 % (+1 s) behind the schedule, RSS after the warm-up (first third, at most 5 minutes) stays within ±10 % of its
post-warm-up median, qledgerd stops cleanly on SIGTERM and `qledger verify` passes afterwards.

  tools/soak.py --build build/release --seconds 1800 --rate 1000          # long form (release check)
  tools/soak.py --build build/release --seconds 30 --rate 300             # short form (CTest reliability_soak)
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reliability"))
import harness  # noqa: E402


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--rate", type=float, default=300, help="appends per second, all connections together")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--read-every", type=int, default=4, help="one read per this many appends")
    ap.add_argument("--sample", type=float, default=2.0, help="RSS sampling interval (s)")
    ap.add_argument("--threads", type=int, default=8, help="qledgerd I/O threads")
    args = ap.parse_args()
    qledger, qledgerd = harness.find_binaries(args.build)
    work = tempfile.mkdtemp(prefix="qledger-soak-")
    ledger = harness.Ledger(qledger, work).create(origin="qledger.test/soak")
    base = len(ledger.rows())  # the account events `qledger user add` / `token create` recorded
    daemon = harness.Daemon(qledgerd, ledger, threads=args.threads).start()

    lock = threading.Lock()
    state = {"next": 0, "appends": 0, "reads": 0, "errors": {}, "last_seq": 0}
    append_lat, read_lat = [], []
    start = time.monotonic()
    end = start + args.seconds
    interval = 1.0 / args.rate

    def take_ticket():
        with lock:
            n = state["next"]
            state["next"] += 1
        return n

    def error(what):
        with lock:
            state["errors"][what] = state["errors"].get(what, 0) + 1

    def worker():
        c = daemon.client("insp")
        while True:
            n = take_ticket()
            due = start + n * interval
            if due >= end:
                break
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            t0 = time.monotonic()
            try:
                status, body = c.json("POST", "/api/v1/events", harness.entity_event("C", n + 1),
                                      {"Idempotency-Key": "soak-%d" % n})
            except OSError as e:
                error("append: %s" % type(e).__name__)
                continue
            t1 = time.monotonic()
            if status != 201:
                error("append HTTP %d" % status)
                continue
            with lock:
                state["appends"] += 1
                state["last_seq"] = max(state["last_seq"], body["seq"])
                append_lat.append(t1 - t0)
                seq = state["last_seq"]
            if n % args.read_every == 0:
                kind = (n // args.read_every) % 3
                path = ("/api/v1/events?limit=50&from=%d" % max(1, seq - 50),
                        "/api/v1/events/%d" % seq,
                        "/api/v1/proofs/inclusion?seq=%d" % max(1, seq // 2))[kind]
                try:
                    status, _ = c.request("GET", path)
                except OSError as e:
                    error("read: %s" % type(e).__name__)
                    continue
                if status != 200:
                    error("read HTTP %d %s" % (status, path.split("?")[0]))
                    continue
                with lock:
                    state["reads"] += 1
                    read_lat.append(time.monotonic() - t1)
        c.close()

    samples = []

    def sampler():
        while time.monotonic() < end:
            samples.append((time.monotonic() - start, daemon.rss_kib()))
            time.sleep(args.sample)

    threads = [threading.Thread(target=worker) for _ in range(args.connections)]
    s = threading.Thread(target=sampler)
    s.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    s.join()
    elapsed = time.monotonic() - start
    stop_code = daemon.stop()
    code, report, text = ledger.verify()

    warmup = min(args.seconds / 3, 300)
    steady = [r for t, r in samples if t >= warmup]
    median = statistics.median(steady) if steady else 0
    lo, hi = (min(steady), max(steady)) if steady else (0, 0)
    rss_ok = bool(steady) and lo >= 0.9 * median and hi <= 1.1 * median
    rate = state["appends"] / elapsed
    # Every scheduled append was made, and the schedule was kept: at most 10 % (+1 s) behind.
    planned = int(args.seconds * args.rate)
    rate_ok = state["appends"] == planned and elapsed <= args.seconds * 1.1 + 1
    print("soak: %.0f s, target %.0f appends/s over %d connections, qledgerd threads %d" %
          (elapsed, args.rate, args.connections, args.threads))
    print("  appends %d of %d planned (%.0f/s), reads %d (%.0f/s), errors %s" %
          (state["appends"], planned, rate, state["reads"], state["reads"] / elapsed, state["errors"] or 0))
    print("  append latency p50 %.1f ms p99 %.1f ms max %.1f ms; read latency p50 %.1f ms p99 %.1f ms" %
          (1000 * percentile(append_lat, 0.5), 1000 * percentile(append_lat, 0.99),
           1000 * max(append_lat or [0]), 1000 * percentile(read_lat, 0.5), 1000 * percentile(read_lat, 0.99)))
    print("  RSS KiB after %.0f s warm-up: median %d, min %d (%+.1f %%), max %d (%+.1f %%); all samples: %s" %
          (warmup, median, lo, 100.0 * (lo - median) / max(median, 1), hi,
           100.0 * (hi - median) / max(median, 1),
           " ".join("%d" % r for _, r in samples[:: max(1, len(samples) // 20)])))
    print("  SIGTERM exit %d; qledger verify exit %d, tree size %s" %
          (stop_code, code, report.get("tree_size") if report else "?"))
    ok = not state["errors"] and rate_ok and rss_ok and stop_code == 0 and code == 0 \
        and report and report["tree_size"] == base + state["appends"]
    print("soak:", "PASS" if ok else "FAIL (%s)" % ", ".join(
        w for w, bad in (("errors", bool(state["errors"])), ("rate", not rate_ok), ("rss", not rss_ok),
                         ("stop", stop_code != 0), ("verify", code != 0),
                         ("tree size", not report or report["tree_size"] != base + state["appends"]))
        if bad))
    if ok:
        import shutil
        shutil.rmtree(work)
    else:
        print("work directory kept:", work)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
