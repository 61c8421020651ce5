//! Attribution in the PARC model: for each sentence, find the cue ("said", "according to"), the
//! source (speaker, with role and channel) and whether the content is quoted; group quotations
//! that run over several sentences into one unit; resolve pronouns and bare surnames to the
//! nearest compatible full name mentioned earlier.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use super::model::ClaimKind;
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
/// Longest speaker phrase we accept before a cue, in words.
const MAX_SOURCE_WORDS: usize = 12;

const PRONOUNS: &[&str] = &[
    "he", "she", "they", "it", "i", "we", "you", "him", "her", "them",
];
const PERSON_PRONOUNS: &[&str] = &["he", "she", "him", "her"];
/// Capitalised words that name a title, not a person.
const TITLES: &[&str] = &[
    "President",
    "Vice",
    "Minister",
    "Secretary",
    "Ambassador",
    "Senator",
    "Sen.",
    "Rep.",
    "Representative",
    "Gov.",
    "Governor",
    "Mayor",
    "Judge",
    "Justice",
    "Chairman",
    "Chairwoman",
    "Chair",
    "Director",
    "Chief",
    "Officer",
    "CEO",
    "Spokesman",
    "Spokeswoman",
    "Spokesperson",
    "Adviser",
    "Advisor",
    "Professor",
    "Prof.",
    "Dr.",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "General",
    "Gen.",
    "Admiral",
    "Commander",
    "Leader",
    "Speaker",
    "Premier",
    "Prime",
    "King",
    "Queen",
    "Prince",
    "Princess",
    "Pope",
    "Rev.",
    "Attorney",
    "Commissioner",
    "Democrat",
    "Republican",
    "Democratic",
    "GOP",
    "Sheriff",
    "Lt.",
    "Col.",
    "Capt.",
    "Sgt.",
    "Foreign",
    "Defense",
    "Defence",
    "Deputy",
    "Assistant",
    "Executive",
    "Former",
    "Founder",
    "Candidate",
    "Nominee",
    "Lawmaker",
    "Congressman",
    "Congresswoman",
    "State",
];
/// Words after which a cue word is a noun or an adjective.
const NOUN_MARKERS: &[&str] = &[
    "a", "an", "the", "this", "that", "his", "her", "their", "its", "our", "my", "your", "these",
    "those", "no", "any", "every", "each", "such",
];
const BE_FORMS: &[&str] = &["was", "were", "is", "are", "be", "been", "being"];
/// Openers of a description that can be a source: "another leading advocate", "two officials".
const DETERMINERS: &[&str] = &[
    "a", "an", "the", "another", "one", "some", "many", "several", "two", "three", "both", "most",
    "other", "few",
];
/// Prepositions that can follow a person's name: "Burman of the Tax Policy Center".
const PLACE_PREPOSITIONS: &[&str] = &["of", "from", "at", "with", "in"];
/// Capitalised words that make a name an organisation.
const ORG_WORDS: &[&str] = &[
    "Ministry",
    "Department",
    "Agency",
    "Office",
    "Commission",
    "Council",
    "Committee",
    "Party",
    "Campaign",
    "Company",
    "Corp",
    "Corp.",
    "Corporation",
    "Inc",
    "Inc.",
    "Bank",
    "University",
    "Institute",
    "Center",
    "Centre",
    "Association",
    "Foundation",
    "School",
    "Group",
    "Fund",
    "Service",
    "Administration",
    "Government",
    "Pentagon",
    "Kremlin",
    "House",
    "Congress",
    "Senate",
    "Court",
    "Police",
    "Army",
    "Navy",
    "Force",
    "Board",
    "Bureau",
    "Authority",
    "Union",
    "Organization",
    "Organisation",
    "Federation",
    "Alliance",
    "Coalition",
    "Parliament",
    "Cabinet",
    "Embassy",
    "Project",
    "Network",
    "Club",
    "Society",
    "Trust",
    "Council",
    "Poll",
    "Survey",
    "Report",
    "Study",
];
/// Words that mark a news outlet: a source that is usually the channel, not the speaker.
const MEDIA_WORDS: &[&str] = &[
    "Times",
    "Post",
    "News",
    "Journal",
    "TV",
    "Television",
    "Radio",
    "Reuters",
    "Bloomberg",
    "Xinhua",
    "CNN",
    "BBC",
    "Fox",
    "NBC",
    "ABC",
    "CBS",
    "MSNBC",
    "AP",
    "AFP",
    "Press",
    "Tribune",
    "Herald",
    "Guardian",
    "Telegraph",
    "Gazette",
    "Magazine",
    "Politico",
    "Axios",
    "Breitbart",
    "Daily",
    "Channel",
    "Broadcasting",
];
/// Capitalised words that open sentences or name dates: never part of a person's name.
const NOT_NAMES: &[&str] = &[
    "The",
    "A",
    "An",
    "On",
    "In",
    "At",
    "For",
    "By",
    "After",
    "Before",
    "During",
    "Since",
    "Under",
    "With",
    "From",
    "As",
    "When",
    "While",
    "If",
    "But",
    "And",
    "Or",
    "So",
    "Yet",
    "This",
    "That",
    "These",
    "Those",
    "It",
    "He",
    "She",
    "They",
    "We",
    "I",
    "You",
    "His",
    "Her",
    "Their",
    "Its",
    "Our",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "US",
    "U.S.",
    "UK",
    "EU",
    "UN",
    "China",
    "Chinese",
    "American",
    "America",
    "Russia",
    "Russian",
    "British",
    "Britain",
    "Beijing",
    "Washington",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Also",
    "Then",
    "However",
    "Meanwhile",
    "Still",
    "Now",
    "Last",
    "Next",
    "Earlier",
    "Later",
    "Like",
    "According",
    "Asked",
    "Speaking",
];
/// Lower-case heads of a speaker phrase ("sources said", "China's foreign minister told").
const SPEAKER_NOUNS: &[&str] = &[
    "source",
    "official",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "minister",
    "president",
    "secretary",
    "side",
    "analyst",
    "expert",
    "critic",
    "aide",
    "people",
    "report",
    "statement",
    "study",
    "poll",
    "survey",
    "campaign",
    "department",
    "ministry",
    "lawyer",
    "attorney",
    "police",
    "authorities",
    "investigator",
    "researcher",
    "economist",
    "user",
    "resident",
    "leader",
    "diplomat",
    "adviser",
    "advisor",
    "member",
    "supporter",
    "voter",
    "government",
    "administration",
    "agency",
    "company",
    "group",
    "committee",
    "court",
    "judge",
    "prosecutor",
    "witness",
    "doctor",
    "scientist",
    "data",
    "figures",
    "document",
    "record",
    "filing",
    "lawmaker",
    "senator",
    "governor",
    "mayor",
    "ambassador",
    "envoy",
    "counterpart",
    "candidate",
    "nominee",
    "chief",
    "director",
    "executive",
    "founder",
    "chairman",
    "manager",
    "media",
    "newspaper",
    "outlet",
    "network",
    "website",
    "paper",
    "article",
    "memo",
    "letter",
    "email",
    "tweet",
    "organization",
    "organisation",
    "union",
    "party",
    "team",
    "camp",
    "staff",
    "reporter",
    "journalist",
    "observer",
    "insider",
    "family",
    "wife",
    "husband",
    "son",
    "daughter",
    "father",
    "mother",
    "colleague",
    "partner",
    "ally",
    "allies",
    "opponent",
    "rival",
    "person",
    "man",
    "woman",
    "men",
    "women",
    "someone",
    "everyone",
    "others",
    "both",
    "many",
    "some",
    "military",
    "ministries",
    "spokesmen",
    "estimate",
    "forecast",
    "transcript",
    "analysis",
    "book",
    "ad",
    "advertisement",
    "video",
    "post",
    "board",
    "council",
    "commission",
    "bureau",
    "office",
    "democrats",
    "republicans",
    "conservatives",
    "liberals",
    "activist",
    "protester",
    "worker",
    "employee",
    "student",
    "teacher",
    "parent",
    "fan",
    "host",
    "anchor",
    "candidate",
    "strategist",
    "pollster",
    "consultant",
    "operative",
    "surrogate",
    "representative",
    "commander",
    "general",
    "officer",
    "agent",
];
/// Words between a speaker and the cue that belong to neither ("Xi also told").
const CUE_MODIFIERS: &[&str] = &[
    "has",
    "have",
    "had",
    "also",
    "later",
    "previously",
    "recently",
    "once",
    "often",
    "repeatedly",
    "publicly",
    "privately",
    "then",
    "again",
    "already",
    "just",
    "will",
    "would",
    "could",
    "may",
    "might",
    "reportedly",
    "separately",
    "earlier",
    "further",
    "even",
    "never",
    "did",
    "does",
    "do",
    "is",
    "was",
    "were",
    "are",
    "been",
    "being",
    "first",
    "last",
    "since",
    "quickly",
    "immediately",
    "directly",
    "still",
    "flatly",
    "openly",
    "falsely",
    "wrongly",
    "correctly",
    "famously",
    "initially",
    "subsequently",
    "and",
    "however",
    "too",
    "not",
    "rather",
    "instead",
];
/// Words that end the clause holding a cue's subject.
const CLAUSE_WORDS: &[&str] = &[
    "that", "which", "but", "while", "because", "when", "if", "after", "before", "although",
    "though", "where", "whether", "than", "whom", "whose",
];
/// Boundary characters of a subject phrase (plus the quotation mask).
const CLAUSE_MARKS: &[char] = &[
    ',', ';', ':', '(', ')', '—', '–', '"', '“', '”', '[', ']', '?', '!', MASK,
];
/// Stands in for quoted text so that cues inside quotations are not taken as attributions.
const MASK: char = '\u{1}';

