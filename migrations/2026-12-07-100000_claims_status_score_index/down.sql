DROP INDEX claims_status_score_idx;
