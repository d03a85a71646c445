-- qledger report index, schema version 5: report_dates (0003_report_index.sql) is now written by
-- the projection code beside each event_index row (business_date_set_by in
-- include/qledger/report_dates.hpp, the same dates the trigger computed), so the trigger goes.
-- The trigger re-read and parsed every creating event's leaf with json_extract: about a tenth of
-- a bulk import's time. Rows already in the table stay as they are.
DROP TRIGGER IF EXISTS report_dates_on_index;
