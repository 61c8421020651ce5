//! The only place reports touch diesel: keyset pages of audit events with the names joined in,
//! their count, and the desk summary's figures.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::model::ReportRow;
use crate::schema::{articles, assignments, audit_events, claims, users, verdicts};

/// Report filters in database terms (the assignee resolved to an id).
#[derive(Debug, Clone, Default)]
pub struct RowFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub article_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub status: Option<String>,
    pub action: Option<String>,
    /// The snapshot: nothing after the chain head the report was taken at.
    pub max_seq: i64,
}

type EventsWithNames = diesel::dsl::LeftJoin<
    diesel::dsl::LeftJoin<
        diesel::dsl::LeftJoin<audit_events::table, users::table>,
        articles::table,
    >,
    claims::table,
>;

/// The filtered events as a boxed query over events ⟕ users ⟕ articles ⟕ claims. The claim
/// filters (assignee, status) are "the claim as it stands now", as in the audit API.
fn filtered(
    filter: &RowFilter,
) -> diesel::dsl::IntoBoxed<'static, EventsWithNames, diesel::pg::Pg> {
    let mut query = audit_events::table
        .left_join(users::table)
        .left_join(articles::table)
        .left_join(claims::table)
        .filter(audit_events::seq.le(filter.max_seq))
        .into_boxed();
    if let Some(from) = filter.from {
        query = query.filter(audit_events::occurred_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_events::occurred_at.lt(to));
    }
    if let Some(article) = filter.article_id {
        query = query.filter(audit_events::article_id.eq(article));
    }
    if let Some(assignee) = filter.assignee_id {
        query = query.filter(claims::assignee_id.eq(assignee));
    }
    if let Some(status) = &filter.status {
        query = query.filter(claims::status.eq(status.clone()));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_events::action.eq(action.clone()));
    }
    query
}

