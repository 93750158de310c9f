-- Least privilege: each FastCGI program connects as its own role, granted
-- only what its statements need, so a bug in one endpoint cannot hand
-- over the database.  The admin CLI keeps connecting as the owner.
--
--   gatehouse_login      logins, refresh, logout: reads hashes, writes
--                        sessions, refresh tokens, failed logins; may
--                        replace a hash (rehash at login), nothing else
--   gatehouse_register   inserts users and their "user" role (row-level
--                        security: no other role), counts registrations;
--                        cannot read any password hash
--   gatehouse_me         reads its user; changes a password only through
--                        gh_change_own_password(), never UPDATEs users
--   gatehouse_admin      manages users, roles and sessions; cannot read
--                        password hashes
--   gatehouse_authorize  reads users, roles and sessions to check tokens
--   gatehouse_health     nothing: it only asks "SELECT 1"
--
-- Roles are global to the cluster, so they are made once and granted per
-- database.  A migrating user without CREATEROLE skips all of this with
-- a notice; then set database_program_roles = false.

-- A self-service password change, as one statement the me program may
-- run: the new hash lands only on a user with a live session p_keep_sid,
-- and every other session of that user ends.
CREATE FUNCTION gh_change_own_password(p_user uuid, p_keep_sid uuid,
    p_hash text)
RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
	WITH ok AS (
		SELECT s.user_id FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = p_keep_sid AND s.user_id = p_user
		AND s.ended_at IS NULL AND s.expires_at > now()
		AND u.status = 'active'
	), u AS (
		UPDATE users SET password_hash = p_hash
		WHERE id IN (SELECT user_id FROM ok) RETURNING id
	), s AS (
		UPDATE sessions SET ended_at = now(),
		    end_reason = 'password_changed'
		WHERE user_id IN (SELECT id FROM u) AND ended_at IS NULL
		AND id <> p_keep_sid RETURNING id
	)
	SELECT (SELECT count(*) FROM u)::integer + 0 * (SELECT count(*) FROM s)::integer;
$$;
REVOKE ALL ON FUNCTION gh_change_own_password(uuid, uuid, text) FROM PUBLIC;

DO $roles$
DECLARE
	r	text;
	roles	text[] := ARRAY['gatehouse_login', 'gatehouse_register',
		    'gatehouse_me', 'gatehouse_admin', 'gatehouse_authorize',
		    'gatehouse_health'];
	grants	text[] := ARRAY[
	-- reading a token's user, roles and session
	'GRANT SELECT (id, username, email, employee_id, full_name, phone, '
	    'status, tokens_valid_after, created_at, updated_at) ON users '
	    'TO gatehouse_login, gatehouse_me, gatehouse_admin, '
	    'gatehouse_authorize, gatehouse_register',
	'GRANT SELECT ON user_roles TO gatehouse_login, gatehouse_me, '
	    'gatehouse_admin, gatehouse_authorize, gatehouse_register',
	'GRANT SELECT (id, user_id, ended_at, expires_at) ON sessions '
	    'TO gatehouse_me, gatehouse_authorize',
	-- login
	'GRANT SELECT (password_hash) ON users TO gatehouse_login, gatehouse_me',
	'GRANT UPDATE (password_hash) ON users TO gatehouse_login',
	'GRANT SELECT, INSERT, UPDATE ON sessions, refresh_tokens '
	    'TO gatehouse_login',
	'GRANT SELECT, INSERT, DELETE ON login_failures TO gatehouse_login',
	'GRANT USAGE ON SEQUENCE login_failures_id_seq TO gatehouse_login',
	-- register
	'GRANT INSERT (username, email, employee_id, full_name, phone, '
	    'password_hash, status) ON users TO gatehouse_register',
	'GRANT INSERT ON user_roles TO gatehouse_register',
	'GRANT SELECT, INSERT ON registrations TO gatehouse_register',
	'GRANT USAGE ON SEQUENCE registrations_id_seq TO gatehouse_register',
	-- me
	'GRANT EXECUTE ON FUNCTION gh_change_own_password(uuid, uuid, text) '
	    'TO gatehouse_me',
	-- admin
	'GRANT INSERT (username, email, employee_id, full_name, phone, '
	    'password_hash, status) ON users TO gatehouse_admin',
	'GRANT UPDATE (email, employee_id, full_name, phone, status, '
	    'password_hash, tokens_valid_after) ON users TO gatehouse_admin',
	'GRANT DELETE ON users TO gatehouse_admin',
	'GRANT INSERT, DELETE ON user_roles TO gatehouse_admin',
	'GRANT SELECT, INSERT ON roles TO gatehouse_admin',
	'GRANT SELECT, UPDATE (ended_at, end_reason) ON sessions '
	    'TO gatehouse_admin',
	-- only the admin program may give a role other than "user"
	'ALTER TABLE user_roles ENABLE ROW LEVEL SECURITY',
	'CREATE POLICY user_roles_register ON user_roles TO gatehouse_register '
	    'USING (role = ''user'') WITH CHECK (role = ''user'')',
	'CREATE POLICY user_roles_others ON user_roles TO gatehouse_login, '
	    'gatehouse_me, gatehouse_admin, gatehouse_authorize '
	    'USING (true) WITH CHECK (true)'
	];
	g	text;
BEGIN
	FOREACH r IN ARRAY roles LOOP
		CONTINUE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r);
		BEGIN
			EXECUTE format('CREATE ROLE %I LOGIN', r);
		EXCEPTION
		WHEN duplicate_object OR unique_violation THEN
			NULL;	-- another database's migration made it just now
		WHEN insufficient_privilege THEN
			RAISE NOTICE 'gatehouse: cannot create role %: program '
			    'roles skipped; set database_program_roles = false', r;
			RETURN;
		END;
	END LOOP;
	FOREACH g IN ARRAY grants LOOP
		EXECUTE g;
	END LOOP;
END
$roles$;
