//! Anchors: byte ranges of the body turned into char-offset quote selectors with context.

use std::ops::Range;

use super::model::Quote;

/// Context kept either side of a quote, in chars.
pub const CONTEXT_CHARS: usize = 32;

/// Converts byte ranges to char offsets; ranges asked for in body order cost linear time overall.
pub struct Anchors<'a> {
    body: &'a str,
    /// The last converted position, as (byte, char).
    cursor: (usize, usize),
}

impl<'a> Anchors<'a> {
    pub fn new(body: &'a str) -> Self {
        Anchors {
            body,
            cursor: (0, 0),
        }
    }

    /// The selector for a byte range that lies on char boundaries of the body.
    pub fn quote(&mut self, span: Range<usize>) -> Quote {
        let start = self.char_offset(span.start);
        let end = self.char_offset(span.end);
        let body = self.body;
        let prefix: String = {
            let mut chars: Vec<char> = body[..span.start]
                .chars()
                .rev()
                .take(CONTEXT_CHARS)
                .collect();
            chars.reverse();
            chars.into_iter().collect()
        };
        let suffix: String = body[span.end..].chars().take(CONTEXT_CHARS).collect();
        Quote {
            exact: body[span].to_string(),
            prefix,
            suffix,
            start,
            end,
        }
    }

    fn char_offset(&mut self, byte: usize) -> usize {
        let (cursor_byte, cursor_char) = self.cursor;
        let offset = if byte >= cursor_byte {
            cursor_char + self.body[cursor_byte..byte].chars().count()
        } else {
            self.body[..byte].chars().count()
        };
        self.cursor = (byte, offset);
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_chars_and_context_is_bounded() {
        let body =
            "Ünïcödé — “quoted” 😀 text that goes on for quite a while after the quote ends.";
        let start = body.find('“').unwrap_or(0);
        let end = body.find('”').map_or(0, |i| i + '”'.len_utf8());
        let mut anchors = Anchors::new(body);
        let quote = anchors.quote(start..end);
        assert_eq!(quote.exact, "“quoted”");
        assert_eq!(quote.start, 10);
        assert_eq!(quote.end, 18);
        let exact: String = body
            .chars()
            .skip(quote.start)
            .take(quote.end - quote.start)
            .collect();
        assert_eq!(exact, quote.exact);
        assert_eq!(quote.prefix, "Ünïcödé — ");
        assert_eq!(quote.suffix.chars().count(), CONTEXT_CHARS);
        // Asking out of order still gives exact offsets.
        let again = anchors.quote(0..2);
        assert_eq!((again.start, again.end), (0, 1));
    }
}
