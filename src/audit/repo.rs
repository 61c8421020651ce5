//! The only place that touches the audit tables.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::model::{AuditEventRow, TimelineEvent};
use crate::schema::{audit_chain_head, audit_events};

/// The chain head, locked until the end of the caller's transaction.
pub fn lock_head(conn: &mut PgConnection) -> QueryResult<(i64, String)> {
    audit_chain_head::table
        .select((audit_chain_head::seq, audit_chain_head::hash))
        .for_update()
        .first(conn)
}

/// The chain head as of the caller's snapshot, unlocked.
pub fn head(conn: &mut PgConnection) -> QueryResult<(i64, String)> {
    audit_chain_head::table
        .select((audit_chain_head::seq, audit_chain_head::hash))
        .first(conn)
}

pub fn insert(conn: &mut PgConnection, rows: &[AuditEventRow]) -> QueryResult<usize> {
    diesel::insert_into(audit_events::table)
        .values(rows)
        .execute(conn)
}

pub fn advance_head(conn: &mut PgConnection, seq: i64, hash: &str) -> QueryResult<usize> {
    diesel::update(audit_chain_head::table)
        .set((
            audit_chain_head::seq.eq(seq),
            audit_chain_head::hash.eq(hash),
        ))
        .execute(conn)
}

/// Up to `limit` events after `after_seq`, in order.
pub fn batch_after(
    conn: &mut PgConnection,
    after_seq: i64,
    limit: i64,
) -> QueryResult<Vec<AuditEventRow>> {
    audit_events::table
        .filter(audit_events::seq.gt(after_seq))
        .order(audit_events::seq.asc())
        .limit(limit)
        .select(AuditEventRow::as_select())
        .load(conn)
}

pub fn for_claim(conn: &mut PgConnection, claim_id: i64) -> QueryResult<Vec<AuditEventRow>> {
    audit_events::table
        .filter(audit_events::claim_id.eq(claim_id))
        .order(audit_events::seq.asc())
        .select(AuditEventRow::as_select())
        .load(conn)
}

/// Filters for reading the history; all optional.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub actor_user_id: Option<i64>,
    pub action: Option<String>,
    pub claim_id: Option<i64>,
    pub article_id: Option<i64>,
    /// Only events whose claim has this assignee now.
    pub claim_assignee_id: Option<i64>,
    /// Only events whose claim has this status now.
    pub claim_status: Option<String>,
    /// Events after this seq (ascending pages) or before it (descending pages).
    pub cursor: Option<i64>,
    pub descending: bool,
    /// Only events up to this seq (a report's snapshot).
    pub max_seq: Option<i64>,
}

pub fn page(
    conn: &mut PgConnection,
    filter: &EventFilter,
    limit: i64,
) -> QueryResult<Vec<AuditEventRow>> {
    use crate::schema::claims;
    let mut query = audit_events::table
        .select(AuditEventRow::as_select())
        .into_boxed();
    if let Some(from) = filter.from {
        query = query.filter(audit_events::occurred_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_events::occurred_at.lt(to));
    }
    if let Some(actor) = filter.actor_user_id {
        query = query.filter(audit_events::actor_user_id.eq(actor));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_events::action.eq(action.clone()));
    }
    if let Some(claim) = filter.claim_id {
        query = query.filter(audit_events::claim_id.eq(claim));
    }
    if let Some(article) = filter.article_id {
        query = query.filter(audit_events::article_id.eq(article));
    }
    if let Some(assignee) = filter.claim_assignee_id {
        query = query.filter(
            audit_events::claim_id.eq_any(
                claims::table
                    .filter(claims::assignee_id.eq(assignee))
                    .select(claims::id.nullable()),
            ),
        );
    }
    if let Some(status) = &filter.claim_status {
        query = query.filter(
            audit_events::claim_id.eq_any(
                claims::table
                    .filter(claims::status.eq(status.clone()))
                    .select(claims::id.nullable()),
            ),
        );
    }
    if let Some(max) = filter.max_seq {
        query = query.filter(audit_events::seq.le(max));
    }
    if filter.descending {
        if let Some(cursor) = filter.cursor {
            query = query.filter(audit_events::seq.lt(cursor));
        }
        query = query.order(audit_events::seq.desc());
    } else {
        if let Some(cursor) = filter.cursor {
            query = query.filter(audit_events::seq.gt(cursor));
        }
        query = query.order(audit_events::seq.asc());
    }
    query.limit(limit).load(conn)
}

