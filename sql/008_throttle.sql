-- The own password change moves from the me program to login: its
-- current password is a bcrypt, throttled like a login of the same
-- account, and it must not wait in the pool that checks tokens.
--
-- gatehouse_login may now run gh_change_own_password() (it already reads
-- the hash, the session and the failures the sequence needs);
-- gatehouse_me loses the function and the hash column, so the program
-- that answers every token check never sees a password hash.

-- Seconds left of the back-off after failures (the last since_last
-- seconds ago) against a limit of max; 0 when none applies.
CREATE FUNCTION gh_login_wait(failures bigint, since_last bigint,
    max integer, win integer, base integer)
RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN failures < max THEN 0 ELSE greatest(0,
	    least(win::bigint, base::bigint *
	    power(2, least(failures - max, 32))::bigint) - since_last) END;
$$;

-- A login attempt is admitted and counted in one step.  The limits were
-- checked before the bcrypt and the failure recorded after it, so every
-- attempt in flight at the limit saw the same count and got its bcrypt:
-- about a pool's worth slipped through at each step.  Now an admitted
-- attempt inserts its failure row at once (a success deletes it with the
-- account's others), under transaction locks on the account and on the
-- address, taken in that order by every caller, so the count each
-- attempt sees includes every attempt admitted before it.
-- The result is 0 when the attempt may go on, else the seconds to wait:
-- the back-off starts at p_base seconds after the last failure and
-- doubles with each failure past the limit, capped at the window.
CREATE FUNCTION gh_login_attempt(p_account text, p_address text,
    p_window integer, p_max_account integer, p_max_address integer,
    p_base integer)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	fa	bigint;		-- the account's failures in the window
	la	bigint;		-- seconds since its last one
	fw	bigint;		-- the address's
	lw	bigint;
	wait	bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(1, hashtext(p_account));
	PERFORM pg_advisory_xact_lock(2, hashtext(p_address));
	SELECT count(*) FILTER (WHERE account = p_account),
	    coalesce(extract(epoch FROM now() - max(failed_at)
	    FILTER (WHERE account = p_account))::bigint, 0),
	    count(*) FILTER (WHERE address = p_address),
	    coalesce(extract(epoch FROM now() - max(failed_at)
	    FILTER (WHERE address = p_address))::bigint, 0)
	    INTO fa, la, fw, lw
	    FROM login_failures WHERE failed_at > now() -
	    make_interval(secs => p_window)
	    AND (account = p_account OR address = p_address);
	wait := greatest(gh_login_wait(fa, la, p_max_account, p_window, p_base),
	    gh_login_wait(fw, lw, p_max_address, p_window, p_base));
	IF wait = 0 THEN
		INSERT INTO login_failures (account, address)
		    VALUES (p_account, p_address);
	END IF;
	RETURN wait;
END;
$$;

REVOKE ALL ON FUNCTION gh_login_attempt(text, text, integer, integer,
    integer, integer) FROM PUBLIC;

DO $grants$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gatehouse_login')
	    THEN
		RETURN;
	END IF;
	GRANT EXECUTE ON FUNCTION gh_change_own_password(uuid, uuid, text)
	    TO gatehouse_login;
	REVOKE EXECUTE ON FUNCTION gh_change_own_password(uuid, uuid, text)
	    FROM gatehouse_me;
	REVOKE SELECT (password_hash) ON users FROM gatehouse_me;
	GRANT EXECUTE ON FUNCTION gh_login_attempt(text, text, integer,
	    integer, integer, integer) TO gatehouse_login;
END
$grants$;
