//! Attribution in the PARC model: for each sentence, find the cue ("said", "according to"), the
//! source (speaker, with role and channel) and whether the content is quoted; group quotations
//! that run over several sentences into one unit; resolve pronouns and bare surnames to the
//! nearest compatible full name mentioned earlier.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use super::lexicon::{
    BE_FORMS, CLAUSE_WORDS, CUE_MODIFIERS, CUE_VERBS, DETERMINERS, IRREGULAR_CUES, LABELS,
    LIGHT_VERBS, MEDIA_WORDS, NOT_NAMES, NOUN_MARKERS, ORG_WORDS, PERSON_PRONOUNS, PHRASE_OPENERS,
    PLACE_PREPOSITIONS, PLACES, PRONOUNS, SPEAKER_NOUNS, STANCE_ADJECTIVES, STANCE_IRREGULAR,
    STANCE_NOUNS, STANCE_VERBS, TIME_WORDS, TITLES,
};
use super::model::ClaimKind;
use super::quotes::{MarkRole, quotation_marks};
use super::segment::Paragraph;

/// One candidate-sized piece of the body: a sentence, or several when a quotation runs on.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Byte range into the body.
    pub span: Range<usize>,
    pub attribution: Option<Attribution>,
}

/// Who a unit is attributed to, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribution {
    pub speaker: Option<String>,
    pub speaker_role: Option<String>,
    pub via: Option<String>,
    pub cue: Option<String>,
    pub kind: ClaimKind,
}

/// Share of a sentence's letters that must be inside quotation marks for a direct quote.
const DIRECT_SHARE: f32 = 0.5;
/// How far from a cue we look for its source, in bytes either side.
const WINDOW_BYTES: usize = 480;
/// Cues examined per sentence: a source is among the first few.
const MAX_CUES: usize = 12;
/// Full names remembered for resolution: the nearest ones matter.
const MAX_NAMES: usize = 256;
/// Longest title or description before a name ("Republican presidential nominee"), in words.
const MAX_ROLE_WORDS: usize = 7;
/// Longest speaker phrase we accept before a cue, in words.
const MAX_SOURCE_WORDS: usize = 12;

/// Boundary characters of a subject phrase (plus the quotation mask).
const CLAUSE_MARKS: &[char] = &[
    ',', ';', ':', '(', ')', '—', '–', '"', '“', '”', '[', ']', '?', '!', MASK,
];
/// Stands in for quoted text so that cues inside quotations are not taken as attributions.
const MASK: char = '\u{1}';

fn inflections(base: &str) -> [String; 4] {
    let stem_e = base.strip_suffix('e');
    // "decry" → "decried", "decries"; "deny" is listed with its irregular forms as well.
    let stem_y = base
        .strip_suffix('y')
        .filter(|stem| !stem.ends_with(['a', 'e', 'o', 'u']));
    if let Some(stem) = stem_y {
        return [
            base.to_string(),
            format!("{stem}ies"),
            format!("{stem}ied"),
            format!("{base}ing"),
        ];
    }
    let past = match stem_e {
        Some(_) => format!("{base}d"),
        None => format!("{base}ed"),
    };
    let third = if base.ends_with(['s', 'x', 'z']) || base.ends_with("sh") || base.ends_with("ch") {
        format!("{base}es")
    } else {
        format!("{base}s")
    };
    let ing = match stem_e {
        Some(stem) if !base.ends_with("ee") => format!("{stem}ing"),
        _ => format!("{base}ing"),
    };
    [base.to_string(), third, past, ing]
}

fn cue_regex() -> Option<&'static Regex> {
    static CUES: OnceLock<Option<Regex>> = OnceLock::new();
    CUES.get_or_init(|| {
        let mut forms: Vec<String> = CUE_VERBS.iter().flat_map(|v| inflections(v)).collect();
        forms.extend(IRREGULAR_CUES.iter().map(|s| s.to_string()));
        forms.extend(
            [
                "called for",
                "called on",
                "calls for",
                "calls on",
                "calling for",
                "point out",
                "points out",
                "pointed out",
                "pointing out",
            ]
            .map(String::from),
        );
        // Longest first, so "according to" wins over "according" and "called for" over "call".
        forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        forms.dedup();
        let alternation = forms
            .iter()
            .map(|f| regex::escape(f))
            .collect::<Vec<_>>()
            .join("|");
        // ASCII word boundaries: the cues are ASCII, and a Unicode `\b` sends the regex engine to its
        // slowest path (the PikeVM), which was two fifths of the extractor's time.
        Regex::new(&format!(r"(?-u:\b)(?:{alternation}|According to)(?-u:\b)")).ok()
    })
    .as_ref()
}

/// Attributes every sentence of the body, grouping quotations that run on into one unit.
pub fn attribute(body: &str, paragraphs: &[Paragraph]) -> Vec<Unit> {
    let mut memory = Memory::default();
    let mut drafts: Vec<Draft> = Vec::new();
    let mid_words: std::cell::OnceCell<HashSet<String>> = std::cell::OnceCell::new();
    // A lone sentence carries no evidence of how the article writes a word: trust its capitals.
    let lone = paragraphs.iter().map(|p| p.sentences.len()).sum::<usize>() <= 1;
    let is_known = |memory: &Memory, word: &str| {
        lone || memory.knows(word)
            || mid_words
                .get_or_init(|| mid_sentence_words(body))
                .contains(word)
    };
    for paragraph in paragraphs {
        let first_in_paragraph = drafts.len();
        // The source of a quotation that ended the previous paragraph, for a quotation that
        // continues in this one without a cue of its own.
        let carried = drafts
            .last()
            .filter(|d| d.is_quotation())
            .and_then(|d| d.attribution.clone());
        // "Caddell continued:" closing a paragraph introduces the next one as his words.
        let lead_in = drafts.len().checked_sub(1).filter(|&last| {
            drafts[last].attribution.is_some()
                && body[drafts[last].span.clone()].trim_end().ends_with(':')
        });
        for sentence in &paragraph.sentences {
            let text = &body[sentence.clone()];
            if let Some(lead) = lead_in {
                let draft = &mut drafts[lead];
                draft.span.end = sentence.end;
                if let Some(attribution) = draft.attribution.as_mut() {
                    attribution.kind = ClaimKind::DirectQuote;
                }
                memory.observe(text);
                continue;
            }
            let analysis = analyse(text, &|word: &str| is_known(&memory, word));
            let direct = analysis.direct;
            let signature = analysis.signature;
            // "Democrats want more revenue, and Republicans want less": two sources, two units.
            if !direct
                && signature.is_none()
                && analysis.source.is_some()
                && let Some(parts) = coordinate_clauses(text)
            {
                let sources = parts
                    .clone()
                    .map(|part| analyse(&text[part], &|word: &str| is_known(&memory, word)));
                if let [
                    Analysis {
                        source: Some(left),
                        quoted_share: left_share,
                        ..
                    },
                    Analysis {
                        source: Some(right),
                        quoted_share: right_share,
                        ..
                    },
                ] = sources
                    // Two people, not one named twice ("Mr. Smith …; Smith …") or named, then
                    // referred to ("Smith said …, and he added …").
                    && right.mention.kind != MentionKind::Pronoun
                    && memory.resolve(&left.mention).0 != memory.resolve(&right.mention).0
                {
                    for (part, source, share) in [
                        (parts[0].clone(), left, left_share),
                        (parts[1].clone(), right, right_share),
                    ] {
                        let kind = if share > 0.0 {
                            ClaimKind::Mixed
                        } else {
                            ClaimKind::Reported
                        };
                        let attribution = memory.attribution(source, kind);
                        memory.observe(&text[part.clone()]);
                        drafts.push(Draft {
                            span: sentence.start + part.start..sentence.start + part.end,
                            attribution: Some(attribution),
                            bare_quotation: false,
                            inherited: false,
                        });
                    }
                    continue;
                }
            }
            // A signature alone at the head of a paragraph signs the quotation that ended the
            // paragraph before.
            let signs_previous_paragraph =
                signature == Some(Signature::Standalone) && drafts.len() == first_in_paragraph;
            let from = if signs_previous_paragraph {
                first_in_paragraph.saturating_sub(1)
            } else {
                first_in_paragraph
            };
            let previous_is_bare = drafts[from..]
                .last()
                .is_some_and(|d| d.bare_quotation || d.inherited);
            // A signature on its own signs the quotation before it, or nothing.
            let source = analysis
                .source
                .filter(|_| signature != Some(Signature::Standalone) || previous_is_bare);
            let attribution = source.map(|source| {
                let kind = if direct || signature.is_some() {
                    ClaimKind::DirectQuote
                } else if analysis.quoted_share > 0.0 {
                    ClaimKind::Mixed
                } else {
                    ClaimKind::Reported
                };
                memory.attribution(source, kind)
            });
            memory.observe(text);
            let previous = drafts[from..].last_mut();
            match (attribution, previous) {
                (None, Some(prev)) if direct && prev.is_quotation() => {
                    // The quotation goes on after its cue: "“A,” Wang added. “B.”"
                    prev.span.end = sentence.end;
                }
                (Some(attribution), Some(prev))
                    if attribution.kind == ClaimKind::DirectQuote
                        && (prev.bare_quotation || signature.is_some() && prev.inherited) =>
                {
                    // The cue comes after the first sentences of the quotation (a signature
                    // in a paragraph of its own stays out of the quotation's span).
                    if !signs_previous_paragraph {
                        prev.span.end = sentence.end;
                    }
                    prev.attribution = Some(attribution);
                    prev.bare_quotation = false;
                    prev.inherited = false;
                }
                (attribution, _) => {
                    let opens_paragraph = drafts.len() == first_in_paragraph;
                    let inherited = (direct && opens_paragraph && attribution.is_none())
                        .then(|| carried.clone())
                        .flatten()
                        .map(|a| Attribution {
                            kind: ClaimKind::DirectQuote,
                            ..a
                        });
                    let is_inherited = attribution.is_none() && inherited.is_some();
                    let attribution = attribution.or(inherited);
                    drafts.push(Draft {
                        span: sentence.clone(),
                        bare_quotation: direct && attribution.is_none(),
                        inherited: is_inherited,
                        attribution,
                    });
                }
            }
        }
    }
    drafts
        .into_iter()
        .map(|d| Unit {
            span: d.span,
            attribution: d.attribution,
        })
        .collect()
}

/// A unit being built: a quotation without a source yet may still get one from a later
/// sentence of its paragraph.
struct Draft {
    span: Range<usize>,
    attribution: Option<Attribution>,
    bare_quotation: bool,
    /// The source was carried over from the quotation that ended the previous paragraph; a
    /// signature of its own replaces it.
    inherited: bool,
}

impl Draft {
    fn is_quotation(&self) -> bool {
        self.attribution
            .as_ref()
            .is_some_and(|a| matches!(a.kind, ClaimKind::DirectQuote | ClaimKind::Mixed))
    }
}

/// Two coordinate clauses of a sentence, each with a subject of its own: "Democrats want more
/// revenue, and Republicans want less" → the byte ranges of "Democrats want more revenue" and
/// "Republicans want less". The first joint outside quotation marks that leaves at least four
/// words either side and a new subject (a capitalised word or a personal pronoun) after it.
fn coordinate_clauses(text: &str) -> Option<[Range<usize>; 2]> {
    const JOINTS: &[&str] = &[
        "; ",
        ", and ",
        ", but ",
        ", while ",
        ", whereas ",
        " while ",
    ];
    const MIN_WORDS: usize = 4;
    let marks = quotation_marks(text);
    let trimmed_end = text.trim_end().len();
    let mut joints: Vec<(usize, &str)> = JOINTS
        .iter()
        .flat_map(|joint| text.match_indices(joint))
        .collect();
    // "As Clinton talked about unity, Trump stressed order": an opening subordinate clause
    // with a source of its own.
    if let Some(end) = opening_clause_end(text)
        && text[end..].starts_with(", ")
    {
        joints.push((end, ", "));
    }
    joints.sort_unstable();
    // One walk over the marks, in step with the joints: each joint's side of the quotation
    // marks is known without going back to the start, so a long sentence stays linear.
    let mut inside = marks.first().is_some_and(|m| m.role == MarkRole::Close);
    let mut next_mark = marks.iter().peekable();
    for (at, joint) in joints {
        while let Some(mark) = next_mark.next_if(|m| m.at < at) {
            inside = match mark.role {
                MarkRole::Open => true,
                MarkRole::Close => false,
                MarkRole::Either => !inside,
            };
        }
        if inside {
            continue;
        }
        let left = text[..at].trim_end();
        let right_start = at + joint.len();
        let Some(right) = text.get(right_start..trimmed_end) else {
            continue;
        };
        let Some(first) = right.split_whitespace().next() else {
            continue;
        };
        let new_subject = is_capitalised(first)
            && !NOT_NAMES.contains(&first)
            && !PHRASE_OPENERS.contains(&first)
            || matches!(first, "he" | "she" | "they" | "it" | "we");
        if new_subject
            && left.split_whitespace().rev().take(MIN_WORDS).count() == MIN_WORDS
            && right.split_whitespace().take(MIN_WORDS).count() == MIN_WORDS
        {
            return Some([
                text.len() - text.trim_start().len()..left.len(),
                right_start..trimmed_end,
            ]);
        }
    }
    None
}

