//! The only place that touches the assignments, evidence, comments and verdicts tables.

use diesel::prelude::*;

use crate::db::{Limited, unseen};

use super::model::{
    AssigneeFilter, Comment, Cursor, CursorKey, Evidence, ListFilter, NewAssignment, NewComment,
    NewEvidence, NewVerdict, Sort, VerdictRow,
};
use diesel::sql_types::Float;

use crate::claims::model::{Claim, ClaimStatus, ListRow, Listed};
use crate::schema::{
    articles, assignments, claim_status_counts, claims, comments, evidence, users, verdicts,
};

/// Ends the claim's current assignment (if any) and records the new one.
pub fn replace_assignment(conn: &mut PgConnection, new: &NewAssignment) -> QueryResult<()> {
    diesel::update(
        assignments::table
            .filter(assignments::claim_id.eq(new.claim_id))
            .filter(assignments::ended_at.is_null()),
    )
    .set(assignments::ended_at.eq(diesel::dsl::now))
    .execute(conn)?;
    diesel::insert_into(assignments::table)
        .values(new)
        .execute(conn)?;
    Ok(())
}

pub fn insert_evidence(conn: &mut PgConnection, new: &NewEvidence<'_>) -> QueryResult<Evidence> {
    diesel::insert_into(evidence::table)
        .values(new)
        .returning(Evidence::as_returning())
        .get_result(conn)
}

pub fn evidence_count(conn: &mut PgConnection, claim_id: i64) -> QueryResult<i64> {
    evidence::table
        .filter(evidence::claim_id.eq(claim_id))
        .count()
        .get_result(conn)
}

pub fn insert_comment(conn: &mut PgConnection, new: &NewComment<'_>) -> QueryResult<Comment> {
    diesel::insert_into(comments::table)
        .values(new)
        .returning(Comment::as_returning())
        .get_result(conn)
}

pub fn insert_verdict(conn: &mut PgConnection, new: &NewVerdict<'_>) -> QueryResult<VerdictRow> {
    diesel::insert_into(verdicts::table)
        .values(new)
        .returning(VerdictRow::as_returning())
        .get_result(conn)
}

/// Marks the claim's current verdict superseded (it stays, as history).
pub fn supersede_verdict(conn: &mut PgConnection, claim_id: i64) -> QueryResult<usize> {
    diesel::update(
        verdicts::table
            .filter(verdicts::claim_id.eq(claim_id))
            .filter(verdicts::superseded_at.is_null()),
    )
    .set(verdicts::superseded_at.eq(diesel::dsl::now))
    .execute(conn)
}

/// What the claim page shows under the claim: its evidence and comments, oldest first, and its
/// verdicts, newest first (superseded ones stay, as history).
pub struct Discussion {
    pub evidence: Vec<Evidence>,
    pub comments: Vec<Comment>,
    pub verdicts: Vec<VerdictRow>,
}

/// A row of [`claim_page_rows`]' union: which table, its id, who and when, then the table's
/// own columns in the slots `a` to `e`; then, for an audit event, its columns (all `NULL` for
/// the other tables); then, for the claim's own row, the claim with its article's title and
/// content hash (`NULL` for the others).
type ClaimPageRow = (
    (
        String,
        i64,
        i64,
        chrono::DateTime<chrono::Utc>,
        String,
        Option<String>,
        String,
        String,
        Option<chrono::DateTime<chrono::Utc>>,
    ),
    EventColumns,
    Option<(Claim, String, String)>,
);

/// A [`TimelineEvent`](crate::audit::model::TimelineEvent)'s columns, each nullable.
type EventColumns = (
    Option<i64>,
    Option<chrono::DateTime<chrono::Utc>>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<crate::audit::model::JsonText>,
    Option<crate::audit::model::JsonText>,
    Option<String>,
);

/// The event of a union row's event columns; an event column that must not be `NULL` is.
fn event_of(columns: EventColumns) -> QueryResult<crate::audit::model::TimelineEvent> {
    let missing =
        || diesel::result::Error::DeserializationError("an audit event column was NULL".into());
    let (seq, at, display, action, claim_id, before, after, hash) = columns;
    Ok(crate::audit::model::TimelineEvent {
        seq: seq.ok_or_else(missing)?,
        occurred_at: at.ok_or_else(missing)?,
        actor_display: display.ok_or_else(missing)?,
        action: action.ok_or_else(missing)?,
        claim_id,
        before,
        after,
        hash: hash.ok_or_else(missing)?,
    })
}

