//! The only place that touches the articles table.

use diesel::prelude::*;

use super::model::{Article, NewArticle};
use crate::schema::{articles, claims};

/// Inserts unless an article with the same content hash exists; `None` then.
pub fn insert_unless_duplicate(
    conn: &mut PgConnection,
    new: &NewArticle,
) -> QueryResult<Option<Article>> {
    diesel::insert_into(articles::table)
        .values(new)
        .on_conflict(articles::content_hash)
        .do_nothing()
        .returning(Article::as_returning())
        .get_result(conn)
        .optional()
}

pub fn find(conn: &mut PgConnection, id: i64) -> QueryResult<Article> {
    articles::table
        .find(id)
        .select(Article::as_select())
        .first(conn)
}

pub fn find_by_hash(conn: &mut PgConnection, hash: &str) -> QueryResult<Article> {
    articles::table
        .filter(articles::content_hash.eq(hash))
        .select(Article::as_select())
        .first(conn)
}

pub fn body_text(conn: &mut PgConnection, id: i64) -> QueryResult<String> {
    articles::table
        .find(id)
        .select(articles::body_text)
        .first(conn)
}

/// The body of article `id` if its content hash is still `hash`.
pub fn body_text_if_hash(
    conn: &mut PgConnection,
    id: i64,
    hash: &str,
) -> QueryResult<Option<String>> {
    articles::table
        .find(id)
        .filter(articles::content_hash.eq(hash))
        .select(articles::body_text)
        .first(conn)
        .optional()
}

/// One line of the article list.
#[derive(Debug, Clone, Queryable)]
pub struct ArticleListRow {
    pub id: i64,
    pub title: String,
    pub publisher: Option<String>,
    pub ingested_at: chrono::DateTime<chrono::Utc>,
}

/// A page of articles, newest first, before the (ingested_at, id) cursor.
pub fn list(
    conn: &mut PgConnection,
    before: Option<(chrono::DateTime<chrono::Utc>, i64)>,
    limit: i64,
) -> QueryResult<Vec<ArticleListRow>> {
    let mut q = articles::table
        .select((
            articles::id,
            articles::title,
            articles::publisher,
            articles::ingested_at,
        ))
        .order((articles::ingested_at.desc(), articles::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some((t, id)) = before {
        q = q.filter(
            articles::ingested_at
                .lt(t)
                .or(articles::ingested_at.eq(t).and(articles::id.lt(id))),
        );
    }
    q.load(conn)
}

/// Claim counts by status for the given articles.
pub fn status_counts(conn: &mut PgConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String, i64)>> {
    claims::table
        .filter(claims::article_id.eq_any(ids))
        .group_by((claims::article_id, claims::status))
        .select((
            claims::article_id,
            claims::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)
}
