//! Re-trains the check-worthiness weights that `crate::extraction::score` ships.
//!
//! Logistic regression over the features of `score::for_each_feature`, fitted by FTRL-Proximal
//! (L1 + L2, per-feature adaptive steps) with a positive-class weight, averaged over several
//! shuffles. The decision threshold is tuned on out-of-fold scores of two k-fold
//! cross-validations of the training set (random folds, and contiguous folds that keep debates
//! together), never on dev, and is folded into the bias so `score::THRESHOLD` stays fixed.
//! Every step is deterministic (fixed seeds, sorted vocabulary, fixed-precision output), so the
//! same input gives a byte-identical weights file.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::extraction::score::{self, Weights};

/// The knobs of one training run. `Default` is what `run_train` uses.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    pub epochs: usize,
    pub learning_rate: f64,
    pub l2: f64,
    pub l1: f64,
    /// FTRL's learning-rate smoothing.
    pub beta: f64,
    /// Loss weight of a check-worthy sentence relative to a non-check-worthy one.
    pub positive_weight: f64,
    /// A feature must occur in at least this many training sentences to get a weight.
    pub min_count: usize,
    pub folds: usize,
    pub seed: u64,
    /// Independent shuffles whose weights are averaged.
    pub runs: usize,
    /// Weights smaller than this in magnitude are left out of the file.
    pub prune: f64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 12,
            learning_rate: 0.5,
            l2: 0.1,
            l1: 5.0,
            beta: 1.0,
            positive_weight: 1.5,
            min_count: 3,
            folds: 5,
            seed: 0x5eed_c1a1,
            runs: 5,
            prune: 0.01,
        }
    }
}

#[derive(Debug, Deserialize)]
struct Row {
    id: u64,
    text: String,
    label: u8,
}

/// One sentence as sparse feature indices and values.
struct Example {
    features: Vec<(u32, f64)>,
    positive: bool,
}

/// Precision, recall and F1 of the check-worthy class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Metrics {
    pub fn from_predictions(predicted: &[bool], actual: &[bool]) -> Metrics {
        let mut tp = 0usize;
        let mut fp = 0usize;
        let mut fn_ = 0usize;
        for (&p, &a) in predicted.iter().zip(actual) {
            match (p, a) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                (false, false) => {}
            }
        }
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Metrics {
            precision,
            recall,
            f1,
        }
    }
}

impl std::fmt::Display for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "P {:.4}  R {:.4}  F1 {:.4}",
            self.precision, self.recall, self.f1
        )
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Re-trains on `train`, writes the weights to `weights_out` and reports cross-validated and
/// dev precision, recall and F1 to `out`.
pub fn run_train(train: &Path, dev: &Path, weights_out: &Path, out: &mut dyn Write) -> Result<()> {
    run_train_with(&TrainConfig::default(), train, dev, weights_out, out)
}

