-- Credential generations: a change that ends sessions also ends the
-- logins in flight.  A login reads the user's cred_gen with the hash,
-- spends a bcrypt (~250 ms) on it, and its session is made only while
-- the generation is still the one it read; the session keeps that
-- generation, and every use of it (a token check, a refresh) requires it
-- to be the user's current one.  A password set, a status change and a
-- logout of every session move the generation, so a login that read the
-- user before any of them loses, whichever way the race goes.
ALTER TABLE users ADD COLUMN cred_gen bigint NOT NULL DEFAULT 1;
-- gatehouse always states a session's generation; the default serves a
-- row made by hand, and fails closed: a session whose generation is not
-- its user's is dead.
ALTER TABLE sessions ADD COLUMN cred_gen bigint NOT NULL DEFAULT 1;

-- Any writer counts, an operator's psql included: a new password hash or
-- a new status moves the generation.  The one exception is the rehash at
-- login (same password, new cost), which goes through gh_rehash() below.
CREATE FUNCTION gh_cred_gen_bump() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.cred_gen = OLD.cred_gen AND
	    (NEW.status IS DISTINCT FROM OLD.status OR
	    (NEW.password_hash IS DISTINCT FROM OLD.password_hash AND
	    coalesce(current_setting('gatehouse.rehash', true), '') <> 'on'))
	    THEN
		NEW.cred_gen := OLD.cred_gen + 1;
	END IF;
	RETURN NEW;
END;
$$;

CREATE TRIGGER users_cred_gen BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION gh_cred_gen_bump();

-- The rehash at login: only over the very hash the login verified (a
-- password changed meanwhile is never overwritten with the old one), and
-- without moving the generation (the password is the same).
CREATE FUNCTION gh_rehash(p_user uuid, p_old text, p_new text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	n	integer;
BEGIN
	PERFORM set_config('gatehouse.rehash', 'on', true);
	UPDATE users SET password_hash = p_new
	    WHERE id = p_user AND password_hash = p_old;
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM set_config('gatehouse.rehash', '', true);
	RETURN n;
END;
$$;
REVOKE ALL ON FUNCTION gh_rehash(uuid, text, text) FROM PUBLIC;

-- A logout of every session: ends them and moves the generation, so a
-- login already past its password check cannot start a new one.
CREATE FUNCTION gh_logout_all(p_user uuid, p_reason text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	n	integer;
BEGIN
	UPDATE users SET cred_gen = cred_gen + 1 WHERE id = p_user;
	UPDATE sessions SET ended_at = now(), end_reason = p_reason
	    WHERE user_id = p_user AND ended_at IS NULL;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END;
$$;
REVOKE ALL ON FUNCTION gh_logout_all(uuid, text) FROM PUBLIC;

-- The own password change moves the generation too (the trigger), and
-- carries the caller's session over to the new one: it goes on, every
-- other session and every login in flight ends.
CREATE OR REPLACE FUNCTION gh_change_own_password(p_user uuid,
    p_keep_sid uuid, p_hash text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	gen	bigint;
BEGIN
	UPDATE users u SET password_hash = p_hash
	    WHERE u.id = p_user AND u.status = 'active' AND EXISTS (
	    SELECT 1 FROM sessions s WHERE s.id = p_keep_sid
	    AND s.user_id = p_user AND s.ended_at IS NULL
	    AND s.expires_at > now() AND s.cred_gen = u.cred_gen)
	    RETURNING u.cred_gen INTO gen;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;
	UPDATE sessions SET cred_gen = gen WHERE id = p_keep_sid;
	UPDATE sessions SET ended_at = now(), end_reason = 'password_changed'
	    WHERE user_id = p_user AND ended_at IS NULL AND id <> p_keep_sid;
	RETURN 1;
END;
$$;

-- Refresh: a session whose generation is not the user's is not live; and
-- a reuse inside the grace window ends the earlier successor, so a
-- session has one live branch: a thief who replays a token within the
-- window forks nothing, and the loser of the fork is caught at its next
-- refresh after the window.
CREATE OR REPLACE FUNCTION gh_refresh(p_old bytea, p_new bytea,
    p_grace_seconds integer, p_refresh_days integer)
RETURNS TABLE (outcome text, session_id uuid, user_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
	t	refresh_tokens%ROWTYPE;
	s	sessions%ROWTYPE;
BEGIN
	SELECT * INTO t FROM refresh_tokens r WHERE r.token_hash = p_old
	    FOR UPDATE;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'invalid'::text, NULL::uuid, NULL::uuid;
		RETURN;
	END IF;
	SELECT * INTO s FROM sessions x WHERE x.id = t.session_id FOR UPDATE;
	IF s.ended_at IS NOT NULL OR s.expires_at <= now() OR NOT EXISTS (
	    SELECT 1 FROM users u WHERE u.id = s.user_id
	    AND u.status = 'active' AND u.cred_gen = s.cred_gen) THEN
		RETURN QUERY SELECT 'invalid'::text, NULL::uuid, NULL::uuid;
		RETURN;
	END IF;
	-- The grace window is measured on the clock, read after the row lock
	-- is held (see 003_refresh.sql).
	IF t.rotated_at IS NOT NULL THEN
		IF clock_timestamp() - t.rotated_at >
		    make_interval(secs => p_grace_seconds) THEN
			UPDATE sessions SET ended_at = now(), end_reason = 'reuse'
			    WHERE id = s.id;
			RETURN QUERY SELECT 'reused'::text, s.id, s.user_id;
			RETURN;
		END IF;
		UPDATE refresh_tokens r SET rotated_at = now()
		    WHERE r.session_id = s.id AND r.rotated_at IS NULL;
	ELSIF t.expires_at <= now() THEN
		RETURN QUERY SELECT 'invalid'::text, NULL::uuid, NULL::uuid;
		RETURN;
	ELSE
		UPDATE refresh_tokens SET rotated_at = now()
		    WHERE token_hash = p_old;
	END IF;
	INSERT INTO refresh_tokens (token_hash, session_id, expires_at)
	    VALUES (p_new, s.id, least(s.expires_at,
	    now() + make_interval(days => p_refresh_days)));
	RETURN QUERY SELECT 'ok'::text, s.id, s.user_id;
END;
$$;

-- The programs' reach, for the new column and functions (roles exist
-- only where 005 could make them).
DO $grants$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gatehouse_login')
	    THEN
		RETURN;
	END IF;
	GRANT SELECT (cred_gen) ON users TO gatehouse_login, gatehouse_me,
	    gatehouse_admin, gatehouse_authorize, gatehouse_register;
	GRANT SELECT (cred_gen) ON sessions TO gatehouse_me, gatehouse_admin,
	    gatehouse_authorize;
	GRANT EXECUTE ON FUNCTION gh_rehash(uuid, text, text),
	    gh_logout_all(uuid, text) TO gatehouse_login;
	-- The rehash goes through gh_rehash() now.
	REVOKE UPDATE (password_hash) ON users FROM gatehouse_login;
END
$grants$;
