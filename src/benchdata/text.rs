//! Real-looking news text for the benchmark data: articles composed sentence by sentence from
//! word lists, each claim sentence remembered with its exact char span in the body.
//!
//! Varied on purpose: lengths, speakers, numbers and wording all differ, so that full-text
//! search, the speaker index and the page templates see data shaped like a newsroom's.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

const FIRST_NAMES: &[&str] = &[
    "Amara",
    "Ben",
    "Carla",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hiroshi",
    "Ingrid",
    "José",
    "Kwame",
    "Lucía",
    "Mei",
    "Nadia",
    "Oluwaseun",
    "Pavel",
    "Quentin",
    "Rosa",
    "Samir",
    "Tamsin",
    "Ulrich",
    "Valentina",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoë",
    "Aisha",
    "Bruno",
    "Chiara",
    "Declan",
    "Esther",
    "François",
    "Gabriela",
    "Henrik",
    "Isabel",
    "Jonas",
];

const SURNAMES: &[&str] = &[
    "Okafor",
    "Lindqvist",
    "Moreno",
    "Petrov",
    "Nakamura",
    "Haddad",
    "O'Brien",
    "Fischer",
    "Mensah",
    "García",
    "Chen",
    "Kowalski",
    "Dubois",
    "Rahman",
    "Silva",
    "Novak",
    "Andersen",
    "Müller",
    "Ivanova",
    "Bianchi",
    "Kaur",
    "Nguyen",
    "Schmidt",
    "Adeyemi",
    "Costa",
    "Yilmaz",
    "Hughes",
    "Tanaka",
    "Rossi",
    "Park",
    "Johansson",
    "Mbeki",
];

const ROLES: &[&str] = &[
    "the city's finance director",
    "a spokesperson for the health ministry",
    "chief executive of the port authority",
    "the transport secretary",
    "an economist at the central bank",
    "head of the regional water board",
    "the opposition's housing spokesperson",
    "director of the national statistics office",
    "a professor of public policy",
    "the mayor",
    "chair of the budget committee",
    "president of the teachers' union",
    "the police commissioner",
    "a senior analyst at the energy regulator",
    "the hospital trust's medical director",
    "founder of a local food bank",
    "the environment minister",
    "a researcher at the climate institute",
    "the council leader",
    "a former trade negotiator",
];

const VIAS: &[&str] = &[
    "a statement from the ministry",
    "figures published on Tuesday",
    "the annual report",
    "a parliamentary answer",
    "an interview with Reuters",
    "the agency's latest survey",
    "a briefing for reporters",
    "documents seen by this newspaper",
    "a post on social media",
    "the audit office",
];

const CUES: &[&str] = &[
    "said",
    "told reporters",
    "added",
    "wrote",
    "claimed",
    "noted",
    "insisted",
    "stated",
];

const SUBJECTS: &[&str] = &[
    "the city's transit budget",
    "hospital waiting times",
    "the number of rough sleepers",
    "average rents",
    "river pollution incidents",
    "school enrolment",
    "the regional unemployment rate",
    "electricity prices",
    "bus ridership",
    "recycling rates",
    "violent crime",
    "the housing backlog",
    "exports of grain",
    "the deficit",
    "emergency call response times",
    "childhood vaccination coverage",
    "new business registrations",
    "air quality alerts",
    "the prison population",
    "broadband coverage",
    "road deaths",
    "food bank referrals",
    "public sector pay",
    "tourist arrivals",
];

const VERBS: &[&str] = &[
    "rose by",
    "fell by",
    "reached",
    "doubled to",
    "dropped to",
    "climbed to",
    "grew by",
    "shrank by",
    "stood at",
    "increased by",
    "declined by",
    "hit",
];

const UNITS: &[&str] = &[
    "percent",
    "million dollars",
    "billion euros",
    "people",
    "minutes",
    "households",
    "tonnes",
    "cases",
    "jobs",
    "schools",
    "kilometres",
    "per cent of the total",
];

