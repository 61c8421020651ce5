-- Run the app as a role that owns nothing: it can read and write the data, append to the audit
-- history, and cannot drop, disable or bypass the audit triggers (only the owner or a superuser
-- could). Run `claimtracker migrate` as the owning role first, then, as that owner:
CREATE ROLE claimtracker_app LOGIN PASSWORD 'change-me';
GRANT CONNECT ON DATABASE claimtracker TO claimtracker_app;
GRANT USAGE ON SCHEMA public TO claimtracker_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO claimtracker_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO claimtracker_app;
-- The history is append-only for the app: no UPDATE, DELETE or TRUNCATE even without triggers.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM claimtracker_app;
-- The claim-status ledger is written by its triggers (as the owner), never by the app.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON claim_status_deltas FROM claimtracker_app;
-- So is the user directory's version.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON user_directory_version FROM claimtracker_app;
-- Tables and sequences that later migrations create get the same rights as these.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO claimtracker_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO claimtracker_app;