/// What one sentence says about its own attribution.
struct Analysis {
    quoted_share: f32,
    /// The quotation carries the statement: it opens the sentence, closes it after the cue, or
    /// holds most of its words.
    direct: bool,
    source: Option<Source>,
    /// The sentence ends in a signature ("― Sonya Herridge") naming the source of the quotation
    /// it closes; `standalone` when the signature is the whole sentence.
    signature: Option<Signature>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signature {
    Standalone,
    Closing,
}

struct Source {
    mention: Mention,
    cue: String,
    via: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MentionKind {
    Pronoun,
    Person,
    Org,
    /// A lower-case description: "sources", "China's foreign minister".
    Common,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub text: String,
    pub role: Option<String>,
    pub kind: MentionKind,
}

impl Mention {
    fn is_media(&self) -> bool {
        matches!(self.kind, MentionKind::Org | MentionKind::Person)
            && self
                .text
                .split_whitespace()
                .any(|w| MEDIA_WORDS.contains(&trim_word(w)))
    }
}

/// A cue with the source found for it.
struct CueHit {
    mention: Mention,
    cue: String,
    /// "…, the State Department said." : the attribution covers the whole sentence.
    parenthetical: bool,
    according_to: bool,
    /// "told Bloomberg TV": the channel named after the cue.
    channel: Option<String>,
    /// The cue is in a subordinate clause that opens the sentence ("When Clinton noted …,").
    in_opening_clause: bool,
}

/// The capitalised words the body uses inside a sentence (after a word, a comma or a
/// semicolon), built on first use: a word capitalised only where sentences start ("Video shows
/// …", "Regardless, …") is an ordinary word, not a name.
fn mid_sentence_words(body: &str) -> HashSet<String> {
    {
        let mut words = HashSet::new();
        let mut previous: Option<&str> = None;
        for word in body.split_whitespace() {
            if let Some(before) = previous
                && before.ends_with(|c: char| c.is_alphanumeric() || matches!(c, ',' | ';'))
                && is_capitalised(word)
            {
                // "met Okafor’s aides" writes the name "Okafor".
                let bare = trim_word(word);
                let bare = bare
                    .strip_suffix("’s")
                    .or_else(|| bare.strip_suffix("'s"))
                    .unwrap_or(bare);
                words.insert(bare.to_string());
            }
            previous = Some(word);
        }
        words
    }
}

/// A one-word name opening the sentence that the article never otherwise writes capitalised
/// and no full name accounts for: "Video of the incident shows", "Polling averages show".
fn is_unknown_opener(text: &str, mention: &Mention, known: &dyn Fn(&str) -> bool) -> bool {
    // A capitalised plural opening a sentence is a group ("Lawmakers said", "Polls show") and
    // capitals throughout an acronym ("CNS reported").
    if !matches!(mention.kind, MentionKind::Person | MentionKind::Org)
        || mention.text.contains(' ')
        || mention.role.is_some()
        || (mention.text.ends_with('s') && !mention.text.ends_with("ss"))
        || mention.text.chars().skip(1).any(char::is_uppercase)
        || SPEAKER_NOUNS.contains(&mention.text.to_lowercase().as_str())
    {
        return false;
    }
    let first = text
        .split_whitespace()
        .next()
        .map(|w| trim_word(w.trim_start_matches(['“', '"', '‘', '\'', '('])));
    first == Some(mention.text.as_str()) && !known(&mention.text)
}

/// The first cues of a masked sentence that have a source, in order.
fn cue_hits(masked: &str) -> Vec<CueHit> {
    let Some(re) = cue_regex() else {
        return Vec::new();
    };
    let opening_end = opening_clause_end(masked);
    re.find_iter(masked)
        .take(MAX_CUES)
        .filter_map(|m| {
            cue_hit(masked, m.range()).map(|hit| CueHit {
                in_opening_clause: opening_end.is_some_and(|end| m.start() < end),
                ..hit
            })
        })
        .collect()
}

fn analyse(text: &str, known: &dyn Fn(&str) -> bool) -> Analysis {
    let (masked, quoted_letters) = mask_quotations(text);
    let letters = text.chars().filter(|c| c.is_alphanumeric()).count();
    let quoted_share = if letters == 0 {
        0.0
    } else {
        quoted_letters as f32 / letters as f32
    };
    let hits: Vec<CueHit> = cue_hits(&masked)
        .into_iter()
        // Only people and bodies say things: "McLenney said" names someone.
        .filter(|hit| {
            matches!(
                hit.cue.as_str(),
                "said"
                    | "says"
                    | "told"
                    | "tells"
                    | "reported"
                    | "reports"
                    | "wrote"
                    | "writes"
                    | "added"
                    | "adds"
                    | "noted"
                    | "notes"
                    | "announced"
            ) || !is_unknown_opener(text, &hit.mention, known)
        })
        .collect();
    let plausible = |source: &Source| !is_unknown_opener(text, &source.mention, known);
    let trimmed = text.trim();
    let opens_with_quote = trimmed.starts_with(['“', '"', '«']);
    let closes_after_cue = trimmed
        .trim_end_matches(['.', ' '])
        .ends_with(['”', '"', '»'])
        && (trimmed.contains(", “") || trimmed.contains(": “") || trimmed.contains(": \""));
    // A closing signature signs a quotation that carries the sentence, not a quoted title
    // ("the “Contract with America” — Newt Gingrich").
    if let Some((source, signature)) = signature_source(text).filter(|(_, signature)| {
        *signature == Signature::Standalone || quoted_share >= DIRECT_SHARE
    }) {
        return Analysis {
            quoted_share,
            direct: signature == Signature::Closing || quoted_share > 0.0,
            source: Some(source),
            signature: Some(signature),
        };
    }
    Analysis {
        quoted_share,
        direct: quoted_share > 0.0
            && (quoted_share >= DIRECT_SHARE || opens_with_quote || closes_after_cue),
        signature: None,
        source: colon_source(text)
            .or_else(|| headline_source(&masked))
            .or_else(|| choose_source(hits))
            .or_else(|| stance_source(&masked).filter(plausible))
            .or_else(|| channel_opener_source(&masked).filter(plausible))
            .or_else(|| possessive_source(&masked).filter(plausible)),
    }
}

/// Whether a word is a verb of stance or speech written in headline capitals ("Says", "Calls",
/// "Vows"): a present-tense form, as headlines use.
fn is_headline_verb(word: &str) -> bool {
    // Headline shorthand for taking a position: "Clinton Breaks With Obama", "Goes After Trump".
    const HEADLINE_ONLY: &[&str] = &["goes", "breaks", "hits", "sees", "takes", "eyes"];
    let lower = word.to_lowercase();
    is_capitalised(word)
        && (stance_forms().contains(&lower) || HEADLINE_ONLY.contains(&lower.as_str()))
        && !lower.ends_with("ing")
}

/// Headline style: nearly every word capitalised, short function words aside.
fn is_title_case(words: &[&str]) -> bool {
    let capitalised = words.iter().filter(|w| is_capitalised(w)).count();
    let long_lower = words
        .iter()
        .any(|w| !is_capitalised(w) && w.chars().count() > 3);
    !words.is_empty() && capitalised * 10 >= words.len() * 7 && !long_lower
}

/// Title-case headlines: "Bernie Sanders Vows To Close Tax Breaks", "Black Lawmakers Rip
/// Trump", "Trump Could Address Clean Energy, Lindsey Graham Says". Every word is capitalised,
/// so the speech verb is found among the capitalised words right after (or, inverted, right
/// before the end, after a comma) a short name.
fn headline_source(masked: &str) -> Option<Source> {
    const MAX_NAME_WORDS: usize = 4;
    const MIN_WORDS: usize = 4;
    let words: Vec<&str> = masked
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    if words.len() < MIN_WORDS || !is_title_case(&words) {
        return None;
    }
    let clean = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    let named = |name: &[&str]| {
        let text = name.join(" ");
        parse_mention(&text)
            .filter(|m| matches!(m.kind, MentionKind::Person | MentionKind::Org))
            .filter(|_| name.iter().all(|w| is_capitalised(w)))
    };
    // Inverted: "…, Lindsey Graham Says."
    let last = clean(words.last()?);
    if is_headline_verb(&last) {
        let before = &words[..words.len() - 1];
        let start = before
            .iter()
            .rposition(|w| w.ends_with(','))
            .map_or(0, |p| p + 1);
        if start > 0
            && before.len() - start <= MAX_NAME_WORDS
            && let Some(mention) = named(&before[start..])
        {
            return Some(Source {
                mention,
                cue: last.to_lowercase(),
                via: None,
            });
        }
    }
    // "Railing Against Trump, Sanders Vows To …": the name opens the main clause.
    let clause_start = words
        .iter()
        .position(|w| w.ends_with(','))
        .filter(|&p| p + 1 < words.len())
        .map_or(0, |p| p + 1);
    let verb_at = (clause_start + 1..words.len().min(clause_start + MAX_NAME_WORDS + 1))
        .find(|&i| is_headline_verb(&clean(words[i])))?;
    let name = &words[clause_start..verb_at];
    if name.iter().any(|w| w.ends_with([',', ':', ';'])) {
        return None;
    }
    let mention = named(name)?;
    Some(Source {
        mention,
        cue: clean(words[verb_at]).to_lowercase(),
        via: None,
    })
}

/// Round-ups of readers' or experts' words: "“He represents our greatest shame.” ― Sonya
/// Herridge". A dash and a short name close a quotation, in its sentence or as one of its own.
fn signature_source(text: &str) -> Option<(Source, Signature)> {
    const MAX_NAME_WORDS: usize = 5;
    let trimmed = text.trim_matches(|c: char| c.is_whitespace() || c == '.');
    let (dash_at, dash) = trimmed
        .char_indices()
        .rev()
        .find(|&(_, c)| matches!(c, '―' | '—'))?;
    let before = trimmed[..dash_at].trim_end();
    let name = trimmed[dash_at + dash.len_utf8()..].trim();
    let words: Vec<&str> = name.split_whitespace().collect();
    let is_name = (1..=MAX_NAME_WORDS).contains(&words.len())
        && words.iter().all(|w| is_capitalised(w))
        && !words
            .iter()
            .any(|w| NOT_NAMES.contains(w) || LABELS.contains(w));
    if !is_name {
        return None;
    }
    let signature = if before.is_empty() {
        Signature::Standalone
    } else if before.ends_with(['”', '"', '»']) || before.ends_with("''") {
        Signature::Closing
    } else {
        return None;
    };
    let mention =
        parse_mention(name).filter(|m| matches!(m.kind, MentionKind::Person | MentionKind::Org))?;
    Some((
        Source {
            mention,
            cue: dash.to_string(),
            via: None,
        },
        signature,
    ))
}

/// Transcript and round-up style: "WALLACE: Let's start …", "Jeffrey M. Jones: “Gallup's …”".
fn colon_source(text: &str) -> Option<Source> {
    const MAX_NAME_WORDS: usize = 4;
    let text = text.trim_start_matches(['"', '“', '\'', ' ']);
    let (name, rest) = text.split_once(": ")?;
    let words: Vec<&str> = name.split_whitespace().collect();
    // One word is a speaker only in transcript capitals ("WALLACE:") or before a quotation
    // ("Jones: “…”"); otherwise it is a label ("Update:", "Note:").
    let single_ok = words.len() > 1
        || name.chars().filter(|c| c.is_alphabetic()).count() >= 2
            && !name.chars().any(char::is_lowercase)
        || rest.trim_start().starts_with(['“', '"'])
        // "Politifact: Donald Trump Is Right, ‘Thousands of Shootings’ …": a headline quoting.
        || rest.contains(['‘', '“']) && rest.split_whitespace().filter(|w| is_capitalised(w)).count() * 2 > rest.split_whitespace().count()
        // "Sanders: Clinton Email Story Has Moved": a headline after the name.
        || is_title_case(
            &rest
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphabetic))
                .collect::<Vec<_>>(),
        );
    let is_name = (1..=MAX_NAME_WORDS).contains(&words.len())
        && single_ok
        && words.iter().all(|w| is_capitalised(w))
        && !words
            .iter()
            .any(|w| NOT_NAMES.contains(w) || LABELS.contains(w))
        && !rest.trim().is_empty();
    if !is_name {
        return None;
    }
    let mention =
        parse_mention(name).filter(|m| matches!(m.kind, MentionKind::Person | MentionKind::Org))?;
    Some(Source {
        mention,
        cue: ":".to_string(),
        via: None,
    })
}

/// Where a sentence's opening subordinate clause ends ("When Clinton noted that …, Trump
/// boasted"): at its first comma.
fn opening_clause_end(masked: &str) -> Option<usize> {
    let first = masked.split_whitespace().next()?;
    SUBORDINATORS
        .contains(&first)
        .then(|| masked.find(','))
        .flatten()
}

/// Picks the speaker among a sentence's cues; the others may name the channel. A cue in the
/// main clause comes before one in an opening subordinate clause.
fn choose_source(hits: Vec<CueHit>) -> Option<Source> {
    let main = |h: &CueHit| !h.in_opening_clause;
    let primary = hits
        .iter()
        .position(|h| h.parenthetical && !h.according_to && !h.mention.is_media())
        .or_else(|| {
            hits.iter()
                .position(|h| main(h) && !h.according_to && !h.mention.is_media())
        })
        .or_else(|| {
            hits.iter()
                .position(|h| !h.according_to && !h.mention.is_media())
        })
        .or_else(|| hits.iter().position(|h| !h.according_to))
        .or_else(|| hits.iter().position(|h| h.according_to))?;
    // "Although Trump has admitted …, he does not defend it": the pronoun is the person just
    // named in the same sentence.
    // Only "he" and "she" can be a person named before them; "it", "they", "we" are not.
    let primary = match hits[primary].mention.kind {
        MentionKind::Pronoun if matches!(hits[primary].mention.text.as_str(), "he" | "she") => hits
            [..primary]
            .iter()
            .rposition(|h| h.mention.kind == MentionKind::Person && !h.according_to)
            .unwrap_or(primary),
        _ => primary,
    };
    let via = hits
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != primary)
        .find(|(_, h)| h.according_to || h.mention.is_media())
        .map(|(_, h)| strip_any_article(&h.mention.text))
        .or_else(|| hits.get(primary).and_then(|h| h.channel.clone()));
    let hit = hits.into_iter().nth(primary)?;
    Some(Source {
        mention: hit.mention,
        cue: hit.cue,
        via,
    })
}

/// Replaces each quoted char (marks included) with `MASK` and short parentheticals ("(D-Ore.)")
/// with spaces; returns it and the quoted letter count. Offsets into the result are only used
/// on the result itself.
fn mask_quotations(text: &str) -> (String, usize) {
    let marks = quotation_marks(text);
    // A paragraph that continues an earlier quotation starts inside it: its first mark closes.
    let mut inside = marks.first().is_some_and(|m| m.role == MarkRole::Close);
    let mut out = String::with_capacity(text.len());
    let mut quoted_letters = 0usize;
    let mut next_mark = marks.iter().peekable();
    // The end of the mark being read: `''` is two chars.
    let mut in_mark_until = 0;
    for (at, c) in text.char_indices() {
        if let Some(mark) = next_mark.next_if(|m| m.at == at) {
            inside = match mark.role {
                MarkRole::Open => true,
                MarkRole::Close => false,
                MarkRole::Either => !inside,
            };
            in_mark_until = at + mark.len;
            out.push(MASK);
            continue;
        }
        if at < in_mark_until {
            out.push(MASK);
            continue;
        }
        if inside {
            if c.is_alphanumeric() {
                quoted_letters += 1;
            }
            out.push(MASK);
        } else {
            out.push(c);
        }
    }
    (blank_parentheticals(out), quoted_letters)
}

