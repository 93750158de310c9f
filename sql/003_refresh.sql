-- Refresh-token rotation as one function, so that a rotation is one
-- round trip and atomic: two requests presenting the same token are
-- serialized by the row lock, and exactly one of them rotates it.
--
-- Outcomes:
--   ok       p_new now belongs to the token's session (rotated, or a
--            reuse inside the grace window: two tabs of one client racing)
--   invalid  unknown, expired, or its session or user is no longer live
--   reused   an already-rotated token after the grace window: the whole
--            session is ended, every token descended from the login dies
CREATE FUNCTION gh_refresh(p_old bytea, p_new bytea, p_grace_seconds integer,
    p_refresh_days integer)
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
	    AND u.status = 'active') THEN
		RETURN QUERY SELECT 'invalid'::text, NULL::uuid, NULL::uuid;
		RETURN;
	END IF;
	-- The grace window is measured on the clock, read after the row lock
	-- is held: now() is the start of the caller's transaction, and a
	-- racer that began before the winner's rotation and then waited on
	-- the lock would see a negative age and take the grace path.
	IF t.rotated_at IS NOT NULL THEN
		IF clock_timestamp() - t.rotated_at >
		    make_interval(secs => p_grace_seconds) THEN
			UPDATE sessions SET ended_at = now(), end_reason = 'reuse'
			    WHERE id = s.id;
			RETURN QUERY SELECT 'reused'::text, s.id, s.user_id;
			RETURN;
		END IF;
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
