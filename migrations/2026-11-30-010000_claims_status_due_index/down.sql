DROP INDEX claims_status_due_idx;
CREATE INDEX claims_due_idx ON claims (due_at, id) WHERE status = 'in_review';
