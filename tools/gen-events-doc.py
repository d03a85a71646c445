#!/usr/bin/env python3
"""Generates docs/events.md from schema/events.json (the machine-readable event schemas).

    tools/gen-events-doc.py           rewrite docs/events.md
    tools/gen-events-doc.py --check   exit 1 if docs/events.md is not what the schema implies

CTest runs --check, so the document cannot drift from the schema the validator compiles in.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schema" / "events.json"
DOC = ROOT / "docs" / "events.md"

INTRO = """# Event kinds and their payloads

Every record in qledger is an event appended to the ledger (see `ledger-format.md` for how it is
hashed). This document lists every event kind, its payload fields, and the rules the one validator
(`include/qledger/event_rules.hpp`) applies — the same for the CLI, the HTTP forms, the JSON API and
CSV import. **Generated from `schema/events.json` by `tools/gen-events-doc.py`; do not edit by hand.**

## How validation answers

A refused event writes nothing. The answer lists every problem as `(field, code, message in
English, message in Chinese)`; `field` is a path inside the payload (`failed_items/0/limit`).
Field-level problems (required, type, enum, length, date, identifier) are all reported together;
rules that compare fields, and rules about existing records, run once the fields are well-formed.

## Field types

| type | accepted values |
|---|---|
| `text` | one line of UTF-8, no control characters, at most `max_length` characters (default 200); a required text may not be blank |
| `long_text` | like `text` but line breaks (`\\n`) allowed; default limit 2000 characters |
| `code` | a record number: 1–64 of `A–Z a–z 0–9 - _ / .` |
| `date` | `YYYY-MM-DD`, a real calendar date, not before 1950, not after today (Asia/Shanghai) unless marked *future allowed* |
| `instant` | RFC 3339 time with `Z` or an offset, e.g. `2026-11-27T14:30:00+08:00`; its Asia/Shanghai date may not be after today |
| `integer` | a JSON integer within the stated range (counts are never negative) |
| `boolean` | `true` or `false` |
| `enum` | one of the listed codes (the Chinese label is for display) |
| `money` | a decimal string in yuan, non-negative, at most 2 decimals: `"0"`, `"12.5"`, `"1234.56"` |
| `uscc` | unified social credit code, GB 32100-2015: 18 characters of `0-9 A-H J-N P-R T U W-Y`, positions 3–8 digits, check character; a wrong check character alone is accepted when `uscc_as_printed` is `true` (recorded on the event) |
| `sc_licence` | food production licence number: `SC` + 14 digits (format only; the check digit algorithm is unpublished) |
| `equipment_code` | special-equipment code: 18 characters (variety code, manufacturer, year, serial) or a legacy 20-character local code |
| `seq` | a ledger sequence number (≥ 1) |
| `kind` | an event kind listed here |
| `values` | an object of corrected field values of the target kind |
| `personal` | `{"name", "phone"}`: personal data, stored apart from the ledger (see below) |
| `array` | a list of objects with the listed item fields |

Unknown fields are refused. `null` counts as absent.

## Records, corrections and voids

Each event belongs to one record, named by its *record field* (`uscc`, `licence_no`,
`equipment_code`, `sample_no`, `incident_no`, `complaint_no`, `year`). The current state of a
record is derived by replaying its events in sequence order (`include/qledger/record_state.hpp`):
the projections, `qledger rebuild` and the reports call the same functions.

- A **correction** names an earlier event (`target_seq`, and its `target_kind`, which must match)
  and gives new values for some of its fields; the corrected payload must still be valid. The
  record field and personal data cannot be corrected: void the event and record it again.
  Several corrections apply in sequence order; a `null` value removes an optional field.
- A **void** removes an event entered in error. A void of a correction restores the values before
  it. The event that creates a record cannot be voided while later events of that record still
  count (void those first). Voids and corrections themselves cannot be corrected, and a void
  cannot be voided.
- Refused: amending an event that does not exist, was already voided, or is of another kind.

## Rules beyond single fields

