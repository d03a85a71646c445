#!/usr/bin/env python3
"""The xlsx report holds the JSON report's numbers, read back independently.

Builds a demo ledger with the CLI, writes the report of 2026-Q3 as JSON and as xlsx, then opens
the workbook with nothing but zipfile and xml.etree (the OOXML parts: xl/workbook.xml for the
sheet names, xl/sharedStrings.xml, xl/worksheets/sheetN.xml) and compares every figure total,
breakdown group, monthly value and seq with the JSON document. Numbers must be numeric cells.
Also checks that the same tree size gives the same bytes.

usage: tests/report_xlsx_test.py PATH/TO/qledger [ARTIFACT_DIR]
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STATUS_ZH = {"met": "达标", "below_target": "低于目标", "above_target": "超过限值",
             "not_yet_decidable": "尚不能判定", "report_only": "仅报告", "no_data": "无数据"}
DIMENSION_ZH = {"township": "乡镇", "industry": "产业类别", "plan_level": "计划层级",
                "category": "类别"}

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def run(*args):
    return subprocess.run(args, check=True, capture_output=True).stdout


def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def read_workbook(path):
    """{sheet name: [[cell or None, ...], ...]}; a cell is ('s', text) or ('n', float)."""
    with zipfile.ZipFile(path) as z:
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
                shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
        book = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = {r.get("Id"): r.get("Target") for r in rels}
        sheets = {}
        for s in book.find("m:sheets", NS):
            part = "xl/" + target[s.get("{%s}id" % REL_NS)]
            rows = []
            for row in ET.fromstring(z.read(part)).find("m:sheetData", NS):
                r = int(row.get("r")) - 1
                while len(rows) <= r:
                    rows.append([])
                cells = rows[r]
                for c in row.findall("m:c", NS):
                    i = col_index(c.get("r"))
                    while len(cells) <= i:
                        cells.append(None)
                    v = c.find("m:v", NS)
                    if v is None:
                        continue
                    if c.get("t") == "s":
                        cells[i] = ("s", shared[int(v.text)])
                    elif c.get("t") in (None, "n"):
                        cells[i] = ("n", float(v.text))
                    else:
                        cells[i] = (c.get("t"), v.text)
            sheets[s.get("name")] = rows
        return sheets


def cell(rows, r, c):
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else None


def num(rows, r, c):
    v = cell(rows, r, c)
    check(v is not None and v[0] == "n", f"cell ({r},{c}) is not a number: {v}")
    return v[1] if v and v[0] == "n" else None


def text(rows, r, c):
    v = cell(rows, r, c)
    return v[1] if v and v[0] == "s" else None


def close(a, b):
    return a is not None and b is not None and abs(a - b) <= 1e-9


def check_values(rows, r, c, value, where):
    """分子 分母 待定 比率 下限 上限 状态 挽回金额 from column c."""
    check(num(rows, r, c) == value["numerator"], f"{where}: numerator")
    check(num(rows, r, c + 1) == value["denominator"], f"{where}: denominator")
    check(num(rows, r, c + 2) == value["pending"], f"{where}: pending")
    if value["rate"] is None:
        check(cell(rows, r, c + 3) is None, f"{where}: rate should be empty")
    else:
        check(close(num(rows, r, c + 3), value["rate"]), f"{where}: rate")
    if value["interval"] is not None:
        check(close(num(rows, r, c + 4), value["interval"]["lower"]), f"{where}: lower")
        check(close(num(rows, r, c + 5), value["interval"]["upper"]), f"{where}: upper")
    check(text(rows, r, c + 6) == STATUS_ZH[value["status"]], f"{where}: status")
    if "amount_yuan" in value:
        check(close(num(rows, r, c + 7), float(value["amount_yuan"])), f"{where}: yuan")


def main():
    qledger = os.path.abspath(sys.argv[1])
    artifacts = sys.argv[2] if len(sys.argv) > 2 else None
    if artifacts:
        os.makedirs(artifacts, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="qledger-xlsx-") as work:
        db = os.path.join(work, "county.db")
        run(qledger, "demo", "--db", db, "--start", "2026-06-01", "--end", "2026-10-31")
        report = json.loads(run(qledger, "report", "--db", db, "--period", "2026-Q3"))
        out = os.path.join(artifacts or work, "report-2026-Q3.xlsx")
        run(qledger, "report", "--db", db, "--period", "2026-Q3", "--format", "xlsx", "--out", out)
        again = os.path.join(work, "again.xlsx")
        run(qledger, "report", "--db", db, "--period", "2026-Q3", "--format", "xlsx",
            "--at-size", str(report["tree_size"]), "--out", again)
        with open(out, "rb") as a, open(again, "rb") as b:
            check(a.read() == b.read(), "the same tree size gave different xlsx bytes")
        sheets = read_workbook(out)

    check(list(sheets) == ["汇总", "分组", "按月", "定义", "事件序号", "检查点"],
          f"sheet names: {list(sheets)}")
    s = sheets["汇总"]
    check(text(s, 0, 1) == report["period"], "period")
    check(text(s, 3, 1) == report["as_of"], "as_of")
    check(num(s, 4, 1) == report["tree_size"], "tree size")
    check(text(s, 5, 1) == report["root_hash"], "root hash")
    check(text(s, 8, 0) == "指标代码" and text(s, 8, 5) == "分子", "summary headers")
    figures = report["figures"]
    check(len(figures) > 10, "too few figures in the JSON report")
    nonzero = 0
    for i, f in enumerate(figures):
        r = 9 + i
        check(text(s, r, 0) == f["id"], f"summary row {r}: id")
        check(text(s, r, 1) == f["name_zh"], f"summary row {r}: name")
        check_values(s, r, 5, f, f["id"])
        nonzero += f["denominator"] > 0
    check(nonzero >= 5, "the demo period should give most figures data")
    check(cell(s, 9 + len(figures), 0) is None, "extra summary rows")

    g = sheets["分组"]
    check(text(g, 0, 3) == "分组", "breakdown headers")
    r = 1
    for f in figures:
        for dim in sorted(f["breakdowns"]):
            for group in f["breakdowns"][dim]:
                check(text(g, r, 0) == f["id"], f"breakdown row {r}: id")
                check(text(g, r, 2) == DIMENSION_ZH[dim], f"breakdown row {r}: dimension")
                check_values(g, r, 4, group, f"{f['id']}/{dim}/{group['group']}")
                r += 1
    check(r > 20 and cell(g, r, 0) is None, f"breakdown rows: {r - 1}")

    m = sheets["按月"]
    r = 1
    for month in report["monthly"]:
        for f in figures:
            check(text(m, r, 0) == month["month"] and text(m, r, 1) == f["id"], f"monthly {r}")
            check_values(m, r, 3, month["figures"][f["id"]], f"{month['month']}/{f['id']}")
            r += 1
    check(len(report["monthly"]) == 3, "Q3 has three months")

    q = sheets["事件序号"]
    expected = [(f["id"], role, seq) for f in figures
                for role, key in (("分子", "numerator_seqs"), ("分母", "denominator_seqs"),
                                  ("待定", "pending_seqs")) for seq in f[key]]
    got = [(text(q, r, 0), text(q, r, 1), num(q, r, 2)) for r in range(1, len(q))]
    check(got == expected, f"seqs sheet: {len(got)} rows, expected {len(expected)}")

    note = [text(sheets["检查点"], r, 0) or "" for r in range(1, len(sheets["检查点"]))]
    check("\n".join(note) + "\n" == report["checkpoint"], "checkpoint lines")

    for f in failures[:30]:
        print("FAIL:", f)
    print(f"{len(failures)} failures; {len(figures)} figures, {len(expected)} seqs checked")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
