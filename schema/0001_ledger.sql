-- qledger ledger schema, version 1. See docs/ledger-format.md for the meaning of every column.
-- The events and tree_nodes tables are append-only: triggers abort UPDATE and DELETE. Whoever holds
-- the file can drop the triggers; signed checkpoints kept outside the file detect that.

CREATE TABLE ledger_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE events (
  seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
  kind        TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  actor       TEXT NOT NULL,
  leaf        BLOB NOT NULL,
  leaf_hash   BLOB NOT NULL CHECK (length(leaf_hash) = 32)
);

-- Perfect Merkle subtrees of level >= 1: (level, idx) covers leaves [idx * 2^level, (idx+1) * 2^level).
-- Level 0 is events.leaf_hash of seq = idx + 1.
CREATE TABLE tree_nodes (
  level INTEGER NOT NULL CHECK (level >= 1),
  idx   INTEGER NOT NULL CHECK (idx >= 0),
  hash  BLOB NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'qledger: events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'qledger: events are append-only'); END;
CREATE TRIGGER tree_nodes_no_update BEFORE UPDATE ON tree_nodes
BEGIN SELECT RAISE(ABORT, 'qledger: tree_nodes are append-only'); END;
CREATE TRIGGER tree_nodes_no_delete BEFORE DELETE ON tree_nodes
BEGIN SELECT RAISE(ABORT, 'qledger: tree_nodes are append-only'); END;
CREATE TRIGGER ledger_meta_no_update BEFORE UPDATE ON ledger_meta
BEGIN SELECT RAISE(ABORT, 'qledger: ledger_meta is write-once'); END;
CREATE TRIGGER ledger_meta_no_delete BEFORE DELETE ON ledger_meta
BEGIN SELECT RAISE(ABORT, 'qledger: ledger_meta is write-once'); END;