/// Verbs of saying, thinking and taking a stance: the cues of reported speech (PARC counts
/// "criticized", "endorsed", "wants" as attributions too). Base forms; inflections are derived.
const CUE_VERBS: &[&str] = &[
    "say",
    "tell",
    "write",
    "speak",
    "talk",
    "add",
    "note",
    "report",
    "state",
    "announce",
    "declare",
    "explain",
    "argue",
    "claim",
    "insist",
    "warn",
    "ask",
    "answer",
    "reply",
    "respond",
    "acknowledge",
    "admit",
    "concede",
    "confirm",
    "deny",
    "emphasize",
    "emphasise",
    "stress",
    "suggest",
    "predict",
    "promise",
    "pledge",
    "vow",
    "tweet",
    "post",
    "recall",
    "observe",
    "remark",
    "comment",
    "estimate",
    "contend",
    "maintain",
    "allege",
    "describe",
    "characterize",
    "characterise",
    "urge",
    "criticize",
    "criticise",
    "accuse",
    "blame",
    "testify",
    "conclude",
    "find",
    "show",
    "reveal",
    "disclose",
    "cite",
    "complain",
    "joke",
    "boast",
    "demand",
    "question",
    "mention",
    "indicate",
    "signal",
    "propose",
    "recommend",
    "reiterate",
    "assert",
    "quip",
    "shout",
    "think",
    "hope",
    "want",
    "fear",
    "attack",
    "slam",
    "praise",
    "tout",
    "call",
    "endorse",
    "defend",
    "oppose",
    "support",
    "back",
    "reject",
    "dismiss",
    "denounce",
    "condemn",
    "mock",
    "decry",
    "lament",
    "challenge",
    "threaten",
    "assure",
    "remind",
    "expect",
    "believe",
    "view",
    "deem",
    "thank",
    "congratulate",
    "apologize",
    "apologise",
    "rail",
    "plead",
    "echo",
    "repeat",
    "voice",
    "express",
    "highlight",
    "refer",
    "quote",
    "email",
    "interject",
    "caution",
    "hint",
    "blast",
    "wonder",
    "agree",
    "encourage",
    "discuss",
    "insinuate",
    "contradict",
    "applaud",
    "welcome",
    "criticise",
    "lambast",
    "berate",
    "chide",
    "scold",
    "ridicule",
    "dispute",
    "doubt",
    "worry",
    "acknowledge",
    "concur",
    "declare",
    "assail",
    "bemoan",
    "promote",
    "advocate",
    "pitch",
    "predict",
    "forecast",
    "guarantee",
    "swear",
    "recount",
    "describe",
    "portray",
    "frame",
    "label",
    "brand",
    "dub",
    "term",
    "insist",
    "retort",
    "counter",
    "rebut",
    "concede",
    "confess",
    "disclose",
    "divulge",
    "inform",
    "notify",
    "brief",
    "advise",
    "caution",
    "instruct",
    "order",
    "demand",
    "request",
    "beg",
    "implore",
];
/// Irregular forms of the verbs above.
const IRREGULAR_CUES: &[&str] = &[
    "said",
    "told",
    "wrote",
    "written",
    "spoke",
    "spoken",
    "found",
    "shown",
    "thought",
    "felt",
    "knew",
    "known",
    "sees",
    "saw",
    "swore",
    "sworn",
    "pleaded",
    "pled",
    "admitted",
    "admitting",
    "slammed",
    "slamming",
    "referred",
    "referring",
    "signalled",
    "signalling",
    "dubbed",
    "dubbing",
    "echoes",
    "feels",
    "knows",
    "testifies",
    "testified",
    "worries",
    "worried",
    "denies",
    "denied",
    "replies",
    "replied",
    "implies",
    "implied",
    "quipped",
    "quipping",
    "according to",
    "pointed out",
    "points out",
    "pointing out",
    "went on to say",
    "has learned",
    "have learned",
    "learned",
];

