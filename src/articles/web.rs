//! Article pages: the list, the ingestion form, and the article with its claims highlighted,
//! the triage panel and select-to-create.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;
use serde::Deserialize;

use super::model::{Article, Limits, RawArticle};
use super::{repo, service};
use crate::auth::{Action, PageUser, Resource, authorize, can, set_flash};
use crate::claims::model::Claim;
use crate::claims::service::{ClaimEdit, TriageDecision};
use crate::db;
use crate::error::AppError;
use crate::startup::AppState;
use crate::web::{AppRoute, PageContext, render};

pub fn routes() -> Vec<AppRoute> {
    vec![
        AppRoute::get("/articles", index),
        AppRoute::get("/articles/new", new_form),
        AppRoute::post("/articles", create),
        AppRoute::get("/articles/{id}", show),
        AppRoute::post("/articles/{id}/claims", create_claim),
        AppRoute::post("/claims/{id}/triage", triage),
    ]
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location.to_string()))
        .finish()
}

// ---- the list ----

pub struct ArticleRow {
    pub id: i64,
    pub title: String,
    pub publisher: String,
    pub ingested_at: String,
    pub cursor: String,
    /// (status, count), in workflow order, only non-zero.
    pub counts: Vec<(String, i64)>,
}

#[derive(Template)]
#[template(path = "articles/index.html")]
struct IndexPage {
    ctx: PageContext,
    rows: Vec<ArticleRow>,
    next_cursor: Option<String>,
    can_ingest: bool,
}

#[derive(Deserialize)]
struct ListQuery {
    before: Option<String>,
}

const PAGE_SIZE: i64 = 50;

/// Cursor of the article list: `<micros since epoch>_<id>`.
fn parse_cursor(raw: &str) -> Option<(chrono::DateTime<chrono::Utc>, i64)> {
    let (t, id) = raw.split_once('_')?;
    Some((
        chrono::DateTime::from_timestamp_micros(t.parse().ok()?)?,
        id.parse().ok()?,
    ))
}

async fn index(
    page: PageUser,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    authorize(&page.user, Action::Read, Resource::Any)?;
    let before = match query.before.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(
            parse_cursor(raw)
                .ok_or_else(|| AppError::invalid("before", "is not a cursor from this page"))?,
        ),
    };
    let (list, counts) = db::run(&state.pool, move |conn| {
        let list = repo::list(conn, before, PAGE_SIZE + 1)?;
        let ids: Vec<i64> = list.iter().map(|r| r.id).collect();
        let counts = repo::status_counts(conn, &ids)?;
        Ok((list, counts))
    })
    .await?;
    let has_more = list.len() as i64 > PAGE_SIZE;
    let mut rows: Vec<ArticleRow> = list
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|r| ArticleRow {
            id: r.id,
            title: r.title,
            publisher: r.publisher.unwrap_or_default(),
            ingested_at: crate::verification::web::fmt_time(&r.ingested_at),
            cursor: format!("{}_{}", r.ingested_at.timestamp_micros(), r.id),
            counts: vec![],
        })
        .collect();
    for row in &mut rows {
        for status in crate::claims::model::ClaimStatus::ALL {
            let n: i64 = counts
                .iter()
                .filter(|(id, s, _)| *id == row.id && s == status.as_str())
                .map(|(_, _, n)| *n)
                .sum();
            if n > 0 {
                row.counts.push((status.as_str().to_string(), n));
            }
        }
    }
    let next_cursor = if has_more {
        rows.last().map(|r| r.cursor.clone())
    } else {
        None
    };
    Ok(render(
        StatusCode::OK,
        &IndexPage {
            can_ingest: can(&page.user, Action::Ingest, Resource::Any),
            ctx: page.ctx,
            rows,
            next_cursor,
        },
    ))
}

// ---- the ingestion form ----

#[derive(Debug, Clone, Default)]
struct ArticleFormValues {
    title: String,
    url: String,
    publisher: String,
    wire_service: String,
    author: String,
    published_at: String,
    format: String,
    content: String,
}

