//! Extractors that say who is asking. Handlers take one of them as an argument:
//!
//! * [`PageUser`] for pages: the session's user, or a 303 to `/login?next=<this path>`.
//! * [`SignedInPage`] for the busiest pages: the same, but the session is read in the page's own
//!   database task ([`SignedInPage::run`]), so the page hands work to the database threads once.
//! * [`ApiUser`] for `/api/`: `Authorization: Bearer TOKEN` only (a cookie never counts); 401 JSON.
//!   [`ApiCall`] is the same, checked in the handler's own blocking task ([`ApiCall::run`]).
//! * [`SignedIn`] for what both browsers and scripts fetch (reports): a bearer token if one is
//!   sent, else the session, else 401 (for `/api/` and machine formats) or the login redirect.
//!
//! Each gives the [`CurrentUser`] (ask [`super::policy`] what they may do) and the
//! [`AuditContext`] to hand to services that write.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use tracing_actix_web::RequestId;

use super::model::CurrentUser;
use super::session::{self, FLASH, Session};
use super::{csrf, service};
use crate::audit::{Actor, AuditContext};
use crate::error::AppError;
use crate::startup::AppState;
use crate::web::{Flash, PageContext};

/// A signed-in user on a page.
pub struct PageUser {
    pub user: CurrentUser,
    /// For the layout: the user, the CSRF token, the flash (taken on GET, shown once).
    pub ctx: PageContext,
    pub audit: AuditContext,
    pub session: Session,
    /// The user directory's version as the session load read it: what
    /// [`crate::claims::service::PeopleCache::get`] is asked for.
    pub directory_version: Option<i64>,
}

/// A user calling the JSON API with a bearer token.
pub struct ApiUser {
    pub user: CurrentUser,
    pub token_id: i64,
    pub audit: AuditContext,
    /// The user directory's version as the token lookup read it (see [`PageUser`]).
    pub directory_version: Option<i64>,
    /// For the call's main query to carry ([`crate::db::Probe::load`]): under
    /// [`ApiCall::run`], it checks that a token kept from an earlier call still holds.
    pub probe: crate::db::Probe<super::repo::TokenCheck>,
}

impl ApiUser {
    fn of(
        holder: service::TokenHolder,
        request_id: Option<String>,
        probe: crate::db::Probe<super::repo::TokenCheck>,
    ) -> ApiUser {
        ApiUser {
            audit: token_audit_with(request_id, &holder.user, holder.token_id),
            user: holder.user,
            token_id: holder.token_id,
            directory_version: holder.directory_version,
            probe,
        }
    }
}

/// Any signed-in user, by token or session (every role, viewers included): for reports and
/// other read-only resources that browsers and scripts both fetch.
pub struct SignedIn {
    pub user: CurrentUser,
    pub audit: AuditContext,
}

/// The request id of the tracing span, for the audit record.
pub fn request_id(req: &HttpRequest) -> Option<String> {
    req.extensions().get::<RequestId>().map(|id| id.to_string())
}

/// The address the request came from, for throttling and the audit record.
pub fn client_ip(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// The audit context of a request with nobody signed in (login attempts).
pub fn anonymous_audit(req: &HttpRequest) -> AuditContext {
    AuditContext {
        actor: Actor::System,
        request_id: request_id(req),
    }
}

/// The audit context of a signed-in user's request.
pub(crate) fn user_audit(req: &HttpRequest, user: &CurrentUser) -> AuditContext {
    user_audit_with(request_id(req), user)
}

fn user_audit_with(request_id: Option<String>, user: &CurrentUser) -> AuditContext {
    AuditContext {
        actor: Actor::User {
            id: user.id,
            name: user.name.clone(),
        },
        request_id,
    }
}

#[derive(Serialize, Deserialize)]
struct StoredFlash {
    kind: String,
    message: String,
}

/// Shows `message` once on the next page (`kind`: `success`, `info` or `error`).
pub fn set_flash(session: &Session, kind: &str, message: impl Into<String>) {
    let _ = session.insert(
        FLASH,
        StoredFlash {
            kind: kind.to_string(),
            message: message.into(),
        },
    );
}

/// Takes the pending flash message, if any: it is shown once.
pub fn take_flash(session: &Session) -> Option<Flash> {
    if !session.contains_key(FLASH) {
        return None;
    }
    match session.remove_as::<StoredFlash>(FLASH)? {
        Ok(f) => Some(Flash {
            kind: f.kind,
            message: f.message,
        }),
        Err(_) => None,
    }
}

/// The page context for an anonymous visitor (login page): CSRF token and flash.
pub fn anonymous_context(req: &HttpRequest, session: &Session) -> PageContext {
    PageContext {
        user: None,
        csrf_token: csrf::token(session),
        flash: take_flash(session),
        path: req.path().to_string(),
    }
}

/// Where a stranger is sent: the login page, with the way back (a local path).
pub fn login_redirect(req: &HttpRequest) -> HttpResponse {
    let next = match req.uri().path_and_query() {
        Some(pq) if req.method() == actix_web::http::Method::GET => pq.as_str().to_string(),
        _ => "/".to_string(),
    };
    let location = if next == "/" {
        "/login".to_string()
    } else {
        format!(
            "/login?{}",
            serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default()
        )
    };
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("AppState missing")))
}