/// "Sen. Elizabeth Warren (D-MA) said": short bracketed asides are not part of the source.
fn blank_parentheticals(mut masked: String) -> String {
    const MAX_ASIDE: usize = 40;
    let mut from = 0;
    while let Some(open) = masked[from..].find('(').map(|i| i + from) {
        let Some(close) = masked[open..].find(')').map(|i| i + open) else {
            break;
        };
        if close - open <= MAX_ASIDE && !masked[open..close].contains(MASK) {
            let blank = " ".repeat(close + 1 - open);
            masked.replace_range(open..=close, &blank);
        }
        from = close + 1;
    }
    masked
}

fn cue_hit(masked: &str, cue: Range<usize>) -> Option<CueHit> {
    let cue_text = masked[cue.clone()].to_string();
    // A source sits within a few dozen words of its cue; the windows keep long sentences linear.
    let before = without_comma_adverb(tail(&masked[..cue.start], WINDOW_BYTES));
    let after = head(&masked[cue.end..], WINDOW_BYTES);
    if cue_text.eq_ignore_ascii_case("according to") {
        // "According to X, the content": the source ends at the comma.
        // Only the phrase up to the comma counts: the content after it may be long.
        let np = phrase_after(after.split(',').next()?)?.trim().to_string();
        let mention = parse_mention(&np).or(Some(Mention {
            text: strip_article(&np),
            role: None,
            kind: MentionKind::Common,
        }))?;
        return Some(CueHit {
            mention: Mention {
                text: strip_article(&np),
                ..mention
            },
            cue: cue_text,
            parenthetical: false,
            according_to: true,
            channel: None,
            in_opening_clause: false,
        });
    }
    let channel = channel_after(&cue_text, after);
    // "Trump, who was once a pitchman, has vowed": look past the auxiliaries.
    let before_core = without_trailing_modifiers(before);
    // Appositive: "Henry Wang, founder of the Center for China and Globalization, said".
    if let Some(before_comma) = before_core.trim_end().strip_suffix(',')
        && let Some(mention) = comma_source(before_comma)
    {
        return Some(CueHit {
            mention,
            cue: cue_text,
            parenthetical: false,
            according_to: false,
            channel,
            in_opening_clause: false,
        });
    }
    let last_before = before.split_whitespace().last().unwrap_or("");
    // "was reported by", "was first reported by": a passive, perhaps with an adverb.
    let passive = BE_FORMS.contains(&last_before)
        || matches!(
            last_before,
            "first" | "also" | "widely" | "originally" | "initially"
        ) && BE_FORMS.contains(&before.split_whitespace().rev().nth(1).unwrap_or(""));
    if passive && is_past_form(&cue_text) {
        // Passive: "was written by Springsteen"; "was told" names no source.
        let agent = after.trim_start().strip_prefix("by ")?;
        let mention = parse_mention(&phrase_after(agent)?)
            .filter(|m| matches!(m.kind, MentionKind::Person | MentionKind::Org))?;
        return Some(CueHit {
            mention,
            cue: cue_text,
            parenthetical: false,
            according_to: false,
            channel,
            in_opening_clause: false,
        });
    }
    // "an alleged spy", "the call", "his claim": a noun or adjective, not a cue.
    if NOUN_MARKERS.contains(&last_before.to_lowercase().as_str()) {
        return None;
    }
    // "a Trump-style retort", "the Obama-era rules": a compound modifier, so a noun follows
    // (but "Ban Ki-moon condemned": a hyphenated name after a name).
    let word_before_last = before.split_whitespace().rev().nth(1).unwrap_or("");
    if is_capitalised(last_before)
        && !is_capitalised(word_before_last)
        && last_before
            .rsplit_once('-')
            .is_some_and(|(_, tail)| starts_lower(tail))
    {
        return None;
    }
    // "the Paris attacks", "the 2012 Benghazi attack", "a Trump tweet": a noun after a
    // determiner and a capitalised modifier (but "the President says" and "the Pentagon said").
    let before_last = before.split_whitespace().rev().nth(1).unwrap_or("");
    if is_capitalised(last_before)
        && !TITLES.contains(&last_before)
        && CUE_NOUNS.contains(&cue_text.as_str())
        && (NOUN_MARKERS.contains(&before_last.to_lowercase().as_str())
            || before_last.chars().all(|c| c.is_ascii_digit()) && !before_last.is_empty())
    {
        return None;
    }
    if is_plural_noun(&cue_text, last_before) {
        // "Trump has made other public promises to …": talk about someone's words is theirs.
        return sentence_subject(masked).map(|mention| CueHit {
            mention,
            cue: cue_text.clone(),
            parenthetical: false,
            according_to: false,
            channel: None,
            in_opening_clause: false,
        });
    }
    let (chunk, boundary) = subject_chunk(before);
    let from_subject = |mention: Mention| CueHit {
        mention,
        cue: cue_text.clone(),
        parenthetical: false,
        according_to: false,
        channel: channel.clone(),
        in_opening_clause: false,
    };
    let coordinated = matches!(
        before_core.split_whitespace().last(),
        Some("and" | "but" | "then")
    );
    // "… at the Grand Hotel in Baltimore and called …", "Trump took to Twitter overnight to
    // accuse …": a second verb or an infinitive has the sentence's subject, not the name that
    // happens to come right before it.
    let infinitive = before_core.split_whitespace().last() == Some("to");
    if (coordinated || infinitive)
        && !chunk.is_empty()
        && let Some(mention) = sentence_subject(masked)
    {
        return Some(from_subject(mention));
    }
    if chunk.is_empty() {
        // "…, saying it shows he'd be awake": the participle's source is the sentence's subject;
        // so is that of a second verb: "… but said one was a Trump supporter".
        if cue_text.ends_with("ing") || boundary == Some(' ') || coordinated {
            return sentence_subject(masked).map(from_subject);
        }
        // Inversion: "…,” said Thompson." / "…, says a new report."
        if !(boundary == Some(',') || boundary == Some(MASK) || boundary.is_none()) {
            return None;
        }
        let np = phrase_after(after)?;
        let mention = inverted_source(&np)?;
        return Some(CueHit {
            mention,
            cue: cue_text,
            parenthetical: false,
            according_to: false,
            channel,
            in_opening_clause: false,
        });
    }
    let Some(mention) = parse_mention(&chunk) else {
        // "Trump took to Twitter overnight to accuse …": the subject opens the sentence.
        return sentence_subject(masked).map(from_subject);
    };
    // ", the State Department said, after …" / ", China's Foreign Ministry said in a statement.":
    // a source set off by a comma whose clause ends within a few words covers the sentence.
    let clause_rest = after
        .split([',', '.', ';', MASK])
        .next()
        .unwrap_or("")
        .split_whitespace()
        .count();
    // Only a verb of saying is set off that way: in "…, he does not defend it." the short
    // clause after the comma is a statement of its own.
    let parenthetical = boundary == Some(',') && clause_rest <= 5 || after.trim().is_empty();
    Some(CueHit {
        mention,
        cue: cue_text,
        parenthetical,
        according_to: false,
        channel,
        in_opening_clause: false,
    })
}

/// "Xi-Biden talks", "opening remarks", "Trump's claims": an -s form after a modifier is a plural
/// noun. After a name, a pronoun, a speaker noun or an adverb it is a verb ("the report shows").
fn is_plural_noun(cue: &str, previous: &str) -> bool {
    // Cue words that are mostly nouns in the plural.
    const MOSTLY_NOUNS: &[&str] = &[
        "talks",
        "remarks",
        "comments",
        "calls",
        "shows",
        "reports",
        "claims",
        "promises",
        "questions",
        "tweets",
        "posts",
        "notes",
        "estimates",
        "hopes",
        "fears",
        "views",
    ];
    if !cue.ends_with('s') || cue.ends_with("ss") || previous.is_empty() {
        return false;
    }
    // "R-Ariz., says" is a name's aside, not a modifier: only a bare word counts.
    let bare = previous.ends_with(char::is_alphanumeric);
    // A possessive is never a verb's subject: "Trump's claims".
    if bare && is_possessive(previous) {
        return true;
    }
    if !MOSTLY_NOUNS.contains(&cue) {
        return false;
    }
    // "Xi-Biden talks", "trade talks", "his opening remarks"; but "the report shows".
    let lower = previous.to_lowercase();
    bare && previous.contains('-')
        || starts_lower(previous)
            && !PRONOUNS.contains(&lower.as_str())
            && !is_cue_modifier(previous)
            && !SPEAKER_NOUNS.contains(&lower.as_str())
}

/// `before` without the auxiliaries and adverbs that end it ("has", "also", "publicly"), but
/// keeping a final conjunction.
/// "Some Democrats, however, question …": `before` without an adverb set off by commas.
fn without_comma_adverb(before: &str) -> &str {
    let rest = before.trim_end();
    if let Some(head) = rest.strip_suffix(',')
        && let Some((head, word)) = head.rsplit_once(char::is_whitespace)
        && is_cue_modifier(word)
        && let Some(head) = head.trim_end().strip_suffix(',')
    {
        return head.trim_end();
    }
    before
}

fn without_trailing_modifiers(before: &str) -> &str {
    let mut rest = before.trim_end();
    while let Some((head, word)) = rest.rsplit_once(char::is_whitespace) {
        if matches!(word, "and" | "but" | "then") || !is_cue_modifier(word) {
            break;
        }
        rest = head.trim_end();
    }
    rest
}

/// The subject of the sentence's first main clause, when it names someone: "Speaking in Salem,
/// Trump went after Bush, calling him …" → Trump.
fn sentence_subject(masked: &str) -> Option<Mention> {
    subject_and_predicate(masked).map(|(mention, _)| mention)
}

/// The sentence's subject as `sentence_subject` finds it, and the words that follow it in its
/// clause ("Clinton has hammered …" → "has hammered …"); none when the subject is set off by a
/// comma ("House Democrats, looking for …,").
fn subject_and_predicate(masked: &str) -> Option<(Mention, Vec<&str>)> {
    let segments: Vec<&str> = head(without_dateline(masked), WINDOW_BYTES)
        .split([',', ';', '—', MASK])
        .collect();
    for (index, segment) in segments.iter().enumerate() {
        let mut words: Vec<&str> = segment.split_whitespace().collect();
        // "But Sanders also laid out …", "Even Trump has knocked …": a linking word before the
        // subject is not an opening phrase.
        while words.len() > 2 && LINKING_WORDS.contains(&words[0]) {
            words.remove(0);
        }
        let segment = words.join(" ");
        let segment = segment.as_str();
        let Some(first) = words.first() else { continue };
        // "House Democrats, looking for a way …, seized the floor and said": a sentence that
        // opens with a bare name, then a comma.
        // "Another critic, Laurence H. Tribe, likened …", "Trump's running mate, Indiana Gov.
        // Mike Pence, plans …": a description, then the name it describes.
        let described = index == 1
            && segments[0].split_whitespace().next().is_some_and(|w| {
                matches!(
                    w,
                    "The" | "A" | "An" | "Another" | "His" | "Her" | "Its" | "Their"
                ) || is_possessive(w)
            });
        if (index == 0 || described)
            && words.iter().all(|w| is_capitalised(w))
            && !NOT_NAMES.contains(first)
        {
            if let Some(m) = parse_mention(segment)
                .filter(|m| matches!(m.kind, MentionKind::Person | MentionKind::Org))
            {
                return Some((m, predicate_after(&segments[index + 1..])));
            }
            continue;
        }
        let pronoun = PRONOUNS.contains(&first.to_lowercase().as_str());
        // "The Arizona Republican says": an article before a name is not an opener.
        let article_name =
            matches!(*first, "The" | "A" | "An") && words.get(1).is_some_and(|w| is_capitalised(w));
        // "Chastened by the analyses, …", "Speaking in Salem, …": a short participial phrase
        // opens the sentence ("Ebeling reminisced" and "Beijing is facing" do not).
        let participle = index == 0
            && words.len() <= 10
            && (first.ends_with("ed") || first.ends_with("ing"))
            && first.chars().count() >= 5
            && words.get(1).is_some_and(|w| starts_lower(w));
        // Titles and places are not openers: "Mr. Trump said", "US officials said".
        let function_word =
            NOT_NAMES.contains(first) && !TITLES.contains(first) && !PLACES.contains(first);
        let opener = !pronoun
            && !article_name
            && (function_word
                || PHRASE_OPENERS.contains(first)
                || participle
                || (starts_lower(first) && !DETERMINERS.contains(first)));
        if opener {
            continue;
        }
        let Some(end) = subject_end(&words) else {
            // "In fact, some Republicans, including Senator Alexander, were willing …": a whole
            // clause that is a group, set off by commas before its predicate.
            if words.len() <= 4
                && words.first().is_some_and(|w| DETERMINERS.contains(w))
                && let Some(m) = parse_mention(segment).filter(|m| m.kind != MentionKind::Pronoun)
            {
                return Some((m, predicate_after(&segments[index + 1..])));
            }
            continue;
        };
        let subject = parse_mention(&words[..end].join(" ")).filter(|m| {
            matches!(
                m.kind,
                MentionKind::Person | MentionKind::Org | MentionKind::Pronoun
            )
        });
        // "What’s more, Clinton has …": an opening that names no one leaves the subject to
        // the next clause.
        if subject.is_none() && index == 0 && !words.iter().skip(end).any(|w| is_cue_modifier(w)) {
            continue;
        }
        return subject.map(|m| (m, words[end..].to_vec()));
    }
    None
}

/// The predicate of a subject set off by commas: the first clause after it that opens with
/// something other than a description, an age, a place, a relative clause or a participle
/// ("The Tax Policy Center, reviewing a draft, came to a similar conclusion").
fn predicate_after<'a>(segments: &[&'a str]) -> Vec<&'a str> {
    const MAX_ASIDES: usize = 3;
    for segment in segments.iter().take(MAX_ASIDES + 1) {
        let words: Vec<&str> = segment.split_whitespace().collect();
        let Some(first) = words.first() else { continue };
        let aside = DETERMINERS.contains(first)
            || matches!(
                *first,
                "who"
                    | "which"
                    | "whose"
                    | "whom"
                    | "where"
                    | "under"
                    | "in"
                    | "at"
                    | "for"
                    | "of"
                    | "from"
                    | "with"
                    | "like"
                    | "including"
                    | "as"
                    | "once"
                    | "now"
            )
            || first.ends_with("ing")
            || is_capitalised(first)
            || first.chars().all(|c| c.is_ascii_digit());
        if !aside {
            return words;
        }
    }
    Vec::new()
}

