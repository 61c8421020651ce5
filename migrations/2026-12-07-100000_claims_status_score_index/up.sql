-- Candidates by score, the dashboard's triage list (and /claims?status=…&sort=score): with
-- only (score, id) PostgreSQL walked the scores of every status and fetched each claim from the
-- table to see its status, three rows read for each candidate shown at the benchmark's mix
-- (docs/BENCHMARKS.md); the fewer the candidates, the more rows it reads.
CREATE INDEX claims_status_score_idx ON claims (status, score, id);