/// What the claim page reads of the database: the claim, its article's title and content hash,
/// its evidence, comments and verdicts, and its history (its audit events, oldest first).
pub struct ClaimPageRows {
    pub claim: Claim,
    pub article_title: String,
    pub content_hash: String,
    pub discussion: Discussion,
    pub events: Vec<crate::audit::model::TimelineEvent>,
}

/// Everything the claim page reads of claim `claim_id`, in one round trip carrying `probe`: a
/// `UNION ALL` of the claim (joined to its article) and the four tables about it in one row
/// shape, rather than two statements (the claim, then the rest), which cost the page a round
/// trip of its own. `NotFound` when there is no such claim.
pub fn claim_page_rows<K: crate::db::ProbeKind>(
    conn: &mut PgConnection,
    claim_id: i64,
    probe: &crate::db::Probe<K>,
) -> QueryResult<ClaimPageRows> {
    use crate::db::constant;
    use crate::schema::audit_events as ev;
    use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz};
    /// The claim member's last slot: the claim's columns, its article's title and hash.
    type ClaimSlot = (
        diesel::dsl::SqlTypeOf<<Claim as Selectable<diesel::pg::Pg>>::SelectExpression>,
        Text,
        Text,
    );
    // Written into the SQL, not bound: the union binds only the claim's id, five times.
    // `NoClaim` has one NULL per column of `ClaimSlot`, in its order: a column added to `Claim`
    // needs one here too (PostgreSQL refuses a union whose members differ, and the claim
    // page's tests fail with it).
    crate::constant! {
        NoClaim: Nullable<ClaimSlot> = "NULL::bigint, NULL::bigint, NULL::text, NULL::text, \
            NULL::text, NULL::text, NULL::integer, NULL::integer, NULL::text, NULL::text, \
            NULL::text, NULL::text, NULL::text, NULL::text[], NULL::real, NULL::text, NULL::text, \
            NULL::integer, NULL::bigint, NULL::timestamptz, NULL::text, NULL::bigint, \
            NULL::timestamptz, NULL::timestamptz, NULL::text, NULL::text";
        IsClaim: Text = "'claim'::text";
        NoText: Nullable<Text> = "NULL::text";
        NoTime: Nullable<Timestamptz> = "NULL::timestamptz";
        NoId: Nullable<BigInt> = "NULL::bigint";
        NoJson: Nullable<Jsonb> = "NULL::jsonb";
        Empty: Text = "''::text";
        Nobody: BigInt = "0::bigint";
        IsEvidence: Text = "'evidence'::text";
        IsComment: Text = "'comment'::text";
        IsVerdict: Text = "'verdict'::text";
        IsEvent: Text = "'event'::text";
    }
    let no_text = constant::<NoText>;
    let no_time = constant::<NoTime>;
    let no_id = constant::<NoId>;
    let no_json = constant::<NoJson>;
    let empty = constant::<Empty>;
    let no_event = || {
        (
            no_id(),
            no_time(),
            no_text(),
            no_text(),
            no_id(),
            no_json(),
            no_json(),
            no_text(),
        )
    };
    let no_claim = constant::<NoClaim>;
    let union = claims::table
        .inner_join(articles::table)
        .filter(claims::id.eq(claim_id))
        .select((
            (
                constant::<IsClaim>(),
                claims::id,
                constant::<Nobody>(),
                claims::created_at,
                empty(),
                no_text(),
                empty(),
                empty(),
                no_time(),
            ),
            no_event(),
            (
                <Claim as Selectable<diesel::pg::Pg>>::construct_selection(),
                articles::title,
                articles::content_hash,
            )
                .nullable(),
        ))
        .union_all(
            evidence::table
                .filter(evidence::claim_id.eq(claim_id))
                .select((
                    (
                        constant::<IsEvidence>(),
                        evidence::id,
                        evidence::added_by,
                        evidence::added_at,
                        evidence::url,
                        evidence::title,
                        evidence::note,
                        evidence::stance,
                        no_time(),
                    ),
                    no_event(),
                    no_claim(),
                )),
        )
        .union_all(
            comments::table
                .filter(comments::claim_id.eq(claim_id))
                .select((
                    (
                        constant::<IsComment>(),
                        comments::id,
                        comments::author_id,
                        comments::created_at,
                        comments::body,
                        no_text(),
                        empty(),
                        empty(),
                        no_time(),
                    ),
                    no_event(),
                    no_claim(),
                )),
        )
        .union_all(
            verdicts::table
                .filter(verdicts::claim_id.eq(claim_id))
                .select((
                    (
                        constant::<IsVerdict>(),
                        verdicts::id,
                        verdicts::decided_by,
                        verdicts::decided_at,
                        verdicts::verdict,
                        no_text(),
                        verdicts::rationale,
                        empty(),
                        verdicts::superseded_at,
                    ),
                    no_event(),
                    no_claim(),
                )),
        )
        .union_all(ev::table.filter(ev::claim_id.eq(claim_id)).select((
            (
                constant::<IsEvent>(),
                ev::seq,
                constant::<Nobody>(),
                ev::occurred_at,
                empty(),
                no_text(),
                empty(),
                empty(),
                no_time(),
            ),
            (
                ev::seq.nullable(),
                ev::occurred_at.nullable(),
                ev::actor_display.nullable(),
                ev::action.nullable(),
                ev::claim_id,
                ev::before,
                ev::after,
                ev::hash.nullable(),
            ),
            no_claim(),
        )));
    let rows: Vec<ClaimPageRow> = probe.load(conn, union)?;
    let mut found = Discussion {
        evidence: vec![],
        comments: vec![],
        verdicts: vec![],
    };
    let mut events = vec![];
    let mut claim = None;
    for ((kind, id, who, at, a, b, c, d, e), event, claim_row) in rows {
        match kind.as_str() {
            "claim" => claim = claim_row,
            "event" => events.push(event_of(event)?),
            "evidence" => found.evidence.push(Evidence {
                id,
                claim_id,
                url: a,
                title: b,
                note: c,
                stance: d,
                added_by: who,
                added_at: at,
            }),
            "comment" => found.comments.push(Comment {
                id,
                claim_id,
                author_id: who,
                body: a,
                created_at: at,
            }),
            _ => found.verdicts.push(VerdictRow {
                id,
                claim_id,
                verdict: a,
                rationale: c,
                decided_by: who,
                decided_at: at,
                superseded_at: e,
            }),
        }
    }
    found.evidence.sort_by_key(|e| (e.added_at, e.id));
    found.comments.sort_by_key(|c| (c.created_at, c.id));
    found
        .verdicts
        .sort_by_key(|v| std::cmp::Reverse((v.decided_at, v.id)));
    events.sort_by_key(|e| e.seq);
    let (claim, article_title, content_hash) = claim.ok_or(diesel::result::Error::NotFound)?;
    Ok(ClaimPageRows {
        claim,
        article_title,
        content_hash,
        discussion: found,
        events,
    })
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>);

