//! The only place that touches the account tables.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::model::{ApiToken, NewApiToken, NewUser, SessionRow, User};
use super::session::SessionUser;
use crate::schema::{
    api_tokens, app_secrets, login_failures, sessions, user_directory_version, users,
};

// ---- users ----

pub fn insert_user(conn: &mut PgConnection, new: &NewUser<'_>) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values(new)
        .returning(User::as_returning())
        .get_result(conn)
}

pub fn user_by_id(conn: &mut PgConnection, id: i64) -> QueryResult<User> {
    users::table.find(id).select(User::as_select()).first(conn)
}

/// Locks the row until the end of the transaction (for read-modify-write).
pub fn user_by_id_for_update(conn: &mut PgConnection, id: i64) -> QueryResult<User> {
    users::table
        .find(id)
        .select(User::as_select())
        .for_update()
        .first(conn)
}

pub fn user_by_email(conn: &mut PgConnection, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn all_users(conn: &mut PgConnection) -> QueryResult<Vec<User>> {
    users::table
        .order((users::active.desc(), users::name.asc(), users::id.asc()))
        .select(User::as_select())
        .load(conn)
}

pub fn set_role(conn: &mut PgConnection, id: i64, role: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((users::role.eq(role), users::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
}

pub fn deactivate(conn: &mut PgConnection, id: i64) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::active.eq(false),
            users::deactivated_at.eq(diesel::dsl::now),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
}

pub fn set_password_hash(conn: &mut PgConnection, id: i64, hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::password_changed_at.eq(diesel::dsl::now),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
}

pub fn count_active_admins(conn: &mut PgConnection) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq("admin"))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)
}

// ---- login throttling ----

pub fn insert_login_failure(conn: &mut PgConnection, email: &str, ip: &str) -> QueryResult<usize> {
    diesel::insert_into(login_failures::table)
        .values((login_failures::email.eq(email), login_failures::ip.eq(ip)))
        .execute(conn)
}

/// (failures since `since`, the oldest of them) for one account.
pub fn failures_for_email(
    conn: &mut PgConnection,
    email: &str,
    since: DateTime<Utc>,
) -> QueryResult<(i64, Option<DateTime<Utc>>)> {
    login_failures::table
        .filter(login_failures::email.eq(email))
        .filter(login_failures::attempted_at.gt(since))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(login_failures::attempted_at),
        ))
        .first(conn)
}

/// (failures since `since`, the oldest of them) from one address.
pub fn failures_for_ip(
    conn: &mut PgConnection,
    ip: &str,
    since: DateTime<Utc>,
) -> QueryResult<(i64, Option<DateTime<Utc>>)> {
    login_failures::table
        .filter(login_failures::ip.eq(ip))
        .filter(login_failures::attempted_at.gt(since))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(login_failures::attempted_at),
        ))
        .first(conn)
}

/// Forgets failures older than `before` (kept only as long as the throttling window needs).
pub fn prune_login_failures(conn: &mut PgConnection, before: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::attempted_at.lt(before)))
        .execute(conn)
}

// ---- API tokens ----

pub fn insert_token(conn: &mut PgConnection, new: &NewApiToken<'_>) -> QueryResult<ApiToken> {
    diesel::insert_into(api_tokens::table)
        .values(new)
        .returning(ApiToken::as_returning())
        .get_result(conn)
}

/// A live token by its hash, with its (active) owner and the user directory's version at this
/// moment (as [`live_session_with_user`] reads it).
pub fn live_token_by_hash(
    conn: &mut PgConnection,
    token_hash: &str,
) -> QueryResult<Option<(ApiToken, SessionUser, Option<i64>)>> {
    api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(users::active.eq(true))
        .select((
            ApiToken::as_select(),
            SessionUser::as_select(),
            user_directory_version::table
                .select(user_directory_version::version)
                .single_value(),
        ))
        .first(conn)
        .optional()
}

/// The kind of probe that checks an API token ([`crate::db::Probe`]'s `K`).
pub struct TokenCheck;

impl crate::db::ProbeKind for TokenCheck {
    /// The token's hash.
    type Of = String;

    fn check(
        token_hash: String,
    ) -> Box<dyn diesel::query_builder::QueryFragment<diesel::pg::Pg> + Send> {
        token_check(token_hash)
    }
}

