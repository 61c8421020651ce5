//! Ingestion end to end: `POST /api/v1/articles` with the fixture article (made unique each time
//! so it is not a duplicate) against the real app and PostgreSQL; latency percentiles and
//! articles per second, one client and four at once; and extraction alone for comparison.
//!
//! `cargo bench --bench ingestion` (needs PostgreSQL on localhost or `TEST_DATABASE_URL`; creates
//! and drops a database of its own).

mod common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use claimtracker::audit::AuditContext;
use claimtracker::config::Config;
use claimtracker::db;
use claimtracker::startup::Application;

const FIXTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/articles/xi-blinken-edge-singapore.txt"
));

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> anyhow::Result<()> {
    if !common::benched() {
        return Ok(());
    }
    let bench_db = common::BenchDb::create("ct_bench_ingest")?;
    let url = bench_db.url.clone();
    let token = {
        let mut conn = bench_db.conn()?;
        let ctx = AuditContext::system();
        let user = claimtracker::auth::service::create_user(
            &mut conn,
            &ctx,
            &claimtracker::auth::service::NewAccount {
                email: "bench@example.org",
                name: "Bench Editor",
                role: "editor",
                password: "correct horse battery staple",
            },
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        claimtracker::auth::service::create_token(&mut conn, &ctx, user.id, "bench")
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .1
    };

    // Extraction alone, the pure part of every ingestion.
    let start = Instant::now();
    let mut candidates = 0;
    let rounds = 200;
    for _ in 0..rounds {
        candidates +=
            claimtracker::extraction::extract(claimtracker::extraction::Input::Text(FIXTURE))
                .candidates
                .len();
    }
    println!(
        "extraction only:   {:.2} ms per fixture article ({} candidates)",
        ms(start.elapsed()) / rounds as f64,
        candidates / rounds
    );

    let mut config = Config::from_lookup(|_| None)?;
    config.database_url = Some(url.clone());
    config.workers = Some(2);
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let pool = db::build_pool(&url, 10)?;
    let app = Application::build(config, pool, listener)?;
    let address = format!("http://127.0.0.1:{}/api/v1/articles", app.port());

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::new();
        let post = |n: usize| {
            let client = client.clone();
            let address = address.clone();
            let token = token.clone();
            async move {
                let body = serde_json::json!({
                    "title": format!("Bench article {n}"),
                    "text": format!("{FIXTURE}\n\nBench paragraph {n}: the index rose 3.{n}% in March."),
                });
                let t = Instant::now();
                let res = client.post(&address).bearer_auth(&token).json(&body).send().await?;
                anyhow::ensure!(res.status() == 201, "status {}", res.status());
                res.bytes().await?;
                Ok::<Duration, anyhow::Error>(t.elapsed())
            }
        };
        // Warm up the pool and caches.
        for n in 0..10 {
            post(n).await?;
        }
        let n = 300;
        let mut latencies = Vec::with_capacity(n);
        let start = Instant::now();
        for i in 0..n {
            latencies.push(post(1_000 + i).await?);
        }
        let elapsed = start.elapsed();
        latencies.sort();
        println!(
            "1 client:  {:.1} articles/s; latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms (n={n})",
            n as f64 / elapsed.as_secs_f64(),
            ms(percentile(&latencies, 0.5)),
            ms(percentile(&latencies, 0.9)),
            ms(percentile(&latencies, 0.99)),
        );
        let start = Instant::now();
        let mut latencies = vec![];
        for batch in 0..(n / 4) {
            let futures: Vec<_> = (0..4).map(|k| post(10_000 + batch * 4 + k)).collect();
            for r in futures_util::future::join_all(futures).await {
                latencies.push(r?);
            }
        }
        let elapsed = start.elapsed();
        latencies.sort();
        println!(
            "4 clients: {:.1} articles/s; latency p50 {:.1} ms, p99 {:.1} ms (n={})",
            latencies.len() as f64 / elapsed.as_secs_f64(),
            ms(percentile(&latencies, 0.5)),
            ms(percentile(&latencies, 0.99)),
            latencies.len()
        );
        Ok::<(), anyhow::Error>(())
    })?;
    runtime.shutdown_timeout(Duration::from_secs(2));
    Ok(())
}