/// The full-text query of `q` in PostgreSQL's websearch syntax (never a syntax error: hostile
/// input is just words).
fn tsquery(
    q: &str,
) -> diesel_full_text_search::websearch_to_tsquery_with_search_config<
    diesel_full_text_search::configuration::TsConfigurationByName,
    diesel::dsl::AsExprOf<String, diesel::sql_types::Text>,
> {
    use diesel::IntoSql;
    diesel_full_text_search::websearch_to_tsquery_with_search_config(
        diesel_full_text_search::configuration::TsConfigurationByName("english"),
        q.to_string().into_sql::<diesel::sql_types::Text>(),
    )
}

/// Articles whose title matches a search, at most (a title search is a way in, not a dump).
const MAX_TITLE_MATCHES: i64 = 10_000;

/// Relevance ranks the newest this many matches, not every match: ranking needs each match's
/// tsvector, and a common word matches a tenth of a newsroom's claims (112,000 of a million in
/// the benchmark data; ranking them all took seconds). The newest matches come from walking
/// the `created_at` index, so this costs the same at any size of history. Sorting by date
/// reaches every match.
pub const RANKED_MATCHES: i64 = 200;

/// The list's filters (everything but order and cursor) on any selection from `claims`.
fn filtered<'a, ST: 'a>(
    mut query: claims::BoxedQuery<'a, diesel::pg::Pg, ST>,
    filter: &'a ListFilter,
    title_matches: &[i64],
) -> claims::BoxedQuery<'a, diesel::pg::Pg, ST> {
    use diesel_full_text_search::TsQueryExtensions;

    if let [status] = filter.statuses.as_slice() {
        // `status = $1`, not `= ANY($1)`: an index on (…, status, due_at) then gives the rows
        // already in due order, in the generic plan too.
        query = query.filter(claims::status.eq(status.as_str()));
    } else if !filter.statuses.is_empty() {
        let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
        query = query.filter(claims::status.eq_any(statuses));
    }
    match filter.assignee {
        AssigneeFilter::Any => {}
        AssigneeFilter::Nobody => query = query.filter(claims::assignee_id.is_null()),
        AssigneeFilter::User(id) => query = query.filter(claims::assignee_id.eq(id)),
    }
    if let Some(article) = filter.article_id {
        query = query.filter(claims::article_id.eq(article));
    }
    if let Some(speaker) = &filter.speaker {
        query = query.filter(lower(claims::speaker).eq(speaker.to_lowercase()));
    }
    if let Some(signal) = filter.signal {
        query = query.filter(claims::signals.contains(vec![Some(signal.as_str().to_string())]));
    }
    if filter.overdue {
        query = query
            .filter(claims::status.eq(ClaimStatus::InReview.as_str()))
            .filter(claims::due_at.lt(diesel::dsl::now));
    }
    if let Some(q) = &filter.q {
        // The claim's own words, or the title (and publisher, author) of its article, found
        // first: `article_id = ANY($ids)` lets PostgreSQL OR two index scans, where
        // `IN (subquery)` made it scan every claim.
        query = query.filter(
            tsquery(q)
                .matches(claims::search.assume_not_null())
                .or(claims::article_id.eq_any(title_matches.to_vec())),
        );
    }
    query
}

