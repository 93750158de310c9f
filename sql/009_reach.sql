-- Narrower reach for the programs' roles (issue 13): where 005 granted a
-- whole table, grant the columns each program's statements write, so a
-- program that runs an attacker's SQL can still only do what it does.
--
--   gatehouse_login      sessions: INSERT only the columns of a login
--                        (user_id, cred_gen, expires_at, address,
--                        user_agent), UPDATE only ended_at and end_reason;
--                        refresh_tokens: INSERT token_hash, session_id,
--                        expires_at, UPDATE only rotated_at.  It cannot
--                        move a session to another user, lengthen a
--                        session or a refresh token, or revive an ended
--                        session (ended_at back to NULL is still an
--                        UPDATE of ended_at: the trigger below refuses it).
--                        It keeps SELECT on both tables: gh_refresh()
--                        locks whole rows (SELECT * ... FOR UPDATE).
--
-- Every other grant of 005 and 007 is already a column list or what the
-- program's statements need (see docs/SECURITY.md, the reach table).
-- Schema: on PostgreSQL before 15 every role may create objects in
-- "public"; no program needs to, so that is taken away where the
-- migrating user may (it owns the schema).

DO $grants$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gatehouse_login')
	    THEN
		RETURN;
	END IF;
	-- A table-wide REVOKE takes the column grants with it.
	REVOKE SELECT, INSERT, UPDATE ON sessions, refresh_tokens
	    FROM gatehouse_login;
	GRANT SELECT ON sessions, refresh_tokens TO gatehouse_login;
	GRANT INSERT (user_id, cred_gen, expires_at, address, user_agent)
	    ON sessions TO gatehouse_login;
	GRANT UPDATE (ended_at, end_reason) ON sessions TO gatehouse_login;
	GRANT INSERT (token_hash, session_id, expires_at) ON refresh_tokens
	    TO gatehouse_login;
	GRANT UPDATE (rotated_at) ON refresh_tokens TO gatehouse_login;
END
$grants$;

-- An ended session stays ended and a rotated token stays rotated, for
-- every role: no statement of ours undoes either, so one that does is a
-- bug or an attack.  (The owner may still DELETE: `gatehouse cleanup`.)
CREATE FUNCTION gh_no_revival() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
	-- Nested: a condition naming the other table's column fails to plan.
	IF TG_TABLE_NAME = 'sessions' THEN
		IF OLD.ended_at IS NOT NULL AND NEW.ended_at IS NULL THEN
			RAISE EXCEPTION 'an ended session cannot be revived'
			    USING ERRCODE = 'insufficient_privilege';
		END IF;
	ELSIF OLD.rotated_at IS NOT NULL AND NEW.rotated_at IS NULL THEN
		RAISE EXCEPTION 'a rotated refresh token cannot be revived'
		    USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END;
$$;
REVOKE ALL ON FUNCTION gh_no_revival() FROM PUBLIC;
CREATE TRIGGER sessions_no_revival BEFORE UPDATE OF ended_at ON sessions
    FOR EACH ROW EXECUTE FUNCTION gh_no_revival();
CREATE TRIGGER refresh_tokens_no_revival BEFORE UPDATE OF rotated_at
    ON refresh_tokens FOR EACH ROW EXECUTE FUNCTION gh_no_revival();

DO $schema$
BEGIN
	REVOKE CREATE ON SCHEMA public FROM PUBLIC;
EXCEPTION
WHEN insufficient_privilege THEN
	RAISE NOTICE 'gatehouse: not the owner of schema public: leaving '
	    'its CREATE privilege as it is';
END
$schema$;
