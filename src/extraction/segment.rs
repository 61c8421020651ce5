//! Segmentation of a body into paragraphs and sentences, as byte ranges into the body.
//!
//! Sentence bounds start from Unicode's (UAX #29) and are then repaired: a bound after an
//! abbreviation ("Mr.", "U.S.", "Jan.", "J. K.") or inside an open quotation is not a bound, and
//! neither is one followed by a lower-case word.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use super::quotes::{MarkRole, quotation_marks};

/// One paragraph and its sentences; all ranges are byte offsets into the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub span: Range<usize>,
    pub sentences: Vec<Range<usize>>,
}

/// Titles and abbreviations that never end a sentence.
const NEVER_FINAL: &[&str] = &[
    "Mr", "Mrs", "Ms", "Messrs", "Dr", "Prof", "Sen", "Sens", "Rep", "Reps", "Del", "Gov", "Gen",
    "Lt", "Col", "Capt", "Cmdr", "Sgt", "Maj", "Adm", "Rev", "Hon", "Pres", "Supt", "Det", "Insp",
    "Mt", "Ft", "St", "vs", "v", "e.g", "i.e", "cf", "approx", "Fig", "fig", "Vol", "vol", "Nos",
    "Sr",
];
/// Abbreviations that usually continue the sentence but may end it.
const MAYBE_FINAL: &[&str] = &[
    "Inc", "Corp", "Co", "Ltd", "Jr", "etc", "al", "No", "Bros", "Ave", "Blvd", "Univ", "Dept",
];
/// Month abbreviations continue the sentence when a day or year follows.
const MONTHS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
];
/// Words that typically open a new sentence: after "U.S." or "Inc." they mean a real bound.
const SENTENCE_STARTERS: &[&str] = &[
    "The",
    "A",
    "An",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "You",
    "But",
    "And",
    "Or",
    "So",
    "Yet",
    "In",
    "On",
    "At",
    "This",
    "That",
    "These",
    "Those",
    "His",
    "Her",
    "Their",
    "Its",
    "Our",
    "My",
    "There",
    "Here",
    "However",
    "Meanwhile",
    "After",
    "Before",
    "When",
    "While",
    "If",
    "As",
    "Although",
    "Still",
    "Then",
    "Now",
    "Some",
    "Many",
    "Most",
    "Others",
    "No",
    "Not",
    "For",
    "Since",
    "With",
    "What",
    "Why",
    "How",
    "Who",
    "Under",
    "Over",
    "Last",
    "Next",
    "Earlier",
    "Later",
    "Both",
    "Also",
    "One",
    "Two",
    "Three",
];

/// Splits the body into paragraphs (separated by blank lines) and their sentences.
pub fn paragraphs(body: &str) -> Vec<Paragraph> {
    paragraph_spans(body)
        .into_iter()
        .map(|span| {
            let sentences = sentences(&body[span.clone()])
                .into_iter()
                .map(|s| s.start + span.start..s.end + span.start)
                .collect();
            Paragraph { span, sentences }
        })
        .collect()
}

/// Paragraph ranges: maximal runs of non-blank lines, trimmed of surrounding whitespace.
pub fn paragraph_spans(body: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut current: Option<Range<usize>> = None;
    let mut line_start = 0;
    for line in body.split_inclusive('\n') {
        let content = line.trim();
        if content.is_empty() {
            if let Some(span) = current.take() {
                spans.push(span);
            }
        } else {
            let lead = line.len() - line.trim_start().len();
            let start = line_start + lead;
            let end = start + content.len();
            current = Some(match current.take() {
                Some(span) => span.start..end,
                None => start..end,
            });
        }
        line_start += line.len();
    }
    spans.extend(current);
    spans
}

/// Sentence ranges within one paragraph, trimmed of surrounding whitespace.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let marks = quotation_marks(text);
    let mut next_mark = marks.iter().peekable();
    // A paragraph that continues an earlier quotation starts inside it.
    let mut inside = marks.first().is_some_and(|m| m.role == MarkRole::Close);
    let mut out: Vec<Range<usize>> = Vec::new();
    // Whether the previous sentence must absorb the next one: its quotation is still open.
    let mut glue = false;
    for (offset, segment) in text.split_sentence_bound_indices() {
        let trimmed = segment.trim();
        if trimmed.is_empty() {
            continue;
        }
        let start = offset + (segment.len() - segment.trim_start().len());
        let range = start..start + trimmed.len();
        let merge = match out.last() {
            Some(prev) => glue || continues(&text[prev.clone()], trimmed),
            None => false,
        };
        match out.last_mut() {
            Some(prev) if merge => prev.end = range.end,
            _ => out.push(range.clone()),
        }
        while let Some(mark) = next_mark.next_if(|m| m.at < range.end) {
            inside = match mark.role {
                MarkRole::Open => true,
                MarkRole::Close => false,
                MarkRole::Either => !inside,
            };
        }
        glue = inside;
    }
    out
}