/// The newest events, each with the text of the claim it is about (if any and if the
/// claim still exists), in one query: the dashboard's recent activity. The text is a subquery
/// per event, not a join: for a join PostgreSQL plans for every event there is and puts a
/// Memoize cache in front of `claims`, which it then builds at every execution (0.03 ms, more
/// than reading the ten events). The dashboard's claim counts ride along as one more,
/// uncorrelated subquery (evaluated once, its small object repeated on each row), and the
/// query carries `probe`: a statement fewer per view.
pub fn newest_with_claim_texts<K: crate::db::ProbeKind>(
    conn: &mut PgConnection,
    probe: &crate::db::Probe<K>,
) -> QueryResult<NewestWithCounts> {
    use crate::schema::{claim_status_counts, claims};
    let claim_text = claims::table
        .filter(claims::id.nullable().eq(audit_events::claim_id))
        .select(claims::text)
        .single_value();
    let counts = claim_status_counts::table
        .select(jsonb_object_agg(
            claim_status_counts::status,
            claim_status_counts::n,
        ))
        .single_value();
    let rows: Vec<(TimelineEvent, Option<String>, Option<serde_json::Value>)> = probe.load(
        conn,
        crate::db::LimitedTo::<_, NEWEST_EVENTS>(
            audit_events::table
                .select((TimelineEvent::as_select(), claim_text, counts))
                .order(audit_events::seq.desc()),
        ),
    )?;
    let counts = rows.first().map(|(_, _, counts)| {
        counts
            .as_ref()
            .and_then(|c| c.as_object())
            .map(|c| {
                c.iter()
                    .map(|(status, n)| (status.clone(), n.as_i64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default()
    });
    Ok(NewestWithCounts {
        events: rows
            .into_iter()
            .map(|(event, text, _)| (event, text))
            .collect(),
        counts,
    })
}

/// The newest `N` events before `before` (a seq; the very newest without it), each with its
/// claim's text, for the activity page: one statement of a static type, its limit in the
/// SQL, so that PostgreSQL keeps its plan (the general [`page`] binds its limit and was
/// planned again at every view).
pub fn newest_before<const N: u32>(
    conn: &mut PgConnection,
    before: Option<i64>,
) -> QueryResult<Vec<(TimelineEvent, Option<String>)>> {
    use crate::schema::claims;
    let query = || {
        let claim_text = claims::table
            .filter(claims::id.nullable().eq(audit_events::claim_id))
            .select(claims::text)
            .single_value();
        audit_events::table
            .select((TimelineEvent::as_select(), claim_text))
            .order(audit_events::seq.desc())
    };
    match before {
        Some(seq) => {
            crate::db::LimitedTo::<_, N>(query().filter(audit_events::seq.lt(seq))).load(conn)
        }
        None => crate::db::LimitedTo::<_, N>(query()).load(conn),
    }
}

/// How many events [`newest_with_claim_texts`] reads (the dashboard's recent activity).
pub const NEWEST_EVENTS: u32 = 10;

/// The newest events, each with its claim's text, and the claims per status as the triggers
/// keep them (`claim_status_counts`), read in the same statement: `None` when there were no
/// events to carry them.
pub struct NewestWithCounts {
    pub events: Vec<(TimelineEvent, Option<String>)>,
    pub counts: Option<Vec<(String, i64)>>,
}

diesel::define_sql_function! {
    /// `jsonb_object_agg(key, value)`: one JSON object of a table's key-value rows.
    #[aggregate]
    fn jsonb_object_agg(
        key: diesel::sql_types::Text,
        value: diesel::sql_types::BigInt,
    ) -> diesel::sql_types::Jsonb;
}

pub fn count(conn: &mut PgConnection) -> QueryResult<i64> {
    audit_events::table.count().get_result(conn)
}
