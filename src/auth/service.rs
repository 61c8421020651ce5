//! Account rules and their transactions, each with its audit events written last inside.

use std::sync::OnceLock;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde_json::json;

use super::model::{
    ApiToken, CurrentUser, Email, NewApiToken, NewUser, Password, Role, SessionRow, TokenLabel,
    User, parse_name, sha256_hex,
};
use super::repo;
use crate::audit::{Actor, AuditContext, Event, service::append};
use crate::db::PgPool;
use crate::error::AppError;

/// Failed logins are counted over this window.
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
/// Failures for one account within the window before it is refused for a while.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failures from one address within the window before it is refused for a while.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("a user with this email already exists")]
    EmailTaken,
    #[error("you already have a live token with this label")]
    LabelTaken,
    #[error("not found")]
    NotFound,
    #[error("wrong email or password")]
    BadCredentials,
    #[error("too many failed sign-ins; try again in {retry_after_secs} seconds")]
    Throttled { retry_after_secs: u64 },
    #[error("{0}")]
    Refused(String),
    #[error("the database is unavailable")]
    Unavailable(String),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error(transparent)]
    Database(#[from] DieselError),
}

impl AuthError {
    fn invalid(field: &'static str, message: impl Into<String>) -> AuthError {
        AuthError::Invalid {
            field,
            message: message.into(),
        }
    }
}

impl From<AuthError> for AppError {
    fn from(e: AuthError) -> AppError {
        match e {
            AuthError::Invalid { field, message } => AppError::invalid(field, message),
            AuthError::EmailTaken => AppError::Conflict {
                code: "duplicate_user",
                message: e.to_string(),
            },
            AuthError::LabelTaken => AppError::Conflict {
                code: "duplicate_token",
                message: e.to_string(),
            },
            AuthError::NotFound => AppError::NotFound,
            AuthError::BadCredentials => AppError::Unauthorized,
            AuthError::Throttled { retry_after_secs } => {
                AppError::TooManyRequests { retry_after_secs }
            }
            AuthError::Refused(m) => AppError::Forbidden(m),
            AuthError::Unavailable(m) => AppError::Unavailable(m),
            AuthError::Hashing(m) => AppError::Internal(anyhow::anyhow!(m)),
            AuthError::Database(e) => e.into(),
        }
    }
}

fn unique_violation(e: &DieselError, constraint: &str) -> bool {
    matches!(e, DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
        if info.constraint_name() == Some(constraint))
}

// ---- passwords ----

/// Argon2id with the crate's defaults (OWASP's m=19 MiB, t=2, p=1) and a fresh random salt.
pub fn hash_password(password: &Password) -> Result<String, AuthError> {
    Argon2::default()
        .hash_password(password.expose().as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hashing(e.to_string()))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A hash to verify against when the account does not exist, so that a missing account takes
/// as long to refuse as a wrong password (no account enumeration by timing).
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        Password::parse(&crate::web::random_token(16))
            .ok()
            .and_then(|p| hash_password(&p).ok())
            .unwrap_or_default()
    })
}

// ---- users ----

/// What creating an account needs, unvalidated (from a form, the CLI or a test).
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub password: &'a str,
}

pub fn create_user(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    account: &NewAccount<'_>,
) -> Result<User, AuthError> {
    let email = Email::parse(account.email).map_err(|m| AuthError::invalid("email", m))?;
    let name = parse_name(account.name).map_err(|m| AuthError::invalid("name", m))?;
    let role = Role::parse(account.role)
        .ok_or_else(|| AuthError::invalid("role", "choose admin, editor, reviewer or viewer"))?;
    let password =
        Password::parse(account.password).map_err(|m| AuthError::invalid("password", m))?;
    // Hashing is slow on purpose; do it before the transaction, not inside it.
    let hash = hash_password(&password)?;
    conn.transaction(|conn| {
        let user = repo::insert_user(
            conn,
            &NewUser {
                email: email.as_str(),
                name: &name,
                role: role.as_str(),
                password_hash: &hash,
            },
        )
        .map_err(|e| {
            if unique_violation(&e, "users_email_key") {
                AuthError::EmailTaken
            } else {
                e.into()
            }
        })?;
        append(
            conn,
            ctx,
            [Event::user_created(
                user.id,
                json!({ "email": user.email, "name": user.name, "role": user.role }),
            )],
        )?;
        Ok(user)
    })
}

pub fn user_by_email(conn: &mut PgConnection, email: &str) -> Result<User, AuthError> {
    let email = Email::parse(email).map_err(|m| AuthError::invalid("email", m))?;
    repo::user_by_email(conn, email.as_str())?.ok_or(AuthError::NotFound)
}

