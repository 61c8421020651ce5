//! What a report is made of: the formats, the validated filters, one row per audit event, the
//! chain head it carries, and the CSV cell rules (RFC 4180 plus formula neutralisation).

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::audit::model::Action as AuditAction;
use crate::claims::model::ClaimStatus;
use crate::error::AppError;

/// The formats of the audit report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Csv,
    Json,
    Html,
}

impl ReportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Csv => "csv",
            ReportFormat::Json => "json",
            ReportFormat::Html => "html",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ReportFormat::Csv => "text/csv; charset=utf-8; header=present",
            ReportFormat::Json => "application/json",
            ReportFormat::Html => "text/html; charset=utf-8",
        }
    }
}

/// The filters as they arrive in the query string; unknown parameters are refused by name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFilters {
    pub from: Option<String>,
    pub to: Option<String>,
    pub article: Option<String>,
    pub assignee: Option<String>,
    pub status: Option<String>,
    pub action: Option<String>,
}

/// Validated filters. The assignee is still an email here: the service resolves it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportFilters {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub article_id: Option<i64>,
    pub assignee: Option<String>,
    pub status: Option<ClaimStatus>,
    pub action: Option<AuditAction>,
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// `from`/`to`: RFC 3339 or a plain date (midnight UTC). A plain `to` date includes that whole
/// day, which is what a person asking for "up to 2026-11-29" means.
fn time_filter(
    name: &str,
    raw: Option<&str>,
    end_of_day: bool,
) -> Result<Option<DateTime<Utc>>, AppError> {
    let Some(v) = raw else { return Ok(None) };
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    let day = NaiveDate::parse_from_str(v, "%Y-%m-%d").ok().and_then(|d| {
        let d = if end_of_day { d.succ_opt()? } else { d };
        d.and_hms_opt(0, 0, 0)
    });
    match day {
        Some(t) => Ok(Some(t.and_utc())),
        None => Err(AppError::invalid(
            name,
            format!("{v:?} is not an RFC 3339 time (2026-11-29T16:00:00Z) or a date (2026-11-29)"),
        )),
    }
}

impl RawFilters {
    /// Parses the query string, naming the offending parameter on any error.
    pub fn from_query(query: &str) -> Result<RawFilters, AppError> {
        serde_urlencoded::from_str(query).map_err(|e| {
            let message = e.to_string();
            let field = crate::startup::serde_field_name(&message)
                .unwrap_or("query")
                .to_string();
            AppError::invalid(field, message)
        })
    }

    pub fn parse(&self) -> Result<ReportFilters, AppError> {
        let from = time_filter("from", present(&self.from), false)?;
        let to = time_filter("to", present(&self.to), true)?;
        if let (Some(f), Some(t)) = (from, to)
            && f >= t
        {
            return Err(AppError::invalid("to", "must be after from"));
        }
        let article_id = match present(&self.article) {
            None => None,
            Some(v) => Some(v.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
                AppError::invalid("article", format!("{v:?} is not an article id"))
            })?),
        };
        let assignee = match present(&self.assignee) {
            None => None,
            Some(v) if v.contains('@') && v.len() <= 320 => Some(v.to_lowercase()),
            Some(v) => {
                return Err(AppError::invalid(
                    "assignee",
                    format!("{v:?} is not an email address"),
                ));
            }
        };
        let status = match present(&self.status) {
            None => None,
            Some(v) => Some(ClaimStatus::parse(v).ok_or_else(|| {
                AppError::invalid(
                    "status",
                    format!("{v:?} is not a status (candidate, open, in_review, verified, disputed, rejected)"),
                )
            })?),
        };
        let action = match present(&self.action) {
            None => None,
            Some(v) => Some(AuditAction::parse(v).ok_or_else(|| {
                AppError::invalid("action", format!("{v:?} is not an audit action"))
            })?),
        };
        Ok(ReportFilters {
            from,
            to,
            article_id,
            assignee,
            status,
            action,
        })
    }
}

impl ReportFilters {
    /// The filters as recorded in the export event and printed in reports (only those set).
    pub fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        if let Some(f) = self.from {
            m.insert(
                "from".into(),
                json!(crate::audit::canonical::format_time(&f)),
            );
        }
        if let Some(t) = self.to {
            m.insert("to".into(), json!(crate::audit::canonical::format_time(&t)));
        }
        if let Some(a) = self.article_id {
            m.insert("article".into(), json!(a));
        }
        if let Some(a) = &self.assignee {
            m.insert("assignee".into(), json!(a));
        }
        if let Some(s) = self.status {
            m.insert("status".into(), json!(s.as_str()));
        }
        if let Some(a) = self.action {
            m.insert("action".into(), json!(a.as_str()));
        }
        Value::Object(m)
    }

    /// "from 2026-11-01T00:00:00Z, status verified" or "none", for people.
    pub fn describe(&self) -> String {
        let Value::Object(m) = self.to_json() else {
            return "none".into();
        };
        if m.is_empty() {
            return "none".into();
        }
        m.iter()
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k} {s}"),
                other => format!("{k} {other}"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The audit chain head a report is taken at: every event up to `seq`, the last one's `hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

impl ChainHead {
    /// The `X-Audit-Chain-Head` header value: `<seq> <hash>`.
    pub fn header_value(&self) -> String {
        format!("{} {}", self.seq, self.hash)
    }
}

/// One audit event with the names a reader needs, joined in.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_name: String,
    pub actor_email: String,
    pub action: String,
    pub article_title: String,
    pub claim_text: String,
    /// `before` and `after` as PostgreSQL prints the stored jsonb: exported as they are, not
    /// parsed and printed again (that was a fifth of an export's time).
    pub before: Option<String>,
    pub after: Option<String>,
    pub hash: String,
}

