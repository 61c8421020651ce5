-- GET /api/v1/claims?q=budget: the app's two queries (matching article titles first, then the
-- claims by their own words or by those articles, in relevance order). Run with -M extended:
-- :ids is then a bind parameter typed bigint[], as the app binds its id list (a text cast inside
-- COALESCE was re-parsed for every row: 86 s a query).
SELECT array_agg(id) AS ids FROM (SELECT id FROM articles WHERE search @@ websearch_to_tsquery('english', 'budget') LIMIT 10000) a \gset
SELECT id, article_id, text, quote_exact, quote_prefix, quote_suffix, quote_start, quote_end, speaker, speaker_role, via, cue, kind, signals, score, origin, status, version, assignee_id, due_at, priority, created_by, created_at, updated_at, ts_rank(search, websearch_to_tsquery('english', 'budget')) FROM claims WHERE (websearch_to_tsquery('english', 'budget') @@ search OR article_id = ANY(:ids::bigint[])) ORDER BY ts_rank(search, websearch_to_tsquery('english', 'budget')) DESC, id DESC LIMIT 51;
