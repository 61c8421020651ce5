DROP INDEX claims_status_created_idx;
