-- kpi.content_ranking answers one page of the ranking (row_limit, row_offset) with the size of the whole list: its
-- definition file creates the new signature, so the old one goes.
DROP FUNCTION IF EXISTS kpi.content_ranking(uuid, date, date, text, text, text, text, text, text, boolean);