/// The limit written into a list's SQL ([`Limited`]): the page size asked for (plus the one row
/// that tells whether another page follows) rounded up to one of a few sizes, so that the API's
/// free `limit` makes at most a handful of prepared statements per list shape, not two hundred.
fn limit_bucket(limit: i64) -> i64 {
    [11, 21, 51, 101, 201]
        .into_iter()
        .find(|&size| size >= limit)
        .unwrap_or(limit)
}

/// The rows a default page of 50 loads ([`limit_bucket`] of 50 and the one more that tells
/// whether another page follows).
pub const DEFAULT_PAGE_ROWS: u32 = 51;

/// One page of claims, each with its search rank (0 without `q`).
pub struct ListRows<R> {
    pub rows: Vec<(R, f32)>,
    /// In relevance order: the bound of the ranked window, for the next page's cursor.
    pub window: Option<i64>,
}

/// A list query selecting `R` and a rank.
pub type ListQuery<'a, R> =
    claims::BoxedQuery<'a, diesel::pg::Pg, (diesel::dsl::AsSelect<R, diesel::pg::Pg>, Float)>;

/// What the claim lists load: whole claims (the API) or [`ListRow`]s, the columns the list
/// pages show. The same filters, orders and cursors for both.
pub trait Listable: Listed + Selectable<diesel::pg::Pg> + Sized {
    /// Every row with its `ts_rank` for `q`.
    fn ranked(q: &str) -> ListQuery<'_, Self>;
    /// Every row with rank 0.
    fn unranked<'a>() -> ListQuery<'a, Self>;
    /// Loads a page, carrying `probe` ([`crate::db::Probe::load`]).
    fn load_page<K: crate::db::ProbeKind>(
        query: Limited<ListQuery<'_, Self>>,
        conn: &mut PgConnection,
        probe: &crate::db::Probe<K>,
    ) -> QueryResult<Vec<(Self, f32)>>;
    /// The rows of these ids, in no particular order.
    fn by_ids(conn: &mut PgConnection, ids: &[i64]) -> QueryResult<Vec<Self>>;
    /// The newest [`DEFAULT_PAGE_ROWS`] rows of `status` (`None`: of every status), carrying
    /// `probe`: the lists' default first page, as a query of one static type (see [`list`]).
    fn newest<K: crate::db::ProbeKind>(
        conn: &mut PgConnection,
        status: Option<ClaimStatus>,
        probe: &crate::db::Probe<K>,
    ) -> QueryResult<Vec<Self>>;
}

