//! Sign-in, sign-out, the account page and user administration: thin handlers and their pages.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::csrf;
use super::extract::{PageUser, anonymous_audit, anonymous_context, client_ip, set_flash};
use super::model::{ApiToken, Role, SessionRow, User};
use super::policy::{self, Action, Resource};
use super::service::{self, AuthError, NewAccount};
use super::session::{IP, SID, Session, USER_AGENT, USER_ID};
use crate::error::AppError;
use crate::startup::AppState;
use crate::web::{AppRoute, PageContext, render};

/// The routes of this module; `startup::page_routes` registers them (and the CSRF test walks
/// them).
pub fn routes() -> Vec<AppRoute> {
    vec![
        AppRoute::get("/login", login_form),
        AppRoute::post("/login", login),
        AppRoute::post("/logout", logout),
        AppRoute::get("/account", account),
        AppRoute::post("/account/password", change_password),
        AppRoute::post("/account/sessions/end", end_session),
        AppRoute::post("/account/tokens", create_token),
        AppRoute::post("/account/tokens/{id}/revoke", revoke_token),
        AppRoute::get("/admin/users", admin_users),
        AppRoute::post("/admin/users", admin_create_user),
        AppRoute::post("/admin/users/{id}/role", admin_change_role),
        AppRoute::post("/admin/users/{id}/deactivate", admin_deactivate),
        AppRoute::post("/admin/users/{id}/password", admin_reset_password),
    ]
}

type Errors = Vec<(String, String)>;

fn field_errors(e: AppError) -> Result<(StatusCode, Errors), AppError> {
    match e {
        AppError::Invalid { field, message } => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, vec![(field, message)]))
        }
        AppError::Conflict { message, .. } => {
            Ok((StatusCode::CONFLICT, vec![("form".into(), message)]))
        }
        AppError::Forbidden(message) => Ok((StatusCode::FORBIDDEN, vec![("form".into(), message)])),
        other => Err(other),
    }
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_string()))
        .finish()
}

/// `next` only ever leads to a path on this site: one leading slash, no scheme, no host,
/// no backslash tricks; anything else goes to the dashboard.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(next) = next.map(str::trim) else {
        return "/".into();
    };
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control())
        && !next.starts_with("/login")
        && !next.starts_with("/logout");
    if local { next.to_string() } else { "/".into() }
}

