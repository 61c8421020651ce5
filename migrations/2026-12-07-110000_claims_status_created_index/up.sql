-- Each status's newest claims, the lists' default page (/claims?status=…, the API's
-- ?status=…). With only (created_at, id), PostgreSQL walked every claim from the newest and
-- skipped the other statuses' (four rows read for each shown at the benchmark's mix of open
-- claims; for a status with one claim in a thousand, fifty thousand rows read for a page).
-- Its prepared statement hides the status from the planner (so the plan is kept, not redone
-- at every call), and this index serves every status alike in that plan.
CREATE INDEX claims_status_created_idx ON claims (status, created_at, id);