const WHEN: &[&str] = &[
    "last year",
    "over the past five years",
    "since March",
    "in the first quarter",
    "between 2019 and 2024",
    "in 2025",
    "during the pandemic",
    "in the decade to 2023",
    "this winter",
    "since the election",
];

/// Optional endings that make a sentence check-worthy in a particular way.
const TAILS: &[(&str, &str)] = &[
    (", the highest level since 2008", "superlative"),
    (", the lowest point in decades", "superlative"),
    (", more than any other region", "comparison"),
    (", twice the national average", "comparison"),
    (", largely because of higher fuel costs", "causal"),
    (", as a result of the new funding formula", "causal"),
    (", ranking third among the country's cities", "ranking"),
    ("", ""),
    ("", ""),
    ("", ""),
];

const FILLER: &[&str] = &[
    "The meeting ran late into the evening.",
    "Residents gathered outside the town hall before the vote.",
    "Officials did not respond to a request for comment.",
    "The proposal will be debated again next month.",
    "Critics have questioned the timing of the announcement.",
    "It was not immediately clear how the plan would be funded.",
    "Several councillors abstained.",
    "The report is expected to be published in full later this year.",
    "Campaigners welcomed the decision but called for more detail.",
    "What happens next is unclear.",
    "The committee will hear evidence from local businesses.",
    "Questions remain about how the figures were compiled.",
];

const PUBLISHERS: &[&str] = &[
    "The Northern Ledger",
    "City Observer",
    "Harbour Gazette",
    "The Valley Times",
    "Metro Daily",
    "The Evening Post",
    "Coastal Herald",
    "The Civic Record",
];

const WIRES: &[&str] = &["Reuters", "Associated Press", "AFP", "Bloomberg"];

/// A pool of a few hundred speaker names, fixed for a seed.
pub fn speakers(rng: &mut StdRng, count: usize) -> Vec<String> {
    let mut all: Vec<String> = FIRST_NAMES
        .iter()
        .flat_map(|f| SURNAMES.iter().map(move |s| format!("{f} {s}")))
        .collect();
    // A seeded partial shuffle: the first `count` are a random sample.
    let n = all.len();
    for i in 0..count.min(n) {
        let j = rng.random_range(i..n);
        all.swap(i, j);
    }
    all.truncate(count.min(n));
    all
}

/// One claim sentence, anchored into its article's body.
#[derive(Debug, Clone)]
pub struct ClaimText {
    pub text: String,
    /// Char offsets of `exact` in the body (end exclusive).
    pub start: usize,
    pub end: usize,
    pub exact: String,
    pub prefix: String,
    pub suffix: String,
    pub speaker: Option<String>,
    pub speaker_role: Option<String>,
    pub via: Option<String>,
    pub cue: Option<String>,
    pub kind: &'static str,
    pub signals: Vec<Option<String>>,
    /// Check-worthiness to four decimals (what `claim.created` records).
    pub score: f32,
}

#[derive(Debug, Clone)]
pub struct ArticleText {
    pub title: String,
    pub publisher: String,
    pub wire_service: Option<String>,
    pub author: String,
    pub slug: String,
    pub body: String,
    pub claims: Vec<ClaimText>,
}

