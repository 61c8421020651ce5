-- Overdue work (`status = 'in_review' AND due_at < now()`, by due date) was served by a partial
-- index on in-review claims. A prepared statement's generic plan cannot use a partial index
-- whose predicate is a bound parameter, so PostgreSQL planned the dashboard afresh at every
-- request (its generic plan would have been a scan of every claim). An index on (status,
-- due_at, id) serves the same lists for any status, in either plan.
DROP INDEX claims_due_idx;
CREATE INDEX claims_status_due_idx ON claims (status, due_at, id);