// The same code for each row type: diesel's types differ by selection.
macro_rules! listable {
    ($row:ty) => {
        impl Listable for $row {
            fn ranked(q: &str) -> ListQuery<'_, Self> {
                use diesel_full_text_search::ts_rank;
                claims::table
                    .select((
                        <$row>::as_select(),
                        ts_rank(claims::search.assume_not_null(), tsquery(q)),
                    ))
                    .into_boxed()
            }

            fn unranked<'a>() -> ListQuery<'a, Self> {
                use diesel::IntoSql;
                claims::table
                    .select((<$row>::as_select(), 0f32.into_sql::<Float>()))
                    .into_boxed()
            }

            fn load_page<K: crate::db::ProbeKind>(
                query: Limited<ListQuery<'_, Self>>,
                conn: &mut PgConnection,
                probe: &crate::db::Probe<K>,
            ) -> QueryResult<Vec<(Self, f32)>> {
                probe.load(conn, query)
            }

            fn by_ids(conn: &mut PgConnection, ids: &[i64]) -> QueryResult<Vec<Self>> {
                claims::table
                    .filter(claims::id.eq_any(ids))
                    .select(<$row>::as_select())
                    .load(conn)
            }

            fn newest<K: crate::db::ProbeKind>(
                conn: &mut PgConnection,
                status: Option<ClaimStatus>,
                probe: &crate::db::Probe<K>,
            ) -> QueryResult<Vec<Self>> {
                use crate::db::LimitedTo;
                let newest = (claims::created_at.desc(), claims::id.desc());
                match status {
                    // The status unseen ([`crate::db::Unseen`]): for a status with more claims
                    // than the average, the custom plan (the same plan) was costed below the
                    // generic one, so PostgreSQL planned this statement again at every call
                    // (0.09 ms, more than running it). The index on (status, created_at, id)
                    // serves every status alike in the generic plan.
                    Some(status) => probe.load(
                        conn,
                        LimitedTo::<_, DEFAULT_PAGE_ROWS>(
                            claims::table
                                .filter(
                                    claims::status
                                        .eq(unseen::<diesel::sql_types::Text, _>(status.as_str())),
                                )
                                .select(<$row>::as_select())
                                .order(newest),
                        ),
                    ),
                    None => probe.load(
                        conn,
                        LimitedTo::<_, DEFAULT_PAGE_ROWS>(
                            claims::table.select(<$row>::as_select()).order(newest),
                        ),
                    ),
                }
            }
        }
    };
}
listable!(Claim);
listable!(ListRow);

/// One page of claims in `sort` order after `cursor`, with each row's search rank (0 without
/// `q`). Fetches `limit` rows; the caller asks for one more to learn if another page follows.
/// The page's query carries `probe` (not the relevance order's, which makes several).
pub fn list<R: Listable, K: crate::db::ProbeKind>(
    conn: &mut PgConnection,
    filter: &ListFilter,
    sort: Sort,
    cursor: Option<&Cursor>,
    limit: i64,
    probe: &crate::db::Probe<K>,
) -> QueryResult<ListRows<R>> {
    use diesel_full_text_search::{TsVectorExtensions, ts_rank};

    let title_matches: Vec<i64> = match &filter.q {
        Some(q) => articles::table
            .filter(articles::search.assume_not_null().matches(tsquery(q)))
            .select(articles::id)
            .limit(MAX_TITLE_MATCHES)
            .load(conn)?,
        None => vec![],
    };
    let rank = || match &filter.q {
        Some(q) => ts_rank(claims::search.assume_not_null(), tsquery(q)),
        None => ts_rank(claims::search.assume_not_null(), tsquery("")),
    };
    if let (Some(_), Sort::Relevance) = (&filter.q, sort) {
        return by_relevance(conn, filter, &title_matches, cursor, limit);
    }
    if let (Some(status), Sort::Newest, None) = (filter.only_status(), sort, cursor)
        && i64::from(DEFAULT_PAGE_ROWS) == limit_bucket(limit)
    {
        // The default first page, the lists' busiest: the boxed query below would have its
        // SQL written out at every call to find its prepared statement (a tenth of the list
        // API's time in the app).
        let mut rows = R::newest(conn, status, probe)?;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        return Ok(ListRows {
            rows: rows.into_iter().map(|row| (row, 0.0)).collect(),
            window: None,
        });
    }
    let mut query = match &filter.q {
        Some(q) => filtered(R::ranked(q), filter, &title_matches),
        None => filtered(R::unranked(), filter, &title_matches),
    };
    query = match sort {
        Sort::Newest => query.order((claims::created_at.desc(), claims::id.desc())),
        Sort::Oldest => query.order((claims::created_at.asc(), claims::id.asc())),
        Sort::Updated => query.order((claims::updated_at.desc(), claims::id.desc())),
        Sort::Score => query.order((claims::score.desc(), claims::id.desc())),
        Sort::Due => query.order((claims::due_at.asc().nulls_last(), claims::id.asc())),
        // Answered by `by_relevance` above; ordered by rank all the same.
        Sort::Relevance => query.order((rank().desc(), claims::id.desc())),
    };
    if let Some(c) = cursor {
        query = match (sort, c.key) {
            (Sort::Newest, CursorKey::Time(t)) => query.filter(
                claims::created_at
                    .lt(t)
                    .or(claims::created_at.eq(t).and(claims::id.lt(c.id))),
            ),
            (Sort::Oldest, CursorKey::Time(t)) => query.filter(
                claims::created_at
                    .gt(t)
                    .or(claims::created_at.eq(t).and(claims::id.gt(c.id))),
            ),
            (Sort::Updated, CursorKey::Time(t)) => query.filter(
                claims::updated_at
                    .lt(t)
                    .or(claims::updated_at.eq(t).and(claims::id.lt(c.id))),
            ),
            (Sort::Score, CursorKey::Float(s)) => query.filter(
                claims::score
                    .lt(s)
                    .or(claims::score.eq(s).and(claims::id.lt(c.id))),
            ),
            (Sort::Due, CursorKey::Time(t)) => query.filter(
                claims::due_at
                    .gt(t)
                    .or(claims::due_at.eq(t).and(claims::id.gt(c.id)))
                    .or(claims::due_at.is_null()),
            ),
            (Sort::Due, CursorKey::Null) => {
                query.filter(claims::due_at.is_null().and(claims::id.gt(c.id)))
            }
            // A cursor of another order never gets here (it is refused when decoded).
            _ => query,
        };
    }
    Ok(ListRows {
        rows: {
            let mut rows = R::load_page(Limited::new(query, limit_bucket(limit)), conn, probe)?;
            rows.truncate(usize::try_from(limit).unwrap_or(0));
            rows
        },
        window: None,
    })
}

