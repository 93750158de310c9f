-- Registrations counted per client address, for the registration limit
-- (register_max_per_address within login_failure_window_seconds).
-- Failed logins have their table since 001.  Old rows are deleted by
-- `gatehouse cleanup`.
CREATE TABLE registrations (
	id		bigserial PRIMARY KEY,
	address		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registrations_address_idx ON registrations (address, created_at);
CREATE INDEX registrations_created_idx ON registrations (created_at);
