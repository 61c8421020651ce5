//! The hand-annotated fixture article: claims found, right speakers, furniture leaks and the
//! speaker-resolution traps.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::extraction::{Candidate, Extraction, Input, extract};

/// `x.txt` → `x.expected.json`, beside it.
pub fn expected_path(fixture: &Path) -> PathBuf {
    let stem = fixture
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    fixture.with_file_name(format!("{stem}.expected.json"))
}

#[derive(Debug, Deserialize)]
struct Expected {
    claims: Vec<ExpectedClaim>,
    not_claims: Vec<String>,
    speaker_resolution_traps: Vec<Trap>,
}

#[derive(Debug, Deserialize)]
struct ExpectedClaim {
    contains: String,
    /// `null`, or acceptable names (which may include `null`).
    #[serde(default)]
    speaker: Option<SpeakerList>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum SpeakerList {
    One(String),
    Many(Vec<Option<String>>),
}

#[derive(Debug, Deserialize)]
struct Trap {
    contains: String,
    speaker: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub claims: usize,
    pub found: usize,
    pub right_speaker: usize,
    pub furniture: usize,
    /// Furniture strings that reached a candidate.
    pub furniture_leaks: Vec<String>,
    /// Furniture strings still in the cleaned body (stricter than leaks).
    pub furniture_in_body: usize,
    pub traps: usize,
    pub traps_right: usize,
    /// One line per miss, for the report.
    pub misses: Vec<String>,
}

impl Report {
    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(
            out,
            "  claims found {}/{}  right speaker {}/{}\n  furniture leaks {} of {} (in body text: {})  resolution traps {}/{}",
            self.found,
            self.claims,
            self.right_speaker,
            self.claims,
            self.furniture_leaks.len(),
            self.furniture,
            self.furniture_in_body,
            self.traps_right,
            self.traps
        )?;
        for miss in &self.misses {
            writeln!(out, "  - {miss}")?;
        }
        Ok(())
    }
}

/// Quotes and apostrophes compared loosely: annotations use both straight and curly ones.
fn normalise(s: &str) -> String {
    s.replace(['’', '‘'], "'")
}

fn find<'a>(extraction: &'a Extraction, contains: &str) -> Option<&'a Candidate> {
    let wanted = normalise(contains);
    extraction.candidates.iter().find(|c| {
        normalise(&c.text).contains(&wanted) || normalise(&c.quote.exact).contains(&wanted)
    })
}

fn same_speaker(got: Option<&str>, want: Option<&str>) -> bool {
    match (got, want) {
        (None, None) => true,
        (Some(got), Some(want)) => normalise(got) == normalise(want),
        _ => false,
    }
}

/// Runs the extractor on the fixture text and checks it against its annotations.
pub fn evaluate(text: &str, expected_json: &str) -> anyhow::Result<Report> {
    let expected: Expected = serde_json::from_str(expected_json)?;
    let extraction = extract(Input::Text(text));
    let mut report = Report {
        claims: expected.claims.len(),
        furniture: expected.not_claims.len(),
        traps: expected.speaker_resolution_traps.len(),
        ..Report::default()
    };
    for claim in &expected.claims {
        let Some(candidate) = find(&extraction, &claim.contains) else {
            report.misses.push(format!("not found: {}", claim.contains));
            continue;
        };
        report.found += 1;
        let acceptable: Vec<Option<String>> = match &claim.speaker {
            None => vec![None],
            Some(SpeakerList::One(name)) => vec![Some(name.clone())],
            Some(SpeakerList::Many(names)) => names.clone(),
        };
        if acceptable
            .iter()
            .any(|want| same_speaker(candidate.speaker.as_deref(), want.as_deref()))
        {
            report.right_speaker += 1;
        } else {
            report.misses.push(format!(
                "speaker {:?} for: {}",
                candidate.speaker, claim.contains
            ));
        }
    }
    for furniture in &expected.not_claims {
        if find(&extraction, furniture).is_some() {
            report.furniture_leaks.push(furniture.clone());
            report.misses.push(format!("furniture leaked: {furniture}"));
        }
        if normalise(&extraction.body_text).contains(&normalise(furniture)) {
            report.furniture_in_body += 1;
        }
    }
    for trap in &expected.speaker_resolution_traps {
        let candidate = find(&extraction, &trap.contains);
        let right = match (candidate, trap.speaker.as_deref()) {
            (None, None) => true,
            (Some(c), want) => same_speaker(c.speaker.as_deref(), want),
            (None, Some(_)) => false,
        };
        if right {
            report.traps_right += 1;
        } else {
            report.misses.push(format!(
                "trap {:?}: got {:?}",
                trap.contains,
                candidate.and_then(|c| c.speaker.clone())
            ));
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/articles/xi-blinken-edge-singapore.txt"
    ));
    const EXPECTED: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/articles/xi-blinken-edge-singapore.expected.json"
    ));

    #[test]
    fn expected_path_sits_beside_the_fixture() {
        assert_eq!(
            expected_path(Path::new("a/b/x.txt")),
            PathBuf::from("a/b/x.expected.json")
        );
    }

    #[test]
    fn fixture_meets_the_attribution_targets() {
        let report = evaluate(FIXTURE, EXPECTED).unwrap_or_default();
        assert_eq!(report.claims, 20);
        assert!(report.furniture_leaks.is_empty(), "{:?}", report.misses);
        assert_eq!(report.furniture_in_body, 0, "{:?}", report.misses);
        assert_eq!(report.traps_right, 5, "{:?}", report.misses);
        // The 16 attributed claims are found whatever the scorer says; the 4 in the article's
        // own voice also need the check-worthiness model, so `eval` reports them (20/20 with the
        // committed weights) and this test asks for the attributed ones.
        assert!(report.found >= 16, "{:?}", report.misses);
        assert!(
            report.found - report.right_speaker <= 2,
            "{:?}",
            report.misses
        );
    }
}
