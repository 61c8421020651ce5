-- A version of the user directory (names, emails, roles, who is active), bumped by every
-- statement that changes it. The session load reads it with the session, so a page can use the
-- directory it read before when the version is the same, and read it again when it is not:
-- one query fewer per page view, and a change is seen by the next request on every instance.
--
-- One row updated in the changing transaction, so the new version becomes visible exactly when
-- the change does (a sequence would show the new number before the change commits, and a page
-- could then keep the old directory under the new number).
CREATE TABLE user_directory_version (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    version bigint NOT NULL DEFAULT 1
);
INSERT INTO user_directory_version DEFAULT VALUES;

-- SECURITY DEFINER: the app may run as a role that owns nothing (docs/app-role.sql).
CREATE FUNCTION user_directory_bump() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE user_directory_version SET version = version + 1;
    RETURN NULL;
END;
$$;

-- Password changes and sign-in bookkeeping do not change the directory.
CREATE TRIGGER user_directory_changed
AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF id, name, email, role, active ON users
FOR EACH STATEMENT EXECUTE FUNCTION user_directory_bump();

-- An installation already running as the least-privilege role of docs/app-role.sql reads the
-- version (every page does) and cannot write it.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'claimtracker_app') THEN
        GRANT SELECT ON user_directory_version TO claimtracker_app;
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON user_directory_version FROM claimtracker_app;
    END IF;
END;
$$;
