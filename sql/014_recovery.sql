-- Account recovery, verification and self-service (issue 16): the
-- columns the rest of this file and 015 build on.
--
--   users.email_verified   the address in users.email was confirmed
--                          through a link sent to it; false again when
--                          the address changes.
--   sessions.last_used_at  the last time the session was used to get
--                          tokens (login or refresh), for a user's list
--                          of their own sessions; NULL: never since its
--                          login (created_at).

ALTER TABLE users ADD COLUMN email_verified boolean NOT NULL DEFAULT false;
ALTER TABLE sessions ADD COLUMN last_used_at timestamptz;

-- One-time tokens: the links of a password reset and of an email
-- verification.  A token is 32 random bytes (256 bits), base64url in the
-- link; only its SHA-256 is stored, as refresh tokens are.  It is bound
-- to its purpose and its user, and, for a verification, to the address
-- it was sent to: a link sent to an old address confirms no new one.
-- It dies when used, when a newer one of the same purpose and user is
-- made ('superseded'), or at expires_at.  Dead rows stay until `gatehouse
-- cleanup`: they count the messages an account was sent in the last hour
-- (reset_max_per_hour).
CREATE TABLE onetime_tokens (
	token_hash	bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
	purpose		text NOT NULL CHECK (purpose IN ('reset', 'verify')),
	user_id		uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	email		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	ended_at	timestamptz,
	end_reason	text CHECK (end_reason IN ('used', 'superseded'))
);
CREATE INDEX onetime_tokens_user_idx
    ON onetime_tokens (user_id, purpose, created_at);
CREATE INDEX onetime_tokens_expires_idx ON onetime_tokens (expires_at);

-- Makes a token for an active user with an email: ends the user's live
-- ones of the same purpose, and refuses ('limited') when p_max_per_hour
-- (0: no cap) were made for that purpose in the last hour.  Under a
-- lock on the user, so requests racing each other count one after the
-- other.  Outcomes: 'ok', 'limited', 'no_account' (unknown, not active,
-- no email), 'verified' (a verification of an address already
-- confirmed).
CREATE FUNCTION gh_onetime_issue(p_hash bytea, p_purpose text,
    p_user uuid, p_lifetime_secs integer, p_max_per_hour integer)