/// The bearer token a request presents: `None` without an `Authorization` header; a header
/// that is not a bearer token is refused, never taken for no token.
fn bearer_secret(req: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty() && t.len() <= 200)
        .map(Some)
        .ok_or(AppError::Unauthorized)
}

async fn bearer_user(req: &HttpRequest) -> Result<Option<service::TokenHolder>, AppError> {
    let Some(secret) = bearer_secret(req)? else {
        return Ok(None);
    };
    let state = state(req)?;
    let found = crate::db::run(&state.pool, move |conn| {
        Ok(service::authenticate_token(conn, &secret)?)
    })
    .await?;
    // A token was presented: an unknown or revoked one is refused, never taken for no token.
    found.map(Some).ok_or(AppError::Unauthorized)
}

fn token_audit(req: &HttpRequest, user: &CurrentUser, token_id: i64) -> AuditContext {
    token_audit_with(request_id(req), user, token_id)
}

fn token_audit_with(request_id: Option<String>, user: &CurrentUser, token_id: i64) -> AuditContext {
    AuditContext {
        actor: Actor::Token {
            user_id: user.id,
            token_id,
            name: user.name.clone(),
        },
        request_id,
    }
}

type Boxed<T> = Pin<Box<dyn Future<Output = Result<T, actix_web::Error>>>>;

fn sign_in_first(req: &HttpRequest) -> actix_web::Error {
    actix_web::error::InternalError::from_response("sign in first", login_redirect(req)).into()
}

impl PageUser {
    /// The page user of a session already read, or `None` when nobody is signed in.
    fn of_session(req: &HttpRequest, session: Session) -> Option<PageUser> {
        let user = session.current_user()?;
        // A POST that redirects must not eat the message meant for the page after it.
        let flash = if req.method() == actix_web::http::Method::GET {
            take_flash(&session)
        } else {
            None
        };
        let ctx = PageContext {
            user: Some(user.view()),
            csrf_token: csrf::token(&session),
            flash,
            path: req.path().to_string(),
        };
        let audit = user_audit(req, &user);
        let directory_version = session.directory_version();
        Some(PageUser {
            user,
            ctx,
            audit,
            session,
            directory_version,
        })
    }
}

impl FromRequest for PageUser {
    type Error = actix_web::Error;
    type Future = Boxed<PageUser>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let session = Session::of(&req);
            session.load().await?;
            PageUser::of_session(&req, session).ok_or_else(|| sign_in_first(&req))
        })
    }
}

/// Who asks, as [`SignedInPage::run`] hands it to the page's work on the blocking thread.
pub struct Visitor {
    pub user: CurrentUser,
    pub audit: AuditContext,
    /// See [`PageUser::directory_version`].
    pub directory_version: Option<i64>,
    /// For the page's main query to carry ([`crate::db::Probe::load`]): it checks that a
    /// session kept from an earlier request still holds.
    pub probe: crate::db::Probe<session::SessionCheck>,
}

impl Visitor {
    fn new(
        user: CurrentUser,
        directory_version: Option<i64>,
        request_id: Option<String>,
        probe: crate::db::Probe<session::SessionCheck>,
    ) -> Visitor {
        Visitor {
            audit: user_audit_with(request_id, &user),
            user,
            directory_version,
            probe,
        }
    }
}

