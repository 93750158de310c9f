-- A user's own sessions and profile (issue 16), for the me program,
-- which writes no table: each change is one definer function that acts
-- only on the caller's own rows, and only while the caller's session is
-- live (as gh_change_own_password() of 005 does).
--
--   sessions.last_used_at  the last time the session got tokens: its
--                          login (the column's default, now) and each
--                          refresh (the login program's refresh statement
--                          sets it: UPDATE (last_used_at) granted).  Not
--                          every request: a write on each /me would cost
--                          the hot path a round trip's worth of WAL, and
--                          with short access tokens a refresh is what a
--                          client in use does every few minutes anyway
--                          (Keycloak's "last access" is the same).  NULL
--                          (a session from before 015): its login.
--   gh_own_sessions(user, sid)
--                          the user's live sessions, newest first, with
--                          what the user may see of them (times, user
--                          agent, address); nothing unless sid is a live
--                          session of that active user.
--   gh_end_own_session(user, sid, target)
--                          ends target when it is a live session of the
--                          user (sid may be target: a logout), as a
--                          logout does (end_reason 'logout': the user
--                          ended it, like POST /api/auth/logout; the
--                          CHECK of 013 stays); 0 for another user's or
--                          an unknown session: the caller cannot tell
--                          them apart.
--   gh_update_own_profile(user, sid, ...)
--                          changes the user's full_name, phone and email,
--                          those set; a new email (not the old one
--                          ignoring case) is unverified.  0: sid not live;
--                          1: changed; 2: changed to a new email, which
--                          wants a verification mail.  A taken email
--                          raises the unique index's violation.
--
-- The notify triggers of 006 announce each change to the caches: an
-- ended session (ended_at moves) and a changed user row.  last_used_at
-- moves neither ended_at nor expires_at, so a refresh stays quiet.

ALTER TABLE sessions ALTER COLUMN last_used_at SET DEFAULT now();

-- Live as a token check has it (users.c, gh_users_get_live): the session
-- not ended nor expired, of the user's credential generation, the user
-- active.
CREATE FUNCTION gh_own_session_live(p_user uuid, p_sid uuid)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT EXISTS (SELECT 1 FROM sessions s JOIN users u
	    ON u.id = s.user_id WHERE s.id = p_sid AND s.user_id = p_user
	    AND s.ended_at IS NULL AND s.expires_at > now()
	    AND s.cred_gen = u.cred_gen AND u.status = 'active');
$$;
REVOKE ALL ON FUNCTION gh_own_session_live(uuid, uuid) FROM PUBLIC;

CREATE FUNCTION gh_own_sessions(p_user uuid, p_sid uuid, p_limit integer)
RETURNS TABLE (id uuid, created_at text, last_used_at text,
    user_agent text, address text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT s.id,
	    to_char(s.created_at AT TIME ZONE 'UTC',
	    'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    to_char(coalesce(s.last_used_at, s.created_at) AT TIME ZONE 'UTC',
	    'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    coalesce(s.user_agent, ''), coalesce(s.address, '')
	FROM sessions s JOIN users u ON u.id = s.user_id
	WHERE s.user_id = p_user AND s.ended_at IS NULL
	AND s.expires_at > now() AND s.cred_gen = u.cred_gen
	AND gh_own_session_live(p_user, p_sid)
	ORDER BY s.created_at DESC, s.id
	LIMIT p_limit;
$$;
REVOKE ALL ON FUNCTION gh_own_sessions(uuid, uuid, integer) FROM PUBLIC;

CREATE FUNCTION gh_end_own_session(p_user uuid, p_sid uuid, p_target uuid)
RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
	WITH s AS (
		UPDATE sessions SET ended_at = now(), end_reason = 'logout'
		WHERE id = p_target AND user_id = p_user AND ended_at IS NULL
		AND expires_at > now() AND gh_own_session_live(p_user, p_sid)
		RETURNING 1
	)
	SELECT count(*)::integer FROM s;
$$;
REVOKE ALL ON FUNCTION gh_end_own_session(uuid, uuid, uuid) FROM PUBLIC;

CREATE FUNCTION gh_update_own_profile(p_user uuid, p_sid uuid,
    p_set_email boolean, p_email text, p_set_full_name boolean,
    p_full_name text, p_set_phone boolean, p_phone text)
RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
	WITH old AS (
		SELECT u.id, p_set_email AND nullif(p_email, '') IS NOT NULL
		    AND lower(p_email) IS DISTINCT FROM lower(u.email) AS fresh,
		    p_set_email AND lower(nullif(p_email, '')) IS DISTINCT FROM
		    lower(u.email) AS moved
		FROM users u WHERE u.id = p_user
		AND gh_own_session_live(p_user, p_sid)
	), u AS (
		UPDATE users x SET
		    email = CASE WHEN p_set_email THEN nullif(p_email, '')
			ELSE x.email END,
		    email_verified = x.email_verified AND NOT old.moved,
		    full_name = CASE WHEN p_set_full_name
			THEN nullif(p_full_name, '') ELSE x.full_name END,
		    phone = CASE WHEN p_set_phone THEN nullif(p_phone, '')
			ELSE x.phone END
		FROM old WHERE x.id = old.id
		RETURNING old.fresh
	)
	SELECT coalesce((SELECT CASE WHEN fresh THEN 2 ELSE 1 END FROM u), 0);
$$;
REVOKE ALL ON FUNCTION gh_update_own_profile(uuid, uuid, boolean, text,
    boolean, text, boolean, text) FROM PUBLIC;

-- Where the programs' roles exist (005).
DO $grants$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gatehouse_me')
	    THEN
		RETURN;
	END IF;
	GRANT UPDATE (last_used_at) ON sessions TO gatehouse_login;
	GRANT EXECUTE ON FUNCTION gh_own_sessions(uuid, uuid, integer),
	    gh_end_own_session(uuid, uuid, uuid),
	    gh_update_own_profile(uuid, uuid, boolean, text, boolean, text,
	    boolean, text) TO gatehouse_me;
END
$grants$;
