-- Articles, the claims found in them, and the verification work on each claim.

CREATE TABLE articles (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title text NOT NULL CHECK (length(btrim(title)) > 0),
    url text CHECK (url ~ '^https?://'),
    publisher text,
    wire_service text,
    author text,
    published_at timestamptz,
    raw_html text,
    raw_text text,
    body_text text NOT NULL,
    -- SHA-256 of the normalised body: the same text ingested twice is one article.
    content_hash text NOT NULL UNIQUE,
    ingested_by bigint REFERENCES users (id),
    ingested_at timestamptz NOT NULL DEFAULT now(),
    search tsvector GENERATED ALWAYS AS (
        to_tsvector('english', title || ' ' || coalesce(publisher, '') || ' ' || coalesce(author, ''))
    ) STORED,
    CHECK (num_nonnulls(raw_html, raw_text) = 1)
);
CREATE INDEX articles_ingested_at_idx ON articles (ingested_at DESC, id DESC);
CREATE INDEX articles_ingested_by_idx ON articles (ingested_by);
CREATE INDEX articles_search_idx ON articles USING gin (search);

CREATE TABLE claims (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id bigint NOT NULL REFERENCES articles (id),
    text text NOT NULL CHECK (length(btrim(text)) > 0),
    -- W3C TextQuoteSelector + TextPositionSelector over articles.body_text, in chars.
    quote_exact text NOT NULL,
    quote_prefix text NOT NULL,
    quote_suffix text NOT NULL,
    quote_start integer NOT NULL,
    quote_end integer NOT NULL,
    speaker text,
    speaker_role text,
    via text,
    cue text,
    kind text NOT NULL CHECK (kind IN ('direct_quote', 'reported', 'mixed', 'assertion')),
    signals text[] NOT NULL DEFAULT '{}' CHECK (
        signals <@ ARRAY['number', 'quantity', 'date', 'time_span', 'superlative', 'comparison',
                         'ranking', 'causal', 'named_entity', 'quote']::text[]
    ),
    score real NOT NULL CHECK (score >= 0 AND score <= 1),
    origin text NOT NULL CHECK (origin IN ('extracted', 'manual')),
    status text NOT NULL CHECK (status IN ('candidate', 'open', 'in_review', 'verified', 'disputed', 'rejected')),
    version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    assignee_id bigint REFERENCES users (id),
    due_at timestamptz,
    priority text CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    created_by bigint REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', text), 'A')
        || setweight(to_tsvector('simple', coalesce(speaker, '')), 'B')
        || setweight(to_tsvector('english', coalesce(speaker_role, '') || ' ' || coalesce(via, '')), 'C')
    ) STORED,
    CHECK (quote_start >= 0 AND quote_end > quote_start),
    CHECK (char_length(quote_exact) = quote_end - quote_start),
    -- The workflow's shape, so that no code path can store an impossible state: work under review
    -- or decided always has an assignee; triage states never do.
    CHECK (status NOT IN ('in_review', 'verified', 'disputed') OR assignee_id IS NOT NULL),
    CHECK (status NOT IN ('candidate', 'rejected') OR assignee_id IS NULL),
    CHECK (assignee_id IS NOT NULL OR (due_at IS NULL AND priority IS NULL)),
    -- A manual claim starts open; only the extractor proposes candidates.
    CHECK (origin = 'extracted' OR status <> 'candidate')
);
CREATE INDEX claims_article_id_idx ON claims (article_id, quote_start, id);
CREATE INDEX claims_status_idx ON claims (status, id);
CREATE INDEX claims_assignee_idx ON claims (assignee_id, status, due_at) WHERE assignee_id IS NOT NULL;
CREATE INDEX claims_created_at_idx ON claims (created_at, id);
CREATE INDEX claims_updated_at_idx ON claims (updated_at, id);
CREATE INDEX claims_speaker_idx ON claims (lower(speaker), id) WHERE speaker IS NOT NULL;
CREATE INDEX claims_signals_idx ON claims USING gin (signals);
CREATE INDEX claims_search_idx ON claims USING gin (search);
CREATE INDEX claims_created_by_idx ON claims (created_by);
CREATE INDEX claims_due_idx ON claims (due_at, id) WHERE status = 'in_review';

-- Every assignment a claim has had; the current one is mirrored in claims.assignee_id.
CREATE TABLE assignments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    claim_id bigint NOT NULL REFERENCES claims (id),
    assignee_id bigint NOT NULL REFERENCES users (id),
    assigned_by bigint NOT NULL REFERENCES users (id),
    due_at timestamptz,
    priority text CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assigned_at timestamptz NOT NULL DEFAULT now(),
    ended_at timestamptz
);
CREATE INDEX assignments_claim_id_idx ON assignments (claim_id, assigned_at);
CREATE INDEX assignments_assignee_id_idx ON assignments (assignee_id);
CREATE INDEX assignments_assigned_by_idx ON assignments (assigned_by);
CREATE UNIQUE INDEX assignments_current_idx ON assignments (claim_id) WHERE ended_at IS NULL;

CREATE TABLE evidence (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    claim_id bigint NOT NULL REFERENCES claims (id),
    url text NOT NULL CHECK (url ~ '^https?://'),
    title text,
    note text NOT NULL CHECK (length(btrim(note)) > 0),
    stance text NOT NULL CHECK (stance IN ('supports', 'refutes', 'context')),
    added_by bigint NOT NULL REFERENCES users (id),
    added_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evidence_claim_id_idx ON evidence (claim_id, added_at);
CREATE INDEX evidence_added_by_idx ON evidence (added_by);

-- Every verdict ever given; a reopen supersedes the current one and keeps it.
CREATE TABLE verdicts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    claim_id bigint NOT NULL REFERENCES claims (id),
    verdict text NOT NULL CHECK (verdict IN ('verified', 'disputed')),
    rationale text NOT NULL CHECK (length(btrim(rationale)) > 0),
    decided_by bigint NOT NULL REFERENCES users (id),
    decided_at timestamptz NOT NULL DEFAULT now(),
    superseded_at timestamptz
);
CREATE INDEX verdicts_claim_id_idx ON verdicts (claim_id, decided_at);
CREATE INDEX verdicts_decided_by_idx ON verdicts (decided_by, decided_at);
CREATE UNIQUE INDEX verdicts_current_idx ON verdicts (claim_id) WHERE superseded_at IS NULL;

CREATE TABLE comments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    claim_id bigint NOT NULL REFERENCES claims (id),
    author_id bigint NOT NULL REFERENCES users (id),
    body text NOT NULL CHECK (length(btrim(body)) > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_claim_id_idx ON comments (claim_id, created_at);
CREATE INDEX comments_author_id_idx ON comments (author_id);