/// A page whose session is read together with its data: extracting it reads nothing, and
/// [`SignedInPage::run`] reads the session and then does the page's work in one blocking task on
/// one connection. For the pages read most (the claim list, a claim, the dashboard, the tasks):
/// the session's own hand-off to the database threads was a large part of their cost.
pub struct SignedInPage {
    req: HttpRequest,
    session: Session,
}

impl FromRequest for SignedInPage {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<SignedInPage, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let session = Session::of(req);
        // No session cookie (or one read already, of nobody): the login redirect at once, before
        // the handler's other arguments are looked at, as [`PageUser`] does.
        if session.key_to_read().is_none() && session.current_user().is_none() {
            return std::future::ready(Err(sign_in_first(req)));
        }
        std::future::ready(Ok(SignedInPage {
            req: req.clone(),
            session,
        }))
    }
}

impl SignedInPage {
    /// Runs `work` for the signed-in visitor on one connection, reading the session there too;
    /// then gives the [`PageUser`] (for the layout) and what `work` returned. Nobody signed in:
    /// the login redirect, and what `work` returned, if it ran, is dropped.
    ///
    /// A session this instance kept from an earlier request ([`session::SessionCache`]) is not
    /// read first: `work` runs for it at once, its main query carrying the visitor's probe, and
    /// its answer stands when the probe finds the session as kept. Otherwise the session is read
    /// and, unless it is the kept one after all, `work` runs again: `work` only reads.
    pub async fn run<T, F>(
        self,
        state: &web::Data<AppState>,
        work: F,
    ) -> actix_web::Result<(PageUser, T)>
    where
        F: Fn(&mut diesel::PgConnection, &Visitor) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let SignedInPage { req, session } = self;
        let key = session.key_to_read();
        // Read before (the CSRF check of a POST does): the user is known already.
        let known = match key {
            Some(_) => None,
            None => session
                .current_user()
                .map(|user| (user, session.directory_version())),
        };
        if key.is_none() && known.is_none() {
            // No cookie, or a dead one: nothing to read, and no connection taken to say so.
            return Err(sign_in_first(&req));
        }
        let timeouts = session.timeouts();
        let request_id = request_id(&req);
        let kept = std::sync::Arc::clone(&state.sessions);
        let (found, out) = crate::db::run(&state.pool, move |conn| {
            let Some(key) = key else {
                let Some((user, directory_version)) = known else {
                    return Ok((None, None));
                };
                let visitor = Visitor::new(
                    user,
                    directory_version,
                    request_id,
                    crate::db::Probe::unchecked(),
                );
                return Ok((None, Some(work(conn, &visitor)?)));
            };
            let key_hash = super::model::sha256_hex(&key);
            let now = chrono::Utc::now();
            let mut tried = None;
            if let Some(earlier) = kept.get(&key_hash, now)
                && let Some(user) = earlier.signed_in()
            {
                let visitor = Visitor::new(
                    user.current(),
                    earlier.directory_version(),
                    request_id.clone(),
                    session::probe(&key_hash, now, timeouts),
                );
                let out = work(conn, &visitor);
                if visitor.probe.seen() == Some(earlier.expected()) {
                    return Ok((Some(Some(earlier)), Some(out?)));
                }
                tried = Some((earlier, out));
            }
            let found = session::read(conn, &key, timeouts)?;
            let Some((read, user)) = found
                .as_ref()
                .and_then(|read| read.signed_in().map(|user| (read, user)))
            else {
                kept.forget(&key_hash);
                return Ok((Some(found), None));
            };
            session::keep(&kept, &key_hash, read, timeouts);
            let out = match tried {
                // The probe did not answer (no rows carried it, or the work made no query
                // with it), but the session is as kept: the answer stands.
                Some((earlier, out)) if earlier.expected() == read.expected() => out?,
                _ => {
                    let visitor = Visitor::new(
                        user.current(),
                        read.directory_version(),
                        request_id,
                        crate::db::Probe::unchecked(),
                    );
                    work(conn, &visitor)?
                }
            };
            Ok((Some(found), Some(out)))
        })
        .await?;
        if let Some(found) = found {
            session.install(found);
        }
        match (PageUser::of_session(&req, session), out) {
            (Some(page), Some(out)) => Ok((page, out)),
            _ => Err(sign_in_first(&req)),
        }
    }
}