/// Relevance order, over the newest [`RANKED_MATCHES`] matches: one walk of the `created_at`
/// index that ranks as it goes (only ids and ranks come back), the ordering and the cursor
/// here, then the page's claims by id. Ranking inside `IN (newest matches)` instead fetched
/// every ranked row a second time through the primary key. Later pages rank the first page's
/// window (claims up to its highest id), so claims ingested meanwhile do not push unseen
/// matches out of it.
fn by_relevance<R: Listable>(
    conn: &mut PgConnection,
    filter: &ListFilter,
    title_matches: &[i64],
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<ListRows<R>> {
    use diesel_full_text_search::ts_rank;
    let Some(q) = &filter.q else {
        return Ok(ListRows {
            rows: vec![],
            window: None,
        });
    };
    let mut query = filtered(
        claims::table
            .select((
                claims::id,
                ts_rank(claims::search.assume_not_null(), tsquery(q)),
            ))
            .into_boxed(),
        filter,
        title_matches,
    );
    if let Some(bound) = cursor.and_then(|c| c.window) {
        query = query.filter(claims::id.le(bound));
    }
    let mut ranked: Vec<(i64, f32)> = query
        .order((claims::created_at.desc(), claims::id.desc()))
        .limit(RANKED_MATCHES)
        .load(conn)?;
    let window = cursor
        .and_then(|c| c.window)
        .or_else(|| ranked.iter().map(|(id, _)| *id).max());
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
    if let Some(Cursor {
        key: CursorKey::Float(r),
        id,
        ..
    }) = cursor
    {
        ranked.retain(|(i, rank)| *rank < *r || (*rank == *r && i < id));
    }
    ranked.truncate(usize::try_from(limit).unwrap_or(0));
    let ids: Vec<i64> = ranked.iter().map(|(id, _)| *id).collect();
    let mut found: std::collections::HashMap<i64, R> = R::by_ids(conn, &ids)?
        .into_iter()
        .map(|c| (c.id(), c))
        .collect();
    Ok(ListRows {
        rows: ranked
            .into_iter()
            .filter_map(|(id, rank)| found.remove(&id).map(|c| (c, rank)))
            .collect(),
        window,
    })
}

/// The dashboard's three lists in one round trip: in-review claims assigned to `me`, overdue
/// ones (everyone's, or only `overdue_of`'s), and candidates by score; `MINE`, `OVERDUE` and
/// `CANDIDATES` rows of each.
///
/// A union of a static type ([`crate::db::UnionAll`]): diesel finds its prepared statement by
/// the type, where the boxed union had its SQL written out at every view to look it up.
pub fn dashboard_lists<const MINE: u32, const OVERDUE: u32, const CANDIDATES: u32>(
    conn: &mut PgConnection,
    me: i64,
    overdue_of: Option<i64>,
) -> QueryResult<(Vec<ListRow>, Vec<ListRow>, Vec<ListRow>)> {
    use crate::db::{LimitedTo, UnionAll};
    use diesel::IntoSql;
    use diesel::sql_types::{BigInt, Integer, Nullable, Text};
    // Every value unseen ([`crate::db::Unseen`]): a custom plan for a user with no tasks costs
    // half the generic one, so PostgreSQL planned this union again at every view (0.2 ms, three
    // times its execution).
    let status = |s: ClaimStatus| claims::status.eq(unseen::<Text, _>(s.as_str()));
    let assignee = |id: i64| claims::assignee_id.eq(unseen::<Nullable<BigInt>, _>(id));
    let list = |tag: i32| claims::table.select((ListRow::as_select(), tag.into_sql::<Integer>()));
    let by_due = (claims::due_at.asc().nulls_last(), claims::id.asc());
    let mine = LimitedTo::<_, MINE>(
        list(0)
            .filter(status(ClaimStatus::InReview))
            .filter(assignee(me))
            .order(by_due),
    );
    let overdue = list(1)
        .filter(status(ClaimStatus::InReview))
        .filter(claims::due_at.lt(diesel::dsl::now))
        .order(by_due);
    let candidates = LimitedTo::<_, CANDIDATES>(
        list(2)
            .filter(status(ClaimStatus::Candidate))
            .order((claims::score.desc(), claims::id.desc())),
    );
    let rows: Vec<(ListRow, i32)> = match overdue_of {
        Some(id) => UnionAll(
            UnionAll(mine, LimitedTo::<_, OVERDUE>(overdue.filter(assignee(id)))),
            candidates,
        )
        .load(conn)?,
        None => {
            UnionAll(UnionAll(mine, LimitedTo::<_, OVERDUE>(overdue)), candidates).load(conn)?
        }
    };
    let mut lists = (vec![], vec![], vec![]);
    for (claim, tag) in rows {
        match tag {
            0 => lists.0.push(claim),
            1 => lists.1.push(claim),
            _ => lists.2.push(claim),
        }
    }
    // SQL does not promise a UNION keeps its members' order: sort each list again (≤ 20 rows).
    let due = |a: &ListRow, b: &ListRow| {
        match (a.due_at, b.due_at) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then(a.id.cmp(&b.id))
    };
    lists.0.sort_by(due);
    lists.1.sort_by(due);
    lists
        .2
        .sort_by(|a, b| b.score.total_cmp(&a.score).then(b.id.cmp(&a.id)));
    Ok(lists)
}

/// Claims per status, as the triggers on `claims` keep them (migration `claim_status_counts`);
/// a status no claim is in may be absent or 0.
/// The query carries `probe` ([`crate::db::Probe::load`]).
pub fn status_counts<K: crate::db::ProbeKind>(
    conn: &mut PgConnection,
    probe: &crate::db::Probe<K>,
) -> QueryResult<Vec<(String, i64)>> {
    probe.load(
        conn,
        claim_status_counts::table.select((claim_status_counts::status, claim_status_counts::n)),
    )
}

/// Article titles by id (for lists).
pub fn article_titles(conn: &mut PgConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    articles::table
        .filter(articles::id.eq_any(ids))
        .select((articles::id, articles::title))
        .load(conn)
}

/// Names of users by id (for timelines and lists).
pub fn user_names(conn: &mut PgConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String, String)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name, users::email))
        .load(conn)
}

