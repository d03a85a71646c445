#!/usr/bin/env python3
"""/metrics of a running qledgerd passes `promtool check metrics` (Debian's prometheus package)
without a single problem, lint warnings included, and counts what was done to it.

usage: metrics_promtool_test.py QLEDGER QLEDGERD

Creates a fresh ledger and two accounts with the qledger CLI, starts qledgerd on a free
127.0.0.1 port, performs three appends, one refused append, a 404, an unauthenticated API call
and a full verification through the JSON API, then fetches /metrics, pipes it to promtool and
checks the families and their values. Also checks that promtool does flag a broken exposition,
so a silent promtool cannot make this test pass.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def run(args, stdin=""):
    done = subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        fail(f"{' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done.stdout


def uscc(n):
    """A valid unified social credit code (GB 32100-2015 check character)."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    first17 = "91341525MA%07d" % n
    total = sum(chars.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + chars[(31 - total % 31) % 31]


def request(base, method, path, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, res.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def promtool_check(text):
    done = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                          text=True, timeout=60)
    return done.returncode, (done.stdout + done.stderr).strip()


def parse_samples(text):
    """{(name, labels-string): value} of every sample line; TYPE per family."""
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind
            continue
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)", line)
        if not m:
            fail("unparsable sample line: " + line)
        samples[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return samples, types


def main():
    if len(sys.argv) != 3:
        fail(__doc__)
    ql, qld = sys.argv[1], sys.argv[2]
    if shutil.which("promtool") is None:
        fail("promtool not found: install Debian's prometheus package (tools/install-deps.sh)")

    # The checker itself must catch problems: a counter without _total and a malformed line.
    code, out = promtool_check("# HELP bad_counter x\n# TYPE bad_counter counter\nbad_counter 1\n")
    if code == 0 and not out:
        fail("promtool accepted a counter without the _total suffix")

    work = tempfile.mkdtemp(prefix="qledger-promtool-")
    daemon = None
    try:
        db = os.path.join(work, "bureau.db")
        run([ql, "init", "--db", db, "--origin", "qledger.test/promtool"])
        run([ql, "user", "add", "insp", "--db", db, "--role", "inspector", "--actor", "test"],
            "inspector password 1\n")
        run([ql, "user", "add", "sup", "--db", db, "--role", "supervisor", "--actor", "test"],
            "supervisor password 1\n")
        tokens = {}
        for user in ("insp", "sup"):
            out = run([ql, "token", "create", "--db", db, "--user", user, "--label", "promtool",
                       "--actor", "test"])
            tokens[user] = re.search(r"qlt_[0-9a-f]{64}", out).group(0)

        log_path = os.path.join(work, "qledgerd.log")
        log = open(log_path, "w")
        daemon = subprocess.Popen([qld, "--db", db, "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.DEVNULL, stderr=log)
        port = None
        deadline = time.time() + 30
        while port is None and time.time() < deadline:
            if daemon.poll() is not None:
                fail("qledgerd exited early: " + open(log_path).read())
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", open(log_path).read())
            port = m and m.group(1)
            time.sleep(0.05)
        if port is None:
            fail("qledgerd did not report its port")
        base = "http://127.0.0.1:" + port

        for n in (1, 2, 3):
            status, body = request(base, "POST", "/api/v1/events", tokens["insp"], {
                "kind": "entity.registered",
                "payload": {"uscc": uscc(n), "name": f"企业{n}", "township": "衡山镇",
                            "industry": "ecological_food"}})
            if status != 201:
                fail(f"append {n}: {status} {body}")
        bad = uscc(4)[:-1] + ("0" if uscc(4)[-1] != "0" else "1")
        status, _ = request(base, "POST", "/api/v1/events", tokens["insp"], {
            "kind": "entity.registered",
            "payload": {"uscc": bad, "name": "坏码", "township": "衡山镇",
                        "industry": "ecological_food"}})
        if status != 422:
            fail(f"refused append: expected 422, got {status}")
        status, _ = request(base, "GET", "/api/v1/events/999", tokens["insp"])
        if status != 404:
            fail(f"missing event: expected 404, got {status}")
        status, _ = request(base, "GET", "/api/v1/events")
        if status != 401:
            fail(f"no credentials: expected 401, got {status}")
        status, body = request(base, "POST", "/api/v1/verify", tokens["sup"], {})
        if status != 200:
            fail(f"verify: {status} {body}")

        status, text = request(base, "GET", "/metrics")
        if status != 200:
            fail(f"/metrics: {status}")
        code, out = promtool_check(text)
        if code != 0 or out:
            fail(f"promtool check metrics (exit {code}):\n{out}\n--- exposition:\n{text}")

        samples, types = parse_samples(text)
        expected_types = {
            "qledger_appends_total": "counter",
            "qledger_appends_rejected_total": "counter",
            "qledger_append_duration_seconds": "histogram",
            "qledger_http_responses_total": "counter",
            "qledger_verifications_total": "counter",
            "qledger_connections_refused_total": "counter",
        }
        for name, kind in expected_types.items():
            if types.get(name) != kind:
                fail(f"{name}: TYPE {types.get(name)}, expected {kind}")

        def value(name, labels=""):
            if (name, labels) not in samples:
                fail(f"missing sample {name}{labels}")
            return samples[(name, labels)]

        checks = [
            (value("qledger_appends_total"), 3),
            (value("qledger_appends_rejected_total"), 1),
            (value("qledger_append_duration_seconds_count"), 3),
            (value("qledger_append_duration_seconds_bucket", '{le="+Inf"}'), 3),
            (value("qledger_http_responses_total", '{code="201"}'), 3),
            (value("qledger_http_responses_total", '{code="422"}'), 1),
            (value("qledger_http_responses_total", '{code="404"}'), 1),
            (value("qledger_http_responses_total", '{code="401"}'), 1),
            (value("qledger_http_responses_total", '{code="200"}'), 1),  # the verification
            (value("qledger_verifications_total", '{result="intact"}'), 1),
            (value("qledger_verifications_total", '{result="tampered"}'), 0),
            (value("qledger_connections_refused_total"), 0),
        ]
        for got, want in checks:
            if got != want:
                fail(f"expected {want}, got {got}\n{text}")
        seconds = value("qledger_append_duration_seconds_sum")
        if not 0 < seconds < 60:
            fail(f"implausible append latency sum {seconds}")
        buckets = sorted(
            ((float(labels[5:-2]), v) for (name, labels), v in samples.items()
             if name == "qledger_append_duration_seconds_bucket" and labels != '{le="+Inf"}'))
        if len(buckets) < 5 or any(b[1] > a[1] for b, a in zip(buckets, buckets[1:])):
            fail(f"histogram buckets are not cumulative: {buckets}")

        daemon.send_signal(signal.SIGTERM)
        if daemon.wait(timeout=30) != 0:
            fail("qledgerd did not stop cleanly: " + open(log_path).read())
        daemon = None
        print("metrics_promtool: promtool clean; families and values as expected")
    finally:
        if daemon is not None:
            daemon.kill()
            daemon.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
