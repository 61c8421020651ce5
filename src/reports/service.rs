//! Reports: the audited start of an export, the streamed body in keyset pages, the desk
//! summary, and ClaimReview documents.

use askama::Template;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use futures_util::Stream;
use serde_json::{Value, json};

use super::model::{
    CSV_HEADER, ChainHead, ReportFilters, ReportFormat, ReportRow, write_csv_record,
};
use super::repo::{self, RowFilter};
use crate::audit::model::{AuditContext, Event};
use crate::config::Config;
use crate::db;
use crate::error::AppError;

/// Rows per database round trip: big enough that the query overhead vanishes, small enough that
/// one page (a few MB) is all the memory an export ever holds.
pub const PAGE_ROWS: i64 = 5_000;

/// An export that has been recorded and can now be streamed.
#[derive(Debug, Clone)]
pub struct Export {
    pub format: ReportFormat,
    pub filters: ReportFilters,
    pub filter: RowFilter,
    pub head: ChainHead,
    pub rows: i64,
    pub generated_at: DateTime<Utc>,
}

/// Snapshots the chain head, counts the rows and records `report.exported` (its own
/// transaction, committed before a byte is sent, so an export that fails halfway is still on
/// the record). The head is read before the event is written and the rows are capped at it, so
/// the report never includes its own event and the head it names is the one it was cut at.
#[tracing::instrument(skip_all, fields(report.format = format.as_str()))]
pub fn start_export(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    format: ReportFormat,
    filters: ReportFilters,
) -> Result<Export, AppError> {
    let assignee_id = match &filters.assignee {
        None => None,
        Some(email) => Some(
            repo::user_id_by_email(conn, email)?
                .ok_or_else(|| AppError::invalid("assignee", "no user has this email"))?,
        ),
    };
    // Every event up to the head is committed (the head moves in the appending transaction), so
    // the pages read later see exactly these events, whatever is appended meanwhile.
    let (seq, hash) = crate::audit::service::head(conn)?;
    let head = ChainHead { seq, hash };
    let filter = RowFilter {
        from: filters.from,
        to: filters.to,
        article_id: filters.article_id,
        assignee_id,
        status: filters.status.map(|s| s.as_str().to_string()),
        action: filters.action.map(|a| a.as_str().to_string()),
        max_seq: head.seq,
    };
    let rows = repo::count(conn, &filter)?;
    let generated_at = crate::audit::service::now_micros();
    let details = json!({
        "format": format.as_str(),
        "filters": filters.to_json(),
        "rows": rows,
        "head": {"seq": head.seq, "hash": head.hash},
    });
    conn.transaction(|conn| {
        crate::audit::service::append(conn, ctx, [Event::report_exported(details)])
    })?;
    Ok(Export {
        format,
        filters,
        filter,
        head,
        rows,
        generated_at,
    })
}

#[derive(Template)]
#[template(path = "reports/audit_head.html")]
struct HtmlHead<'a> {
    export: &'a Export,
    generated: String,
    filters: String,
}

#[derive(Template)]
#[template(path = "reports/audit_rows.html")]
struct HtmlRows<'a> {
    rows: &'a [ReportRow],
}

#[derive(Template)]
#[template(path = "reports/audit_tail.html")]
struct HtmlTail<'a> {
    export: &'a Export,
}

impl Export {
    /// What comes before the first row.
    fn preamble(&self) -> Result<String, AppError> {
        Ok(match self.format {
            ReportFormat::Csv => {
                let mut out = String::new();
                write_csv_record(&mut out, &CSV_HEADER);
                out
            }
            ReportFormat::Json => {
                // The envelope, streamed by hand around the rows: serde_json would want the
                // whole array in memory.
                let head = json!({
                    "report": "audit",
                    "generated_at": crate::audit::canonical::format_time(&self.generated_at),
                    "filters": self.filters.to_json(),
                    "chain_head": {"seq": self.head.seq, "hash": self.head.hash},
                    "row_count": self.rows,
                })
                .to_string();
                // `{...}` → `{..., "rows": [`
                let open = head.strip_suffix('}').unwrap_or(&head);
                format!("{open},\"rows\":[")
            }
            ReportFormat::Html => HtmlHead {
                export: self,
                generated: crate::audit::canonical::format_time(&self.generated_at),
                filters: self.filters.describe(),
            }
            .render()
            .map_err(|e| AppError::Internal(e.into()))?,
        })
    }

