-- A session's version, bumped by every write of its state. A page that kept a session from an
-- earlier request checks, in its own first statement, that the stored session still has this
-- version (and is live): the session's own query is then not needed (src/auth/session.rs).
ALTER TABLE sessions ADD COLUMN version bigint NOT NULL DEFAULT 1;
