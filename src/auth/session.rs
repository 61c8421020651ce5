//! Browser sessions kept in PostgreSQL, read only when a request asks who it comes from.
//!
//! The cookie holds a random key, encrypted and authenticated with the key from `app_secrets`
//! (a private cookie); the `sessions` table holds only its SHA-256, so a copy of the table cannot
//! be replayed as cookies. A session lives `idle` past its last request and never longer than
//! `absolute` after it was created (that is, after sign-in, since sign-in renews the key).
//! Logout, deactivation and a password change delete rows, and a deleted row is a dead cookie on
//! every instance at once.
//!
//! [`SessionLayer`] only decrypts the cookie before the handler; nothing is read yet. Whoever
//! needs the session reads it: [`Session::load`] in a blocking task of its own, or
//! [`crate::auth::SignedInPage`] in the same blocking task and on the same connection as the
//! page's own queries, so a signed-in page hands work to the database threads once, not twice.
//! Reading a session also reads its active user and the user directory's version (one query),
//! and pushes the idle expiry forward only when it has not been for a while
//! ([`touch_interval`]). After the handler, the layer writes what changed, as actix-session
//! does: new state → insert, changed → update, renewed → new key, purged → row and cookie gone.
//! The cookie and the stored state keep actix-session's formats, so sessions outlive the switch.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::{Ready, ready};
use std::rc::Rc;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, CookieJar, Key, SameSite};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::{HeaderValue, SET_COOKIE};
use actix_web::{HttpMessage, HttpRequest};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::model::{CurrentUser, Role, sha256_hex};
use super::repo::{self, SessionWrite};
use crate::config::Config;
use crate::db::Db;
use crate::error::AppError;

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

/// The user as the session read finds them: active, or not there at all.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable)]
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

/// The stored state: keys to JSON-encoded values, as actix-session kept it.
type State = HashMap<String, String>;

/// How long sessions live; `Copy`, so a blocking task can take it along.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Timeouts {
    fn idle(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.idle).unwrap_or(chrono::Duration::hours(2))
    }

    fn absolute(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.absolute).unwrap_or(chrono::Duration::days(7))
    }

    fn touch_interval(&self) -> chrono::Duration {
        chrono::Duration::from_std(touch_interval(self.idle))
            .unwrap_or(chrono::Duration::seconds(60))
    }
}

/// A live session as read: its state, its active user if any, the user directory's version.
/// `Send`, so it is read on a blocking thread and installed in the [`Session`] after.
#[derive(Clone)]
pub struct Loaded {
    state: State,
    user: Option<SessionUser>,
    directory_version: Option<i64>,
    /// The stored session's version ([`repo::session_check`]).
    version: i64,
    /// When its idle expiry was last pushed forward.
    last_seen_at: DateTime<Utc>,
}

impl Loaded {
    /// The signed-in user: the session names a user and that user is still active.
    pub fn signed_in(&self) -> Option<&SessionUser> {
        self.user
            .as_ref()
            .filter(|_| self.state.contains_key(USER_ID))
    }

    pub fn directory_version(&self) -> Option<i64> {
        self.directory_version
    }

    /// What a [`probe`] reads while this read still holds; two reads that expect the same
    /// read the same stored session and directory.
    pub fn expected(&self) -> crate::db::ProbeValues {
        (Some(self.version), self.directory_version)
    }
}

/// Reads the live session with cookie key `key` (not past its idle expiry, created within the
/// absolute limit), pushing its idle expiry forward when that is due.
pub fn read(conn: &mut PgConnection, key: &str, timeouts: Timeouts) -> QueryResult<Option<Loaded>> {
    let key_hash = sha256_hex(key);
    let now = Utc::now();
    let Some(found) =
        repo::live_session_with_user(conn, &key_hash, now, now - timeouts.absolute())?
    else {
        return Ok(None);
    };
    let mut last_seen_at = found.last_seen_at;
    if now - last_seen_at >= timeouts.touch_interval() {
        repo::touch_session(conn, &key_hash, now, now + timeouts.idle())?;
        last_seen_at = now;
    }
    // State that does not parse is dropped, as actix-session did: the visitor starts afresh.
    let state = serde_json::from_value::<State>(found.state).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "unreadable session state; starting an empty one");
        State::new()
    });
    Ok(Some(Loaded {
        state,
        user: found.user,
        directory_version: found.directory_version,
        version: found.version,
        last_seen_at,
    }))
}

/// The check that a session read earlier, under `key_hash`, still holds: see
/// [`SessionCache`].
pub fn probe(
    key_hash: &str,
    now: DateTime<Utc>,
    timeouts: Timeouts,
) -> crate::db::Probe<SessionCheck> {
    crate::db::Probe::new((key_hash.to_string(), now, now - timeouts.absolute()))
}

