//! Appending to the chain and verifying it.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::canonical::{GENESIS_HASH, canonical, chain_hash, expected_hash};
use super::model::{AuditContext, AuditEventRow, Event};
use super::repo;

/// Timestamps are stored to the microsecond; hash what is stored.
pub fn now_micros() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// Appends `events` to the chain inside the caller's transaction. Call it last in the
/// transaction: it locks the chain head until commit. Returns the stored rows (empty, and no
/// lock taken, when there is nothing to record).
pub fn append(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    events: impl IntoIterator<Item = Event>,
) -> QueryResult<Vec<AuditEventRow>> {
    let events: Vec<Event> = events.into_iter().collect();
    if events.is_empty() {
        return Ok(vec![]);
    }
    let (mut seq, mut prev_hash) = repo::lock_head(conn)?;
    let occurred_at = now_micros();
    let mut rows = Vec::with_capacity(events.len());
    for event in events {
        seq += 1;
        let mut row = AuditEventRow {
            seq,
            occurred_at,
            actor_type: ctx.actor.kind().to_string(),
            actor_user_id: ctx.actor.user_id(),
            actor_token_id: ctx.actor.token_id(),
            actor_display: ctx.actor.display(),
            action: event.action.as_str().to_string(),
            entity_type: event.entity_type.to_string(),
            entity_id: event.entity_id,
            claim_id: event.claim_id,
            article_id: event.article_id,
            before: event.before,
            after: event.after,
            request_id: ctx.request_id.clone(),
            prev_hash: prev_hash.clone(),
            hash: String::new(),
        };
        row.hash = chain_hash(&row.prev_hash, &canonical(&row));
        prev_hash = row.hash.clone();
        rows.push(row);
    }
    // Large batches (ingestion of a long article) go in chunks to stay under the bind limit.
    for chunk in rows.chunks(1000) {
        repo::insert(conn, chunk)?;
    }
    repo::advance_head(conn, seq, &prev_hash)?;
    Ok(rows)
}

/// Like [`append`], for events that may be no-ops (`None` is skipped).
pub fn append_changes(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    events: impl IntoIterator<Item = Option<Event>>,
) -> QueryResult<Vec<AuditEventRow>> {
    append(conn, ctx, events.into_iter().flatten())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub ok: bool,
    /// Events checked.
    pub events: i64,
    /// The hash of the last event checked (the chain head when intact).
    pub head: String,
    pub first_bad_seq: Option<i64>,
    /// What was wrong at `first_bad_seq`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

const VERIFY_BATCH: i64 = 5_000;

/// Walks the whole chain in `seq` order, in batches (constant memory), inside one snapshot.
pub fn verify(conn: &mut PgConnection) -> QueryResult<VerifyReport> {
    conn.build_transaction().repeatable_read().read_only().run(|conn| {
        let (head_seq, head_hash) = repo::head(conn)?;
        let mut expected_seq = 1i64;
        let mut prev = GENESIS_HASH.to_string();
        let mut checked = 0i64;
        let bad = |seq: i64, checked: i64, prev: &str, problem: String| VerifyReport {
            ok: false,
            events: checked,
            head: prev.to_string(),
            first_bad_seq: Some(seq),
            problem: Some(problem),
        };
        loop {
            let batch = repo::batch_after(conn, expected_seq - 1, VERIFY_BATCH)?;
            if batch.is_empty() {
                break;
            }
            for event in &batch {
                if event.seq != expected_seq {
                    return Ok(bad(expected_seq, checked, &prev, format!("event {expected_seq} is missing")));
                }
                if event.prev_hash != prev {
                    return Ok(bad(event.seq, checked, &prev, "prev_hash does not match the previous event's hash".into()));
                }
                if expected_hash(event) != event.hash {
                    return Ok(bad(event.seq, checked, &prev, "hash does not match the event's content".into()));
                }
                prev = event.hash.clone();
                expected_seq += 1;
                checked += 1;
            }
        }
        if checked != head_seq || prev != head_hash {
            let seq = checked.min(head_seq) + 1;
            return Ok(bad(seq, checked, &prev, format!(
                "the chain head says {head_seq} events ending in {head_hash}, the log has {checked}"
            )));
        }
        Ok(VerifyReport {
            ok: true,
            events: checked,
            head: prev,
            first_bad_seq: None,
            problem: None,
        })
    })
}

/// The chain head now: (events, hash).
pub fn head(conn: &mut PgConnection) -> QueryResult<(i64, String)> {
    repo::head(conn)
}
