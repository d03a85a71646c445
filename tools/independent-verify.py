#!/usr/bin/env python3
"""An independent verifier for qledger ledger files (format qledger-ledger/1).

Written from docs/ledger-format.md alone, not from the C++ sources: it is the proof that the
document is sufficient. Standard library only (sqlite3, hashlib, base64, json, subprocess); Ed25519
signatures are checked with the stock `openssl pkeyutl -verify -rawin`, as a supervisor would.

  independent-verify.py --db FILE [--checkpoint NOTE ...] [--trusted-key KEY]
      Full verification of a ledger file (document §8). Prints
        INTACT: N events, root HEX                  exit 0
        TAMPERED: first bad seq N: ... [code]       exit 1
        ERROR: ...                                  exit 2 (unreadable file, bad arguments)
  independent-verify.py --proof PROOF.json [--checkpoint NOTE ... --trusted-key KEY]
      Checks an inclusion or consistency proof document (document §6). VALID exit 0,
      INVALID exit 1, ERROR exit 2.

KEY is a note-form verifier key "<name>+<8 hex>+<base64>" or the path of a file holding one.
Section numbers (§) below refer to docs/ledger-format.md.
"""

import argparse
import base64
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request

FORMAT = b"qledger-ledger/1"
ZERO_HASH = bytes(32)
MAX_SAFE = 2**53 - 1  # §3: integers within ±(2^53 − 1)
MAX_DEPTH = 32  # §3: at most 32 nested objects/arrays
MAX_LEAF_BYTES = 256 * 1024  # §4: a leaf is at most 262144 bytes
SPKI_ED25519_PREFIX = bytes.fromhex("302a300506032b6570032100")  # §7.4
EM_DASH_SPACE = "\u2014 "  # signature lines start with U+2014 and a space (§7.2)


class UsageError(Exception):
    """Bad arguments or an unreadable input: exit code 2."""


# =================================================================================================
# §3 Canonical JSON profile


class NotInProfile(Exception):
    pass


def _reject_constant(name):
    raise NotInProfile("%s is not JSON" % name)


def _object_without_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise NotInProfile("duplicate key %r" % key)
        obj[key] = value
    return obj


