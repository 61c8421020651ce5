//! Browser sessions kept in PostgreSQL: an actix-session `SessionStore` on the `sessions` table.
//!
//! The cookie holds a random key (signed and encrypted with the key from `app_secrets`); the
//! table holds only its SHA-256, so a copy of the table cannot be replayed as cookies. A session
//! lives `idle` past its last request and never longer than `absolute` after it was created
//! (that is, after sign-in, since sign-in renews the key). Logout, deactivation and a password
//! change delete rows, and a deleted row is a dead cookie on every instance at once.
//!
//! A page view costs one query here: loading the session also reads its user (put in the
//! state under [`CURRENT_USER`], never stored), and the idle expiry is pushed forward only
//! when it has not been for a while ([`touch_interval`]), not with a write on every request.

use std::collections::HashMap;
use std::time::Duration;

use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, CookieContentSecurity, TtlExtensionPolicy};
use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::{Key, SameSite};
use anyhow::Context;
use chrono::Utc;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{CurrentUser, Role, sha256_hex};
use super::repo::{self, SessionWrite};
use crate::config::Config;
use crate::db::PgPool;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "ct_session";
/// Session state keys set at sign-in.
pub const USER_ID: &str = "user_id";
pub const USER_AGENT: &str = "ua";
pub const IP: &str = "ip";
/// A random id of the sign-in, to tell the current session apart on `/account`.
pub const SID: &str = "sid";
/// The per-session CSRF token.
pub const CSRF: &str = "csrf";
/// A message to show once on the next page.
pub const FLASH: &str = "flash";
/// The session's active user, read with the session on every load and stripped before every
/// write: a role change or deactivation is seen on the next request.
pub const CURRENT_USER: &str = "__current_user";
/// The user directory's version, read with the session on every load and stripped before every
/// write: pages reuse the directory they read before while it is the same
/// ([`crate::claims::service::PeopleCache`]).
pub const DIRECTORY_VERSION: &str = "__directory_version";

/// The user as the session load hands it to the extractors.
#[derive(Debug, Serialize, Deserialize, Queryable, Selectable)]
#[diesel(table_name = crate::schema::users, check_for_backend(diesel::pg::Pg))]
pub struct SessionUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
}

impl SessionUser {
    pub fn current(&self) -> CurrentUser {
        CurrentUser {
            id: self.id,
            email: self.email.clone(),
            name: self.name.clone(),
            role: Role::stored(&self.role),
        }
    }
}

/// How long a session's idle expiry may go without being pushed forward: a tenth of the idle
/// timeout, at most a minute. A busy session so writes at most once a minute, and the timeout
/// still holds to within that.
pub fn touch_interval(idle: Duration) -> Duration {
    (idle / 10).min(Duration::from_secs(60))
}

type State = HashMap<String, String>;

#[derive(Clone)]
pub struct PgSessionStore {
    pool: PgPool,
    idle: Duration,
    absolute: Duration,
}

impl PgSessionStore {
    pub fn new(pool: PgPool, idle: Duration, absolute: Duration) -> PgSessionStore {
        PgSessionStore {
            pool,
            idle,
            absolute,
        }
    }

    async fn blocking<T, F>(&self, work: F) -> anyhow::Result<T>
    where
        F: FnOnce(&mut diesel::PgConnection) -> anyhow::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool
                .get()
                .context("no database connection for the session")?;
            work(&mut conn)
        })
        .await
        .map_err(|e| anyhow::anyhow!("session task failed: {e}"))?
    }
}

fn expiry(ttl: &actix_web::cookie::time::Duration) -> chrono::DateTime<Utc> {
    Utc::now() + chrono::Duration::seconds(ttl.whole_seconds().max(1))
}

/// The columns kept beside the state: who is signed in, and from where (for `/account`).
struct Columns {
    user_id: Option<i64>,
    user_agent: Option<String>,
    ip: Option<String>,
}

/// The state as stored: without the user and the directory version the load added.
fn stored_state(mut state: State) -> State {
    state.remove(CURRENT_USER);
    state.remove(DIRECTORY_VERSION);
    state
}

fn columns(state: &State) -> Columns {
    let text = |key: &str| {
        state
            .get(key)
            .and_then(|v| serde_json::from_str::<String>(v).ok())
    };
    Columns {
        user_id: state.get(USER_ID).and_then(|v| v.parse::<i64>().ok()),
        user_agent: text(USER_AGENT),
        ip: text(IP),
    }
}

