//! `claimtracker bench-data`: fills a database with a newsroom's worth of realistic data for the
//! benchmarks (docs/BENCHMARKS.md) — articles, claims anchored into them, users, assignments,
//! evidence, verdicts, comments, and a valid audit hash chain — loaded with COPY.
//!
//! Rows are built in memory a batch of articles at a time, with explicit ids, and each batch is
//! one transaction: COPY per table, then the chain head advanced onto the batch's last event.
//! The batch holds the chain-head lock, so a concurrent audit writer waits rather than forking
//! the chain; the ids assume no other writer inserts articles or claims meanwhile (run it on a
//! benchmark database, not a live one).

pub mod repo;
pub mod text;

use std::io::Write;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::audit::canonical::{canonical, chain_hash, format_time};
use crate::audit::model::AuditEventRow;
use repo::{
    ArticleRow, AssignmentRow, Batch, ClaimRow, CommentRow, EventRow, EvidenceRow, MaxIds,
    VerdictRow,
};

#[derive(Debug, Clone)]
pub struct Options {
    pub articles: u32,
    pub claims_per_article: u32,
    pub events_per_claim: u32,
    pub seed: u64,
    /// Add to a database that already has articles (otherwise refused).
    pub append: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub articles: i64,
    pub claims: i64,
    pub events: i64,
    pub users: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum BenchDataError {
    #[error("{0}")]
    Invalid(String),
    #[error(
        "the database already has {0} articles; bench-data never mixes into real data without --append"
    )]
    NotEmpty(i64),
    #[error("could not hash the bench users' password: {0}")]
    Hashing(String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error("could not write progress: {0}")]
    Io(#[from] std::io::Error),
}

/// The workflow states in the mix, with the events their history needs at least, and weights:
/// mostly triage states, fewer claims under review or decided, as on a real desk.
const STATUS_MIX: &[(&str, u32, u32)] = &[
    ("candidate", 1, 30),
    ("rejected", 2, 15),
    ("open", 2, 25),
    ("in_review", 3, 14),
    ("verified", 5, 10),
    ("disputed", 5, 6),
];

const EDITORS: usize = 4;
const REVIEWERS: usize = 20;
const PRIORITIES: &[&str] = &["low", "normal", "normal", "high", "urgent"];
/// Claims per batch (one transaction, a few tens of MB in memory).
const BATCH_CLAIMS: u32 = 20_000;

#[derive(Debug, Clone)]
struct BenchUser {
    id: i64,
    name: String,
}

/// Hands out seq, time and hash in chain order.
struct Chain {
    seq: i64,
    prev_hash: String,
    t0_micros: i64,
    first_seq: i64,
    step_micros: i64,
}

impl Chain {
    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        actor: Option<&BenchUser>,
        action: &str,
        entity_type: &str,
        entity_id: Option<i64>,
        claim_id: Option<i64>,
        article_id: Option<i64>,
        before: Option<Value>,
        after: Option<Value>,
    ) -> EventRow {
        self.seq += 1;
        let occurred_at = self.time_of(self.seq);
        // Hashed through the very function `audit::service::append` uses.
        let mut row = AuditEventRow {
            seq: self.seq,
            occurred_at,
            actor_type: if actor.is_some() { "user" } else { "system" }.to_string(),
            actor_user_id: actor.map(|u| u.id),
            actor_token_id: None,
            actor_display: actor.map_or_else(|| "system".to_string(), |u| u.name.clone()),
            action: action.to_string(),
            entity_type: entity_type.to_string(),
            entity_id,
            claim_id,
            article_id,
            before,
            after,
            request_id: None,
            prev_hash: std::mem::take(&mut self.prev_hash),
            hash: String::new(),
        };
        row.hash = chain_hash(&row.prev_hash, &canonical(&row));
        self.prev_hash = row.hash.clone();
        EventRow {
            seq: row.seq,
            occurred_at: row.occurred_at,
            actor_type: row.actor_type,
            actor_user_id: row.actor_user_id,
            actor_token_id: row.actor_token_id,
            actor_display: row.actor_display,
            action: row.action,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            claim_id: row.claim_id,
            article_id: row.article_id,
            before: row.before,
            after: row.after,
            request_id: row.request_id,
            prev_hash: row.prev_hash,
            hash: row.hash,
        }
    }

    /// Strictly increasing with seq, to the microsecond (what is stored is what is hashed).
    fn time_of(&self, seq: i64) -> DateTime<Utc> {
        let micros = self.t0_micros + (seq - self.first_seq) * self.step_micros;
        DateTime::from_timestamp_micros(micros).unwrap_or_default()
    }
}

