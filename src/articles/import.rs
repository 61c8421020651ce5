//! `claimtracker import FILE...`: each .txt or .html file becomes an article (or is found to be
//! a duplicate of one); a failing file is reported and the others still go in.

use std::io::Write;
use std::path::{Path, PathBuf};

use diesel::PgConnection;

use super::model::{Limits, RawArticle};
use super::service;
use crate::audit::AuditContext;

pub struct Options {
    pub title: Option<String>,
    pub url: Option<String>,
    pub publisher: Option<String>,
    pub limits: Limits,
}

/// Imports every file; returns how many failed. Prints `created ID PATH (N candidates)` or
/// `duplicate ID PATH` per file on `out`, and `failed PATH: reason` on `err`.
pub fn run(
    conn: &mut PgConnection,
    files: &[PathBuf],
    options: Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<usize> {
    let mut failed = 0;
    for path in files {
        match import_one(conn, path, &options) {
            Ok(outcome) if outcome.duplicate => {
                writeln!(out, "duplicate {} {}", outcome.article.id, path.display())?
            }
            Ok(outcome) => writeln!(
                out,
                "created {} {} ({} candidates)",
                outcome.article.id,
                path.display(),
                outcome.claims.len()
            )?,
            Err(e) => {
                failed += 1;
                writeln!(err, "failed {}: {e}", path.display())?;
            }
        }
    }
    Ok(failed)
}

fn import_one(
    conn: &mut PgConnection,
    path: &Path,
    options: &Options,
) -> anyhow::Result<service::IngestOutcome> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let is_html = match ext.as_str() {
        "html" | "htm" => true,
        "txt" | "text" => false,
        _ => anyhow::bail!("only .txt and .html files can be imported"),
    };
    let bytes = std::fs::read(path)?;
    let content =
        String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("the file is not valid UTF-8"))?;
    let title = options
        .title
        .clone()
        .or_else(|| if is_html { html_title(&content) } else { None })
        .unwrap_or_else(|| title_from_file_name(path));
    let raw = RawArticle {
        title: Some(title),
        url: options.url.clone(),
        publisher: options.publisher.clone(),
        text: (!is_html).then(|| content.clone()),
        html: is_html.then_some(content),
        ..RawArticle::default()
    };
    let input = raw
        .parse(options.limits)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    service::ingest(conn, &AuditContext::system(), input).map_err(|e| anyhow::anyhow!("{e}"))
}

/// The text of the first `<title>` element, if any.
fn html_title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = lower[start..].find('>')? + start + 1;
    let close = lower[open_end..].find("</title>")? + open_end;
    let title = html[open_end..close]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!title.is_empty()).then_some(title)
}

fn title_from_file_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let words = stem.replace(['-', '_'], " ");
    let words = words.trim();
    if words.is_empty() {
        "Untitled article".to_string()
    } else {
        words.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_the_page_or_the_file_name() {
        assert_eq!(
            html_title("<html><head><TITLE>\n Xi tells  Blinken </title>").as_deref(),
            Some("Xi tells Blinken")
        );
        assert_eq!(html_title("<p>no title</p>"), None);
        assert_eq!(
            title_from_file_name(Path::new("/x/xi-blinken_edge.txt")),
            "xi blinken edge"
        );
    }
}
