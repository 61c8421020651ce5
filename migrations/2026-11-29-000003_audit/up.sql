-- The append-only, hash-chained audit history (DESIGN.md §4).

CREATE TABLE audit_events (
    -- Gap-free: taken from audit_chain_head under its row lock, in the writer's transaction.
    seq bigint PRIMARY KEY CHECK (seq >= 1),
    occurred_at timestamptz NOT NULL,
    actor_type text NOT NULL CHECK (actor_type IN ('user', 'token', 'system')),
    actor_user_id bigint REFERENCES users (id),
    actor_token_id bigint REFERENCES api_tokens (id),
    actor_display text NOT NULL,
    action text NOT NULL,
    entity_type text NOT NULL,
    entity_id bigint,
    claim_id bigint REFERENCES claims (id),
    article_id bigint REFERENCES articles (id),
    before jsonb,
    after jsonb,
    request_id text,
    prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
    CHECK (actor_type <> 'user' OR actor_user_id IS NOT NULL),
    CHECK (actor_type <> 'token' OR (actor_user_id IS NOT NULL AND actor_token_id IS NOT NULL))
);
CREATE INDEX audit_events_claim_idx ON audit_events (claim_id, seq) WHERE claim_id IS NOT NULL;
CREATE INDEX audit_events_article_idx ON audit_events (article_id, seq) WHERE article_id IS NOT NULL;
CREATE INDEX audit_events_actor_idx ON audit_events (actor_user_id, seq);
CREATE INDEX audit_events_action_idx ON audit_events (action, seq);
CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at, seq);
CREATE INDEX audit_events_token_idx ON audit_events (actor_token_id) WHERE actor_token_id IS NOT NULL;

-- One row: the last event's seq and hash. Writers lock it (FOR UPDATE) for the append at the end
-- of their transaction, which serialises them on the chain without a table lock.
CREATE TABLE audit_chain_head (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    seq bigint NOT NULL CHECK (seq >= 0),
    hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);
INSERT INTO audit_chain_head (id, seq, hash) VALUES (true, 0, repeat('0', 64));

CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_events_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();

-- The head may only move forward, and only onto an event that exists with that hash.
CREATE FUNCTION audit_chain_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' THEN
        RAISE EXCEPTION 'audit_chain_head: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.seq <= OLD.seq OR NOT EXISTS (
        SELECT 1 FROM audit_events WHERE seq = NEW.seq AND hash = NEW.hash
    ) THEN
        RAISE EXCEPTION 'audit_chain_head may only advance to an appended event (from % to %)', OLD.seq, NEW.seq
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER audit_chain_head_guard
    BEFORE UPDATE OR DELETE ON audit_chain_head
    FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward_only();
CREATE TRIGGER audit_chain_head_no_truncate
    BEFORE TRUNCATE ON audit_chain_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_forward_only();
