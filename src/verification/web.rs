//! Pages of the verification workflow: the dashboard, my tasks, recent activity, and the
//! workflow forms of the claim page (assign, take, evidence, comment, verdict, reopen, bulk
//! assign). A refused form re-renders the claim page with the input kept: 422 with a message
//! per field, or 409 with what changed meanwhile and the forms at the current version.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::model::{AssignInput, EvidenceInput};
use super::service::{self, ListParams};
use crate::audit::model::{JsonText, TimelineEvent};
use crate::auth::{Action, PageUser, Resource, SignedInPage, authorize, can, set_flash};
use crate::claims::model::ClaimStatus;
use crate::claims::web::{ClaimForms, ClaimRow, claim_page, claim_rows, list_page};
use crate::db;
use crate::error::AppError;
use crate::startup::AppState;
use crate::web::{AppRoute, PageContext, render};

pub fn routes() -> Vec<AppRoute> {
    vec![
        AppRoute::get("/", dashboard),
        AppRoute::get("/tasks", tasks),
        AppRoute::get("/activity", activity),
        AppRoute::post("/claims/assign", bulk_assign),
        AppRoute::post("/claims/{id}/assign", assign),
        AppRoute::post("/claims/{id}/evidence", add_evidence),
        AppRoute::post("/claims/{id}/comments", add_comment),
        AppRoute::post("/claims/{id}/verdict", verdict),
        AppRoute::post("/claims/{id}/reopen", reopen),
    ]
}

/// Times as the pages show them (UTC, to the minute): `2026-11-30 14:05 UTC`. Written field by
/// field: chrono's `format` parses its pattern again at every call, and a list page shows a
/// hundred times.
pub fn fmt_time(t: &DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    )
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location.to_string()))
        .finish()
}

// ---- the timeline: audit events in words ----

#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub seq: i64,
    pub when: String,
    /// "Ana marked it disputed: the transcript says otherwise"
    pub summary: String,
    /// (field, before, after) of the claim's own fields.
    pub changes: Vec<(String, String, String)>,
    pub claim_id: Option<i64>,
    pub claim_text: String,
    pub hash: String,
}

fn text_of(v: Option<&Value>, key: &str) -> String {
    match v.and_then(|v| v.get(key)) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn shown(key: &str, v: Option<&Value>, names: &HashMap<i64, String>) -> String {
    match v {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::String(s)) if key == "status" => ClaimStatus::parse(s)
            .map(|s| s.label().to_string())
            .unwrap_or(s.clone()),
        // Times are stored in the canonical RFC 3339 form; people read them as the page does.
        Some(Value::String(s)) if key.ends_with("_at") => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| fmt_time(&t.with_timezone(&chrono::Utc)))
            .unwrap_or_else(|_| s.clone()),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if key == "assignee_id" => n
            .as_i64()
            .and_then(|id| names.get(&id).cloned())
            .unwrap_or_else(|| format!("user {n}")),
        Some(other) => other.to_string(),
    }
}