def check_profile(value, depth=0):
    """Raises NotInProfile unless `value` (parsed JSON) lies inside the profile (§3.1)."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if not -MAX_SAFE <= value <= MAX_SAFE:
            raise NotInProfile("integer outside ±(2^53−1)")
        return
    if isinstance(value, float):
        raise NotInProfile("numbers must be integers")
    if isinstance(value, str):
        value.encode("utf-8")  # raises UnicodeEncodeError on a lone surrogate
        return
    if isinstance(value, (list, dict)):
        if depth + 1 > MAX_DEPTH:
            raise NotInProfile("nesting deeper than 32")
        members = value.values() if isinstance(value, dict) else value
        if isinstance(value, dict):
            for key in value:
                raw = key.encode("utf-8", "surrogatepass")
                if not 1 <= len(raw) <= 64 or any(b < 0x20 or b > 0x7E for b in raw):
                    raise NotInProfile("object key is not 1..64 bytes of printable ASCII")
        for member in members:
            check_profile(member, depth + 1)
        return
    raise NotInProfile("unexpected value")


def parse_profile(data):
    """Parses JSON bytes into Python values, refusing anything outside the profile."""
    try:
        text = data.decode("utf-8")  # strict: no ill-formed UTF-8, no encoded surrogates
        value = json.loads(text, object_pairs_hook=_object_without_duplicates,
                           parse_constant=_reject_constant)
        check_profile(value)
    except NotInProfile:
        raise
    except (ValueError, RecursionError, UnicodeError) as e:  # JSONDecodeError is a ValueError
        raise NotInProfile(str(e))
    return value


def canonical_string(s):
    """§3.3: escape '"', '\\' and U+0000..U+001F only; everything else verbatim."""
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
             "\r": "\\r"}
    out = []
    for ch in s:
        if ch in short:
            out.append(short[ch])
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def canonical_text(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)  # shortest decimal, '-' only for negatives
    if isinstance(v, str):
        return canonical_string(v)
    if isinstance(v, list):
        return "[" + ",".join(canonical_text(x) for x in v) + "]"
    # Objects: members sorted by the bytes of their (unescaped) keys.
    keys = sorted(v, key=lambda k: k.encode("utf-8"))
    return "{" + ",".join(canonical_string(k) + ":" + canonical_text(v[k]) for k in keys) + "}"


def canonical_bytes(value):
    return canonical_text(value).encode("utf-8")  # raises on lone surrogates


# =================================================================================================
# §4 Leaf encoding v1

LEAF_KEYS = {"actor", "kind", "payload", "prev", "recorded_at", "seq", "v"}
DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def is_recorded_at(t):
    """§4.2: YYYY-MM-DDTHH:MM:SS.mmmZ, a real UTC instant, year >= 1970, no leap second."""
    if len(t) != 24 or t[4] != "-" or t[7] != "-" or t[10] != "T" or t[13] != ":" \
            or t[16] != ":" or t[19] != "." or t[23] != "Z":
        return False
    fields = [t[0:4], t[5:7], t[8:10], t[11:13], t[14:16], t[17:19], t[20:23]]
    if not all(f.isascii() and f.isdigit() for f in fields):
        return False
    y, mo, d, h, mi, s, _ms = (int(f) for f in fields)
    if y < 1970 or not 1 <= mo <= 12 or d < 1:
        return False
    leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
    days = DAYS_IN_MONTH[mo - 1] + (1 if mo == 2 and leap else 0)
    return d <= days and h <= 23 and mi <= 59 and s <= 59


def is_kind(k):
    """§4.2: [a-z][a-z0-9_.]{0,63}."""
    if not 1 <= len(k) <= 64 or not ("a" <= k[0] <= "z"):
        return False
    return all("a" <= c <= "z" or "0" <= c <= "9" or c in "_." for c in k)


def is_actor(a):
    """§4.2: 1..128 bytes of UTF-8, no C0 control, DEL or C1 control character."""
    raw = a.encode("utf-8")
    if not 1 <= len(raw) <= 128:
        return False
    return not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in a)


def decode_leaf(data):
    """Returns the leaf as a dict, or raises ValueError naming what is wrong (§4.3)."""
    if len(data) > MAX_LEAF_BYTES:
        raise ValueError("leaf larger than 262144 bytes")
    try:
        value = parse_profile(data)
    except (NotInProfile, UnicodeError) as e:
        raise ValueError("not profile JSON: %s" % e)
    try:
        again = canonical_bytes(value)
    except UnicodeError:
        raise ValueError("lone surrogate")
    if again != data:
        raise ValueError("leaf bytes are not in canonical form")
    if not isinstance(value, dict) or set(value) != LEAF_KEYS:
        raise ValueError("leaf must be an object with exactly the 7 keys")

    def is_int(x):
        return isinstance(x, int) and not isinstance(x, bool)

    if not (is_int(value["v"]) and value["v"] == 1):
        raise ValueError("v must be 1")
    if not (is_int(value["seq"]) and value["seq"] >= 1):
        raise ValueError("seq must be an integer >= 1")
    for key in ("kind", "actor", "recorded_at", "prev"):
        if not isinstance(value[key], str):
            raise ValueError("%s must be a string" % key)
    if not isinstance(value["payload"], dict):
        raise ValueError("payload must be an object")
    if not is_recorded_at(value["recorded_at"]):
        raise ValueError("malformed recorded_at")
    prev = value["prev"]
    if len(prev) != 64 or any(c not in "0123456789abcdef" for c in prev):
        raise ValueError("prev must be 64 lower-case hex digits")
    if not is_kind(value["kind"]):
        raise ValueError("malformed kind")
    if not is_actor(value["actor"]):
        raise ValueError("malformed actor")
    return value


# =================================================================================================
# §5 Hashing and the Merkle tree


def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(leaf):
    return sha256(b"\x00" + leaf)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


class TreeEdge:
    """The right edge of a tree built leaf by leaf: the roots of the perfect subtrees whose sizes
    are the binary digits of the current size, largest first (§5.3)."""

    def __init__(self):
        self.size = 0
        self.edge = []

    def append(self, leaf_hash_value):
        """Adds one leaf; returns [(level, idx, hash)] of the level >= 1 nodes it completes."""
        completed = []
        h = leaf_hash_value
        self.size += 1
        level = 0
        while self.size % (2 ** (level + 1)) == 0:  # the new leaf closes a subtree of 2^(level+1)
            h = node_hash(self.edge.pop(), h)
            level += 1
            completed.append((level, self.size // 2 ** level - 1, h))
        self.edge.append(h)
        return completed

    def root(self):
        if not self.edge:
            return sha256(b"")
        acc = self.edge[-1]
        for left in reversed(self.edge[:-1]):
            acc = node_hash(left, acc)
        return acc


# =================================================================================================
# §6 Proof verification (RFC 9162 §2.1.3.2 and §2.1.4.2)


def verify_inclusion(index, size, leaf, proof, root):
    if index >= size:
        return "leaf index is not below the tree size"
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return "proof too long"
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return "proof too short"
    return None if r == root else "root mismatch"


def verify_consistency(m, n, old_root, new_root, proof):
    if m == 0:
        return "consistency from the empty tree proves nothing"
    if m > n:
        return "old size exceeds new size"
    if m == n:
        if proof:
            return "proof between equal sizes must be empty"
        return None if old_root == new_root else "roots differ for equal sizes"
    if not proof:
        return "empty proof"
    if m & (m - 1) == 0:  # m is a power of two: the old root is the first (omitted) element
        proof = [old_root] + list(proof)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return "proof too long"
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return "proof too short"
    if fr != old_root:
        return "old root mismatch"
    if sr != new_root:
        return "new root mismatch"
    return None


# =================================================================================================
# §7 Checkpoints, signed notes and verifier keys

UNICODE_SPACES = {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029,
                  0x202F, 0x205F, 0x3000} | set(range(0x2000, 0x200B))


def is_key_name(name):
    """§7.3: non-empty, no control characters, no '+', no Unicode white space."""
    return bool(name) and not any(ord(c) < 0x20 or ord(c) == 0x7F or c == "+" or
                                  ord(c) in UNICODE_SPACES for c in name)


def strict_b64decode(text):
    """Standard base64 with padding, canonical (re-encodes to the same text); None if not."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        return None
    return raw if base64.b64encode(raw).decode("ascii") == text else None