fn inflections(base: &str) -> [String; 4] {
    let stem_e = base.strip_suffix('e');
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
        Regex::new(&format!(r"\b(?:{alternation}|According to)\b")).ok()
    })
    .as_ref()
}

/// Attributes every sentence of the body, grouping quotations that run on into one unit.
pub fn attribute(body: &str, paragraphs: &[Paragraph]) -> Vec<Unit> {
    let mut memory = Memory::default();
    let mut units: Vec<Unit> = Vec::new();
    for paragraph in paragraphs {
        let first_in_paragraph = units.len();
        // The speaker of a quotation that closed the previous paragraph, for a quotation that
        // continues here without a cue of its own.
        let carried = units
            .last()
            .and_then(|u| u.attribution.clone())
            .filter(|a| matches!(a.kind, ClaimKind::DirectQuote | ClaimKind::Mixed));
        for sentence in &paragraph.sentences {
            let text = &body[sentence.clone()];
            let analysis = analyse(text);
            let quoted = analysis.direct;
            let attribution = analysis.source.map(|source| {
                let (speaker, role) = memory.resolve(&source.mention, sentence.start);
                memory.note_speaker(speaker.as_deref(), source.mention.kind);
                let kind = if quoted {
                    ClaimKind::DirectQuote
                } else if analysis.quoted_share > 0.0 {
                    ClaimKind::Mixed
                } else {
                    ClaimKind::Reported
                };
                Attribution {
                    speaker,
                    speaker_role: role.or(source.mention.role.clone()),
                    via: source.via,
                    cue: Some(source.cue),
                    kind,
                }
            });
            memory.observe(text, sentence.start);
            let previous = units[first_in_paragraph..].last_mut();
            match (attribution, previous) {
                (None, Some(prev)) if quoted && prev.is_quotation() => {
                    // The quotation goes on after its cue: "“A,” Wang added. “B.”"
                    prev.span.end = sentence.end;
                }
                (Some(attribution), Some(prev))
                    if attribution.kind == ClaimKind::DirectQuote && prev.is_bare_quotation() =>
                {
                    // The cue comes after the first sentences of the quotation.
                    prev.span.end = sentence.end;
                    prev.attribution = Some(attribution);
                }
                (attribution, _) => {
                    let attribution = attribution.or_else(|| {
                        (quoted && units.len() == first_in_paragraph)
                            .then(|| carried.clone())
                            .flatten()
                            .map(|a| Attribution {
                                kind: ClaimKind::DirectQuote,
                                ..a
                            })
                    });
                    units.push(Unit {
                        span: sentence.clone(),
                        attribution,
                    });
                    if let (Some(last), true) = (units.last_mut(), quoted) {
                        last.bare_quote_marker();
                    }
                }
            }
        }
    }
    units
        .into_iter()
        .map(|mut unit| {
            unit.attribution = unit.attribution.filter(|a| a.kind != ClaimKind::Assertion);
            unit
        })
        .collect()
}