#[derive(Template)]
#[template(path = "articles/new.html")]
struct NewPage {
    ctx: PageContext,
    values: ArticleFormValues,
    errors: Vec<(String, String)>,
}

async fn new_form(page: PageUser) -> Result<HttpResponse, AppError> {
    authorize(&page.user, Action::Ingest, Resource::Any)?;
    Ok(render(
        StatusCode::OK,
        &NewPage {
            ctx: page.ctx,
            values: ArticleFormValues {
                format: "text".into(),
                ..ArticleFormValues::default()
            },
            errors: vec![],
        },
    ))
}

/// Reads the multipart form: text fields and an optional uploaded file, within `limit` bytes.
async fn read_form(
    mut form: Multipart,
    limit: usize,
) -> Result<(ArticleFormValues, Option<(String, String)>), AppError> {
    let mut values = ArticleFormValues::default();
    let mut upload: Option<(String, String)> = None;
    let mut total = 0usize;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| AppError::BadRequest(format!("malformed form: {e}")))?;
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_string);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| AppError::BadRequest(format!("malformed form: {e}")))?;
            total += chunk.len();
            if total > limit {
                return Err(AppError::PayloadTooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        let field_name = if name == "file" { "file" } else { "content" };
        let text = String::from_utf8(bytes)
            .map_err(|_| AppError::invalid(field_name, "is not valid UTF-8 text"))?;
        match name.as_str() {
            "title" => values.title = text,
            "url" => values.url = text,
            "publisher" => values.publisher = text,
            "wire_service" => values.wire_service = text,
            "author" => values.author = text,
            "published_at" => values.published_at = text,
            "format" => values.format = text,
            "content" => values.content = text,
            "file" => {
                if let Some(file_name) = file_name.filter(|_| !text.is_empty()) {
                    upload = Some((file_name, text));
                }
            }
            _ => {}
        }
    }
    Ok((values, upload))
}

