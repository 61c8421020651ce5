//! Check-worthiness: precision, recall and F1 of the check-worthy class on labelled sentences.

use std::io::Write;

use serde::Deserialize;

use crate::extraction::score::{THRESHOLD, score_sentence};

#[derive(Debug, Deserialize)]
struct Row {
    text: String,
    label: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub sentences: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
}

impl Report {
    pub fn precision(&self) -> f64 {
        super::ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    pub fn recall(&self) -> f64 {
        super::ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(
            out,
            "  sentences {}  threshold {THRESHOLD}\n  precision {:.3}  recall {:.3}  F1 {:.3}",
            self.sentences,
            self.precision(),
            self.recall(),
            self.f1()
        )
    }
}

/// Scores every `{"text", "label"}` line of a JSON-lines file.
pub fn evaluate(jsonl: &str) -> anyhow::Result<Report> {
    let mut report = Report {
        sentences: 0,
        true_positives: 0,
        false_positives: 0,
        false_negatives: 0,
    };
    for (number, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row: Row =
            serde_json::from_str(line).map_err(|e| anyhow::anyhow!("line {}: {e}", number + 1))?;
        let predicted = score_sentence(&row.text).score >= THRESHOLD;
        let actual = row.label == 1;
        report.sentences += 1;
        match (predicted, actual) {
            (true, true) => report.true_positives += 1,
            (true, false) => report.false_positives += 1,
            (false, true) => report.false_negatives += 1,
            (false, false) => {}
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_f1() {
        let report = Report {
            sentences: 10,
            true_positives: 3,
            false_positives: 1,
            false_negatives: 3,
        };
        assert!((report.precision() - 0.75).abs() < 1e-9);
        assert!((report.recall() - 0.5).abs() < 1e-9);
        assert!((report.f1() - 0.6).abs() < 1e-9);
    }

    #[test]
    fn malformed_line_is_an_error_naming_the_line() {
        let err = evaluate("{\"text\": \"a\", \"label\": 1}\nnot json").err();
        assert!(err.is_some_and(|e| e.to_string().starts_with("line 2")));
    }
}