    /// One page of rows; `first` says whether any row was written before.
    fn chunk(&self, rows: &[ReportRow], first: bool) -> Result<String, AppError> {
        Ok(match self.format {
            ReportFormat::Csv => {
                let mut out = String::with_capacity(rows.len() * 400);
                for row in rows {
                    row.write_csv(&mut out);
                }
                out
            }
            ReportFormat::Json => {
                let mut out = String::with_capacity(rows.len() * 500);
                for (i, row) in rows.iter().enumerate() {
                    if !(first && i == 0) {
                        out.push(',');
                    }
                    row.write_json(&mut out);
                }
                out
            }
            ReportFormat::Html => HtmlRows { rows }
                .render()
                .map_err(|e| AppError::Internal(e.into()))?,
        })
    }

    fn epilogue(&self) -> Result<String, AppError> {
        Ok(match self.format {
            ReportFormat::Csv => String::new(),
            ReportFormat::Json => "]}".to_string(),
            ReportFormat::Html => HtmlTail { export: self }
                .render()
                .map_err(|e| AppError::Internal(e.into()))?,
        })
    }
}

enum Step {
    Preamble,
    Page { after_seq: i64, first: bool },
    Epilogue,
    Done,
}

/// The report body: the preamble at once, then one chunk per keyset page read on the blocking
/// pool (a connection is held only while a page is read), then the epilogue. actix polls the
/// stream only as the client drains the socket, so a slow reader costs no memory.
pub fn body(pool: db::Db, export: Export) -> impl Stream<Item = Result<Bytes, AppError>> {
    futures_util::stream::unfold(
        (Step::Preamble, pool, export),
        |(step, pool, export)| async move {
            match step {
                Step::Done => None,
                Step::Preamble => {
                    let next = Step::Page {
                        after_seq: 0,
                        first: true,
                    };
                    Some((export.preamble().map(Bytes::from), (next, pool, export)))
                }
                Step::Epilogue => Some((
                    export.epilogue().map(Bytes::from),
                    (Step::Done, pool, export),
                )),
                Step::Page { after_seq, first } => {
                    let filter = export.filter.clone();
                    let page = db::run(&pool, move |conn| {
                        Ok(repo::page(conn, &filter, after_seq, PAGE_ROWS)?)
                    })
                    .await;
                    let rows = match page {
                        Ok(rows) => rows,
                        Err(e) => {
                            tracing::error!(error = %e, after_seq, "report page failed; the stream is cut");
                            return Some((Err(e), (Step::Done, pool, export)));
                        }
                    };
                    let next = match rows.last() {
                        Some(last) if rows.len() as i64 == PAGE_ROWS => Step::Page {
                            after_seq: last.seq,
                            first: false,
                        },
                        Some(_) => Step::Epilogue,
                        None => {
                            return Some((
                                export.epilogue().map(Bytes::from),
                                (Step::Done, pool, export),
                            ));
                        }
                    };
                    let chunk = export.chunk(&rows, first).map(Bytes::from);
                    Some((chunk, (next, pool, export)))
                }
            }
        },
    )
}

// ---- the desk summary ----

/// One bar of a server-drawn chart.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    /// Bar length in the chart's units (0..=[`CHART_WIDTH`]).
    pub width: i64,
    /// Top of the bar.
    pub y: i64,
    /// CSS class for the colour.
    pub class: String,
}

pub const CHART_WIDTH: i64 = 160;
pub const BAR_STEP: i64 = 26;

