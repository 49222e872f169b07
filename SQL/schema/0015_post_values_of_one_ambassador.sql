-- kpi.post_values takes an optional ambassador (GET /v1/me values one ambassador's posts): its definition file
-- creates the new signature, so the old one goes.
DROP FUNCTION IF EXISTS kpi.post_values(uuid, date, date);