/// One event in words, with the claim fields it changed (before → after).
pub fn describe(
    e: &TimelineEvent,
    names: &HashMap<i64, String>,
    claim_texts: &HashMap<i64, String>,
) -> TimelineEntry {
    let actor = &e.actor_display;
    // Parsed at the first read, by the events whose words or changes use it: most events'
    // words read one key, and a claim's creation (its `after` is the whole claim) none.
    let parsed = std::cell::OnceCell::new();
    let after = || {
        parsed
            .get_or_init(|| e.after.as_ref().map(JsonText::value))
            .as_ref()
    };
    let summary = match e.action.as_str() {
        "claim.created" => format!("{actor} recorded the claim"),
        "claim.accepted" => format!("{actor} accepted it for checking"),
        "claim.rejected" => format!("{actor} rejected it: {}", text_of(after(), "reason")),
        "claim.restored" => format!("{actor} restored it: {}", text_of(after(), "reason")),
        "claim.edited" => format!("{actor} edited it"),
        "claim.assigned" => match after().and_then(|a| a.get("assignee_id")) {
            Some(id) => format!(
                "{actor} assigned it to {}",
                shown("assignee_id", Some(id), names)
            ),
            None => format!("{actor} changed the assignment"),
        },
        "evidence.added" => {
            let stance = text_of(after(), "stance");
            let what = match stance.as_str() {
                "supports" => "evidence that supports it",
                "refutes" => "evidence that refutes it",
                _ => "context",
            };
            format!(
                "{actor} added {what}: {} — {}",
                text_of(after(), "url"),
                text_of(after(), "note")
            )
        }
        "comment.added" => format!("{actor} commented: {}", text_of(after(), "body")),
        "claim.verdict" => format!(
            "{actor} marked it {}: {}",
            shown("status", after().and_then(|a| a.get("status")), names),
            text_of(after(), "rationale")
        ),
        "claim.reopened" => format!("{actor} reopened it: {}", text_of(after(), "reason")),
        "article.ingested" => format!("{actor} added the article “{}”", text_of(after(), "title")),
        "user.login" => format!("{actor} signed in"),
        "user.logout" => format!("{actor} signed out"),
        "user.login_failed" => format!("a sign-in as {} failed", text_of(after(), "email")),
        "user.created" => format!("{actor} created an account"),
        "user.role_changed" => format!(
            "{actor} changed an account's role to {}",
            text_of(after(), "role")
        ),
        "user.deactivated" => format!("{actor} deactivated an account"),
        "user.password_changed" => format!("{actor} changed a password"),
        "token.created" => format!(
            "{actor} created an API token “{}”",
            text_of(after(), "label")
        ),
        "token.revoked" => format!("{actor} revoked an API token"),
        "report.exported" => format!(
            "{actor} exported an audit report ({})",
            text_of(after(), "format")
        ),
        other => format!("{actor}: {other}"),
    };
    let mut changes = vec![];
    if e.action.starts_with("claim.")
        && e.action != "claim.created"
        && let Some(Value::Object(a)) = after()
    {
        let before = e.before.as_ref().map(JsonText::value);
        for (key, value) in a {
            if key == "rationale" || key == "reason" {
                continue;
            }
            let before = before.as_ref().and_then(|b| b.get(key));
            let label = if key == "assignee_id" {
                "assignee"
            } else {
                key.as_str()
            };
            changes.push((
                label.replace('_', " "),
                shown(key, before, names),
                shown(key, Some(value), names),
            ));
        }
    }
    TimelineEntry {
        seq: e.seq,
        when: fmt_time(&e.occurred_at),
        summary,
        changes,
        claim_id: e.claim_id,
        claim_text: e
            .claim_id
            .and_then(|id| claim_texts.get(&id).cloned())
            .unwrap_or_default(),
        hash: e.hash.chars().take(12).collect(),
    }
}

pub fn timeline(
    events: &[TimelineEvent],
    names: &HashMap<i64, String>,
    claim_texts: &HashMap<i64, String>,
) -> Vec<TimelineEntry> {
    events
        .iter()
        .map(|e| describe(e, names, claim_texts))
        .collect()
}

// ---- dashboard ----

#[derive(Template)]
#[template(path = "home/index.html")]
struct DashboardPage {
    ctx: PageContext,
    counts: Vec<(String, String, i64)>,
    my_tasks: Vec<ClaimRow>,
    overdue: Vec<ClaimRow>,
    candidates: Vec<ClaimRow>,
    candidate_count: i64,
    recent: Vec<TimelineEntry>,
    can_triage: bool,
    can_take_work: bool,
    everyone_overdue: bool,
}

