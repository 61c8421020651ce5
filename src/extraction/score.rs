//! Check-worthiness scoring: rule-based signals (why a sentence is worth checking) plus a
//! logistic-regression model over those signals, other interpretable cues (tense, person,
//! modality, hedges, length) and word unigrams and bigrams. The weights are trained by
//! `crate::evaluation::train` on the ClaimBuster debate sentences and committed beside this
//! file; scoring is pure and allocation-light so the pipeline can call it on every sentence.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use super::model::{Scored, Signal};

/// Sentences scoring at or above this are check-worthy. Training folds its tuned decision
/// threshold into the bias, so the model's own cut-off always lands here.
pub const THRESHOLD: f32 = 0.5;

/// The committed weights: `feature<TAB>weight` lines, plus a `bias` line.
const WEIGHTS_TEXT: &str = include_str!("checkworthiness.weights");

static MODEL: LazyLock<Weights> = LazyLock::new(|| Weights::parse(WEIGHTS_TEXT));

/// A sparse linear model: feature name → weight.
#[derive(Debug)]
pub struct Weights {
    bias: f32,
    weights: FastMap<Box<str>, f32>,
}

/// A `HashMap` with the Fx hash (rustc's): the keys are our own committed feature names, not
/// attacker-chosen, so SipHash's flood resistance buys nothing and costs a third of the time.
type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[derive(Debug, Default, Clone, Copy)]
struct FxHasher {
    hash: u64,
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &byte in chunks.remainder() {
            self.add(u64::from(byte));
        }
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

impl Weights {
    /// Parses the weights format. Lines that do not parse are skipped rather than failing, so a
    /// damaged file degrades the score instead of taking the pipeline down; a unit test checks
    /// that the committed file parses completely.
    pub fn parse(text: &str) -> Weights {
        let mut model = Weights {
            bias: 0.0,
            weights: FastMap::default(),
        };
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let Some((name, value)) = line.rsplit_once('\t') else {
                continue;
            };
            let Ok(value) = value.trim().parse::<f32>() else {
                continue;
            };
            if name == "bias" {
                model.bias = value;
            } else {
                model.weights.insert(name.into(), value);
            }
        }
        model
    }

    /// How many features carry a weight.
    pub fn feature_count(&self) -> usize {
        self.weights.len()
    }

    /// Probability-like score in 0..=1 for one sentence.
    pub fn score(&self, text: &str) -> f32 {
        let tokens = tokenize(text);
        self.score_tokens(&tokens, &Cues::find(&tokens))
    }

    fn score_tokens(&self, tokens: &[Token], cues: &Cues) -> f32 {
        let mut z = self.bias;
        emit_features(tokens, cues, |name, value| {
            if let Some(w) = self.weights.get(name) {
                z += w * value;
            }
        });
        sigmoid(z)
    }
}

/// The committed model.
pub fn model() -> &'static Weights {
    &MODEL
}

/// Scores one sentence: check-worthiness in 0..=1 and the signals found in it.
pub fn score_sentence(text: &str) -> Scored {
    let tokens = tokenize(text);
    let cues = Cues::find(&tokens);
    Scored {
        score: MODEL.score_tokens(&tokens, &cues),
        signals: cues.signals(),
    }
}

/// The signals found in one sentence, sorted and without duplicates. Never `Signal::Quote`:
/// attribution is the pipeline's business.
pub fn signals(text: &str) -> Vec<Signal> {
    let tokens = tokenize(text);
    Cues::find(&tokens).signals()
}

fn sigmoid(z: f32) -> f32 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Number,
    Symbol,
}

#[derive(Debug, Clone)]
struct Token {
    /// Lowercased word, a number's shape (`<num>`, `<year>`, …) or the symbol itself.
    norm: String,
    kind: Kind,
    /// Starts with an uppercase letter (or is an acronym such as "U.S.").
    capitalised: bool,
    /// All capitals ("NATO", "FBI") or dotted ("U.S."): an organisation or a place.
    acronym: bool,
    /// The numeric value of a plain integer token, for telling years from other numbers.
    value: Option<u64>,
}

