DROP TRIGGER claim_status_counts_delete ON claims;
DROP TRIGGER claim_status_counts_update ON claims;
DROP TRIGGER claim_status_counts_insert ON claims;
DROP FUNCTION claim_status_counts_after_delete();
DROP FUNCTION claim_status_counts_after_update();
DROP FUNCTION claim_status_counts_after_insert();
DROP FUNCTION claim_status_deltas_apply(jsonb);
DROP VIEW claim_status_counts;
DROP TABLE claim_status_deltas;