/// The kind of [`probe`] that checks a session ([`crate::db::Probe`]'s `K`).
pub struct SessionCheck;

impl crate::db::ProbeKind for SessionCheck {
    /// The key hash, now, and the oldest creation time the absolute timeout allows.
    type Of = (String, DateTime<Utc>, DateTime<Utc>);

    fn check(
        (key_hash, now, created_after): Self::Of,
    ) -> Box<dyn diesel::query_builder::QueryFragment<diesel::pg::Pg> + Send> {
        repo::session_check(key_hash, now, created_after)
    }
}

/// Signed-in sessions as this instance last read them ([`super::kept`]): a page runs its
/// work for the kept session with a [`probe`] carried by its main query, and the answer stands
/// when the probe finds the stored session live, of the same version (no state written since)
/// and the user directory unchanged (so the same user, name and role, still active). A session
/// is kept until its idle expiry is due a push: the read that pushes it keeps it again.
pub type SessionCache = super::kept::Kept<Loaded>;

/// Keeps `loaded` under `key_hash` if someone is signed in to it.
pub fn keep(kept: &SessionCache, key_hash: &str, loaded: &Loaded, timeouts: Timeouts) {
    if loaded.signed_in().is_some() {
        kept.keep(
            key_hash,
            loaded.clone(),
            loaded.last_seen_at + timeouts.touch_interval(),
        );
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Unchanged,
    Changed,
    Renewed,
    Purged,
}

struct Inner {
    /// The key of a valid cookie, until a read finds no live session under it.
    key: Option<String>,
    loaded: bool,
    state: State,
    user: Option<SessionUser>,
    directory_version: Option<i64>,
    status: Status,
}

/// One request's session. Read it ([`Session::load`]) before asking it anything: until then it
/// is empty. Changes are written after the handler by [`SessionLayer`].
#[derive(Clone)]
pub struct Session {
    inner: Rc<RefCell<Inner>>,
    /// `None` outside the layer (a test app without it): then there is never anything to read.
    sessions: Option<Rc<Sessions>>,
}

impl Session {
    /// The request's session. Outside [`SessionLayer`] (a test app without it), an empty one
    /// whose changes go nowhere.
    pub fn of(req: &HttpRequest) -> Session {
        if let Some(session) = req.extensions().get::<Session>() {
            return session.clone();
        }
        tracing::warn!("no session layer around this route");
        Session::new(None, None)
    }

    fn new(sessions: Option<Rc<Sessions>>, key: Option<String>) -> Session {
        Session {
            inner: Rc::new(RefCell::new(Inner {
                loaded: key.is_none(),
                key,
                state: State::new(),
                user: None,
                directory_version: None,
                status: Status::Unchanged,
            })),
            sessions,
        }
    }

    /// The cookie key still to be read, if the session has not been read yet. A request
    /// without a valid cookie has nothing to read.
    pub fn key_to_read(&self) -> Option<String> {
        let inner = self.inner.borrow();
        if inner.loaded {
            None
        } else {
            inner.key.clone()
        }
    }

    pub fn timeouts(&self) -> Timeouts {
        self.sessions.as_ref().map_or(
            Timeouts {
                idle: Duration::from_secs(7200),
                absolute: Duration::from_secs(7 * 86400),
            },
            |s| s.timeouts,
        )
    }

    /// Takes in what [`read`] found for [`Session::key_to_read`]: `None` is a dead cookie, and
    /// the session starts empty (a change then makes a new one).
    pub fn install(&self, found: Option<Loaded>) {
        let mut inner = self.inner.borrow_mut();
        if inner.loaded {
            return;
        }
        inner.loaded = true;
        match found {
            Some(loaded) => {
                inner.state = loaded.state;
                inner.user = loaded.user;
                inner.directory_version = loaded.directory_version;
            }
            None => inner.key = None,
        }
    }

    /// Reads the session if it has not been read (one query on a blocking thread).
    pub async fn load(&self) -> Result<(), AppError> {
        let (Some(key), Some(sessions)) = (self.key_to_read(), &self.sessions) else {
            return Ok(());
        };
        let timeouts = sessions.timeouts;
        let found =
            crate::db::run(&sessions.pool, move |conn| Ok(read(conn, &key, timeouts)?)).await?;
        self.install(found);
        Ok(())
    }

    /// The signed-in, still active user. A session naming a user who is no longer active is
    /// over: it is purged.
    pub fn current_user(&self) -> Option<CurrentUser> {
        let user = {
            let inner = self.inner.borrow();
            if !inner.state.contains_key(USER_ID) {
                return None;
            }
            inner.user.as_ref().map(SessionUser::current)
        };
        if user.is_none() {
            self.purge();
        }
        user
    }

    /// The user directory's version as the session read saw it
    /// ([`crate::claims::service::PeopleCache`]).
    pub fn directory_version(&self) -> Option<i64> {
        self.inner.borrow().directory_version
    }

    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, serde_json::Error> {
        match self.inner.borrow().state.get(key) {
            Some(value) => serde_json::from_str(value).map(Some),
            None => Ok(None),
        }
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.inner.borrow().state.contains_key(key)
    }

    /// Sets `key` (nothing, once the session is purged).
    pub fn insert<T: Serialize>(&self, key: &str, value: T) -> Result<(), serde_json::Error> {
        let value = serde_json::to_string(&value)?;
        let mut inner = self.inner.borrow_mut();
        if inner.status != Status::Purged {
            inner.mark_changed();
            inner.state.insert(key.to_string(), value);
        }
        Ok(())
    }

    /// Removes `key`, returning its value (or, when it does not parse, the raw text).
    pub fn remove_as<T: DeserializeOwned>(&self, key: &str) -> Option<Result<T, String>> {
        let mut inner = self.inner.borrow_mut();
        if inner.status == Status::Purged {
            return None;
        }
        let raw = inner.state.remove(key)?;
        inner.mark_changed();
        Some(serde_json::from_str(&raw).map_err(|_| raw))
    }

    /// Ends the session: the row is deleted and the cookie removed after the handler.
    pub fn purge(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.status = Status::Purged;
        inner.state.clear();
        inner.user = None;
    }

    /// Keeps the state under a new key (at sign-in and password change: no fixation).
    pub fn renew(&self) {
        let mut inner = self.inner.borrow_mut();
        if inner.status != Status::Purged {
            inner.status = Status::Renewed;
        }
    }
}

impl Inner {
    fn mark_changed(&mut self) {
        if self.status == Status::Unchanged {
            self.status = Status::Changed;
        }
    }
}

/// What the layer needs to read and write sessions and their cookies.
pub struct Sessions {
    pool: Db,
    key: Key,
    secure: bool,
    timeouts: Timeouts,
    kept: std::sync::Arc<SessionCache>,
}

impl Sessions {
    /// The session key in the request's cookie, if the cookie is there and decrypts.
    fn cookie_key(&self, req: &ServiceRequest) -> Option<String> {
        let cookie = req.cookie(COOKIE_NAME)?;
        let mut jar = CookieJar::new();
        jar.add_original(cookie);
        let Some(opened) = jar.private(&self.key).get(COOKIE_NAME) else {
            tracing::warn!("a session cookie failed to decrypt; ignoring it");
            return None;
        };
        let key = opened.value().to_string();
        (!key.is_empty() && key.len() <= 256).then_some(key)
    }

    fn cookie(&self, value: String) -> Cookie<'static> {
        let mut cookie = Cookie::new(COOKIE_NAME, value);
        cookie.set_secure(self.secure);
        cookie.set_http_only(true);
        cookie.set_same_site(SameSite::Lax);
        cookie.set_path("/");
        cookie
    }

    fn set_cookie(&self, res: &mut ServiceResponse<BoxBody>, key: String) -> Result<(), AppError> {
        let mut jar = CookieJar::new();
        jar.private_mut(&self.key).add(self.cookie(key));
        let sealed = jar
            .delta()
            .next()
            .map(|c| c.encoded().to_string())
            .unwrap_or_default();
        let value = HeaderValue::from_str(&sealed)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("session cookie: {e}")))?;
        res.headers_mut().append(SET_COOKIE, value);
        Ok(())
    }

    fn remove_cookie(&self, res: &mut ServiceResponse<BoxBody>) -> Result<(), AppError> {
        let mut cookie = self.cookie(String::new());
        cookie.make_removal();
        let value = HeaderValue::from_str(&cookie.to_string())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("session cookie: {e}")))?;
        res.headers_mut().append(SET_COOKIE, value);
        Ok(())
    }

    /// Writes what the handler changed, and sets or removes the cookie to match.
    async fn persist(
        &self,
        session: &Session,
        res: &mut ServiceResponse<BoxBody>,
    ) -> Result<(), AppError> {
        let (key, status, state) = {
            let inner = session.inner.borrow();
            if !inner.loaded {
                // Changes to a session never read would overwrite what is stored with only
                // themselves (signing the user out): a handler that forgot `load`. Keep the row.
                if inner.status != Status::Unchanged {
                    tracing::error!("a session was changed without being read; not written");
                }
                return Ok(());
            }
            (inner.key.clone(), inner.status, inner.state.clone())
        };
        let pool = &self.pool;
        let timeouts = self.timeouts;
        if let (Some(key), Status::Changed | Status::Renewed | Status::Purged) = (&key, status) {
            self.kept.forget(&sha256_hex(key));
        }
        match (key, status) {
            (_, Status::Unchanged) => {}
            // Nothing is stored for a visitor whose session never held anything.
            (None, Status::Purged) => {}
            (None, _) if state.is_empty() => {}
            (None, _) => {
                let key =
                    crate::db::run(pool, move |conn| Ok(insert(conn, state, timeouts)?)).await?;
                self.set_cookie(res, key)?;
            }
            (Some(key), Status::Changed) => {
                let key_hash = sha256_hex(&key);
                crate::db::run(pool, move |conn| {
                    // A session ended meanwhile (logout elsewhere, deactivation) stays ended:
                    // the update touches no row and nothing is re-created under the old key.
                    repo::update_session(conn, &write(&key_hash, state, timeouts), Utc::now())?;
                    Ok(())
                })
                .await?;
                self.set_cookie(res, key)?;
            }
            (Some(key), Status::Renewed) => {
                let old = sha256_hex(&key);
                let key = crate::db::run(pool, move |conn| {
                    repo::delete_session(conn, &old)?;
                    Ok(insert(conn, state, timeouts)?)
                })
                .await?;
                self.set_cookie(res, key)?;
            }
            (Some(key), Status::Purged) => {
                let key_hash = sha256_hex(&key);
                crate::db::run(pool, move |conn| {
                    repo::delete_session(conn, &key_hash)?;
                    Ok(())
                })
                .await?;
                self.remove_cookie(res)?;
            }
        }
        Ok(())
    }
}