/// Fills the database; prints progress to `progress`.
pub fn run(
    conn: &mut PgConnection,
    options: &Options,
    progress: &mut dyn Write,
) -> Result<Summary, BenchDataError> {
    if options.articles == 0 || options.claims_per_article == 0 || options.events_per_claim == 0 {
        return Err(BenchDataError::Invalid(
            "--articles, --claims-per-article and --events-per-claim must each be at least 1 \
             (every claim has its claim.created event)"
                .into(),
        ));
    }
    let existing = repo::article_count(conn)?;
    if existing > 0 && !options.append {
        return Err(BenchDataError::NotEmpty(existing));
    }
    let started = Instant::now();
    let ids = repo::max_ids(conn)?;
    // Seeded by the first article id too, so an --append run with the same seed makes new
    // articles (the content hash is unique) while a fresh run is reproducible.
    let mut rng = StdRng::seed_from_u64(options.seed ^ (ids.article as u64).rotate_left(32));
    let speakers = text::speakers(&mut rng, 300);

    let per_article =
        1 + i64::from(options.claims_per_article) * i64::from(options.events_per_claim);
    let total_events =
        EDITORS as i64 + REVIEWERS as i64 + i64::from(options.articles) * per_article;
    // Spread the history over two years up to now, or after the newest event already there.
    let now = Utc::now();
    let t0 = match repo::last_event_time(conn)? {
        Some(last) if last > now - Duration::days(730) => last + Duration::microseconds(1),
        _ => now - Duration::days(730),
    };
    let span = (now - t0).num_microseconds().unwrap_or(0).max(0);
    let step_micros = (span / total_events.max(1)).max(1);

    let mut summary = Summary::default();
    let mut next = ids;
    let articles_per_batch = (BATCH_CLAIMS / options.claims_per_article).max(1);
    let mut done = 0u32;
    let mut users: Option<(Vec<BenchUser>, Vec<BenchUser>)> = None;
    let mut run_first_seq: Option<i64> = None;
    while done < options.articles {
        let n = articles_per_batch.min(options.articles - done);
        conn.transaction(|conn| -> Result<(), BenchDataError> {
            let (seq, prev_hash) = crate::audit::repo::lock_head(conn)?;
            let mut chain = Chain {
                seq,
                prev_hash,
                t0_micros: t0.timestamp_micros(),
                // The run's clock: one step per event from the run's first event on.
                first_seq: *run_first_seq.get_or_insert(seq + 1),
                step_micros,
            };
            let mut batch = Batch::default();
            if users.is_none() {
                let (editors, reviewers, created) =
                    ensure_users(conn, &speakers, &mut chain, &mut batch)?;
                summary.users = created;
                users = Some((editors, reviewers));
            }
            if let Some((editors, reviewers)) = &users {
                for _ in 0..n {
                    generate_article(
                        &mut rng, options, &speakers, editors, reviewers, &mut next, &mut chain,
                        &mut batch,
                    );
                }
            }
            repo::copy_batch(conn, &batch)?;
            crate::audit::repo::advance_head(conn, chain.seq, &chain.prev_hash)?;
            repo::advance_identity(conn, "articles", next.article)?;
            repo::advance_identity(conn, "claims", next.claim)?;
            repo::advance_identity(conn, "assignments", next.assignment)?;
            repo::advance_identity(conn, "evidence", next.evidence)?;
            repo::advance_identity(conn, "verdicts", next.verdict)?;
            repo::advance_identity(conn, "comments", next.comment)?;
            summary.articles += batch.articles.len() as i64;
            summary.claims += batch.claims.len() as i64;
            summary.events += batch.events.len() as i64;
            Ok(())
        })?;
        done += n;
        writeln!(
            progress,
            "{done}/{} articles, {} claims, {} events ({:.1}s)",
            options.articles,
            summary.claims,
            summary.events,
            started.elapsed().as_secs_f64()
        )?;
    }
    Ok(summary)
}

