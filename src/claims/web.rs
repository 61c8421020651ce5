//! Claim pages: the list (filters, search, sortable columns, keyset paging, bulk assign) and the
//! claim page (the claim in context, evidence, comments, assignment, verdict, reopen, timeline).
//! The workflow forms post to `verification::web`, which re-renders this page on errors.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::model::{ClaimStatus, ClaimView, ListRow, Priority};
use super::service::People;
use crate::auth::policy::Ownership;
use crate::auth::{Action, CurrentUser, PageUser, Resource, SignedInPage, authorize, can};
use crate::db;
use crate::error::AppError;
use crate::startup::AppState;
use crate::verification::model::{Sort, Stance, Step, Verdict, decide};
use crate::verification::service::{self as workflow, ClaimDetail, ListParams};
use crate::verification::web::{TimelineEntry, fmt_time, timeline};
use crate::web::{AppRoute, PageContext, render};

pub fn routes() -> Vec<AppRoute> {
    vec![
        AppRoute::get("/claims", index),
        AppRoute::get("/claims/{id}", show),
    ]
}

// ---- the list ----

pub struct ClaimRow {
    pub id: i64,
    /// `id:version`, what the bulk-assign checkbox sends.
    pub token: String,
    pub text: String,
    pub speaker: String,
    pub status: String,
    pub score: String,
    pub assignee: String,
    pub due: String,
    /// In review and past its due date.
    pub overdue: bool,
    pub article_id: i64,
}

pub struct SortLink {
    pub label: &'static str,
    pub href: String,
    pub active: bool,
}

pub struct PersonOption {
    pub email: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "claims/index.html")]