impl Token {
    fn is(&self, word: &str) -> bool {
        self.norm == word
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Splits a sentence into words, numbers and the few symbols that carry meaning (`$ % ?`).
/// Hyphens split words ("second-largest" → "second", "largest"); internal apostrophes stay
/// ("don't"); dotted acronyms ("U.S.") are one token.
fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::with_capacity(chars.len() / 4 + 1);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphabetic() {
            let start = i;
            // Dotted acronym: single letters each followed by a period, at least two of them.
            let mut j = i;
            while j + 1 < chars.len() && chars[j].is_alphabetic() && chars[j + 1] == '.' {
                if j + 2 < chars.len() && chars[j + 2].is_alphabetic() {
                    j += 2;
                } else {
                    j += 2;
                    break;
                }
            }
            if j - i >= 4 && chars[i].is_uppercase() {
                let norm: String = chars[i..j]
                    .iter()
                    .filter(|c| c.is_alphabetic())
                    .flat_map(|c| c.to_lowercase())
                    .collect();
                tokens.push(Token {
                    norm,
                    kind: Kind::Word,
                    capitalised: true,
                    acronym: true,
                    value: None,
                });
                i = j;
                continue;
            }
            while i < chars.len()
                && (chars[i].is_alphanumeric()
                    || (is_apostrophe(chars[i])
                        && i + 1 < chars.len()
                        && chars[i + 1].is_alphabetic()))
            {
                i += 1;
            }
            let mut norm = String::with_capacity(i - start);
            for &ch in &chars[start..i] {
                if is_apostrophe(ch) {
                    norm.push('\'');
                } else {
                    norm.extend(ch.to_lowercase());
                }
            }
            let letters = &chars[start..i];
            let acronym = letters.len() >= 2
                && letters.len() <= 6
                && letters.iter().all(|c| c.is_uppercase());
            tokens.push(Token {
                norm,
                kind: Kind::Word,
                capitalised: c.is_uppercase(),
                acronym,
                value: None,
            });
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || (matches!(chars[i], ',' | '.' | '/')
                        && i + 1 < chars.len()
                        && chars[i + 1].is_ascii_digit()))
            {
                i += 1;
            }
            let digits: String = chars[start..i].iter().collect();
            let suffix_start = i;
            while i < chars.len() && chars[i].is_alphabetic() {
                i += 1;
            }
            let suffix: String = chars[suffix_start..i]
                .iter()
                .flat_map(|c| c.to_lowercase())
                .collect();
            let value = if digits.bytes().all(|b| b.is_ascii_digit()) && digits.len() <= 12 {
                digits.parse::<u64>().ok()
            } else {
                None
            };
            let shape = match suffix.as_str() {
                "st" | "nd" | "rd" | "th" => "<ordinal>",
                "s" => "<decade>",
                _ if digits.contains('/') => "<fraction>",
                _ if digits.contains('.') => "<decimal>",
                _ if digits.len() == 4 && matches!(value, Some(1900..=2099)) => "<year>",
                _ => "<num>",
            };
            tokens.push(Token {
                norm: shape.to_string(),
                kind: Kind::Number,
                capitalised: false,
                acronym: false,
                value: if shape == "<num>" || shape == "<year>" {
                    value
                } else {
                    None
                },
            });
        } else {
            let symbol = match c {
                '$' | '\u{20ac}' | '\u{a3}' => Some("$"),
                '%' => Some("%"),
                '?' => Some("?"),
                _ => None,
            };
            if let Some(symbol) = symbol {
                tokens.push(Token {
                    norm: symbol.to_string(),
                    kind: Kind::Symbol,
                    capitalised: false,
                    acronym: false,
                    value: None,
                });
            }
            i += 1;
        }
    }
    tokens
}

// ---------------------------------------------------------------------------------------------
// Word lists

/// Word classes, as bits, so one hash lookup per token answers every list question.
const NUMBER_WORDS: u32 = 1 << 0;
const MAGNITUDES: u32 = 1 << 1;
const MONTHS: u32 = 1 << 2;
const WEEKDAYS: u32 = 1 << 3;
const TIME_UNITS: u32 = 1 << 4;
const UNITS: u32 = 1 << 5;
const SUPERLATIVES: u32 = 1 << 6;
const NOT_SUPERLATIVE: u32 = 1 << 7;
const COMPARATIVES: u32 = 1 << 8;
const ORDINALS: u32 = 1 << 9;
const CAUSAL: u32 = 1 << 10;
const IRREGULAR_PAST: u32 = 1 << 11;
const NOT_PAST: u32 = 1 << 12;
const MODALS: u32 = 1 << 13;
const FUTURE: u32 = 1 << 14;
const HEDGES: u32 = 1 << 15;
const OPINION: u32 = 1 << 16;
const DIRECTIVES: u32 = 1 << 17;
const CHANGE_VERBS: u32 = 1 << 18;
const THIRD_PARTIES: u32 = 1 << 19;
const RECORD_VERBS: u32 = 1 << 20;
const POLICY_NOUNS: u32 = 1 << 21;
const COURTESIES: u32 = 1 << 22;