RETURNS TABLE (outcome text, username text, email text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	u	users%ROWTYPE;
BEGIN
	PERFORM pg_advisory_xact_lock(4, hashtext(p_user::text));
	SELECT * INTO u FROM users x WHERE x.id = p_user
	    AND x.status = 'active' AND x.email IS NOT NULL;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'no_account'::text, NULL::text, NULL::text;
		RETURN;
	END IF;
	IF p_purpose = 'verify' AND u.email_verified THEN
		RETURN QUERY SELECT 'verified'::text, u.username, u.email;
		RETURN;
	END IF;
	IF p_max_per_hour > 0 AND (SELECT count(*) FROM onetime_tokens t
	    WHERE t.user_id = p_user AND t.purpose = p_purpose
	    AND t.created_at > now() - interval '1 hour') >= p_max_per_hour
	    THEN
		RETURN QUERY SELECT 'limited'::text, u.username, u.email;
		RETURN;
	END IF;
	UPDATE onetime_tokens t SET ended_at = now(),
	    end_reason = 'superseded' WHERE t.user_id = p_user
	    AND t.purpose = p_purpose AND t.ended_at IS NULL;
	INSERT INTO onetime_tokens (token_hash, purpose, user_id, email,
	    expires_at) VALUES (p_hash, p_purpose, p_user, u.email,
	    now() + make_interval(secs => p_lifetime_secs));
	RETURN QUERY SELECT 'ok'::text, u.username, u.email;
END;
$$;
REVOKE ALL ON FUNCTION gh_onetime_issue(bytea, text, uuid, integer, integer)
    FROM PUBLIC;

-- The keys the throttle counts a user's login failures under
-- (throttle.h): by id, and by the names its identifiers were tried
-- under before the account existed.  010's trigger clears the lockout
-- under them, and a reset the window's failures.
CREATE FUNCTION gh_account_keys(u users) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT ARRAY[lower('id:' || u.id::text),
	    lower('name:username:' || u.username),
	    lower('name:email:' || coalesce(u.email, '')),
	    lower('name:employee_id:' || coalesce(u.employee_id, ''))];
$$;

CREATE OR REPLACE FUNCTION gh_lockout_clear() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	IF coalesce(current_setting('gatehouse.rehash', true), '') = 'on' THEN
		RETURN NULL;
	END IF;
	DELETE FROM login_lockout WHERE account = ANY (gh_account_keys(NEW));
	RETURN NULL;
END;
$$;

-- A forgotten password: the account named by its username or email
-- (ignoring case), and a reset token for it as gh_onetime_issue() makes
-- one.  One call, so the login program needs no right of its own on the
-- tokens.
CREATE FUNCTION gh_reset_issue(p_field text, p_value text, p_hash bytea,
    p_lifetime_secs integer, p_max_per_hour integer)
RETURNS TABLE (outcome text, username text, email text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	uid	uuid;
BEGIN
	IF p_field = 'email' THEN
		SELECT x.id INTO uid FROM users x
		    WHERE lower(x.email) = lower(p_value);
	ELSE
		SELECT x.id INTO uid FROM users x
		    WHERE lower(x.username) = lower(p_value);
	END IF;
	IF uid IS NULL THEN
		RETURN QUERY SELECT 'no_account'::text, NULL::text, NULL::text;
		RETURN;
	END IF;
	RETURN QUERY SELECT * FROM gh_onetime_issue(p_hash, 'reset', uid,
	    p_lifetime_secs, p_max_per_hour);
END;
$$;
REVOKE ALL ON FUNCTION gh_reset_issue(text, text, bytea, integer, integer)
    FROM PUBLIC;

-- Whose a live reset token is, for the password policy's check of the
-- new password (not equal to the username or email); nothing is used up.
CREATE FUNCTION gh_reset_peek(p_hash bytea)
RETURNS TABLE (user_id uuid, username text, email text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT u.id, u.username, coalesce(u.email, '')
	FROM onetime_tokens t JOIN users u ON u.id = t.user_id
	WHERE t.token_hash = p_hash AND t.purpose = 'reset'
	AND t.ended_at IS NULL AND t.expires_at > now()
	AND u.status = 'active';
$$;
REVOKE ALL ON FUNCTION gh_reset_peek(bytea) FROM PUBLIC;

-- A reset: uses the token up and sets the new hash in one call.  The
-- token's row is claimed by an UPDATE, so of two calls with one token
-- the second waits for the first and then finds it used: one wins.  The
-- new hash moves the credential generation and clears the lockout
-- (triggers of 007 and 010); tokens_valid_after moves as an admin's
-- reset moves it; every session ends ('password_reset', which the
-- session caches hear of: 006); the window's failures of the account go
-- too, under the keys 010's trigger clears.  The user's id, or NULL
-- when the token is not a live reset token of an active user.
CREATE FUNCTION gh_reset_consume(p_hash bytea, p_password_hash text)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	uid	uuid;
	u	users%ROWTYPE;
BEGIN
	UPDATE onetime_tokens t SET ended_at = now(), end_reason = 'used'
	    WHERE t.token_hash = p_hash AND t.purpose = 'reset'
	    AND t.ended_at IS NULL AND t.expires_at > now()
	    AND EXISTS (SELECT 1 FROM users x WHERE x.id = t.user_id
	    AND x.status = 'active') RETURNING t.user_id INTO uid;
	IF uid IS NULL THEN
		RETURN NULL;
	END IF;
	UPDATE users x SET password_hash = p_password_hash,
	    tokens_valid_after = now() WHERE x.id = uid RETURNING * INTO u;
	UPDATE sessions s SET ended_at = now(), end_reason = 'password_reset'
	    WHERE s.user_id = uid AND s.ended_at IS NULL;
	DELETE FROM login_failures f WHERE f.account = ANY (gh_account_keys(u));
	RETURN uid;
END;
$$;
REVOKE ALL ON FUNCTION gh_reset_consume(bytea, text) FROM PUBLIC;

-- A verification: uses the token up and confirms the address it was
-- sent to, only while that is still the user's (ignoring case).  The
-- user's id, or NULL when the token is not a live verification token
-- of that address.
CREATE FUNCTION gh_verify_consume(p_hash bytea)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	uid	uuid;
BEGIN
	UPDATE onetime_tokens t SET ended_at = now(), end_reason = 'used'
	    WHERE t.token_hash = p_hash AND t.purpose = 'verify'
	    AND t.ended_at IS NULL AND t.expires_at > now()
	    AND EXISTS (SELECT 1 FROM users x WHERE x.id = t.user_id
	    AND lower(x.email) = lower(t.email)) RETURNING t.user_id INTO uid;
	IF uid IS NULL THEN
		RETURN NULL;
	END IF;
	UPDATE users x SET email_verified = true WHERE x.id = uid;
	RETURN uid;
END;
$$;
REVOKE ALL ON FUNCTION gh_verify_consume(bytea) FROM PUBLIC;

-- A new address is unconfirmed until its own link is followed, whoever
-- changes it (the user, an admin, the command line, psql).
CREATE FUNCTION gh_email_unverify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF lower(NEW.email) IS DISTINCT FROM lower(OLD.email) THEN
		NEW.email_verified := false;
	END IF;
	RETURN NEW;
END;
$$;
CREATE TRIGGER users_email_unverify BEFORE UPDATE OF email ON users
    FOR EACH ROW EXECUTE FUNCTION gh_email_unverify();

-- The programs' reach (docs/SECURITY.md): no role may touch
-- onetime_tokens itself, only these calls.
--   gatehouse_login      forgot (gh_reset_issue), reset (gh_reset_peek,
--                        gh_reset_consume), and the forgot requests
--                        counted per address with the registrations'
--                        count (gh_register_attempt(), under the key
--                        'forgot:<address>').
--   gatehouse_register   the verification of a new account's address
--                        (gh_onetime_issue) and its confirmation
--                        (gh_verify_consume), and email_verified.
--   gatehouse_me         a new verification link (gh_onetime_issue),
--                        on a resend and on an own change of address.
--   gatehouse_admin      the same, when an admin changes an address.
-- Every role that reads the profile reads email_verified.
DO $grants$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gatehouse_login')
	    THEN
		RETURN;
	END IF;
	GRANT SELECT (email_verified) ON users TO gatehouse_login,
	    gatehouse_me, gatehouse_admin, gatehouse_authorize,
	    gatehouse_register;
	GRANT EXECUTE ON FUNCTION gh_reset_issue(text, text, bytea, integer,
	    integer), gh_reset_peek(bytea), gh_reset_consume(bytea, text)
	    TO gatehouse_login;
	GRANT EXECUTE ON FUNCTION gh_register_attempt(text, integer, integer)
	    TO gatehouse_login;
	GRANT SELECT, INSERT ON registrations TO gatehouse_login;
	GRANT USAGE ON SEQUENCE registrations_id_seq TO gatehouse_login;
	GRANT EXECUTE ON FUNCTION gh_onetime_issue(bytea, text, uuid, integer,
	    integer) TO gatehouse_register, gatehouse_me, gatehouse_admin;
	GRANT EXECUTE ON FUNCTION gh_verify_consume(bytea)
	    TO gatehouse_register;
END
$grants$;
