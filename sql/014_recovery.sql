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