impl Unit {
    fn is_quotation(&self) -> bool {
        self.attribution
            .as_ref()
            .is_some_and(|a| matches!(a.kind, ClaimKind::DirectQuote | ClaimKind::Mixed))
    }

    /// A quotation with no speaker yet is held as an `Assertion` attribution until its cue
    /// arrives; it is dropped at the end if none does.
    fn is_bare_quotation(&self) -> bool {
        self.attribution
            .as_ref()
            .is_some_and(|a| a.kind == ClaimKind::Assertion)
    }

    fn bare_quote_marker(&mut self) {
        if self.attribution.is_none() {
            self.attribution = Some(Attribution {
                speaker: None,
                speaker_role: None,
                via: None,
                cue: None,
                kind: ClaimKind::Assertion,
            });
        }
    }
}

/// What one sentence says about its own attribution.
struct Analysis {
    quoted_share: f32,
    /// The quotation carries the statement: it opens the sentence, closes it after the cue, or
    /// holds most of its words.
    direct: bool,
    source: Option<Source>,
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
}

fn analyse(text: &str) -> Analysis {
    let (masked, quoted_letters) = mask_quotations(text);
    let letters = text.chars().filter(|c| c.is_alphanumeric()).count();
    let quoted_share = if letters == 0 {
        0.0
    } else {
        quoted_letters as f32 / letters as f32
    };
    let hits: Vec<CueHit> = cue_regex()
        .map(|re| {
            re.find_iter(&masked)
                .filter_map(|m| cue_hit(&masked, m.range()))
                .collect()
        })
        .unwrap_or_default();
    let trimmed = text.trim();
    let opens_with_quote = trimmed.starts_with(['“', '"', '«']);
    let closes_after_cue = trimmed
        .trim_end_matches(['.', ' '])
        .ends_with(['”', '"', '»'])
        && (trimmed.contains(", “") || trimmed.contains(": “") || trimmed.contains(": \""));
    Analysis {
        quoted_share,
        direct: quoted_share > 0.0
            && (quoted_share >= DIRECT_SHARE || opens_with_quote || closes_after_cue),
        source: choose_source(hits).or_else(|| subject_source(&masked)),
    }
}

