//! The types the extractor emits. Serialised names follow DESIGN.md §1.

use serde::{Deserialize, Serialize};

/// How a claim is voiced in the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    /// The speaker's words in quotation marks.
    DirectQuote,
    /// Indirect speech ("X said that ...").
    Reported,
    /// Partly quoted ("X said Taiwan is “the core of the core interests”").
    Mixed,
    /// The article's own voice.
    Assertion,
}

impl ClaimKind {
    pub const ALL: [ClaimKind; 4] = [
        ClaimKind::DirectQuote,
        ClaimKind::Reported,
        ClaimKind::Mixed,
        ClaimKind::Assertion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClaimKind::DirectQuote => "direct_quote",
            ClaimKind::Reported => "reported",
            ClaimKind::Mixed => "mixed",
            ClaimKind::Assertion => "assertion",
        }
    }

    pub fn parse(s: &str) -> Option<ClaimKind> {
        ClaimKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Why a sentence is check-worthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    Number,
    Quantity,
    Date,
    TimeSpan,
    Superlative,
    Comparison,
    Ranking,
    Causal,
    NamedEntity,
    Quote,
}

impl Signal {
    pub const ALL: [Signal; 10] = [
        Signal::Number,
        Signal::Quantity,
        Signal::Date,
        Signal::TimeSpan,
        Signal::Superlative,
        Signal::Comparison,
        Signal::Ranking,
        Signal::Causal,
        Signal::NamedEntity,
        Signal::Quote,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Number => "number",
            Signal::Quantity => "quantity",
            Signal::Date => "date",
            Signal::TimeSpan => "time_span",
            Signal::Superlative => "superlative",
            Signal::Comparison => "comparison",
            Signal::Ranking => "ranking",
            Signal::Causal => "causal",
            Signal::NamedEntity => "named_entity",
            Signal::Quote => "quote",
        }
    }

    pub fn parse(s: &str) -> Option<Signal> {
        Signal::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// W3C Web Annotation TextQuoteSelector + TextPositionSelector over `body_text`.
/// `start`/`end` count Unicode scalar values (chars); `end` is exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub exact: String,
    pub prefix: String,
    pub suffix: String,
    pub start: usize,
    pub end: usize,
}

/// Check-worthiness of one sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    /// In 0..=1.
    pub score: f32,
    /// Sorted, without duplicates.
    pub signals: Vec<Signal>,
}

/// One candidate claim, as the extractor proposes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub text: String,
    pub quote: Quote,
    pub speaker: Option<String>,
    pub speaker_role: Option<String>,
    pub via: Option<String>,
    pub cue: Option<String>,
    pub kind: ClaimKind,
    pub signals: Vec<Signal>,
    pub score: f32,
}

/// What the caller hands the extractor.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    Text(&'a str),
    Html(&'a str),
}

/// The cleaned body and the candidates found in it, in body order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    pub body_text: String,
    pub candidates: Vec<Candidate>,
}