async fn dashboard(
    state: web::Data<AppState>,
    page: SignedInPage,
) -> actix_web::Result<HttpResponse> {
    let shared = web::Data::clone(&state);
    let (page, (d, my_tasks, overdue, candidates)) = page
        .run(&state, move |conn, who| {
            authorize(&who.user, Action::Read, Resource::Any)?;
            let people = shared.people.get(conn, who.directory_version)?;
            let mut d = service::dashboard(conn, &who.user, &people, &who.probe)?;
            let my = claim_rows(std::mem::take(&mut d.my_tasks), &people);
            let over = claim_rows(std::mem::take(&mut d.overdue), &people);
            let cands = claim_rows(std::mem::take(&mut d.candidates), &people);
            Ok((d, my, over, cands))
        })
        .await?;
    let candidate_count = d
        .counts
        .iter()
        .find(|(s, _)| *s == ClaimStatus::Candidate)
        .map(|(_, n)| *n)
        .unwrap_or(0);
    let html = DashboardPage {
        counts: d
            .counts
            .iter()
            .map(|(s, n)| (s.as_str().to_string(), s.label().to_string(), *n))
            .collect(),
        my_tasks,
        overdue,
        candidates,
        candidate_count,
        recent: timeline(&d.recent, &d.names, &d.claim_texts),
        can_triage: can(&page.user, Action::Triage, Resource::Any),
        can_take_work: can(&page.user, Action::BeAssigned, Resource::Any),
        everyone_overdue: can(&page.user, Action::Assign, Resource::Any),
        ctx: page.ctx,
    };
    Ok(render(StatusCode::OK, &html))
}

// ---- tasks ----

