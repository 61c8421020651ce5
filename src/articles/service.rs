//! Ingestion: clean and extract (pure, before the transaction), then store the article, its
//! candidate claims and their audit events in one transaction, or answer with the existing
//! article when the same content was ingested before.

use diesel::prelude::*;
use sha2::{Digest, Sha256};
use tracing::instrument;

use super::model::{Article, ArticleInput, ArticleView, NewArticle, Source};
use super::repo;
use crate::audit::model::{AuditContext, Event};
use crate::claims::model::{Claim, ClaimStatus, ClaimView, NewClaim, PersonView, signals_column};
use crate::error::AppError;
use crate::extraction::{Extraction, Input, extract};

/// What an ingestion produced.
pub struct IngestOutcome {
    pub article: Article,
    pub claims: Vec<Claim>,
    /// The same content was already there; nothing new was stored.
    pub duplicate: bool,
}

/// The normalised body the content hash is taken over: runs of white space folded to one
/// space, trimmed; so re-flowed or re-wrapped copies of an article are the same article.
pub fn content_hash(body_text: &str) -> String {
    let mut hasher = Sha256::new();
    let mut first = true;
    for word in body_text.split_whitespace() {
        if !first {
            hasher.update(b" ");
        }
        hasher.update(word.as_bytes());
        first = false;
    }
    hex::encode(hasher.finalize())
}

#[instrument(skip_all)]
pub fn ingest(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    input: ArticleInput,
) -> Result<IngestOutcome, AppError> {
    let extraction: Extraction = match &input.source {
        Source::Text(t) => extract(Input::Text(t)),
        Source::Html(h) => extract(Input::Html(h)),
    };
    if extraction.body_text.trim().is_empty() {
        let field = match input.source {
            Source::Text(_) => "text",
            Source::Html(_) => "html",
        };
        return Err(AppError::invalid(field, "no article text was found in it"));
    }
    let hash = content_hash(&extraction.body_text);
    let (raw_text, raw_html) = match input.source {
        Source::Text(t) => (Some(t), None),
        Source::Html(h) => (None, Some(h)),
    };
    let new = NewArticle {
        title: input.title,
        url: input.url,
        publisher: input.publisher,
        wire_service: input.wire_service,
        author: input.author,
        published_at: input.published_at,
        raw_html,
        raw_text,
        body_text: extraction.body_text,
        content_hash: hash.clone(),
        ingested_by: ctx.actor.user_id(),
    };
    conn.transaction(|conn| {
        let Some(article) = repo::insert_unless_duplicate(conn, &new)? else {
            // Same content as an earlier article (perhaps committed a moment ago by a
            // concurrent request): answer with it and store nothing.
            let article = repo::find_by_hash(conn, &hash)?;
            let claims = crate::claims::repo::for_article(conn, article.id)?;
            return Ok(IngestOutcome {
                article,
                claims,
                duplicate: true,
            });
        };
        let rows: Vec<NewClaim> = extraction
            .candidates
            .iter()
            .map(|c| NewClaim {
                article_id: article.id,
                text: c.text.clone(),
                quote_exact: c.quote.exact.clone(),
                quote_prefix: c.quote.prefix.clone(),
                quote_suffix: c.quote.suffix.clone(),
                quote_start: c.quote.start as i32,
                quote_end: c.quote.end as i32,
                speaker: c.speaker.clone(),
                speaker_role: c.speaker_role.clone(),
                via: c.via.clone(),
                cue: c.cue.clone(),
                kind: c.kind.as_str().to_string(),
                signals: signals_column(&c.signals),
                score: c.score.clamp(0.0, 1.0),
                origin: "extracted".into(),
                status: ClaimStatus::Candidate.as_str().into(),
                created_by: None,
            })
            // A candidate must be a real, non-empty span (the database checks it too).
            .filter(|c| c.quote_end > c.quote_start && !c.text.trim().is_empty())
            .collect();
        let claims = crate::claims::repo::insert_many(conn, &rows)?;
        let mut events = Vec::with_capacity(claims.len() + 1);
        events.push(Event::article_ingested(
            article.id,
            serde_json::json!({
                "title": article.title,
                "url": article.url,
                "publisher": article.publisher,
                "content_hash": article.content_hash,
                "source_format": if article.raw_html.is_some() { "html" } else { "text" },
                "candidates": claims.len(),
            }),
        ));
        events.extend(
            claims
                .iter()
                .map(|c| Event::claim_created(c.id, article.id, c.created_event_body())),
        );
        crate::audit::service::append(conn, ctx, events)?;
        Ok(IngestOutcome {
            article,
            claims,
            duplicate: false,
        })
    })
}

