//! Claim extraction: a pure function from an article (text or HTML) to its cleaned body and
//! anchored, attributed, scored candidate claims. No database, network or clock in here.

pub mod anchor;
pub mod attribute;
pub mod clean;
pub mod model;
pub mod score;
pub mod segment;

pub use model::{Candidate, ClaimKind, Extraction, Input, Quote, Scored, Signal};

/// The cleaned `body_text` that claims are anchored in (what ingestion stores).
pub fn clean(input: Input) -> String {
    match input {
        Input::Text(text) => clean::clean_text(text),
        Input::Html(html) => clean::clean_html(html),
    }
}

/// Cleans the input and proposes its candidate claims, in body order.
pub fn extract(input: Input) -> Extraction {
    let body_text = clean(input);
    let candidates = candidates(&body_text);
    Extraction {
        body_text,
        candidates,
    }
}

/// Candidate claims of an already cleaned body: every attributed statement, and every sentence
/// in the article's own voice that scores at or above the threshold.
pub fn candidates(body: &str) -> Vec<Candidate> {
    let paragraphs = segment::paragraphs(body);
    let units = attribute::attribute(body, &paragraphs);
    let mut anchors = anchor::Anchors::new(body);
    let mut out = Vec::new();
    for unit in units {
        let text = &body[unit.span.clone()];
        let scored = score::score_sentence(text);
        let candidate = match unit.attribution {
            Some(attribution) => {
                let mut signals = scored.signals;
                signals.push(Signal::Quote);
                signals.sort();
                signals.dedup();
                Candidate {
                    text: text.to_string(),
                    quote: anchors.quote(unit.span),
                    speaker: attribution.speaker,
                    speaker_role: attribution.speaker_role,
                    via: attribution.via,
                    cue: attribution.cue,
                    kind: attribution.kind,
                    signals,
                    score: scored.score,
                }
            }
            None if scored.score >= score::THRESHOLD => Candidate {
                text: text.to_string(),
                quote: anchors.quote(unit.span),
                speaker: None,
                speaker_role: None,
                via: None,
                cue: None,
                kind: ClaimKind::Assertion,
                signals: scored.signals,
                score: scored.score,
            },
            None => continue,
        };
        out.push(candidate);
    }
    out
}
