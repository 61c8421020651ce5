//! ClaimReview for publishing systems: one decided claim, and the feed of verdicts since a time.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::service;
use crate::auth::{Action, ApiUser, Resource, authorize};
use crate::db;
use crate::error::AppError;
use crate::startup::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/api/v1/claims/{id}/claimreview",
        web::get().to(claim_review),
    )
    .route("/api/v1/claimreviews", web::get().to(feed));
}

/// `PUBLIC_URL` when configured (links must point at the public site), else the address this
/// request came to.
fn base_url(state: &AppState, req: &HttpRequest) -> String {
    match &state.config.public_url {
        Some(url) => url.clone(),
        None => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    }
}

const JSON_LD: &str = "application/ld+json";

/// `GET /api/v1/claims/{id}/claimreview` → the ClaimReview JSON-LD (404 no claim, 409 no verdict).
async fn claim_review(
    state: web::Data<AppState>,
    api: ApiUser,
    path: web::Path<i64>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    authorize(&api.user, Action::Read, Resource::Any)?;
    let id = path.into_inner();
    let base = base_url(&state, &req);
    let config = state.config.clone();
    let review = db::run(&state.pool, move |conn| {
        service::review_for(conn, id, &config, &base)
    })
    .await?;
    Ok(HttpResponse::Ok().content_type(JSON_LD).json(review))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    since: Option<String>,
    cursor: Option<String>,
    limit: Option<i64>,
}

pub const FEED_MAX: i64 = 500;

/// `GET /api/v1/claimreviews?since=&cursor=&limit=` → `{items, next_cursor}`: ClaimReviews of
/// the current verdicts decided since `since`, oldest first.
async fn feed(
    state: web::Data<AppState>,
    api: ApiUser,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    authorize(&api.user, Action::Read, Resource::Any)?;
    let q: FeedQuery = serde_urlencoded::from_str(req.query_string()).map_err(|e| {
        let message = e.to_string();
        let field = crate::startup::serde_field_name(&message)
            .unwrap_or("query")
            .to_string();
        AppError::invalid(field, message)
    })?;
    let since = match q.since.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(v) => Some(crate::articles::model::parse_time(v).ok_or_else(|| {
            AppError::invalid(
                "since",
                "must be an RFC 3339 time such as 2026-11-29T16:00:00Z",
            )
        })?),
    };
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            service::parse_feed_cursor(c)
                .ok_or_else(|| AppError::invalid("cursor", "is not a cursor from this feed"))?,
        ),
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=FEED_MAX).contains(&limit) {
        return Err(AppError::invalid(
            "limit",
            format!("must be from 1 to {FEED_MAX}"),
        ));
    }
    let base = base_url(&state, &req);
    let config = state.config.clone();
    let page = db::run(&state.pool, move |conn| {
        service::feed(conn, since, after, limit, &config, &base)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({"items": page.items, "next_cursor": page.next_cursor})))
}