pub fn list_users(conn: &mut PgConnection) -> Result<Vec<User>, AuthError> {
    Ok(repo::all_users(conn)?)
}

/// Ends every session of the user (but `keep`) and revokes every live API token; the token
/// events to record. Runs inside the caller's transaction.
fn end_access(
    conn: &mut PgConnection,
    user_id: i64,
    keep_session: Option<&str>,
) -> Result<Vec<Event>, AuthError> {
    repo::delete_sessions_of(conn, user_id, keep_session)?;
    let tokens = repo::live_tokens_of_for_update(conn, user_id)?;
    let mut events = Vec::with_capacity(tokens.len());
    for token in tokens {
        repo::revoke_token(conn, token.id)?;
        events.push(Event::token_revoked(token.id, user_id, &token.label));
    }
    Ok(events)
}

/// Deactivates a user: their sessions and API tokens end in the same transaction.
/// Deactivating an inactive user changes nothing and records nothing.
pub fn deactivate_user(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    user_id: i64,
) -> Result<User, AuthError> {
    if ctx.actor.user_id() == Some(user_id) {
        return Err(AuthError::Refused(
            "you cannot deactivate your own account".into(),
        ));
    }
    conn.transaction(|conn| {
        let user = repo::user_by_id_for_update(conn, user_id).map_err(not_found)?;
        if !user.active {
            return Ok(user);
        }
        if user.role() == Role::Admin && repo::count_active_admins(conn)? <= 1 {
            return Err(AuthError::Refused(
                "this is the last active admin; make someone else admin first".into(),
            ));
        }
        repo::deactivate(conn, user_id)?;
        let mut events = vec![Event::user_deactivated(user_id)];
        events.extend(end_access(conn, user_id, None)?);
        append(conn, ctx, events)?;
        Ok(repo::user_by_id(conn, user_id)?)
    })
}

pub fn change_role(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    user_id: i64,
    role: &str,
) -> Result<User, AuthError> {
    let role = Role::parse(role)
        .ok_or_else(|| AuthError::invalid("role", "choose admin, editor, reviewer or viewer"))?;
    if ctx.actor.user_id() == Some(user_id) {
        return Err(AuthError::Refused("you cannot change your own role".into()));
    }
    conn.transaction(|conn| {
        let user = repo::user_by_id_for_update(conn, user_id).map_err(not_found)?;
        if user.role() == role {
            return Ok(user);
        }
        repo::set_role(conn, user_id, role.as_str())?;
        append(
            conn,
            ctx,
            Event::user_role_changed(user_id, &user.role, role.as_str()),
        )?;
        Ok(repo::user_by_id(conn, user_id)?)
    })
}

/// The user changes their own password, proving the current one. Every other session of theirs
/// and every API token end; the caller renews the current session's key.
pub fn change_own_password(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    user_id: i64,
    current: &str,
    new: &str,
    current_session_hash: Option<&str>,
) -> Result<(), AuthError> {
    let user = repo::user_by_id(conn, user_id).map_err(not_found)?;
    if !verify_password(current, &user.password_hash) {
        return Err(AuthError::invalid(
            "current_password",
            "this is not your current password",
        ));
    }
    let password = Password::parse(new).map_err(|m| AuthError::invalid("new_password", m))?;
    if new == current {
        return Err(AuthError::invalid(
            "new_password",
            "choose a password different from the current one",
        ));
    }
    let hash = hash_password(&password)?;
    conn.transaction(|conn| {
        repo::set_password_hash(conn, user_id, &hash)?;
        let mut events = vec![Event::user_password_changed(user_id, false)];
        events.extend(end_access(conn, user_id, current_session_hash)?);
        append(conn, ctx, events)?;
        Ok(())
    })
}

/// An admin sets a new password for someone: all their sessions and tokens end.
pub fn reset_password(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    user_id: i64,
    new: &str,
) -> Result<(), AuthError> {
    if ctx.actor.user_id() == Some(user_id) {
        // Their own goes through the account page, which asks for the current password.
        return Err(AuthError::Refused(
            "change your own password on your account page".into(),
        ));
    }
    let password = Password::parse(new).map_err(|m| AuthError::invalid("password", m))?;
    let hash = hash_password(&password)?;
    conn.transaction(|conn| {
        repo::user_by_id_for_update(conn, user_id).map_err(not_found)?;
        repo::set_password_hash(conn, user_id, &hash)?;
        let mut events = vec![Event::user_password_changed(user_id, true)];
        events.extend(end_access(conn, user_id, None)?);
        append(conn, ctx, events)?;
        Ok(())
    })
}

