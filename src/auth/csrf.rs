//! CSRF protection in one place: a middleware over the whole app, so a route added later cannot
//! escape it.
//!
//! Every request that is not GET/HEAD/OPTIONS and not under `/api/` (which only bearer tokens
//! authenticate, so a browser cannot be made to send credentials there) must
//! 1. not come from another site: `Sec-Fetch-Site: cross-site` is refused, and an `Origin`
//!    header must name the request's own host or `PUBLIC_URL`;
//! 2. carry the session's CSRF token (synchronizer token pattern) in the `csrf_token` field of a
//!    urlencoded or multipart form, or in an `X-CSRF-Token` header; compared in constant time.
//!
//! The anonymous session carries a token too, so the login form is covered.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use subtle::ConstantTimeEq;

use super::session::{CSRF, Session};
use crate::error::AppError;
use crate::startup::AppState;

/// The form field that carries the token.
pub const FIELD: &str = "csrf_token";
/// The header alternative, for scripts.
pub const HEADER: &str = "x-csrf-token";

/// The session's CSRF token, created on first use. Put it in every form (`ctx.csrf_token`).
pub fn token(session: &Session) -> String {
    if let Ok(Some(t)) = session.get::<String>(CSRF)
        && !t.is_empty()
    {
        return t;
    }
    let fresh = crate::web::random_token(32);
    // On failure the form simply fails the check later; nothing to recover here.
    let _ = session.insert(CSRF, &fresh);
    fresh
}

/// A fresh token, replacing the old one (at sign-in, so a token seen before login is dead).
pub fn rotate(session: &Session) -> String {
    let fresh = crate::web::random_token(32);
    let _ = session.insert(CSRF, &fresh);
    fresh
}

/// Whether a request must pass the check.
pub fn needs_check(method: &Method, path: &str) -> bool {
    let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    !(safe || path == "/api" || path.starts_with("/api/"))
}

fn refuse(req: ServiceRequest, why: &str) -> ServiceResponse<BoxBody> {
    tracing::warn!(path = %req.path(), reason = why, "CSRF check refused a request");
    req.error_response(AppError::Forbidden(format!(
        "{why}. Reload the page and submit the form again."
    )))
}

/// The middleware (`from_fn(csrf::protect)`); must sit inside the session layer
/// ([`super::session::SessionLayer`]).
pub async fn protect(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !needs_check(req.method(), req.path()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let (public_url, limit) = match req.app_data::<web::Data<AppState>>() {
        Some(state) => (
            state.config.public_url.clone(),
            state
                .config
                .max_html_bytes
                .max(state.config.max_text_bytes)
                .saturating_add(1 << 20),
        ),
        None => (None, 8 << 20),
    };
    if let Err(why) = same_origin(&req, public_url.as_deref()) {
        return Ok(refuse(req, why));
    }
    let session = Session::of(req.request());
    if let Err(e) = session.load().await {
        return Ok(req.error_response(e));
    }
    let expected = session
        .get::<String>(CSRF)
        .ok()
        .flatten()
        .filter(|t| !t.is_empty());
    let Some(expected) = expected else {
        return Ok(refuse(req, "this form has expired (no session)"));
    };
    let mut presented = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if presented.is_none() {
        // Read the body to find the field, then hand the same bytes on to the handler.
        let body = match read_body(&mut req, limit).await {
            Ok(body) => body,
            Err(e) => return Ok(req.error_response(e)),
        };
        presented = token_in_body(&req, &body);
        req.set_payload(actix_web::dev::Payload::from(body));
    }
    let ok = presented.is_some_and(|p| bool::from(p.as_bytes().ct_eq(expected.as_bytes())));
    if !ok {
        return Ok(refuse(req, "the form's security token is missing or wrong"));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

/// Refuses cross-site requests by `Sec-Fetch-Site` and `Origin` (OWASP's "verifying origin with
/// standard headers"). Requests with neither header (old browsers, scripts) rely on the token.
fn same_origin(req: &ServiceRequest, public_url: Option<&str>) -> Result<(), &'static str> {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site.eq_ignore_ascii_case("cross-site")
    {
        return Err("a request from another site was refused");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin
        .to_str()
        .map_err(|_| "a request with an unreadable Origin was refused")?
        .trim_end_matches('/')
        .to_ascii_lowercase();
    if let Some(public) = public_url
        && origin == public.to_ascii_lowercase()
    {
        return Ok(());
    }
    let own_host = req.connection_info().host().to_ascii_lowercase();
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    match origin_host {
        Some(host) if host == own_host => Ok(()),
        _ => Err("a request from another origin was refused"),
    }
}

async fn read_body(req: &mut ServiceRequest, limit: usize) -> Result<Bytes, AppError> {
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| AppError::BadRequest(format!("could not read the body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn token_in_body(req: &ServiceRequest, body: &[u8]) -> Option<String> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == FIELD)
            .map(|(_, v)| v)
    } else if content_type.starts_with("multipart/form-data") {
        let boundary = content_type
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("boundary="))
            .next()?
            .trim_matches('"')
            .to_string();
        // The boundary was lower-cased with the header; take its original spelling.
        let original = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())?;
        let start = original.to_ascii_lowercase().find(&boundary)?;
        let boundary = original.get(start..start + boundary.len())?;
        multipart_field(body, boundary, FIELD)
    } else {
        None
    }
}

/// The value of a small text field in a multipart body (enough for the token; files are not
/// parsed here).
fn multipart_field(body: &[u8], boundary: &str, name: &str) -> Option<String> {
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    let wanted = format!("name=\"{name}\"");
    for part in text.split(delimiter.as_str()) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let is_field = head.lines().any(|l| {
            l.to_ascii_lowercase().starts_with("content-disposition:")
                && l.split(';').any(|p| p.trim() == wanted)
        });
        if is_field {
            return Some(value.trim_end_matches("\r\n").to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unsafe_methods_outside_the_api_are_checked() {
        assert!(needs_check(&Method::POST, "/login"));
        assert!(needs_check(&Method::DELETE, "/account/tokens/1"));
        assert!(!needs_check(&Method::GET, "/login"));
        assert!(!needs_check(&Method::POST, "/api/v1/articles"));
        assert!(needs_check(&Method::POST, "/apix"));
    }

    #[test]
    fn finds_the_token_in_a_multipart_body() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHello\r\n--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n--XyZ--\r\n";
        assert_eq!(
            multipart_field(body.as_bytes(), "XyZ", FIELD).as_deref(),
            Some("abc123")
        );
        assert_eq!(multipart_field(body.as_bytes(), "XyZ", "nope"), None);
    }
}
