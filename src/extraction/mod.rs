//! Claim extraction: a pure function from an article (text or HTML) to its cleaned body and
//! anchored, attributed, scored candidate claims. No database, network or clock in here.

pub mod anchor;
pub mod attribute;
pub mod clean;
mod lexicon;
pub mod model;
mod quotes;
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const FIXTURE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/articles/xi-blinken-edge-singapore.txt"
    ));

    fn find<'a>(extraction: &'a Extraction, contains: &str) -> Option<&'a Candidate> {
        extraction
            .candidates
            .iter()
            .find(|c| c.text.contains(contains))
    }

    /// Checks every promise a candidate makes about its anchor, for any input.
    fn assert_anchored(extraction: &Extraction) {
        let body: Vec<char> = extraction.body_text.chars().collect();
        let mut previous_end = 0;
        for candidate in &extraction.candidates {
            let quote = &candidate.quote;
            assert!(
                quote.start < quote.end && quote.end <= body.len(),
                "{quote:?}"
            );
            assert!(
                quote.start >= previous_end,
                "candidates overlap or are out of order"
            );
            previous_end = quote.end;
            let exact: String = body[quote.start..quote.end].iter().collect();
            assert_eq!(exact, quote.exact);
            let prefix_start = quote.start.saturating_sub(anchor::CONTEXT_CHARS);
            let prefix: String = body[prefix_start..quote.start].iter().collect();
            assert_eq!(prefix, quote.prefix);
            let suffix_end = (quote.end + anchor::CONTEXT_CHARS).min(body.len());
            let suffix: String = body[quote.end..suffix_end].iter().collect();
            assert_eq!(suffix, quote.suffix);
            assert!(!candidate.text.trim().is_empty());
            assert!((0.0..=1.0).contains(&candidate.score));
            if candidate.speaker.is_some() {
                assert!(candidate.signals.contains(&Signal::Quote));
            }
        }
    }

    #[test]
    fn fixture_claims_speakers_and_traps() {
        let extraction = extract(Input::Text(FIXTURE));
        assert_anchored(&extraction);
        let speaker = |contains: &str| find(&extraction, contains).and_then(|c| c.speaker.clone());
        assert_eq!(
            speaker("he said without elaborating").as_deref(),
            Some("Xi Jinping")
        );
        assert_eq!(speaker("Wang added").as_deref(), Some("Henry Wang"));
        assert_eq!(
            speaker("Wang told Blinken during").as_deref(),
            Some("Wang Yi")
        );
        assert_eq!(speaker("said Thompson").as_deref(), Some("Drew Thompson"));
        assert!(find(&extraction, "Anthony Blinken, the US Secretary of State").is_none());
        assert_eq!(
            speaker("world’s two largest economies").as_deref(),
            Some("Xi Jinping")
        );
        assert_eq!(
            speaker("Qin accepted an invitation").as_deref(),
            Some("State Department")
        );
        assert_eq!(
            speaker("Blinken’s visit would be a catalyst").as_deref(),
            Some("Henry Wang")
        );
        assert_eq!(speaker("meeting Xi again").as_deref(), Some("Joe Biden"));
        assert_eq!(speaker("no compromise").as_deref(), Some("Wang Yi"));
        assert_eq!(speaker("Taiwan is “the core").as_deref(), Some("Qin Gang"));
        assert_eq!(
            speaker("agreed to encourage educational exchanges").as_deref(),
            Some("China’s Foreign Ministry")
        );

        let magnus = find(&extraction, "not in great shape");
        assert_eq!(
            magnus.and_then(|c| c.speaker.as_deref()),
            Some("George Magnus")
        );
        assert_eq!(magnus.and_then(|c| c.via.as_deref()), Some("Bloomberg TV"));
        assert_eq!(magnus.map(|c| c.kind), Some(ClaimKind::DirectQuote));
        // The quotation runs on after "told Bloomberg TV": one candidate.
        assert!(magnus.is_some_and(|c| c.text.ends_with("Global South partners.”")));

        let hope = find(&extraction, "I hope that through this visit, Mr. Secretary");
        assert_eq!(
            hope.and_then(|c| c.via.as_deref()),
            Some("Chinese Foreign Ministry statement")
        );
        assert_eq!(hope.and_then(|c| c.cue.as_deref()), Some("told"));
        let first = find(&extraction, "Chinese President Xi Jinping told");
        assert_eq!(
            first.and_then(|c| c.speaker_role.as_deref()),
            Some("Chinese President")
        );
        let xinhua = find(&extraction, "could overcome their difficulties");
        assert_eq!(
            xinhua.and_then(|c| c.via.as_deref()),
            Some("Xinhua News Agency")
        );
        let wang = find(&extraction, "Blinken’s visit would be a catalyst");
        assert_eq!(
            wang.and_then(|c| c.speaker_role.as_deref()),
            Some("founder of the Center for China and Globalization")
        );
        let transcript = find(&extraction, "The two sides have also made progress");
        assert_eq!(
            transcript.and_then(|c| c.via.as_deref()),
            Some("transcript of the meeting published by the US State Department")
        );
        // A quotation over two sentences is one candidate.
        assert!(transcript.is_some_and(|c| c.text.contains("This is very good")));
        let thompson = find(&extraction, "Compared to March");
        assert!(thompson.is_some_and(|c| c.text.contains("likely very different")));
    }

    #[test]
    fn candidates_come_in_body_order_with_quote_signal() {
        let extraction = extract(Input::Text(FIXTURE));
        let starts: Vec<usize> = extraction
            .candidates
            .iter()
            .map(|c| c.quote.start)
            .collect();
        let mut sorted = starts.clone();
        sorted.sort_unstable();
        assert_eq!(starts, sorted);
        assert!(extraction.candidates.len() >= 20);
    }

    #[test]
    fn own_voice_sentences_below_threshold_are_not_candidates() {
        let extraction = extract(Input::Text(
            "Hello, and welcome back.\n\nWhat a lovely day it is?",
        ));
        for c in &extraction.candidates {
            assert!(c.speaker.is_some() || c.score >= score::THRESHOLD);
        }
    }

    #[test]
    fn html_and_text_agree_on_the_fixture_prose() {
        let html: String = std::iter::once("<html><body><nav>Home News</nav><article>".to_string())
            .chain(FIXTURE.split("\n\n").map(|p| format!("<p>{p}</p>")))
            .chain(std::iter::once(
                "</article><script>alert('x')</script></body></html>".to_string(),
            ))
            .collect();
        let extraction = extract(Input::Html(&html));
        assert_anchored(&extraction);
        assert!(!extraction.body_text.contains("alert"));
        assert!(
            find(&extraction, "he said without elaborating")
                .is_some_and(|c| c.speaker.as_deref() == Some("Xi Jinping"))
        );
    }

    #[test]
    fn a_ten_thousand_char_sentence_is_handled() {
        let long = format!(
            "“{}” said Thompson.\n\n{} rose 5% according to officials.",
            "word ".repeat(2_000),
            "price ".repeat(2_000)
        );
        let extraction = extract(Input::Text(&long));
        assert_anchored(&extraction);
        assert_eq!(
            extraction
                .candidates
                .first()
                .and_then(|c| c.speaker.as_deref()),
            Some("Thompson")
        );
    }

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("Mr.".to_string()),
            Just("U.S.".to_string()),
            Just("J. K.".to_string()),
            Just("e.g.".to_string()),
            Just("3.5%".to_string()),
            Just("7 1/2".to_string()),
            Just("said".to_string()),
            Just("told Bloomberg TV".to_string()),
            Just("according to".to_string()),
            Just("Henry Wang,".to_string()),
            Just("he".to_string()),
            Just("“".to_string()),
            Just("”".to_string()),
            Just("\"".to_string()),
            Just("''".to_string()),
            Just("‘".to_string()),
            Just("’".to_string()),
            Just(".".to_string()),
            Just(",".to_string()),
            Just("?".to_string()),
            Just("(".to_string()),
            Just(")".to_string()),
            Just("\n".to_string()),
            Just("\n\n".to_string()),
            Just("\r\n".to_string()),
            Just("中国外交部发言人说".to_string()),
            Just("。".to_string()),
            Just("مرحبا بالعالم".to_string()),
            Just("\u{200f}".to_string()),
            Just("😀👍🏽".to_string()),
            Just("e\u{301}\u{302}".to_string()),
            Just("\u{200d}".to_string()),
            Just("\u{0}".to_string()),
            Just("<p>".to_string()),
            Just("&amp;".to_string()),
            "[A-Z][a-z]{0,8}",
            "[a-z]{1,8}",
            "[0-9]{1,4}",
            any::<String>(),
        ]
    }

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(piece(), 0..120).prop_map(|pieces| pieces.join(" "))
    }

    proptest! {
        // 256 cases by default; `PROPTEST_CASES=5000 cargo test` for a longer run.
        #[test]
        fn any_text_gives_exact_anchors_deterministically(input in text()) {
            let first = extract(Input::Text(&input));
            assert_anchored(&first);
            prop_assert_eq!(&first, &extract(Input::Text(&input)));
        }

        #[test]
        fn any_html_gives_exact_anchors(input in text()) {
            let html = format!("<html><body><p>{input}</p><script>x</script></body></html>");
            let extraction = extract(Input::Html(&html));
            assert_anchored(&extraction);
        }

        #[test]
        fn cleaning_is_idempotent(input in text()) {
            let once = clean(Input::Text(&input));
            prop_assert_eq!(clean(Input::Text(&once)), once.clone());
        }

        #[test]
        fn sentences_tile_their_paragraphs(input in text()) {
            for paragraph in segment::paragraphs(&input) {
                let mut at = paragraph.span.start;
                for sentence in &paragraph.sentences {
                    prop_assert!(sentence.start >= at && sentence.end <= paragraph.span.end);
                    prop_assert!(sentence.start < sentence.end);
                    let text = &input[sentence.clone()];
                    prop_assert_eq!(text.trim(), text);
                    at = sentence.end;
                }
            }
        }
    }
}