/// The word lists behind the classes, space-separated.
const WORD_LISTS: &[(u32, &str)] = &[
    (
        THIRD_PARTIES,
        "he she they his her their him them opponent governor senator congressman \
         president administration congress government republicans democrats",
    ),
    (
        RECORD_VERBS,
        "voted vote votes supported supports opposed opposes signed vetoed proposed \
         proposes passed sponsored introduced promised said says claimed wrote appointed",
    ),
    (
        POLICY_NOUNS,
        "tax taxes budget deficit deficits debt spending unemployment inflation jobs \
         economy rate rates income wages salary price prices cost costs program programs \
         law laws bill bills legislation funding insurance premiums medicare medicaid \
         security troops military defense weapons nuclear oil energy trade crime \
         population growth revenue surplus loans interest poverty",
    ),
    (
        COURTESIES,
        "thank thanks congratulate congratulations appreciate pleasure honored welcome \
         hello goodnight privilege grateful",
    ),
    (
        NUMBER_WORDS,
        "two three four five six seven eight nine ten eleven twelve thirteen fourteen \
         fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty \
         seventy eighty ninety hundred hundreds thousand thousands million millions \
         billion billions trillion trillions dozen dozens half quarter percent",
    ),
    (
        MAGNITUDES,
        "hundred hundreds thousand thousands million millions billion billions trillion \
         trillions percent dollars cents",
    ),
    (
        MONTHS,
        "january february march april may june july august september october november \
         december",
    ),
    (
        WEEKDAYS,
        "monday tuesday wednesday thursday friday saturday sunday",
    ),
    (
        TIME_UNITS,
        "second seconds minute minutes hour hours day days week weeks month months year \
         years decade decades century centuries generation generations",
    ),
    (
        UNITS,
        "people persons jobs dollars cents miles acres tons barrels gallons pounds \
         kilometers feet inches votes troops soldiers workers families children americans \
         students teachers police officers women men states countries nations times \
         points seats lives deaths units homes houses cases members weapons missiles \
         warheads ships planes divisions companies businesses schools",
    ),
    (
        SUPERLATIVES,
        "best worst most least biggest largest greatest highest lowest smallest fastest \
         slowest strongest weakest longest shortest richest poorest oldest youngest \
         newest latest deepest safest cheapest hardest toughest wealthiest heaviest \
         earliest fewest",
    ),
    (
        NOT_SUPERLATIVE,
        "interest interests honest test rest west forest request suggest protest invest \
         arrest guest harvest chest modest contest manifest earnest pest nest quest \
         digest conquest attest detest unrest midwest southwest northwest crest lest \
         behest priest vest dishonest everest inquest bequest infest celest congest \
         ingest divest molest tempest",
    ),
    (
        COMPARATIVES,
        "more less fewer greater higher lower bigger smaller larger better worse faster \
         slower stronger weaker longer shorter richer poorer older younger cheaper safer \
         harder tougher wealthier heavier earlier later",
    ),
    (
        ORDINALS,
        "first second third fourth fifth sixth seventh eighth ninth tenth twentieth \
         hundredth",
    ),
    (
        CAUSAL,
        "because caused causes cause causing therefore consequently thanks resulted \
         results led leads due responsible contributed blame blamed",
    ),
    (
        IRREGULAR_PAST,
        "was were had did said went came made got gave took told became left began grew \
         fell rose paid spent sent built brought bought thought found led lost won held \
         ran saw wrote knew sold met kept stood taught fought caught chose drove ate flew \
         forgot froze hid rode sang spoke stole swore threw understood wore shot struck \
         sat laid meant heard felt dealt sought overcame undertook withdrew broke been",
    ),
    (
        NOT_PAST,
        "need needed indeed speed seed feed hundred red bed united proceed succeed exceed \
         breed greed creed freed shed bleed weed deed sacred kindred naked wicked \
         interested concerned supposed used tired scared worried prepared committed \
         dedicated determined involved qualified talented advanced limited related based \
         detailed balanced educated experienced skilled armed",
    ),
    (
        MODALS,
        "would could should must might may can shall ought i'd we'd you'd can't couldn't \
         shouldn't wouldn't",
    ),
    (
        FUTURE,
        "will i'll we'll you'll he'll she'll they'll won't gonna",
    ),
    (
        HEDGES,
        "think believe feel hope maybe perhaps probably possibly guess suppose seems seem \
         opinion sure wish",
    ),
    (
        OPINION,
        "good great bad wrong right terrible wonderful important proud serious fair \
         unfair ridiculous horrible disaster mistake strong weak tough excellent \
         outstanding dangerous love hate agree disagree nonsense shame incredible \
         fantastic amazing sad believe",
    ),
    (
        DIRECTIVES,
        "let's need needs want wants should must have got going",
    ),
    (
        CHANGE_VERBS,
        "increased decreased doubled tripled quadrupled rose risen fell fallen dropped \
         declined grew grown cut raised reduced lost created gained voted passed signed \
         vetoed spent borrowed balanced",
    ),
];