async fn create(
    page: PageUser,
    state: web::Data<AppState>,
    form: Multipart,
) -> Result<HttpResponse, AppError> {
    authorize(&page.user, Action::Ingest, Resource::Any)?;
    let limits = Limits {
        max_text_bytes: state.config.max_text_bytes,
        max_html_bytes: state.config.max_html_bytes,
    };
    let (values, upload) = read_form(
        form,
        limits.max_text_bytes.max(limits.max_html_bytes) + 64 * 1024,
    )
    .await?;
    let (content, is_html) = match &upload {
        Some((name, text)) => {
            let lower = name.to_ascii_lowercase();
            (
                text.clone(),
                lower.ends_with(".html") || lower.ends_with(".htm"),
            )
        }
        None => (values.content.clone(), values.format == "html"),
    };
    let raw = RawArticle {
        title: Some(values.title.clone()),
        url: Some(values.url.clone()),
        publisher: Some(values.publisher.clone()),
        wire_service: Some(values.wire_service.clone()),
        author: Some(values.author.clone()),
        published_at: Some(values.published_at.clone()),
        text: (!is_html).then(|| content.clone()),
        html: is_html.then_some(content),
    };
    let result = match raw.parse(limits) {
        Ok(input) => {
            let audit = page.audit.clone();
            db::run(&state.pool, move |conn| {
                service::ingest(conn, &audit, input)
            })
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(outcome) => {
            let id = outcome.article.id;
            let message = if outcome.duplicate {
                "This article is already in claimtracker (same text); here it is.".to_string()
            } else {
                format!(
                    "Article added: {} candidate claim{} to triage.",
                    outcome.claims.len(),
                    if outcome.claims.len() == 1 { "" } else { "s" }
                )
            };
            set_flash(
                &page.session,
                if outcome.duplicate { "info" } else { "success" },
                message,
            );
            Ok(see_other(&format!("/articles/{id}")))
        }
        Err(e @ (AppError::Invalid { .. } | AppError::PayloadTooLarge { .. })) => {
            let (field, message) = match &e {
                AppError::Invalid { field, message } => {
                    // The form calls the body "content" whatever its format.
                    let field = if field == "text" || field == "html" {
                        "content".to_string()
                    } else {
                        field.clone()
                    };
                    (field, message.clone())
                }
                other => ("content".to_string(), other.to_string()),
            };
            let status = if matches!(e, AppError::PayloadTooLarge { .. }) {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok(render(
                status,
                &NewPage {
                    ctx: page.ctx,
                    values,
                    errors: vec![(field, message)],
                },
            ))
        }
        Err(e) => Err(e),
    }
}

// ---- one article ----

/// A run of the body with the claims that cover it.
pub struct Piece {
    /// Char offset of the run in `body_text`, for the select-to-create script.
    pub start: usize,
    pub text: String,
    /// The innermost claim covering this run: (id, status, title).
    pub claim: Option<(i64, String, String)>,
}

pub struct ParagraphView {
    pub pieces: Vec<Piece>,
}

pub struct TriageItem {
    pub id: i64,
    pub version: i32,
    pub text: String,
    pub speaker: String,
    pub speaker_role: String,
    pub via: String,
    pub kind: String,
    pub status: String,
    pub score: String,
    pub signals: String,
}

#[derive(Template)]
#[template(path = "articles/show.html")]
struct ShowPage {
    ctx: PageContext,
    article: Article,
    published: String,
    paragraphs: Vec<ParagraphView>,
    candidates: Vec<TriageItem>,
    rejected: Vec<TriageItem>,
    others: Vec<TriageItem>,
    can_triage: bool,
    can_create: bool,
    manual_error: Option<String>,
}

/// Splits the body into paragraphs (blank lines) and runs, each run marked with the innermost
/// claim covering it. Offsets are chars, as the claims store them.
pub fn highlight(body: &str, claims: &[Claim]) -> Vec<ParagraphView> {
    let chars: Vec<char> = body.chars().collect();
    let n = chars.len();
    let span = |c: &Claim| (c.quote_start.max(0) as usize, c.quote_end.max(0) as usize);
    let mut bounds: Vec<usize> = vec![0, n];
    for c in claims {
        let (s, e) = span(c);
        if s < e && e <= n {
            bounds.push(s);
            bounds.push(e);
        }
    }
    // Every paragraph break is a bound, so a run holds a break only at its very start.
    for i in 0..n.saturating_sub(1) {
        if chars[i] == '\n' && chars[i + 1] == '\n' {
            bounds.push(i);
        }
    }
    bounds.sort_unstable();
    bounds.dedup();
    let mut paragraphs = vec![ParagraphView { pieces: vec![] }];
    for w in bounds.windows(2) {
        let (s, e) = (w[0], w[1]);
        let lead = chars[s..e].iter().take_while(|c| **c == '\n').count();
        if lead >= 2 {
            paragraphs.push(ParagraphView { pieces: vec![] });
        }
        let trail = chars[s + lead..e]
            .iter()
            .rev()
            .take_while(|c| **c == '\n')
            .count();
        let (start, end) = (s + lead, e - trail);
        if start >= end {
            continue;
        }
        let claim = claims
            .iter()
            .filter(|c| {
                let (cs, ce) = span(c);
                cs < ce && cs <= start && ce >= end
            })
            .min_by_key(|c| c.quote_end - c.quote_start)
            .map(|c| {
                let who = c.speaker.as_deref().unwrap_or("the article's own voice");
                (
                    c.id,
                    c.status.clone(),
                    format!("{} · {who}", c.status().label()),
                )
            });
        if let Some(p) = paragraphs.last_mut() {
            p.pieces.push(Piece {
                start,
                text: chars[start..end].iter().collect(),
                claim,
            });
        }
    }
    paragraphs.retain(|p| !p.pieces.is_empty());
    paragraphs
}

fn triage_item(c: &Claim) -> TriageItem {
    TriageItem {
        id: c.id,
        version: c.version,
        text: c.text.clone(),
        speaker: c.speaker.clone().unwrap_or_default(),
        speaker_role: c.speaker_role.clone().unwrap_or_default(),
        via: c.via.clone().unwrap_or_default(),
        kind: c.kind.replace('_', " "),
        status: c.status.clone(),
        score: format!("{:.2}", c.score),
        signals: c.signal_names().join(", ").replace('_', " "),
    }
}

async fn render_article(
    page: PageUser,
    state: &AppState,
    id: i64,
    status: StatusCode,
    manual_error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let (article, claims) = db::run(&state.pool, move |conn| service::load(conn, id)).await?;
    let paragraphs = highlight(&article.body_text, &claims);
    let by = |s: &str| {
        claims
            .iter()
            .filter(|c| c.status == s)
            .map(triage_item)
            .collect::<Vec<_>>()
    };
    let candidates = by("candidate");
    let rejected = by("rejected");
    let others = claims
        .iter()
        .filter(|c| c.status != "candidate" && c.status != "rejected")
        .map(triage_item)
        .collect();
    Ok(render(
        status,
        &ShowPage {
            can_triage: can(&page.user, Action::Triage, Resource::Any),
            can_create: can(&page.user, Action::CreateManualClaim, Resource::Any),
            published: article
                .published_at
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            ctx: page.ctx,
            article,
            paragraphs,
            candidates,
            rejected,
            others,
            manual_error,
        },
    ))
}

async fn show(
    page: PageUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    authorize(&page.user, Action::Read, Resource::Any)?;
    render_article(page, &state, path.into_inner(), StatusCode::OK, None).await
}

#[derive(Deserialize)]
struct ManualClaimForm {
    /// Char offsets, filled by the page's script from the selection.
    start: Option<String>,
    end: Option<String>,
    /// Without script: the exact words, found in the body.
    #[serde(default)]
    exact: String,
    #[serde(default)]
    speaker: String,
    #[serde(default)]
    kind: String,
}

/// The char span of the first occurrence of `exact` in `body`.
fn find_span(body: &str, exact: &str) -> Option<(i64, i64)> {
    let byte = body.find(exact)?;
    let start = body[..byte].chars().count() as i64;
    Some((start, start + exact.chars().count() as i64))
}

async fn create_claim(
    page: PageUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ManualClaimForm>,
) -> Result<HttpResponse, AppError> {
    authorize(&page.user, Action::CreateManualClaim, Resource::Any)?;
    let article_id = path.into_inner();
    let f = form.into_inner();
    let offsets = match (
        f.start.as_deref().map(str::trim),
        f.end.as_deref().map(str::trim),
    ) {
        (Some(s), Some(e)) if !s.is_empty() && !e.is_empty() => {
            match (s.parse::<i64>(), e.parse::<i64>()) {
                (Ok(s), Ok(e)) => Some((s, e)),
                _ => None,
            }
        }
        _ => None,
    };
    let exact = f.exact.trim().to_string();
    let audit = page.audit.clone();
    let result = db::run(&state.pool, move |conn| {
        let (start, end) = match offsets {
            Some(span) => span,
            None => {
                if exact.is_empty() {
                    return Err(AppError::invalid(
                        "exact",
                        "select words in the article, or type them exactly",
                    ));
                }
                let body = repo::body_text(conn, article_id)?;
                find_span(&body, &exact).ok_or_else(|| {
                    AppError::invalid(
                        "exact",
                        "these words are not in the article exactly as typed",
                    )
                })?
            }
        };
        crate::claims::service::create_manual(
            conn,
            &audit,
            article_id,
            start,
            end,
            Some(&f.speaker),
            Some(&f.kind),
        )
    })
    .await;
    match result {
        Ok(claim) => {
            set_flash(
                &page.session,
                "success",
                "Claim created and opened for verification.",
            );
            Ok(see_other(&format!(
                "/articles/{article_id}#claim-{}",
                claim.id
            )))
        }
        Err(AppError::Invalid { message, .. }) => {
            render_article(
                page,
                &state,
                article_id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct TriageForm {
    version: i32,
    decision: String,
    #[serde(default)]
    reason: String,
    text: Option<String>,
    speaker: Option<String>,
}

async fn triage(
    page: PageUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<TriageForm>,
) -> Result<HttpResponse, AppError> {
    authorize(&page.user, Action::Triage, Resource::Any)?;
    let id = path.into_inner();
    let f = form.into_inner();
    let decision = TriageDecision::parse(&f.decision)
        .ok_or_else(|| AppError::invalid("decision", "must be accept, reject or restore"))?;
    let audit = page.audit.clone();
    let reason = f.reason.clone();
    let edit = ClaimEdit {
        text: f.text.filter(|t| !t.trim().is_empty()),
        speaker: f.speaker,
        ..ClaimEdit::default()
    };
    let result = db::run(&state.pool, move |conn| {
        crate::claims::service::triage(conn, &audit, id, f.version, decision, Some(&reason), &edit)
    })
    .await;
    match result {
        Ok(claim) => {
            let done = match decision {
                TriageDecision::Accept => "accepted and opened for verification",
                TriageDecision::Reject => "rejected",
                TriageDecision::Restore => "restored to the candidates",
            };
            set_flash(&page.session, "success", format!("Claim {done}."));
            Ok(see_other(&format!(
                "/articles/{}#claim-{}",
                claim.article_id, claim.id
            )))
        }
        Err(e @ (AppError::Conflict { .. } | AppError::Invalid { .. })) => {
            // Back to the article, which shows the claim as it now stands, to redo the action.
            // Only a refusal needs the article looked up; a success carries it in the claim.
            let article_id = db::run(&state.pool, move |conn| {
                Ok(crate::claims::repo::find(conn, id)?.article_id)
            })
            .await?;
            let message = match e {
                AppError::Conflict { .. } => format!(
                    "{e} The page now shows the claim as it stands; redo your action if it still applies."
                ),
                other => format!("Not done: {other}."),
            };
            set_flash(&page.session, "error", message);
            Ok(see_other(&format!("/articles/{article_id}#claim-{id}")))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(id: i64, start: i32, end: i32) -> Claim {
        Claim {
            id,
            article_id: 1,
            text: String::new(),
            quote_exact: String::new(),
            quote_prefix: String::new(),
            quote_suffix: String::new(),
            quote_start: start,
            quote_end: end,
            speaker: None,
            speaker_role: None,
            via: None,
            cue: None,
            kind: "assertion".into(),
            signals: vec![],
            score: 0.5,
            origin: "extracted".into(),
            status: "candidate".into(),
            version: 1,
            assignee_id: None,
            due_at: None,
            priority: None,
            created_by: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn highlighting_keeps_offsets_and_paragraphs() {
        let body = "Zoë said “yes”.\n\nThe rate fell 3.5% in March.";
        // "“yes”" is chars 9..14; "3.5%" is chars 31..35; a manual claim nested in the first.
        let claims = vec![claim(1, 0, 15), claim(2, 9, 14), claim(3, 31, 35)];
        let paragraphs = highlight(body, &claims);
        assert_eq!(paragraphs.len(), 2);
        let chars: Vec<char> = body.chars().collect();
        for p in &paragraphs {
            for piece in &p.pieces {
                let n = piece.text.chars().count();
                assert_eq!(
                    chars[piece.start..piece.start + n]
                        .iter()
                        .collect::<String>(),
                    piece.text
                );
            }
        }
        let yes = paragraphs[0]
            .pieces
            .iter()
            .find(|p| p.text == "“yes”")
            .unwrap();
        assert_eq!(
            yes.claim.as_ref().map(|c| c.0),
            Some(2),
            "the innermost claim wins"
        );
        let said = paragraphs[0]
            .pieces
            .iter()
            .find(|p| p.text == "Zoë said ")
            .unwrap();
        assert_eq!(said.claim.as_ref().map(|c| c.0), Some(1));
        let rate = paragraphs[1]
            .pieces
            .iter()
            .find(|p| p.text == "3.5%")
            .unwrap();
        assert_eq!(rate.claim.as_ref().map(|c| c.0), Some(3));
    }

    #[test]
    fn spans_are_found_in_chars() {
        assert_eq!(find_span("Zoë said “yes”.", "“yes”"), Some((9, 14)));
        assert_eq!(find_span("abc", "x"), None);
    }
}