/// The bench's editors and reviewers, created once (their password is random and thrown away:
/// nobody signs in as them; `benches/run.sh` adds its own account).
fn ensure_users(
    conn: &mut PgConnection,
    speakers: &[String],
    chain: &mut Chain,
    batch: &mut Batch,
) -> Result<(Vec<BenchUser>, Vec<BenchUser>, i64), BenchDataError> {
    let mut wanted: Vec<(String, String, &str)> = Vec::new();
    for i in 0..EDITORS {
        let name = speakers
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("Editor {i}"));
        wanted.push((format!("editor{}@bench.example", i + 1), name, "editor"));
    }
    for i in 0..REVIEWERS {
        let name = speakers
            .get(EDITORS + i)
            .cloned()
            .unwrap_or_else(|| format!("Reviewer {i}"));
        wanted.push((format!("reviewer{}@bench.example", i + 1), name, "reviewer"));
    }
    let emails: Vec<String> = wanted.iter().map(|w| w.0.clone()).collect();
    let existing = repo::users_by_email(conn, &emails)?;
    let missing: Vec<&(String, String, &str)> = wanted
        .iter()
        .filter(|w| !existing.iter().any(|(_, e)| *e == w.0))
        .collect();
    let mut created = Vec::new();
    if !missing.is_empty() {
        let password = crate::auth::model::Password::parse(&crate::web::random_token(24))
            .map_err(BenchDataError::Hashing)?;
        let hash = crate::auth::service::hash_password(&password)
            .map_err(|e| BenchDataError::Hashing(e.to_string()))?;
        let rows: Vec<repo::NewBenchUser<'_>> = missing
            .iter()
            .map(|(email, name, role)| repo::NewBenchUser {
                email,
                name,
                role,
                password_hash: &hash,
            })
            .collect();
        created = repo::insert_users(conn, &rows)?;
        for (id, email) in &created {
            if let Some((_, name, role)) = wanted.iter().find(|w| w.0 == *email) {
                batch.events.push(chain.event(
                    None,
                    "user.created",
                    "user",
                    Some(*id),
                    None,
                    None,
                    None,
                    Some(json!({"email": email, "name": name, "role": role})),
                ));
            }
        }
    }
    let all: Vec<(i64, String)> = existing
        .into_iter()
        .chain(created.iter().cloned())
        .collect();
    let user = |email: &str, name: &str| {
        all.iter()
            .find(|(_, e)| e == email)
            .map(|(id, _)| BenchUser {
                id: *id,
                name: name.to_string(),
            })
    };
    let mut editors = Vec::new();
    let mut reviewers = Vec::new();
    for (email, name, role) in &wanted {
        if let Some(u) = user(email, name) {
            if *role == "editor" {
                editors.push(u);
            } else {
                reviewers.push(u);
            }
        }
    }
    Ok((editors, reviewers, created.len() as i64))
}

fn choose<'a, T>(rng: &mut StdRng, items: &'a [T]) -> Option<&'a T> {
    if items.is_empty() {
        None
    } else {
        items.get(rng.random_range(0..items.len()))
    }
}

