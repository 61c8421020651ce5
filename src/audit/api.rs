//! JSON endpoints for the history: the keyset-paged event list and chain verification.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::{Action as AuditAction, AuditEventRow};
use super::repo::{self, EventFilter};
use super::service;
use crate::auth::{Action, ApiUser, Resource, authorize};
use crate::db;
use crate::error::AppError;
use crate::startup::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/audit", web::get().to(list))
        .route("/api/v1/audit/verify", web::get().to(verify));
}

/// An event as clients see it (every field the hash covers, so it can be re-computed).
#[derive(Debug, Serialize)]
pub struct EventView {
    pub seq: i64,
    pub occurred_at: String,
    pub actor: ActorView,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<i64>,
    pub claim_id: Option<i64>,
    pub article_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Serialize)]
pub struct ActorView {
    #[serde(rename = "type")]
    pub kind: String,
    pub user_id: Option<i64>,
    pub token_id: Option<i64>,
    pub display: String,
}

impl From<AuditEventRow> for EventView {
    fn from(e: AuditEventRow) -> EventView {
        EventView {
            seq: e.seq,
            occurred_at: super::canonical::format_time(&e.occurred_at),
            actor: ActorView {
                kind: e.actor_type,
                user_id: e.actor_user_id,
                token_id: e.actor_token_id,
                display: e.actor_display,
            },
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            claim_id: e.claim_id,
            article_id: e.article_id,
            before: e.before,
            after: e.after,
            request_id: e.request_id,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    from: Option<String>,
    to: Option<String>,
    /// The acting user's email.
    actor: Option<String>,
    action: Option<String>,
    cursor: Option<String>,
    limit: Option<i64>,
}

pub const MAX_LIMIT: i64 = 1_000;

fn time_param(name: &str, raw: Option<&str>) -> Result<Option<DateTime<Utc>>, AppError> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => crate::articles::model::parse_time(v)
            .map(Some)
            .ok_or_else(|| {
                AppError::invalid(
                    name,
                    "must be an RFC 3339 time such as 2026-11-29T16:00:00Z, or a date",
                )
            }),
    }
}

/// `GET /api/v1/audit?from=&to=&actor=&action=&cursor=&limit=` → `{items, next_cursor}`, oldest
/// first; the cursor is the last `seq` seen.
async fn list(
    state: web::Data<AppState>,
    api: ApiUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    authorize(&api.user, Action::Read, Resource::Any)?;
    let q = query.into_inner();
    let from = time_param("from", q.from.as_deref())?;
    let to = time_param("to", q.to.as_deref())?;
    if let Some(action) = q.action.as_deref().filter(|a| !a.is_empty())
        && AuditAction::parse(action).is_none()
    {
        return Err(AppError::invalid(
            "action",
            format!("{action:?} is not an audit action"),
        ));
    }
    let cursor = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            c.parse::<i64>()
                .map_err(|_| AppError::invalid("cursor", "is not a cursor from this API"))?,
        ),
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::invalid(
            "limit",
            format!("must be from 1 to {MAX_LIMIT}"),
        ));
    }
    let actor = q.actor.filter(|a| !a.trim().is_empty());
    let action = q.action.filter(|a| !a.is_empty());
    let (items, next) = db::run(&state.pool, move |conn| {
        let actor_user_id = match actor {
            None => None,
            Some(email) => Some(
                crate::auth::repo::user_by_email(conn, &email.trim().to_lowercase())?
                    .map(|u| u.id)
                    .ok_or_else(|| AppError::invalid("actor", "no user has this email"))?,
            ),
        };
        let filter = EventFilter {
            from,
            to,
            actor_user_id,
            action,
            cursor,
            ..EventFilter::default()
        };
        let mut rows = repo::page(conn, &filter, limit + 1)?;
        let next = if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            rows.last().map(|e| e.seq.to_string())
        } else {
            None
        };
        Ok((rows, next))
    })
    .await?;
    let items: Vec<EventView> = items.into_iter().map(EventView::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({"items": items, "next_cursor": next})))
}

/// `GET /api/v1/audit/verify` → `{ok, events, head, first_bad_seq}`.
async fn verify(state: web::Data<AppState>, api: ApiUser) -> Result<HttpResponse, AppError> {
    authorize(&api.user, Action::Read, Resource::Any)?;
    let report = db::run(&state.pool, |conn| Ok(service::verify(conn)?)).await?;
    Ok(HttpResponse::Ok().json(report))
}