/// Two values for another statement to read along with its rows (see [`crate::db::Probe`]):
/// the id of the token under `token_hash` if it is not revoked, and the user directory's version.
/// Equal to what [`live_token_by_hash`] found, they say that read still holds (deactivating a
/// user revokes their tokens and bumps the directory).
pub fn token_check(
    token_hash: String,
) -> Box<dyn diesel::query_builder::QueryFragment<diesel::pg::Pg> + Send> {
    Box::new((
        api_tokens::table
            .filter(api_tokens::token_hash.eq(token_hash))
            .filter(api_tokens::revoked_at.is_null())
            .select(api_tokens::id)
            .single_value(),
        user_directory_version::table
            .select(user_directory_version::version)
            .single_value(),
    ))
}

pub fn touch_token(conn: &mut PgConnection, id: i64) -> QueryResult<usize> {
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::last_used_at.eq(diesel::dsl::now))
        .execute(conn)
}

pub fn tokens_of(conn: &mut PgConnection, user_id: i64) -> QueryResult<Vec<ApiToken>> {
    api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order((
            api_tokens::revoked_at.is_null().desc(),
            api_tokens::id.desc(),
        ))
        .select(ApiToken::as_select())
        .load(conn)
}

pub fn live_tokens_of_for_update(
    conn: &mut PgConnection,
    user_id: i64,
) -> QueryResult<Vec<ApiToken>> {
    api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .filter(api_tokens::revoked_at.is_null())
        .order(api_tokens::id.asc())
        .select(ApiToken::as_select())
        .for_update()
        .load(conn)
}

pub fn token_for_update(conn: &mut PgConnection, id: i64) -> QueryResult<ApiToken> {
    api_tokens::table
        .find(id)
        .select(ApiToken::as_select())
        .for_update()
        .first(conn)
}

pub fn revoke_token(conn: &mut PgConnection, id: i64) -> QueryResult<usize> {
    diesel::update(
        api_tokens::table
            .find(id)
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
}

// ---- sessions ----

pub struct SessionWrite<'a> {
    pub key_hash: &'a str,
    pub user_id: Option<i64>,
    pub state: serde_json::Value,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

pub fn insert_session(conn: &mut PgConnection, s: &SessionWrite<'_>) -> QueryResult<usize> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::key_hash.eq(s.key_hash),
            sessions::user_id.eq(s.user_id),
            sessions::state.eq(&s.state),
            sessions::expires_at.eq(s.expires_at),
            sessions::user_agent.eq(s.user_agent.as_deref()),
            sessions::ip.eq(s.ip.as_deref()),
        ))
        .execute(conn)
}

/// Updates a live session's state; 0 when it is gone (ended, expired).
pub fn update_session(
    conn: &mut PgConnection,
    s: &SessionWrite<'_>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .find(s.key_hash)
            .filter(sessions::expires_at.gt(now)),
    )
    .set((
        sessions::user_id.eq(s.user_id),
        sessions::state.eq(&s.state),
        sessions::expires_at.eq(s.expires_at),
        sessions::last_seen_at.eq(now),
        sessions::user_agent.eq(s.user_agent.as_deref()),
        sessions::ip.eq(s.ip.as_deref()),
        // A page holding the state it read earlier sees it is stale (`session_check`).
        sessions::version.eq(sessions::version + 1),
    ))
    .execute(conn)
}

/// A live session as the page's first query reads it.
pub struct LiveSession {
    pub state: serde_json::Value,
    pub last_seen_at: DateTime<Utc>,
    /// Its user, when the session names one who is still active.
    pub user: Option<SessionUser>,
    /// The user directory's version at this moment (see
    /// [`crate::claims::service::PeopleCache`]).
    pub directory_version: Option<i64>,
    /// Bumped by every write of the state.
    pub version: i64,
}

