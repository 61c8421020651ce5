//! Article rows, validated input, and the JSON shape clients see.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::claims::model::PersonView;
use crate::error::AppError;
use crate::schema::articles;

pub const MAX_TITLE_CHARS: usize = 500;
pub const MAX_META_CHARS: usize = 300;
pub const MAX_URL_CHARS: usize = 2_000;

/// A stored article (every column but the search vector).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = articles, check_for_backend(diesel::pg::Pg))]
pub struct Article {
    pub id: i64,
    pub title: String,
    pub url: Option<String>,
    pub publisher: Option<String>,
    pub wire_service: Option<String>,
    pub author: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub raw_html: Option<String>,
    pub raw_text: Option<String>,
    pub body_text: String,
    pub content_hash: String,
    pub ingested_by: Option<i64>,
    pub ingested_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = articles)]
pub struct NewArticle {
    pub title: String,
    pub url: Option<String>,
    pub publisher: Option<String>,
    pub wire_service: Option<String>,
    pub author: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub raw_html: Option<String>,
    pub raw_text: Option<String>,
    pub body_text: String,
    pub content_hash: String,
    pub ingested_by: Option<i64>,
}

/// The original input: plain text or an HTML page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Text(String),
    Html(String),
}

/// Validated article input, from the API, the form or the command line.
#[derive(Debug, Clone)]
pub struct ArticleInput {
    pub title: String,
    pub url: Option<String>,
    pub publisher: Option<String>,
    pub wire_service: Option<String>,
    pub author: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub source: Source,
}

/// Raw fields as they arrive; `parse` validates them, naming the first bad field.
#[derive(Debug, Clone, Default)]
pub struct RawArticle {
    pub title: Option<String>,
    pub url: Option<String>,
    pub publisher: Option<String>,
    pub wire_service: Option<String>,
    pub author: Option<String>,
    pub published_at: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
}

/// Size limits for article bodies, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_text_bytes: usize,
    pub max_html_bytes: usize,
}

impl RawArticle {
    pub fn parse(self, limits: Limits) -> Result<ArticleInput, AppError> {
        let title = self.title.as_deref().map(str::trim).unwrap_or_default();
        if title.is_empty() {
            return Err(AppError::invalid("title", "is required"));
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(AppError::invalid(
                "title",
                format!("must be at most {MAX_TITLE_CHARS} characters"),
            ));
        }
        let url = match self.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            None => None,
            Some(u) if u.chars().count() > MAX_URL_CHARS => {
                return Err(AppError::invalid(
                    "url",
                    format!("must be at most {MAX_URL_CHARS} characters"),
                ));
            }
            Some(u) if is_http_url(u) => Some(u.to_string()),
            Some(_) => {
                return Err(AppError::invalid(
                    "url",
                    "must be an http:// or https:// address",
                ));
            }
        };
        let published_at = match self
            .published_at
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            None => None,
            Some(v) => Some(parse_time(v).ok_or_else(|| {
                AppError::invalid(
                    "published_at",
                    "must be a date (2024-06-19) or an RFC 3339 time (2024-06-19T08:00:00Z)",
                )
            })?),
        };
        let text = self.text.filter(|t| !t.trim().is_empty());
        let html = self.html.filter(|t| !t.trim().is_empty());
        let source = match (text, html) {
            (Some(_), Some(_)) => {
                return Err(AppError::invalid(
                    "text",
                    "send either text or html, not both",
                ));
            }
            (None, None) => {
                return Err(AppError::invalid(
                    "text",
                    "send the article as text or html",
                ));
            }
            (Some(t), None) => {
                if t.len() > limits.max_text_bytes {
                    return Err(AppError::PayloadTooLarge {
                        limit: limits.max_text_bytes,
                    });
                }
                Source::Text(strip_nul(t))
            }
            (None, Some(h)) => {
                if h.len() > limits.max_html_bytes {
                    return Err(AppError::PayloadTooLarge {
                        limit: limits.max_html_bytes,
                    });
                }
                Source::Html(strip_nul(h))
            }
        };
        Ok(ArticleInput {
            title: title.to_string(),
            url,
            publisher: meta("publisher", self.publisher)?,
            wire_service: meta("wire_service", self.wire_service)?,
            author: meta("author", self.author)?,
            published_at,
            source,
        })
    }
}