// ---- login / logout ----

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    ctx: PageContext,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(
    req: HttpRequest,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let session = Session::of(&req);
    session.load().await?;
    let next = safe_next(query.next.as_deref());
    if matches!(session.get::<i64>(USER_ID), Ok(Some(_))) {
        return Ok(see_other(&next));
    }
    Ok(render(
        StatusCode::OK,
        &LoginPage {
            ctx: anonymous_context(&req, &session),
            email: String::new(),
            next,
            error: None,
        },
    ))
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let LoginForm {
        email,
        password,
        next,
    } = form.into_inner();
    let session = Session::of(&req);
    session.load().await?;
    let next = safe_next(next.as_deref());
    let ctx = anonymous_audit(&req);
    let ip = client_ip(&req);
    let attempt = {
        let (pool, email, ip) = (state.pool.clone(), email.clone(), ip.clone());
        web::block(move || service::login(&pool, &ctx, &email, &password, &ip))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("sign-in task failed: {e}")))?
    };
    let form_again = |status: StatusCode, message: String| {
        render(
            status,
            &LoginPage {
                ctx: anonymous_context(&req, &session),
                email: email.clone(),
                next: next.clone(),
                error: Some(message),
            },
        )
    };
    match attempt {
        Ok(user) => {
            // A new session key at sign-in (no fixation), and a new CSRF token with it.
            session.renew();
            let inserted = session
                .insert(USER_ID, user.id)
                .and_then(|_| session.insert(SID, crate::web::random_token(16)))
                .and_then(|_| session.insert(IP, &ip))
                .and_then(|_| session.insert(USER_AGENT, user_agent(&req)));
            inserted.map_err(|e| AppError::Internal(anyhow::anyhow!("session: {e}")))?;
            csrf::rotate(&session);
            Ok(see_other(&next))
        }
        Err(AuthError::Throttled { retry_after_secs }) => {
            let mut res = form_again(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many failed sign-ins. Try again in {} minutes.",
                    retry_after_secs.div_ceil(60)
                ),
            );
            if let Ok(v) = header::HeaderValue::from_str(&retry_after_secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(res)
        }
        Err(AuthError::BadCredentials) => Ok(form_again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Wrong email or password.".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

fn user_agent(req: &HttpRequest) -> String {
    req.headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(200)
        .collect()
}

async fn logout(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let session = Session::of(&req);
    session.load().await?;
    // The session read found its user, if still active: no second query for them.
    if let Some(user) = session.current_user() {
        let ctx = super::extract::user_audit(&req, &user);
        crate::db::run(&state.pool, move |conn| {
            Ok(service::record_logout(conn, &ctx, user.id)?)
        })
        .await?;
    }
    // Deletes the row and clears the cookie.
    session.purge();
    Ok(see_other("/login"))
}

// ---- account ----

pub struct SessionView {
    pub handle: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub user_agent: String,
    pub ip: String,
    pub current: bool,
}

pub struct TokenView {
    pub id: i64,
    pub label: String,
    pub created_at: String,
    pub last_used_at: String,
    pub revoked: bool,
}

fn when(t: DateTime<Utc>) -> String {
    crate::verification::web::fmt_time(&t)
}

#[derive(Template)]
#[template(path = "auth/account.html")]
struct AccountPage {
    ctx: PageContext,
    sessions: Vec<SessionView>,
    tokens: Vec<TokenView>,
    new_token: Option<String>,
    label: String,
    errors: Errors,
}

struct AccountData {
    sessions: Vec<SessionRow>,
    tokens: Vec<ApiToken>,
}

async fn account_data(state: &AppState, user_id: i64) -> Result<AccountData, AppError> {
    let absolute = state.config.session_absolute_timeout;
    crate::db::run(&state.pool, move |conn| {
        Ok(AccountData {
            sessions: service::sessions_of(conn, user_id, absolute)?,
            tokens: service::tokens_of(conn, user_id)?,
        })
    })
    .await
}

fn account_page(
    page: &PageUser,
    data: AccountData,
    new_token: Option<String>,
    label: String,
    errors: Errors,
) -> AccountPage {
    let sid: Option<String> = page.session.get::<String>(SID).ok().flatten();
    let text = |row: &SessionRow, key: &str| {
        row.state
            .get(key)
            .and_then(|v| v.as_str())
            .and_then(|v| serde_json::from_str::<String>(v).ok())
    };
    AccountPage {
        ctx: page.ctx.clone(),
        sessions: data
            .sessions
            .iter()
            .map(|s| SessionView {
                handle: s.key_hash.clone(),
                created_at: when(s.created_at),
                last_seen_at: when(s.last_seen_at),
                user_agent: s.user_agent.clone().unwrap_or_default(),
                ip: s.ip.clone().unwrap_or_default(),
                current: sid.is_some() && text(s, SID) == sid,
            })
            .collect(),
        tokens: data
            .tokens
            .iter()
            .map(|t| TokenView {
                id: t.id,
                label: t.label.clone(),
                created_at: when(t.created_at),
                last_used_at: t.last_used_at.map(when).unwrap_or_else(|| "never".into()),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
        new_token,
        label,
        errors,
    }
}

async fn account(page: PageUser, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let data = account_data(&state, page.user.id).await?;
    Ok(render(
        StatusCode::OK,
        &account_page(&page, data, None, String::new(), vec![]),
    ))
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

async fn change_password(
    page: PageUser,
    state: web::Data<AppState>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let result = if form.new_password != form.confirm_password {
        Err(AppError::invalid(
            "confirm_password",
            "the two new passwords differ",
        ))
    } else {
        let (ctx, user_id) = (page.audit.clone(), page.user.id);
        crate::db::run(&state.pool, move |conn| {
            Ok(service::change_own_password(
                conn,
                &ctx,
                user_id,
                &form.current_password,
                &form.new_password,
                None,
            ))
        })
        .await?
        .map_err(AppError::from)
    };
    match result {
        Ok(()) => {
            // Every session of this user was ended, this one included; carry on under a new key.
            page.session.renew();
            set_flash(
                &page.session,
                "success",
                "Password changed. Your other sessions and all your API tokens have ended.",
            );
            Ok(see_other("/account"))
        }
        Err(e) => {
            let (status, errors) = field_errors(e)?;
            let data = account_data(&state, page.user.id).await?;
            Ok(render(
                status,
                &account_page(&page, data, None, String::new(), errors),
            ))
        }
    }
}

#[derive(Deserialize)]
struct EndSessionForm {
    #[serde(default)]
    session: String,
}

async fn end_session(
    page: PageUser,
    state: web::Data<AppState>,
    form: web::Form<EndSessionForm>,
) -> Result<HttpResponse, AppError> {
    let (ctx, user_id) = (page.audit.clone(), page.user.id);
    let handle = form.into_inner().session;
    crate::db::run(&state.pool, move |conn| {
        Ok(service::end_own_session(conn, &ctx, user_id, &handle)?)
    })
    .await?;
    set_flash(&page.session, "success", "That session has ended.");
    Ok(see_other("/account"))
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    label: String,
}

async fn create_token(
    page: PageUser,
    state: web::Data<AppState>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    let label = form.into_inner().label;
    let (ctx, user_id, l) = (page.audit.clone(), page.user.id, label.clone());
    let created = crate::db::run(&state.pool, move |conn| {
        Ok(service::create_token(conn, &ctx, user_id, &l))
    })
    .await?;
    let data = account_data(&state, page.user.id).await?;
    match created {
        // Shown in this response only: the secret is never stored, not even in the session.
        Ok((_, secret)) => Ok(render(
            StatusCode::CREATED,
            &account_page(&page, data, Some(secret), String::new(), vec![]),
        )),
        Err(e) => {
            let (status, errors) = field_errors(e.into())?;
            Ok(render(
                status,
                &account_page(&page, data, None, label, errors),
            ))
        }
    }
}

async fn revoke_token(
    page: PageUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let token_id = path.into_inner();
    let (ctx, user_id) = (page.audit.clone(), page.user.id);
    crate::db::run(&state.pool, move |conn| {
        Ok(service::revoke_own_token(conn, &ctx, user_id, token_id)?)
    })
    .await?;
    set_flash(&page.session, "success", "The token is revoked.");
    Ok(see_other("/account"))
}

// ---- admin: users ----

pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub active: bool,
    pub created_at: String,
    pub is_me: bool,
}

#[derive(Default)]
struct NewUserValues {
    email: String,
    name: String,
    role: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    ctx: PageContext,
    users: Vec<UserRow>,
    roles: Vec<&'static str>,
    values: NewUserValues,
    errors: Errors,
}

async fn users_page(
    page: &PageUser,
    state: &AppState,
    values: NewUserValues,
    errors: Errors,
) -> Result<UsersPage, AppError> {
    let users: Vec<User> =
        crate::db::run(&state.pool, |conn| Ok(service::list_users(conn)?)).await?;
    Ok(UsersPage {
        ctx: page.ctx.clone(),
        users: users
            .into_iter()
            .map(|u| UserRow {
                is_me: u.id == page.user.id,
                id: u.id,
                email: u.email,
                name: u.name,
                role: u.role,
                active: u.active,
                created_at: when(u.created_at),
            })
            .collect(),
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        values,
        errors,
    })
}

async fn admin_users(page: PageUser, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    policy::authorize(&page.user, Action::ManageUsers, Resource::Any)?;
    let values = NewUserValues {
        role: "reviewer".into(),
        ..NewUserValues::default()
    };
    Ok(render(
        StatusCode::OK,
        &users_page(&page, &state, values, vec![]).await?,
    ))
}

#[derive(Deserialize)]
struct NewUserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

async fn admin_create_user(
    page: PageUser,
    state: web::Data<AppState>,
    form: web::Form<NewUserForm>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&page.user, Action::ManageUsers, Resource::Any)?;
    let form = form.into_inner();
    let ctx = page.audit.clone();
    let (email, name, role, password) = (
        form.email.clone(),
        form.name.clone(),
        form.role.clone(),
        form.password,
    );
    let created = crate::db::run(&state.pool, move |conn| {
        Ok(service::create_user(
            conn,
            &ctx,
            &NewAccount {
                email: &email,
                name: &name,
                role: &role,
                password: &password,
            },
        ))
    })
    .await?;
    match created {
        Ok(user) => {
            set_flash(
                &page.session,
                "success",
                format!(
                    "{} ({}) can now sign in as {}.",
                    user.name, user.email, user.role
                ),
            );
            Ok(see_other("/admin/users"))
        }
        Err(e) => {
            let (status, errors) = field_errors(e.into())?;
            let values = NewUserValues {
                email: form.email,
                name: form.name,
                role: form.role,
            };
            Ok(render(
                status,
                &users_page(&page, &state, values, errors).await?,
            ))
        }
    }
}

/// Row actions answer with a flash and a redirect, or re-render the list with the error.
async fn row_result(
    page: &PageUser,
    state: &AppState,
    result: Result<String, AuthError>,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(message) => {
            set_flash(&page.session, "success", message);
            Ok(see_other("/admin/users"))
        }
        Err(e) => {
            let (status, errors) = field_errors(e.into())?;
            let values = NewUserValues {
                role: "reviewer".into(),
                ..NewUserValues::default()
            };
            Ok(render(
                status,
                &users_page(page, state, values, errors).await?,
            ))
        }
    }
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
}

async fn admin_change_role(
    page: PageUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&page.user, Action::ManageUsers, Resource::Any)?;
    let (ctx, id, role) = (
        page.audit.clone(),
        path.into_inner(),
        form.into_inner().role,
    );
    let result = crate::db::run(&state.pool, move |conn| {
        Ok(service::change_role(conn, &ctx, id, &role)
            .map(|u| format!("{} is now {}.", u.name, u.role)))
    })
    .await?;
    row_result(&page, &state, result).await
}

async fn admin_deactivate(
    page: PageUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&page.user, Action::ManageUsers, Resource::Any)?;
    let (ctx, id) = (page.audit.clone(), path.into_inner());
    let result = crate::db::run(&state.pool, move |conn| {
        Ok(service::deactivate_user(conn, &ctx, id).map(|u| {
            format!(
                "{} is deactivated; their sessions and API tokens have ended.",
                u.name
            )
        }))
    })
    .await?;
    row_result(&page, &state, result).await
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    password: String,
}

async fn admin_reset_password(
    page: PageUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&page.user, Action::ManageUsers, Resource::Any)?;
    let (ctx, id, password) = (
        page.audit.clone(),
        path.into_inner(),
        form.into_inner().password,
    );
    let result = crate::db::run(&state.pool, move |conn| {
        Ok(
            service::reset_password(conn, &ctx, id, &password).map(|()| {
                "The password is reset; their sessions and API tokens have ended.".to_string()
            }),
        )
    })
    .await?;
    row_result(&page, &state, result).await
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            safe_next(Some("/claims?status=open")),
            "/claims?status=open"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
            "evil",
            "/login",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