/// Verbs that take a stance with a particle: "opened up about", "weighed in", "fired back",
/// "lashed out", "stood by", "held forth", "spoke out", "sounded off".
const PARTICLE_VERBS: &[&str] = &[
    "open", "opens", "opened", "opening", "weigh", "weighs", "weighed", "weighing", "fire",
    "fires", "fired", "firing", "lash", "lashes", "lashed", "lashing", "stand", "stands", "stood",
    "standing", "hold", "holds", "held", "holding", "speak", "speaks", "spoke", "speaking",
    "sound", "sounds", "sounded", "sounding", "push", "pushes", "pushed", "pushing", "hit", "hits",
    "hitting", "chime", "chimes", "chimed", "chiming", "shoot", "shoots", "shot", "shooting",
    "back", "backs", "backed", "backing", "call", "calls", "called", "calling", "cry", "cries",
    "cried", "crying", "double", "doubles", "doubled", "doubling", "step", "steps", "stepped",
    "stepping", "ramp", "ramps", "ramped", "ramping", "play", "plays", "played", "playing",
];

/// Words right before a name that tell a man: honorifics and gendered roles.
const MALE_MARKERS: &[&str] = &[
    "mr.",
    "mr",
    "spokesman",
    "chairman",
    "congressman",
    "businessman",
    "king",
    "prince",
    "father",
    "son",
    "brother",
    "husband",
    "actor",
    "sir",
    "lord",
];
/// Words right before a name that tell a woman.
const FEMALE_MARKERS: &[&str] = &[
    "mrs.",
    "mrs",
    "ms.",
    "ms",
    "miss",
    "spokeswoman",
    "chairwoman",
    "congresswoman",
    "businesswoman",
    "queen",
    "princess",
    "mother",
    "daughter",
    "sister",
    "wife",
    "actress",
    "madam",
    "dame",
    "lady",
];

/// Cue words that are mostly nouns after a determiner and a modifier: "the Paris attacks".
const CUE_NOUNS: &[&str] = &[
    "attack",
    "attacks",
    "claim",
    "claims",
    "call",
    "calls",
    "comment",
    "comments",
    "remark",
    "remarks",
    "tweet",
    "tweets",
    "email",
    "emails",
    "report",
    "reports",
    "support",
    "promise",
    "promises",
    "question",
    "questions",
    "post",
    "posts",
    "note",
    "estimate",
    "estimates",
    "warning",
    "warnings",
    "quote",
    "demand",
    "demands",
    "pledge",
    "vow",
    "threat",
    "threats",
    "praise",
    "defense",
    "challenge",
    "dispute",
    "doubt",
    "doubts",
    "forecast",
    "order",
    "request",
    "talks",
    "views",
    "hopes",
    "fears",
    "criticism",
    "response",
    "answer",
    "reply",
];

/// Quantifiers that stand alone as a group of sources: "Some say", "Many fear".
const QUANTIFIER_SOURCES: &[&str] = &["some", "several", "many", "most", "others", "few"];

/// "WASHINGTON (AP) — Attorney General …" → "Attorney General …": a dateline in capitals is
/// not the sentence's subject.
fn without_dateline(masked: &str) -> &str {
    const MAX_DATELINE: usize = 60;
    let Some(dash) = masked.find(['—', '―', '–']) else {
        return masked;
    };
    let dateline = &masked[..dash];
    let dateline_like = dash <= MAX_DATELINE
        && dateline.chars().any(char::is_alphabetic)
        && !dateline.chars().any(char::is_lowercase);
    if dateline_like {
        masked[dash..]
            .trim_start_matches(['—', '―', '–'])
            .trim_start()
    } else {
        masked
    }
}

/// Linking words that may open a sentence before its subject.
/// Words that open a subordinate clause at the head of a sentence ("When Cruz knocked Rubio, …").
const SUBORDINATORS: &[&str] = &[
    "When", "While", "After", "As", "Before", "Since", "Although", "Though", "Because", "If",
    "Once", "Until", "Whereas",
];

const LINKING_WORDS: &[&str] = &[
    "And",
    "But",
    "So",
    "Yet",
    "Even",
    "Now",
    "Still",
    "Then",
    "Also",
    "Or",
    "Nor",
    "Instead",
    "Meanwhile",
    "Indeed",
    "Finally",
    "Later",
    "Earlier",
    "Again",
    "Separately",
    "Similarly",
];

/// Every form of a verb that, after a named subject, gives that subject's position: the stance
/// verbs and the speech cues.
fn stance_forms() -> &'static HashSet<String> {
    static FORMS: OnceLock<HashSet<String>> = OnceLock::new();
    FORMS.get_or_init(|| {
        STANCE_VERBS
            .iter()
            .chain(CUE_VERBS)
            .flat_map(|v| inflections(v))
            .chain(
                STANCE_IRREGULAR
                    .iter()
                    .chain(IRREGULAR_CUES)
                    .map(|s| s.to_string()),
            )
            .collect()
    })
}

/// "Clinton has hammered Sanders over …", "Trump unveiled a plan …", "Sanders is adamant that
/// …": no speech cue, but the sentence opens with a source whose verb takes a stance, so the
/// sentence reports the source's position. Plain acts ("Li has declined to meet …", "Blinken is
/// making his trip") stay the article's own report.
fn stance_source(masked: &str) -> Option<Source> {
    if let Some((mention, predicate)) = subject_and_predicate(masked)
        && let Some(source) = stance_of(mention, &predicate)
    {
        return Some(source);
    }
    // "When Cruz knocked Rubio on trade, …", "After Johnson refused to rule out a tax, …": the
    // stance sits in an opening clause.
    const MAX_SEGMENTS: usize = 3;
    for segment in head(masked, WINDOW_BYTES)
        .split([',', ';', '—', MASK])
        .take(MAX_SEGMENTS)
    {
        let words: Vec<&str> = segment.split_whitespace().collect();
        let Some((first, clause)) = words.split_first() else {
            continue;
        };
        if !SUBORDINATORS.contains(first) || clause.first().is_none_or(|w| !is_capitalised(w)) {
            continue;
        }
        let Some(end) = subject_end(clause) else {
            continue;
        };
        let Some(mention) = parse_mention(&clause[..end].join(" "))
            .filter(|m| matches!(m.kind, MentionKind::Person | MentionKind::Org))
        else {
            continue;
        };
        if let Some(source) = stance_of(mention, &clause[end..]) {
            return Some(source);
        }
    }
    // "Candidates generally benefit from low expectations, yet Donald Trump continually brags
    // about …": the stance is in a later main clause with a named subject.
    const JOINTS: &[&str] = &[", yet ", ", but ", ", and ", "; ", ", so "];
    let window = head(masked, WINDOW_BYTES);
    for joint in JOINTS {
        for (at, _) in window.match_indices(joint) {
            let clause = &window[at + joint.len()..];
            if clause
                .split_whitespace()
                .next()
                .is_none_or(|w| !is_capitalised(w))
            {
                continue;
            }
            if let Some((mention, predicate)) = subject_and_predicate(clause)
                && matches!(mention.kind, MentionKind::Person | MentionKind::Org)
                && let Some(source) = stance_of(mention, &predicate)
            {
                return Some(source);
            }
        }
    }
    None
}

/// "In a statement issued Tuesday, Clinton was more circumspect": a sentence opened by the
/// channel it reports is its subject's statement, whatever the verb.
fn channel_opener_source(masked: &str) -> Option<Source> {
    const CHANNELS: &[&str] = &[
        "statement",
        "interview",
        "tweet",
        "speech",
        "letter",
        "op-ed",
        "post",
        "email",
        "memo",
        "remarks",
        "address",
        "essay",
        "column",
    ];
    let (opening, rest) = masked.split_once(", ")?;
    let words: Vec<&str> = opening.split_whitespace().collect();
    let channel_at = words.iter().position(|w| CHANNELS.contains(w))?;
    let opens = matches!(words.first(), Some(&"In"))
        && matches!(
            words.get(1),
            Some(&("a" | "an" | "his" | "her" | "their" | "its"))
        )
        && channel_at <= 3;
    if !opens {
        return None;
    }
    let (mention, _) = subject_and_predicate(rest)?;
    if !matches!(mention.kind, MentionKind::Person | MentionKind::Org) {
        return None;
    }
    Some(Source {
        mention,
        cue: words[channel_at].to_string(),
        via: None,
    })
}

/// "Trump's claim that …", "Mr. Obama's decision to …", or a sentence opened by "Mrs. Clinton's
/// plan …": a named owner of words or a position introduces their content. A possessive before
/// any other noun ("Xi's comments on Monday afternoon", "Blinken's visit") is not a source.
fn possessive_source(masked: &str) -> Option<Source> {
    const MAX_NAME_WORDS: usize = 4;
    let words: Vec<&str> = head(masked, WINDOW_BYTES).split_whitespace().collect();
    let bare = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
            .to_lowercase()
    };
    for (i, word) in words.iter().enumerate() {
        if !is_possessive(word) || !is_capitalised(word) {
            continue;
        }
        // The noun, after at most one modifier: "Trump's latest claim".
        let Some(noun_at) = (i + 1..words.len().min(i + 3))
            .find(|&j| STANCE_NOUNS.contains(&bare(words[j]).as_str()))
        else {
            continue;
        };
        if noun_at == i + 2 && !starts_lower(words[i + 1]) {
            continue;
        }
        let opens_sentence = (0..i).all(|k| is_capitalised(words[k])) && i < MAX_NAME_WORDS;
        let introduces = words
            .get(noun_at + 1)
            .is_some_and(|w| matches!(*w, "that" | "to"))
            || words[noun_at].ends_with(':');
        if !(opens_sentence || introduces) {
            continue;
        }
        let start = (0..i)
            .rev()
            .take_while(|&k| is_capitalised(words[k]) && !words[k].ends_with([',', ';', ':']))
            .last()
            .unwrap_or(i)
            .max(i.saturating_sub(MAX_NAME_WORDS - 1));
        let owner: Vec<&str> = words[start..=i]
            .iter()
            .map(|w| {
                w.trim_end_matches("'s")
                    .trim_end_matches("’s")
                    .trim_end_matches(['\'', '’'])
            })
            .collect();
        let Some(mention) = parse_mention(&owner.join(" "))
            .filter(|m| matches!(m.kind, MentionKind::Person | MentionKind::Org))
        else {
            continue;
        };
        return Some(Source {
            mention,
            cue: bare(words[noun_at]),
            via: None,
        });
    }
    None
}

/// The source when the verb after its subject takes a stance, directly or through its object.
fn stance_of(mention: Mention, predicate: &[&str]) -> Option<Source> {
    let mut words = predicate
        .iter()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-'))
        .peekable();
    let mut after_be = false;
    while let Some(word) =
        words.next_if(|w| is_cue_modifier(w) || matches!(*w, "be" | "remains" | "both"))
    {
        after_be |= BE_FORMS.contains(&word) || word == "remains";
    }
    let verb = words.next()?;
    let stance = if after_be {
        // "is pushing", "was eager"; but "was criticized by …" is passive: the subject is
        // the target, not the source.
        STANCE_ADJECTIVES.contains(&verb)
            || (verb.ends_with("ing") && stance_forms().contains(verb))
    } else {
        stance_forms().contains(verb)
    };
    let rest: Vec<&str> = words.collect();
    // "made an impassioned case", "took multiple swipes at": the object carries the stance.
    const OBJECT_WORDS: usize = 4;
    let light = LIGHT_VERBS.contains(&verb)
        && rest
            .iter()
            .take(OBJECT_WORDS)
            .any(|w| STANCE_NOUNS.contains(&w.to_lowercase().as_str()));
    // "opened up about", "weighed in", "stood by his comment": a verb and its particle.
    let phrasal = (!after_be || verb.ends_with("ing"))
        && rest.first().is_some_and(|particle| {
            PARTICLE_VERBS.contains(&verb)
                && matches!(
                    *particle,
                    "up" | "in" | "out" | "back" | "forth" | "by" | "off" | "down"
                )
        });
    // "has gone after Trump": going after someone is attacking them.
    let goes_after =
        matches!(verb, "go" | "goes" | "went" | "gone" | "going") && rest.first() == Some(&"after");
    // "declined to comment", "tried to downplay": the stance is in the infinitive.
    let infinitive = matches!(rest.as_slice(), ["to", next, ..] if stance_forms().contains(*next));
    let stance = stance || light || phrasal || infinitive || goes_after;
    stance.then(|| Source {
        mention,
        cue: verb.to_string(),
        via: None,
    })
}

/// Where a sentence's subject ends: at the first lower-case word after a capitalised one, unless
/// one or two role words lead on to more of the name ("Democratic front-runner Hillary Clinton",
/// "Republican presidential nominee Donald Trump").
fn subject_end(words: &[&str]) -> Option<usize> {
    const FUNCTION_WORDS: &[&str] = &[
        "the", "a", "an", "of", "to", "in", "on", "at", "for", "with", "by", "from", "and", "or",
        "but", "his", "her", "their", "its", "after", "before", "over", "about", "as",
    ];
    let verb_like = |w: &str| {
        FUNCTION_WORDS.contains(&w)
            || w.ends_with("ed")
            || w.ends_with("ing")
            || (w.ends_with('s') && !w.ends_with("ss"))
            || cue_regex().is_some_and(|re| re.is_match(w))
    };
    let mut i = 1;
    while i < words.len() {
        // "Obama and Clinton continue …": two names, one subject.
        if words[i] == "and"
            && is_capitalised(words[i - 1])
            && words.get(i + 1).is_some_and(|w| is_capitalised(w))
        {
            i += 2;
            continue;
        }
        if starts_lower(words[i]) && is_capitalised(words[i - 1]) {
            let gap = (i..words.len().min(i + 2))
                .take_while(|&j| starts_lower(words[j]) && !verb_like(words[j]))
                .count();
            let resumes = gap > 0 && words.get(i + gap).is_some_and(|w| is_capitalised(w));
            if !resumes {
                return Some(i);
            }
            i += gap;
        }
        i += 1;
    }
    None
}

fn is_past_form(cue: &str) -> bool {
    cue.ends_with("ed")
        || matches!(
            cue,
            "said"
                | "told"
                | "written"
                | "spoken"
                | "found"
                | "shown"
                | "thought"
                | "known"
                | "sworn"
        )
}

