-- The verification workflow's transitions (DESIGN.md §3), mirrored in the database so that no
-- code path can move a claim along an edge the workflow does not have. The verification
-- service holds the same table (src/verification/model.rs); keep the two in step.
CREATE FUNCTION claims_check_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = OLD.status THEN
        RETURN NEW;
    END IF;
    IF (OLD.status, NEW.status) IN (
        ('candidate', 'open'),       -- accept
        ('candidate', 'rejected'),   -- reject
        ('rejected', 'candidate'),   -- restore
        ('open', 'in_review'),       -- assign or take
        ('in_review', 'verified'),   -- verdict
        ('in_review', 'disputed'),   -- verdict
        ('verified', 'in_review'),   -- reopen
        ('disputed', 'in_review')    -- reopen
    ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'claim % cannot go from % to %', OLD.id, OLD.status, NEW.status
        USING ERRCODE = 'check_violation';
END;
$$;

CREATE TRIGGER claims_transition
    BEFORE UPDATE OF status ON claims
    FOR EACH ROW EXECUTE FUNCTION claims_check_transition();

-- A decided claim always has exactly one current verdict, and an undecided one none: checked at
-- commit, since the service writes the verdict row and the status in one transaction.
CREATE FUNCTION claims_check_verdict() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    current_verdict text;
    claim_status text;
    cid bigint;
BEGIN
    -- Separate branches: PL/pgSQL resolves NEW's fields by the trigger's table.
    IF TG_TABLE_NAME = 'claims' THEN
        cid := NEW.id;
    ELSE
        cid := NEW.claim_id;
    END IF;
    SELECT status INTO claim_status FROM claims WHERE id = cid;
    SELECT verdict INTO current_verdict FROM verdicts WHERE claim_id = cid AND superseded_at IS NULL;
    IF claim_status IN ('verified', 'disputed') AND current_verdict IS DISTINCT FROM claim_status THEN
        RAISE EXCEPTION 'claim % is % without a matching current verdict', cid, claim_status
            USING ERRCODE = 'check_violation';
    END IF;
    IF claim_status NOT IN ('verified', 'disputed') AND current_verdict IS NOT NULL THEN
        RAISE EXCEPTION 'claim % is % but has a current verdict', cid, claim_status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER claims_verdict_matches
    AFTER UPDATE OF status ON claims
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION claims_check_verdict();

CREATE CONSTRAINT TRIGGER verdicts_match_claim
    AFTER INSERT OR UPDATE ON verdicts
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION claims_check_verdict();

-- Keyset paging of the claim list by score (ties broken by id).
CREATE INDEX claims_score_idx ON claims (score, id);
