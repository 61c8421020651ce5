//! `/api/v1/articles`: ingest, read, and make a claim by hand from a span.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::model::{Limits, RawArticle};
use super::service;
use crate::auth::{Action, ApiUser, Resource, authorize};
use crate::db;
use crate::error::AppError;
use crate::startup::AppState;

pub fn configure(cfg: &mut web::ServiceConfig, limits: Limits) {
    // Articles are large: their own body limit, with room for JSON escaping.
    let limit = limits.max_text_bytes.max(limits.max_html_bytes) * 2 + 64 * 1024;
    cfg.service(
        web::resource("/api/v1/articles")
            .app_data(crate::startup::json_config(limit))
            .route(web::post().to(create)),
    )
    .route("/api/v1/articles/{id}", web::get().to(show))
    .route("/api/v1/articles/{id}/claims", web::post().to(create_claim));
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateArticle {
    title: Option<String>,
    url: Option<String>,
    publisher: Option<String>,
    wire_service: Option<String>,
    author: Option<String>,
    published_at: Option<String>,
    text: Option<String>,
    html: Option<String>,
}

async fn create(
    state: web::Data<AppState>,
    api: ApiUser,
    body: web::Json<CreateArticle>,
) -> Result<HttpResponse, AppError> {
    authorize(&api.user, Action::Ingest, Resource::Any)?;
    let b = body.into_inner();
    let input = RawArticle {
        title: b.title,
        url: b.url,
        publisher: b.publisher,
        wire_service: b.wire_service,
        author: b.author,
        published_at: b.published_at,
        text: b.text,
        html: b.html,
    }
    .parse(Limits {
        max_text_bytes: state.config.max_text_bytes,
        max_html_bytes: state.config.max_html_bytes,
    })?;
    let audit = api.audit;
    let (view, duplicate) = db::run(&state.pool, move |conn| {
        let outcome = service::ingest(conn, &audit, input)?;
        let view = service::article_with_claims(conn, outcome.article, outcome.claims)?;
        Ok((view, outcome.duplicate))
    })
    .await?;
    let (article, claims) = view;
    Ok(if duplicate {
        HttpResponse::Ok()
            .json(serde_json::json!({"article": article, "claims": claims, "duplicate": true}))
    } else {
        HttpResponse::Created().json(serde_json::json!({"article": article, "claims": claims}))
    })
}

async fn show(
    state: web::Data<AppState>,
    api: ApiUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    authorize(&api.user, Action::Read, Resource::Any)?;
    let id = path.into_inner();
    let (article, claims) = db::run(&state.pool, move |conn| {
        let (article, claims) = service::load(conn, id)?;
        Ok(service::article_with_claims(conn, article, claims)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"article": article, "claims": claims})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateClaim {
    start: i64,
    end: i64,
    speaker: Option<String>,
    kind: Option<String>,
}

async fn create_claim(
    state: web::Data<AppState>,
    api: ApiUser,
    path: web::Path<i64>,
    body: web::Json<CreateClaim>,
) -> Result<HttpResponse, AppError> {
    authorize(&api.user, Action::CreateManualClaim, Resource::Any)?;
    let article_id = path.into_inner();
    let b = body.into_inner();
    let audit = api.audit;
    let view = db::run(&state.pool, move |conn| {
        let claim = crate::claims::service::create_manual(
            conn,
            &audit,
            article_id,
            b.start,
            b.end,
            b.speaker.as_deref(),
            b.kind.as_deref(),
        )?;
        Ok(crate::claims::service::view(conn, claim)?)
    })
    .await?;
    Ok(HttpResponse::Created().json(view))
}
