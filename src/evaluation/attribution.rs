//! Attribution quality on PolNeAR-style data, measured as issue 5 defines it.
//!
//! Each article is its distinct paragraphs joined by blank lines, run through `extract`. An
//! attribution is *found* when a candidate's `text` or `quote.exact` holds at least half of the
//! quote's words of three or more letters, and *right* when that candidate's speaker contains the
//! last word of the speaker mention. The measured set is the attributions whose mention ends in a
//! capitalised word that is not a pronoun (a name or a named organisation). Where several
//! candidates hold the quote, "that candidate" is the one holding most of its words (the first
//! in body order on a tie); the lenient count (any holding candidate) is shown beside it.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;

use serde::Deserialize;

use crate::extraction::{Candidate, Input, extract};

const PRONOUNS: &[&str] = &[
    "i", "he", "she", "they", "it", "we", "you", "him", "her", "them", "his", "its", "their", "us",
    "me", "who", "which", "that", "one",
];

#[derive(Debug, Deserialize)]
struct Row {
    doc: String,
    text: String,
    quote: String,
    #[serde(default)]
    cue: String,
    #[serde(default)]
    speaker: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub articles: usize,
    pub attributions: usize,
    /// Attributions with a named speaker: the measured set.
    pub named: usize,
    pub named_found: usize,
    pub named_right: usize,
    pub named_right_any: usize,
    /// All attributions with any speaker (pronouns included): recall of the extractor.
    pub with_speaker: usize,
    pub with_speaker_found: usize,
    /// Candidates the extractor attributed to someone, and how many match a labelled quote.
    pub attributed_candidates: usize,
    pub attributed_matching: usize,
    /// Named attributions found with the wrong speaker or not found: `mention | cue | got | text`.
    pub misses: Vec<String>,
}

impl Report {
    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let r = super::ratio;
        writeln!(
            out,
            "  articles {}  attributions {}  named speakers {}",
            self.articles, self.attributions, self.named
        )?;
        writeln!(
            out,
            "  named: found {:.3} ({}/{})  right speaker {:.3} ({}/{})  [any holding candidate: {:.3}]",
            r(self.named_found, self.named),
            self.named_found,
            self.named,
            r(self.named_right, self.named),
            self.named_right,
            self.named,
            r(self.named_right_any, self.named)
        )?;
        writeln!(
            out,
            "  recall (all with a speaker) {:.3}  precision (attributed candidates) {:.3} ({}/{})  speaker accuracy on found {:.3}",
            r(self.with_speaker_found, self.with_speaker),
            r(self.attributed_matching, self.attributed_candidates),
            self.attributed_matching,
            self.attributed_candidates,
            r(self.named_right, self.named_found)
        )
    }
}

/// Lower-cased words of three or more letters.
fn long_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect()
}

/// How many of `quote_words` a candidate holds, in its text or its exact span.
fn held(quote_words: &[String], candidate: &Candidate) -> usize {
    let words: HashSet<String> = long_words(&candidate.text)
        .into_iter()
        .chain(long_words(&candidate.quote.exact))
        .collect();
    quote_words.iter().filter(|w| words.contains(*w)).count()
}

fn holds(quote_words: &[String], count: usize) -> bool {
    !quote_words.is_empty() && count * 2 >= quote_words.len()
}

/// The last word of a mention if it makes the mention a name: capitalised, not a pronoun.
pub fn named_last_word(speaker: &str) -> Option<String> {
    // Trailing punctuation is not part of the word ("Coalition,"); a leading bracket or quote
    // means the mention ends in an aside such as "(D-Mo.)", not in a capitalised word.
    let last = speaker
        .split_whitespace()
        .last()?
        .trim_end_matches(|c: char| !c.is_alphanumeric());
    let capitalised = last.chars().next().is_some_and(char::is_uppercase);
    (capitalised && !PRONOUNS.contains(&last.to_lowercase().as_str())).then(|| last.to_string())
}

