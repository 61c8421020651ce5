//! What every page shares: the page context (signed-in user, CSRF token, flash), security
//! headers, HTML error pages, static files.

pub mod static_files;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, Responder};
use askama::Template;
use rand::Rng;

use crate::error::ErrorInfo;

/// A random token of `bytes` bytes, hex-encoded, from the OS-seeded CSPRNG.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill(buf.as_mut_slice());
    hex::encode(buf)
}

/// The signed-in user as pages show them.
#[derive(Debug, Clone)]
pub struct UserView {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
}

#[derive(Debug, Clone)]
pub struct Flash {
    /// `success`, `info` or `error`.
    pub kind: String,
    pub message: String,
}

/// What the layout needs on every page.
#[derive(Debug, Clone, Default)]
pub struct PageContext {
    pub user: Option<UserView>,
    pub csrf_token: String,
    pub flash: Option<Flash>,
    /// The current path, to mark the active navigation entry.
    pub path: String,
}

impl PageContext {
    pub fn anonymous(path: &str) -> PageContext {
        PageContext {
            path: path.to_string(),
            ..PageContext::default()
        }
    }

    pub fn nav_class(&self, prefix: &str) -> &'static str {
        let active = if prefix == "/" {
            self.path == "/"
        } else {
            self.path.starts_with(prefix)
        };
        if active { "active" } else { "" }
    }
}

/// Renders a template into an HTML response with the given status.
pub fn render<T: Template>(status: actix_web::http::StatusCode, page: &T) -> HttpResponse {
    match page.render() {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => crate::error::AppError::Internal(e.into()).error_response_boxed(),
    }
}

trait BoxedErrorResponse {
    fn error_response_boxed(self) -> HttpResponse;
}

impl BoxedErrorResponse for crate::error::AppError {
    fn error_response_boxed(self) -> HttpResponse {
        actix_web::ResponseError::error_response(&self)
    }
}

#[derive(Template)]
#[template(path = "errors/error.html")]
pub struct ErrorPage {
    pub ctx: PageContext,
    pub status: u16,
    pub title: String,
    pub message: String,
    pub error_id: Option<String>,
}

/// Machine-readable paths keep the JSON error body; everything else gets an error page.
fn wants_json(path: &str) -> bool {
    path.starts_with("/api/") || path.ends_with(".json") || path.ends_with(".csv")
}

/// Swaps the JSON body of an error response for an error page in the layout, for pages.
pub async fn render_html_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let path = req.path().to_string();
    let res = next.call(req).await?.map_into_boxed_body();
    if wants_json(&path) {
        return Ok(res);
    }
    let Some(info) = res.response().extensions().get::<ErrorInfo>().cloned() else {
        return Ok(res);
    };
    let page = ErrorPage {
        ctx: PageContext::anonymous(&path),
        status: info.status.as_u16(),
        title: info
            .status
            .canonical_reason()
            .unwrap_or("Error")
            .to_string(),
        message: info.message,
        error_id: info.error_id,
    };
    let html = render(info.status, &page);
    Ok(res.map_body(|head, _| {
        head.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        html.into_body()
    }))
}

/// Security headers on every response (OWASP ASVS V14.4).
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let tls = req.connection_info().scheme() == "https";
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if tls {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    Ok(res)
}

/// One page route: method, path pattern and handler. Page modules list theirs in a
/// `routes()` function and `startup::page_routes` registers them all, so the CSRF test can walk
/// every state-changing page route of the router itself (a new route cannot escape the test;
/// the CSRF middleware covers every non-API POST whether listed or not).
pub struct AppRoute {
    pub method: actix_web::http::Method,
    pub path: &'static str,
    pub route: actix_web::Route,
}

impl AppRoute {
    pub fn get<F, Args>(path: &'static str, handler: F) -> AppRoute
    where
        F: actix_web::Handler<Args>,
        Args: actix_web::FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        AppRoute {
            method: actix_web::http::Method::GET,
            path,
            route: actix_web::web::get().to(handler),
        }
    }

    pub fn post<F, Args>(path: &'static str, handler: F) -> AppRoute
    where
        F: actix_web::Handler<Args>,
        Args: actix_web::FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        AppRoute {
            method: actix_web::http::Method::POST,
            path,
            route: actix_web::web::post().to(handler),
        }
    }
}

/// The fallback for unknown paths.
pub async fn not_found() -> Result<HttpResponse, crate::error::AppError> {
    Err(crate::error::AppError::NotFound)
}

impl Responder for ErrorPage {
    type Body = BoxBody;
    fn respond_to(self, _req: &actix_web::HttpRequest) -> HttpResponse {
        let status = actix_web::http::StatusCode::from_u16(self.status)
            .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
        render(status, &self)
    }
}
