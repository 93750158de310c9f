-- The audit trail (issue 17): one row per security event, appended by the
-- programs and never changed.
--
--   audit_log          at (UTC in every answer), event (the names below,
--                      the contract's list), outcome, the user the event
--                      is about, the acting user (an admin; NULL for the
--                      user's own action and for the CLI), the session,
--                      the client's address and user agent as the web
--                      server gave them (the agent cut to 256 characters),
--                      and details: names and reasons only, never a
--                      password, token, hash or secret (src/domain/audit.c
--                      builds them from named fields).  No foreign keys: a
--                      deleted user's rows stay, and say who it was
--                      (details.username).
--   audit_log_frozen   refuses UPDATE and TRUNCATE to everyone, the owner
--                      included: a row is never rewritten, and rows go
--                      only by the owner's DELETE of old ones (`gatehouse
--                      cleanup`, audit_retention_days).
--
-- The programs may only INSERT (the grant block at the end); the admin
-- program also reads it, for GET /api/admin/audit.  authorize and health
-- write no event and get nothing.

CREATE TABLE audit_log (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at		timestamptz NOT NULL DEFAULT now(),
	event		text NOT NULL CHECK (event IN (
			    'login.succeeded', 'login.failed',
			    'login.throttled', 'logout', 'session.revoked',
			    'refresh.reuse_detected', 'password.changed',
			    'password.reset_requested', 'password.reset',
			    'email.verified', 'user.registered',
			    'user.created', 'user.updated', 'user.suspended',
			    'user.deleted', 'role.granted', 'role.revoked',
			    'role.created', 'key.rotated', 'key.retired')),
	outcome		text NOT NULL CHECK (outcome IN ('success',
			    'failure')),
	user_id		uuid,
	actor_id	uuid,
	session_id	uuid,
	client_addr	text CHECK (length(client_addr) <= 64),
	user_agent	text CHECK (length(user_agent) <= 256),
	details		jsonb NOT NULL DEFAULT '{}'
			    CHECK (jsonb_typeof(details) = 'object')
);

-- Newest first, whole and by user, event or time (the admin API's pages).
CREATE INDEX audit_log_user ON audit_log (user_id, id);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION gh_audit_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
	    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_frozen BEFORE UPDATE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION gh_audit_frozen();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION gh_audit_frozen();

REVOKE ALL ON audit_log FROM PUBLIC;

-- ---- grants: where the programs' roles exist (005) -------------------
DO $grants$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gatehouse_login')
	    THEN
		RETURN;
	END IF;
	GRANT INSERT ON audit_log TO gatehouse_login, gatehouse_register,
	    gatehouse_me, gatehouse_admin;
	GRANT SELECT ON audit_log TO gatehouse_admin;
END
$grants$;
-- ---- end of grants ----------------------------------------------------
