"""Shared pieces of the reliability batteries (crash loop, tamper battery, soak, faults).

Everything goes through the real programs: `qledger` to create the ledger, accounts, tokens and to
verify, `qledgerd` to serve it, HTTP on 127.0.0.1 to append and read. Nothing here re-implements
ledger logic; checks compare what the daemon acknowledged with what the file holds afterwards.
"""

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
PASSWORD = "reliability battery password"


def uscc(prefix, n):
    """A well-formed unified social credit code (GB 32100-2015): 17 characters + check char.

    `prefix` is 3 digits (keeps runs apart), `n` < 10**7 numbers the entity."""
    first17 = "91341525M" + prefix[:1] + "%07d" % n
    assert len(first17) == 17
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    check = (31 - total % 31) % 31
    return first17 + USCC_ALPHABET[check]


def entity_event(prefix, n):
    """The body of POST /api/v1/events registering entity n (valid, unique per n)."""
    return {
        "kind": "entity.registered",
        "payload": {
            "uscc": uscc(prefix, n),
            "name": "可靠性测试企业 %d" % n,
            "township": "衡山镇",
            "industry": "ecological_food",
        },
    }


def run(cmd, stdin=None, check=True):
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s%s" % (" ".join(cmd), p.returncode, p.stdout, p.stderr))
    return p


class Ledger:
    """A ledger file with one inspector and one supervisor token, created with the qledger CLI."""

    def __init__(self, qledger, workdir, name="bureau.db"):
        self.qledger = qledger
        self.dir = workdir
        self.db = os.path.join(workdir, name)
        self.tokens = {}

    def create(self, origin="qledger.test/reliability"):
        run([self.qledger, "init", "--db", self.db, "--origin", origin])
        self.verifier_key = run([self.qledger, "public-key", "--db", self.db]).stdout.strip()
        for user, role in (("insp", "inspector"), ("sup", "supervisor")):
            run([self.qledger, "user", "add", user, "--db", self.db, "--role", role], stdin=PASSWORD + "\n")
            out = run([self.qledger, "token", "create", "--db", self.db, "--user", user, "--label", "battery"])
            secret = [w for w in out.stdout.split() if w.startswith("qlt_")]
            assert len(secret) == 1, out.stdout
            self.tokens[user] = secret[0]
        return self

    def verify(self, checkpoints=(), trusted_key=True):
        """`qledger verify --json` → (exit code, report dict or None)."""
        cmd = [self.qledger, "verify", "--db", self.db, "--json"]
        if trusted_key:
            key_file = os.path.join(self.dir, "trusted.key.txt")
            with open(key_file, "w") as f:
                f.write(self.verifier_key + "\n")
            cmd += ["--trusted-key", key_file]
        for cp in checkpoints:
            cmd += ["--checkpoint", cp]
        p = run(cmd, check=False)
        try:
            report = json.loads(p.stdout)
        except ValueError:
            report = None
        return p.returncode, report, p.stdout + p.stderr

    def rows(self):
        """Every event row as (seq, leaf bytes, leaf_hash hex), read-only, straight from the file."""
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True)
        try:
            return [(s, bytes(l), bytes(h).hex()) for s, l, h in
                    con.execute("SELECT seq, leaf, leaf_hash FROM events ORDER BY seq")]
        finally:
            con.close()


class Daemon:
    """One qledgerd process on 127.0.0.1 (a free port), stderr to a log file."""

    def __init__(self, qledgerd, ledger, threads=8, extra_config=None):
        self.qledgerd = qledgerd
        self.ledger = ledger
        self.proc = None
        self.port = None
        self.config = {"threads": threads, "access_log": False, "max_connections": 512}
        self.config.update(extra_config or {})
        self.log_path = os.path.join(ledger.dir, "qledgerd.log")

    def start(self, timeout=20):
        cfg = os.path.join(self.ledger.dir, "qledgerd.json")
        with open(cfg, "w") as f:
            json.dump(self.config, f)
        self.log = open(self.log_path, "a")
        self.log.write("---- start\n")
        self.log.flush()
        self.proc = subprocess.Popen(
            [self.qledgerd, "--db", self.ledger.db, "--listen", "127.0.0.1:0", "--config", cfg],
            stdout=self.log, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.log.write(line)
            if "listening on" in line:
                self.port = int(line.rsplit(":", 1)[1])
                # Keep draining stderr into the log so the daemon never blocks on a full pipe.
                self.drainer = threading.Thread(target=self._drain, daemon=True)
                self.drainer.start()
                return self
        self.proc.wait(timeout=5)
        raise RuntimeError("qledgerd did not start (exit %s); log %s" % (self.proc.returncode, self.log_path))

    def _drain(self):
        for line in self.proc.stderr:
            self.log.write(line)
        self.log.flush()

    def _close_log(self):
        self.drainer.join(timeout=10)
        self.log.close()

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self._close_log()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=60)
        self._close_log()
        return code

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def client(self, user="insp", timeout=30):
        return Client(self.port, self.ledger.tokens[user], timeout)


class Client:
    """A keep-alive HTTP/1.1 connection with a bearer token."""

    def __init__(self, port, token, timeout=30):
        self.port = port
        self.token = token
        self.timeout = timeout
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        h = {"Authorization": "Bearer " + self.token}
        if body is not None:
            body = json.dumps(body, ensure_ascii=False).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        try:
            self.conn.request(method, path, body=body, headers=h)
            r = self.conn.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        return r.status, data

    def json(self, method, path, body=None, headers=None):
        status, data = self.request(method, path, body, headers)
        try:
            return status, json.loads(data)
        except ValueError:
            return status, data.decode(errors="replace")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_binaries(build_dir):
    q = os.path.join(build_dir, "qledger")
    d = os.path.join(build_dir, "qledgerd")
    for b in (q, d):
        if not os.access(b, os.X_OK):
            raise SystemExit("missing %s: build the qledger and qledgerd targets first" % b)
    return q, d