/// One article, its claims, their workflow rows and events (article.ingested and every
/// claim.created first, as ingestion writes them; then each claim's workflow).
#[allow(clippy::too_many_arguments)]
fn generate_article(
    rng: &mut StdRng,
    options: &Options,
    speakers: &[String],
    editors: &[BenchUser],
    reviewers: &[BenchUser],
    next: &mut MaxIds,
    chain: &mut Chain,
    batch: &mut Batch,
) {
    let (Some(ingester), true) = (choose(rng, editors).cloned(), !reviewers.is_empty()) else {
        return;
    };
    let a = text::article(rng, speakers, options.claims_per_article as usize);
    next.article += 1;
    let article_id = next.article;
    let content_hash = crate::articles::service::content_hash(&a.body);
    let ingested_at = chain.time_of(chain.seq + 1);
    let url = format!(
        "https://news.example/{}/{}-{}",
        ingested_at.format("%Y/%m/%d"),
        article_id,
        a.slug
    );
    // The payload ingestion records.
    let ingested = chain.event(
        Some(&ingester),
        "article.ingested",
        "article",
        Some(article_id),
        None,
        Some(article_id),
        None,
        Some(json!({
            "title": a.title,
            "url": url,
            "publisher": a.publisher,
            "content_hash": content_hash,
            "source_format": "text",
            "candidates": a.claims.len(),
        })),
    );
    batch.events.push(ingested);
    batch.articles.push(ArticleRow {
        id: article_id,
        title: a.title.clone(),
        url: Some(url),
        publisher: Some(a.publisher.clone()),
        wire_service: a.wire_service.clone(),
        author: Some(a.author.clone()),
        published_at: Some(ingested_at - Duration::minutes(rng.random_range(10..600))),
        raw_html: None,
        raw_text: Some(a.body.clone()),
        body_text: a.body,
        content_hash,
        ingested_by: Some(ingester.id),
        ingested_at,
    });

    let k = options.events_per_claim;
    let first_claim = batch.claims.len();
    for c in &a.claims {
        next.claim += 1;
        let claim_id = next.claim;
        let score = (f64::from(c.score) * 10_000.0).round() / 10_000.0;
        let signals: Vec<String> = c.signals.iter().flatten().cloned().collect();
        let event = chain.event(
            Some(&ingester),
            "claim.created",
            "claim",
            Some(claim_id),
            Some(claim_id),
            Some(article_id),
            None,
            Some(json!({
                "text": c.text,
                "quote": {"start": c.start, "end": c.end, "exact": c.exact},
                "speaker": c.speaker,
                "speaker_role": c.speaker_role,
                "via": c.via,
                "cue": c.cue,
                "kind": c.kind,
                "signals": signals,
                "score": score,
                "origin": "extracted",
                "status": "candidate",
            })),
        );
        batch.claims.push(ClaimRow {
            id: claim_id,
            article_id,
            text: c.text.clone(),
            quote_exact: c.exact.clone(),
            quote_prefix: c.prefix.clone(),
            quote_suffix: c.suffix.clone(),
            quote_start: c.start as i32,
            quote_end: c.end as i32,
            speaker: c.speaker.clone(),
            speaker_role: c.speaker_role.clone(),
            via: c.via.clone(),
            cue: c.cue.clone(),
            kind: c.kind.to_string(),
            signals: c.signals.clone(),
            score: score as f32,
            origin: "extracted".into(),
            status: "candidate".into(),
            version: 1,
            assignee_id: None,
            due_at: None,
            priority: None,
            created_by: None,
            created_at: event.occurred_at,
            updated_at: event.occurred_at,
        });
        batch.events.push(event);
    }
    for i in first_claim..batch.claims.len() {
        workflow(rng, k, editors, reviewers, &ingester, next, chain, batch, i);
    }
}