static WORD_CLASSES: LazyLock<FastMap<&'static str, u32>> = LazyLock::new(|| {
    let mut classes: FastMap<&'static str, u32> = FastMap::default();
    for &(class, words) in WORD_LISTS {
        for word in words.split_whitespace() {
            *classes.entry(word).or_default() |= class;
        }
    }
    classes
});

fn word_class(word: &str) -> u32 {
    WORD_CLASSES.get(word).copied().unwrap_or(0)
}

fn contains(class: u32, word: &str) -> bool {
    word_class(word) & class != 0
}

fn is_number_word(word: &str) -> bool {
    contains(NUMBER_WORDS, word)
}

fn is_superlative_word(word: &str) -> bool {
    if contains(SUPERLATIVES, word) {
        return word != "most" && word != "least";
    }
    word.len() >= 6
        && word.ends_with("est")
        && word.is_ascii()
        && !contains(NOT_SUPERLATIVE, word)
        && !word.ends_with("ifest")
        && !word.ends_with("quest")
        && !word.ends_with("terest")
}

fn is_past_word(word: &str) -> bool {
    if contains(IRREGULAR_PAST, word) {
        return true;
    }
    word.len() >= 5 && word.ends_with("ed") && word.is_ascii() && !contains(NOT_PAST, word)
}

// ---------------------------------------------------------------------------------------------
// Cues: what the rules find in one sentence

#[derive(Debug, Default, Clone)]
struct Cues {
    number: bool,
    quantity: bool,
    percent: bool,
    money: bool,
    year: bool,
    date: bool,
    time_span: bool,
    superlative: bool,
    comparison: bool,
    ranking: bool,
    causal: bool,
    named_entities: usize,
    acronym: bool,
    past: usize,
    perfect: bool,
    future: bool,
    modal: bool,
    first_singular: bool,
    first_plural: bool,
    second_person: bool,
    question: bool,
    hedge: bool,
    opinion: bool,
    directive: bool,
    change: bool,
    negation: bool,
    words: usize,
    third_party: bool,
    record_verb: bool,
    policy: bool,
    courtesy: bool,
    opinion_frame: bool,
}

