#!/usr/bin/env python3
"""Generates tests/data/golden/ledger-v1.json: golden vectors for the qledger ledger format v1.

Everything here is computed from docs/ledger-format.md alone, with the Python standard library
(hashlib, base64, json) and a from-the-RFC Ed25519 implementation (RFC 8032 §6). No qledger code
is used or imported: tests/format_test.cpp then checks that the C++ library produces exactly
these bytes, so the document, this script and the C++ code must all agree.

Usage:  python3 tests/data/golden/generate.py            # rewrites ledger-v1.json
        python3 tests/data/golden/generate.py --check    # exits 1 if the file would change
        python3 tests/data/golden/generate.py --snippets # prints the doc's worked examples

The inputs are fixed, Ed25519 is deterministic: the output never changes unless the format does,
and the format must not change (a new format gets a new version and a new golden file).
"""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "ledger-v1.json")

# ------------------------------------------------------------------------------------------------
# Canonical JSON profile (doc §3). Values are Python dict / list / str / int / bool / None.

MAX_SAFE = 2**53 - 1
MAX_DEPTH = 32


class ProfileError(Exception):
    pass


def check_profile(value, depth=0):
    """Raises ProfileError unless `value` is inside the profile (doc §3.1)."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        if not -MAX_SAFE <= value <= MAX_SAFE:
            raise ProfileError("integer_out_of_range")
        return
    if isinstance(value, str):
        try:
            value.encode("utf-8")  # fails on lone surrogates
        except UnicodeEncodeError:
            raise ProfileError("lone_surrogate")
        return
    if isinstance(value, (list, dict)):
        if depth + 1 > MAX_DEPTH:
            raise ProfileError("too_deep")
        if isinstance(value, dict):
            for key, member in value.items():
                raw = key.encode("utf-8", "surrogatepass")
                if not 1 <= len(raw) <= 64 or any(b < 0x20 or b > 0x7E for b in raw):
                    raise ProfileError("bad_key")
                check_profile(member, depth + 1)
        else:
            for member in value:
                check_profile(member, depth + 1)
        return
    raise ProfileError("float_not_allowed" if isinstance(value, float) else "invalid_json")


def encode_string(s):
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\r":
            out.append("\\r")
        elif c < 0x20:
            out.append("\\u%04x" % c)
        else:
            out.append(ch)  # everything else verbatim, including U+007F and non-ASCII
    out.append('"')
    return "".join(out)


def encode_value(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return encode_string(v)
    if isinstance(v, list):
        return "[" + ",".join(encode_value(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v, key=lambda k: k.encode("utf-8"))  # bytewise
        return "{" + ",".join(encode_string(k) + ":" + encode_value(v[k]) for k in keys) + "}"
    raise ProfileError("not encodable")


def canonical(value):
    """The canonical bytes of a profile value."""
    check_profile(value)
    return encode_value(value).encode("utf-8")


def _no_constants(name):
    raise ProfileError("invalid_json")


def _pairs(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise ProfileError("duplicate_key")
        seen[k] = v
    return seen


def parse_profile(data):
    """Parses JSON text (bytes) into a profile value; raises ProfileError (code unspecified)."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise ProfileError("invalid_json")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProfileError("invalid_utf8")
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constants)
    except ProfileError:
        raise
    except (ValueError, RecursionError):
        raise ProfileError("invalid_json")
    check_profile(value)
    return value


# ------------------------------------------------------------------------------------------------
# Leaves (doc §4), hashing and Merkle trees (doc §5).

ZERO_PREV = "0" * 64


def encode_leaf(seq, kind, actor, recorded_at, payload, prev_hex):
    return canonical({"v": 1, "seq": seq, "kind": kind, "actor": actor,
                      "recorded_at": recorded_at, "payload": payload, "prev": prev_hex})


def sha256(b):
    return hashlib.sha256(b).digest()