fn text(state: &State, key: &str) -> Option<String> {
    state
        .get(key)
        .and_then(|v| serde_json::from_str::<String>(v).ok())
}

/// The row for `state` under `key_hash`: who is signed in and from where sit in columns beside
/// the state (for `/account`).
fn write(key_hash: &str, state: State, timeouts: Timeouts) -> SessionWrite<'_> {
    SessionWrite {
        key_hash,
        user_id: state.get(USER_ID).and_then(|v| v.parse::<i64>().ok()),
        user_agent: text(&state, USER_AGENT),
        ip: text(&state, IP),
        state: serde_json::to_value(&state).unwrap_or_default(),
        expires_at: Utc::now() + timeouts.idle(),
    }
}

/// Stores `state` under a new key and returns the key (for the cookie).
fn insert(conn: &mut PgConnection, state: State, timeouts: Timeouts) -> QueryResult<String> {
    let key = crate::web::random_token(32);
    let key_hash = sha256_hex(&key);
    let now: DateTime<Utc> = Utc::now();
    // New sessions are the moment to sweep dead ones, so the table does not grow.
    repo::delete_expired_sessions(conn, now, now - timeouts.absolute())?;
    repo::insert_session(conn, &write(&key_hash, state, timeouts))?;
    Ok(key)
}