impl Cues {
    fn find(tokens: &[Token]) -> Cues {
        let mut cues = Cues::default();
        let mut seen_word = false;
        for (i, token) in tokens.iter().enumerate() {
            let prev = if i > 0 { Some(&tokens[i - 1]) } else { None };
            let next = tokens.get(i + 1);
            let next2 = tokens.get(i + 2);
            let word = token.norm.as_str();
            match token.kind {
                Kind::Number => {
                    cues.number = true;
                    match word {
                        "<year>" => {
                            cues.year = true;
                            cues.date = true;
                        }
                        "<decade>" => cues.date = true,
                        "<ordinal>" => cues.ranking = true,
                        _ => {}
                    }
                    if let Some(next) = next {
                        let unit = next.norm.as_str();
                        if contains(MAGNITUDES, unit) || contains(UNITS, unit) || unit == "%" {
                            cues.quantity = true;
                        }
                        if contains(TIME_UNITS, unit) {
                            cues.time_span |= !is_age(next2);
                            cues.quantity = true;
                        }
                        // "7 1/2 hours"
                        if next.norm == "<fraction>"
                            && next2.is_some_and(|t| contains(TIME_UNITS, &t.norm))
                        {
                            cues.time_span = true;
                            cues.quantity = true;
                        }
                    }
                    // A bare small number after a month is a day of the month.
                    if prev.is_some_and(|p| contains(MONTHS, &p.norm) && p.capitalised) {
                        cues.date = true;
                    }
                }
                Kind::Symbol => match word {
                    "$" => {
                        cues.money = true;
                        cues.quantity = true;
                        cues.number = true;
                    }
                    "%" => {
                        cues.percent = true;
                        cues.quantity = true;
                    }
                    "?" => cues.question = true,
                    _ => {}
                },
                Kind::Word => {
                    cues.words += 1;
                    let sentence_initial = !seen_word;
                    seen_word = true;
                    if token.capitalised && word != "i" && !word.starts_with("i'") {
                        if !sentence_initial {
                            cues.named_entities += 1;
                        }
                        if token.acronym {
                            cues.acronym = true;
                        }
                    }
                    if is_number_word(word) || (word == "one" && next.is_some_and(is_magnitude)) {
                        cues.number = true;
                        if let Some(next) = next {
                            let unit = next.norm.as_str();
                            if contains(MAGNITUDES, unit) || contains(UNITS, unit) {
                                cues.quantity = true;
                            }
                            if contains(TIME_UNITS, unit) {
                                cues.time_span |= !is_age(next2);
                                cues.quantity = true;
                            }
                        }
                        if contains(MAGNITUDES, word) && word != "half" {
                            cues.quantity = true;
                        }
                    }
                    if contains(MONTHS, word)
                        && (word != "may" && word != "march" || token.capitalised)
                        && !(sentence_initial && word == "may")
                    {
                        cues.date = true;
                    }
                    if contains(WEEKDAYS, word) || word == "yesterday" {
                        cues.date = true;
                    }
                    // "last year", "next month", "this week"
                    if matches!(word, "last" | "next" | "this" | "past")
                        && next.is_some_and(|t| {
                            matches!(t.norm.as_str(), "year" | "month" | "week" | "decade")
                        })
                    {
                        cues.date = true;
                    }
                    if matches!(word, "decades" | "centuries" | "generations")
                        || (matches!(word, "years" | "months" | "weeks" | "days")
                            && prev.is_some_and(|p| {
                                matches!(
                                    p.norm.as_str(),
                                    "for" | "few" | "several" | "many" | "past" | "last" | "recent"
                                )
                            }))
                        || (contains(TIME_UNITS, word)
                            && prev.is_some_and(|p| {
                                matches!(p.norm.as_str(), "a" | "an" | "one" | "past" | "last")
                                    && !matches!(word, "second" | "day" | "week" | "month")
                            }))
                        || (word == "since"
                            && next.is_some_and(|t| t.kind == Kind::Number || is_month(t)))
                    {
                        cues.time_span = true;
                    }
                    if is_superlative_word(word)
                        || ((word == "most" || word == "least")
                            && (prev.is_some_and(|p| p.is("the"))
                                || next.is_some_and(|t| is_adjective_like(&t.norm))))
                        || (word == "ever" && prev.is_some_and(|p| is_superlative_word(&p.norm)))
                    {
                        cues.superlative = true;
                    }
                    if word == "than"
                        || word == "compared"
                        || word == "versus"
                        || word == "twice"
                        || (contains(COMPARATIVES, word) && next.is_some_and(|t| t.is("than")))
                        || (word.ends_with("er")
                            && word.len() > 4
                            && next.is_some_and(|t| t.is("than")))
                        || (word == "as"
                            && next.is_some_and(|t| matches!(t.norm.as_str(), "much" | "many"))
                            && next2.is_some_and(|t| t.is("as")))
                    {
                        cues.comparison = true;
                    }
                    if (contains(ORDINALS, word)
                        // "the Second Amendment", "First Lady": part of a name.
                        && (!token.capitalised || sentence_initial)
                        && !(word == "first" && prev.is_some_and(|p| p.is("at")))
                        && !(word == "first" && next.is_some_and(|t| t.is("of")))
                        && !(word == "second" && prev.is_some_and(|p| p.is("a"))))
                        || matches!(word, "ranked" | "rank" | "ranks")
                        || (word == "number" && next.is_some_and(|t| t.is("one")))
                        || (word == "no" && next.is_some_and(|t| t.value == Some(1)))
                    {
                        cues.ranking = true;
                    }
                    // "top ten", "the top diplomat" rank and single out; "scroll to top" and "on
                    // top of" do neither.
                    if word == "top"
                        && next.is_some_and(|t| t.kind != Kind::Symbol && !t.is("of"))
                        && !prev.is_some_and(|p| matches!(p.norm.as_str(), "to" | "on" | "at"))
                    {
                        cues.ranking = true;
                        cues.superlative = true;
                    }
                    if contains(CAUSAL, word) {
                        let causal = match word {
                            "due" => next.is_some_and(|t| t.is("to")),
                            "thanks" => next.is_some_and(|t| t.is("to")),
                            "led" | "leads" => next.is_some_and(|t| t.is("to")),
                            "results" | "resulted" => {
                                next.is_some_and(|t| t.is("in") || t.is("from"))
                            }
                            "responsible" | "contributed" => {
                                next.is_some_and(|t| t.is("for") || t.is("to"))
                            }
                            _ => true,
                        };
                        cues.causal |= causal;
                    }
                    if word == "result" && prev.is_some_and(|p| p.is("a")) {
                        cues.causal = true;
                    }
                    if is_past_word(word) {
                        cues.past += 1;
                    }
                    if matches!(
                        word,
                        "has" | "have" | "hasn't" | "haven't" | "we've" | "i've"
                    ) && next.is_some_and(|t| is_past_word(&t.norm))
                    {
                        cues.perfect = true;
                    }
                    if contains(FUTURE, word)
                        || (word == "going" && next.is_some_and(|t| t.is("to")))
                    {
                        cues.future = true;
                    }
                    if contains(MODALS, word) {
                        cues.modal = true;
                    }
                    if matches!(word, "i" | "me" | "my" | "mine" | "myself")
                        || word.starts_with("i'")
                    {
                        cues.first_singular = true;
                    }
                    if matches!(word, "we" | "us" | "our" | "ours" | "ourselves")
                        || word.starts_with("we'")
                    {
                        cues.first_plural = true;
                    }
                    if matches!(word, "you" | "your" | "yours" | "yourself")
                        || word.starts_with("you'")
                    {
                        cues.second_person = true;
                    }
                    if contains(HEDGES, word) {
                        cues.hedge = true;
                    }
                    if contains(OPINION, word) {
                        cues.opinion = true;
                    }
                    if contains(DIRECTIVES, word) && i < 4 {
                        cues.directive = true;
                    }
                    if contains(CHANGE_VERBS, word) {
                        cues.change = true;
                    }
                    let class = word_class(word);
                    cues.third_party |= class & THIRD_PARTIES != 0;
                    cues.record_verb |= class & RECORD_VERBS != 0;
                    cues.policy |= class & POLICY_NOUNS != 0;
                    cues.courtesy |= class & COURTESIES != 0;
                    // "I think …", "I believe …", "In my opinion …" near the start.
                    if i < 4
                        && matches!(word, "think" | "believe" | "feel" | "opinion")
                        && prev.is_some_and(|p| p.is("i") || p.is("my") || p.is("we"))
                    {
                        cues.opinion_frame = true;
                    }
                    if matches!(word, "not" | "no" | "never" | "nothing") || word.ends_with("n't") {
                        cues.negation = true;
                    }
                }
            }
        }
        cues
    }

