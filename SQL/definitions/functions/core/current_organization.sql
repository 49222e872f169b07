-- tenant isolation in the database itself, so that one query that forgets its organisation filter cannot read or
-- write another organisation's rows. The service runs as the role advocacy_service, which owns nothing, and sets
-- the organisation of each transaction with set_config('app.organization_id', ..., true). Every table keyed by
-- organization_id has row-level security, forced (it applies to the owner too, unless the owner is a superuser),
-- with one rule: a row is visible and writable only when its organization_id is the transaction's. With no
-- organisation set, nothing is visible. Migrations and the command line run as the owner.
CREATE OR REPLACE FUNCTION core.current_organization()
 RETURNS uuid
 LANGUAGE sql
 STABLE
AS $function$ SELECT nullif(current_setting('app.organization_id', true), '')::uuid $function$;