def key_id(name, public_key):
    """§7.3: first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key)."""
    return sha256(name.encode("utf-8") + b"\n\x01" + public_key)[:4]


def parse_verifier_key(text):
    """'<name>+<8 hex key ID>+<base64(0x01 || 32-byte key)>' -> (name, key). Raises UsageError."""
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise UsageError("verifier key: expected <name>+<key ID>+<key data>")
    name, id_hex, data64 = parts
    if not is_key_name(name):
        raise UsageError("verifier key: invalid key name")
    if len(id_hex) != 8 or any(c not in "0123456789abcdefABCDEF" for c in id_hex):
        raise UsageError("verifier key: key ID must be 8 hex digits")
    data = strict_b64decode(data64)
    if data is None or len(data) != 33 or data[0] != 0x01:
        raise UsageError("verifier key: key data must be base64 of 0x01 || 32-byte Ed25519 key")
    if bytes.fromhex(id_hex) != key_id(name, data[1:]):
        raise UsageError("verifier key: key ID does not match name and key")
    return name, data[1:]


def public_key_pem(public_key):
    der = SPKI_ED25519_PREFIX + public_key
    return "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n" % \
        base64.b64encode(der).decode()


def openssl_verify(public_key, message, signature):
    """Ed25519 verification with the stock openssl tool (§7.5)."""
    if len(signature) != 64:
        return False
    if shutil.which("openssl") is None:
        raise UsageError("the openssl command is needed to check signatures")
    with tempfile.TemporaryDirectory(prefix="qledger-iv-") as d:
        files = {"pub.pem": public_key_pem(public_key).encode(), "body": message,
                 "sig": signature}
        for name, content in files.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(content)
        result = subprocess.run(
            ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", os.path.join(d, "pub.pem"),
             "-rawin", "-in", os.path.join(d, "body"), "-sigfile", os.path.join(d, "sig")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return result.returncode == 0


def parse_note(raw):
    """§7.2: splits a signed note into (body bytes, [(name, key id, signature)]).
    Raises ValueError on malformed text."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("note is not valid UTF-8")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise ValueError("note contains a control character")
    split = text.rfind("\n\n")
    if split < 0:
        raise ValueError("note has no blank line")
    body, sig_text = text[:split + 1], text[split + 2:]
    if not sig_text or not sig_text.endswith("\n"):
        raise ValueError("note has no signature lines, or the last does not end with a newline")
    signatures = []
    for line in sig_text[:-1].split("\n"):
        if len(signatures) == 16:
            raise ValueError("more than 16 signatures")
        if not line.startswith(EM_DASH_SPACE):
            raise ValueError("signature line does not start with an em dash and a space")
        name, sep, b64 = line[len(EM_DASH_SPACE):].partition(" ")
        if not sep or not is_key_name(name):
            raise ValueError("signature line has no signature or an invalid key name")
        blob = strict_b64decode(b64)
        if blob is None or len(blob) < 5:
            raise ValueError("signature is not valid base64 of at least 5 bytes")
        signatures.append((name, blob[:4], blob[4:]))
    return body.encode("utf-8"), signatures


def parse_checkpoint_body(body):
    """§7.1: -> (origin, tree size, root hash bytes). Raises ValueError."""
    text = body.decode("utf-8")
    if not text.endswith("\n"):
        raise ValueError("body must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise ValueError("body needs origin, tree size and root hash lines")
    origin, size_text, root64 = lines[0], lines[1], lines[2]
    if not origin:
        raise ValueError("empty origin")
    if not size_text.isascii() or not size_text.isdigit() or \
            (len(size_text) > 1 and size_text[0] == "0") or int(size_text) >= 2**64:
        raise ValueError("tree size is not a decimal number without leading zeros")
    root = strict_b64decode(root64)
    if root is None or len(root) != 32:
        raise ValueError("root hash is not base64 of 32 bytes")
    if any(not line for line in lines[3:]):
        raise ValueError("empty extension line")
    return origin, int(size_text), root


def open_checkpoint(raw, trusted, expected_origin):
    """§7.6: returns ((origin, size, root), None) or (None, reason)."""
    name, public_key = trusted
    try:
        body, signatures = parse_note(raw)
    except ValueError as e:
        return None, "malformed note: %s" % e
    wanted_id = key_id(name, public_key)
    matching = [sig for (n, kid, sig) in signatures if n == name and kid == wanted_id]
    if not matching:
        return None, "no signature by trusted key %s" % name
    for sig in matching:  # every signature by the trusted key must verify
        if not openssl_verify(public_key, body, sig):
            return None, "invalid signature by trusted key %s" % name
    try:
        checkpoint = parse_checkpoint_body(body)
    except ValueError as e:
        return None, "malformed checkpoint: %s" % e
    if expected_origin and checkpoint[0] != expected_origin:
        return None, "origin mismatch: expected %r, got %r" % (expected_origin, checkpoint[0])
    return checkpoint, None


# =================================================================================================
# §8 Verification of a ledger file


class Problem:
    def __init__(self, seq, code, message):
        self.seq, self.code, self.message = seq, code, message


def open_read_only(path):
    if not os.path.isfile(path):
        raise UsageError("ledger file not found: %s" % path)
    uri = "file:%s?mode=ro" % urllib.request.pathname2url(os.path.abspath(path))
    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    conn.text_factory = bytes  # TEXT comes back as raw bytes: compare bytes, never re-decode
    return conn


def verify_ledger(db_path, checkpoint_files, trusted_key_text):
    conn = open_read_only(db_path)
    out = []
    try:
        conn.execute("BEGIN")  # one snapshot for the whole check
        meta = dict(conn.execute("SELECT key, value FROM ledger_meta").fetchall())
        if meta.get(b"format") != FORMAT:
            raise UsageError("not a qledger ledger (ledger_meta format is %r)" % meta.get(b"format"))
        origin = meta.get(b"origin", b"").decode("utf-8", "replace")
        problems = []

        # Step 1: the trusted key; the ledger's own copy only as a last resort.
        trusted, key_from_ledger = None, trusted_key_text is None
        if trusted_key_text is not None:
            trusted = parse_verifier_key(trusted_key_text)
        else:
            try:
                trusted = parse_verifier_key(meta.get(b"verifier_key", b"").decode("utf-8"))
            except (UsageError, UnicodeError) as e:
                if checkpoint_files:
                    problems.append(Problem(0, "no_trusted_key",
                                            "no trusted key given and ledger_meta's key is "
                                            "unusable: %s" % e))
        if key_from_ledger and checkpoint_files:
            out.append("warning: no --trusted-key given; checkpoint signatures were checked with "
                       "the key recorded in the ledger itself")

        # Step 2: open every checkpoint; the valid ones become targets (size, root).
        results = []  # per checkpoint file: [name, ok, size, message]
        targets = []  # (file, size, root, result index)
        for path in checkpoint_files:
            with open(path, "rb") as f:
                raw = f.read(64 * 1024 + 1)
            if len(raw) > 64 * 1024:
                raise UsageError("%s is larger than 65536 bytes" % path)
            cp, reason = open_checkpoint(raw, trusted, origin) if trusted else \
                (None, "no signature by trusted key")
            if cp is None:
                results.append([path, False, 0, reason])
                problems.append(Problem(0, "checkpoint_invalid",
                                        "checkpoint %s: %s" % (path, reason)))
            else:
                results.append([path, False, cp[1], ""])
                targets.append((path, cp[1], cp[2], len(results) - 1))

        # Step 3: stream the events in seq order.
        tree = TreeEdge()
        prev = ZERO_HASH
        last_good = 0  # largest checkpoint size found consistent so far

        def check_targets():
            nonlocal last_good
            root = None
            for path, size, cp_root, index in targets:
                if size != tree.size:
                    continue
                root = root or tree.root()
                if cp_root == root:
                    results[index][1] = True
                    results[index][3] = "consistent"
                    last_good = max(last_good, size)
                else:
                    message = ("the root of the first %d events differs from checkpoint %s: "
                               "history between seq %d and %d was rewritten"
                               % (size, path, last_good + 1, size))
                    results[index][3] = message
                    problems.append(Problem(last_good + 1, "rewritten", message))

        check_targets()
        rows = conn.execute("SELECT seq, CAST(kind AS TEXT), CAST(recorded_at AS TEXT), "
                            "CAST(actor AS TEXT), CAST(leaf AS BLOB), CAST(leaf_hash AS BLOB) "
                            "FROM events ORDER BY seq")
        broken = None
        for seq, kind, recorded_at, actor, leaf, stored_hash in rows:
            broken = check_event(conn, tree, prev, seq, kind, recorded_at, actor, leaf or b"",
                                 stored_hash or b"")
            if broken:
                problems.append(broken)
                break
            prev = leaf_hash(leaf)
            check_targets()

        if broken:
            size = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]
            for _path, cp_size, _root, index in targets:
                if not results[index][3]:
                    results[index][3] = "not checked: the ledger is broken before size %d" % cp_size
            root = None
        else:
            # Step 4: the whole file was read.
            size, root = tree.size, tree.root()
            if not problems:
                stored = conn.execute("SELECT COUNT(*) FROM tree_nodes").fetchone()[0]
                expected = size - bin(size).count("1")
                if stored != expected:
                    problems.append(Problem(0, "tree_node_extra",
                                            "tree_nodes holds %d rows; a tree of %d events has %d"
                                            % (stored, size, expected)))
            for path, cp_size, _root, index in targets:
                if cp_size > size:
                    message = ("checkpoint %s signed a tree of %d events but the ledger holds "
                               "only %d: events were deleted from the end or the file was "
                               "replaced by an older copy" % (path, cp_size, size))
                    results[index][3] = message
                    problems.append(Problem(size + 1, "rolled_back", message))
        conn.execute("COMMIT")
    except sqlite3.Error as e:
        raise UsageError("error while reading the ledger: %s" % e)
    finally:
        conn.close()

    for path, ok, cp_size, message in results:
        out.append("checkpoint %s: %s (size %d) %s" % (path, "ok" if ok else "FAILED", cp_size,
                                                        message))
    if not problems:
        out.append("INTACT: %d events, root %s" % (size, root.hex()))
        return 0, out
    first = problems[0]
    where = "first bad seq %d: " % first.seq if first.seq else ""
    out.append("TAMPERED: %s%s [%s]" % (where, first.message, first.code))
    out += ["  also: %s [%s]" % (p.message, p.code) for p in problems[1:]]
    return 1, out


def check_event(conn, tree, prev, seq, kind, recorded_at, actor, leaf, stored_hash):
    """§8 step 3, checks a) to g) for one row; returns a Problem or None. Appends the leaf."""
    expected = tree.size + 1
    if seq != expected:  # a) contiguity
        return Problem(expected, "missing_event",
                       "event %d is missing (the next row is seq %d)" % (expected, seq))
    computed = leaf_hash(leaf)
    if stored_hash != computed:  # b) the stored leaf hash
        return Problem(seq, "leaf_hash_mismatch",
                       "event %d: stored leaf_hash is not SHA-256(0x00 || leaf)" % seq)
    try:  # c) a valid version-1 leaf, canonical bytes
        fields = decode_leaf(leaf)
    except ValueError as e:
        return Problem(seq, "leaf_malformed", "event %d: leaf is not a valid v1 leaf (%s)" % (seq, e))
    if fields["seq"] != seq:  # d) the row holds its own leaf
        return Problem(seq, "seq_mismatch", "row %d holds the leaf of event %d" % (seq, fields["seq"]))
    if (kind, recorded_at, actor) != tuple(fields[k].encode("utf-8")
                                           for k in ("kind", "recorded_at", "actor")):
        return Problem(seq, "column_mismatch",  # e) convenience columns equal the hashed leaf
                       "event %d: kind/recorded_at/actor columns differ from the leaf" % seq)
    if fields["prev"] != prev.hex():  # f) the chain
        return Problem(seq, "chain_broken",
                       "event %d: prev is not the leaf hash of event %d" % (seq, seq - 1))
    for level, idx, node in tree.append(computed):  # g) stored perfect nodes
        row = conn.execute("SELECT CAST(hash AS BLOB) FROM tree_nodes WHERE level = ? AND idx = ?",
                           (level, idx)).fetchone()
        if row is None or row[0] != node:
            return Problem(seq, "tree_node_mismatch",
                           "Merkle node (level %d, index %d) completed by event %d is missing or "
                           "differs" % (level, idx, seq))
    return None


# =================================================================================================
# §6 Proof documents


def hex_hash(value, what):
    if not isinstance(value, str) or len(value) != 64:
        raise ValueError("%s must be 64 hex digits" % what)
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise ValueError("%s must be 64 hex digits" % what)


def check_proof_document(doc, checkpoints):
    """Returns None if valid, else the reason."""
    def size(key):
        v = doc.get(key)
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise ValueError("%s must be a non-negative integer" % key)
        return v

    proof = doc.get("proof")
    if not isinstance(proof, list) or len(proof) > 128:
        raise ValueError("proof must be an array of at most 128 hashes")
    proof = [hex_hash(p, "proof element") for p in proof]
    if doc.get("type") == "inclusion":
        seq, tree_size = size("seq"), size("tree_size")
        lh, root = hex_hash(doc.get("leaf_hash"), "leaf_hash"), hex_hash(doc.get("root_hash"), "root_hash")
        if seq < 1:
            return "seq must be at least 1"
        if "leaf" in doc and leaf_hash(doc["leaf"].encode("utf-8")) != lh:
            return "leaf_hash is not SHA-256(0x00 || leaf)"
        reason = verify_inclusion(seq - 1, tree_size, lh, proof, root)
        heads = [(tree_size, root)]
    elif doc.get("type") == "consistency":
        m, n = size("from_size"), size("to_size")
        old, new = hex_hash(doc.get("from_root"), "from_root"), hex_hash(doc.get("to_root"), "to_root")
        reason = verify_consistency(m, n, old, new, proof)
        heads = [(m, old), (n, new)]
    else:
        raise ValueError("unknown proof type")
    if reason:
        return reason
    origin = doc.get("origin") or ""
    for cp_origin, cp_size, cp_root in checkpoints:
        if origin and cp_origin != origin:
            return "checkpoint origin %r differs from the proof's %r" % (cp_origin, origin)
        if (cp_size, cp_root) not in heads:
            return "checkpoint at size %d does not match the proof's tree head" % cp_size
    return None


def verify_proof_file(path, checkpoint_files, trusted_key_text):
    try:
        with open(path, "rb") as f:
            doc = json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError) as e:
        raise UsageError("cannot read proof %s: %s" % (path, e))
    checkpoints = []
    if checkpoint_files:
        if trusted_key_text is None:
            raise UsageError("--checkpoint with --proof needs --trusted-key")
        trusted = parse_verifier_key(trusted_key_text)
        for cp_path in checkpoint_files:
            with open(cp_path, "rb") as f:
                cp, reason = open_checkpoint(f.read(), trusted, "")
            if cp is None:
                return 1, ["INVALID: checkpoint %s: %s" % (cp_path, reason)]
            checkpoints.append(cp)
    try:
        reason = check_proof_document(doc, checkpoints)
    except (ValueError, AttributeError) as e:
        raise UsageError("malformed proof document: %s" % e)
    if reason:
        return 1, ["INVALID: %s" % reason]
    return 0, ["VALID" + (" (against %d signed checkpoint(s))" % len(checkpoints)
                          if checkpoints else "")]


# =================================================================================================


def trusted_key_argument(arg):
    """A note-form key, or the path of a file holding one; surrounding white space ignored."""
    if arg is None:
        return None
    if os.path.isfile(arg):
        with open(arg, encoding="utf-8") as f:
            return f.read().strip()
    return arg.strip()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--db", help="ledger file to verify")
    what.add_argument("--proof", help="proof document (JSON) to check")
    parser.add_argument("--checkpoint", action="append", default=[], help="signed checkpoint note")
    parser.add_argument("--trusted-key", help="note-form verifier key, or a file holding it")
    args = parser.parse_args(argv)
    try:
        key = trusted_key_argument(args.trusted_key)
        if args.db:
            code, lines = verify_ledger(args.db, args.checkpoint, key)
        else:
            code, lines = verify_proof_file(args.proof, args.checkpoint, key)
    except (UsageError, OSError) as e:
        print("ERROR: %s" % e)
        return 2
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
