//! Cleaning: an article's raw text or HTML to the plain `body_text` that claims are anchored in.
//!
//! The body is a list of paragraphs separated by one blank line, each on a single line, with page
//! furniture (navigation, share buttons, teasers, banners, captions, bylines, footers) removed.

use std::sync::OnceLock;

use regex::Regex;

/// Pages nested deeper than this skip readability: its tree walks recurse per level.
const MAX_HTML_DEPTH: usize = 256;
/// Readability gives up (and we fall back to the tag stripper) on pages with more elements.
const MAX_HTML_ELEMENTS: usize = 30_000;
/// Lines of at most this many words that do not end like a sentence are headings or navigation.
const MAX_HEADING_WORDS: usize = 12;
/// Furniture phrases only count in lines this short: a real paragraph may mention "subscribe".
const MAX_FURNITURE_WORDS: usize = 30;
/// The same for lines that end like a sentence ("Follow us on Facebook for the latest updates.").
const MAX_FURNITURE_SENTENCE_WORDS: usize = 16;

/// Cleans plain text: normalises whitespace and line breaks, joins hard-wrapped lines and drops
/// lines that are page furniture. Paragraphs come out separated by one blank line.
pub fn clean_text(raw: &str) -> String {
    let logical = logical_lines(raw);
    let kept: Vec<&str> = logical
        .iter()
        .map(String::as_str)
        .filter(|line| !is_furniture(line))
        .collect();
    if kept.is_empty() {
        // Nothing reads like prose (a bare sentence without a full stop, say): keep what is not
        // known furniture rather than return an empty body.
        let relaxed: Vec<&str> = logical
            .iter()
            .map(String::as_str)
            .filter(|line| !is_known_furniture(line))
            .collect();
        return relaxed.join("\n\n");
    }
    kept.join("\n\n")
}

/// Cleans HTML: readability picks the main content, then the plain-text line filter runs on it.
/// Falls back to a linear tag stripper when readability fails or the page is too deep or big.
pub fn clean_html(html: &str) -> String {
    let text = readable_text(html).unwrap_or_else(|| strip_tags(html));
    clean_text(&text)
}

fn readable_text(html: &str) -> Option<String> {
    if nesting_depth(html) > MAX_HTML_DEPTH {
        return None;
    }
    let config = dom_smoothie::Config {
        max_elements_to_parse: MAX_HTML_ELEMENTS,
        text_mode: dom_smoothie::TextMode::Formatted,
        ..Default::default()
    };
    let mut readability = dom_smoothie::Readability::new(html, None, Some(config)).ok()?;
    let article = readability.parse().ok()?;
    let text = article.text_content.to_string();
    if text.trim().is_empty() {
        None
    } else {
        Some(text)
    }
}

/// Upper bound of element nesting, by counting open and close tags; cheap and linear.
fn nesting_depth(html: &str) -> usize {
    const VOID: [&str; 14] = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    ];
    let bytes = html.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<' {
            let closing = bytes.get(i + 1) == Some(&b'/');
            let name_start = if closing { i + 2 } else { i + 1 };
            let mut j = name_start;
            while j < bytes.len() && bytes[j].is_ascii_alphanumeric() {
                j += 1;
            }
            if j > name_start {
                let name = html[name_start..j].to_ascii_lowercase();
                if closing {
                    depth = depth.saturating_sub(1);
                } else if !VOID.contains(&name.as_str()) {
                    depth += 1;
                    max = max.max(depth);
                }
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    max
}