pub const CSV_HEADER: [&str; 10] = [
    "seq",
    "time",
    "actor_name",
    "actor_email",
    "action",
    "article_title",
    "claim_text",
    "before",
    "after",
    "hash",
];

impl ReportRow {
    pub fn time(&self) -> String {
        crate::audit::canonical::format_time(&self.occurred_at)
    }

    /// The date of [`Self::time`], for the printed table.
    pub fn date_part(&self) -> String {
        self.occurred_at.format("%Y-%m-%d").to_string()
    }

    /// The time of day of [`Self::time`] (UTC, microseconds), for the printed table.
    pub fn clock_part(&self) -> String {
        self.occurred_at.format("%H:%M:%S%.6fZ").to_string()
    }

    /// `before` as JSON text, empty when absent.
    pub fn before_json(&self) -> &str {
        self.before.as_deref().unwrap_or("")
    }

    /// `after` as JSON text, empty when absent.
    pub fn after_json(&self) -> &str {
        self.after.as_deref().unwrap_or("")
    }

    /// Appends the row as one CSV record, in [`CSV_HEADER`] order.
    pub fn write_csv(&self, out: &mut String) {
        let seq = self.seq.to_string();
        let time = self.time();
        write_csv_record(
            out,
            &[
                seq.as_str(),
                &time,
                &self.actor_name,
                &self.actor_email,
                &self.action,
                &self.article_title,
                &self.claim_text,
                self.before_json(),
                self.after_json(),
                &self.hash,
            ],
        );
    }

    /// Appends the row as a JSON object (before/after stay JSON, not strings).
    pub fn write_json(&self, out: &mut String) {
        let text = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
        // Writing to a String cannot fail.
        let _ = std::fmt::Write::write_fmt(
            out,
            format_args!(
                "{{\"seq\":{},\"time\":{},\"actor\":{{\"name\":{},\"email\":{}}},\"action\":{},\
             \"article_title\":{},\"claim_text\":{},\"before\":{},\"after\":{},\"hash\":{}}}",
                self.seq,
                text(&self.time()),
                text(&self.actor_name),
                text(&self.actor_email),
                text(&self.action),
                text(&self.article_title),
                text(&self.claim_text),
                self.before.as_deref().unwrap_or("null"),
                self.after.as_deref().unwrap_or("null"),
                text(&self.hash),
            ),
        );
    }
}

/// Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
pub fn starts_like_formula(s: &str) -> bool {
    matches!(s.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r'))
}

/// One CSV cell: neutralised with a leading `'` when it would start a formula, then quoted per
/// RFC 4180 when it holds a comma, a quote, CR or LF (quotes doubled).
pub fn csv_cell(raw: &str) -> Cow<'_, str> {
    let neutral: Cow<'_, str> = if starts_like_formula(raw) {
        Cow::Owned(format!("'{raw}"))
    } else {
        Cow::Borrowed(raw)
    };
    if neutral.contains([',', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", neutral.replace('"', "\"\"")))
    } else {
        neutral
    }
}

/// Appends one CSV record (CRLF-terminated, as RFC 4180 says) to `out`.
pub fn write_csv_record<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_cell(cell.as_ref()));
    }
    out.push_str("\r\n");
}

/// The attachment's file name: says what it is, when it was made and the head it was taken at.
pub fn file_name(format: ReportFormat, generated_at: DateTime<Utc>, head: &ChainHead) -> String {
    format!(
        "claimtracker-audit-{}-head-{}.{}",
        generated_at.format("%Y-%m-%d"),
        head.seq,
        format.as_str()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_neutralised_and_quoted() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("\r\n"), "\"'\r\n\"");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn filters_name_the_bad_one() {
        let bad = |q: &str| {
            RawFilters::from_query(q)
                .and_then(|r| r.parse())
                .unwrap_err()
                .field()
                .map(str::to_string)
        };
        assert_eq!(bad("from=yesterday").as_deref(), Some("from"));
        assert_eq!(bad("to=2026-13-01").as_deref(), Some("to"));
        assert_eq!(bad("article=x").as_deref(), Some("article"));
        assert_eq!(bad("status=done").as_deref(), Some("status"));
        assert_eq!(bad("action=claim.deleted").as_deref(), Some("action"));
        assert_eq!(bad("assignee=bob").as_deref(), Some("assignee"));
        assert_eq!(bad("colour=red").as_deref(), Some("colour"));
        assert_eq!(bad("from=2026-11-02&to=2026-11-01").as_deref(), Some("to"));
    }

    #[test]
    fn a_plain_to_date_includes_the_whole_day() {
        let f = RawFilters::from_query("from=2026-11-01&to=2026-11-01")
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(f.to.unwrap() - f.from.unwrap(), chrono::Duration::days(1));
    }
}