/// PARC also attributes a named subject's stance or act ("Warren grilled Stumpf", "The FBI
/// decided not to recommend charges"): with no cue, a sentence whose main subject names a person
/// or organisation is attributed to it, the verb standing as the cue.
fn subject_source(masked: &str) -> Option<Source> {
    let mention = sentence_subject(masked)
        .filter(|m| matches!(m.kind, MentionKind::Person | MentionKind::Org))?;
    let after_subject = masked
        .find(mention.text.as_str())
        .map(|i| &masked[i + mention.text.len()..])?;
    let verb = after_subject
        .split_whitespace()
        .find(|w| !is_cue_modifier(w))?
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '’' && c != '\'');
    if !starts_lower(verb) {
        return None;
    }
    Some(Source {
        mention,
        cue: verb.to_string(),
        via: None,
    })
}

/// Picks the speaker among a sentence's cues; the others may name the channel.
fn choose_source(hits: Vec<CueHit>) -> Option<Source> {
    let primary = hits
        .iter()
        .position(|h| h.parenthetical && !h.according_to && !h.mention.is_media())
        .or_else(|| {
            hits.iter()
                .position(|h| !h.according_to && !h.mention.is_media())
        })
        .or_else(|| hits.iter().position(|h| !h.according_to))
        .or_else(|| hits.iter().position(|h| h.according_to))?;
    let via = hits
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != primary)
        .find(|(_, h)| h.according_to || h.mention.is_media())
        .map(|(_, h)| h.mention.text.clone())
        .or_else(|| hits.get(primary).and_then(|h| h.channel.clone()));
    let hit = hits.into_iter().nth(primary)?;
    Some(Source {
        mention: hit.mention,
        cue: hit.cue,
        via,
    })
}