/// An article and its claims in body order, as the API answers them.
pub fn article_with_claims(
    conn: &mut PgConnection,
    article: Article,
    claims: Vec<Claim>,
) -> QueryResult<(ArticleView, Vec<ClaimView>)> {
    let ingested_by: Option<PersonView> = match article.ingested_by {
        None => None,
        Some(id) => crate::claims::repo::people(conn, &[id])?
            .pop()
            .map(|(_, p)| p),
    };
    let mut claims = claims;
    claims.sort_by_key(|c| (c.quote_start, c.id));
    let claims = crate::claims::service::views(conn, claims)?;
    Ok((ArticleView::new(article, ingested_by), claims))
}

pub fn load(conn: &mut PgConnection, id: i64) -> Result<(Article, Vec<Claim>), AppError> {
    let article = repo::find(conn, id)?;
    let claims = crate::claims::repo::for_article(conn, id)?;
    Ok((article, claims))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_bodies_stay_within_their_bytes_and_the_oldest_go_first() {
        let cache = BodyCache::new(10);
        cache.keep(1, "h1", "abcd".into());
        cache.keep(2, "h2", "efgh".into());
        assert_eq!(cache.held(), (2, 8));
        cache.keep(3, "h3", "ijkl".into());
        assert_eq!(cache.held(), (2, 8), "the first went to make room");
        assert!(!cache.lock().by_id.contains_key(&1));
        cache.keep(2, "h2b", "xy".into());
        assert_eq!(
            cache.held(),
            (2, 6),
            "a body kept again replaces the old one"
        );
        assert_eq!(cache.lock().order, [3, 2]);
        cache.keep(4, "h4", "far too long".into());
        assert_eq!(
            cache.held(),
            (2, 6),
            "a body larger than the whole cache is not kept"
        );
    }

    #[test]
    fn the_hash_ignores_how_white_space_falls() {
        assert_eq!(content_hash("A  b\n\nc "), content_hash(" A b c"));
        assert_ne!(content_hash("A b c"), content_hash("A b d"));
    }
}

/// Article bodies as last read, for pages that show a claim in its paragraph. A body is never
/// written again once stored (claims are anchored in it by character offsets), and each is
/// kept under its `content_hash`, which a revised body would change: what is kept is what
/// PostgreSQL holds, on every instance. Reading the paragraph around a claim from PostgreSQL
/// meant detoasting and decompressing the whole body at every view (0.06–0.1 ms of its CPU,
/// the largest part of the claim page's query). Bounded by bytes; the oldest go first.
pub struct BodyCache {
    kept: std::sync::Mutex<KeptBodies>,
    max_bytes: usize,
}

#[derive(Default)]
struct KeptBodies {
    by_id: std::collections::HashMap<i64, (String, std::sync::Arc<str>)>,
    order: std::collections::VecDeque<i64>,
    bytes: usize,
}

impl Default for BodyCache {
    /// 32 MB: some two thousand articles of average length.
    fn default() -> BodyCache {
        BodyCache::new(32 << 20)
    }
}

impl BodyCache {
    pub fn new(max_bytes: usize) -> BodyCache {
        BodyCache {
            kept: std::sync::Mutex::new(KeptBodies::default()),
            max_bytes,
        }
    }

    /// The body of article `id`, whose `content_hash` is `hash`: the kept one, or read now.
    pub fn get(
        &self,
        conn: &mut PgConnection,
        id: i64,
        hash: &str,
    ) -> QueryResult<std::sync::Arc<str>> {
        if let Some((kept_hash, body)) = self.lock().by_id.get(&id)
            && kept_hash == hash
        {
            return Ok(std::sync::Arc::clone(body));
        }
        // Kept only when read under the same hash: a body changed between the caller's read of
        // the hash and this one is used once, never kept under a hash it does not match.
        match repo::body_text_if_hash(conn, id, hash)? {
            Some(body) => {
                let body: std::sync::Arc<str> = body.into();
                self.keep(id, hash, std::sync::Arc::clone(&body));
                Ok(body)
            }
            None => Ok(repo::body_text(conn, id)?.into()),
        }
    }

    fn keep(&self, id: i64, hash: &str, body: std::sync::Arc<str>) {
        if body.len() > self.max_bytes {
            return;
        }
        let mut kept = self.lock();
        if let Some((_, old)) = kept.by_id.remove(&id) {
            kept.bytes -= old.len();
            kept.order.retain(|&k| k != id);
        }
        while kept.bytes + body.len() > self.max_bytes {
            let Some(oldest) = kept.order.pop_front() else {
                break;
            };
            if let Some((_, old)) = kept.by_id.remove(&oldest) {
                kept.bytes -= old.len();
            }
        }
        kept.bytes += body.len();
        kept.order.push_back(id);
        kept.by_id.insert(id, (hash.to_string(), body));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, KeptBodies> {
        // A panic while holding the lock leaves whole entries behind: keep using them.
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many bodies and bytes are kept (for tests).
    pub fn held(&self) -> (usize, usize) {
        let kept = self.lock();
        (kept.by_id.len(), kept.bytes)
    }
}