    fn signals(&self) -> Vec<Signal> {
        let mut signals = Vec::new();
        let flags = [
            (self.number, Signal::Number),
            (self.quantity, Signal::Quantity),
            (self.date, Signal::Date),
            (self.time_span, Signal::TimeSpan),
            (self.superlative, Signal::Superlative),
            (self.comparison, Signal::Comparison),
            (self.ranking, Signal::Ranking),
            (self.causal, Signal::Causal),
            (self.named_entities > 0 || self.acronym, Signal::NamedEntity),
        ];
        for (present, signal) in flags {
            if present {
                signals.push(signal);
            }
        }
        // Already in `Signal`'s order and unique; sorting keeps that promise if the list moves.
        signals.sort();
        signals.dedup();
        signals
    }

    /// The dense, interpretable features the model weighs alongside the n-grams.
    fn emit(&self, emit: &mut impl FnMut(&str, f32)) {
        let flags: [(bool, &str); 27] = [
            (self.number, "f:number"),
            (self.quantity, "f:quantity"),
            (self.percent, "f:percent"),
            (self.money, "f:money"),
            (self.year, "f:year"),
            (self.date, "f:date"),
            (self.time_span, "f:time_span"),
            (self.superlative, "f:superlative"),
            (self.comparison, "f:comparison"),
            (self.ranking, "f:ranking"),
            (self.causal, "f:causal"),
            (self.named_entities > 0, "f:named_entity"),
            (self.named_entities > 2, "f:named_entities_many"),
            (self.acronym, "f:acronym"),
            (self.past > 0, "f:past"),
            (self.past > 1, "f:past_many"),
            (self.perfect, "f:perfect"),
            (self.future, "f:future"),
            (self.modal, "f:modal"),
            (self.first_singular, "f:first_singular"),
            (self.first_plural, "f:first_plural"),
            (self.second_person, "f:second_person"),
            (self.question, "f:question"),
            (self.hedge, "f:hedge"),
            (self.opinion, "f:opinion"),
            (self.directive, "f:directive"),
            (self.change, "f:change"),
        ];
        for (present, name) in flags {
            if present {
                emit(name, 1.0);
            }
        }
        if self.negation {
            emit("f:negation", 1.0);
        }
        // Facts about the past with no modal or future hedging are the classic checkable claim.
        if self.past > 0 && !self.future && !self.modal {
            emit("f:past_plain", 1.0);
        }
        if self.number && self.past > 0 {
            emit("f:number_past", 1.0);
        }
        if self.future && !self.number {
            emit("f:future_no_number", 1.0);
        }
        let more = [
            (self.third_party, "f:third_party"),
            (self.third_party && self.past > 0, "f:third_party_past"),
            (self.record_verb, "f:record_verb"),
            (self.policy, "f:policy"),
            (self.policy && self.number, "f:policy_number"),
            (self.courtesy, "f:courtesy"),
            (self.opinion_frame, "f:opinion_frame"),
            (self.number && !self.future && !self.modal, "f:number_plain"),
        ];
        for (present, name) in more {
            if present {
                emit(name, 1.0);
            }
        }
        let length = match self.words {
            0..=4 => "f:len_0_4",
            5..=8 => "f:len_5_8",
            9..=14 => "f:len_9_14",
            15..=24 => "f:len_15_24",
            25..=39 => "f:len_25_39",
            _ => "f:len_40_",
        };
        emit(length, 1.0);
    }
}

