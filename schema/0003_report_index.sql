-- qledger report index, schema version 3: the business date of every batch, complaint and
-- incident, as given by each event that set it (the creating event, and every correction of
-- that field). Reports use it to find a period's records among events with seq <= N without
-- reading the whole ledger: a record whose date at size N lies in the period has a row with that
-- date and a seq <= N, because the event that gave it the date is <= N. Rows are never removed
-- (a voided or corrected date leaves a harmless extra candidate; reports re-check every
-- candidate from its events). Incidents are indexed by the date written in occurred_at, which
-- is at most one day from the Asia/Shanghai date; reports widen the range by a day.
-- Maintained by a trigger on event_index, so appends and `qledger rebuild` keep it current.
CREATE TABLE report_dates (
  record_type   TEXT NOT NULL,
  business_date TEXT NOT NULL,
  record_key    TEXT NOT NULL,
  seq           INTEGER NOT NULL,
  PRIMARY KEY (record_type, business_date, record_key, seq)
) WITHOUT ROWID;

CREATE TRIGGER report_dates_on_index AFTER INSERT ON event_index
WHEN NEW.kind IN ('inspection.recorded', 'complaint.received', 'incident.reported', 'correction')
BEGIN
  INSERT OR IGNORE INTO report_dates (record_type, business_date, record_key, seq)
  SELECT NEW.record_type, d, NEW.record_key, NEW.seq FROM (
    SELECT CASE NEW.kind
      WHEN 'inspection.recorded' THEN json_extract(p, '$.sampling_date')
      WHEN 'complaint.received' THEN json_extract(p, '$.received_on')
      WHEN 'incident.reported' THEN substr(json_extract(p, '$.occurred_at'), 1, 10)
      ELSE COALESCE(json_extract(p, '$.values.sampling_date'),
                    json_extract(p, '$.values.received_on'),
                    substr(json_extract(p, '$.values.occurred_at'), 1, 10))
      END AS d
    FROM (SELECT json_extract(CAST(leaf AS TEXT), '$.payload') AS p FROM events
          WHERE seq = NEW.seq))
  WHERE d IS NOT NULL;
END;

-- Ledgers created before this migration: index what they already hold.
INSERT OR IGNORE INTO report_dates (record_type, business_date, record_key, seq)
SELECT record_type, d, record_key, seq FROM (
  SELECT i.record_type, i.record_key, i.seq, CASE i.kind
      WHEN 'inspection.recorded' THEN json_extract(p, '$.sampling_date')
      WHEN 'complaint.received' THEN json_extract(p, '$.received_on')
      WHEN 'incident.reported' THEN substr(json_extract(p, '$.occurred_at'), 1, 10)
      ELSE COALESCE(json_extract(p, '$.values.sampling_date'),
                    json_extract(p, '$.values.received_on'),
                    substr(json_extract(p, '$.values.occurred_at'), 1, 10))
      END AS d
  FROM event_index i
  JOIN (SELECT seq, json_extract(CAST(leaf AS TEXT), '$.payload') AS p FROM events) e
    ON e.seq = i.seq
  WHERE i.kind IN ('inspection.recorded', 'complaint.received', 'incident.reported',
                   'correction'))
WHERE d IS NOT NULL;
