//! Extraction speed: sentences per second on the annotated fixture (repeated), and a 2 MB
//! article end to end. Targets (issue 5): ≥ 5,000 sentences/s on one core; 2 MB in under 1 s.
//! Next to it, a plain `unicode-segmentation` sentence split of the same text, with the same
//! throughput unit, so the two rates divide into issue 10's ratio (target ≥ 0.1).
//!
//! Run with `cargo bench --bench extraction`.

use std::hint::black_box;

use claimtracker::extraction::{Input, extract, segment};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

const FIXTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/articles/xi-blinken-edge-singapore.txt"
));

/// The fixture repeated `times`, as one article (page furniture included each time).
fn repeated(times: usize) -> String {
    vec![FIXTURE; times].join("\n\n")
}

/// An article of at least `bytes` made of the fixture's prose paragraphs.
fn article_of(bytes: usize) -> String {
    let mut article = String::with_capacity(bytes + FIXTURE.len());
    while article.len() < bytes {
        article.push_str(FIXTURE);
        article.push_str("\n\n");
    }
    article
}

fn sentence_count(text: &str) -> u64 {
    let body = claimtracker::extraction::clean(Input::Text(text));
    segment::paragraphs(&body)
        .iter()
        .map(|p| p.sentences.len() as u64)
        .sum()
}

fn sentences_per_second(c: &mut Criterion) {
    let article = repeated(20);
    let mut group = c.benchmark_group("extraction");
    group.throughput(Throughput::Elements(sentence_count(&article)));
    group.bench_function("fixture x20 (sentences)", |b| {
        b.iter(|| extract(Input::Text(black_box(&article))))
    });
    group.bench_function("plain unicode_sentences split (sentences)", |b| {
        b.iter(|| {
            unicode_segmentation::UnicodeSegmentation::unicode_sentences(black_box(
                article.as_str(),
            ))
            .count()
        })
    });
    let html: String = std::iter::once("<html><body><article>".to_string())
        .chain(article.split("\n\n").map(|p| format!("<p>{p}</p>")))
        .chain(std::iter::once("</article></body></html>".to_string()))
        .collect();
    group.throughput(Throughput::Bytes(html.len() as u64));
    group.bench_function("fixture x20 as HTML (bytes)", |b| {
        b.iter(|| extract(Input::Html(black_box(&html))))
    });
    group.finish();
}

fn two_megabytes(c: &mut Criterion) {
    let article = article_of(2 * 1024 * 1024);
    let mut group = c.benchmark_group("extraction-2mb");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(article.len() as u64));
    group.bench_function("2 MB article", |b| {
        b.iter_batched(
            || article.as_str(),
            |text| extract(Input::Text(black_box(text))),
            BatchSize::LargeInput,
        )
    });
    let html: String = std::iter::once("<html><body><article>".to_string())
        .chain(article.split("\n\n").map(|p| format!("<p>{p}</p>")))
        .chain(std::iter::once("</article></body></html>".to_string()))
        .collect();
    group.bench_function("2 MB article as HTML", |b| {
        b.iter(|| extract(Input::Html(black_box(&html))))
    });
    // One paragraph with no blank lines and one unclosed quotation: the worst case for grouping.
    let run_on = format!("“{}", article.replace("\n\n", " "));
    group.bench_function("2 MB run-on quotation", |b| {
        b.iter(|| extract(Input::Text(black_box(&run_on))))
    });
    group.finish();
}

criterion_group!(benches, sentences_per_second, two_megabytes);
criterion_main!(benches);
