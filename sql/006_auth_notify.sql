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
-- expired (gatehouse cleanup), and a session's expiry moving later.
CREATE FUNCTION gh_auth_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
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
	ELSE
		PERFORM pg_notify('gh_auth', r.user_id::text);
		IF TG_OP = 'UPDATE' AND OLD.user_id <> NEW.user_id THEN
			PERFORM pg_notify('gh_auth', OLD.user_id::text);
		END IF;
	END IF;
	RETURN NULL;
END;
$$;

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
