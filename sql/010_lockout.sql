-- Consecutive failures per account, and registrations counted before
-- their bcrypt (issue 13, throttling).
--
-- The window throttle forgets a failure after login_failure_window_seconds,
-- so a guesser who keeps under it guesses forever.  NIST SP 800-63B 5.2.2
-- caps consecutive failed attempts on one account at 100: login_lockout
-- counts them under the window throttle's account key (so an unknown
-- name is counted and refused like a real account), never forgets, and
-- is cleared by a successful login or a new password for the account.
CREATE TABLE login_lockout (
	account		text PRIMARY KEY,
	failures	integer NOT NULL DEFAULT 0,
	failed_at	timestamptz NOT NULL DEFAULT now()
);

-- gh_login_attempt of 008 with the cap, around it: one step still, as
-- the account's lock is taken first here (the same lock 008's takes
-- again, then the address's: the order every caller keeps), so the
-- attempts in flight together count one after the other.  An account at
-- p_max_consecutive (0: no cap) waits the whole window, whatever the
-- window's own count says, and a refused attempt counts as nothing; an
-- admitted one counts as one more consecutive failure until its success
-- clears them.
CREATE FUNCTION gh_login_attempt(p_account text, p_address text,
    p_window integer, p_max_account integer, p_max_address integer,
    p_base integer, p_max_consecutive integer)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	wait	bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(1, hashtext(p_account));
	IF p_max_consecutive > 0 AND EXISTS (SELECT 1 FROM login_lockout
	    WHERE account = p_account AND failures >= p_max_consecutive) THEN
		RETURN p_window;
	END IF;
	wait := gh_login_attempt(p_account, p_address, p_window,
	    p_max_account, p_max_address, p_base);
	IF wait = 0 THEN
		INSERT INTO login_lockout AS l (account, failures)
		    VALUES (p_account, 1) ON CONFLICT (account) DO UPDATE
		    SET failures = l.failures + 1, failed_at = now();
	END IF;
	RETURN wait;
END;
$$;
REVOKE ALL ON FUNCTION gh_login_attempt(text, text, integer, integer,
    integer, integer, integer) FROM PUBLIC;

-- A new password ends the lockout, whoever sets it (an admin's reset,
-- the own change, the command line, an operator's psql): under the id
-- key a login of the user is counted with, and under the name keys its
-- identifiers were counted with before the account existed.  The rehash
-- at login (same password) is left out: that login's success clears it.
-- Owner's rights: the roles that set passwords need no grant on the table.
CREATE FUNCTION gh_lockout_clear() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	IF coalesce(current_setting('gatehouse.rehash', true), '') = 'on' THEN
		RETURN NULL;
	END IF;
	DELETE FROM login_lockout WHERE account IN (
	    lower('id:' || NEW.id::text),
	    lower('name:username:' || NEW.username),
	    lower('name:email:' || coalesce(NEW.email, '')),
	    lower('name:employee_id:' || coalesce(NEW.employee_id, '')));
	RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION gh_lockout_clear() FROM PUBLIC;
CREATE TRIGGER users_lockout_clear AFTER UPDATE OF password_hash ON users
    FOR EACH ROW WHEN (NEW.password_hash IS DISTINCT FROM OLD.password_hash)
    EXECUTE FUNCTION gh_lockout_clear();

-- Registrations: every attempt that passes validation is admitted and
-- counted in one step, before its bcrypt, under a lock on the address.
-- Before, only accounts made were counted, after the bcrypt, so a taken
-- name (409) cost a bcrypt and counted as nothing: an address could
-- enumerate accounts at the server's expense without limit, and a burst
-- in flight together all passed the check.  The result is 0 when the
-- attempt may go on (it is then counted), else the seconds until the
-- oldest counted one leaves the window.
CREATE FUNCTION gh_register_attempt(p_address text, p_window integer,
    p_max integer)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	n	bigint;
	wait	bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(3, hashtext(p_address));
	SELECT count(*), coalesce(ceil(extract(epoch FROM min(created_at) +
	    make_interval(secs => p_window) - now()))::bigint, 0)
	    INTO n, wait
	    FROM registrations WHERE address = p_address
	    AND created_at > now() - make_interval(secs => p_window);
	IF n >= p_max THEN
		RETURN greatest(wait, 1);
	END IF;
	INSERT INTO registrations (address) VALUES (p_address);
	RETURN 0;
END;
$$;
REVOKE ALL ON FUNCTION gh_register_attempt(text, integer, integer)
    FROM PUBLIC;

-- Whether a new account's identifiers are free, asked before its bcrypt:
-- a taken one raises the unique violation the INSERT would, naming the
-- same index, so the caller answers the same 409.  The INSERT's unique
-- indexes still decide a race between two new accounts.
CREATE FUNCTION gh_user_identifiers_free(p_username text, p_email text,
    p_employee_id text)
RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
	taken	text;
BEGIN
	-- In the order of the INSERT's indexes; each lookup is one of them.
	IF EXISTS (SELECT 1 FROM users
	    WHERE lower(username) = lower(p_username)) THEN
		taken := 'users_username_key';
	ELSIF p_email <> '' AND EXISTS (SELECT 1 FROM users
	    WHERE lower(email) = lower(p_email)) THEN
		taken := 'users_email_key';
	ELSIF p_employee_id <> '' AND EXISTS (SELECT 1 FROM users
	    WHERE employee_id = p_employee_id) THEN
		taken := 'users_employee_id_key';
	END IF;
	IF taken IS NOT NULL THEN
		RAISE unique_violation USING CONSTRAINT = taken,
		    MESSAGE = 'an identifier of the new account is taken';
	END IF;
END;
$$;
REVOKE ALL ON FUNCTION gh_user_identifiers_free(text, text, text)
    FROM PUBLIC;

--   gatehouse_login      login_lockout: reads and counts an account's
--                        consecutive failures (the attempt) and clears
--                        them (a success); nothing else of the table.
--                        It keeps 008's gh_login_attempt(), which the
--                        capped one calls with its caller's rights.
--   gatehouse_register   the registration attempt and the free check.
--   gatehouse_admin      the free check (an admin's new account).
-- No other role sees login_lockout.
DO $grants$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gatehouse_login')
	    THEN
		RETURN;
	END IF;
	GRANT SELECT (account, failures), INSERT (account, failures),
	    UPDATE (failures, failed_at), DELETE ON login_lockout
	    TO gatehouse_login;
	GRANT EXECUTE ON FUNCTION gh_login_attempt(text, text, integer,
	    integer, integer, integer, integer) TO gatehouse_login;
	GRANT EXECUTE ON FUNCTION gh_register_attempt(text, integer, integer)
	    TO gatehouse_register;
	GRANT EXECUTE ON FUNCTION gh_user_identifiers_free(text, text, text)
	    TO gatehouse_register, gatehouse_admin;
END
$grants$;