/// `run_train` with explicit settings, for experiments.
pub fn run_train_with(
    config: &TrainConfig,
    train: &Path,
    dev: &Path,
    weights_out: &Path,
    out: &mut dyn Write,
) -> Result<()> {
    if config.folds < 2 {
        bail!(
            "cross-validation needs at least 2 folds, got {}",
            config.folds
        );
    }
    let train_rows = read_rows(train)?;
    let dev_rows = read_rows(dev)?;
    let vocabulary = build_vocabulary(&train_rows, config.min_count);
    let examples: Vec<Example> = train_rows
        .iter()
        .map(|row| encode(&row.text, row.label == 1, &vocabulary.index))
        .collect();
    let actual: Vec<bool> = examples.iter().map(|e| e.positive).collect();
    writeln!(
        out,
        "train: {} sentences ({} check-worthy), {} features",
        examples.len(),
        actual.iter().filter(|&&a| a).count(),
        vocabulary.names.len()
    )?;

    // Two cross-validations: random folds, and contiguous folds by id, which keep whole debates
    // together and so come closer to unseen debates.
    let mut order: Vec<usize> = (0..examples.len()).collect();
    shuffle(&mut order, &mut Rng::new(config.seed ^ 0xf01d));
    let mut random_fold = vec![0usize; examples.len()];
    for (position, &index) in order.iter().enumerate() {
        random_fold[index] = position % config.folds;
    }
    let mut by_id: Vec<usize> = (0..examples.len()).collect();
    by_id.sort_by_key(|&i| train_rows[i].id);
    let mut block_fold = vec![0usize; examples.len()];
    for (position, &index) in by_id.iter().enumerate() {
        block_fold[index] = position * config.folds / examples.len();
    }
    let oof_random = out_of_fold(config, &examples, &random_fold, vocabulary.names.len());
    let oof_blocked = out_of_fold(config, &examples, &block_fold, vocabulary.names.len());

    // The threshold is tuned on both sets of out-of-fold scores at once: twice the evidence,
    // so it moves less with the fold split.
    let pooled_scores: Vec<f64> = oof_random.iter().chain(&oof_blocked).copied().collect();
    let pooled_actual: Vec<bool> = actual.iter().chain(&actual).copied().collect();
    let threshold = best_threshold(&pooled_scores, &pooled_actual);
    let random = Metrics::from_predictions(&predict(&oof_random, threshold), &actual);
    let blocked = Metrics::from_predictions(&predict(&oof_blocked, threshold), &actual);
    writeln!(out, "threshold tuned on out-of-fold scores: {threshold:.3}")?;
    writeln!(
        out,
        "{}-fold cross-validation on train, random folds: {random}",
        config.folds
    )?;
    writeln!(
        out,
        "{}-fold cross-validation on train, contiguous folds (~whole debates): {blocked}",
        config.folds
    )?;

    let all: Vec<usize> = (0..examples.len()).collect();
    let (weights, bias) = fit(config, &examples, &all, vocabulary.names.len());
    let text = render_weights(config, &vocabulary.names, &weights, bias, threshold)?;
    std::fs::write(weights_out, &text)
        .with_context(|| format!("writing {}", weights_out.display()))?;

    // Score dev through the very parser and scorer the pipeline uses.
    let model = Weights::parse(&text);
    let dev_actual: Vec<bool> = dev_rows.iter().map(|r| r.label == 1).collect();
    let dev_predicted: Vec<bool> = dev_rows
        .iter()
        .map(|r| model.score(&r.text) >= score::THRESHOLD)
        .collect();
    let dev_metrics = Metrics::from_predictions(&dev_predicted, &dev_actual);
    writeln!(
        out,
        "wrote {} ({} weights, {} bytes)",
        weights_out.display(),
        model.feature_count(),
        text.len()
    )?;
    writeln!(
        out,
        "dev: {} sentences ({} check-worthy): {dev_metrics}",
        dev_rows.len(),
        dev_actual.iter().filter(|&&a| a).count()
    )?;
    Ok(())
}

fn read_rows(path: &Path) -> Result<Vec<Row>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut rows = Vec::new();
    for (number, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let row: Row = serde_json::from_str(&line).with_context(|| {
            format!("{}:{}: not a labelled sentence", path.display(), number + 1)
        })?;
        rows.push(row);
    }
    if rows.is_empty() {
        bail!("{} holds no sentences", path.display());
    }
    Ok(rows)
}

struct Vocabulary {
    /// Sorted, so indices do not depend on hash order.
    names: Vec<String>,
    index: HashMap<String, u32>,
}

fn build_vocabulary(rows: &[Row], min_count: usize) -> Vocabulary {
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut seen: Vec<String> = Vec::new();
    for row in rows {
        seen.clear();
        score::for_each_feature(&row.text, |name, _| seen.push(name.to_string()));
        seen.sort();
        seen.dedup();
        for name in seen.drain(..) {
            *counts.entry(name).or_default() += 1;
        }
    }
    let mut names: Vec<String> = counts
        .into_iter()
        .filter(|(name, count)| *count >= min_count || name.starts_with("f:"))
        .map(|(name, _)| name)
        .collect();
    names.sort();
    let index = names
        .iter()
        .enumerate()
        .map(|(i, name)| (name.clone(), i as u32))
        .collect();
    Vocabulary { names, index }
}