/// Replaces quoted text (marks included) with `MASK` and short parentheticals ("(D-Ore.)") with
/// spaces; returns it and the quoted letter count. Byte offsets are preserved.
fn mask_quotations(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut curly_depth = 0usize;
    let mut straight_open = false;
    let mut doubled_open = false;
    let mut quoted_letters = 0usize;
    // A paragraph that continues an earlier quotation starts inside it: ”-before-“ tells.
    let first_close = text.find('”');
    let first_open = text.find('“');
    if let (Some(close), open) = (first_close, first_open) {
        if open.is_none_or(|open| close < open) {
            curly_depth = 1;
        }
    }
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let inside_before = curly_depth > 0 || straight_open || doubled_open;
        // Two apostrophes stand for a double quotation mark in some archives: ''like this''.
        let doubled = c == '\'' && chars.peek() == Some(&'\'');
        match c {
            '“' | '«' | '„' => curly_depth += 1,
            '”' | '»' => curly_depth = curly_depth.saturating_sub(1),
            '"' => straight_open = !straight_open,
            _ if doubled => doubled_open = !doubled_open,
            _ => {}
        }
        let inside = curly_depth > 0 || straight_open || doubled_open;
        if inside || inside_before {
            if inside && c.is_alphanumeric() {
                quoted_letters += 1;
            }
            out.push(MASK);
            if doubled {
                chars.next();
                out.push(MASK);
            }
        } else {
            out.push(c);
            if doubled {
                chars.next();
                out.push('\'');
            }
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
    let before = &masked[..cue.start];
    let after = &masked[cue.end..];
    if cue_text.eq_ignore_ascii_case("according to") {
        let np = phrase_after(after)?;
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
        });
    }
    let channel = channel_after(&cue_text, after);
    // Appositive: "Henry Wang, founder of the Center for China and Globalization, said".
    if let Some(before_comma) = before.trim_end().strip_suffix(',') {
        if let Some(mention) = comma_source(before_comma) {
            return Some(CueHit {
                mention,
                cue: cue_text,
                parenthetical: false,
                according_to: false,
                channel,
            });
        }
    }
    let last_before = before.split_whitespace().last().unwrap_or("");
    // "an alleged spy", "the call", "his claim": a noun or adjective, not a cue.
    if NOUN_MARKERS.contains(&last_before.to_lowercase().as_str()) {
        return None;
    }
    if BE_FORMS.contains(&last_before) && is_past_form(&cue_text) {
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
        });
    }
    let (chunk, boundary) = subject_chunk(before);
    let from_subject = |mention: Mention| CueHit {
        mention,
        cue: cue_text.clone(),
        parenthetical: false,
        according_to: false,
        channel: channel.clone(),
    };
    if chunk.is_empty() {
        // "…, saying it shows he'd be awake": the participle's source is the sentence's subject;
        // so is that of a second verb: "… but said one was a Trump supporter".
        if cue_text.ends_with("ing") || boundary == Some(' ') {
            return sentence_subject(before).map(from_subject);
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
            parenthetical: true,
            according_to: false,
            channel,
        });
    }
    let Some(mention) = parse_mention(&chunk) else {
        // "Trump took to Twitter overnight to accuse …": the subject opens the sentence.
        return sentence_subject(before).map(from_subject);
    };
    // ", the State Department said, after …" / ", China's Foreign Ministry said in a statement.":
    // a source set off by a comma whose clause ends within a few words covers the sentence.
    let clause_rest = after
        .split([',', '.', ';', MASK])
        .next()
        .unwrap_or("")
        .split_whitespace()
        .count();
    let parenthetical = boundary == Some(',') && clause_rest <= 5 || after.trim().is_empty();
    Some(CueHit {
        mention,
        cue: cue_text,
        parenthetical,
        according_to: false,
        channel,
    })
}