/// Up to `limit` rows after `after_seq`, in `seq` order, names included: one query per page.
pub fn page(
    conn: &mut PgConnection,
    filter: &RowFilter,
    after_seq: i64,
    limit: i64,
) -> QueryResult<Vec<ReportRow>> {
    use diesel::sql_types::{Nullable, Text};
    type Row = (
        i64,
        DateTime<Utc>,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = filtered(filter)
        .filter(audit_events::seq.gt(after_seq))
        .order(audit_events::seq.asc())
        .limit(limit)
        .select((
            audit_events::seq,
            audit_events::occurred_at,
            audit_events::actor_display,
            audit_events::action,
            audit_events::before.cast::<Nullable<Text>>(),
            audit_events::after.cast::<Nullable<Text>>(),
            audit_events::hash,
            users::name.nullable(),
            users::email.nullable(),
            articles::title.nullable(),
            claims::text.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(seq, occurred_at, display, action, before, after, hash, name, email, title, text)| {
                ReportRow {
                    seq,
                    occurred_at,
                    // System events have no user; the display name recorded with the event says so.
                    actor_name: name.unwrap_or(display),
                    actor_email: email.unwrap_or_default(),
                    action,
                    article_title: title.unwrap_or_default(),
                    claim_text: text.unwrap_or_default(),
                    before,
                    after,
                    hash,
                }
            },
        )
        .collect())
}

/// How many rows the report will have.
pub fn count(conn: &mut PgConnection, filter: &RowFilter) -> QueryResult<i64> {
    filtered(filter).count().get_result(conn)
}

/// The id of the user with this email.
pub fn user_id_by_email(conn: &mut PgConnection, email: &str) -> QueryResult<Option<i64>> {
    users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(conn)
        .optional()
}

// ---- the desk summary ----

/// A time window with open ends made concrete (diesel cannot group a boxed query), wide
/// enough for any date PostgreSQL stores for us.
fn window(
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let far = |y| {
        chrono::NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
            .unwrap_or_default()
    };
    (
        from.unwrap_or_else(|| far(1)),
        to.unwrap_or_else(|| far(9999)),
    )
}

/// (reviewer name, verdict, count) over current verdicts decided in the window. Grouped on one
/// table, then named in a second query (diesel groups only by columns of one table unless the
/// schema declares otherwise).
pub fn verdicts_by_reviewer(
    conn: &mut PgConnection,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> QueryResult<Vec<(String, String, i64)>> {
    let (from, to) = window(from, to);
    let counts: Vec<(i64, String, i64)> = verdicts::table
        .filter(verdicts::superseded_at.is_null())
        .filter(verdicts::decided_at.ge(from))
        .filter(verdicts::decided_at.lt(to))
        .group_by((verdicts::decided_by, verdicts::verdict))
        .select((
            verdicts::decided_by,
            verdicts::verdict,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let ids: Vec<i64> = counts.iter().map(|(id, _, _)| *id).collect();
    let names: Vec<(i64, String)> = users::table
        .filter(users::id.eq_any(&ids))
        .select((users::id, users::name))
        .load(conn)?;
    let mut out: Vec<(String, String, i64)> = counts
        .into_iter()
        .map(|(id, verdict, n)| {
            let name = names
                .iter()
                .find(|(uid, _)| *uid == id)
                .map(|(_, name)| name.clone())
                .unwrap_or_else(|| format!("user {id}"));
            (name, verdict, n)
        })
        .collect();
    out.sort();
    Ok(out)
}

/// (decided at, assigned at).
pub type DecidedAfter = (DateTime<Utc>, Option<DateTime<Utc>>);

/// For every verdict decided in the window (current or since reopened): when it was decided and
/// when the assignment it closed began (the latest assignment of the claim before the verdict).
pub fn assignment_to_verdict(
    conn: &mut PgConnection,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> QueryResult<Vec<DecidedAfter>> {
    let (from, to) = window(from, to);
    verdicts::table
        .inner_join(
            assignments::table.on(assignments::claim_id
                .eq(verdicts::claim_id)
                .and(assignments::assigned_at.le(verdicts::decided_at))),
        )
        .filter(verdicts::decided_at.ge(from))
        .filter(verdicts::decided_at.lt(to))
        .group_by((verdicts::id, verdicts::decided_at))
        .select((
            verdicts::decided_at,
            diesel::dsl::max(assignments::assigned_at),
        ))
        .load(conn)
}

/// Claims in review whose due date has passed.
pub fn overdue(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<i64> {
    claims::table
        .filter(claims::status.eq("in_review"))
        .filter(claims::due_at.lt(now))
        .count()
        .get_result(conn)
}

/// Articles for the filter's choices, newest first.
pub fn recent_articles(conn: &mut PgConnection, limit: i64) -> QueryResult<Vec<(i64, String)>> {
    articles::table
        .order((articles::ingested_at.desc(), articles::id.desc()))
        .limit(limit)
        .select((articles::id, articles::title))
        .load(conn)
}

/// Active users who can be assigned (the assignee filter's choices).
pub fn assignable_users(conn: &mut PgConnection) -> QueryResult<Vec<(String, String)>> {
    users::table
        .filter(users::active.eq(true))
        .filter(users::role.ne("viewer"))
        .order(users::name.asc())
        .select((users::email, users::name))
        .load(conn)
}

// ---- ClaimReview ----

/// A decided claim with what a ClaimReview needs.
#[derive(Debug, Clone, Queryable)]
pub struct ReviewSource {
    pub claim_id: i64,
    pub text: String,
    pub speaker: Option<String>,
    pub speaker_role: Option<String>,
    pub status: String,
    pub article_title: String,
    pub article_url: Option<String>,
    pub publisher: Option<String>,
    pub article_author: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub verdict_id: Option<i64>,
    pub verdict: Option<String>,
    pub rationale: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// The columns of a [`ReviewSource`]; a macro because diesel's select tuple types are long.
macro_rules! review_columns {
    () => {
        (
            claims::id,
            claims::text,
            claims::speaker,
            claims::speaker_role,
            claims::status,
            articles::title,
            articles::url,
            articles::publisher,
            articles::author,
            articles::published_at,
            verdicts::id.nullable(),
            verdicts::verdict.nullable(),
            verdicts::rationale.nullable(),
            verdicts::decided_at.nullable(),
        )
    };
}

/// The claim, its article and its current verdict (if any).
pub fn review_source(conn: &mut PgConnection, claim_id: i64) -> QueryResult<Option<ReviewSource>> {
    claims::table
        .inner_join(articles::table)
        .left_join(
            verdicts::table.on(verdicts::claim_id
                .eq(claims::id)
                .and(verdicts::superseded_at.is_null())),
        )
        .filter(claims::id.eq(claim_id))
        .select(review_columns!())
        .first(conn)
        .optional()
}

/// Current verdicts decided at or after `since`, after the keyset `(decided_at, verdict id)`,
/// oldest first.
pub fn reviews_since(
    conn: &mut PgConnection,
    since: Option<DateTime<Utc>>,
    after: Option<(DateTime<Utc>, i64)>,
    limit: i64,
) -> QueryResult<Vec<ReviewSource>> {
    let mut query = claims::table
        .inner_join(articles::table)
        .inner_join(verdicts::table)
        .filter(verdicts::superseded_at.is_null())
        .into_boxed();
    if let Some(since) = since {
        query = query.filter(verdicts::decided_at.ge(since));
    }
    if let Some((t, id)) = after {
        query = query.filter(
            verdicts::decided_at
                .gt(t)
                .or(verdicts::decided_at.eq(t).and(verdicts::id.gt(id))),
        );
    }
    query
        .order((verdicts::decided_at.asc(), verdicts::id.asc()))
        .limit(limit)
        .select(review_columns!())
        .load(conn)
}