fn not_found(e: DieselError) -> AuthError {
    match e {
        DieselError::NotFound => AuthError::NotFound,
        other => other.into(),
    }
}

// ---- login ----

/// Refuses with the time to wait when the account or the address has failed too often lately.
fn check_throttle(
    conn: &mut PgConnection,
    attempted: &str,
    ip: &str,
    now: chrono::DateTime<Utc>,
) -> Result<(), AuthError> {
    let window = Duration::minutes(THROTTLE_WINDOW_MINUTES);
    let since = now - window;
    let by_account = repo::failures_for_email(conn, attempted, since)?;
    let by_address = repo::failures_for_ip(conn, ip, since)?;
    for ((count, oldest), limit) in [
        (by_account, MAX_FAILURES_PER_ACCOUNT),
        (by_address, MAX_FAILURES_PER_ADDRESS),
    ] {
        if count >= limit {
            // Free again once the oldest failure in the window has aged out of it.
            let until = oldest.unwrap_or(now) + window;
            let secs = (until - now).num_seconds().max(1);
            return Err(AuthError::Throttled {
                retry_after_secs: u64::try_from(secs).unwrap_or(1),
            });
        }
    }
    Ok(())
}

fn connection(pool: &PgPool) -> Result<crate::db::PooledConn, AuthError> {
    pool.get()
        .map_err(|e| AuthError::Unavailable(e.to_string()))
}

/// Checks the credentials, with throttling; audits success and failure (never the password).
/// `ctx` carries the request id; the actor of the events is the user on success and `system`
/// on failure (nobody is signed in). Takes the pool, not a connection, so that no connection is
/// held while Argon2 works. Blocking: call it from `web::block`.
pub fn login(
    pool: &PgPool,
    ctx: &AuditContext,
    email: &str,
    password: &str,
    ip: &str,
) -> Result<User, AuthError> {
    // Whatever was typed is counted and recorded; bounded so junk cannot bloat the tables.
    let attempted: String = email.trim().to_lowercase().chars().take(254).collect();
    let now = Utc::now();
    let user = {
        let mut conn = connection(pool)?;
        check_throttle(&mut conn, &attempted, ip, now)?;
        match Email::parse(&attempted) {
            Ok(e) => repo::user_by_email(&mut conn, e.as_str())?,
            Err(_) => None,
        }
    };
    let ok = match &user {
        Some(u) => verify_password(password, &u.password_hash) && u.active,
        None => {
            verify_password(password, dummy_hash());
            false
        }
    };
    let mut conn = connection(pool)?;
    match user {
        Some(user) if ok => {
            let ctx = AuditContext {
                actor: Actor::User {
                    id: user.id,
                    name: user.name.clone(),
                },
                request_id: ctx.request_id.clone(),
            };
            conn.transaction(|conn| {
                append(conn, &ctx, [Event::user_login(user.id, ip)])?;
                Ok::<_, AuthError>(())
            })?;
            Ok(user)
        }
        user => {
            let ctx = AuditContext {
                actor: Actor::System,
                request_id: ctx.request_id.clone(),
            };
            conn.transaction(|conn| {
                repo::prune_login_failures(conn, now - Duration::days(1))?;
                repo::insert_login_failure(conn, &attempted, ip)?;
                append(
                    conn,
                    &ctx,
                    [Event::user_login_failed(user.map(|u| u.id), &attempted, ip)],
                )?;
                Ok::<_, AuthError>(())
            })?;
            Err(AuthError::BadCredentials)
        }
    }
}

pub fn record_logout(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    user_id: i64,
) -> Result<(), AuthError> {
    conn.transaction(|conn| {
        append(conn, ctx, [Event::user_logout(user_id)])?;
        Ok(())
    })
}

// ---- API tokens ----

/// How stale a token's `last_used_at` may get before a use writes it again.
const TOKEN_TOUCH_SECONDS: i64 = 60;

/// Prefix that makes a leaked token recognisable to secret scanners.
pub const TOKEN_PREFIX: &str = "ct_";