fn encode(text: &str, positive: bool, index: &HashMap<String, u32>) -> Example {
    let mut features: Vec<(u32, f64)> = Vec::new();
    score::for_each_feature(text, |name, value| {
        if let Some(&i) = index.get(name) {
            features.push((i, f64::from(value)));
        }
    });
    // Merge repeats so each feature is updated once per example, in index order.
    features.sort_by_key(|&(i, _)| i);
    let mut merged: Vec<(u32, f64)> = Vec::with_capacity(features.len());
    for (i, v) in features {
        match merged.last_mut() {
            Some(last) if last.0 == i => last.1 += v,
            _ => merged.push((i, v)),
        }
    }
    Example {
        features: merged,
        positive,
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

/// Fits weights and bias on the examples listed in `subset` by FTRL-Proximal (McMahan et al.,
/// 2013): per-feature adaptive steps like AdaGrad, with an L1 term that sets most weak
/// n-gram weights to exactly zero, so the committed file stays small.
fn fit(
    config: &TrainConfig,
    examples: &[Example],
    subset: &[usize],
    dimensions: usize,
) -> (Vec<f64>, f64) {
    // One SGD run depends on its shuffle order; averaging runs over several orders removes most
    // of that noise (it moved dev F1 by ±0.01 between seeds).
    let mut weights = vec![0.0f64; dimensions];
    let mut bias = 0.0f64;
    let runs = config.runs.max(1);
    for run in 0..runs {
        let seed = config.seed.wrapping_add(run as u64);
        let (w, b) = fit_once(config, examples, subset, dimensions, seed);
        for (total, w) in weights.iter_mut().zip(w) {
            *total += w / runs as f64;
        }
        bias += b / runs as f64;
    }
    (weights, bias)
}

/// One FTRL-Proximal pass sequence with the shuffle seeded by `seed`.
fn fit_once(
    config: &TrainConfig,
    examples: &[Example],
    subset: &[usize],
    dimensions: usize,
    seed: u64,
) -> (Vec<f64>, f64) {
    // Slot `dimensions` is the bias, which is never regularised.
    let mut z = vec![0.0f64; dimensions + 1];
    let mut n = vec![0.0f64; dimensions + 1];
    let weight = |z: f64, n: f64, l1: f64, l2: f64| -> f64 {
        if z.abs() <= l1 {
            0.0
        } else {
            -(z - z.signum() * l1) / ((config.beta + n.sqrt()) / config.learning_rate + l2)
        }
    };
    let mut order = subset.to_vec();
    let mut rng = Rng::new(seed);
    let mut active: Vec<(usize, f64, f64)> = Vec::new();
    for _ in 0..config.epochs {
        shuffle(&mut order, &mut rng);
        for &e in &order {
            let example = &examples[e];
            active.clear();
            let bias = weight(z[dimensions], n[dimensions], 0.0, 0.0);
            active.push((dimensions, 1.0, bias));
            for &(i, v) in &example.features {
                let i = i as usize;
                active.push((i, v, weight(z[i], n[i], config.l1, config.l2)));
            }
            let score: f64 = active.iter().map(|&(_, v, w)| v * w).sum();
            let (target, class_weight) = if example.positive {
                (1.0, config.positive_weight)
            } else {
                (0.0, 1.0)
            };
            let g = (sigmoid(score) - target) * class_weight;
            for &(i, v, w) in &active {
                let gi = g * v;
                let sigma = ((n[i] + gi * gi).sqrt() - n[i].sqrt()) / config.learning_rate;
                z[i] += gi - sigma * w;
                n[i] += gi * gi;
            }
        }
    }
    let weights = (0..dimensions)
        .map(|i| weight(z[i], n[i], config.l1, config.l2))
        .collect();
    (weights, weight(z[dimensions], n[dimensions], 0.0, 0.0))
}

fn raw_score(weights: &[f64], bias: f64, example: &Example) -> f64 {
    sigmoid(
        bias + example
            .features
            .iter()
            .map(|&(i, v)| weights[i as usize] * v)
            .sum::<f64>(),
    )
}

/// Out-of-fold scores: each example scored by a model that did not see it.
fn out_of_fold(
    config: &TrainConfig,
    examples: &[Example],
    fold_of: &[usize],
    dimensions: usize,
) -> Vec<f64> {
    let mut scores = vec![0.0f64; examples.len()];
    for fold in 0..config.folds {
        let training: Vec<usize> = (0..examples.len())
            .filter(|&i| fold_of[i] != fold)
            .collect();
        let (weights, bias) = fit(config, examples, &training, dimensions);
        for (i, example) in examples.iter().enumerate() {
            if fold_of[i] == fold {
                scores[i] = raw_score(&weights, bias, example);
            }
        }
    }
    scores
}

fn predict(scores: &[f64], threshold: f64) -> Vec<bool> {
    scores.iter().map(|&s| s >= threshold).collect()
}

/// The decision threshold in 0.05..=0.95 (steps of 0.005) at the centre of the best F1 plateau:
/// out-of-fold F1 is flat over a wide range, so the raw arg-max jumps around with any small
/// change; the F1 averaged over a ±0.05 window picks a stable point of that plateau.
fn best_threshold(scores: &[f64], actual: &[bool]) -> f64 {
    const WINDOW: usize = 10;
    let steps: Vec<f64> = (10..=190).map(|step| f64::from(step) * 0.005).collect();
    let f1: Vec<f64> = steps
        .iter()
        .map(|&threshold| Metrics::from_predictions(&predict(scores, threshold), actual).f1)
        .collect();
    let mut best = (f64::MIN, 0.5);
    for (i, &threshold) in steps.iter().enumerate() {
        let window = &f1[i.saturating_sub(WINDOW)..(i + WINDOW + 1).min(f1.len())];
        let smoothed = window.iter().sum::<f64>() / window.len() as f64;
        if smoothed > best.0 {
            best = (smoothed, threshold);
        }
    }
    best.1
}

fn render_weights(
    config: &TrainConfig,
    names: &[String],
    weights: &[f64],
    bias: f64,
    threshold: f64,
) -> Result<String> {
    let mut text = String::new();
    writeln!(
        text,
        "# claimtracker check-worthiness weights: logistic regression over \
         score::for_each_feature, trained on the ClaimBuster debate sentences \
         (CLEF CheckThat! 2024 task 1, train split). Regenerate with `run_train`."
    )?;
    writeln!(
        text,
        "# runs {} epochs {} learning_rate {} l1 {} l2 {} beta {} positive_weight {} \
         min_count {} folds {} prune {} tuned_threshold {threshold:.3} (folded into bias)",
        config.runs,
        config.epochs,
        config.learning_rate,
        config.l1,
        config.l2,
        config.beta,
        config.positive_weight,
        config.min_count,
        config.folds,
        config.prune
    )?;
    writeln!(text, "bias\t{:.4}", bias - logit(threshold))?;
    for (name, &weight) in names.iter().zip(weights) {
        if weight.abs() >= config.prune {
            writeln!(text, "{name}\t{weight:.4}")?;
        }
    }
    Ok(text)
}

/// SplitMix64: tiny, seedable and identical on every platform.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Fisher–Yates.
fn shuffle(items: &mut [usize], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i + 1);
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_count_the_positive_class() {
        let m = Metrics::from_predictions(&[true, true, false, false], &[true, false, true, false]);
        assert!((m.precision - 0.5).abs() < 1e-12);
        assert!((m.recall - 0.5).abs() < 1e-12);
        assert!((m.f1 - 0.5).abs() < 1e-12);
    }

    #[test]
    fn shuffle_is_deterministic() {
        let mut a: Vec<usize> = (0..100).collect();
        let mut b = a.clone();
        shuffle(&mut a, &mut Rng::new(7));
        shuffle(&mut b, &mut Rng::new(7));
        assert_eq!(a, b);
        assert_ne!(a, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn committed_weights_reach_the_dev_target() {
        let dev = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/datasets/checkworthiness/dev.jsonl"
        );
        let rows = read_rows(Path::new(dev)).unwrap();
        let actual: Vec<bool> = rows.iter().map(|r| r.label == 1).collect();
        let predicted: Vec<bool> = rows
            .iter()
            .map(|r| score::score_sentence(&r.text).score >= score::THRESHOLD)
            .collect();
        let m = Metrics::from_predictions(&predicted, &actual);
        assert!(m.f1 >= DEV_F1_FLOOR, "dev {m}");
    }

    /// The dev F1 the committed weights reached, less 0.01 of slack.
    const DEV_F1_FLOOR: f64 = 0.8754;
}
