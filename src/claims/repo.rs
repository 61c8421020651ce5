//! The only place that touches the claims table.

use diesel::prelude::*;

use super::model::{Claim, ClaimChanges, NewClaim, PersonView};
use crate::schema::{claims, users};

pub fn insert_many(conn: &mut PgConnection, rows: &[NewClaim]) -> QueryResult<Vec<Claim>> {
    let mut out = Vec::with_capacity(rows.len());
    // Stay well under PostgreSQL's 65,535 bind parameters per statement.
    for chunk in rows.chunks(2_000) {
        out.extend(
            diesel::insert_into(claims::table)
                .values(chunk)
                .returning(Claim::as_returning())
                .get_results(conn)?,
        );
    }
    Ok(out)
}

pub fn find(conn: &mut PgConnection, id: i64) -> QueryResult<Claim> {
    claims::table
        .find(id)
        .select(Claim::as_select())
        .first(conn)
}

/// The claim, locked until the end of the transaction: the base of every versioned change.
pub fn lock(conn: &mut PgConnection, id: i64) -> QueryResult<Claim> {
    claims::table
        .find(id)
        .select(Claim::as_select())
        .for_update()
        .first(conn)
}

/// Applies `changes`, bumps the version and `updated_at`.
pub fn update(conn: &mut PgConnection, id: i64, changes: &ClaimChanges) -> QueryResult<Claim> {
    diesel::update(claims::table.find(id))
        .set((
            changes,
            claims::version.eq(claims::version + 1),
            claims::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Claim::as_returning())
        .get_result(conn)
}

/// Claims of one article in body order.
pub fn for_article(conn: &mut PgConnection, article_id: i64) -> QueryResult<Vec<Claim>> {
    claims::table
        .filter(claims::article_id.eq(article_id))
        .order((claims::quote_start.asc(), claims::id.asc()))
        .select(Claim::as_select())
        .load(conn)
}

/// (id, name, email, role, active)
pub type PersonRow = (i64, String, String, String, bool);

/// Every user (id, name, email, role, active), by name: a newsroom has tens to hundreds, and
/// one read of them all serves a page's assignees, timeline names and assignment form at once.
pub fn all_people(conn: &mut PgConnection) -> QueryResult<Vec<PersonRow>> {
    users::table
        .order((users::name.asc(), users::id.asc()))
        .select((
            users::id,
            users::name,
            users::email,
            users::role,
            users::active,
        ))
        .load(conn)
}

/// Names and emails of the given users, for claim views.
pub fn people(conn: &mut PgConnection, ids: &[i64]) -> QueryResult<Vec<(i64, PersonView)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let rows: Vec<(i64, String, String)> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::email, users::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, email, name)| (id, PersonView { email, name }))
        .collect())
}