/// The subject of the sentence's first main clause, when it names someone: "Speaking in Salem,
/// Trump went after Bush, calling him …" → Trump.
fn sentence_subject(before: &str) -> Option<Mention> {
    for segment in before.split([',', ';', '—', MASK]) {
        let words: Vec<&str> = segment.split_whitespace().collect();
        let Some(first) = words.first() else { continue };
        let pronoun = PRONOUNS.contains(&first.to_lowercase().as_str());
        let opener = !pronoun
            && (NOT_NAMES.contains(first)
                || first.ends_with("ing")
                || (starts_lower(first) && !DETERMINERS.contains(first)));
        if opener {
            continue;
        }
        // The subject ends where the verb starts: the first lower-case word after a capitalised one.
        let Some(end) =
            (1..words.len()).find(|&i| starts_lower(words[i]) && is_capitalised(words[i - 1]))
        else {
            continue;
        };
        return parse_mention(&words[..end].join(" ")).filter(|m| {
            matches!(
                m.kind,
                MentionKind::Person | MentionKind::Org | MentionKind::Pronoun
            )
        });
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
        .find(|(_, c)| *c != ',' && CLAUSE_MARKS.contains(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let segments: Vec<&str> = before_comma[hard..].split(',').map(str::trim).collect();
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
        if starts_with_preposition(&head) {
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
    let mark = before
        .char_indices()
        .rev()
        .find(|(_, c)| CLAUSE_MARKS.contains(c));
    let (start, boundary) = match mark {
        Some((i, c)) => (i + c.len_utf8(), Some(c)),
        None => (0, None),
    };
    let clause = &before[start..];
    let mut words: Vec<&str> = clause.split_whitespace().collect();
    // A clause word ("that", "which") ends the subject, unless the chunk is only modifiers.
    if let Some(pos) = words.iter().rposition(|w| CLAUSE_WORDS.contains(w)) {
        words.drain(..=pos);
        if words.is_empty() {
            return (String::new(), Some(' '));
        }
    }
    while words.last().is_some_and(|w| is_cue_modifier(w)) {
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
    if words.is_empty() || words.len() > MAX_SOURCE_WORDS {
        return None;
    }
    let last = *words.last()?;
    if words.len() == 1 && PRONOUNS.contains(&last.to_lowercase().as_str()) {
        return Some(Mention {
            text: last.to_lowercase(),
            role: None,
            kind: MentionKind::Pronoun,
        });
    }
    // "Darran Whiting of Liberty Baptist Church": a person, then where they are from.
    if let Some(split) = words.iter().position(|w| PLACE_PREPOSITIONS.contains(w)) {
        if split > 0 && is_capitalised(words[split - 1]) && !TITLES.contains(&words[split - 1]) {
            if let Some(mut head) =
                parse_named(&words[..split]).filter(|m| m.kind == MentionKind::Person)
            {
                if head.role.is_none() {
                    head.role = Some(words[split..].join(" "));
                }
                return Some(head);
            }
        }
    }
    if is_capitalised(last) && !is_possessive(last) {
        return parse_named(&words);
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
    let determined = (2..=5).contains(&words.len())
        && !DETERMINERS.contains(&head.as_str())
        && words
            .first()
            .is_some_and(|w| DETERMINERS.contains(&w.to_lowercase().as_str()));
    ((is_speaker_noun || determined)
        && words.len() <= 6
        && !words.iter().any(|w| CLAUSE_WORDS.contains(w)))
    .then(|| Mention {
        text: strip_article(&words.join(" ")),
        role: None,
        kind: MentionKind::Common,
    })
}

/// A phrase ending in a capitalised word: split the name from the role before it.
fn parse_named(words: &[&str]) -> Option<Mention> {
    let run_start = words
        .iter()
        .rposition(|w| {
            !(is_capitalised(w) || matches!(*w, "of" | "de" | "van" | "von" | "bin" | "al" | "&"))
        })
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
        })
        .map_or(0, |p| p + 1);
    let mut name: Vec<&str> = run[name_start..].to_vec();
    if name.len() > 3 {
        name.drain(..name.len() - 2);
    }
    if name.is_empty() {
        // "the President said": a title only, resolved through the roles seen so far.
        let text = strip_article(&words.join(" "));
        return Some(Mention {
            text,
            role: None,
            kind: MentionKind::Common,
        });
    }
    let role_words = &words[..words.len() - name.len()];
    let role = strip_article(&role_words.join(" "));
    Some(Mention {
        text: name.join(" "),
        role: (!role.is_empty()).then_some(role),
        kind: MentionKind::Person,
    })
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
}

impl Memory {
    /// The resolved speaker and, when resolution found one, the role given at first mention.
    fn resolve(&self, mention: &Mention, _at: usize) -> (Option<String>, Option<String>) {
        match mention.kind {
            MentionKind::Pronoun => {
                let resolved = if PERSON_PRONOUNS.contains(&mention.text.as_str()) {
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
                if let [single] = tokens.as_slice() {
                    if let Some((full, role)) = self.names.iter().rev().find(|(full, _)| {
                        let parts: Vec<&str> = full.split_whitespace().collect();
                        parts.first() == Some(single) || parts.last() == Some(single)
                    }) {
                        return (Some(full.clone()), role.clone());
                    }
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
                (Some(mention.text.clone()), None)
            }
        }
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
        }
    }

    /// Records the full names a sentence mentions, in order.
    fn observe(&mut self, text: &str, _at: usize) {
        let words: Vec<&str> = text.split_whitespace().collect();
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
        let role = run[..run.len() - name.len()].join(" ");
        let full = name.join(" ");
        self.names.retain(|(n, _)| *n != full);
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
    fn parenthetical_source_wins_over_an_earlier_pronoun() {
        let body = "They also agreed to encourage exchanges, China’s Foreign Ministry said in a statement.";
        assert_eq!(
            speaker_of(body, "exchanges").as_deref(),
            Some("China’s Foreign Ministry")
        );
    }
}