/// Whether a sentence bound between `prev` and `next` is false.
fn continues(prev: &str, next: &str) -> bool {
    let first_char = next
        .chars()
        .find(|c| !matches!(c, '"' | '“' | '‘' | '\'' | '(' | '['));
    // A sentence does not start in lower case ("“Is it over?” he asked.").
    if next.chars().next().is_some_and(char::is_lowercase) {
        return true;
    }
    // From the end: `prev` can be a long run-on quotation.
    let Some(last_word) = prev.rsplit(char::is_whitespace).find(|w| !w.is_empty()) else {
        return false;
    };
    let Some(stem) = last_word.strip_suffix('.') else {
        return false;
    };
    let stem = stem.trim_start_matches(['(', '"', '“', '‘', '\'', '[']);
    let next_word = next
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric());
    let starts_sentence = SENTENCE_STARTERS.contains(&next_word);
    let next_is_upper = first_char.is_some_and(char::is_uppercase);
    let next_is_digit = first_char.is_some_and(|c| c.is_ascii_digit());
    if NEVER_FINAL.contains(&stem) {
        return true;
    }
    if MONTHS.contains(&stem) {
        return next_is_digit;
    }
    if MAYBE_FINAL.contains(&stem) {
        return !starts_sentence;
    }
    // A single initial ("J. K. Rowling") continues into the name.
    let mut stem_chars = stem.chars();
    if let (Some(c), None) = (stem_chars.next(), stem_chars.next()) {
        return c.is_uppercase() && next_is_upper && !starts_sentence;
    }
    // Dotted acronyms: "U.S.", "U.N.", "a.m."
    if is_dotted_acronym(stem) {
        return !starts_sentence && (next_is_upper || next_is_digit);
    }
    false
}

fn is_dotted_acronym(stem: &str) -> bool {
    let parts: Vec<&str> = stem.split('.').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn abbreviations_titles_and_initials_do_not_end_sentences() {
        assert_eq!(
            split("Mr. Smith met Dr. Jones in the U.S. Capitol on Jan. 5. They talked."),
            vec![
                "Mr. Smith met Dr. Jones in the U.S. Capitol on Jan. 5.",
                "They talked."
            ]
        );
        assert_eq!(
            split("Books by J. K. Rowling sold well, e.g. in Britain. Sales rose."),
            vec![
                "Books by J. K. Rowling sold well, e.g. in Britain.",
                "Sales rose."
            ]
        );
        assert_eq!(
            split("He moved to the U.S. The move was costly."),
            vec!["He moved to the U.S.", "The move was costly."]
        );
    }

    #[test]
    fn decimals_and_fractions_stay_inside() {
        assert_eq!(
            split("Talks lasted 7 1/2 hours. Inflation was 3.5% in May, up from 2.9%. Fine."),
            vec![
                "Talks lasted 7 1/2 hours.",
                "Inflation was 3.5% in May, up from 2.9%.",
                "Fine."
            ]
        );
    }

    #[test]
    fn quotations_spanning_sentences_stay_whole() {
        let text = "“The two sides made progress. This is very good,” he said. Then he left.";
        assert_eq!(
            split(text),
            vec![
                "“The two sides made progress. This is very good,” he said.",
                "Then he left."
            ]
        );
        assert_eq!(
            split("\"Is it over? We will see,\" she asked. No."),
            vec!["\"Is it over? We will see,\" she asked.", "No."]
        );
        assert_eq!(
            split("“Is it over?” he asked. Yes."),
            vec!["“Is it over?” he asked.", "Yes."]
        );
    }

    #[test]
    fn paragraphs_are_separated_by_blank_lines() {
        let body = "First one. Second.\n\n  Third para.\n \nFourth\nstill fourth.";
        let paras = paragraphs(body);
        let texts: Vec<&str> = paras.iter().map(|p| &body[p.span.clone()]).collect();
        assert_eq!(
            texts,
            vec!["First one. Second.", "Third para.", "Fourth\nstill fourth."]
        );
        assert_eq!(paras[0].sentences.len(), 2);
        assert_eq!(&body[paras[0].sentences[1].clone()], "Second.");
    }
}
