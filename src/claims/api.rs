//! `/api/v1/claims/{id}`: read, edit, triage.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::service::{self, ClaimEdit, TriageDecision};
use crate::auth::{Action, ApiUser, Resource, authorize};
use crate::db;
use crate::error::AppError;
use crate::startup::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/claims/{id}", web::get().to(show))
        .route("/api/v1/claims/{id}", web::patch().to(edit))
        .route("/api/v1/claims/{id}/triage", web::post().to(triage));
}

async fn show(
    state: web::Data<AppState>,
    api: ApiUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    authorize(&api.user, Action::Read, Resource::Any)?;
    let id = path.into_inner();
    let view = db::run(&state.pool, move |conn| {
        let claim = super::repo::find(conn, id)?;
        Ok(service::view(conn, claim)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditClaim {
    version: i32,
    text: Option<String>,
    speaker: Option<String>,
    speaker_role: Option<String>,
    via: Option<String>,
    kind: Option<String>,
}

async fn edit(
    state: web::Data<AppState>,
    api: ApiUser,
    path: web::Path<i64>,
    body: web::Json<EditClaim>,
) -> Result<HttpResponse, AppError> {
    authorize(&api.user, Action::EditClaim, Resource::Any)?;
    let id = path.into_inner();
    let b = body.into_inner();
    let changes = ClaimEdit {
        text: b.text,
        speaker: b.speaker,
        speaker_role: b.speaker_role,
        via: b.via,
        kind: b.kind,
    };
    let audit = api.audit;
    let view = db::run(&state.pool, move |conn| {
        let claim = service::edit(conn, &audit, id, b.version, &changes)?;
        Ok(service::view(conn, claim)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Triage {
    version: i32,
    decision: String,
    reason: Option<String>,
    /// Accept only: edits made in the same request.
    text: Option<String>,
    speaker: Option<String>,
}

async fn triage(
    state: web::Data<AppState>,
    api: ApiUser,
    path: web::Path<i64>,
    body: web::Json<Triage>,
) -> Result<HttpResponse, AppError> {
    authorize(&api.user, Action::Triage, Resource::Any)?;
    let id = path.into_inner();
    let b = body.into_inner();
    let decision = TriageDecision::parse(&b.decision)
        .ok_or_else(|| AppError::invalid("decision", "must be accept, reject or restore"))?;
    let changes = ClaimEdit {
        text: b.text,
        speaker: b.speaker,
        ..ClaimEdit::default()
    };
    let audit = api.audit;
    let view = db::run(&state.pool, move |conn| {
        let claim = service::triage(
            conn,
            &audit,
            id,
            b.version,
            decision,
            b.reason.as_deref(),
            &changes,
        )?;
        Ok(service::view(conn, claim)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