/// The source after an inverted cue: "said Thompson", "said another advocate, Andrew J. Pincus of
/// the law firm Mayer Brown", "said House Speaker Paul Ryan in a statement".
fn inverted_source(np: &str) -> Option<Mention> {
    const MAX_SEGMENTS: usize = 3;
    let segments: Vec<&str> = np.split(',').map(str::trim).take(MAX_SEGMENTS).collect();
    let mentions: Vec<Option<Mention>> = segments.iter().map(|s| parse_mention(s)).collect();
    let named = mentions.iter().position(|m| {
        m.as_ref()
            .is_some_and(|m| matches!(m.kind, MentionKind::Person | MentionKind::Org))
    });
    // Only the first segment may be a description ("a senior fellow"); a name further on must
    // directly follow it ("another advocate, Andrew J. Pincus").
    let chosen = match named {
        Some(i) if i <= 1 => i,
        _ => 0,
    };
    let mut mention = mentions.into_iter().nth(chosen).flatten()?;
    if mention.kind == MentionKind::Pronoun {
        return None;
    }
    if mention.role.is_none() {
        let described: Vec<&str> = segments
            .iter()
            .enumerate()
            .filter(|(i, s)| *i != chosen && starts_lower(s))
            .map(|(_, s)| *s)
            .collect();
        mention.role = (!described.is_empty()).then(|| described.join(", "));
    }
    Some(mention)
}

/// "NAME, a description, said" / "Jillian Chase, 27, a user in New York, said": the name is the
/// source, the description after it its role. `before_comma` ends just before the last comma.
fn comma_source(before_comma: &str) -> Option<Mention> {
    const MAX_SEGMENTS: usize = 4;
    let hard = before_comma
        .char_indices()
        .rev()
        // A quotation inside the description ("the co-author of “Going Viral,”") does not end it.
        .find(|(_, c)| *c != ',' && *c != MASK && CLAUSE_MARKS.contains(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let segments: Vec<&str> = before_comma[hard..].split(',').map(str::trim).collect();
    // "In Alexandria, Va., Lazar, in a green jail jumpsuit, said": the name is the segment
    // right before the first description (ages skipped), not an earlier place.
    if let Some(described) = segments.iter().position(|seg| starts_lower(seg))
        && let Some(named) = segments[..described]
            .iter()
            .rposition(|seg| !seg.chars().all(|c| c.is_ascii_digit() || c.is_whitespace()))
        && segments[named + 1..]
            .iter()
            .all(|seg| is_appositive_like(seg))
    {
        let (head, _) = subject_chunk(segments[named]);
        let head = without_linking_word(&head);
        if !starts_with_preposition(&head)
            && head.split_whitespace().count() <= MAX_ROLE_WORDS
            && let Some(mut mention) =
                parse_mention(&head).filter(|m| m.kind == MentionKind::Person)
        {
            let described: Vec<&str> = segments[named + 1..]
                .iter()
                .copied()
                .filter(|s| starts_lower(s))
                .collect();
            if mention.role.is_none() && !described.is_empty() {
                mention.role = Some(described.join(", "));
            }
            return Some(mention);
        }
    }
    let first = segments.len().saturating_sub(MAX_SEGMENTS);
    for i in first..segments.len() {
        let rest = &segments[i + 1..];
        // The last segment alone: "One pastor, Darran Whiting of Liberty Church, said".
        let alone = rest.is_empty();
        if alone && (segments.len() < 2 || starts_lower(segments[i])) {
            continue;
        }
        if !rest.iter().all(|seg| is_appositive_like(seg)) {
            continue;
        }
        let (head, _) = subject_chunk(segments[i]);
        let head = without_linking_word(&head);
        // The name before an appositive is a bare name, not a clause ending in one ("Cranston
        // stood at his pulpit in Burlington, Iowa, and, citing …").
        let clause = head
            .split_whitespace()
            .any(|w| BE_FORMS.contains(&w) || matches!(w, "has" | "have" | "had"));
        if starts_with_preposition(&head)
            || head.split_whitespace().count() > MAX_ROLE_WORDS
            || clause
        {
            continue;
        }
        let Some(mut mention) = parse_mention(&head)
            .filter(|m| m.kind == MentionKind::Person || (!alone && m.kind == MentionKind::Org))
        else {
            continue;
        };
        let described: Vec<&str> = rest.iter().copied().filter(|s| starts_lower(s)).collect();
        if mention.role.is_none() && !described.is_empty() {
            mention.role = Some(described.join(", "));
        }
        return Some(mention);
    }
    None
}

/// "And retired Gen. John Allen" → "retired Gen. John Allen".
fn without_linking_word(head: &str) -> String {
    match head.split_once(' ') {
        Some((first, rest)) if LINKING_WORDS.contains(&first) => rest.to_string(),
        _ => head.to_string(),
    }
}

/// What may follow a name between commas: a description, an age, a place.
fn is_appositive_like(segment: &str) -> bool {
    let words = segment.split_whitespace().count();
    starts_lower(segment)
        || segment
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace())
        || (words <= 3 && words > 0 && segment.split_whitespace().all(is_capitalised))
}

/// The subject phrase right before a cue and the boundary character that ends it.
fn subject_chunk(before: &str) -> (String, Option<char>) {
    subject_chunk_in(before, true)
}

fn subject_chunk_in(before: &str, follow_relative: bool) -> (String, Option<char>) {
    let mark = before
        .char_indices()
        .rev()
        .find(|(_, c)| CLAUSE_MARKS.contains(c));
    let (mut start, mut boundary) = match mark {
        Some((i, c)) => (i + c.len_utf8(), Some(c)),
        None => (0, None),
    };
    // "… is also predictable - Donald J. Trump has vowed": a spaced hyphen stands for a dash.
    if let Some(i) = before[start..].rfind(" - ") {
        start += i + " - ".len();
        boundary = Some('—');
    }
    let clause = &before[start..];
    let mut words: Vec<&str> = clause.split_whitespace().collect();
    // "Sanders, who endorsed Canova and said": the source is what the relative clause describes.
    if follow_relative
        && boundary == Some(',')
        && words
            .first()
            .is_some_and(|w| matches!(*w, "who" | "which" | "who's" | "who’s"))
        // "…, which Mr. Clarke says …": the clause has a subject of its own.
        && words
            .get(1)
            .is_none_or(|w| !is_capitalised(w) && !PRONOUNS.contains(&w.to_lowercase().as_str()))
    {
        let (head, head_boundary) = subject_chunk_in(&before[..start - 1], false);
        if !head.is_empty() {
            return (head, head_boundary);
        }
    }
    // A clause word ("that", "which") ends the subject, unless the chunk is only modifiers.
    // The boundary is then the clause word, not the punctuation before it.
    if let Some(pos) = words.iter().rposition(|w| CLAUSE_WORDS.contains(w)) {
        words.drain(..=pos);
        boundary = Some(' ');
        if words.is_empty() {
            return (String::new(), boundary);
        }
    }
    // "Sanders on Tuesday said", "The Times last week wrote": the time is not the source.
    while words
        .last()
        .is_some_and(|w| is_cue_modifier(w) || TIME_WORDS.contains(w))
    {
        words.pop();
    }
    // "Caddell went on to discuss", "Clinton has tried to explain": drop the verb before "to".
    if words.last() == Some(&"to") {
        words.pop();
        for _ in 0..3 {
            if words
                .last()
                .is_some_and(|w| starts_lower(w) && !PRONOUNS.contains(w))
            {
                words.pop();
            }
        }
        while words.last().is_some_and(|w| is_cue_modifier(w)) {
            words.pop();
        }
    }
    // A trailing sentence end: "He left. Smith said" takes only what follows the stop.
    if let Some(pos) = words
        .iter()
        .rposition(|w| w.ends_with('.') && !w.contains(|c: char| c.is_uppercase()))
    {
        words.drain(..=pos);
    }
    (words.join(" "), boundary)
}

/// "also", "has", "repeatedly": words between a source and its cue.
fn is_cue_modifier(word: &str) -> bool {
    CUE_MODIFIERS.contains(&word)
        || (word.len() > 4 && word.ends_with("ly") && word.chars().all(|c| c.is_ascii_lowercase()))
}

/// The noun phrase after a cue, up to the end of its clause.
fn phrase_after(after: &str) -> Option<String> {
    let text = after.trim_start();
    let end = text
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, ';' | ':' | '(' | ')' | '—' | '–' | '?' | '!' | MASK)
                || (c == '.' && is_sentence_stop(text, i))
        })
        .map_or(text.len(), |(i, _)| i);
    let phrase = text[..end].trim().trim_end_matches(',').trim();
    // "said on Monday": a time phrase, not a speaker.
    let phrase = phrase
        .split(" on ")
        .next()
        .unwrap_or(phrase)
        .trim()
        .to_string();
    (!phrase.is_empty() && phrase.split_whitespace().count() <= MAX_SOURCE_WORDS * 2)
        .then_some(phrase)
}

/// A '.' at `i` ends the sentence unless it closes an abbreviation or initial.
fn is_sentence_stop(text: &str, i: usize) -> bool {
    let word_start = text[..i].rfind(' ').map_or(0, |p| p + 1);
    let word = &text[word_start..i];
    !(word.chars().count() == 1 && word.chars().all(char::is_uppercase)
        || TITLES.contains(&format!("{word}.").as_str())
        || word.contains('.'))
}

/// "told Bloomberg TV": a news outlet as the addressee is the channel.
fn channel_after(cue: &str, after: &str) -> Option<String> {
    if !matches!(cue, "told" | "tells" | "tell" | "telling") {
        return None;
    }
    let np = phrase_after(after)?;
    let head: Vec<&str> = np
        .split_whitespace()
        .take_while(|w| is_capitalised(w) || matches!(*w, "the" | "of"))
        .collect();
    let head = head.join(" ");
    head.split_whitespace()
        .any(|w| MEDIA_WORDS.contains(&trim_word(w)))
        .then(|| strip_article(&head))
}

/// Classifies a subject phrase: pronoun, named person (with role), organisation, description.
pub fn parse_mention(chunk: &str) -> Option<Mention> {
    let words: Vec<&str> = chunk
        .split_whitespace()
        .map(|w| w.trim_end_matches([',', ';', ':']))
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return None;
    }
    if words.len() > MAX_SOURCE_WORDS {
        // "In a March 2016 meeting with the editorial board of the Washington Post Trump said":
        // a long opening phrase without its comma; the name that ends it is the subject.
        const MAX_NAME_WORDS: usize = 4;
        let opens_with_phrase = words.first().is_some_and(|w| PHRASE_OPENERS.contains(w));
        let run = words
            .iter()
            .rev()
            .take_while(|w| is_capitalised(w))
            .count()
            .min(MAX_NAME_WORDS);
        if !opens_with_phrase || run == 0 {
            return None;
        }
        return parse_named(&words[words.len() - run..]);
    }
    let last = *words.last()?;
    // First and second person outside quotation marks are the writer and the reader.
    if words.len() == 1 && matches!(last.to_lowercase().as_str(), "i" | "we" | "you") {
        return None;
    }
    // "Some say …", "Several said …", "Many fear …": a bare quantifier is a vague source.
    if words.len() == 1 && QUANTIFIER_SOURCES.contains(&last.to_lowercase().as_str()) {
        return Some(Mention {
            text: last.to_string(),
            role: None,
            kind: MentionKind::Common,
        });
    }
    if words.len() == 1 && PRONOUNS.contains(&last.to_lowercase().as_str()) {
        return Some(Mention {
            text: last.to_lowercase(),
            role: None,
            kind: MentionKind::Pronoun,
        });
    }
    // "Darran Whiting of Liberty Baptist Church": a person, then where they are from.
    if let Some(split) = words.iter().position(|w| PLACE_PREPOSITIONS.contains(w))
        && split > 0
        && is_capitalised(words[split - 1])
        && !TITLES.contains(&words[split - 1])
        && let Some(mut head) =
            parse_named(&words[..split]).filter(|m| m.kind == MentionKind::Person)
    {
        if head.role.is_none() {
            head.role = Some(words[split..].join(" "));
        }
        return Some(head);
    }
    if is_capitalised(last) && !is_possessive(last) {
        return parse_named(&words);
    }
    // "With Democratic leaders worried": a description opened by a preposition is no source.
    if words.first().is_some_and(|w| PHRASE_OPENERS.contains(w)) {
        return None;
    }
    // "The economy grew and officials": only the last conjunct can be the source.
    let words: Vec<&str> = match words
        .iter()
        .rposition(|w| matches!(*w, "and" | "or" | "but"))
    {
        Some(pos) if pos + 1 < words.len() => words[pos + 1..].to_vec(),
        _ => words,
    };
    let head = last.to_lowercase();
    let singular = head.strip_suffix('s').unwrap_or(&head);
    let is_speaker_noun = SPEAKER_NOUNS.contains(&head.as_str())
        || SPEAKER_NOUNS.contains(&singular)
        || head
            .strip_suffix("ies")
            .is_some_and(|stem| SPEAKER_NOUNS.contains(&format!("{stem}y").as_str()));
    // "two officials", "some users": a counted or quantified group.
    let determined = (2..=4).contains(&words.len())
        && head.ends_with('s')
        && !head.ends_with("ss")
        && !DETERMINERS.contains(&head.as_str())
        && !words
            .iter()
            .any(|w| PRONOUNS.contains(&w.to_lowercase().as_str()))
        && words
            .first()
            .is_some_and(|w| DETERMINERS.contains(&w.to_lowercase().as_str()));
    // "said parents": a verb of saying inside the phrase means it is no noun phrase.
    let has_cue_verb = words[..words.len() - 1]
        .iter()
        .any(|w| matches!(*w, "said" | "says" | "told" | "tells"));
    ((is_speaker_noun || determined)
        && words.len() <= 6
        && !has_cue_verb
        && !words.iter().any(|w| CLAUSE_WORDS.contains(w)))
    .then(|| Mention {
        text: strip_article(&words.join(" ")),
        role: None,
        kind: MentionKind::Common,
    })
}

