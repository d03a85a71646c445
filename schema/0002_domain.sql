-- qledger domain projections, schema version 2. Everything here except personal_data is derived
-- from the events table and can be rebuilt (`qledger rebuild`); it is maintained in the same
-- transaction as each append. See docs/events.md.

-- Which record every event belongs to (corrections and voids: the record of their target).
CREATE TABLE event_index (
  seq         INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  record_type TEXT NOT NULL,
  record_key  TEXT NOT NULL,
  target_seq  INTEGER
);
CREATE INDEX event_index_record ON event_index (record_type, record_key, seq);
CREATE INDEX event_index_kind ON event_index (kind, seq);
CREATE INDEX event_index_target ON event_index (target_seq) WHERE target_seq IS NOT NULL;

CREATE TABLE entities (
  uscc TEXT PRIMARY KEY, name TEXT NOT NULL, township TEXT NOT NULL, industry TEXT NOT NULL,
  address TEXT NOT NULL, uscc_as_printed INTEGER NOT NULL, first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE licences (
  licence_no TEXT PRIMARY KEY, uscc TEXT NOT NULL, valid_from TEXT NOT NULL,
  valid_to TEXT NOT NULL, revoked_on TEXT, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX licences_uscc ON licences (uscc);

CREATE TABLE equipment (
  equipment_code TEXT PRIMARY KEY, registration_no TEXT NOT NULL, category TEXT NOT NULL,
  user_uscc TEXT NOT NULL, township TEXT NOT NULL, status TEXT NOT NULL,
  registered_on TEXT NOT NULL, status_since TEXT NOT NULL, first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE batches (
  sample_no TEXT PRIMARY KEY, regime TEXT NOT NULL, plan_level TEXT NOT NULL,
  category TEXT NOT NULL, uscc TEXT NOT NULL, lab TEXT NOT NULL, sampling_date TEXT NOT NULL,
  result_date TEXT NOT NULL, first_conclusion TEXT NOT NULL, microbiological INTEGER NOT NULL,
  notified_on TEXT, retest_state TEXT NOT NULL, retest_window_end TEXT,
  retest_applied_on TEXT, retest_decided_on TEXT, retest_conclusion TEXT,
  retest_result_due TEXT, objection_open INTEGER NOT NULL,
  first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, final_seq INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX batches_sampling_date ON batches (sampling_date);

CREATE TABLE incidents (
  incident_no TEXT PRIMARY KEY, equipment_code TEXT NOT NULL, equipment_category TEXT NOT NULL,
  occurred_at TEXT NOT NULL, occurred_on TEXT NOT NULL, deaths INTEGER NOT NULL,
  serious_injuries INTEGER NOT NULL, minor_injuries INTEGER NOT NULL,
  direct_loss_yuan INTEGER NOT NULL, evacuated INTEGER NOT NULL, people_trapped INTEGER NOT NULL,
  minutes_trapped INTEGER NOT NULL, explosion INTEGER NOT NULL, toxic_medium_leak INTEGER NOT NULL,
  crane_overturned INTEGER NOT NULL, crane_structure_failed INTEGER NOT NULL,
  special_equipment_accident INTEGER NOT NULL, grade TEXT NOT NULL, closed_on TEXT,
  first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE complaints (
  complaint_no TEXT PRIMARY KEY, received_on TEXT NOT NULL, channel TEXT NOT NULL,
  respondent_uscc TEXT NOT NULL, respondent_name TEXT NOT NULL, category TEXT NOT NULL,
  amount_yuan TEXT NOT NULL, state TEXT NOT NULL, decided_on TEXT, accept_due TEXT,
  mediation_due TEXT, mediation_ended_on TEXT, closed_on TEXT, recovered_yuan TEXT NOT NULL,
  first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE calendar_years (
  year INTEGER PRIMARY KEY, csv TEXT NOT NULL, source TEXT NOT NULL, seq INTEGER NOT NULL
);

-- Personal data of complainants (PIPL): NOT derived from the ledger. The complaint.received leaf
-- holds only complainant_commitment = hex(SHA-256(salt || canonical {"name","phone"})); erasing a
-- row here leaves the chain intact. Never logged, never exported unless an admin asks.
CREATE TABLE personal_data (
  complaint_no TEXT PRIMARY KEY, seq INTEGER NOT NULL, salt BLOB NOT NULL, name TEXT NOT NULL,
  phone TEXT NOT NULL, commitment TEXT NOT NULL
) WITHOUT ROWID;