/// How much of the article around a claim the claim page reads: its paragraph is within this
/// many characters of the quote unless the paragraph is longer than any news paragraph.
pub const CONTEXT_CHARS: i32 = 2_000;

/// The part of an article's body around a claim, with up to [`EDGE_CHARS`] characters more on
/// each side: enough to tell whether a paragraph breaks right at the window's edge.
pub struct BodyWindow {
    pub text: String,
    /// Where `text` starts in the body, in characters.
    pub offset: i32,
    /// The window proper is `text`'s characters `first..last`.
    pub first: usize,
    pub last: usize,
}

/// How many characters past each edge of the window are read: a paragraph break is two.
pub const EDGE_CHARS: i32 = 2;

/// [`claim_page_rows`], with the body within [`CONTEXT_CHARS`] of the quote. The body comes
/// from `bodies` ([`crate::articles::service::BodyCache`]), read from PostgreSQL only on the
/// first view of an article.
pub fn claim_page_with_window<K: crate::db::ProbeKind>(
    conn: &mut PgConnection,
    bodies: &crate::articles::service::BodyCache,
    id: i64,
    probe: &crate::db::Probe<K>,
) -> QueryResult<(ClaimPageRows, BodyWindow)> {
    let rows = claim_page_rows(conn, id, probe)?;
    let body = bodies.get(conn, rows.claim.article_id, &rows.content_hash)?;
    let window = window_in(
        &body,
        rows.claim.quote_start,
        rows.claim.quote_end,
        CONTEXT_CHARS,
    );
    Ok((rows, window))
}