/// A phrase ending in a capitalised word: split the name from the role before it.
fn parse_named(words: &[&str]) -> Option<Mention> {
    // Connectors stay inside a name when capitalised words surround them: "Roper Center for
    // Public Opinion Research", "Committee on Ways and Means".
    let connects = |i: usize| {
        matches!(
            words[i],
            "of" | "for" | "on" | "and" | "&" | "de" | "van" | "von" | "bin" | "al"
        ) && i > 0
            && is_capitalised(words[i - 1])
            && words.get(i + 1).is_some_and(|w| is_capitalised(w))
    };
    let run_start = (0..words.len())
        .rposition(|i| !(is_capitalised(words[i]) || connects(i)))
        .map_or(0, |p| p + 1);
    let run = &words[run_start..];
    let is_org_word =
        |w: &&str| ORG_WORDS.contains(&trim_word(w)) || MEDIA_WORDS.contains(&trim_word(w));
    // An organisation when its head is an organisation word: "Xinhua News Agency", "Bank of
    // America"; not "House Speaker Paul Ryan", whose head is a person.
    let org_head = run.last().is_some_and(is_org_word)
        || run
            .windows(2)
            .any(|pair| is_org_word(&pair[0]) && pair[1] == "of");
    if org_head {
        let start = run
            .iter()
            .position(|w| !matches!(*w, "The" | "the" | "of"))
            .unwrap_or(0);
        return Some(Mention {
            text: run[start..].join(" "),
            role: None,
            kind: MentionKind::Org,
        });
    }
    // The name follows the last title, possessive or "of": "Secretary of State Antony Blinken".
    let name_start = run
        .iter()
        .enumerate()
        .rposition(|(i, w)| {
            is_title_at(run, i)
                || is_possessive(w)
                || matches!(*w, "of" | "&")
                || NOT_NAMES.contains(w)
                // "the Washington Post Trump said": an organisation ends before the name.
                || (i + 1 < run.len() && is_org_word(w))
        })
        .map_or(0, |p| p + 1);
    let mut name: Vec<&str> = run[name_start..].to_vec();
    while name.len() > 1 && matches!(name[0], "and" | "for" | "on" | "&") {
        name.remove(0);
    }
    // "Julie A. Diaz Martinez" keeps its four words; a longer run is mostly modifiers.
    let initialled = name.len() == 4 && is_initial(name[1].trim_end_matches(','));
    if name.len() > 3 && !initialled {
        name.drain(..name.len() - 2);
    }
    // "Writing for the Times, Barabak noted": a sentence-initial participle is no name.
    if let [only] = name.as_slice()
        && role_free_participle(only)
    {
        return None;
    }
    if name.is_empty() {
        if !run.iter().enumerate().any(|(i, _)| is_title_at(run, i)) {
            return None;
        }
        // "facing a spirited Democratic challenge": a participle's clause, not a title.
        if words.iter().any(|w| starts_lower(w) && w.ends_with("ing")) {
            return None;
        }
        // "the President said": a title only, resolved through the roles seen so far.
        let text = strip_article(&words.join(" "));
        return Some(Mention {
            text,
            role: None,
            kind: MentionKind::Common,
        });
    }
    let role_words = &words[..words.len() - name.len()];
    // A title before a name ("China's top diplomat", "Secretary of State") has no clause in it:
    // "At a rally in Ohio Trump" names Trump with no role.
    const NOT_IN_ROLES: &[&str] = &[
        "at", "in", "on", "to", "with", "from", "by", "his", "her", "their", "its", "who", "which",
        "that", "was", "is", "were", "are", "has", "had", "have", "when", "while", "after",
        "before", "over", "about", "as", "into", "than",
    ];
    // "the Washington Post Trump said": an organisation before a name is not their title.
    let clause_before = role_words.len() > MAX_ROLE_WORDS
        || role_words.iter().any(|w| NOT_IN_ROLES.contains(w))
        || role_words.last().is_some_and(is_org_word);
    let role = strip_article(&role_words.join(" "));
    Some(Mention {
        text: name.join(" "),
        role: (!role.is_empty() && !clause_before).then_some(role),
        kind: MentionKind::Person,
    })
}

/// A capitalised form of a cue or stance verb ending in "-ing": "Writing", "Speaking".
fn role_free_participle(word: &str) -> bool {
    let lower = trim_word(word).to_lowercase();
    lower.ends_with("ing") && stance_forms().contains(&lower)
}

/// Whether `run[i]` is a title. Titles that are also surnames ("King", "General") count as
/// titles at the end of a run only when nothing name-like precedes them ("the Foreign Minister").
fn is_title_at(run: &[&str], i: usize) -> bool {
    let Some(word) = run.get(i) else { return false };
    if !TITLES.contains(word) {
        return false;
    }
    if i + 1 < run.len() || i == 0 {
        return true;
    }
    let before = run[i - 1];
    TITLES.contains(&before)
        || NOT_NAMES.contains(&before)
        || before == "of"
        || is_possessive(before)
}