/// A linear, forgiving HTML-to-text pass: drops scripts, styles, comments and the head; block
/// elements become paragraph breaks; entities are decoded.
pub fn strip_tags(html: &str) -> String {
    const SKIP: [&str; 7] = [
        "script", "style", "noscript", "template", "head", "svg", "iframe",
    ];
    const BLOCK: [&str; 24] = [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "blockquote",
        "tr",
        "table",
        "figure",
        "figcaption",
        "main",
    ];
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len() / 2);
    let mut i = 0;
    while i < html.len() {
        let Some(rel) = html[i..].find('<') else {
            out.push_str(&decode_entities(&html[i..]));
            break;
        };
        out.push_str(&decode_entities(&html[i..i + rel]));
        i += rel;
        if lower[i..].starts_with("<!--") {
            i = lower[i..].find("-->").map_or(html.len(), |e| i + e + 3);
            continue;
        }
        let close = lower[i..].find('>').map_or(html.len(), |e| i + e + 1);
        let tag = &lower[i..close];
        let name: String = tag
            .trim_start_matches(['<', '/'])
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        i = close;
        if !tag.starts_with("</") && SKIP.contains(&name.as_str()) {
            let end_tag = format!("</{name}");
            i = lower[i..].find(&end_tag).map_or(html.len(), |e| {
                let after = i + e;
                lower[after..]
                    .find('>')
                    .map_or(html.len(), |g| after + g + 1)
            });
            continue;
        }
        if BLOCK.contains(&name.as_str()) {
            out.push_str("\n\n");
        } else if !name.is_empty() {
            // Inline tags still separate words when the markup has no spaces.
            out.push(' ');
        }
    }
    out
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // Entities are short; a ';' further on belongs to the text.
        let semi = rest.bytes().take(12).position(|b| b == b';');
        let decoded = semi.and_then(|semi| {
            let entity = &rest[1..semi];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                "rsquo" => Some('’'),
                "lsquo" => Some('‘'),
                "rdquo" => Some('”'),
                "ldquo" => Some('“'),
                "mdash" => Some('—'),
                "ndash" => Some('–'),
                "hellip" => Some('…'),
                _ => entity.strip_prefix('#').and_then(|num| {
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }),
            };
            c.map(|c| (c, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Splits into trimmed, whitespace-normalised lines, joining a line to the next when the text
/// was hard-wrapped (the line does not end a sentence and the next starts in lower case).
fn logical_lines(raw: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut open = false;
    for line in raw.split(['\n', '\r', '\u{2028}', '\u{2029}']) {
        let normalised = normalise_spaces(line);
        if normalised.is_empty() {
            open = false;
            continue;
        }
        let joins = open
            && normalised.chars().next().is_some_and(char::is_lowercase)
            && lines.last().is_some_and(|prev| !ends_sentence(prev));
        match lines.last_mut() {
            Some(prev) if joins => {
                prev.push(' ');
                prev.push_str(&normalised);
            }
            _ => lines.push(normalised),
        }
        open = true;
    }
    lines
}

/// Collapses runs of whitespace (and drops control characters) so offsets are stable.
fn normalise_spaces(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut pending_space = false;
    for c in line.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else if c.is_control() || c == '\u{feff}' {
            continue;
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

fn ends_sentence(line: &str) -> bool {
    let trimmed = line.trim_end_matches(['"', '”', '’', '\'', ')', ']', '»', '*']);
    trimmed.ends_with(['.', '!', '?', '…', ':', ';', '。', '！', '？'])
}

fn word_count(line: &str) -> usize {
    line.split_whitespace().count()
}

/// Page furniture: known phrases, captions and credits, or a short line that is not a sentence.
fn is_furniture(line: &str) -> bool {
    if is_known_furniture(line) {
        return true;
    }
    let words = word_count(line);
    // Headings, navigation, titles, bylines: short and not ending like a sentence.
    if words <= MAX_HEADING_WORDS && !ends_sentence(line) {
        return true;
    }
    // A line without a single lower-case letter is a label or a shouted heading.
    !line.chars().any(char::is_lowercase) && line.chars().any(char::is_uppercase)
}

fn is_known_furniture(line: &str) -> bool {
    static ALWAYS: OnceLock<Option<Regex>> = OnceLock::new();
    static SHORT: OnceLock<Option<Regex>> = OnceLock::new();
    // ASCII word boundaries (the words here are ASCII): a Unicode `\b` makes the regex engine
    // fall back to its slowest path on any line with a curly quote or a dash.
    // Footers, read-time lines and photo credits are furniture at any length.
    let always = ALWAYS.get_or_init(|| {
        Regex::new(
            r"(?ix)
            ^\s*(©|\(c\)\s|copyright(?-u:\b))
            | all\ rights\ reserved
            | (?-u:\b)\d+\s*(-\s*)?min(ute)?s?\ read(?-u:\b)
            | (?-u:\b)(photo|photograph|picture|image|video|credit|illustration|graphic)s?\s*(by|:|/)\s*\S+[^.!?]{0,60}$
            | \((photo|image|credit|source)s?(?-u:\b)[^)]*\)\s*$
            | (?-u:\b)(getty\ images|shutterstock|afp\ via|reuters/|ap\ photo)(?-u:\b)
            ",
        )
        .ok()
    });
    let short = SHORT.get_or_init(|| {
        Regex::new(
            r"(?ix)
            ^\s*(see\ also|read\ more|read\ also|also\ read)(?-u:\b)
            | ^\s*(related(\ articles?|\ stories|\ coverage)?|recommended|more\ from|more\ stories|most\ read|trending|watch|listen|advertisement|sponsored|ad)\s*(:|$)
            | ^\s*share(?-u:\b) | (?-u:\b)share\ (to|on|via|this)(?-u:\b)
            | (?-u:\b)(download|get|install)(?-u:\b).{0,40}(?-u:\b)app(?-u:\b) | (?-u:\b)open\ in\ app(?-u:\b) | (?-u:\b)on\ our\ app(?-u:\b)
            | (?-u:\b)(app\ store|google\ play|play\ store)(?-u:\b)
            | (?-u:\b)follow\ (us|our)(?-u:\b) | (?-u:\b)join\ our(?-u:\b) | (?-u:\b)subscribe(?-u:\b) | (?-u:\b)newsletter(?-u:\b) | (?-u:\b)sign\ (up|in)(?-u:\b) | (?-u:\b)log\ ?in(?-u:\b)
            | (?-u:\b)click\ here(?-u:\b) | (?-u:\b)tap\ here(?-u:\b) | (?-u:\b)scroll\ to\ top(?-u:\b) | (?-u:\b)back\ to\ top(?-u:\b) | (?-u:\b)loading(?-u:\b).{0,20}\.\.\.
            | (?-u:\b)font\ (size|resizer)(?-u:\b) | (?-u:\b)privacy\ policy(?-u:\b) | (?-u:\b)terms\ of\ (use|service)(?-u:\b) | (?-u:\b)cookies?(?-u:\b).{0,40}(?-u:\b)(accept|policy|consent)(?-u:\b)
            | ^\s*(?-i:By)\s+(?-i:[A-Z][\w.'’-]*)(\s+((?-i:[A-Z][\w.'’-]*)|and)){0,4}\s*([,|·-]\s*(?-i:[A-Z]).{0,40})?$
            | ^\s*(updated|published|posted)(?-u:\b).{0,40}\d
            ",
        )
        .ok()
    });
    if always.as_ref().is_some_and(|re| re.is_match(line)) {
        return true;
    }
    // A full sentence that mentions "subscribe" is prose unless it is as short as a banner.
    let limit = if ends_sentence(line) {
        MAX_FURNITURE_SENTENCE_WORDS
    } else {
        MAX_FURNITURE_WORDS
    };
    word_count(line) <= limit && short.as_ref().is_some_and(|re| re.is_match(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/articles/xi-blinken-edge-singapore.txt"
    ));

    #[test]
    fn fixture_furniture_is_dropped_and_prose_kept() {
        let body = clean_text(FIXTURE);
        for furniture in [
            "Continue reading this on our app",
            "Open in App",
            "Font Resizer",
            "Share to Whatsapp",
            "Scroll to top",
            "Follow us on Facebook",
            "South Korea is making weapons faster",
            "Ships diverted from Red Sea",
            "click here for Latest Section",
            "Loading next article",
            "Download The Edge Singapore App",
            "All rights reserved",
            "Photo: Bloomberg",
            "5 min read",
            "Derailed Ties",
        ] {
            assert!(!body.contains(furniture), "furniture leaked: {furniture}");
        }
        assert!(body.starts_with("Chinese President Xi Jinping told"));
        assert!(body.contains("\n\n“I hope that through this visit, Mr. Secretary"));
        assert!(body.ends_with("is likely very different.”"));
    }

    #[test]
    fn general_furniture_rules() {
        for line in [
            "Read more: Fed raises rates again",
            "Share on Twitter",
            "Sign up for our morning newsletter",
            "By Jane Doe, Reuters",
            "The mayor speaks in Boston. Photo: AP",
            "Copyright 2023 Example Media Ltd.",
            "Reuters • 3 min read",
            "Markets Today",
            "Related: Ships diverted from Red Sea send ripple effects.",
            "Advertisement",
        ] {
            assert!(is_furniture(line), "kept furniture: {line}");
        }
        for line in [
            "The mayor said the city would hire 200 teachers.",
            "• The economy grew 5% in May, the fastest pace this year.",
            "Ad spending rose 5% in 2023.",
            "Officials said readers who subscribe to the service were charged twice for 12 months, the regulator found after a year-long inquiry into the company.",
        ] {
            assert!(!is_furniture(line), "dropped prose: {line}");
        }
    }

    #[test]
    fn hard_wrapped_lines_are_joined() {
        let body = clean_text(
            "The minister said the budget\nwould grow by 3.5% next year.\n\nSecond one here is a sentence.",
        );
        assert_eq!(
            body,
            "The minister said the budget would grow by 3.5% next year.\n\nSecond one here is a sentence."
        );
    }

    #[test]
    fn a_bare_line_without_full_stop_is_kept_when_nothing_else_is() {
        assert_eq!(clean_text("GDP grew 5% in 2023"), "GDP grew 5% in 2023");
    }

    #[test]
    fn html_scripts_and_styles_never_reach_text() {
        let html = "<html><head><title>T</title><style>p{color:red}</style></head><body>\
            <script>var secret = 'do not show';</script><article><p>The council said on Tuesday \
            that it would spend $4.2 million on new buses over the next five years.</p>\
            <p>“We are proud of this plan,” the mayor said in a statement to reporters.</p>\
            </article></body></html>";
        for text in [clean_html(html), clean_text(&strip_tags(html))] {
            assert!(!text.contains("secret"), "{text}");
            assert!(!text.contains("color"), "{text}");
            assert!(text.contains("$4.2 million"), "{text}");
            assert!(text.contains("\n\n“We are proud"), "{text}");
        }
    }

    #[test]
    fn deeply_nested_html_falls_back_and_finishes() {
        let depth = 100_000;
        let html = format!(
            "{}<p>The agency said prices rose 4% in May, the fastest pace this year.</p>{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        assert!(nesting_depth(&html) > MAX_HTML_DEPTH);
        let text = clean_html(&html);
        assert_eq!(
            text,
            "The agency said prices rose 4% in May, the fastest pace this year."
        );
    }

    #[test]
    fn entities_are_decoded() {
        assert_eq!(
            decode_entities("a &amp; b &#8220;x&#x201D; &bogus; &"),
            "a & b “x” &bogus; &"
        );
    }
}