pub struct ClaimsPage {
    /// Set when the page is in relevance order, which ranks only the newest matches.
    pub ranked_matches: Option<i64>,
    pub ctx: PageContext,
    pub params: ListParams,
    pub rows: Vec<ClaimRow>,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
    pub sort_links: Vec<SortLink>,
    pub statuses: Vec<(&'static str, &'static str)>,
    /// (value, label)
    pub signals: Vec<(&'static str, String)>,
    pub priorities: Vec<&'static str>,
    pub people: Vec<PersonOption>,
    pub can_assign: bool,
    pub can_ingest: bool,
    pub errors: Vec<(String, String)>,
    /// What the bulk-assign form had (kept when it is refused).
    pub bulk_assignee: String,
    pub bulk_due: String,
    pub bulk_priority: String,
    /// This page, where the bulk form comes back to.
    pub return_to: String,
    /// Column headers that sort by their column.
    pub newest_href: String,
    pub score_href: String,
    pub due_href: String,
}

fn v(o: &Option<String>) -> &str {
    o.as_deref().unwrap_or("")
}

/// The list's query string with `sort` and `cursor` replaced.
fn list_href(p: &ListParams, sort: Option<&str>, cursor: Option<&str>) -> String {
    let pairs: Vec<(&str, &str)> = [
        ("q", v(&p.q)),
        ("status", v(&p.status)),
        ("assignee", v(&p.assignee)),
        ("article", v(&p.article)),
        ("speaker", v(&p.speaker)),
        ("signal", v(&p.signal)),
        ("sort", sort.unwrap_or(v(&p.sort))),
        ("limit", v(&p.limit)),
        ("cursor", cursor.unwrap_or("")),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    format!(
        "/claims?{}",
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    )
}

/// The list's rows, with assignees' names from `people`.
pub fn claim_rows(rows: Vec<ListRow>, people: &People) -> Vec<ClaimRow> {
    let now = chrono::Utc::now();
    rows.into_iter()
        .map(|c| ClaimRow {
            overdue: c.status == ClaimStatus::InReview.as_str()
                && c.due_at.is_some_and(|d| d < now),
            id: c.id,
            token: format!("{}:{}", c.id, c.version),
            text: c.text,
            speaker: c.speaker.unwrap_or_default(),
            status: c.status,
            score: format!("{:.2}", c.score),
            assignee: c
                .assignee_id
                .and_then(|id| people.name(id))
                .unwrap_or_default()
                .to_string(),
            due: c.due_at.map(|d| fmt_time(&d)).unwrap_or_default(),
            article_id: c.article_id,
        })
        .collect()
}

/// What the claim list page reads: a page of claims (or the filter's refusal, shown on the
/// page) and the active people, for the bulk form.
pub struct ListData {
    outcome: Result<(Vec<ClaimRow>, Option<String>), AppError>,
    people: Vec<(i64, String, String, String)>,
}

/// Reads the list page's data on `conn` (the directory as of `directory_version`).
pub fn list_data<K: crate::db::ProbeKind>(
    conn: &mut diesel::PgConnection,
    state: &AppState,
    params: &ListParams,
    directory_version: Option<i64>,
    probe: &crate::db::Probe<K>,
) -> Result<ListData, AppError> {
    let page = match workflow::list(conn, params, probe) {
        Ok(page) => page,
        Err(e @ AppError::Invalid { .. }) => {
            return Ok(ListData {
                outcome: Err(e),
                people: vec![],
            });
        }
        Err(e) => return Err(e),
    };
    let people = state.people.get(conn, directory_version)?;
    Ok(ListData {
        outcome: Ok((claim_rows(page.claims, &people), page.next_cursor)),
        people: people.active(),
    })
}

/// The claim list page; `errors` and the bulk form's values come from a refused bulk assign.
pub async fn list_page(
    state: &web::Data<AppState>,
    page: PageUser,
    params: ListParams,
    errors: Vec<(String, String)>,
    bulk: (String, String, String),
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let q = params.clone();
    let directory_version = page.directory_version;
    let shared = web::Data::clone(state);
    let data = db::run(&state.pool, move |conn| {
        list_data(conn, &shared, &q, directory_version, &db::Probe::none())
    })
    .await?;
    render_list(page, data, params, errors, bulk, status)
}

fn render_list(
    page: PageUser,
    data: ListData,
    params: ListParams,
    errors: Vec<(String, String)>,
    bulk: (String, String, String),
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (ctx, user) = (page.ctx, page.user);
    let ListData { outcome, people } = data;
    let mut errors = errors;
    let mut status = status;
    let (rows, next) = match outcome {
        Ok(page) => page,
        Err(AppError::Invalid { field, message }) => {
            status = StatusCode::UNPROCESSABLE_ENTITY;
            errors.push((field, message));
            (vec![], None)
        }
        Err(e) => return Err(e),
    };
    let current_sort = params.sort.clone().filter(|s| !s.is_empty());
    let sort_links = [
        ("Newest", Sort::Newest),
        ("Oldest", Sort::Oldest),
        ("Recently changed", Sort::Updated),
        ("Score", Sort::Score),
        ("Due", Sort::Due),
        ("Relevance", Sort::Relevance),
    ]
    .into_iter()
    .filter(|(_, s)| {
        *s != Sort::Relevance || params.q.as_deref().is_some_and(|q| !q.trim().is_empty())
    })
    .map(|(label, s)| SortLink {
        label,
        href: list_href(&params, Some(s.as_str()), None),
        active: current_sort.as_deref() == Some(s.as_str()),
    })
    .collect();
    let searching = params.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let by_relevance = searching && matches!(current_sort.as_deref(), None | Some("relevance"));
    let page = ClaimsPage {
        ranked_matches: by_relevance.then_some(crate::verification::repo::RANKED_MATCHES),
        next_href: next.map(|c| list_href(&params, None, Some(&c))),
        first_href: params
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(|_| list_href(&params, None, None)),
        sort_links,
        statuses: ClaimStatus::ALL
            .into_iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        signals: crate::extraction::Signal::ALL
            .into_iter()
            .map(|s| (s.as_str(), s.as_str().replace('_', " ")))
            .collect(),
        priorities: Priority::ALL.into_iter().map(|p| p.as_str()).collect(),
        people: assignable(people),
        can_assign: can(&user, Action::Assign, Resource::Any),
        can_ingest: can(&user, Action::Ingest, Resource::Any),
        rows,
        errors,
        bulk_assignee: bulk.0,
        bulk_due: bulk.1,
        bulk_priority: bulk.2,
        return_to: list_href(&params, None, Some(v(&params.cursor))),
        newest_href: list_href(&params, Some(Sort::Newest.as_str()), None),
        score_href: list_href(&params, Some(Sort::Score.as_str()), None),
        due_href: list_href(&params, Some(Sort::Due.as_str()), None),
        params,
        ctx,
    };
    Ok(render(status, &page))
}

/// Users who may be assigned work, for a `<select>`.
pub fn assignable(people: Vec<(i64, String, String, String)>) -> Vec<PersonOption> {
    people
        .into_iter()
        .filter(|(_, _, _, role)| {
            crate::auth::Role::parse(role).is_some_and(|r| {
                crate::auth::policy::allowed(r, Action::BeAssigned, Ownership::None)
            })
        })
        .map(|(_, name, email, role)| PersonOption {
            label: format!("{name} ({role})"),
            email,
        })
        .collect()
}

async fn index(
    state: web::Data<AppState>,
    page: SignedInPage,
    query: web::Query<ListParams>,
) -> actix_web::Result<HttpResponse> {
    let params = query.into_inner();
    let q = params.clone();
    let shared = web::Data::clone(&state);
    let (page, data) = page
        .run(&state, move |conn, who| {
            authorize(&who.user, Action::Read, Resource::Any)?;
            list_data(conn, &shared, &q, who.directory_version, &who.probe)
        })
        .await?;
    Ok(render_list(
        page,
        data,
        params,
        vec![],
        Default::default(),
        StatusCode::OK,
    )?)
}

// ---- the claim page ----

pub struct EvidenceItem {
    pub url: String,
    pub title: String,
    pub note: String,
    pub stance: String,
    pub by: String,
    pub when: String,
}

pub struct CommentItem {
    pub body: String,
    pub by: String,
    pub when: String,
}

pub struct VerdictItem {
    pub verdict: String,
    pub rationale: String,
    pub by: String,
    pub when: String,
    pub current: bool,
}

/// What the forms on the claim page had; kept when a form is refused.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ClaimForms {
    pub assignee: Option<String>,
    pub due_at: Option<String>,
    pub priority: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
    pub note: Option<String>,
    pub stance: Option<String>,
    pub body: Option<String>,
    pub verdict: Option<String>,
    pub rationale: Option<String>,
    pub reason: Option<String>,
}

/// A refused change of a stale page: what happened meanwhile.
pub struct ConflictView {
    pub message: String,
    pub changes: Vec<TimelineEntry>,
}

#[derive(Template)]
#[template(path = "claims/show.html")]
pub struct ClaimPage {
    pub ctx: PageContext,
    pub claim: ClaimView,
    pub article_title: String,
    pub before: String,
    pub exact: String,
    pub after: String,
    pub attribution: String,
    pub evidence: Vec<EvidenceItem>,
    pub comments: Vec<CommentItem>,
    pub verdicts: Vec<VerdictItem>,
    pub timeline: Vec<TimelineEntry>,
    pub people: Vec<PersonOption>,
    pub my_email: String,
    pub can_assign: bool,
    pub can_take: bool,
    pub can_evidence: bool,
    pub can_comment: bool,
    pub can_verdict: bool,
    pub can_reopen: bool,
    pub can_triage: bool,
    pub seen_seq: i64,
    pub form: ClaimForms,
    pub errors: Vec<(String, String)>,
    pub conflict: Option<ConflictView>,
    pub due_value: String,
    /// The assignee the assignment form preselects: what was sent, else the current one.
    pub chosen_assignee: String,
    pub kind_label: String,
    pub signal_labels: Vec<String>,
    pub priorities: Vec<&'static str>,
    pub stances: Vec<&'static str>,
}

impl ClaimPage {
    pub fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|(f, _)| f == field)
    }
}