/// The last `max` bytes of `text` (or a little less, on a char boundary).
fn tail(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// The first `max` bytes of `text` (or a little less, on a char boundary).
fn head(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn is_capitalised(word: &str) -> bool {
    word.chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(char::is_uppercase)
}

fn is_possessive(word: &str) -> bool {
    word.ends_with("’s") || word.ends_with("'s") || word.ends_with("s’") || word.ends_with("s'")
}

fn trim_word(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_alphanumeric() && c != '.')
        .trim_end_matches('.')
}

fn starts_lower(text: &str) -> bool {
    text.chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(char::is_lowercase)
}

fn starts_with_preposition(text: &str) -> bool {
    text.split_whitespace()
        .next()
        .is_some_and(|w| NOT_NAMES.contains(&w) && !TITLES.contains(&w))
}

/// A channel is named without its article: "a transcript of …" → "transcript of …".
fn strip_any_article(text: &str) -> String {
    let text = text.trim();
    ["the ", "The ", "a ", "A ", "an ", "An "]
        .iter()
        .find_map(|article| text.strip_prefix(article))
        .unwrap_or(text)
        .to_string()
}

fn strip_article(text: &str) -> String {
    let text = text.trim();
    for article in ["the ", "The ", "a ", "A ", "an ", "An "] {
        if let Some(rest) = text.strip_prefix(article) {
            // Keep "a source", "an official": the article is part of a vague source.
            if article.trim().eq_ignore_ascii_case("the") || is_capitalised(rest) {
                return rest.to_string();
            }
        }
    }
    text.to_string()
}

/// Names and speakers seen so far in the article, for resolving "he" and "Wang".
#[derive(Default)]
struct Memory {
    /// Full names (two or three words) in order of mention, with their role if one preceded.
    names: Vec<(String, Option<String>)>,
    last_person: Option<String>,
    last_speaker: Option<String>,
    /// Person speakers in order, most recent last, for a pronoun whose nearest one is of the
    /// other gender.
    persons: Vec<String>,
    /// What the article tells of a surname's gender: "Mrs. Clinton", "spokeswoman Hua Chunying".
    genders: HashMap<String, Gender>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gender {
    Male,
    Female,
}

/// Last words that make a capitalised pair a thing named after someone, not a person.
const NAMED_THINGS: &[&str] = &[
    "Plan",
    "Act",
    "Bill",
    "Rule",
    "Rules",
    "Doctrine",
    "Administration",
    "Campaign",
    "Era",
    "Years",
    "Show",
    "Report",
    "Law",
    "Deal",
    "Agenda",
    "Policy",
    "Proposal",
    "Team",
    "Camp",
    "Presidency",
    "Tower",
    "Towers",
    "Initiative",
    "Trust",
    "Effect",
    "Speech",
    "Hotel",
    "Care",
];

/// Persons remembered for gendered pronouns: the nearest few matter.
const MAX_PERSONS: usize = 32;

impl Memory {
    /// The resolved speaker and, when resolution found one, the role given at first mention.
    fn resolve(&self, mention: &Mention) -> (Option<String>, Option<String>) {
        match mention.kind {
            MentionKind::Pronoun => {
                let gender = match mention.text.as_str() {
                    "he" | "him" => Some(Gender::Male),
                    "she" | "her" => Some(Gender::Female),
                    _ => None,
                };
                let resolved = if let Some(gender) = gender {
                    self.person_of(gender)
                } else if PERSON_PRONOUNS.contains(&mention.text.as_str()) {
                    self.last_person.clone()
                } else if matches!(mention.text.as_str(), "they" | "it" | "them") {
                    self.last_speaker.clone()
                } else {
                    None
                };
                (Some(resolved.unwrap_or_else(|| mention.text.clone())), None)
            }
            MentionKind::Person => {
                let tokens: Vec<&str> = mention.text.split_whitespace().collect();
                if let [single] = tokens.as_slice()
                    && let Some((full, role)) = self.names.iter().rev().find(|(full, _)| {
                        let parts: Vec<&str> = full.split_whitespace().collect();
                        parts.first() == Some(single) || parts.last() == Some(single)
                    })
                {
                    return (Some(full.clone()), role.clone());
                }
                (Some(mention.text.clone()), None)
            }
            MentionKind::Org => (Some(mention.text.clone()), None),
            MentionKind::Common => {
                // "China's foreign minister" → the person last introduced as "Foreign Minister".
                let words: Vec<String> = mention
                    .text
                    .split_whitespace()
                    .map(str::to_lowercase)
                    .collect();
                if words.len() >= 2 {
                    let tail = &words[words.len() - 2..];
                    let found = self.names.iter().rev().find(|(_, role)| {
                        role.as_ref().is_some_and(|r| {
                            let role_words: Vec<String> =
                                r.split_whitespace().map(str::to_lowercase).collect();
                            role_words.len() >= 2 && role_words[role_words.len() - 2..] == *tail
                        })
                    });
                    if let Some((full, role)) = found {
                        return (Some(full.clone()), role.clone());
                    }
                }
                // "the president", "the Vermont senator": a definite description whose head is a
                // title resolves to the person last introduced with that title.
                if let Some((full, role)) = self.titled(&words) {
                    return (Some(full.clone()), role.clone());
                }
                (Some(mention.text.clone()), None)
            }
        }
    }

    /// The nearest full name whose role holds the title that heads a description.
    fn titled(&self, description: &[String]) -> Option<&(String, Option<String>)> {
        const HEADS: &[&str] = &[
            "president",
            "senator",
            "nominee",
            "candidate",
            "governor",
            "secretary",
            "minister",
            "chairman",
            "chairwoman",
            "congressman",
            "congresswoman",
            "mayor",
            "ambassador",
            "spokesman",
            "spokeswoman",
            "representative",
            "director",
            "chancellor",
            "premier",
        ];
        let head = description.last()?;
        let indefinite = description
            .first()
            .is_some_and(|w| matches!(w.as_str(), "a" | "an" | "another" | "one"));
        if indefinite || !HEADS.contains(&head.as_str()) {
            return None;
        }
        let normalise = |word: &str| match word {
            "sen." => "senator".to_string(),
            "rep." => "representative".to_string(),
            "gov." => "governor".to_string(),
            "pres." => "president".to_string(),
            "sec." => "secretary".to_string(),
            other => other.to_string(),
        };
        self.names.iter().rev().find(|(_, role)| {
            role.as_ref().is_some_and(|r| {
                r.split_whitespace()
                    .any(|w| normalise(&w.to_lowercase()) == *head)
            })
        })
    }

    /// The attribution of a source, resolved against what the article said before it.
    fn attribution(&mut self, source: Source, kind: ClaimKind) -> Attribution {
        let (speaker, role) = self.resolve(&source.mention);
        self.note_speaker(speaker.as_deref(), source.mention.kind);
        if source.mention.kind == MentionKind::Pronoun {
            self.note_pronoun(speaker.as_deref(), &source.mention.text);
        }
        Attribution {
            speaker,
            speaker_role: role.or(source.mention.role),
            via: source.via,
            cue: Some(source.cue),
            kind,
        }
    }

    /// Whether a word is part of a full name the article has given.
    fn knows(&self, word: &str) -> bool {
        self.names
            .iter()
            .any(|(full, _)| full.split_whitespace().any(|part| part == word))
    }

    fn note_speaker(&mut self, speaker: Option<&str>, kind: MentionKind) {
        let Some(speaker) = speaker else { return };
        if PRONOUNS.contains(&speaker) {
            return;
        }
        self.last_speaker = Some(speaker.to_string());
        let is_person = match kind {
            MentionKind::Person => true,
            MentionKind::Pronoun => true,
            MentionKind::Org | MentionKind::Common => false,
        };
        if is_person {
            self.last_person = Some(speaker.to_string());
            self.persons.retain(|p| p != speaker);
            if self.persons.len() >= MAX_PERSONS {
                self.persons.remove(0);
            }
            self.persons.push(speaker.to_string());
        }
    }

    /// "she said" resolved to a name tells that name's gender, for the pronouns after it.
    fn note_pronoun(&mut self, speaker: Option<&str>, pronoun: &str) {
        let gender = match pronoun {
            "he" | "him" => Gender::Male,
            "she" | "her" => Gender::Female,
            _ => return,
        };
        if let Some(surname) = speaker.and_then(|s| s.split_whitespace().last())
            && !PRONOUNS.contains(&surname)
        {
            self.genders.entry(surname.to_string()).or_insert(gender);
        }
    }

    fn gender_of(&self, name: &str) -> Option<Gender> {
        let surname = name.split_whitespace().last()?;
        self.genders.get(surname).copied()
    }

    /// "She said" after a man's quote is the woman quoted before him: the nearest person
    /// speaker not known to be of the other gender.
    fn person_of(&self, gender: Gender) -> Option<String> {
        let compatible = |name: &String| self.gender_of(name).is_none_or(|g| g == gender);
        match &self.last_person {
            Some(last) if !compatible(last) => self
                .persons
                .iter()
                .rev()
                .find(|p| compatible(p))
                .cloned()
                .or_else(|| Some(last.clone())),
            last => last.clone(),
        }
    }

    /// Learns a surname's gender from an honorific or a gendered role right before the name.
    fn learn_genders(&mut self, words: &[&str]) {
        for (i, word) in words.iter().enumerate() {
            let lower = word.to_lowercase();
            let gender = if MALE_MARKERS.contains(&lower.as_str()) {
                Gender::Male
            } else if FEMALE_MARKERS.contains(&lower.as_str()) {
                Gender::Female
            } else {
                continue;
            };
            let run: Vec<&str> = words[i + 1..]
                .iter()
                .take(3)
                .take_while(|w| is_capitalised(w) && !TITLES.contains(w))
                .copied()
                .collect();
            // The surname ends the run, or the run stops at punctuation: "Mr. Trump, who …".
            let end = run
                .iter()
                .position(|w| w.ends_with([',', ';', ':', '.', '”', '"', ')']) && !is_initial(w))
                .map_or(run.len(), |p| p + 1);
            if let Some(surname) = run[..end].last().map(|w| clean_token(w)) {
                let surname = surname.trim_end_matches("’s").trim_end_matches("'s");
                if !surname.is_empty() {
                    self.genders.insert(surname.to_string(), gender);
                }
            }
        }
    }

    /// Records the full names a sentence mentions, in order.
    fn observe(&mut self, text: &str) {
        let words: Vec<&str> = text.split_whitespace().collect();
        self.learn_genders(&words);
        let mut i = 0;
        while i < words.len() {
            if !is_capitalised(words[i]) {
                i += 1;
                continue;
            }
            // A run of capitalised words, "of" allowed inside: "Secretary of State Antony Blinken".
            let start = i;
            let mut end = i;
            while end < words.len() {
                let w = words[end];
                let joins = w == "of" && words.get(end + 1).is_some_and(|n| is_capitalised(n));
                if !(is_capitalised(w) || joins) {
                    break;
                }
                // "Lindsey Graham Says …": a headline's verb is not part of the name.
                if end > start && w.ends_with('s') && is_headline_verb(clean_token(w)) {
                    break;
                }
                end += 1;
                // Punctuation ends the run: "Henry Wang, founder".
                if w.ends_with([',', ';', ':', '.', '”', '"', ')'])
                    && !is_initial(w)
                    && !TITLES.contains(&w)
                {
                    break;
                }
                if is_possessive(w) {
                    break;
                }
            }
            let run: Vec<&str> = words[start..end].iter().map(|w| clean_token(w)).collect();
            self.observe_run(&run);
            i = end.max(i + 1);
        }
    }

    fn observe_run(&mut self, run: &[&str]) {
        if run
            .iter()
            .any(|w| ORG_WORDS.contains(w) || MEDIA_WORDS.contains(w))
            || run.iter().any(|w| is_possessive(w))
        {
            return;
        }
        let name_start = run
            .iter()
            .enumerate()
            .rposition(|(i, w)| is_title_at(run, i) || NOT_NAMES.contains(w) || *w == "of")
            .map_or(0, |p| p + 1);
        let mut name: Vec<&str> = run[name_start..].to_vec();
        if name.len() > 3 || (name.len() == 3 && !name.iter().any(|w| is_initial(w))) {
            name.drain(..name.len() - 2);
        }
        if name.len() < 2
            || name
                .iter()
                .any(|w| !w.chars().any(char::is_lowercase) && !is_initial(w))
        {
            return;
        }
        // "the Clinton Plan", "the Obama Administration": a thing named after a person.
        if name.last().is_some_and(|w| NAMED_THINGS.contains(w)) {
            return;
        }
        let role = run[..run.len() - name.len()].join(" ");
        let full = name.join(" ");
        self.names.retain(|(n, _)| *n != full);
        if self.names.len() >= MAX_NAMES {
            self.names.remove(0);
        }
        self.names.push((full, (!role.is_empty()).then_some(role)));
    }
}

fn is_initial(word: &str) -> bool {
    let mut chars = word.chars();
    matches!((chars.next(), chars.next(), chars.next()), (Some(c), Some('.'), None) if c.is_uppercase())
}

fn clean_token(word: &str) -> &str {
    let trimmed = word.trim_start_matches(['“', '"', '‘', '(', '\'']);
    if is_initial(trimmed) || TITLES.contains(&trimmed) {
        return trimmed;
    }
    trimmed.trim_end_matches([',', ';', ':', '.', '”', '"', ')', '’', '?', '!'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extraction::segment::paragraphs;

    fn units(body: &str) -> Vec<(String, Option<Attribution>)> {
        attribute(body, &paragraphs(body))
            .into_iter()
            .map(|u| (body[u.span].to_string(), u.attribution))
            .collect()
    }

    fn speaker_of(body: &str, contains: &str) -> Option<String> {
        units(body)
            .into_iter()
            .find(|(text, _)| text.contains(contains))
            .and_then(|(_, a)| a)
            .and_then(|a| a.speaker)
    }

    #[test]
    fn direct_quote_with_cue_after() {
        let body = "“We will win,” said Drew Thompson, a senior fellow at the school.";
        let got = units(body);
        assert_eq!(got.len(), 1);
        let a = got[0].1.clone();
        assert_eq!(
            a.as_ref().and_then(|a| a.speaker.clone()).as_deref(),
            Some("Drew Thompson")
        );
        assert_eq!(a.as_ref().map(|a| a.kind), Some(ClaimKind::DirectQuote));
        assert_eq!(
            a.and_then(|a| a.speaker_role).as_deref(),
            Some("a senior fellow at the school")
        );
    }

    #[test]
    fn reported_speech_with_role_and_via() {
        let body = "Chinese President Xi Jinping told Blinken the talks went well, according to a Chinese Foreign Ministry statement.";
        let a = units(body)[0].1.clone();
        assert_eq!(
            a.as_ref().and_then(|a| a.speaker.clone()).as_deref(),
            Some("Xi Jinping")
        );
        assert_eq!(
            a.as_ref().and_then(|a| a.speaker_role.clone()).as_deref(),
            Some("Chinese President")
        );
        assert_eq!(
            a.as_ref().and_then(|a| a.via.clone()).as_deref(),
            Some("Chinese Foreign Ministry statement")
        );
        assert_eq!(
            a.as_ref().and_then(|a| a.cue.clone()).as_deref(),
            Some("told")
        );
        assert_eq!(a.map(|a| a.kind), Some(ClaimKind::Reported));
    }

    #[test]
    fn told_a_news_outlet_is_the_channel() {
        let body = "“The economy is not in great shape,” George Magnus, a research associate at Oxford University’s China Centre, told Bloomberg TV.";
        let a = units(body)[0].1.clone();
        assert_eq!(
            a.as_ref().and_then(|a| a.speaker.clone()).as_deref(),
            Some("George Magnus")
        );
        assert_eq!(a.and_then(|a| a.via).as_deref(), Some("Bloomberg TV"));
    }

    #[test]
    fn surnames_resolve_to_the_most_recent_full_name() {
        let body = "Henry Wang, founder of a think tank, said ties would improve.\n\n“It is stable,” Wang added.\n\nChina’s top diplomat Wang Yi said there was no compromise.\n\nWang told Blinken the visit was critical.";
        assert_eq!(
            speaker_of(body, "It is stable").as_deref(),
            Some("Henry Wang")
        );
        assert_eq!(
            speaker_of(body, "visit was critical").as_deref(),
            Some("Wang Yi")
        );
    }

    #[test]
    fn pronoun_resolves_to_the_previous_speaker() {
        let body = "“I hope for more,” Xi Jinping told the diplomat.\n\n“This is very good,” he said without elaborating.";
        assert_eq!(speaker_of(body, "very good").as_deref(), Some("Xi Jinping"));
    }

    #[test]
    fn quotation_continuing_after_its_cue_is_one_unit() {
        let body = "“Blinken sets the stage,” Wang added. “He’s brought a period of stabilization.” Then the talks ended.";
        let got = units(body);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].0.ends_with("stabilization.”"));
        assert_eq!(
            got[0].1.as_ref().map(|a| a.kind),
            Some(ClaimKind::DirectQuote)
        );
        assert!(got[1].1.is_none());
    }

    #[test]
    fn own_voice_has_no_speaker() {
        let body = "US-China relations crashed to their lowest point in decades in February.";
        assert_eq!(units(body)[0].1, None);
    }

    #[test]
    fn cue_inside_quotation_is_not_an_attribution() {
        let body = "The banner read “he said we would win.”";
        assert_eq!(units(body)[0].1, None);
    }

    #[test]
    fn quotation_before_its_cue_sentence_is_one_unit() {
        let body = "“It is over. We lost.” “We will be back,” Jane Smith said. The rain stopped.";
        let got = units(body);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].0.starts_with("“It is over."));
        assert_eq!(
            got[0].1.as_ref().and_then(|a| a.speaker.as_deref()),
            Some("Jane Smith")
        );
    }

    #[test]
    fn quotation_paragraph_inherits_the_previous_speaker() {
        let body = "“We will win,” said Jane Smith.\n\n“And we will win again next year.”\n\nThe rain stopped.";
        assert_eq!(speaker_of(body, "win again").as_deref(), Some("Jane Smith"));
        assert_eq!(speaker_of(body, "rain stopped"), None);
    }

    #[test]
    fn other_source_shapes() {
        for (body, contains, speaker) in [
            (
                "WALLACE: Let’s start with the news tonight.",
                "news",
                "WALLACE",
            ),
            (
                "The song was written by Bruce Springsteen in 1984.",
                "song",
                "Bruce Springsteen",
            ),
            (
                "Trump went after Bush, calling him “a total stiff.”",
                "stiff",
                "Trump",
            ),
            (
                "According to the Pentagon, two ships collided.",
                "ships",
                "Pentagon",
            ),
            (
                "Sen. Elizabeth Warren (D-MA) said the bank failed.",
                "bank",
                "Elizabeth Warren",
            ),
            (
                "''It is a razor-thin industry,'' said Mr. Hedge of Orlando.",
                "razor",
                "Hedge",
            ),
            (
                "Jillian Chase, 27, a Tinder user in New York, said the election came up.",
                "election",
                "Jillian Chase",
            ),
            (
                "Burman of the Tax Policy Center said taxes would rise.",
                "taxes",
                "Burman",
            ),
        ] {
            assert_eq!(
                speaker_of(body, contains).as_deref(),
                Some(speaker),
                "{body}"
            );
        }
    }

    #[test]
    fn cue_words_used_as_nouns_or_adjectives_are_not_cues() {
        for body in [
            "Relations crashed after an alleged spy balloon floated over the country.",
            "The call lasted an hour and covered trade.",
            "He was told to leave the building at once.",
            "The visit lays the groundwork for in-person Xi-Biden talks later this year.",
        ] {
            assert_eq!(units(body)[0].1, None, "{body}");
        }
    }

    #[test]
    fn a_source_taking_a_stance_without_a_speech_verb() {
        for (body, speaker) in [
            (
                "Senator Maria Lopez has hammered the governor over the budget shortfall.",
                "Maria Lopez",
            ),
            (
                "Governor Alan Price wants a recount of every ballot in the county.",
                "Alan Price",
            ),
            (
                "Jane Okafor was adamant that the bridge would open on time.",
                "Jane Okafor",
            ),
            (
                "Dev Patel made the case for a new tax on sugary drinks.",
                "Dev Patel",
            ),
            (
                "But Omar Haddad also laid out a plan to cut bus fares.",
                "Omar Haddad",
            ),
            (
                "When Lena Fischer criticized the budget, the council adjourned.",
                "Lena Fischer",
            ),
            ("Some argue the plan will raise rents.", "Some"),
        ] {
            assert_eq!(
                units(body)[0].1.clone().and_then(|a| a.speaker).as_deref(),
                Some(speaker),
                "{body}"
            );
        }
    }

    #[test]
    fn the_source_is_the_subject_not_the_nearest_name() {
        for (body, speaker) in [
            (
                "Dana Cole spoke at the Civic Center in Dayton and warned that the levee could fail.",
                "Dana Cole",
            ),
            (
                "Reyes took to Facebook on Sunday to criticize the new parking rules.",
                "Reyes",
            ),
            (
                "Priya Nair, facing a tough Republican challenge in Ohio, said she would debate twice.",
                "Priya Nair",
            ),
            (
                "Nair gave a Kennedy-style speech on the steps, telling voters to be patient.",
                "Nair",
            ),
            (
                "Omar Haddad, who's weighing a run for mayor, said the budget was a mess.",
                "Omar Haddad",
            ),
            (
                "And retired Gen. Lisa Brandt, who led the fleet for a decade, said the base should stay open.",
                "Lisa Brandt",
            ),
        ] {
            assert_eq!(
                units(body)[0].1.clone().and_then(|a| a.speaker).as_deref(),
                Some(speaker),
                "{body}"
            );
        }
    }

    #[test]
    fn particles_infinitives_and_possessives() {
        for (body, speaker) in [
            (
                "Nadia Kourosh opened up about her years as a union organizer.",
                "Nadia Kourosh",
            ),
            (
                "Tomas Berg declined to comment on the cancelled flights.",
                "Tomas Berg",
            ),
            (
                "Governor Alan Price’s plan would cut the state payroll by 4,000 jobs.",
                "Alan Price",
            ),
            (
                "The audit questioned Lena Fischer's decision to close two clinics.",
                "Lena Fischer",
            ),
            (
                "According to the county clerk, turnout in the western precincts was the highest since the 1990s and lines stretched around the block for most of the afternoon.",
                "county clerk",
            ),
        ] {
            assert_eq!(
                units(body)[0].1.clone().and_then(|a| a.speaker).as_deref(),
                Some(speaker),
                "{body}"
            );
        }
        // A possessive before a noun that carries no content is no source.
        assert_eq!(units("Rao's visit to the port lasted two days.")[0].1, None);
    }

    #[test]
    fn gendered_pronouns_skip_a_speaker_of_the_other_gender() {
        let body = "“We will win the vote,” said Maria Lopez, the council leader.\n\n“They are wrong about the vote,” said Mr. Tom Reyes.\n\n“I disagree with him,” she said.\n\n“She is mistaken,” he said.";
        assert_eq!(speaker_of(body, "disagree").as_deref(), Some("Maria Lopez"));
        assert_eq!(speaker_of(body, "mistaken").as_deref(), Some("Tom Reyes"));
        // With nothing known of either, the nearest speaker stays the answer.
        let body =
            "“It rained,” said Ana Ruiz.\n\n“It poured,” said Lee Park.\n\n“It stopped,” she said.";
        assert_eq!(speaker_of(body, "stopped").as_deref(), Some("Lee Park"));
    }

    #[test]
    fn datelines_and_modified_nouns_are_not_sources() {
        assert_eq!(
            speaker_of(
                "DENVER (AP) — Mayor Ruth Alvarez is urging residents to stay off the roads.",
                "roads"
            )
            .as_deref(),
            Some("Ruth Alvarez")
        );
        assert_eq!(
            units("The inquiry into the 2019 Denver attack found failures of procedure.")[0].1,
            None
        );
    }

    #[test]
    fn acts_and_passives_stay_in_the_articles_voice() {
        for body in [
            "Defense Minister Arun Rao has declined to meet his counterpart.",
            "Arun Rao is making his first trip abroad as minister.",
            "Arun Rao was criticized by the opposition for the budget.",
            "Arun Rao made his first trip abroad in May.",
        ] {
            assert_eq!(units(body)[0].1, None, "{body}");
        }
    }

    #[test]
    fn title_case_headlines_name_their_source() {
        assert_eq!(
            speaker_of(
                "Mayor Ruth Alvarez Vows To Rebuild Flooded Neighborhoods",
                "Rebuild"
            )
            .as_deref(),
            Some("Ruth Alvarez")
        );
        assert_eq!(
            speaker_of(
                "Flood Defenses Will Hold This Winter, Ruth Alvarez Says.",
                "Defenses"
            )
            .as_deref(),
            Some("Ruth Alvarez")
        );
        // The headline's verb is not remembered as part of the name.
        let body = "Ruth Alvarez Says Flood Defenses Will Hold\n\n“We are ready,” Alvarez said.";
        assert_eq!(speaker_of(body, "ready").as_deref(), Some("Ruth Alvarez"));
        assert_eq!(
            speaker_of("Alvarez: Flood Defenses Will Hold This Winter", "Defenses").as_deref(),
            Some("Alvarez")
        );
        // A title-case line without a speech verb is nobody's.
        assert_eq!(units("Flood Defenses Hold Across The Valley")[0].1, None);
    }

    #[test]
    fn parenthetical_source_wins_over_an_earlier_pronoun() {
        let body = "They also agreed to encourage exchanges, China’s Foreign Ministry said in a statement.";
        assert_eq!(
            speaker_of(body, "exchanges").as_deref(),
            Some("China’s Foreign Ministry")
        );
    }

    #[test]
    fn a_dash_signature_signs_the_quotation_it_closes() {
        let body = "“Prices doubled. Nobody listened.” ― Sonya Herridge\n\n\
                    “Rents rose 40% in two years.”― Carla Sanchez.\n\n\
                    “Nothing changed.”\n\n\
                    ― Ruth Alvarez";
        let got = units(body);
        let speakers: Vec<Option<String>> = got
            .iter()
            .map(|(_, a)| a.as_ref().and_then(|a| a.speaker.clone()))
            .collect();
        assert_eq!(speakers[0].as_deref(), Some("Sonya Herridge"));
        assert!(got[0].0.contains("Nobody listened"));
        // The previous paragraph's signer is not carried over a signature of its own.
        assert_eq!(speakers[1].as_deref(), Some("Carla Sanchez"));
        assert_eq!(
            got[1].1.as_ref().map(|a| a.kind),
            Some(ClaimKind::DirectQuote)
        );
        // A signature in a paragraph of its own signs the quotation that ended the one before,
        // in place of the source that quotation inherited; the signature is no claim itself.
        assert_eq!(speakers[2].as_deref(), Some("Ruth Alvarez"));
        assert_eq!(got[2].0, "“Nothing changed.”");
        assert_eq!(got.len(), 3, "{got:?}");
        // Alone, with no quotation before it, a signature signs nothing.
        assert_eq!(units("Rents rose in May.\n\n― Ruth Alvarez")[1].1, None);
        // A quoted title before a dash is not a signed quotation.
        let body = "The idea came from the “Contract with America” — Newt Gingrich.";
        assert_ne!(
            units(body)[0].1.as_ref().map(|a| a.kind),
            Some(ClaimKind::DirectQuote)
        );
        // A dash before ordinary words is not a signature.
        assert_eq!(
            units("“It failed,” he wrote — and then the numbers came in.")[0]
                .1
                .as_ref()
                .and_then(|a| a.cue.clone())
                .as_deref(),
            Some("wrote")
        );
    }

    #[test]
    fn coordinate_clauses_with_two_sources_become_two_units() {
        let body = "Democrats want policies that raise more revenue, and Republicans want policies that cut rates further.";
        let got = units(body);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].0, "Democrats want policies that raise more revenue");
        assert_eq!(
            got[1].0,
            "Republicans want policies that cut rates further."
        );
        let speaker = |i: usize| got[i].1.as_ref().and_then(|a| a.speaker.clone());
        assert_eq!(speaker(0).as_deref(), Some("Democrats"));
        assert_eq!(speaker(1).as_deref(), Some("Republicans"));
        // One source across the clauses keeps the sentence whole: named twice, or named and
        // then referred to.
        for body in [
            "Smith said the plan would cost $4 billion, and Smith added that the council approved it.",
            "Mr. Smith said the plan would cost $4 billion; Smith added that the council approved it.",
            "Smith said the plan would cost $4 billion, and he added that the council approved it.",
        ] {
            assert_eq!(units(body).len(), 1, "{body}");
        }
        // A joint inside a quotation is not a clause boundary, even with a source after it.
        let body = "Smith said the plan was “costly, and Jones agreed” as Brown argued on Monday.";
        assert_eq!(units(body).len(), 1);
    }

    #[test]
    fn a_word_capitalised_only_where_sentences_start_is_no_name() {
        let body = "The race tightened in May.\n\nPolling averages show Clinton with a narrow lead over Trump in the state.";
        assert_eq!(speaker_of(body, "averages"), None);
        // A name the article also writes mid-sentence is one, even when it opens a sentence,
        // and so is one the article writes in the possessive.
        let body = "The pastor met Okafor on Monday.\n\nOkafor urges voters to turn out.";
        assert_eq!(speaker_of(body, "urges").as_deref(), Some("Okafor"));
        let body = "The pastor met Okafor’s aides on Monday.\n\nOkafor urges voters to turn out.";
        assert_eq!(speaker_of(body, "urges").as_deref(), Some("Okafor"));
        // Groups and verbs of saying need no such evidence.
        let body = "The race tightened in May.\n\nLawmakers argued the rules were too loose.";
        assert_eq!(speaker_of(body, "rules").as_deref(), Some("Lawmakers"));
        let body = "The race tightened in May.\n\nPolitico reported the rules were too loose.";
        assert_eq!(speaker_of(body, "rules").as_deref(), Some("Politico"));
        // A lone sentence gives no evidence either way: its capitals are trusted.
        assert_eq!(
            speaker_of("Okafor urges voters to turn out.", "urges").as_deref(),
            Some("Okafor")
        );
    }

    #[test]
    fn a_pronoun_is_the_person_just_named_in_its_sentence() {
        let body = "Bernie Sanders spoke first.\n\nAlthough Trump has admitted using the tax code, he does not defend it.";
        assert_eq!(speaker_of(body, "defend").as_deref(), Some("Trump"));
    }

    #[test]
    fn a_thing_named_after_a_person_is_not_their_full_name() {
        let body = "The Clinton Plan would raise taxes.\n\nClinton said the plan was fair.";
        assert_eq!(speaker_of(body, "fair").as_deref(), Some("Clinton"));
    }

    #[test]
    fn an_opening_aside_leaves_the_subject_to_the_next_clause() {
        assert_eq!(
            speaker_of(
                "What’s more, Clinton has largely ignored the issue of tax reform.",
                "ignored"
            )
            .as_deref(),
            Some("Clinton")
        );
        assert_eq!(
            speaker_of(
                "Donald Trump is doubling down on his attacks on the pageant winner.",
                "doubling"
            )
            .as_deref(),
            Some("Donald Trump")
        );
    }

    #[test]
    fn four_word_names_with_an_initial_stay_whole() {
        let body = "“We are ready.” ― Julie A. Diaz Martinez";
        assert_eq!(
            speaker_of(body, "ready").as_deref(),
            Some("Julie A. Diaz Martinez")
        );
    }

    #[test]
    fn a_definite_title_is_the_person_last_given_it() {
        let body = "President Barack Obama spoke on Friday.\n\n\
                    The president told voters he would consider it a personal insult.\n\n\
                    Vermont Sen. Bernie Sanders spoke next.\n\n\
                    Later the Vermont senator acknowledged that some people feel that way.\n\n\
                    A senator said the vote would be close.";
        assert_eq!(speaker_of(body, "insult").as_deref(), Some("Barack Obama"));
        assert_eq!(
            speaker_of(body, "feel that way").as_deref(),
            Some("Bernie Sanders")
        );
        // "A senator" is someone else.
        assert_eq!(speaker_of(body, "vote would").as_deref(), Some("A senator"));
    }

    #[test]
    fn subjects_set_off_by_asides_relatives_and_organisations() {
        let body =
            "Another critic, Laurence H. Tribe, likened the rules to burning the Constitution.";
        assert_eq!(
            speaker_of(body, "likened").as_deref(),
            Some("Laurence H. Tribe")
        );
        let body = "The union took a stake in the mine, which Mr. Clarke says he will keep open.";
        assert_eq!(speaker_of(body, "keep open").as_deref(), Some("Clarke"));
        let body = "In a meeting with the editorial board of the Washington Post Trump said that NATO costs too much.";
        assert_eq!(speaker_of(body, "NATO").as_deref(), Some("Trump"));
    }

    #[test]
    fn a_lead_in_ending_in_a_colon_gives_the_next_paragraph_its_source() {
        let body = "Limbaugh added:\n\nThis reeks of fear. She can't win without rigging it.\n\nThe debate is on Monday.";
        let got = units(body);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].0.starts_with("Limbaugh added:") && got[0].0.ends_with("rigging it."));
        let a = got[0].1.clone();
        assert_eq!(
            a.as_ref().and_then(|a| a.speaker.clone()).as_deref(),
            Some("Limbaugh")
        );
        assert_eq!(a.map(|a| a.kind), Some(ClaimKind::DirectQuote));
        // Only the paragraph right after the lead-in.
        assert_eq!(got[1].1, None);
        // A colon ending a line that names no source introduces nothing.
        let got = units("Update:\n\nThe debate is on Monday.");
        assert!(got.iter().all(|(_, a)| a.is_none()));
    }

    #[test]
    fn hyphenated_names_comma_adverbs_and_spaced_hyphens() {
        assert_eq!(
            speaker_of(
                "Secretary General Ban Ki-moon condemned what he called a brazen breach.",
                "breach"
            )
            .as_deref(),
            Some("Ban Ki-moon")
        );
        let body = "Some Democrats, however, question the wisdom of committing to Scott, who never faced a race.";
        assert!(
            speaker_of(body, "wisdom").is_some_and(|s| s.contains("Democrats")),
            "{:?}",
            speaker_of(body, "wisdom")
        );
        let body = "The debate over coal is also predictable - Donald J. Trump has vowed to bring back lost mining jobs.";
        assert_eq!(
            speaker_of(body, "mining").as_deref(),
            Some("Donald J. Trump")
        );
        // "Regardless" and "Mass" end in s but are no plurals: capitalised only at the start of
        // a sentence, they are no names.
        let body = "The race tightened.\n\nRegardless, Clinton has been unable to shake the email controversy.";
        assert_ne!(
            speaker_of(body, "controversy").as_deref(),
            Some("Regardless")
        );
    }

    #[test]
    fn stances_in_later_clauses_phrasal_attacks_and_taken_offense() {
        let body = "Candidates generally benefit from low expectations, yet Donald Trump continually brags about his debates.";
        assert_eq!(speaker_of(body, "brags").as_deref(), Some("Donald Trump"));
        assert_eq!(
            speaker_of(
                "In recent weeks, Reid has gone after Trump as a spoiled brat.",
                "brat"
            )
            .as_deref(),
            Some("Reid")
        );
        assert_eq!(
            speaker_of(
                "Trump took offense at suggestions that he is not self-made.",
                "offense"
            )
            .as_deref(),
            Some("Trump")
        );
        // A later clause that only reports an act stays the article's.
        let body = "Turnout was high in the morning, but Lopez arrived at noon with her family.";
        assert_eq!(speaker_of(body, "Lopez"), None);
    }

    #[test]
    fn coordinated_names_channels_headlines_and_passives() {
        let body = "Obama and Clinton continue to ignore the reality of the campaign.";
        assert_eq!(
            speaker_of(body, "ignore").as_deref(),
            Some("Obama and Clinton")
        );
        let body = "In a statement issued Tuesday morning, Senator Maria Lopez was more circumspect than her colleagues.";
        assert_eq!(
            speaker_of(body, "circumspect").as_deref(),
            Some("Maria Lopez")
        );
        assert_eq!(
            speaker_of("Clinton Breaks With Obama On Lawsuit Bill.", "Lawsuit").as_deref(),
            Some("Clinton")
        );
        assert_eq!(
            speaker_of(
                "The registration issue was first reported by The Washington Post.",
                "registration"
            )
            .as_deref(),
            Some("Washington Post")
        );
        // A plain act after an opening channel phrase of another kind stays the article's.
        assert_eq!(
            speaker_of("In a sign of the times, Lopez arrived at noon.", "noon"),
            None
        );
    }

    #[test]
    fn the_main_clause_speaks_before_an_opening_subordinate_one() {
        // Two sources: the opening clause and the main clause become two units.
        let body = "As Clinton talked about bringing communities together, Trump stressed his message of law and order.";
        let got = units(body);
        assert_eq!(got.len(), 2, "{got:?}");
        let speaker = |i: usize| got[i].1.as_ref().and_then(|a| a.speaker.clone());
        assert_eq!(speaker(0).as_deref(), Some("Clinton"));
        assert_eq!(speaker(1).as_deref(), Some("Trump"));
        // Without a split, the main clause's cue wins over the opening clause's.
        let (masked, _) = mask_quotations("When Clinton noted the cost, Trump boasted about it.");
        let source = choose_source(cue_hits(&masked));
        assert_eq!(source.map(|s| s.mention.text).as_deref(), Some("Trump"));
    }

    #[test]
    fn a_group_set_off_by_commas_and_dodging_a_question() {
        let body = "In fact, some Republicans, including Senator Lamar Alexander of Tennessee, were willing to back a smaller bill.";
        assert!(
            speaker_of(body, "willing").is_some_and(|s| s.contains("Republicans")),
            "{:?}",
            speaker_of(body, "willing")
        );
        assert_eq!(
            speaker_of(
                "With two months to go, Trump still ducks on taxes.",
                "ducks"
            )
            .as_deref(),
            Some("Trump")
        );
    }

    #[test]
    fn a_long_opening_phrase_without_its_comma_ends_in_the_subject() {
        let body = "In a March 2016 meeting with the editorial board of the Washington Post Trump said that NATO may need to shrink.";
        let a = units(body)[0].1.clone();
        assert_eq!(
            a.as_ref().and_then(|a| a.speaker.clone()).as_deref(),
            Some("Trump")
        );
        // The newspaper before the name is no title of his.
        assert_eq!(a.and_then(|a| a.speaker_role), None);
        // A long subject that opens with no phrase is still too long to be a source.
        let body = "The long report released yesterday by the committee on the state budget and its many tax plans Smith said was wrong.";
        assert_ne!(speaker_of(body, "report").as_deref(), Some("Smith"));
    }
}
