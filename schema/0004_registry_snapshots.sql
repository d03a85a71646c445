-- qledger registry snapshots, schema version 4: the registry (entities, food production
-- licences, special equipment) folded as it stood at one tree size, so that a report need not
-- read and fold every registry event since the ledger began. A CACHE, not part of the ledger
-- format: each row is signed with the ledger's key over (tree size, root hash at that size,
-- SHA-256 of the body); a report uses the newest row at or below its tree size only if the
-- signature and the root both check, re-folds every registry record with an event after it, and
-- otherwise reads the raw events as before. The figures are the same either way (tested).
-- A row that does not check is replaced when its size is written again; docs/figures.md
-- "Registry snapshots" describes the body.
CREATE TABLE registry_snapshots (
  tree_size INTEGER PRIMARY KEY,
  root      BLOB NOT NULL,
  body      BLOB NOT NULL,
  signature BLOB NOT NULL
);