fn bars(items: Vec<(String, i64, String)>) -> Vec<Bar> {
    let max = items.iter().map(|(_, v, _)| *v).max().unwrap_or(0).max(1);
    items
        .into_iter()
        .enumerate()
        .map(|(i, (label, value, class))| Bar {
            label,
            value,
            // A non-zero value always gets a visible sliver.
            width: if value > 0 {
                (value * CHART_WIDTH / max).max(2)
            } else {
                0
            },
            y: i as i64 * BAR_STEP,
            class,
        })
        .collect()
}

/// Verdicts of one reviewer.
#[derive(Debug, Clone)]
pub struct ReviewerRow {
    pub name: String,
    /// The name as it fits beside a bar.
    pub short: String,
    pub verified: i64,
    pub disputed: i64,
    pub verified_width: i64,
    pub disputed_width: i64,
    pub y: i64,
}

#[derive(Debug, Clone)]
pub struct Summary {
    pub by_status: Vec<Bar>,
    pub reviewers: Vec<ReviewerRow>,
    /// Verdicts the median is over.
    pub decided: usize,
    pub median_hours: Option<f64>,
    pub overdue: i64,
    pub total_claims: i64,
}

impl Summary {
    pub fn status_chart_height(&self) -> i64 {
        (self.by_status.len() as i64 * BAR_STEP).max(BAR_STEP)
    }

    pub fn reviewer_chart_height(&self) -> i64 {
        (self.reviewers.len() as i64 * BAR_STEP).max(BAR_STEP)
    }

    /// "3 h 20 min", "2 d 4 h", or "no verdicts yet".
    pub fn median_text(&self) -> String {
        let Some(h) = self.median_hours else {
            return "no verdicts yet".into();
        };
        let minutes = (h * 60.0).round() as i64;
        if minutes < 60 {
            format!("{minutes} min")
        } else if minutes < 48 * 60 {
            format!("{} h {} min", minutes / 60, minutes % 60)
        } else {
            format!("{} d {} h", minutes / (24 * 60), (minutes / 60) % 24)
        }
    }
}

/// A label that fits the chart's label column (about 14 characters).
fn short_label(name: &str) -> String {
    if name.chars().count() <= 14 {
        name.to_string()
    } else {
        format!("{}…", name.chars().take(13).collect::<String>())
    }
}

/// The median of durations in hours (the mean of the middle two for an even count).
pub fn median_hours(mut seconds: Vec<i64>) -> Option<f64> {
    if seconds.is_empty() {
        return None;
    }
    seconds.sort_unstable();
    let n = seconds.len();
    let mid = if n % 2 == 1 {
        seconds[n / 2] as f64
    } else {
        (seconds[n / 2 - 1] + seconds[n / 2]) as f64 / 2.0
    };
    Some(mid / 3600.0)
}

