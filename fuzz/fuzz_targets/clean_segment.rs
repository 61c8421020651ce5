//! Cleaning + segmentation (+ the whole extractor) on arbitrary bytes: no panic, exact anchors.
//!
//! `cargo fuzz run clean_segment -s none` (stable toolchain; `-s none` skips the sanitizer).
#![no_main]

use claimtracker::extraction::{Input, clean, extract, segment};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for input in [Input::Text(text), Input::Html(text)] {
        let body = clean(input);
        for paragraph in segment::paragraphs(&body) {
            let mut at = paragraph.span.start;
            for sentence in &paragraph.sentences {
                assert!(sentence.start >= at && sentence.end <= paragraph.span.end);
                assert!(
                    body.is_char_boundary(sentence.start) && body.is_char_boundary(sentence.end)
                );
                at = sentence.end;
            }
        }
        let extraction = extract(input);
        assert_eq!(extraction.body_text, body);
        let chars: Vec<char> = body.chars().collect();
        for candidate in &extraction.candidates {
            let quote = &candidate.quote;
            assert!(quote.start < quote.end && quote.end <= chars.len());
            let exact: String = chars[quote.start..quote.end].iter().collect();
            assert_eq!(exact, quote.exact);
        }
    }
});
