DROP INDEX claims_score_idx;
DROP TRIGGER verdicts_match_claim ON verdicts;
DROP TRIGGER claims_verdict_matches ON claims;
DROP FUNCTION claims_check_verdict();
DROP TRIGGER claims_transition ON claims;
DROP FUNCTION claims_check_transition();