/// Claims by status (now), verdicts per reviewer, median assignment→verdict time (verdicts
/// decided in the window) and the overdue count (now).
pub fn summary(
    conn: &mut PgConnection,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Summary, AppError> {
    use crate::claims::model::ClaimStatus;
    let counts = crate::verification::repo::status_counts(conn, &crate::db::Probe::none())?;
    let total_claims = counts.iter().map(|(_, n)| n).sum();
    let by_status = bars(
        ClaimStatus::ALL
            .into_iter()
            .map(|s| {
                let n = counts
                    .iter()
                    .find(|(name, _)| name == s.as_str())
                    .map(|(_, n)| *n)
                    .unwrap_or(0);
                (s.label().to_string(), n, format!("status-{}", s.as_str()))
            })
            .collect(),
    );
    let mut per_reviewer: Vec<(String, i64, i64)> = vec![];
    for (name, verdict, n) in repo::verdicts_by_reviewer(conn, from, to)? {
        let idx = match per_reviewer.iter().position(|(r, _, _)| *r == name) {
            Some(i) => i,
            None => {
                per_reviewer.push((name, 0, 0));
                per_reviewer.len() - 1
            }
        };
        if verdict == "verified" {
            per_reviewer[idx].1 += n;
        } else {
            per_reviewer[idx].2 += n;
        }
    }
    let max = per_reviewer
        .iter()
        .map(|(_, v, d)| v + d)
        .max()
        .unwrap_or(0)
        .max(1);
    let reviewers = per_reviewer
        .into_iter()
        .enumerate()
        .map(|(i, (name, verified, disputed))| ReviewerRow {
            short: short_label(&name),
            name,
            verified,
            disputed,
            verified_width: verified * CHART_WIDTH / max,
            disputed_width: disputed * CHART_WIDTH / max,
            y: i as i64 * BAR_STEP,
        })
        .collect();
    let durations: Vec<i64> = repo::assignment_to_verdict(conn, from, to)?
        .into_iter()
        .filter_map(|(decided, assigned)| Some((decided - assigned?).num_seconds().max(0)))
        .collect();
    let decided = durations.len();
    Ok(Summary {
        by_status,
        reviewers,
        decided,
        median_hours: median_hours(durations),
        overdue: repo::overdue(conn, Utc::now())?,
        total_claims,
    })
}

// ---- ClaimReview ----

/// Words in a speaker's name that make it an organisation rather than a person.
const ORGANISATION_WORDS: &[&str] = &[
    "ministry",
    "department",
    "office",
    "agency",
    "government",
    "council",
    "commission",
    "bureau",
    "committee",
    "administration",
    "embassy",
    "police",
    "army",
    "navy",
    "military",
    "company",
    "corporation",
    "corp",
    "inc",
    "ltd",
    "plc",
    "llc",
    "association",
    "party",
    "organization",
    "organisation",
    "university",
    "bank",
    "institute",
    "center",
    "centre",
    "foundation",
    "union",
    "court",
    "parliament",
    "congress",
    "senate",
    "authority",
    "federation",
    "kremlin",
    "pentagon",
    "spokesperson",
    "spokesman",
];

/// Acronyms that name organisations; they count only in capitals, so "Who" in a name does not.
const ORGANISATION_ACRONYMS: &[&str] = &["UN", "NATO", "WHO", "IMF", "EU", "FBI", "CIA"];

/// Is this speaker name an organisation ("State Department", "Chinese Foreign Ministry")?
pub fn is_organisation(name: &str) -> bool {
    let lower = name.to_lowercase();
    if lower.contains("white house") {
        return true;
    }
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| {
            ORGANISATION_ACRONYMS.contains(&w)
                || ORGANISATION_WORDS.contains(&w.to_lowercase().as_str())
        })
}

/// The rating scale: 1 (disputed) to 5 (verified), with words for people.
pub fn rating(verdict: &str) -> (i64, &'static str) {
    match verdict {
        "verified" => (5, "Verified: accurate"),
        _ => (1, "Disputed: inaccurate or misleading"),
    }
}

/// Where a claim's page lives: under `PUBLIC_URL` when set, else under the address the request
/// came to.
pub fn claim_url(base: &str, claim_id: i64) -> String {
    format!("{}/claims/{claim_id}", base.trim_end_matches('/'))
}

