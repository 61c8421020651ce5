//! `/reports` (the desk summary and the export form) and the audit report downloads
//! `/reports/audit.csv|.json|.html`, which browsers (session) and scripts (token) both fetch.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::model::{RawFilters, ReportFormat, file_name};
use super::service::{self, Summary};
use crate::audit::model::Action as AuditAction;
use crate::auth::{Action, PageUser, Resource, SignedIn, authorize};
use crate::claims::model::ClaimStatus;
use crate::db;
use crate::error::AppError;
use crate::startup::AppState;
use crate::web::{AppRoute, PageContext, render};

/// The response header that carries the chain head a report was cut at: `<seq> <hash>`.
pub const CHAIN_HEAD_HEADER: &str = "X-Audit-Chain-Head";

pub fn routes() -> Vec<AppRoute> {
    vec![AppRoute::get("/reports", index)]
}

/// The downloads: not pages (a token may fetch them), so outside `page_routes`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/reports/audit.csv", web::get().to(audit_csv))
        .route("/reports/audit.json", web::get().to(audit_json))
        .route("/reports/audit.html", web::get().to(audit_html));
}

async fn audit_csv(
    state: web::Data<AppState>,
    who: SignedIn,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    export(state, who, req, ReportFormat::Csv).await
}

async fn audit_json(
    state: web::Data<AppState>,
    who: SignedIn,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    export(state, who, req, ReportFormat::Json).await
}

async fn audit_html(
    state: web::Data<AppState>,
    who: SignedIn,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    export(state, who, req, ReportFormat::Html).await
}

/// Authorize, validate the filters, record the export, then stream it.
async fn export(
    state: web::Data<AppState>,
    who: SignedIn,
    req: HttpRequest,
    format: ReportFormat,
) -> Result<HttpResponse, AppError> {
    authorize(&who.user, Action::Export, Resource::Any)?;
    let filters = RawFilters::from_query(req.query_string())?.parse()?;
    let audit = who.audit;
    let export = db::run(&state.pool, move |conn| {
        service::start_export(conn, &audit, format, filters)
    })
    .await?;
    let name = file_name(format, export.generated_at, &export.head);
    let disposition = ContentDisposition {
        // The printable page opens in the browser; the data formats download.
        disposition: if format == ReportFormat::Html {
            DispositionType::Inline
        } else {
            DispositionType::Attachment
        },
        parameters: vec![DispositionParam::Filename(name)],
    };
    let head = export.head.header_value();
    let rows = export.rows.to_string();
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header((CHAIN_HEAD_HEADER, head))
        .insert_header(("X-Report-Rows", rows))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(service::body(state.pool.clone(), export)))
}

// ---- the page ----

#[derive(Template)]
#[template(path = "reports/index.html")]
struct IndexPage {
    ctx: PageContext,
    summary: Summary,
    form: FormValues,
    /// The filters as a query string for the format links (empty when none).
    query: String,
    error: Option<(String, String)>,
    articles: Vec<(i64, String)>,
    assignees: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    actions: Vec<&'static str>,
    chart_width: i64,
}

/// The filter fields as typed, to keep them in the form.
struct FormValues {
    from: String,
    to: String,
    article: String,
    assignee: String,
    status: String,
    action: String,
}

impl From<&RawFilters> for FormValues {
    fn from(f: &RawFilters) -> FormValues {
        let v = |o: &Option<String>| o.as_deref().map(str::trim).unwrap_or("").to_string();
        FormValues {
            from: v(&f.from),
            to: v(&f.to),
            article: v(&f.article),
            assignee: v(&f.assignee),
            status: v(&f.status),
            action: v(&f.action),
        }
    }
}

/// `/reports`: the desk summary (over verdicts decided in the chosen dates) and the export
/// form; a bad filter re-renders the page with 422 and says which.
async fn index(
    page: PageUser,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    authorize(&page.user, Action::Export, Resource::Any)?;
    let form = RawFilters::from_query(req.query_string()).unwrap_or_default();
    let parsed = form.parse();
    let (from, to, error) = match &parsed {
        Ok(f) => (f.from, f.to, None),
        Err(e) => (
            None,
            None,
            Some((e.field().unwrap_or("query").to_string(), e.to_string())),
        ),
    };
    let query = if error.is_none() {
        let pairs: Vec<(&str, &str)> = [
            ("from", &form.from),
            ("to", &form.to),
            ("article", &form.article),
            ("assignee", &form.assignee),
            ("status", &form.status),
            ("action", &form.action),
        ]
        .into_iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| (k, v))
        })
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    } else {
        String::new()
    };
    let (summary, articles, assignees) = db::run(&state.pool, move |conn| {
        Ok((
            service::summary(conn, from, to)?,
            super::repo::recent_articles(conn, 200)?,
            super::repo::assignable_users(conn)?,
        ))
    })
    .await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        &IndexPage {
            ctx: page.ctx,
            summary,
            form: FormValues::from(&form),
            query,
            error,
            articles,
            assignees,
            statuses: ClaimStatus::ALL
                .into_iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            actions: AuditAction::ALL
                .into_iter()
                .map(AuditAction::as_str)
                .collect(),
            chart_width: service::CHART_WIDTH,
        },
    ))
}