| kind | rule |
|---|---|
| `entity.registered` | the credit code is not registered yet |
| `entity.changed`, `licence.granted`, `equipment.registered`, `equipment.transferred`, `inspection.recorded` | the entities they name are registered |
| `entity.changed` | at least one field changes |
| `licence.granted` | number not yet recorded; `valid_to` after `valid_from` |
| `licence.renewed` / `licence.revoked` | the licence exists and is not revoked; a renewal extends validity; revocation not before `valid_from` |
| `equipment.registered` | code not yet registered; for an 18-character code, the category must be the one its variety code names (a gas cylinder is a pressure vessel) |
| `equipment.status_changed` / `transferred` | equipment exists and is not scrapped (scrapping is final); not before registration; the status or user actually changes |
| `inspection.recorded` | sample number not yet recorded; sampling date not after the result date; `fail` needs at least one failed item, `pass` has none; `notified_on` only for a failure, not before the result date |
| `retest.applied` | the batch failed; no failed item is microbiological (no re-test allowed); no earlier application; not before notification; within the window (below) |
| `retest.decided` | an undecided application exists; not before it |
| `retest.result` | an accepted application exists; only one re-test result: it is final |
| `objection.filed` / `decided` | one open objection at a time; dates in order |
| `incident.reported` | number not yet recorded; the equipment is registered and not scrapped; a related accident (`special_equipment_accident: false`) must say why (`non_accident_ground`), an accident must not |
| `incident.casualties_revised` | the incident is open; within 30 days of its date |
| `incident.closed` | the incident is open |
| `complaint.received` | number not yet recorded (the respondent need not be a registered entity) |
| `complaint.accepted` / `not_accepted` | no decision made yet; not before receipt |
| `complaint.mediation_*` | the complaint is accepted and its mediation has not ended |
| `complaint.closed` | the complaint was accepted (a complaint never accepted cannot be closed) and is not closed |
| `complaint.personal_data_erased` | the complaint holds personal data |
| `calendar.year_loaded` | the CSV is valid (`date,kind,name`, kind `holiday` or `workday`) and its rows are for the stated year |

## Derived values

- **Incident grade** (特别重大 / 重大 / 较大 / 一般 / none) is derived from the facts by
  特种设备安全监察条例 Arts. 61–64 (`include/qledger/incident_grade.hpp`), never typed in, and is
  re-derived when casualties are revised or the equipment's category is corrected.
- **A batch's conclusion** on a given day is the re-test result if there is one, else the first
  result; a failed batch is *pending* while its re-test window is open, while an application awaits
  a decision, and while an accepted re-test awaits its result.

## Deadlines (working days follow the State Council holiday calendar, including make-up days)

Day 1 is the first working day after the start date. A deadline needing a year the calendar does
not cover is shown as unknown, never guessed; an admin loads the year with `qledger calendar load`
(a `calendar.year_loaded` event).

| deadline | from | length | source |
|---|---|---|---|
| re-test application, food and agricultural products | `notified_on` (else `result_date`) | 7 working days | 食品安全法 Art. 88 |
| re-test application, industrial products | `notified_on` (else `result_date`) | 15 calendar days | 产品质量法 Art. 15 |
| re-test application decision | `applied_on` | 5 working days | our choice, for the overdue list |
| re-test result | `decided_on` (accepted) | 10 working days | our choice, after 食品安全抽样检验管理办法 |
| complaint acceptance decision | `received_on` | 7 working days | 市场监督管理投诉举报处理暂行办法 |
| mediation | `decided_on` (accepted) | 45 working days | same |
| casualty revision | incident date | 30 days | domain brief |

## Personal data

A complainant's name and phone (`complainant`) never enter the ledger. On append they are moved to
the `personal_data` table and the leaf records `complainant_commitment` = hex SHA-256(16-byte random
salt ‖ canonical JSON `{"name","phone"}`). `qledger erase-personal-data` appends a
`complaint.personal_data_erased` event and deletes the row in the same transaction; the chain still
verifies, and the commitment proves nothing about the erased values without the salt.

## Event kinds
"""


def type_text(field, enums):
    t = field["type"]
    if t == "enum":
        values = ", ".join(f"`{code}` {label}" for code, label in enums[field["enum"]].items())
        return f"enum: {values}"
    parts = [f"`{t}`"]
    if "max_length" in field:
        parts.append(f"≤ {field['max_length']} chars")
    if "min" in field or "max" in field:
        parts.append(f"{field.get('min', '')}–{field.get('max', '')}")
    if field.get("allow_future"):
        parts.append("future allowed")
    if "max_items" in field:
        parts.append(f"≤ {field['max_items']} items")
    return ", ".join(parts)


def field_rows(fields, enums, prefix=""):
    rows = []
    for name, f in fields.items():
        required = "yes" if f.get("required") else ""
        rows.append(f"| `{prefix}{name}` | {required} | {type_text(f, enums)} | {f['zh']} | {f['en']} |")
        if "items" in f:
            rows.extend(field_rows(f["items"], enums, prefix=f"{prefix}{name}[]."))
    return rows


def render(schema):
    out = [INTRO]
    enums = schema["enums"]
    for kind, spec in schema["kinds"].items():
        out.append(f"### `{kind}` — {spec['zh']} / {spec['en']}\n")
        out.append(f"Record field: `{spec['aggregate']}`.\n")
        out.append("| field | required | type | 中文 | English |")
        out.append("|---|---|---|---|---|")
        out.extend(field_rows(spec["fields"], enums))
        out.append("")
    return "\n".join(out)


def main():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    text = render(schema)
    if "--check" in sys.argv:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            print("docs/events.md is out of date: run tools/gen-events-doc.py", file=sys.stderr)
            return 1
        print(f"docs/events.md matches schema/events.json ({len(schema['kinds'])} kinds)")
        return 0
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
