-- The own password change moves from the me program to login: its
-- current password is a bcrypt, throttled like a login of the same
-- account, and it must not wait in the pool that checks tokens.
--
-- gatehouse_login may now run gh_change_own_password() (it already reads
-- the hash, the session and the failures the sequence needs);
-- gatehouse_me loses the function and the hash column, so the program
-- that answers every token check never sees a password hash.
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
END
$grants$;
