//! `/api/v1/claims`: the list and search, the workflow steps, the history. Thin handlers: who
//! may act on a claim depends on its assignee under the transaction's lock, so the service asks
//! the policy (`verification::service::check`); reads are authorized here.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::model::{AssignInput, EvidenceInput};
use super::service::{self, ListParams};
use crate::auth::{Action, ApiCall, ApiUser, Resource, authorize};
use crate::claims::service::view;
use crate::db;
use crate::error::AppError;
use crate::startup::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/claims")
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                // A repeated or undecodable parameter answers in our error format.
                AppError::BadRequest(format!("malformed query string: {e}")).into()
            }))
            .route(web::get().to(list)),
    )
    .route("/api/v1/claims/{id}/history", web::get().to(history))
    .route("/api/v1/claims/{id}/assign", web::post().to(assign))
    .route("/api/v1/claims/{id}/evidence", web::post().to(add_evidence))
    .route("/api/v1/claims/{id}/comments", web::post().to(add_comment))
    .route("/api/v1/claims/{id}/verdict", web::post().to(verdict))
    .route("/api/v1/claims/{id}/reopen", web::post().to(reopen));
}

/// A page of the claim list as the API answers it.
#[derive(serde::Serialize)]
struct ListBody {
    items: Vec<crate::claims::model::ClaimView>,
    next_cursor: Option<String>,
}

async fn list(
    state: web::Data<AppState>,
    call: ApiCall,
    query: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    let params = query.into_inner();
    let shared = web::Data::clone(&state);
    let body = call
        .run(&state, move |conn, api| {
            authorize(&api.user, Action::Read, Resource::Any)?;
            let page = service::list(conn, &params, &api.probe)?;
            let people = shared.people.get(conn, api.directory_version)?;
            let body = ListBody {
                items: page.claims.into_iter().map(|c| people.view(c)).collect(),
                next_cursor: page.next_cursor,
            };
            // Serialized here, straight from the structs, on the thread that allocated them:
            // only the bytes cross to the worker, not some 800 strings for it to free.
            serde_json::to_vec(&body).map_err(|e| AppError::Internal(e.into()))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(body))
}

async fn history(
    state: web::Data<AppState>,
    api: ApiUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    authorize(&api.user, Action::Read, Resource::Any)?;
    let id = path.into_inner();
    let events = db::run(&state.pool, move |conn| service::history(conn, id)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"events": events})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assign {
    version: i32,
    assignee: String,
    due_at: Option<String>,
    priority: Option<String>,
}

async fn assign(
    state: web::Data<AppState>,
    api: ApiUser,
    path: web::Path<i64>,
    body: web::Json<Assign>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let b = body.into_inner();
    let input = AssignInput::parse(&b.assignee, b.due_at.as_deref(), b.priority.as_deref())?;
    let view = db::run(&state.pool, move |conn| {
        let claim = service::assign(conn, &api.audit, &api.user, id, b.version, &input)?;
        Ok(view(conn, claim)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddEvidence {
    #[serde(default)]
    url: String,
    title: Option<String>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    stance: String,
}

async fn add_evidence(
    state: web::Data<AppState>,
    api: ApiUser,
    path: web::Path<i64>,
    body: web::Json<AddEvidence>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let b = body.into_inner();
    let input = EvidenceInput::parse(&b.url, b.title.as_deref(), &b.note, &b.stance)?;
    let view = db::run(&state.pool, move |conn| {
        let claim = service::add_evidence(conn, &api.audit, &api.user, id, &input)?;
        Ok(view(conn, claim)?)
    })
    .await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddComment {
    #[serde(default)]
    body: String,
}

async fn add_comment(
    state: web::Data<AppState>,
    api: ApiUser,
    path: web::Path<i64>,
    body: web::Json<AddComment>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let text = body.into_inner().body;
    let view = db::run(&state.pool, move |conn| {
        let (claim, _) = service::add_comment(conn, &api.audit, &api.user, id, &text)?;
        Ok(view(conn, claim)?)
    })
    .await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GiveVerdict {
    version: i32,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    rationale: String,
}

async fn verdict(
    state: web::Data<AppState>,
    api: ApiUser,
    path: web::Path<i64>,
    body: web::Json<GiveVerdict>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let b = body.into_inner();
    let view = db::run(&state.pool, move |conn| {
        let claim = service::give_verdict(
            conn,
            &api.audit,
            &api.user,
            id,
            b.version,
            &b.verdict,
            &b.rationale,
        )?;
        Ok(view(conn, claim)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reopen {
    version: i32,
    #[serde(default)]
    reason: String,
}

async fn reopen(
    state: web::Data<AppState>,
    api: ApiUser,
    path: web::Path<i64>,
    body: web::Json<Reopen>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let b = body.into_inner();
    let view = db::run(&state.pool, move |conn| {
        let claim = service::reopen(conn, &api.audit, &api.user, id, b.version, &b.reason)?;
        Ok(view(conn, claim)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
