-- GET /api/v1/claims?q=budget: the app's three queries. The article titles that match; the
-- newest 200 claims matching by their own words or by those articles, with their rank (the app
-- orders these 200 by rank itself and keeps a page of 51; see by_relevance in
-- src/verification/repo.rs); then those 51 claims by id. Run with -M extended: :ids and :top
-- are then bind parameters typed bigint[], as the app binds its id lists.
SELECT array_agg(id) AS ids FROM (SELECT id FROM articles WHERE search @@ websearch_to_tsquery('english', 'budget') LIMIT 10000) a \gset
SELECT array_agg(id ORDER BY rank DESC, id DESC) AS top FROM (SELECT id, rank FROM (SELECT id, ts_rank(search, websearch_to_tsquery('english', 'budget')) AS rank FROM claims WHERE (websearch_to_tsquery('english', 'budget') @@ search OR article_id = ANY(:ids::bigint[])) ORDER BY created_at DESC, id DESC LIMIT 200) m ORDER BY rank DESC, id DESC LIMIT 51) t \gset
SELECT id, article_id, text, quote_exact, quote_prefix, quote_suffix, quote_start, quote_end, speaker, speaker_role, via, cue, kind, signals, score, origin, status, version, assignee_id, due_at, priority, created_by, created_at, updated_at FROM claims WHERE id = ANY(:top::bigint[]);