/// Evaluates every row of a JSON-lines attribution file.
pub fn evaluate(jsonl: &str) -> anyhow::Result<Report> {
    let mut docs: BTreeMap<String, (Vec<String>, Vec<Row>)> = BTreeMap::new();
    for (number, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row: Row =
            serde_json::from_str(line).map_err(|e| anyhow::anyhow!("line {}: {e}", number + 1))?;
        let (paragraphs, rows) = docs.entry(row.doc.clone()).or_default();
        if !paragraphs.contains(&row.text) {
            paragraphs.push(row.text.clone());
        }
        rows.push(row);
    }
    let mut report = Report::default();
    for (paragraphs, rows) in docs.values() {
        report.articles += 1;
        let article = paragraphs.join("\n\n");
        let candidates = extract(Input::Text(&article)).candidates;
        let gold_words: Vec<Vec<String>> = rows.iter().map(|r| long_words(&r.quote)).collect();
        for candidate in candidates.iter().filter(|c| c.speaker.is_some()) {
            report.attributed_candidates += 1;
            if gold_words.iter().any(|w| holds(w, held(w, candidate))) {
                report.attributed_matching += 1;
            }
        }
        for (row, quote_words) in rows.iter().zip(&gold_words) {
            report.attributions += 1;
            let Some(speaker) = row.speaker.as_deref().filter(|s| !s.trim().is_empty()) else {
                continue;
            };
            let holding: Vec<(usize, &Candidate)> = candidates
                .iter()
                .map(|c| (held(quote_words, c), c))
                .filter(|(count, _)| holds(quote_words, *count))
                .collect();
            report.with_speaker += 1;
            if !holding.is_empty() {
                report.with_speaker_found += 1;
            }
            let Some(last) = named_last_word(speaker) else {
                continue;
            };
            report.named += 1;
            if holding.is_empty() {
                report.misses.push(format!(
                    "{speaker} | {} | NOT FOUND | {}",
                    row.cue, row.quote
                ));
                continue;
            }
            report.named_found += 1;
            let names = |c: &Candidate| {
                c.speaker
                    .as_deref()
                    .is_some_and(|s| s.to_lowercase().contains(&last.to_lowercase()))
            };
            let best =
                holding
                    .iter()
                    .fold(None, |best: Option<&(usize, &Candidate)>, h| match best {
                        Some(b) if b.0 >= h.0 => Some(b),
                        _ => Some(h),
                    });
            if best.is_some_and(|(_, c)| names(c)) {
                report.named_right += 1;
            } else if let Some((_, c)) = best {
                report.misses.push(format!(
                    "{speaker} | {} | {:?} | {}",
                    row.cue, c.speaker, c.text
                ));
            }
            if holding.iter().any(|(_, c)| names(c)) {
                report.named_right_any += 1;
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_mentions_only() {
        assert_eq!(named_last_word("Mrs. Clinton").as_deref(), Some("Clinton"));
        assert_eq!(named_last_word("WikiLeaks").as_deref(), Some("WikiLeaks"));
        assert_eq!(named_last_word("He"), None);
        assert_eq!(named_last_word("Sen. Claire McCaskill (D-Mo.)"), None);
        assert_eq!(
            named_last_word("Phil Smith, a spokesman for the Mine Workers,").as_deref(),
            Some("Workers")
        );
        assert_eq!(named_last_word("a source"), None);
    }

    #[test]
    fn found_and_right_on_a_tiny_set() {
        let rows = [
            r#"{"doc": "d1", "text": "“We will build the wall and Mexico will pay,” Donald Trump said on Tuesday.", "quote": "We will build the wall and Mexico will pay", "speaker": "Trump"}"#,
            r#"{"doc": "d1", "text": "Hello there, friends.", "quote": "Goodbye everyone forever", "speaker": "Officials"}"#,
        ]
        .join("\n");
        let report = evaluate(&rows).unwrap_or_default();
        assert_eq!(report.named, 2);
        assert_eq!(report.named_found, 1);
        assert_eq!(report.named_right, 1);
    }
}