impl SessionStore for PgSessionStore {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<State>, LoadError> {
        let key_hash = sha256_hex(session_key.as_ref());
        let (idle, absolute) = (self.idle, self.absolute);
        let row = self
            .blocking(move |conn| {
                let now = Utc::now();
                let created_after =
                    now - chrono::Duration::from_std(absolute).unwrap_or(chrono::Duration::days(7));
                let found = repo::live_session_with_user(conn, &key_hash, now, created_after)?;
                if let Some((session, _, _)) = &found {
                    let interval = chrono::Duration::from_std(touch_interval(idle))
                        .unwrap_or(chrono::Duration::seconds(60));
                    if now - session.last_seen_at >= interval {
                        let idle =
                            chrono::Duration::from_std(idle).unwrap_or(chrono::Duration::hours(2));
                        repo::touch_session(conn, &key_hash, now, now + idle)?;
                    }
                }
                Ok(found)
            })
            .await
            .map_err(LoadError::Other)?;
        let Some((session, user, directory_version)) = row else {
            return Ok(None);
        };
        let mut state = stored_state(
            serde_json::from_value::<State>(session.state)
                .map_err(|e| LoadError::Deserialization(e.into()))?,
        );
        if let Some(user) = user {
            let value =
                serde_json::to_string(&user).map_err(|e| LoadError::Deserialization(e.into()))?;
            state.insert(CURRENT_USER.to_string(), value);
        }
        if let Some(version) = directory_version {
            state.insert(DIRECTORY_VERSION.to_string(), version.to_string());
        }
        Ok(Some(state))
    }

    async fn save(
        &self,
        session_state: State,
        ttl: &actix_web::cookie::time::Duration,
    ) -> Result<SessionKey, SaveError> {
        let key = crate::web::random_token(32);
        let key_hash = sha256_hex(&key);
        let expires_at = expiry(ttl);
        let absolute = self.absolute;
        let session_state = stored_state(session_state);
        let cols = columns(&session_state);
        let state =
            serde_json::to_value(&session_state).map_err(|e| SaveError::Serialization(e.into()))?;
        self.blocking(move |conn| {
            let now = Utc::now();
            // New sessions are the moment to sweep dead ones, so the table does not grow.
            let created_before =
                now - chrono::Duration::from_std(absolute).unwrap_or(chrono::Duration::days(7));
            repo::delete_expired_sessions(conn, now, created_before)?;
            repo::insert_session(
                conn,
                &SessionWrite {
                    key_hash: &key_hash,
                    user_id: cols.user_id,
                    state,
                    expires_at,
                    user_agent: cols.user_agent.as_deref(),
                    ip: cols.ip.as_deref(),
                },
            )?;
            Ok(())
        })
        .await
        .map_err(SaveError::Other)?;
        SessionKey::try_from(key).map_err(|e| SaveError::Other(e.into()))
    }

    async fn update(
        &self,
        session_key: SessionKey,
        session_state: State,
        ttl: &actix_web::cookie::time::Duration,
    ) -> Result<SessionKey, UpdateError> {
        let key_hash = sha256_hex(session_key.as_ref());
        let expires_at = expiry(ttl);
        let session_state = stored_state(session_state);
        let cols = columns(&session_state);
        let state = serde_json::to_value(&session_state)
            .map_err(|e| UpdateError::Serialization(e.into()))?;
        // A session ended meanwhile (logout elsewhere, deactivation) stays ended: the update
        // touches no row and nothing is re-created under the old key.
        self.blocking(move |conn| {
            repo::update_session(
                conn,
                &SessionWrite {
                    key_hash: &key_hash,
                    user_id: cols.user_id,
                    state,
                    expires_at,
                    user_agent: cols.user_agent.as_deref(),
                    ip: cols.ip.as_deref(),
                },
                Utc::now(),
            )?;
            Ok(())
        })
        .await
        .map_err(UpdateError::Other)?;
        Ok(session_key)
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        ttl: &actix_web::cookie::time::Duration,
    ) -> Result<(), anyhow::Error> {
        let key_hash = sha256_hex(session_key.as_ref());
        let expires_at = expiry(ttl);
        self.blocking(move |conn| {
            repo::touch_session(conn, &key_hash, Utc::now(), expires_at)?;
            Ok(())
        })
        .await
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        let key_hash = sha256_hex(session_key.as_ref());
        self.blocking(move |conn| {
            repo::delete_session(conn, &key_hash)?;
            Ok(())
        })
        .await
    }
}

/// The session middleware as configured: cookie `ct_session`, HttpOnly, SameSite=Lax, Path=/,
/// Secure per `COOKIE_SECURE`; a browser-session cookie whose server side expires after the idle
/// timeout. The store extends it as it loads (see [`touch_interval`]), so the middleware writes
/// only when the state changed.
pub fn middleware(config: &Config, pool: PgPool, key: &[u8]) -> SessionMiddleware<PgSessionStore> {
    let idle = actix_web::cookie::time::Duration::seconds(
        i64::try_from(config.session_idle_timeout.as_secs()).unwrap_or(7200),
    );
    SessionMiddleware::builder(
        PgSessionStore::new(
            pool,
            config.session_idle_timeout,
            config.session_absolute_timeout,
        ),
        Key::derive_from(key),
    )
    .cookie_name(COOKIE_NAME.to_string())
    .cookie_secure(config.cookie_secure)
    .cookie_http_only(true)
    .cookie_same_site(SameSite::Lax)
    .cookie_path("/".to_string())
    .cookie_content_security(CookieContentSecurity::Private)
    .session_lifecycle(
        BrowserSession::default()
            .state_ttl(idle)
            .state_ttl_extension_policy(TtlExtensionPolicy::OnStateChanges),
    )
    .build()
}