fn pick<'a>(rng: &mut StdRng, items: &'a [&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or_default()
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A factual statement with a number, and the signals it carries.
fn content(rng: &mut StdRng) -> (String, Vec<&'static str>) {
    let subject = pick(rng, SUBJECTS);
    let verb = pick(rng, VERBS);
    let unit = pick(rng, UNITS);
    let when = pick(rng, WHEN);
    let number = if rng.random_bool(0.5) {
        format!("{}", rng.random_range(2..5_000))
    } else {
        format!("{}.{}", rng.random_range(0..100), rng.random_range(1..10))
    };
    let (tail, tail_signal) = TAILS.choose(rng).copied().unwrap_or(("", ""));
    let mut signals = vec!["number", "quantity"];
    if when.chars().any(|c| c.is_ascii_digit()) {
        signals.push("date");
    } else {
        signals.push("time_span");
    }
    if !tail_signal.is_empty() {
        signals.push(match tail_signal {
            "superlative" => "superlative",
            "comparison" => "comparison",
            "causal" => "causal",
            _ => "ranking",
        });
    }
    (
        format!("{subject} {verb} {number} {unit} {when}{tail}"),
        signals,
    )
}

/// Builds the body and keeps char offsets as it goes (counting chars, never bytes).
struct Body {
    text: String,
    chars: usize,
}

impl Body {
    fn push(&mut self, s: &str) -> (usize, usize) {
        let start = self.chars;
        self.text.push_str(s);
        self.chars += s.chars().count();
        (start, self.chars)
    }
}

/// An article of `claims` claim sentences among filler, in paragraphs of two to five sentences.
pub fn article(rng: &mut StdRng, speakers: &[String], claims: usize) -> ArticleText {
    let publisher = pick(rng, PUBLISHERS).to_string();
    let wire_service = rng.random_bool(0.2).then(|| pick(rng, WIRES).to_string());
    let author = speakers
        .choose(rng)
        .cloned()
        .unwrap_or_else(|| "Staff reporter".to_string());
    let (headline, _) = content(rng);
    let lead_speaker = speakers.choose(rng).cloned().unwrap_or_default();
    let surname = lead_speaker
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    let title = format!("{}, {surname} says", capitalise(&headline));
    let slug: String = headline
        .chars()
        .filter_map(|c| {
            if c.is_ascii_alphanumeric() {
                Some(c.to_ascii_lowercase())
            } else if c == ' ' {
                Some('-')
            } else {
                None
            }
        })
        .take(60)
        .collect();

    let mut body = Body {
        text: String::new(),
        chars: 0,
    };
    // Claims as they are anchored; prefix and suffix are filled in once the body is complete.
    let mut out: Vec<ClaimText> = Vec::with_capacity(claims);
    let mut in_paragraph = 0usize;
    let paragraph_len = |rng: &mut StdRng| rng.random_range(2..=5usize);
    let mut this_paragraph = paragraph_len(rng);
    let mut remaining = claims;
    while remaining > 0 {
        if in_paragraph == this_paragraph {
            body.push("\n\n");
            in_paragraph = 0;
            this_paragraph = paragraph_len(rng);
        } else if in_paragraph > 0 {
            body.push(" ");
        }
        in_paragraph += 1;
        if rng.random_bool(0.3) {
            body.push(pick(rng, FILLER));
            continue;
        }
        remaining -= 1;
        let (statement, mut signals) = content(rng);
        let speaker = speakers.choose(rng).cloned().unwrap_or_default();
        let role = pick(rng, ROLES).to_string();
        let cue = pick(rng, CUES).to_string();
        let form = rng.random_range(0..10);
        let claim = if form < 4 {
            // Direct quote: the anchor is the quoted words.
            signals.extend(["quote", "named_entity"]);
            let quoted = capitalise(&statement);
            body.push("\u{201c}");
            let (start, end) = body.push(&quoted);
            body.push(&format!(",\u{201d} {cue} {speaker}, {role}."));
            ClaimText {
                text: format!("\u{201c}{quoted},\u{201d} {cue} {speaker}, {role}."),
                start,
                end,
                exact: quoted,
                prefix: String::new(),
                suffix: String::new(),
                speaker: Some(speaker),
                speaker_role: Some(role),
                via: None,
                cue: Some(cue),
                kind: "direct_quote",
                signals: vec![],
                score: 0.0,
            }
            .with_signals(&signals)
        } else if form < 7 {
            signals.push("named_entity");
            let sentence = format!("{speaker}, {role}, {cue} that {statement}.");
            let (start, end) = body.push(&sentence);
            ClaimText {
                text: sentence.clone(),
                start,
                end,
                exact: sentence,
                prefix: String::new(),
                suffix: String::new(),
                speaker: Some(speaker),
                speaker_role: Some(role),
                via: None,
                cue: Some(cue),
                kind: "reported",
                signals: vec![],
                score: 0.0,
            }
            .with_signals(&signals)
        } else if form < 8 {
            let via = pick(rng, VIAS).to_string();
            let sentence = format!("According to {via}, {statement}.");
            let (start, end) = body.push(&sentence);
            ClaimText {
                text: sentence.clone(),
                start,
                end,
                exact: sentence,
                prefix: String::new(),
                suffix: String::new(),
                speaker: None,
                speaker_role: None,
                via: Some(via),
                cue: Some("according to".into()),
                kind: "reported",
                signals: vec![],
                score: 0.0,
            }
            .with_signals(&signals)
        } else {
            let sentence = format!("{}.", capitalise(&statement));
            let (start, end) = body.push(&sentence);
            ClaimText {
                text: sentence.clone(),
                start,
                end,
                exact: sentence,
                prefix: String::new(),
                suffix: String::new(),
                speaker: None,
                speaker_role: None,
                via: None,
                cue: None,
                kind: "assertion",
                signals: vec![],
                score: 0.0,
            }
            .with_signals(&signals)
        };
        let mut claim = claim;
        claim.score = f32::from(rng.random_range(3_000u16..10_000)) / 10_000.0;
        out.push(claim);
    }
    if rng.random_bool(0.5) {
        body.push(" ");
        body.push(pick(rng, FILLER));
    }
    // Prefix and suffix need the finished body: up to 32 chars either side.
    let chars: Vec<char> = body.text.chars().collect();
    for claim in &mut out {
        claim.prefix = chars[claim.start.saturating_sub(32)..claim.start]
            .iter()
            .collect();
        claim.suffix = chars[claim.end..(claim.end + 32).min(chars.len())]
            .iter()
            .collect();
    }
    ArticleText {
        title,
        publisher,
        wire_service,
        author,
        slug,
        body: body.text,
        claims: out,
    }
}

impl ClaimText {
    fn with_signals(mut self, signals: &[&str]) -> ClaimText {
        self.signals = signals.iter().map(|s| Some((*s).to_string())).collect();
        self
    }
}

/// Words for the workflow rows (reasons, rationales, evidence, comments).
pub fn rejection_reason(rng: &mut StdRng) -> &'static str {
    pick(
        rng,
        &[
            "Opinion, not a checkable claim.",
            "Duplicate of an earlier claim in the same article.",
            "Prediction about the future; nothing to check yet.",
            "Too vague to verify.",
        ],
    )
}