/// A live session (not past its idle expiry, created after `created_after`: the absolute limit)
/// with its user and the user directory's version: the one query a page makes to know who asks.
pub fn live_session_with_user(
    conn: &mut PgConnection,
    key_hash: &str,
    now: DateTime<Utc>,
    created_after: DateTime<Utc>,
) -> QueryResult<Option<LiveSession>> {
    let found = sessions::table
        .left_join(
            users::table.on(users::id
                .nullable()
                .eq(sessions::user_id)
                .and(users::active.eq(true))),
        )
        .filter(sessions::key_hash.eq(key_hash))
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::created_at.gt(created_after))
        .select((
            sessions::state,
            sessions::last_seen_at,
            Option::<SessionUser>::as_select(),
            user_directory_version::table
                .select(user_directory_version::version)
                .single_value(),
            sessions::version,
        ))
        .first::<(
            serde_json::Value,
            DateTime<Utc>,
            Option<SessionUser>,
            Option<i64>,
            i64,
        )>(conn)
        .optional()?;
    Ok(found.map(
        |(state, last_seen_at, user, directory_version, version)| LiveSession {
            state,
            last_seen_at,
            user,
            directory_version,
            version,
        },
    ))
}

/// Two values for another statement to read along with its rows (see
/// [`crate::db::Probe`]): the version of the session under `key_hash` if it is live (as
/// [`live_session_with_user`] means it), and the user directory's version. Equal to what an
/// earlier read found, they say that read still holds: the same state, and the same user with
/// the same name and role, still active (deactivation deletes sessions and bumps the directory).
pub fn session_check(
    key_hash: String,
    now: DateTime<Utc>,
    created_after: DateTime<Utc>,
) -> Box<dyn diesel::query_builder::QueryFragment<diesel::pg::Pg> + Send> {
    Box::new((
        sessions::table
            .filter(sessions::key_hash.eq(key_hash))
            .filter(sessions::expires_at.gt(now))
            .filter(sessions::created_at.gt(created_after))
            .select(sessions::version)
            .single_value(),
        user_directory_version::table
            .select(user_directory_version::version)
            .single_value(),
    ))
}

pub fn touch_session(
    conn: &mut PgConnection,
    key_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .find(key_hash)
            .filter(sessions::expires_at.gt(now)),
    )
    .set((
        sessions::expires_at.eq(expires_at),
        sessions::last_seen_at.eq(now),
    ))
    .execute(conn)
}

pub fn delete_session(conn: &mut PgConnection, key_hash: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.find(key_hash)).execute(conn)
}

/// Ends one session, only if it is this user's.
pub fn delete_session_of(
    conn: &mut PgConnection,
    user_id: i64,
    key_hash: &str,
) -> QueryResult<usize> {
    diesel::delete(
        sessions::table
            .find(key_hash)
            .filter(sessions::user_id.eq(user_id)),
    )
    .execute(conn)
}

/// Ends every session of a user, except `keep` (the one making the request, when it renews).
pub fn delete_sessions_of(
    conn: &mut PgConnection,
    user_id: i64,
    keep: Option<&str>,
) -> QueryResult<usize> {
    let query = sessions::table.filter(sessions::user_id.eq(user_id));
    match keep {
        Some(k) => diesel::delete(query.filter(sessions::key_hash.ne(k))).execute(conn),
        None => diesel::delete(query).execute(conn),
    }
}

pub fn delete_expired_sessions(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    created_before: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::delete(
        sessions::table.filter(
            sessions::expires_at
                .le(now)
                .or(sessions::created_at.le(created_before)),
        ),
    )
    .execute(conn)
}

pub fn sessions_of(
    conn: &mut PgConnection,
    user_id: i64,
    now: DateTime<Utc>,
    created_after: DateTime<Utc>,
) -> QueryResult<Vec<SessionRow>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::created_at.gt(created_after))
        .order(sessions::last_seen_at.desc())
        .select(SessionRow::as_select())
        .load(conn)
}

// ---- app secrets ----

/// The named secret, creating it with `fresh` if it does not exist yet. Several instances
/// starting at once all end up with the first one written.
pub fn get_or_create_secret(
    conn: &mut PgConnection,
    name: &str,
    fresh: &[u8],
) -> QueryResult<Vec<u8>> {
    diesel::insert_into(app_secrets::table)
        .values((app_secrets::name.eq(name), app_secrets::value.eq(fresh)))
        .on_conflict(app_secrets::name)
        .do_nothing()
        .execute(conn)?;
    app_secrets::table
        .find(name)
        .select(app_secrets::value)
        .first(conn)
}
