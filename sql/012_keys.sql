-- Signing keys (issue 14): the ES256, EdDSA and RS256 keys tokens are
-- signed with, made and rotated by `gatehouse keys`.
--
-- A key's state follows from its timestamps and the clock, so a key
-- scheduled to sign, or to leave the set, does so without anybody
-- writing a row at that moment:
--
--   next       signs_from > now(): published, signs nothing yet
--   current    the newest with signs_from <= now(), not retired: signs
--   previous   superseded_at <= now() by a newer key: published until
--              publish_until (superseded_at + the access-token lifetime
--              + the leeway), when the last token it signed has expired
--   expired    a previous key past publish_until: published no more,
--              waiting for `gatehouse keys retire`
--   retired    retired_at <= now(): never published, its tokens refused
--
-- private_sealed is the PKCS#8 PEM sealed with AES-256-GCM under the
-- key-encryption key of key_encryption_key_file (core/jwk.h:
-- gh_jwk_seal(), the kid as associated data): a dump of this table
-- alone gives no private key.  Only gatehouse_login, the program that
-- signs (login, refresh, password change), may read that column; the
-- programs that verify read the public columns; register and health
-- nothing.
CREATE TABLE signing_keys (
	kid		text PRIMARY KEY CHECK (length(kid) BETWEEN 1 AND 64),
	alg		text NOT NULL CHECK (alg IN ('ES256', 'EdDSA', 'RS256')),
	public_pem	text NOT NULL,
	public_jwk	text NOT NULL,
	private_sealed	text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	signs_from	timestamptz NOT NULL DEFAULT now(),
	superseded_at	timestamptz,
	publish_until	timestamptz,
	retired_at	timestamptz,
	CHECK (publish_until IS NULL OR superseded_at IS NOT NULL)
);

CREATE INDEX signing_keys_signs_from ON signing_keys (signs_from);

-- Every change to the set reaches the programs' key caches as the
-- payload 'keys' on the session cache's channel (sql/006_auth_notify.sql,
-- src/domain/authcache.c), drained before each token check: a key
-- retired at once fails the very next request, whichever process or node
-- answers it.  Timed changes (a next key starting to sign, a publish_until
-- passing) need no notification: the programs read the timestamps.
CREATE FUNCTION gh_keys_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
	PERFORM pg_notify('gh_auth', 'keys');
	RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION gh_keys_changed() FROM PUBLIC;

CREATE TRIGGER signing_keys_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON signing_keys
    FOR EACH STATEMENT EXECUTE FUNCTION gh_keys_changed();

DO $grants$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gatehouse_login')
	    THEN
		RETURN;
	END IF;
	GRANT SELECT (kid, alg, public_pem, public_jwk, created_at,
	    signs_from, superseded_at, publish_until, retired_at)
	    ON signing_keys TO gatehouse_login, gatehouse_me, gatehouse_admin,
	    gatehouse_authorize;
	GRANT SELECT (private_sealed) ON signing_keys TO gatehouse_login;
END
$grants$;