/// Builds the claim page for `user`. `seen_seq`: on a conflict, the last event the user had seen.
pub fn claim_page(
    ctx: PageContext,
    user: &CurrentUser,
    detail: ClaimDetail,
    form: ClaimForms,
    errors: Vec<(String, String)>,
    conflict: Option<(String, i64)>,
) -> ClaimPage {
    let status = detail.claim.status();
    let ownership = Ownership::of(user.id, Resource::claim(detail.claim.assignee_id));
    let may = |step: Step| decide(user.role, ownership, status, step).is_ok();
    let can_assign = may(Step::Assign);
    let name = |id: i64| {
        detail
            .names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("user {id}"))
    };
    let evidence = detail
        .evidence
        .iter()
        .map(|e| EvidenceItem {
            url: e.url.clone(),
            title: e.title.clone().unwrap_or_default(),
            note: e.note.clone(),
            stance: e.stance.clone(),
            by: name(e.added_by),
            when: fmt_time(&e.added_at),
        })
        .collect();
    let comments = detail
        .comments
        .iter()
        .map(|c| CommentItem {
            body: c.body.clone(),
            by: name(c.author_id),
            when: fmt_time(&c.created_at),
        })
        .collect();
    let verdicts = detail
        .verdicts
        .iter()
        .map(|v| VerdictItem {
            verdict: v.verdict.clone(),
            rationale: v.rationale.clone(),
            by: name(v.decided_by),
            when: fmt_time(&v.decided_at),
            current: v.superseded_at.is_none(),
        })
        .collect();
    let timeline_entries = timeline(&detail.events, &detail.names, &Default::default());
    let conflict = conflict.map(|(message, seen)| ConflictView {
        message,
        changes: timeline_entries
            .iter()
            .filter(|e| e.seq > seen)
            .cloned()
            .collect(),
    });
    let c = &detail.view;
    let attribution = match (&c.speaker, &c.cue) {
        (Some(s), Some(cue)) => format!("{s} ({cue})"),
        (Some(s), None) => s.clone(),
        (None, _) => "the article itself".to_string(),
    };
    let seen_seq = detail.last_seq();
    let chosen_assignee = form
        .assignee
        .clone()
        .or_else(|| detail.view.assignee.as_ref().map(|a| a.email.clone()))
        .unwrap_or_default();
    let (before, exact, after) = detail.context;
    ClaimPage {
        ctx,
        article_title: detail.article_title,
        before,
        exact,
        after,
        attribution,
        evidence,
        comments,
        verdicts,
        timeline: timeline_entries,
        people: assignable(detail.people),
        my_email: user.email.clone(),
        can_assign,
        can_take: !can_assign && may(Step::Take),
        can_evidence: may(Step::AddEvidence),
        can_comment: may(Step::Comment),
        can_verdict: may(Step::Verdict(Verdict::Verified)),
        can_reopen: may(Step::Reopen),
        can_triage: can(user, Action::Triage, Resource::Any),
        seen_seq,
        form,
        errors,
        conflict,
        chosen_assignee,
        kind_label: detail.view.kind.replace('_', " "),
        signal_labels: detail
            .view
            .signals
            .iter()
            .map(|s| s.replace('_', " "))
            .collect(),
        due_value: detail
            .view
            .due_at
            .map(|d| d.format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default(),
        priorities: Priority::ALL.into_iter().map(|p| p.as_str()).collect(),
        stances: Stance::ALL.into_iter().map(|s| s.as_str()).collect(),
        claim: detail.view,
    }
}

async fn show(
    state: web::Data<AppState>,
    page: SignedInPage,
    path: web::Path<i64>,
) -> actix_web::Result<HttpResponse> {
    let id = path.into_inner();
    let shared = web::Data::clone(&state);
    let (page, detail) = page
        .run(&state, move |conn, who| {
            authorize(&who.user, Action::Read, Resource::Any)?;
            workflow::claim_detail(conn, &shared, who.directory_version, id, &who.probe)
        })
        .await?;
    let html = claim_page(
        page.ctx,
        &page.user,
        detail,
        ClaimForms::default(),
        vec![],
        None,
    );
    Ok(render(StatusCode::OK, &html))
}
