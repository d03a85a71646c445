-- qledger report index, schema version 5: report_dates (0003_report_index.sql) is now written by
-- the projection code beside each event_index row (business_date_set_by in
-- include/qledger/report_dates.hpp, the same dates the trigger computed), so the trigger goes.
-- The trigger re-read and parsed every creating event's leaf with json_extract: about a tenth of
-- a bulk import's time. Rows already in the table stay as they are.
DROP TRIGGER IF EXISTS report_dates_on_index;

-- A qledger older than this migration that still has the file open (a daemon not restarted
-- after the upgrade) would go on appending without indexing, and reports would silently miss
-- its records. This trigger makes such an append fail instead: the function it calls exists only
-- in qledger versions that write report_dates themselves (a no-op registered on the connections
-- that write event_index).
CREATE TRIGGER event_index_needs_report_dates_writer AFTER INSERT ON event_index
BEGIN
  SELECT qledger_writes_report_dates();
END;