def leaf_hash(leaf_bytes):
    return sha256(b"\x00" + leaf_bytes)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def largest_power_of_two_below(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves):
    """RFC 9162 §2.1.1 MTH over a list of leaf hashes."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[0]
    k = largest_power_of_two_below(n)
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m, leaves):
    """RFC 9162 §2.1.3.1 PATH(m, D[n])."""
    n = len(leaves)
    if n == 1:
        return []
    k = largest_power_of_two_below(n)
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m, leaves, b):
    n = len(leaves)
    if m == n:
        return [] if b else [mth(leaves)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return subproof(m, leaves[:k], b) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def consistency(m, leaves):
    """RFC 9162 §2.1.4.1 PROOF(m, D[n])."""
    return subproof(m, leaves, True)


def perfect_nodes(leaves):
    """Every complete subtree of level >= 1: (level, idx) -> hash (doc §5.3)."""
    out = []
    level, row = 0, list(leaves)
    while len(row) >= 2:
        level += 1
        row = [node_hash(row[2 * i], row[2 * i + 1]) for i in range(len(row) // 2)]
        out += [(level, i, h) for i, h in enumerate(row)]
    return out


# ------------------------------------------------------------------------------------------------
# Ed25519, RFC 8032 §6 reference implementation (signing only what we need).

P = 2**255 - 19
Q = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(p1, p2):
    a = (p1[1] - p1[0]) * (p2[1] - p2[0]) % P
    b = (p1[1] + p1[0]) * (p2[1] + p2[0]) % P
    c = 2 * p1[3] * p2[3] * D % P
    d = 2 * p1[2] * p2[2] % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f, g * h, f * g, e * h)


def _mul(s, pt):
    acc = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            acc = _add(acc, pt)
        pt = _add(pt, pt)
        s >>= 1
    return acc


def _recover_x(y, sign):
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    if x2 == 0:
        return 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x & 1) != sign:
        x = P - x
    return x


_GY = 4 * pow(5, P - 2, P) % P
_GX = _recover_x(_GY, 0)
G = (_GX, _GY, 1, _GX * _GY % P)


def _compress(pt):
    zinv = pow(pt[2], P - 2, P)
    x, y = pt[0] * zinv % P, pt[1] * zinv % P
    return int.to_bytes(y | ((x & 1) << 255), 32, "little")


def _expand(seed):
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return a, h[32:]


def ed25519_public(seed):
    return _compress(_mul(_expand(seed)[0], G))


def ed25519_sign(seed, msg):
    a, prefix = _expand(seed)
    pub = _compress(_mul(a, G))
    r = int.from_bytes(hashlib.sha512(prefix + msg).digest(), "little") % Q
    big_r = _compress(_mul(r, G))
    h = int.from_bytes(hashlib.sha512(big_r + pub + msg).digest(), "little") % Q
    return big_r + int.to_bytes((r + h * a) % Q, 32, "little")


# RFC 8032 §7.1 TEST 1: the fixed key of the golden checkpoints.
RFC8032_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUB = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC8032_SIG_EMPTY = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
assert ed25519_public(RFC8032_SEED) == RFC8032_PUB
assert ed25519_sign(RFC8032_SEED, b"") == RFC8032_SIG_EMPTY

SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")  # SubjectPublicKeyInfo, Ed25519
PKCS8_PREFIX = bytes.fromhex("302e020100300506032b657004220420")  # PKCS#8 private key, Ed25519


def openssl_sign(seed, msg):
    """Cross-check: the same signature from the stock openssl tool (None if not installed)."""
    if shutil.which("openssl") is None:
        return None
    with tempfile.TemporaryDirectory() as d:
        key = os.path.join(d, "k.pem")
        with open(key, "w") as f:
            f.write(pem("PRIVATE KEY", PKCS8_PREFIX + seed))
        with open(os.path.join(d, "m"), "wb") as f:
            f.write(msg)
        subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", key,
                        "-in", os.path.join(d, "m"), "-out", os.path.join(d, "s")], check=True)
        with open(os.path.join(d, "s"), "rb") as f:
            return f.read()


# ------------------------------------------------------------------------------------------------
# Signed notes and checkpoints (doc §7).

def pem(label, der):
    b64 = base64.b64encode(der).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(lines), label)


def key_id(name, pub):
    return sha256(name.encode() + b"\n" + b"\x01" + pub)[:4]


def verifier_key(name, pub):
    return "%s+%s+%s" % (name, key_id(name, pub).hex(), base64.b64encode(b"\x01" + pub).decode())


def checkpoint_body(origin, size, root):
    return ("%s\n%d\n%s\n" % (origin, size, base64.b64encode(root).decode())).encode()


def signed_note(body, name, seed):
    sig = ed25519_sign(seed, body)
    blob = key_id(name, ed25519_public(seed)) + sig
    line = "\u2014 %s %s\n" % (name, base64.b64encode(blob).decode())
    return sig, body + b"\n" + line.encode()


# ------------------------------------------------------------------------------------------------
# The fixed inputs.

# A single leaf exercising the whole profile: non-ASCII (2-, 3- and 4-byte UTF-8, U+2028), every
# escape, DEL (verbatim), '/', integers at the safe limits, nested containers, keys that sort
# differently by bytes than by case-insensitive order, and a key holding '"' and '\'.
RICH_LEAF = {
    "seq": 42,
    "kind": "sample.result",
    "actor": "检查员 Zhang Wei",
    "recorded_at": "2026-03-15T08:30:00.250Z",
    "prev": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",  # SHA-256("test")
    "payload": {
        "sample_no": "HS-2026-0042",
        "product": "山茶油 (camellia oil) 500 mL",
        "conclusion": "不合格",
        "items": [
            {"item": "酸价 acid value", "measured": "3.5", "limit": "3.0", "unit": "mg/g",
             "standard": "GB/T 11765-2018"},
            {"item": "苯并[a]芘", "measured": "12.50", "limit": "10", "unit": "µg/kg",
             "standard": "GB 2762"},
        ],
        "counts": {"zero": 0, "negative": -1, "max_safe": 9007199254740991,
                   "min_safe": -9007199254740991},
        "flags": [True, False, None],
        "note": "line1\nline2\ttab \"quoted\" back\\slash /slash \u0001\u001f\u007f \u2028 😀 é",
        "Zeta": "upper-case keys sort before lower-case ones",
        "a b": "space sorts first",
        "a_b": "'_' (0x5F) sorts before 'a'..'z'",
        "q\"k\\": "a key may hold '\"' and '\\\\'",
        "empty": {"object": {}, "array": [], "string": ""},
    },
}

ORIGIN = "qledger.example/golden"

# The golden ledger: eight events appended one by one (seq 1..8, chained).
LEDGER_EVENTS = [
    ("ledger.note", "admin", "2026-01-05T01:00:00.000Z", {"text": "ledger opened"}),
    ("entity.registered", "admin", "2026-01-05T01:02:03.004Z",
     {"credit_code": "91341525MA2N00000X", "name": "霍山县示例食品有限公司", "township": "衡山镇",
      "industry": "eco_food"}),
    ("sample.result", "inspector-07", "2026-01-06T02:30:00.500Z",
     {"sample_no": "HS-2026-0001", "regime": "food", "conclusion": "pass", "items": []}),
    ("complaint.received", "inspector-07", "2026-01-06T02:31:00.000Z",
     {"channel": "12315", "amount_yuan": 1280, "category": "goods"}),
    ("sample.result", "inspector-09", "2026-01-07T03:00:00.999Z",
     {"sample_no": "HS-2026-0002", "regime": "product", "conclusion": "fail",
      "items": [{"item": "lead", "measured": "0.35", "limit": "0.2", "unit": "mg/kg"}]}),
    ("sample.retest", "inspector-09", "2026-01-20T03:00:00.000Z",
     {"of_seq": 5, "conclusion": "fail", "final": True}),
    ("correction", "supervisor", "2026-01-21T04:05:06.007Z",
     {"of_seq": 4, "field": "amount_yuan", "value": 1208, "reason": "typo 1280 -> 1208"}),
    ("ledger.note", "admin", "2026-02-28T23:59:59.999Z", {"text": "end of golden ledger"}),
]

# Canonical JSON profile cases: (input bytes, canonical bytes or None, code when rejected).
CANONICAL_CASES = [
    (b' { "b" : 1 , "a" : [ true , false , null ] }\n', b'{"a":[true,false,null],"b":1}', None),
    (b'{"a":2,"_":3,"B":1,"A b":4,"a1":5}', b'{"A b":4,"B":1,"_":3,"a":2,"a1":5}', None),
    (b'"\\u00E9\\u4e2d\\ud83d\\ude00"', '"é中😀"'.encode(), None),
    (b'"\\/\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u001F\\u007f\\u2028"',
     '"/\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u001f\x7f\u2028"'.encode(), None),
    (b'-0', b'0', None),
    (b'[9007199254740991,-9007199254740991,0,-1,10]', b'[9007199254740991,-9007199254740991,0,-1,10]', None),
    (b'{"a":{"b":{}},"c":[]}', b'{"a":{"b":{}},"c":[]}', None),
    (b'{"k\\"q":"x"}', b'{"k\\"q":"x"}', None),
    (b'1.0', None, "float_not_allowed"),
    (b'1e3', None, "float_not_allowed"),
    (b'9007199254740992', None, "integer_out_of_range"),
    (b'-9007199254740992', None, "integer_out_of_range"),
    (b'{"a":1,"a":1}', None, "duplicate_key"),
    (b'"\\ud800"', None, "lone_surrogate"),
    (b'"\xff"', None, "invalid_utf8"),
    (b'{"":1}', None, "bad_key"),
    ('{"é":1}'.encode(), None, "bad_key"),
    (b'{"' + b"k" * 65 + b'":1}', None, "bad_key"),
    (b"[" * 33 + b"]" * 33, None, "too_deep"),
    (b"NaN", None, "invalid_json"),
    (b'\xef\xbb\xbf{}', None, "invalid_json"),
    (b'{"a":1} x', None, "invalid_json"),
]


# ------------------------------------------------------------------------------------------------

def hexs(hashes):
    return [h.hex() for h in hashes]


def build():
    golden = {
        "about": "qledger ledger format v1 golden vectors; see docs/ledger-format.md §9. Generated "
                 "by tests/data/golden/generate.py from the document alone; checked against the "
                 "C++ library by tests/format_test.cpp. Hashes and byte strings are lower-case hex.",
        "format": "qledger-ledger/1",
        "leaf_encoding_version": 1,
    }

    # Canonical JSON cases.
    cases = []
    for data, expected, code in CANONICAL_CASES:
        try:
            got = canonical(parse_profile(data))
        except ProfileError:
            got = None
        assert got == expected, (data, got, expected)
        case = {"input_hex": data.hex()}
        if expected is None:
            case["error"] = code
        else:
            case["canonical_hex"] = expected.hex()
            case["canonical"] = expected.decode()
        cases.append(case)
    golden["canonical_json"] = cases

    # The rich leaf.
    r = RICH_LEAF
    leaf = encode_leaf(r["seq"], r["kind"], r["actor"], r["recorded_at"], r["payload"], r["prev"])
    assert canonical(parse_profile(leaf)) == leaf
    golden["leaf"] = dict(r, leaf_hex=leaf.hex(), leaf_text=leaf.decode(),
                          leaf_hash=leaf_hash(leaf).hex())

    # The eight-event ledger.
    events, hashes, prev = [], [], ZERO_PREV
    for i, (kind, actor, at, payload) in enumerate(LEDGER_EVENTS):
        seq = i + 1
        b = encode_leaf(seq, kind, actor, at, payload, prev)
        h = leaf_hash(b)
        events.append({"seq": seq, "kind": kind, "actor": actor, "recorded_at": at,
                       "payload": payload, "prev": prev, "leaf_hex": b.hex(),
                       "leaf_text": b.decode(), "leaf_hash": h.hex()})
        hashes.append(h)
        prev = h.hex()
    roots = [{"tree_size": n, "root_hash": mth(hashes[:n]).hex()} for n in range(0, 9)]
    inclusion = []
    for seq, size in [(1, 1), (1, 8), (3, 3), (3, 7), (6, 8), (7, 7), (8, 8)]:
        inclusion.append({"seq": seq, "leaf_index": seq - 1, "tree_size": size,
                          "proof": hexs(path(seq - 1, hashes[:size]))})
    consistency_proofs = []
    for m, n in [(1, 1), (1, 8), (2, 5), (3, 7), (4, 8), (6, 8), (7, 8)]:
        consistency_proofs.append({"from_size": m, "to_size": n,
                                   "proof": hexs(consistency(m, hashes[:n]))})
    golden["ledger"] = {
        "origin": ORIGIN,
        "events": events,
        "roots": roots,
        "tree_nodes": [{"level": lv, "idx": ix, "hash": h.hex()} for lv, ix, h in perfect_nodes(hashes)],
        "inclusion_proofs": inclusion,
        "consistency_proofs": consistency_proofs,
    }

    # Checkpoints of that ledger at sizes 3 and 8, signed with the RFC 8032 test-1 key.
    pub = ed25519_public(RFC8032_SEED)
    golden["key"] = {
        "name": ORIGIN,
        "seed_hex": RFC8032_SEED.hex(),
        "public_key_hex": pub.hex(),
        "key_id_hex": key_id(ORIGIN, pub).hex(),
        "verifier_key": verifier_key(ORIGIN, pub),
        "public_key_pem": pem("PUBLIC KEY", SPKI_PREFIX + pub),
    }
    checkpoints = []
    for size in (3, 8):
        body = checkpoint_body(ORIGIN, size, mth(hashes[:size]))
        sig, note = signed_note(body, ORIGIN, RFC8032_SEED)
        from_openssl = openssl_sign(RFC8032_SEED, body)
        assert from_openssl in (None, sig), "openssl disagrees with the RFC 8032 code"
        checkpoints.append({"tree_size": size, "root_hash": mth(hashes[:size]).hex(),
                            "body": body.decode(), "signature_hex": sig.hex(),
                            "note": note.decode()})
    golden["checkpoints"] = checkpoints
    return golden


def serialize(golden):
    return json.dumps(golden, indent=2, ensure_ascii=False) + "\n"


def snippets(golden):
    """Prints the worked examples the document quotes."""
    leaf = golden["leaf"]
    print("RICH LEAF TEXT:\n" + leaf["leaf_text"])
    print("RICH LEAF LEN:", len(bytes.fromhex(leaf["leaf_hex"])), "HASH:", leaf["leaf_hash"])
    ev = golden["ledger"]["events"]
    for e in ev[:3]:
        print("EVENT %d (%d bytes): %s\n  hash %s" % (e["seq"], len(bytes.fromhex(e["leaf_hex"])),
                                                     e["leaf_text"], e["leaf_hash"]))
    for r in golden["ledger"]["roots"]:
        print("ROOT %d %s" % (r["tree_size"], r["root_hash"]))
    for t in golden["ledger"]["tree_nodes"]:
        print("NODE", t)
    print(json.dumps(golden["key"], indent=2))
    for c in golden["checkpoints"]:
        print(c["note"])
        print("sig", c["signature_hex"])


def main():
    golden = build()
    text = serialize(golden)
    if "--snippets" in sys.argv:
        snippets(golden)
        return 0
    if "--check" in sys.argv:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                print("ledger-v1.json is out of date", file=sys.stderr)
                return 1
        print("ledger-v1.json is up to date")
        return 0
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote", OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