pub fn rationale(rng: &mut StdRng, verified: bool) -> String {
    let source = pick(rng, VIAS);
    if verified {
        format!("The figure matches {source}; the comparison period is stated correctly.")
    } else {
        format!(
            "{} gives a different figure for the same period; the claim overstates the change.",
            capitalise(source)
        )
    }
}

pub fn evidence_note(rng: &mut StdRng) -> String {
    format!(
        "Checked against {}; see table {} for the series.",
        pick(rng, VIAS),
        rng.random_range(1..40)
    )
}

pub fn comment(rng: &mut StdRng) -> &'static str {
    pick(
        rng,
        &[
            "Asked the press office for the underlying data.",
            "The statistics office publishes this quarterly; the next release is due soon.",
            "Second source found, waiting for a call back.",
            "Worth checking whether this is nominal or adjusted for inflation.",
            "Same figure appeared in last month's briefing.",
            "Flagged for the morning meeting.",
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn claims_are_cut_exactly_from_the_body() {
        let mut rng = StdRng::seed_from_u64(7);
        let names = speakers(&mut rng, 300);
        assert_eq!(names.len(), 300);
        for _ in 0..50 {
            let a = article(&mut rng, &names, 12);
            assert_eq!(a.claims.len(), 12);
            let chars: Vec<char> = a.body.chars().collect();
            for c in &a.claims {
                let cut: String = chars[c.start..c.end].iter().collect();
                assert_eq!(cut, c.exact);
                assert!(c.prefix.chars().count() <= 32 && c.suffix.chars().count() <= 32);
            }
        }
    }
}
