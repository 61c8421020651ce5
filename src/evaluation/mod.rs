//! The `extract` and `eval` commands: the extractor's output as JSON lines, and its quality
//! measured on the labelled datasets and the annotated fixture. No database needed.

pub mod attribution;
pub mod checkworthiness;
pub mod fixture;
pub mod train;

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use serde::Serialize;

use crate::extraction::{self, ClaimKind, Input, Signal, attribute, segment};

/// Default dataset and fixture locations, relative to the crate root (never copied into the repo).
pub const DEFAULT_CHECKWORTHINESS: &str = "../shared/datasets/checkworthiness/dev.jsonl";
pub const DEFAULT_ATTRIBUTION: &str = "../shared/datasets/attribution/dev.jsonl";
pub const DEFAULT_FIXTURE: &str = "../shared/fixtures/articles/xi-blinken-edge-singapore.txt";

/// `claimtracker extract`: candidates as JSON lines; with `sentences`, one verdict per input line.
pub fn run_extract(
    input: &str,
    is_html: bool,
    sentences: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if sentences {
        for line in input.lines() {
            let verdict = sentence_verdict(line);
            writeln!(out, "{}", serde_json::to_string(&verdict)?)?;
        }
        return Ok(());
    }
    let input = if is_html {
        Input::Html(input)
    } else {
        Input::Text(input)
    };
    for candidate in extraction::extract(input).candidates {
        writeln!(out, "{}", serde_json::to_string(&candidate)?)?;
    }
    Ok(())
}

/// One line of `extract --sentences` output.
#[derive(Debug, Serialize)]
pub struct SentenceVerdict {
    pub text: String,
    pub checkworthy: bool,
    pub score: f32,
    pub signals: Vec<Signal>,
    pub speaker: Option<String>,
    pub kind: ClaimKind,
}

/// Scores and attributes one sentence on its own, without cleaning it.
pub fn sentence_verdict(line: &str) -> SentenceVerdict {
    let scored = extraction::score::score_sentence(line);
    let attribution = attribute::attribute(line, &segment::paragraphs(line))
        .into_iter()
        .find_map(|unit| unit.attribution);
    let mut signals = scored.signals;
    if attribution.is_some() {
        signals.push(Signal::Quote);
        signals.sort();
        signals.dedup();
    }
    SentenceVerdict {
        text: line.to_string(),
        checkworthy: scored.score >= extraction::score::THRESHOLD,
        score: scored.score,
        signals,
        speaker: attribution.as_ref().and_then(|a| a.speaker.clone()),
        kind: attribution.map_or(ClaimKind::Assertion, |a| a.kind),
    }
}

/// Where `claimtracker eval` reads its data; `None` means the default path.
#[derive(Debug, Clone, Default)]
pub struct EvalArgs {
    pub checkworthiness: Option<PathBuf>,
    pub attribution: Option<PathBuf>,
    pub fixture: Option<PathBuf>,
    /// List the misses under each report.
    pub misses: bool,
}

/// `claimtracker eval`: the extractor quality report.
pub fn run_eval(args: &EvalArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let path = |given: &Option<PathBuf>, default: &str| {
        given.clone().unwrap_or_else(|| PathBuf::from(default))
    };
    let checkworthiness = path(&args.checkworthiness, DEFAULT_CHECKWORTHINESS);
    let attribution = path(&args.attribution, DEFAULT_ATTRIBUTION);
    let fixture = path(&args.fixture, DEFAULT_FIXTURE);

    let report = checkworthiness::evaluate(&read(&checkworthiness)?)
        .with_context(|| format!("evaluating {}", checkworthiness.display()))?;
    writeln!(out, "check-worthiness ({})", checkworthiness.display())?;
    report.write(out)?;

    let report = attribution::evaluate(&read(&attribution)?)
        .with_context(|| format!("evaluating {}", attribution.display()))?;
    writeln!(out, "\nattribution ({})", attribution.display())?;
    report.write(out)?;
    if args.misses {
        writeln!(
            out,
            "  misses (mention | cue | speaker given | candidate text):"
        )?;
        for miss in &report.misses {
            writeln!(out, "    {miss}")?;
        }
    }

    let expected_path = fixture::expected_path(&fixture);
    let report = fixture::evaluate(&read(&fixture)?, &read(&expected_path)?)
        .with_context(|| format!("evaluating {}", expected_path.display()))?;
    writeln!(out, "\nfixture ({})", fixture.display())?;
    report.write(out)?;
    Ok(())
}

fn read(path: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// `part / whole`, 0 when there is no whole.
pub(crate) fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &str, sentences: bool) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        assert!(run_extract(input, false, sentences, &mut out).is_ok());
        String::from_utf8_lossy(&out)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or(serde_json::Value::Null))
            .collect()
    }

    #[test]
    fn sentences_mode_prints_one_line_per_input_line() {
        let lines = run(
            "Unemployment fell to 3.5% in May, the lowest in 50 years.\n\n\"We will win,\" Trump said.\nHello there",
            true,
        );
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[1]["text"], "");
        assert_eq!(lines[2]["speaker"], "Trump");
        assert_eq!(lines[2]["kind"], "direct_quote");
        assert_eq!(lines[3]["kind"], "assertion");
        assert!(lines[3]["speaker"].is_null());
        for line in &lines {
            for key in ["text", "checkworthy", "score", "signals", "speaker", "kind"] {
                assert!(line.get(key).is_some(), "{key} missing in {line}");
            }
        }
    }

    #[test]
    fn normal_mode_prints_candidates() {
        let lines = run(
            "“Prices rose 4% last year,” the minister said on Monday.\n\nThe sky is nice.",
            false,
        );
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["speaker"], "minister");
        assert_eq!(lines[0]["quote"]["start"], 0);
    }
}