#[derive(Template)]
#[template(path = "verification/tasks.html")]
struct TasksPage {
    ctx: PageContext,
    rows: Vec<ClaimRow>,
    everyone: bool,
    reviewer: String,
    people: Vec<crate::claims::web::PersonOption>,
    next_href: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct TasksQuery {
    reviewer: Option<String>,
    cursor: Option<String>,
}

/// In-review claims by due date (so overdue ones come first, undated last): the user's own, or
/// for those who assign work everyone's, optionally one reviewer's.
async fn tasks(
    state: web::Data<AppState>,
    page: SignedInPage,
    query: web::Query<TasksQuery>,
) -> actix_web::Result<HttpResponse> {
    let q = query.into_inner();
    let reviewer = q.reviewer.clone().unwrap_or_default().trim().to_string();
    let shared = web::Data::clone(&state);
    let chosen = reviewer.clone();
    let (page, (everyone, result, people)) = page
        .run(&state, move |conn, who| {
            authorize(&who.user, Action::Read, Resource::Any)?;
            let everyone = can(&who.user, Action::Assign, Resource::Any);
            let assignee = if everyone {
                chosen.clone()
            } else {
                who.user.email.clone()
            };
            let params = ListParams {
                status: Some("in_review".into()),
                assignee: Some(assignee),
                sort: Some("due".into()),
                cursor: q.cursor.clone(),
                limit: Some("100".into()),
                ..ListParams::default()
            };
            let directory = shared.people.get(conn, who.directory_version)?;
            let people = directory.active();
            let result = match service::list(conn, &params, &who.probe) {
                Ok(page) => Ok((claim_rows(page.claims, &directory), page.next_cursor)),
                Err(e @ AppError::Invalid { .. }) => Err(e),
                Err(e) => return Err(e),
            };
            Ok((everyone, result, people))
        })
        .await?;
    let (rows, next, error, status) = match result {
        Ok((rows, next)) => (rows, next, None, StatusCode::OK),
        Err(e) => (
            vec![],
            None,
            Some(e.to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    let next_href = next.map(|c| {
        format!(
            "/tasks?{}",
            serde_urlencoded::to_string([("reviewer", reviewer.as_str()), ("cursor", c.as_str())])
                .unwrap_or_default()
        )
    });
    let html = TasksPage {
        ctx: page.ctx,
        rows,
        everyone,
        reviewer,
        people: crate::claims::web::assignable(people),
        next_href,
        error,
    };
    Ok(render(status, &html))
}

// ---- activity ----

#[derive(Template)]
#[template(path = "verification/activity.html")]
struct ActivityPage {
    ctx: PageContext,
    entries: Vec<TimelineEntry>,
    next_href: Option<String>,
    can_ingest: bool,
}

#[derive(Deserialize)]
struct ActivityQuery {
    before: Option<String>,
}

const ACTIVITY_PAGE: u32 = 50;

async fn activity(
    state: web::Data<AppState>,
    page: PageUser,
    query: web::Query<ActivityQuery>,
) -> Result<HttpResponse, AppError> {
    authorize(&page.user, Action::Read, Resource::Any)?;
    let cursor = match query
        .before
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(b) => Some(
            b.parse::<i64>()
                .map_err(|_| AppError::BadRequest("before must be an event number".into()))?,
        ),
    };
    let directory = page.directory_version;
    let shared = web::Data::clone(&state);
    let service::Activity {
        mut events,
        claim_texts,
        names,
    } = db::run(&state.pool, move |conn| {
        service::activity_page::<{ ACTIVITY_PAGE + 1 }>(conn, &shared, directory, cursor)
    })
    .await?;
    let more = events.len() > ACTIVITY_PAGE as usize;
    events.truncate(ACTIVITY_PAGE as usize);
    let next_href = if more {
        events.last().map(|e| format!("/activity?before={}", e.seq))
    } else {
        None
    };
    let html = ActivityPage {
        can_ingest: can(&page.user, Action::Ingest, Resource::Any),
        ctx: page.ctx,
        entries: timeline(&events, &names, &claim_texts),
        next_href,
    };
    Ok(render(StatusCode::OK, &html))
}

// ---- the claim page's forms ----

#[derive(Debug, Deserialize)]
struct VersionedForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    seen_seq: String,
    #[serde(flatten)]
    fields: ClaimForms,
}

impl VersionedForm {
    fn version(&self) -> Result<i32, AppError> {
        self.version.trim().parse().map_err(|_| {
            AppError::BadRequest("the form lacks the claim's version; reload the page".into())
        })
    }

    fn seen_seq(&self) -> i64 {
        self.seen_seq.trim().parse().unwrap_or(0)
    }
}

/// After a form: 303 back to the claim with a flash; or the claim page again with the input
/// kept (422 per field, 409 with what changed meanwhile). Other errors go to the error page.
async fn after_form(
    state: &web::Data<AppState>,
    page: PageUser,
    id: i64,
    result: Result<(), AppError>,
    done: &str,
    form: ClaimForms,
    seen_seq: i64,
) -> Result<HttpResponse, AppError> {
    let (status, errors, conflict) = match result {
        Ok(()) => {
            set_flash(&page.session, "success", done);
            return Ok(see_other(&format!("/claims/{id}")));
        }
        Err(AppError::Invalid { field, message }) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![(field, message)],
            None,
        ),
        Err(AppError::Conflict { message, .. }) => (
            StatusCode::CONFLICT,
            vec![],
            Some((
                format!(
                    "{message}. What changed meanwhile is below; the forms now show the claim as it stands, with what you entered."
                ),
                seen_seq,
            )),
        ),
        Err(e) => return Err(e),
    };
    let (shared, directory) = (web::Data::clone(state), page.directory_version);
    let detail = db::run(&state.pool, move |conn| {
        service::claim_detail(conn, &shared, directory, id, &crate::db::Probe::none())
    })
    .await?;
    let html = claim_page(page.ctx, &page.user, detail, form, errors, conflict);
    Ok(render(status, &html))
}

async fn assign(
    state: web::Data<AppState>,
    page: PageUser,
    path: web::Path<i64>,
    form: web::Form<VersionedForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let form = form.into_inner();
    let f = &form.fields;
    let result = match (
        form.version(),
        AssignInput::parse(v(&f.assignee), f.due_at.as_deref(), f.priority.as_deref()),
    ) {
        (Ok(version), Ok(input)) => {
            let (audit, user) = (page.audit.clone(), page.user.clone());
            db::run(&state.pool, move |conn| {
                service::assign(conn, &audit, &user, id, version, &input).map(|_| ())
            })
            .await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    after_form(
        &state,
        page,
        id,
        result,
        "Assigned.",
        form.fields.clone(),
        form.seen_seq(),
    )
    .await
}

fn v(o: &Option<String>) -> &str {
    o.as_deref().unwrap_or("")
}

async fn add_evidence(
    state: web::Data<AppState>,
    page: PageUser,
    path: web::Path<i64>,
    form: web::Form<VersionedForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let form = form.into_inner();
    let f = &form.fields;
    let result = match EvidenceInput::parse(v(&f.url), f.title.as_deref(), v(&f.note), v(&f.stance))
    {
        Ok(input) => {
            let (audit, user) = (page.audit.clone(), page.user.clone());
            db::run(&state.pool, move |conn| {
                service::add_evidence(conn, &audit, &user, id, &input).map(|_| ())
            })
            .await
        }
        Err(e) => Err(e),
    };
    after_form(
        &state,
        page,
        id,
        result,
        "Evidence added.",
        form.fields.clone(),
        form.seen_seq(),
    )
    .await
}

async fn add_comment(
    state: web::Data<AppState>,
    page: PageUser,
    path: web::Path<i64>,
    form: web::Form<VersionedForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let form = form.into_inner();
    let body = v(&form.fields.body).to_string();
    let (audit, user) = (page.audit.clone(), page.user.clone());
    let result = db::run(&state.pool, move |conn| {
        service::add_comment(conn, &audit, &user, id, &body).map(|_| ())
    })
    .await;
    after_form(
        &state,
        page,
        id,
        result,
        "Comment added.",
        form.fields.clone(),
        form.seen_seq(),
    )
    .await
}

async fn verdict(
    state: web::Data<AppState>,
    page: PageUser,
    path: web::Path<i64>,
    form: web::Form<VersionedForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let form = form.into_inner();
    let result = match form.version() {
        Ok(version) => {
            let (audit, user) = (page.audit.clone(), page.user.clone());
            let (verdict, rationale) = (
                v(&form.fields.verdict).to_string(),
                v(&form.fields.rationale).to_string(),
            );
            db::run(&state.pool, move |conn| {
                service::give_verdict(conn, &audit, &user, id, version, &verdict, &rationale)
                    .map(|_| ())
            })
            .await
        }
        Err(e) => Err(e),
    };
    let done = format!("Marked {}.", v(&form.fields.verdict));
    after_form(
        &state,
        page,
        id,
        result,
        &done,
        form.fields.clone(),
        form.seen_seq(),
    )
    .await
}

async fn reopen(
    state: web::Data<AppState>,
    page: PageUser,
    path: web::Path<i64>,
    form: web::Form<VersionedForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let form = form.into_inner();
    let result = match form.version() {
        Ok(version) => {
            let (audit, user) = (page.audit.clone(), page.user.clone());
            let reason = v(&form.fields.reason).to_string();
            db::run(&state.pool, move |conn| {
                service::reopen(conn, &audit, &user, id, version, &reason).map(|_| ())
            })
            .await
        }
        Err(e) => Err(e),
    };
    after_form(
        &state,
        page,
        id,
        result,
        "Reopened for review.",
        form.fields.clone(),
        form.seen_seq(),
    )
    .await
}

/// Bulk assignment from the claim list: checkboxes named `claim` with `id:version` values.
/// All or nothing; a refusal re-renders the list (the same filters, from the `return` query)
/// with the message and the form's values.
async fn bulk_assign(
    state: web::Data<AppState>,
    page: PageUser,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let pairs = form.into_inner();
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (assignee, due, priority, back) = (
        get("assignee"),
        get("due_at"),
        get("priority"),
        get("return"),
    );
    let mut items = vec![];
    for (_, value) in pairs.iter().filter(|(k, _)| k == "claim") {
        let parsed = value.split_once(':').and_then(|(id, version)| {
            Some((id.parse::<i64>().ok()?, version.parse::<i32>().ok()?))
        });
        match parsed {
            Some(item) => items.push(item),
            None => return Err(AppError::BadRequest(format!("not a claim: {value}"))),
        }
    }
    let result = match AssignInput::parse(&assignee, Some(&due), Some(&priority)) {
        Ok(input) => {
            let (audit, user) = (page.audit.clone(), page.user.clone());
            db::run(&state.pool, move |conn| {
                service::assign_many(conn, &audit, &user, &items, &input)
            })
            .await
        }
        Err(e) => Err(e),
    };
    // Only ever back to the claim list.
    let back = if back.starts_with("/claims?") || back == "/claims" {
        back
    } else {
        "/claims".to_string()
    };
    match result {
        Ok(claims) => {
            let n = claims.len();
            set_flash(
                &page.session,
                "success",
                format!(
                    "Assigned {n} claim{} to {assignee}.",
                    if n == 1 { "" } else { "s" }
                ),
            );
            Ok(see_other(&back))
        }
        Err(e) => {
            let (status, field, message) = match e {
                AppError::Invalid { field, message } => {
                    (StatusCode::UNPROCESSABLE_ENTITY, field, message)
                }
                AppError::Conflict { message, .. } => (
                    StatusCode::CONFLICT,
                    "claims".to_string(),
                    format!(
                        "{message}. Nothing was assigned; the list below is current, select again."
                    ),
                ),
                AppError::Forbidden(message) => {
                    (StatusCode::FORBIDDEN, "claims".to_string(), message)
                }
                other => return Err(other),
            };
            let query = back.split_once('?').map(|(_, q)| q).unwrap_or("");
            let params: ListParams = serde_urlencoded::from_str(query).unwrap_or_default();
            list_page(
                &state,
                page,
                params,
                vec![(field, message)],
                (assignee, due, priority),
                status,
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_read_as_chrono_would_write_them() {
        for t in [
            "2026-11-30T14:05:59Z",
            "0999-01-02T03:04:00Z",
            "2024-02-29T23:59:00.999Z",
        ] {
            let t = chrono::DateTime::parse_from_rfc3339(t)
                .unwrap()
                .with_timezone(&chrono::Utc);
            assert_eq!(
                super::fmt_time(&t),
                t.format("%Y-%m-%d %H:%M UTC").to_string()
            );
        }
    }

    use super::*;

    #[test]
    fn timeline_values_read_as_people_read_them() {
        let names = HashMap::from([(7, "Ravi Reviewer".to_string())]);
        let due = serde_json::json!("2026-12-06T12:00:00.000000Z");
        assert_eq!(shown("due_at", Some(&due), &names), "2026-12-06 12:00 UTC");
        assert_eq!(
            shown("status", Some(&serde_json::json!("in_review")), &names),
            "in review"
        );
        assert_eq!(
            shown("assignee_id", Some(&serde_json::json!(7)), &names),
            "Ravi Reviewer"
        );
        assert_eq!(shown("speaker", None, &names), "—");
        let odd = serde_json::json!("not a time");
        assert_eq!(shown("due_at", Some(&odd), &names), "not a time");
    }

    #[test]
    fn account_and_report_events_read_as_sentences() {
        let event = |action: &str, after: serde_json::Value| TimelineEvent {
            seq: 1,
            occurred_at: chrono::Utc::now(),
            actor_display: "Ada".into(),
            action: action.into(),
            claim_id: None,
            before: None,
            after: Some(JsonText::from(&after)),
            hash: String::new(),
        };
        let none = HashMap::new();
        let said = |action: &str, after: serde_json::Value| {
            describe(&event(action, after), &none, &none).summary
        };
        assert_eq!(said("user.login", serde_json::json!({})), "Ada signed in");
        assert_eq!(
            said("report.exported", serde_json::json!({"format": "csv"})),
            "Ada exported an audit report (csv)"
        );
        assert_eq!(
            said("token.created", serde_json::json!({"label": "cms"})),
            "Ada created an API token “cms”"
        );
    }

    #[test]
    fn a_claim_event_reads_its_json_for_its_words_and_its_changes() {
        let names = HashMap::from([(7, "Ravi Reviewer".to_string())]);
        let event = TimelineEvent {
            seq: 3,
            occurred_at: chrono::Utc::now(),
            actor_display: "Ada".into(),
            action: "claim.assigned".into(),
            claim_id: Some(1),
            before: Some(JsonText::from(&serde_json::json!({"assignee_id": null}))),
            after: Some(JsonText::from(&serde_json::json!({"assignee_id": 7}))),
            hash: "ab".repeat(32),
        };
        let entry = describe(&event, &names, &HashMap::new());
        assert_eq!(entry.summary, "Ada assigned it to Ravi Reviewer");
        assert_eq!(
            entry.changes,
            [(
                "assignee".to_string(),
                "—".to_string(),
                "Ravi Reviewer".to_string()
            )]
        );
    }
}
