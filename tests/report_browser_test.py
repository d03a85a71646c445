#!/usr/bin/env python3
"""The HTML report, printed by a real browser (headless chromium), is an A4 document.

Builds a demo ledger with the CLI, writes the HTML report of 2026-10 (month) and 2026-Q3
(quarter), checks that the HTML refers to nothing outside itself (no http(s) URLs in src/href/
url(), no scripts, no <link>, no @import), prints each to PDF with chromium and checks,
reading the PDF bytes directly, that every page is A4 (595 x 842 pt, ±2) and that the page
count is in the expected range. Also takes a PNG screenshot of the first screenful.
The HTML, PDF and PNG files stay in ARTIFACT_DIR for people to look at.

usage: tests/report_browser_test.py PATH/TO/qledger ARTIFACT_DIR [CHROMIUM]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw).stdout


def check_self_contained(html, name):
    lower = html.lower()
    check("<script" not in lower, f"{name}: has a <script>")
    check("<link" not in lower, f"{name}: has a <link>")
    check("@import" not in lower, f"{name}: has an @import")
    check("<iframe" not in lower and "<object" not in lower and "<embed" not in lower,
          f"{name}: embeds a frame or object")
    for m in re.finditer(r"""(?:src|href|srcset|action|data)\s*=\s*["']?\s*([^"'\s>]+)""", lower):
        check(not re.match(r"(?:https?:)?//", m.group(1)), f"{name}: external reference {m.group(1)}")
    for m in re.finditer(r"url\(\s*['\"]?([^'\")\s]+)", lower):
        check(not re.match(r"(?:https?:)?//", m.group(1)), f"{name}: external url() {m.group(1)}")
    check("<svg" in lower, f"{name}: no inline SVG chart")


def pdf_pages(data):
    """MediaBoxes of the page objects (a page without its own box inherits its parent's)."""
    boxes = [tuple(float(x) for x in m.groups()) for m in re.finditer(
        rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", data)]
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    return pages, boxes


def main():
    qledger = os.path.abspath(sys.argv[1])
    artifacts = os.path.abspath(sys.argv[2])
    chromium = sys.argv[3] if len(sys.argv) > 3 else shutil.which("chromium") or "/usr/bin/chromium"
    os.makedirs(artifacts, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="qledger-browser-") as work:
        db = os.path.join(work, "county.db")
        run(qledger, "demo", "--db", db, "--start", "2026-06-01", "--end", "2026-10-31")
        # (period, minimum pages, maximum pages)
        for period, low, high in (("2026-10", 5, 16), ("2026-Q3", 7, 20)):
            html_path = os.path.join(artifacts, f"report-{period}.html")
            pdf_path = os.path.join(artifacts, f"report-{period}.pdf")
            png_path = os.path.join(artifacts, f"report-{period}.png")
            for p in (pdf_path, png_path):
                if os.path.exists(p):
                    os.remove(p)
            run(qledger, "report", "--db", db, "--period", period, "--format", "html",
                "--out", html_path)
            with open(html_path, encoding="utf-8") as f:
                html = f.read()
            check_self_contained(html, period)
            check('lang="zh-CN"' in html, f"{period}: not marked zh-CN")
            profile = os.path.join(work, "profile")
            common = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                      "--no-first-run", "--disable-extensions", "--user-data-dir=" + profile,
                      "--no-pdf-header-footer"]
            run(*common, "--print-to-pdf=" + pdf_path, "file://" + html_path, timeout=120)
            run(*common, "--window-size=900,1270", "--screenshot=" + png_path,
                "file://" + html_path, timeout=120)
            check(os.path.getsize(png_path) > 10000, f"{period}: screenshot is empty")
            with open(pdf_path, "rb") as f:
                data = f.read()
            check(data.startswith(b"%PDF-"), f"{period}: not a PDF")
            pages, boxes = pdf_pages(data)
            check(low <= pages <= high, f"{period}: {pages} pages, expected {low}..{high}")
            check(len(boxes) >= 1, f"{period}: no MediaBox")
            for b in boxes:
                w, h = b[2] - b[0], b[3] - b[1]
                check(abs(w - 595.3) <= 2 and abs(h - 841.9) <= 2, f"{period}: page {w}x{h} pt")
            print(f"{period}: {pages} pages, {len(html)} bytes of HTML -> {pdf_path}")
    for f in failures[:30]:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
