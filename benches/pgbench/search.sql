-- GET /api/v1/claims?q=budget: the app's two queries (matching article titles first, then the
-- newest 200 claims matching by their own words or by those articles, ranked by relevance; see
-- RANKED_MATCHES in src/verification/repo.rs). Run with -M extended: :ids is then a bind
-- parameter typed bigint[], as the app binds its id list.
SELECT array_agg(id) AS ids FROM (SELECT id FROM articles WHERE search @@ websearch_to_tsquery('english', 'budget') LIMIT 10000) a \gset
SELECT id, article_id, text, quote_exact, quote_prefix, quote_suffix, quote_start, quote_end, speaker, speaker_role, via, cue, kind, signals, score, origin, status, version, assignee_id, due_at, priority, created_by, created_at, updated_at, ts_rank(search, websearch_to_tsquery('english', 'budget')) FROM claims WHERE id IN (SELECT id FROM claims WHERE (websearch_to_tsquery('english', 'budget') @@ search OR article_id = ANY(:ids::bigint[])) ORDER BY created_at DESC, id DESC LIMIT 200) ORDER BY ts_rank(search, websearch_to_tsquery('english', 'budget')) DESC, id DESC LIMIT 51;