/// Moves claim `index` of the batch to a status drawn from the mix (among those whose history
/// fits in `k` events), writing the rows and events the real workflow would have written, then
/// pads its history to exactly `k` events with comments and extra evidence.
#[allow(clippy::too_many_arguments)]
fn workflow(
    rng: &mut StdRng,
    k: u32,
    editors: &[BenchUser],
    reviewers: &[BenchUser],
    ingester: &BenchUser,
    next: &mut MaxIds,
    chain: &mut Chain,
    batch: &mut Batch,
    index: usize,
) {
    let fitting: Vec<&(&str, u32, u32)> = STATUS_MIX.iter().filter(|s| s.1 <= k).collect();
    let total: u32 = fitting.iter().map(|s| s.2).sum();
    let mut draw = rng.random_range(0..total.max(1));
    let mut status = "candidate";
    for s in &fitting {
        if draw < s.2 {
            status = s.0;
            break;
        }
        draw -= s.2;
    }
    let editor = choose(rng, editors)
        .cloned()
        .unwrap_or_else(|| ingester.clone());
    let Some(claim) = batch.claims.get(index) else {
        return;
    };
    let (claim_id, article_id) = (claim.id, claim.article_id);
    let mut used = 1u32;
    let mut version = 1i32;
    let mut assignee: Option<BenchUser> = None;
    let mut due_at = None;
    let mut priority = None;
    let mut updated_at = claim.updated_at;
    let ids = (Some(claim_id), Some(claim_id), Some(article_id));

    if status == "rejected" {
        let reason = text::rejection_reason(rng);
        let e = chain.event(
            Some(&editor),
            "claim.rejected",
            "claim",
            ids.0,
            ids.1,
            ids.2,
            Some(json!({"status": "candidate", "version": 1})),
            Some(json!({"status": "rejected", "version": 2, "reason": reason})),
        );
        updated_at = e.occurred_at;
        batch.events.push(e);
        version = 2;
        used += 1;
    }
    if matches!(status, "open" | "in_review" | "verified" | "disputed") {
        let e = chain.event(
            Some(&editor),
            "claim.accepted",
            "claim",
            ids.0,
            ids.1,
            ids.2,
            Some(json!({"status": "candidate", "version": 1})),
            Some(json!({"status": "open", "version": 2})),
        );
        updated_at = e.occurred_at;
        batch.events.push(e);
        version = 2;
        used += 1;
    }
    if matches!(status, "in_review" | "verified" | "disputed") {
        let reviewer = choose(rng, reviewers)
            .cloned()
            .unwrap_or_else(|| editor.clone());
        let at = chain.time_of(chain.seq + 1);
        let due = at + Duration::days(rng.random_range(1..15));
        let prio = choose(rng, PRIORITIES).map(|p| (*p).to_string());
        let e = chain.event(
            Some(&editor),
            "claim.assigned",
            "claim",
            ids.0,
            ids.1,
            ids.2,
            Some(json!({"assignee_id": null, "due_at": null, "priority": null, "status": "open", "version": 2})),
            Some(json!({
                "assignee_id": reviewer.id,
                "due_at": format_time(&due),
                "priority": prio,
                "status": "in_review",
                "version": 3,
            })),
        );
        updated_at = e.occurred_at;
        batch.events.push(e);
        next.assignment += 1;
        batch.assignments.push(AssignmentRow {
            id: next.assignment,
            claim_id,
            assignee_id: reviewer.id,
            assigned_by: editor.id,
            due_at: Some(due),
            priority: prio.clone(),
            assigned_at: at,
            ended_at: None,
        });
        version = 3;
        used += 1;
        assignee = Some(reviewer);
        due_at = Some(due);
        priority = prio;
    }
    if let (Some(reviewer), true) = (&assignee, matches!(status, "verified" | "disputed")) {
        add_evidence(rng, reviewer, claim_id, article_id, next, chain, batch);
        let rationale = text::rationale(rng, status == "verified");
        let e = chain.event(
            Some(reviewer),
            "claim.verdict",
            "claim",
            ids.0,
            ids.1,
            ids.2,
            Some(json!({"status": "in_review", "version": 3})),
            Some(json!({"status": status, "version": 4, "rationale": rationale})),
        );
        updated_at = e.occurred_at;
        next.verdict += 1;
        batch.verdicts.push(VerdictRow {
            id: next.verdict,
            claim_id,
            verdict: status.to_string(),
            rationale,
            decided_by: reviewer.id,
            decided_at: e.occurred_at,
            superseded_at: None,
        });
        batch.events.push(e);
        version = 4;
        used += 2;
    }
    // Padding: discussion on the claim (and more evidence once someone works on it).
    while used < k {
        match &assignee {
            Some(reviewer) if rng.random_bool(0.5) => {
                add_evidence(rng, reviewer, claim_id, article_id, next, chain, batch);
            }
            _ => {
                let author = assignee.clone().unwrap_or_else(|| editor.clone());
                let body = text::comment(rng);
                next.comment += 1;
                let e = chain.event(
                    Some(&author),
                    "comment.added",
                    "comment",
                    Some(next.comment),
                    Some(claim_id),
                    Some(article_id),
                    None,
                    Some(json!({"body": body})),
                );
                batch.comments.push(CommentRow {
                    id: next.comment,
                    claim_id,
                    author_id: author.id,
                    body: body.to_string(),
                    created_at: e.occurred_at,
                });
                batch.events.push(e);
            }
        }
        used += 1;
    }
    if let Some(claim) = batch.claims.get_mut(index) {
        claim.status = status.to_string();
        claim.version = version;
        claim.assignee_id = assignee.map(|u| u.id);
        claim.due_at = due_at;
        claim.priority = priority;
        claim.updated_at = updated_at;
    }
}

fn add_evidence(
    rng: &mut StdRng,
    by: &BenchUser,
    claim_id: i64,
    article_id: i64,
    next: &mut MaxIds,
    chain: &mut Chain,
    batch: &mut Batch,
) {
    next.evidence += 1;
    let url = format!(
        "https://data.example.org/series/{}/{}",
        rng.random_range(100..999),
        next.evidence
    );
    let title = format!("Official series {}", rng.random_range(1..400));
    let note = text::evidence_note(rng);
    let stance = *choose(rng, &["supports", "refutes", "context"]).unwrap_or(&"context");
    let e = chain.event(
        Some(by),
        "evidence.added",
        "evidence",
        Some(next.evidence),
        Some(claim_id),
        Some(article_id),
        None,
        Some(json!({"url": url, "title": title, "note": note, "stance": stance})),
    );
    batch.evidence.push(EvidenceRow {
        id: next.evidence,
        claim_id,
        url,
        title: Some(title),
        note,
        stance: stance.to_string(),
        added_by: by.id,
        added_at: e.occurred_at,
    });
    batch.events.push(e);
}
