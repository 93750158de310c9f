-- gatehouse schema: users, roles, sessions, refresh tokens, throttling.
-- Applied once by `gatehouse migrate`, inside a transaction.  Migrations
-- are append-only: never edit an applied file, add the next number.

CREATE TABLE users (
	id			uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	username		text NOT NULL
	    CHECK (username ~ '^[A-Za-z0-9._-]{3,64}$'),
	email			text CHECK (length(email) BETWEEN 3 AND 254),
	employee_id		text CHECK (length(employee_id) BETWEEN 1 AND 64),
	full_name		text CHECK (length(full_name) <= 200),
	phone			text CHECK (length(phone) <= 32),
	password_hash		text NOT NULL,
	status			text NOT NULL DEFAULT 'active'
	    CHECK (status IN ('active', 'suspended')),
	-- Tokens issued before this moment are dead; moved on suspension
	-- and password resets, alongside ending the sessions.
	tokens_valid_after	timestamptz NOT NULL DEFAULT now(),
	created_at		timestamptz NOT NULL DEFAULT now(),
	updated_at		timestamptz NOT NULL DEFAULT now()
);

-- Uniqueness ignoring case is the index's job, so that two racing
-- registrations get one row and one unique violation, never two rows.
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_employee_id_key ON users (employee_id);

CREATE FUNCTION gh_touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
	NEW.updated_at := now();
	RETURN NEW;
END;
$$;

CREATE TRIGGER users_touch_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION gh_touch_updated_at();

CREATE TABLE roles (
	name		text PRIMARY KEY CHECK (name ~ '^[a-z0-9_-]{1,64}$'),
	description	text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_roles (
	user_id		uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role		text NOT NULL REFERENCES roles (name) ON DELETE CASCADE,
	granted_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_role_idx ON user_roles (role);

-- One row per login.  Its id is the tokens' sid claim; ending it ends
-- every refresh and access token descended from that login.
CREATE TABLE sessions (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id		uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	ended_at	timestamptz,
	end_reason	text CHECK (end_reason IN ('logout', 'logout_all',
	    'reuse', 'suspended', 'password_changed', 'password_reset',
	    'expired')),
	address		text CHECK (length(address) <= 64),
	user_agent	text CHECK (length(user_agent) <= 256)
);
CREATE INDEX sessions_user_live_idx ON sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Refresh tokens are stored as SHA-256 digests only: a database leak
-- hands out no usable token.
CREATE TABLE refresh_tokens (
	token_hash	bytea PRIMARY KEY CHECK (length(token_hash) = 32),
	session_id	uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	issued_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	rotated_at	timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at);

-- Failed logins, counted per account and per client address over a
-- sliding window.  Rows older than the window are deleted by
-- `gatehouse cleanup`.
CREATE TABLE login_failures (
	id		bigserial PRIMARY KEY,
	account		text,
	address		text,
	failed_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_account_idx ON login_failures (account, failed_at);
CREATE INDEX login_failures_address_idx ON login_failures (address, failed_at);
CREATE INDEX login_failures_failed_at_idx ON login_failures (failed_at);
