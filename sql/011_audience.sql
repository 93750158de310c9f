-- A session's audience (issue 13): a login may ask for tokens meant for
-- another recipient than the API (token_audiences, the login's
-- "audience" field); the session keeps that choice, so every refresh
-- mints tokens with the same aud.  NULL: the API's own (jwt_audience).
--
--   gatehouse_login      INSERT (audience): it starts sessions, and it
--                        already reads every column (sql/009_reach.sql)
--                        to mint a refresh's token.  It gets no UPDATE
--                        of it: a session never changes recipient.
--
-- me and authorize read sessions by column (005) and get no grant here:
-- the audience of a token they check is in the token itself.  admin
-- reads whole session rows already (005); an audience is not secret.

ALTER TABLE sessions ADD COLUMN audience text
    CHECK (length(audience) BETWEEN 1 AND 128);

-- Where the programs' roles exist (database_program_roles).
DO $grants$ BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gatehouse_login') THEN
		GRANT INSERT (audience) ON sessions TO gatehouse_login;
	END IF;
END $grants$;
