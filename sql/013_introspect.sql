-- Revocation and introspection (RFC 7009, RFC 7662), and the discovery
-- program (issue 14).
--
--   introspect           a role a user may hold: its bearer may ask
--                        POST /api/auth/introspect about any token (admin
--                        may too).
--   sessions.end_reason  'revoked': a session ended by POST
--                        /api/auth/revoke.  The login program ends it,
--                        with the grants it already has (009).
--   gh_refresh_token_info(hash)
--                        what a live refresh token is: its session, user,
--                        times and audience, for the me program, which
--                        serves introspection.  A function, not a grant:
--                        me learns about one token it holds, found by its
--                        hash, and can neither list refresh tokens nor
--                        read their hashes (docs/SECURITY.md, the reach
--                        table).
--   gatehouse_wellknown  the role of the wellknown program, which serves
--                        /.well-known/: it reads the public columns of
--                        signing_keys (012) for the key set, never a
--                        private key, and no other table.

INSERT INTO roles (name, description) VALUES
	('introspect', 'May ask /api/auth/introspect about any token')
ON CONFLICT (name) DO NOTHING;

-- 001's column check, by the name PostgreSQL gave it, with one more value.
ALTER TABLE sessions DROP CONSTRAINT sessions_end_reason_check,
    ADD CONSTRAINT sessions_end_reason_check
    CHECK (end_reason IN ('logout', 'logout_all', 'reuse', 'suspended',
    'password_changed', 'password_reset', 'expired', 'revoked'));

-- Neither rotated nor expired; whether its session and user are live is
-- the caller's check (the same as an access token's).
CREATE FUNCTION gh_refresh_token_info(p_hash bytea)
RETURNS TABLE (session_id uuid, user_id uuid, issued_at bigint,
    expires_at bigint, audience text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT t.session_id, s.user_id,
	    floor(extract(epoch FROM t.issued_at))::bigint,
	    floor(extract(epoch FROM t.expires_at))::bigint, s.audience
	FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
	WHERE t.token_hash = p_hash AND t.rotated_at IS NULL
	AND t.expires_at > now();
$$;
REVOKE ALL ON FUNCTION gh_refresh_token_info(bytea) FROM PUBLIC;

-- Where the programs' roles exist (database_program_roles); made as 005
-- makes them, and skipped the same way by a user without CREATEROLE.
DO $roles$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gatehouse_me')
	    THEN
		RETURN;
	END IF;
	GRANT EXECUTE ON FUNCTION gh_refresh_token_info(bytea) TO gatehouse_me;
	IF NOT EXISTS (SELECT 1 FROM pg_roles
	    WHERE rolname = 'gatehouse_wellknown') THEN
		BEGIN
			CREATE ROLE gatehouse_wellknown LOGIN;
		EXCEPTION
		WHEN duplicate_object OR unique_violation THEN
			NULL;	-- another database's migration made it just now
		WHEN insufficient_privilege THEN
			RAISE NOTICE 'gatehouse: cannot create role '
			    'gatehouse_wellknown; set database_program_roles '
			    '= false';
		END;
	END IF;
	IF EXISTS (SELECT 1 FROM pg_roles
	    WHERE rolname = 'gatehouse_wellknown') THEN
		GRANT SELECT (kid, alg, public_pem, public_jwk, signs_from,
		    publish_until, retired_at)
		    ON signing_keys TO gatehouse_wellknown;
	END IF;
END
$roles$;