/// Creates a token; returns it with the secret, which exists only in this return value.
pub fn create_token(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    user_id: i64,
    label: &str,
) -> Result<(ApiToken, String), AuthError> {
    let label = TokenLabel::parse(label).map_err(|m| AuthError::invalid("label", m))?;
    let secret = format!("{TOKEN_PREFIX}{}", crate::web::random_token(32));
    let token_hash = sha256_hex(&secret);
    conn.transaction(|conn| {
        let user = repo::user_by_id(conn, user_id).map_err(not_found)?;
        if !user.active {
            return Err(AuthError::Refused("this account is deactivated".into()));
        }
        let token = repo::insert_token(
            conn,
            &NewApiToken {
                user_id,
                label: label.as_str(),
                token_hash: &token_hash,
            },
        )
        .map_err(|e| {
            if unique_violation(&e, "api_tokens_live_label_idx") {
                AuthError::LabelTaken
            } else {
                e.into()
            }
        })?;
        append(
            conn,
            ctx,
            [Event::token_created(token.id, user_id, &token.label)],
        )?;
        Ok((token, secret))
    })
}

/// Revokes one of the user's own tokens; someone else's token is "not found".
pub fn revoke_own_token(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    user_id: i64,
    token_id: i64,
) -> Result<(), AuthError> {
    conn.transaction(|conn| {
        let token = repo::token_for_update(conn, token_id).map_err(not_found)?;
        if token.user_id != user_id {
            return Err(AuthError::NotFound);
        }
        if token.revoked_at.is_some() {
            return Ok(());
        }
        repo::revoke_token(conn, token.id)?;
        append(
            conn,
            ctx,
            [Event::token_revoked(token.id, user_id, &token.label)],
        )?;
        Ok(())
    })
}

pub fn tokens_of(conn: &mut PgConnection, user_id: i64) -> Result<Vec<ApiToken>, AuthError> {
    Ok(repo::tokens_of(conn, user_id)?)
}

/// The live token and its active owner for a presented secret; notes its use.
pub fn authenticate_token(
    conn: &mut PgConnection,
    secret: &str,
) -> Result<Option<TokenHolder>, AuthError> {
    let Some((token, user, directory_version)) =
        repo::live_token_by_hash(conn, &sha256_hex(secret))?
    else {
        return Ok(None);
    };
    // `last_used_at` is for the account page ("used 3 minutes ago"); writing it on every call
    // would make each read a write transaction, so it moves at most once a minute.
    let now = Utc::now();
    let touch = Duration::seconds(TOKEN_TOUCH_SECONDS);
    let mut last_used_at = token.last_used_at.unwrap_or(now - touch - touch);
    if now - last_used_at > touch {
        repo::touch_token(conn, token.id)?;
        last_used_at = now;
    }
    Ok(Some(TokenHolder {
        token_id: token.id,
        user: user.current(),
        directory_version,
        touch_due_at: last_used_at + touch,
    }))
}

/// Who a live API token speaks for.
#[derive(Clone)]
pub struct TokenHolder {
    pub token_id: i64,
    pub user: CurrentUser,
    /// The user directory's version, read with the token
    /// ([`crate::claims::service::PeopleCache`]).
    pub directory_version: Option<i64>,
    /// When its last-used time is to be written again: until then a kept holder may be used
    /// ([`crate::auth::kept`]).
    pub touch_due_at: chrono::DateTime<Utc>,
}

impl TokenHolder {
    /// What a token probe (`repo::token_check`) reads while this read still holds; two reads
    /// that expect the same read the same token and directory.
    pub fn expected(&self) -> crate::db::ProbeValues {
        (Some(self.token_id), self.directory_version)
    }
}

// ---- sessions (the account page) ----

pub fn sessions_of(
    conn: &mut PgConnection,
    user_id: i64,
    absolute: std::time::Duration,
) -> Result<Vec<SessionRow>, AuthError> {
    let now = Utc::now();
    let created_after = now - Duration::from_std(absolute).unwrap_or(Duration::days(7));
    Ok(repo::sessions_of(conn, user_id, now, created_after)?)
}

/// Ends one of the user's own sessions, named by its key hash; recorded as a logout of it.
pub fn end_own_session(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    user_id: i64,
    key_hash: &str,
) -> Result<(), AuthError> {
    conn.transaction(|conn| {
        if repo::delete_session_of(conn, user_id, key_hash)? == 0 {
            return Err(AuthError::NotFound);
        }
        append(conn, ctx, [Event::user_logout(user_id)])?;
        Ok(())
    })
}

// ---- secrets ----

/// The session/CSRF signing key: generated on first start, then shared by every instance.
pub fn session_signing_key(conn: &mut PgConnection) -> Result<Vec<u8>, AuthError> {
    let mut fresh = vec![0u8; 64];
    rand::Rng::fill(&mut rand::rng(), fresh.as_mut_slice());
    Ok(repo::get_or_create_secret(conn, "session_key", &fresh)?)
}
