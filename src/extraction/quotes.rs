//! Double quotation marks and which of them open or close a quotation.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkRole {
    Open,
    Close,
    Either,
}

/// A double quotation mark: `“ ” " « » „` or two apostrophes (`''`, as some archives write it).
pub struct QuoteMark {
    /// Byte offset of the mark.
    pub at: usize,
    /// Its length in bytes.
    pub len: usize,
    pub role: MarkRole,
}

/// The double quotation marks of a text with their roles. The glyph gives a default; the
/// neighbours decide, so typos ("unusual,“ said") and mixed marks ("\"Nothing …,” Fred") still
/// pair up: a mark after a space and before a word opens, one after a word and before a space
/// closes.
pub fn quotation_marks(text: &str) -> Vec<QuoteMark> {
    let mut marks = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut prev: Option<char> = None;
    while let Some((at, c)) = chars.next() {
        let (len, glyph) = match c {
            '“' | '«' | '„' => (c.len_utf8(), MarkRole::Open),
            '”' | '»' => (c.len_utf8(), MarkRole::Close),
            '"' => (1, MarkRole::Either),
            '\'' if chars.peek().is_some_and(|&(_, n)| n == '\'') => {
                chars.next();
                (2, MarkRole::Either)
            }
            _ => {
                prev = Some(c);
                continue;
            }
        };
        let next = chars.peek().map(|&(_, n)| n);
        let open_side =
            prev.is_none_or(|p| p.is_whitespace() || matches!(p, '(' | '[' | '—' | '–'));
        let close_side =
            next.is_none_or(|n| n.is_whitespace() || (n.is_ascii_punctuation() && n != '\''));
        let role = match (open_side, close_side) {
            (true, false) => MarkRole::Open,
            (false, true) => MarkRole::Close,
            _ => glyph,
        };
        marks.push(QuoteMark { at, len, role });
        prev = Some(c);
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(text: &str) -> Vec<MarkRole> {
        quotation_marks(text).into_iter().map(|m| m.role).collect()
    }

    #[test]
    fn curly_straight_doubled_and_mistyped_marks() {
        use MarkRole::{Close, Open};
        assert_eq!(roles("He said “yes” twice."), vec![Open, Close]);
        assert_eq!(
            roles("\"Nothing works,” Fred Kagan said."),
            vec![Open, Close]
        );
        assert_eq!(
            roles("“It's unusual,“ said Larry Noble."),
            vec![Open, Close]
        );
        assert_eq!(roles("''It is thin,'' said Mr. Hedge."), vec![Open, Close]);
        // A paragraph continuing a quotation starts with a closing mark.
        assert_eq!(roles("for many of our candidates.'' He left."), vec![Close]);
        // Apostrophes are not quotation marks.
        assert!(roles("Blinken’s visit, the nation's ties").is_empty());
    }

    #[test]
    fn offsets_and_lengths_cover_the_mark() {
        let text = "a ''b'' “c”";
        let marks = quotation_marks(text);
        let spans: Vec<&str> = marks.iter().map(|m| &text[m.at..m.at + m.len]).collect();
        assert_eq!(spans, vec!["''", "''", "“", "”"]);
    }
}