/// The window around a quote at `start..end` (character offsets in `body`): the characters
/// from `around + EDGE_CHARS` before `start` (or the body's start) to as many after `end` (or
/// the body's end). `around` is [`CONTEXT_CHARS`].
pub fn window_in(body: &str, start: i32, end: i32, around: i32) -> BodyWindow {
    let from = (start - (around + EDGE_CHARS)).max(0) as usize;
    let len = ((end - from as i32).max(0) + around + EDGE_CHARS) as usize;
    let lo = byte_of_char(body, from);
    let hi = lo + byte_of_char(&body[lo..], len);
    body_window(body[lo..hi].to_string(), start, end, around)
}

/// The byte position of `text`'s `n`th character, or its length when it has fewer. Counted in
/// runs rather than character by character: the next `left` bytes hold at most `left`
/// characters, and counting a run's characters is a fast scan, so a mostly-ASCII article is
/// crossed in a few runs (a quote near the end of a long article took a per-character walk of
/// 5 % of the claim page's time).
fn byte_of_char(text: &str, n: usize) -> usize {
    let (mut at, mut left) = (0, n);
    while left > 0 && at < text.len() {
        let mut end = (at + left).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        // The characters starting in `at..at + left`: at most `left` of them.
        left -= text[at..end].chars().count();
        at = end;
    }
    at
}

/// The window around a quote at `start..end` (character offsets in the body) from `text`, the
/// characters [`window_in`] cut out.
fn body_window(text: String, start: i32, end: i32, around: i32) -> BodyWindow {
    let offset = (start - (around + EDGE_CHARS)).max(0);
    let first = ((start - around).max(0) - offset).max(0) as usize;
    let read = text.chars().count();
    let last = ((end.max(start) + around - offset).max(0) as usize).min(read);
    BodyWindow {
        text,
        offset,
        first: first.min(last),
        last,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_of_char_matches_a_walk_over_the_characters() {
        let texts = [
            "",
            "plain ascii text",
            "“Quoted” — said the mayor’s aide, naïvely, in 日本語 and emoji 🎉🎉 too.",
            "🎉🎉🎉🎉",
            "é",
        ];
        for text in texts {
            let walked: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            for n in 0..walked.len() + 3 {
                let expected = walked.get(n).copied().unwrap_or(text.len());
                assert_eq!(byte_of_char(text, n), expected, "{text:?} at {n}");
            }
        }
    }

    #[test]
    fn a_window_keeps_whole_characters_around_the_quote() {
        let body = format!("{}“Quote” here{}", "é".repeat(3000), "—".repeat(3000));
        let start = 3000;
        let end = 3007;
        let w = window_in(&body, start, end, CONTEXT_CHARS);
        let chars: Vec<char> = body.chars().collect();
        let from = (start - (CONTEXT_CHARS + EDGE_CHARS)) as usize;
        let to = (end as usize + (CONTEXT_CHARS + EDGE_CHARS) as usize).min(chars.len());
        assert_eq!(w.offset as usize, from);
        assert_eq!(w.text, chars[from..to].iter().collect::<String>());
        let quote: String = w.text.chars().skip(start as usize - from).take(7).collect();
        assert_eq!(quote, "“Quote”");
    }
}