/// The session layer as configured: cookie `ct_session`, HttpOnly, SameSite=Lax, Path=/,
/// Secure per `COOKIE_SECURE`, a browser-session cookie whose server side expires after the
/// idle timeout.
pub fn middleware(
    config: &Config,
    pool: Db,
    key: &[u8],
    kept: std::sync::Arc<SessionCache>,
) -> SessionLayer {
    SessionLayer(Rc::new(Sessions {
        kept,
        pool,
        key: Key::derive_from(key),
        secure: config.cookie_secure,
        timeouts: Timeouts {
            idle: config.session_idle_timeout,
            absolute: config.session_absolute_timeout,
        },
    }))
}

/// Puts an unread [`Session`] in every request and writes its changes after the handler.
pub struct SessionLayer(Rc<Sessions>);

impl<S, B> Transform<S, ServiceRequest> for SessionLayer
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Transform = SessionService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(SessionService {
            service: Rc::new(service),
            sessions: Rc::clone(&self.0),
        }))
    }
}

pub struct SessionService<S> {
    service: Rc<S>,
    sessions: Rc<Sessions>,
}

impl<S, B> Service<ServiceRequest> for SessionService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let sessions = Rc::clone(&self.sessions);
        Box::pin(async move {
            let session = Session::new(Some(Rc::clone(&sessions)), sessions.cookie_key(&req));
            req.extensions_mut().insert(session.clone());
            let mut res = service.call(req).await?.map_into_boxed_body();
            sessions.persist(&session, &mut res).await?;
            Ok(res)
        })
    }
}