/// "14-year-old": an age is a quantity, not a stretch of time.
fn is_age(after_unit: Option<&Token>) -> bool {
    after_unit.is_some_and(|t| t.is("old"))
}

fn is_magnitude(token: &Token) -> bool {
    contains(MAGNITUDES, &token.norm)
}

fn is_month(token: &Token) -> bool {
    token.capitalised && contains(MONTHS, &token.norm)
}

fn is_adjective_like(word: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "ive", "ful", "ant", "ent", "ous", "al", "ic", "able", "ible", "ior", "ed", "ing", "ly",
    ];
    SUFFIXES
        .iter()
        .any(|s| word.len() > s.len() + 2 && word.ends_with(s))
        || matches!(
            word,
            "senior" | "powerful" | "important" | "dangerous" | "expensive"
        )
}

// ---------------------------------------------------------------------------------------------
// Features

/// Calls `emit(name, value)` for every model feature of `text`: the dense cues, then word
/// unigrams and bigrams (lowercased, numbers reduced to their shape), each n-gram weighted by
/// `1/sqrt(number of tokens)` so long sentences do not win by length alone. The trainer and
/// the scorer both go through here, so they cannot disagree about what a feature is.
pub fn for_each_feature(text: &str, emit: impl FnMut(&str, f32)) {
    let tokens = tokenize(text);
    emit_features(&tokens, &Cues::find(&tokens), emit);
}