fn date(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The schema.org ClaimReview of a decided claim, with every property Google lists as required
/// (claimReviewed, reviewRating.alternateName, url) or recommended (author, datePublished,
/// itemReviewed with its author/datePublished/appearance/firstAppearance, and the rating's
/// ratingValue/bestRating/worstRating/name).
pub fn claim_review(src: &repo::ReviewSource, config: &Config, base_url: &str) -> Option<Value> {
    let verdict = src.verdict.as_deref()?;
    let decided_at = src.decided_at?;
    let (value, words) = rating(verdict);
    let mut organisation = json!({"@type": "Organization", "name": config.organization_name});
    if let Some(url) = &config.organization_url {
        organisation["url"] = json!(url);
    }
    let publisher = src
        .publisher
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let claim_author = match src
        .speaker
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(name) if is_organisation(name) => json!({"@type": "Organization", "name": name}),
        Some(name) => {
            let mut person = json!({"@type": "Person", "name": name});
            if let Some(role) = src.speaker_role.as_deref().filter(|r| !r.trim().is_empty()) {
                person["jobTitle"] = json!(role);
            }
            person
        }
        // The article asserts it in its own voice: its publisher is the claim's author.
        None => json!({"@type": "Organization", "name": publisher.unwrap_or(&src.article_title)}),
    };
    let mut appearance = json!({"@type": "CreativeWork", "headline": src.article_title});
    if let Some(url) = &src.article_url {
        appearance["url"] = json!(url);
    }
    if let Some(p) = publisher {
        appearance["publisher"] = json!({"@type": "Organization", "name": p});
    }
    if let Some(author) = src
        .article_author
        .as_deref()
        .filter(|a| !a.trim().is_empty())
    {
        appearance["author"] = json!({"@type": "Person", "name": author});
    }
    if let Some(t) = &src.published_at {
        appearance["datePublished"] = json!(date(t));
    }
    let mut item = json!({
        "@type": "Claim",
        "author": claim_author,
        "appearance": appearance,
        "firstAppearance": appearance,
    });
    if let Some(t) = &src.published_at {
        item["datePublished"] = json!(date(t));
    }
    let mut review = json!({
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": claim_url(base_url, src.claim_id),
        "claimReviewed": src.text,
        "author": organisation,
        "datePublished": date(&decided_at),
        "itemReviewed": item,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": value,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": words,
            "name": words,
        },
    });
    if let Some(r) = src.rationale.as_deref() {
        review["reviewBody"] = json!(r);
    }
    Some(review)
}

/// A decided claim's ClaimReview: 404 when there is no such claim, 409 when it has no current
/// verdict.
pub fn review_for(
    conn: &mut PgConnection,
    claim_id: i64,
    config: &Config,
    base_url: &str,
) -> Result<Value, AppError> {
    let src = repo::review_source(conn, claim_id)?.ok_or(AppError::NotFound)?;
    claim_review(&src, config, base_url).ok_or_else(|| AppError::Conflict {
        code: "no_verdict",
        message: format!(
            "claim {claim_id} has no verdict (it is {}); only verified or disputed claims have a ClaimReview",
            src.status
        ),
    })
}

/// One page of the publishing feed.
pub struct Feed {
    pub items: Vec<Value>,
    pub next_cursor: Option<String>,
}

/// Cursor of the feed: `<decided_at micros>_<verdict id>`.
pub fn parse_feed_cursor(raw: &str) -> Option<(DateTime<Utc>, i64)> {
    let (t, id) = raw.split_once('_')?;
    Some((
        DateTime::from_timestamp_micros(t.parse().ok()?)?,
        id.parse().ok()?,
    ))
}

pub fn feed(
    conn: &mut PgConnection,
    since: Option<DateTime<Utc>>,
    after: Option<(DateTime<Utc>, i64)>,
    limit: i64,
    config: &Config,
    base_url: &str,
) -> Result<Feed, AppError> {
    let mut rows = repo::reviews_since(conn, since, after, limit + 1)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().and_then(|r| {
            Some(format!(
                "{}_{}",
                r.decided_at?.timestamp_micros(),
                r.verdict_id?
            ))
        })
    } else {
        None
    };
    let items = rows
        .iter()
        .filter_map(|r| claim_review(r, config, base_url))
        .collect();
    Ok(Feed { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisations_are_told_from_people() {
        for org in [
            "State Department",
            "Chinese Foreign Ministry",
            "the White House",
            "UN",
            "Center for China and Globalization",
        ] {
            assert!(is_organisation(org), "{org}");
        }
        for person in [
            "Xi Jinping",
            "Antony Blinken",
            "Henry Wang",
            "Wang Yi",
            "Who Knows",
        ] {
            assert!(!is_organisation(person), "{person}");
        }
    }

    #[test]
    fn the_median_is_the_middle() {
        assert_eq!(median_hours(vec![]), None);
        assert_eq!(median_hours(vec![3600, 7200, 36000]), Some(2.0));
        assert_eq!(median_hours(vec![3600, 7200]), Some(1.5));
    }
}