fn meta(field: &str, raw: Option<String>) -> Result<Option<String>, AppError> {
    match raw.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if v.chars().count() > MAX_META_CHARS => Err(AppError::invalid(
            field,
            format!("must be at most {MAX_META_CHARS} characters"),
        )),
        Some(v) => Ok(Some(v.to_string())),
    }
}

/// PostgreSQL text cannot hold NUL; it never carries meaning in an article.
fn strip_nul(s: String) -> String {
    if s.contains('\0') {
        s.replace('\0', "")
    } else {
        s
    }
}

pub fn is_http_url(u: &str) -> bool {
    let lower = u.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && u.len() > "https://".len()
        && !u.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A date, a datetime-local value from a form, or RFC 3339.
pub fn parse_time(v: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M") {
        return Some(t.and_utc());
    }
    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// The article as the API answers it.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleView {
    pub id: i64,
    pub title: String,
    pub url: Option<String>,
    pub publisher: Option<String>,
    pub wire_service: Option<String>,
    pub author: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub body_text: String,
    pub content_hash: String,
    /// `text` or `html`: what was ingested (kept as it came).
    pub source_format: &'static str,
    pub ingested_by: Option<PersonView>,
    pub ingested_at: DateTime<Utc>,
}

impl ArticleView {
    pub fn new(a: Article, ingested_by: Option<PersonView>) -> ArticleView {
        ArticleView {
            source_format: if a.raw_html.is_some() { "html" } else { "text" },
            id: a.id,
            title: a.title,
            url: a.url,
            publisher: a.publisher,
            wire_service: a.wire_service,
            author: a.author,
            published_at: a.published_at,
            body_text: a.body_text,
            content_hash: a.content_hash,
            ingested_by,
            ingested_at: a.ingested_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_text_bytes: 100,
        max_html_bytes: 200,
    };

    fn raw() -> RawArticle {
        RawArticle {
            title: Some("A title".into()),
            text: Some("Some text.".into()),
            ..RawArticle::default()
        }
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases: Vec<(RawArticle, &str)> = vec![
            (
                RawArticle {
                    title: None,
                    ..raw()
                },
                "title",
            ),
            (
                RawArticle {
                    url: Some("ftp://x".into()),
                    ..raw()
                },
                "url",
            ),
            (
                RawArticle {
                    url: Some("javascript:alert(1)".into()),
                    ..raw()
                },
                "url",
            ),
            (
                RawArticle {
                    published_at: Some("yesterday".into()),
                    ..raw()
                },
                "published_at",
            ),
            (
                RawArticle {
                    html: Some("<p>x</p>".into()),
                    ..raw()
                },
                "text",
            ),
            (
                RawArticle {
                    text: None,
                    ..raw()
                },
                "text",
            ),
            (
                RawArticle {
                    publisher: Some("p".repeat(301)),
                    ..raw()
                },
                "publisher",
            ),
        ];
        for (input, field) in cases {
            assert_eq!(input.parse(LIMITS).unwrap_err().field(), Some(field));
        }
    }

    #[test]
    fn oversized_bodies_are_413() {
        let big = RawArticle {
            text: Some("x".repeat(101)),
            ..raw()
        };
        assert!(matches!(
            big.parse(LIMITS),
            Err(AppError::PayloadTooLarge { limit: 100 })
        ));
    }

    #[test]
    fn dates_parse_in_three_forms() {
        for v in [
            "2024-06-19",
            "2024-06-19T08:00",
            "2024-06-19T08:00:00+02:00",
        ] {
            assert!(parse_time(v).is_some(), "{v}");
        }
    }
}