fn emit_features(tokens: &[Token], cues: &Cues, mut emit: impl FnMut(&str, f32)) {
    cues.emit(&mut emit);
    let scale = 1.0 / ((tokens.len() + 1) as f32).sqrt();
    let mut key = String::with_capacity(64);
    let mut prev = "<s>";
    for token in tokens {
        key.clear();
        key.push_str("w:");
        key.push_str(&token.norm);
        emit(&key, scale);
        key.clear();
        key.push_str("b:");
        key.push_str(prev);
        key.push(' ');
        key.push_str(&token.norm);
        emit(&key, scale);
        prev = &token.norm;
    }
    key.clear();
    key.push_str("b:");
    key.push_str(prev);
    key.push_str(" </s>");
    emit(&key, scale);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(text: &str, signal: Signal) -> bool {
        signals(text).contains(&signal)
    }

    #[test]
    fn committed_weights_parse_completely() {
        let lines = WEIGHTS_TEXT
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count();
        let model = model();
        assert_eq!(model.feature_count() + 1, lines);
        assert!(model.feature_count() > 100);
    }

    #[test]
    fn superlative_and_time_span() {
        let s = signals("Relations are at their lowest point in decades.");
        assert!(s.contains(&Signal::Superlative), "{s:?}");
        assert!(s.contains(&Signal::TimeSpan), "{s:?}");
    }

    #[test]
    fn month_is_a_date() {
        assert!(has("The talks resumed in February.", Signal::Date));
        assert!(has("He took office in 1981.", Signal::Date));
        assert!(!has("We may do that later.", Signal::Date));
        assert!(!has("May I respond?", Signal::Date));
    }

    #[test]
    fn fractional_hours_are_a_quantity_and_a_time_span() {
        let s = signals("The meeting lasted 7 1/2 hours.");
        assert!(s.contains(&Signal::Number), "{s:?}");
        assert!(s.contains(&Signal::Quantity), "{s:?}");
        assert!(s.contains(&Signal::TimeSpan), "{s:?}");
    }

    #[test]
    fn fixture_claims_carry_their_signals() {
        let s = signals(
            "The most senior US official to visit China in five years, Blinken is making his trip.",
        );
        assert!(s.contains(&Signal::Superlative), "{s:?}");
        assert!(s.contains(&Signal::TimeSpan), "{s:?}");
        let s = signals("His visit became one of the top ten trending topics on Weibo.");
        assert!(s.contains(&Signal::Ranking), "{s:?}");
        assert!(s.contains(&Signal::Superlative), "{s:?}");
        assert!(s.contains(&Signal::Number), "{s:?}");
        assert!(!has("Scroll to top", Signal::Ranking));
        let s = signals("Wang told Blinken during a three-hour meeting on Monday.");
        assert!(s.contains(&Signal::TimeSpan), "{s:?}");
        assert!(s.contains(&Signal::Date), "{s:?}");
    }

    #[test]
    fn ages_are_quantities_not_time_spans() {
        let s = signals("Her 14-year-old daughter attends the school.");
        assert!(s.contains(&Signal::Quantity), "{s:?}");
        assert!(!s.contains(&Signal::TimeSpan), "{s:?}");
        assert!(has("In recent weeks the talks stalled.", Signal::TimeSpan));
    }

    #[test]
    fn two_largest_economies() {
        let s = signals("the world's two largest economies");
        assert!(s.contains(&Signal::Superlative), "{s:?}");
        assert!(s.contains(&Signal::Number), "{s:?}");
    }

    #[test]
    fn money_and_percent_are_quantities() {
        assert!(has("We spent $4 trillion.", Signal::Quantity));
        assert!(has("Unemployment is 7.5% today.", Signal::Quantity));
        assert!(has("Twenty percent of people pay taxes.", Signal::Quantity));
        assert!(!has("I love my country.", Signal::Quantity));
        assert!(!has("I love my country.", Signal::Number));
    }

    #[test]
    fn comparison_ranking_causal() {
        assert!(has("Taxes are higher than in 1990.", Signal::Comparison));
        assert!(has("We are the second-largest producer.", Signal::Ranking));
        assert!(has("America is number one in the world.", Signal::Ranking));
        assert!(!has("At first I disagreed.", Signal::Ranking));
        assert!(!has("I respect the Second Amendment.", Signal::Ranking));
        assert!(has(
            "It was the first president to lose jobs.",
            Signal::Ranking
        ));
        assert!(has("Prices rose because of the war.", Signal::Causal));
        assert!(has("The policy led to higher deficits.", Signal::Causal));
        assert!(!has("He led the troops.", Signal::Causal));
    }

    #[test]
    fn named_entities_need_a_capital_inside_the_sentence() {
        assert!(has("I met Xi Jinping in Beijing.", Signal::NamedEntity));
        assert!(has("the U.S. economy grew", Signal::NamedEntity));
        assert!(!has("I think we can do better.", Signal::NamedEntity));
    }

    #[test]
    fn signals_are_sorted_and_unique_and_never_quote() {
        let s = signals(
            "In 2015 the two largest economies grew 3% faster than in 1990 because of China.",
        );
        let mut sorted = s.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(s, sorted);
        assert!(!s.contains(&Signal::Quote));
    }

    #[test]
    fn factual_claims_outscore_opinions_greetings_and_questions() {
        let claims = [
            "Unemployment fell to 4.9 percent in 2016, the lowest level in eight years.",
            "We have lost 300,000 manufacturing jobs since 2001.",
            "The deficit tripled under the last administration.",
        ];
        let others = [
            "Thank you very much.",
            "I think we need to do better.",
            "What would you do about it?",
            "I love this country.",
        ];
        for claim in claims {
            let c = score_sentence(claim).score;
            assert!(c >= THRESHOLD, "{claim}: {c}");
            for other in others {
                let o = score_sentence(other).score;
                assert!(o < THRESHOLD, "{other}: {o}");
                assert!(c > o, "{claim} ({c}) should outscore {other} ({o})");
            }
        }
    }

    #[test]
    fn scores_are_in_range_on_odd_input() {
        for text in [
            "",
            " ",
            "???",
            "$",
            "1/2/3/4",
            "中文句子。",
            "\u{202e}abc",
            "a'",
            "U.S",
        ] {
            let s = score_sentence(text);
            assert!((0.0..=1.0).contains(&s.score), "{text}: {}", s.score);
        }
        let long = "word ".repeat(10_000);
        assert!((0.0..=1.0).contains(&score_sentence(&long).score));
    }
}