impl FromRequest for ApiUser {
    type Error = actix_web::Error;
    type Future = Boxed<ApiUser>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let holder = bearer_user(&req).await?.ok_or(AppError::Unauthorized)?;
            Ok(ApiUser::of(
                holder,
                request_id(&req),
                crate::db::Probe::unchecked(),
            ))
        })
    }
}

/// An API call whose token is checked together with its work: extracting it reads nothing
/// (a missing or malformed `Authorization` is refused at once), and [`ApiCall::run`] looks the
/// token up and then does the work in one blocking task on one connection. For the API's most
/// called read, the claim list: the token's own hand-off to the database threads was a large part of
/// its cost, as the session's was for pages ([`SignedInPage`]).
pub struct ApiCall {
    secret: String,
    request_id: Option<String>,
}

impl FromRequest for ApiCall {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<ApiCall, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(match bearer_secret(req) {
            Ok(Some(secret)) => Ok(ApiCall {
                secret,
                request_id: request_id(req),
            }),
            Ok(None) => Err(AppError::Unauthorized.into()),
            Err(e) => Err(e.into()),
        })
    }
}

impl ApiCall {
    /// Checks the token and, when it is live, runs `work` for its holder on the same connection;
    /// an unknown or revoked token is a 401 and what `work` returned, if it ran, is dropped.
    ///
    /// A token this instance kept from an earlier call ([`super::kept`]) is not read first:
    /// `work` runs for its holder at once, its main query carrying the caller's probe, and its
    /// answer stands when the probe finds the token unrevoked and the user directory unchanged.
    /// Otherwise the token is read and, unless it is as kept after all, `work` runs again:
    /// `work` only reads.
    pub async fn run<T, F>(self, state: &web::Data<AppState>, work: F) -> Result<T, AppError>
    where
        F: Fn(&mut diesel::PgConnection, &ApiUser) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let ApiCall { secret, request_id } = self;
        let shared = web::Data::clone(state);
        crate::db::run(&state.pool, move |conn| {
            let kept = &shared.tokens;
            let hash = super::model::sha256_hex(&secret);
            let mut tried = None;
            if let Some(holder) = kept.get(&hash, chrono::Utc::now()) {
                let probe = crate::db::Probe::new(hash.clone());
                let api = ApiUser::of(holder.clone(), request_id.clone(), probe);
                let out = work(conn, &api);
                if api.probe.seen() == Some(holder.expected()) {
                    return out;
                }
                tried = Some((holder, out));
            }
            let Some(holder) = service::authenticate_token(conn, &secret)? else {
                kept.forget(&hash);
                return Err(AppError::Unauthorized);
            };
            kept.keep(&hash, holder.clone(), holder.touch_due_at);
            match tried {
                // The probe did not answer (no rows carried it, or the work made no query
                // with it), but the token is as kept: the answer stands.
                Some((earlier, out)) if earlier.expected() == holder.expected() => out,
                _ => work(
                    conn,
                    &ApiUser::of(holder, request_id, crate::db::Probe::unchecked()),
                ),
            }
        })
        .await
    }
}

impl FromRequest for SignedIn {
    type Error = actix_web::Error;
    type Future = Boxed<SignedIn>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if let Some(holder) = bearer_user(&req).await? {
                let audit = token_audit(&req, &holder.user, holder.token_id);
                return Ok(SignedIn {
                    user: holder.user,
                    audit,
                });
            }
            let path = req.path();
            let machine =
                path.starts_with("/api/") || path.ends_with(".json") || path.ends_with(".csv");
            if !path.starts_with("/api/") {
                let session = Session::of(&req);
                session.load().await?;
                if let Some(user) = session.current_user() {
                    let audit = user_audit(&req, &user);
                    return Ok(SignedIn { user, audit });
                }
            }
            if machine {
                Err(AppError::Unauthorized.into())
            } else {
                Err(actix_web::error::InternalError::from_response(
                    "sign in first",
                    login_redirect(&req),
                )
                .into())
            }
        })
    }
}
