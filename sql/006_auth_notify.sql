-- Every change that can make an accepted token unacceptable, or change
-- what /me shows, announces the user it concerns on channel gh_auth.
-- The programs that check tokens keep a small cache of what the /me
-- statement returned and LISTEN here; before each request they drain
-- the channel with a round trip PostgreSQL answers only after handing
-- over every notification already committed (src/authcache.h says why
-- that is exact).  Triggers, not the programs, send the notifications,
-- so a change made by the CLI, a migration or an operator's psql
-- reaches the caches too.
--
-- Payload: the user's id, or '*' for "forget everything" (TRUNCATE).
-- Changes that cannot hurt a cached entry stay quiet: a new session, a
-- refresh-token rotation, deleting sessions that had already ended or
-- expired (gatehouse cleanup), a session's expiry moving later, and the
-- roles of a user made in the same transaction (nobody can have cached
-- a user that did not exist: a bulk import of a million users with
-- their roles would otherwise send a million notifications).
--
-- SECURITY DEFINER: reading users.xmin needs more than the programs'
-- column grants; the function reads nothing else.
CREATE FUNCTION gh_auth_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	r	record;
BEGIN
	IF TG_LEVEL = 'STATEMENT' THEN
		PERFORM pg_notify('gh_auth', '*');
		RETURN NULL;
	END IF;
	IF TG_OP = 'DELETE' THEN
		r := OLD;
	ELSE
		r := NEW;
	END IF;
	IF TG_TABLE_NAME = 'users' THEN
		PERFORM pg_notify('gh_auth', r.id::text);
		RETURN NULL;
	END IF;
	-- Nested IFs: plpgsql plans a whole condition, and OLD is NULL on
	-- INSERT.
	IF TG_TABLE_NAME = 'user_roles' AND TG_OP = 'INSERT' THEN
		IF EXISTS (SELECT 1 FROM users u WHERE u.id = r.user_id
		    AND u.xmin = pg_current_xact_id()::xid) THEN
			RETURN NULL;
		END IF;
	END IF;
	PERFORM pg_notify('gh_auth', r.user_id::text);
	IF TG_OP = 'UPDATE' THEN
		IF OLD.user_id <> NEW.user_id THEN
			PERFORM pg_notify('gh_auth', OLD.user_id::text);
		END IF;
	END IF;
	RETURN NULL;
END;
$$;

REVOKE ALL ON FUNCTION gh_auth_changed() FROM PUBLIC;

CREATE TRIGGER users_auth_changed AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION gh_auth_changed();
CREATE TRIGGER user_roles_auth_changed
    AFTER INSERT OR UPDATE OR DELETE ON user_roles
    FOR EACH ROW EXECUTE FUNCTION gh_auth_changed();
CREATE TRIGGER sessions_auth_ended AFTER UPDATE ON sessions
    FOR EACH ROW WHEN (OLD.ended_at IS DISTINCT FROM NEW.ended_at
    OR NEW.expires_at < OLD.expires_at OR NEW.user_id <> OLD.user_id)
    EXECUTE FUNCTION gh_auth_changed();
CREATE TRIGGER sessions_auth_deleted AFTER DELETE ON sessions
    FOR EACH ROW WHEN (OLD.ended_at IS NULL AND OLD.expires_at > now())
    EXECUTE FUNCTION gh_auth_changed();
CREATE TRIGGER users_auth_truncated AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION gh_auth_changed();
CREATE TRIGGER user_roles_auth_truncated AFTER TRUNCATE ON user_roles
    FOR EACH STATEMENT EXECUTE FUNCTION gh_auth_changed();
CREATE TRIGGER sessions_auth_truncated AFTER TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION gh_auth_changed();
