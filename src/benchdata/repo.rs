//! The generator's rows and how they reach PostgreSQL: `COPY … FROM STDIN` in binary format
//! through diesel's `copy_from`, with explicit ids so that claims, events and the rows that
//! refer to them can be built together in memory before a single round trip per table.

use chrono::{DateTime, Utc};
use diesel::dsl::max;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::Value;

use crate::schema::{
    articles, assignments, audit_events, claims, comments, evidence, users, verdicts,
};

// `treat_none_as_default_value = false`: COPY writes every column, a `None` is a NULL.

#[derive(Debug, Insertable)]
#[diesel(table_name = articles, treat_none_as_default_value = false)]
pub struct ArticleRow {
    pub id: i64,
    pub title: String,
    pub url: Option<String>,
    pub publisher: Option<String>,
    pub wire_service: Option<String>,
    pub author: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub raw_html: Option<String>,
    pub raw_text: Option<String>,
    pub body_text: String,
    pub content_hash: String,
    pub ingested_by: Option<i64>,
    pub ingested_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = claims, treat_none_as_default_value = false)]
pub struct ClaimRow {
    pub id: i64,
    pub article_id: i64,
    pub text: String,
    pub quote_exact: String,
    pub quote_prefix: String,
    pub quote_suffix: String,
    pub quote_start: i32,
    pub quote_end: i32,
    pub speaker: Option<String>,
    pub speaker_role: Option<String>,
    pub via: Option<String>,
    pub cue: Option<String>,
    pub kind: String,
    pub signals: Vec<Option<String>>,
    pub score: f32,
    pub origin: String,
    pub status: String,
    pub version: i32,
    pub assignee_id: Option<i64>,
    pub due_at: Option<DateTime<Utc>>,
    pub priority: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = assignments, treat_none_as_default_value = false)]
pub struct AssignmentRow {
    pub id: i64,
    pub claim_id: i64,
    pub assignee_id: i64,
    pub assigned_by: i64,
    pub due_at: Option<DateTime<Utc>>,
    pub priority: Option<String>,
    pub assigned_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = evidence, treat_none_as_default_value = false)]
pub struct EvidenceRow {
    pub id: i64,
    pub claim_id: i64,
    pub url: String,
    pub title: Option<String>,
    pub note: String,
    pub stance: String,
    pub added_by: i64,
    pub added_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = verdicts, treat_none_as_default_value = false)]
pub struct VerdictRow {
    pub id: i64,
    pub claim_id: i64,
    pub verdict: String,
    pub rationale: String,
    pub decided_by: i64,
    pub decided_at: DateTime<Utc>,
    pub superseded_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = comments, treat_none_as_default_value = false)]
pub struct CommentRow {
    pub id: i64,
    pub claim_id: i64,
    pub author_id: i64,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// An audit event as stored (the same columns as `audit::model::AuditEventRow`).
#[derive(Debug, Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
pub struct EventRow {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_type: String,
    pub actor_user_id: Option<i64>,
    pub actor_token_id: Option<i64>,
    pub actor_display: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<i64>,
    pub claim_id: Option<i64>,
    pub article_id: Option<i64>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewBenchUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
}

/// Everything one batch writes, in the order the foreign keys need.
#[derive(Debug, Default)]
pub struct Batch {
    pub articles: Vec<ArticleRow>,
    pub claims: Vec<ClaimRow>,
    pub assignments: Vec<AssignmentRow>,
    pub evidence: Vec<EvidenceRow>,
    pub verdicts: Vec<VerdictRow>,
    pub comments: Vec<CommentRow>,
    pub events: Vec<EventRow>,
}

pub fn copy_batch(conn: &mut PgConnection, batch: &Batch) -> QueryResult<()> {
    if !batch.articles.is_empty() {
        diesel::copy_from(articles::table)
            .from_insertable(&batch.articles)
            .execute(conn)?;
    }
    if !batch.claims.is_empty() {
        diesel::copy_from(claims::table)
            .from_insertable(&batch.claims)
            .execute(conn)?;
    }
    if !batch.assignments.is_empty() {
        diesel::copy_from(assignments::table)
            .from_insertable(&batch.assignments)
            .execute(conn)?;
    }
    if !batch.evidence.is_empty() {
        diesel::copy_from(evidence::table)
            .from_insertable(&batch.evidence)
            .execute(conn)?;
    }
    if !batch.verdicts.is_empty() {
        diesel::copy_from(verdicts::table)
            .from_insertable(&batch.verdicts)
            .execute(conn)?;
    }
    if !batch.comments.is_empty() {
        diesel::copy_from(comments::table)
            .from_insertable(&batch.comments)
            .execute(conn)?;
    }
    if !batch.events.is_empty() {
        diesel::copy_from(audit_events::table)
            .from_insertable(&batch.events)
            .execute(conn)?;
    }
    Ok(())
}

pub fn article_count(conn: &mut PgConnection) -> QueryResult<i64> {
    articles::table.count().get_result(conn)
}

/// The highest id in use per table (0 when empty): the generator numbers its rows after them.
#[derive(Debug, Clone, Copy, Default)]
pub struct MaxIds {
    pub article: i64,
    pub claim: i64,
    pub assignment: i64,
    pub evidence: i64,
    pub verdict: i64,
    pub comment: i64,
}

pub fn max_ids(conn: &mut PgConnection) -> QueryResult<MaxIds> {
    Ok(MaxIds {
        article: articles::table
            .select(max(articles::id))
            .first::<Option<i64>>(conn)?
            .unwrap_or(0),
        claim: claims::table
            .select(max(claims::id))
            .first::<Option<i64>>(conn)?
            .unwrap_or(0),
        assignment: assignments::table
            .select(max(assignments::id))
            .first::<Option<i64>>(conn)?
            .unwrap_or(0),
        evidence: evidence::table
            .select(max(evidence::id))
            .first::<Option<i64>>(conn)?
            .unwrap_or(0),
        verdict: verdicts::table
            .select(max(verdicts::id))
            .first::<Option<i64>>(conn)?
            .unwrap_or(0),
        comment: comments::table
            .select(max(comments::id))
            .first::<Option<i64>>(conn)?
            .unwrap_or(0),
    })
}

pub fn last_event_time(conn: &mut PgConnection) -> QueryResult<Option<DateTime<Utc>>> {
    audit_events::table
        .select(max(audit_events::occurred_at))
        .first(conn)
}

/// Moves a table's identity sequence past the ids the generator wrote, so the app's own inserts
/// continue after them. Raw SQL: diesel has no builder for `setval`; the inputs are bound.
pub fn advance_identity(conn: &mut PgConnection, table: &str, last_id: i64) -> QueryResult<()> {
    if last_id < 1 {
        return Ok(());
    }
    diesel::sql_query("SELECT setval(pg_get_serial_sequence($1, 'id'), $2)")
        .bind::<Text, _>(table)
        .bind::<BigInt, _>(last_id)
        .execute(conn)?;
    Ok(())
}

/// (id, email) of the users that already have one of `emails`.
pub fn users_by_email(
    conn: &mut PgConnection,
    emails: &[String],
) -> QueryResult<Vec<(i64, String)>> {
    users::table
        .filter(users::email.eq_any(emails))
        .select((users::id, users::email))
        .load(conn)
}

pub fn insert_users(
    conn: &mut PgConnection,
    rows: &[NewBenchUser<'_>],
) -> QueryResult<Vec<(i64, String)>> {
    diesel::insert_into(users::table)
        .values(rows)
        .returning((users::id, users::email))
        .get_results(conn)
}
