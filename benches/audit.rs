//! Audit history throughput: appends per second (one writer, and 8 concurrent writers, each
//! append its own transaction) and `verify` events per second over a chain of 1M events.
//!
//! `cargo bench --bench audit` (needs PostgreSQL on localhost or `TEST_DATABASE_URL`; creates and
//! drops a database of its own). `AUDIT_BENCH_EVENTS` sets the chain length (default 1,000,000).

mod common;

use std::time::{Duration, Instant};

use claimtracker::audit::model::{AuditContext, Event};
use claimtracker::audit::service::{append, verify};
use diesel::prelude::*;

fn main() -> anyhow::Result<()> {
    if !common::benched() {
        return Ok(());
    }
    let bench_db = common::BenchDb::create("ct_bench_audit")?;
    let url = bench_db.url.clone();
    let mut conn = bench_db.conn()?;

    let event = |i: i64| {
        Event::report_exported(serde_json::json!({
            "format": "csv", "filters": {"status": "verified"}, "rows": i,
        }))
    };
    let ctx = AuditContext::system();

    // One writer, one event per transaction (the shape of a triage click).
    let window = Duration::from_secs(10);
    let start = Instant::now();
    let mut single = 0u64;
    while start.elapsed() < window {
        conn.transaction(|c| append(c, &ctx, [event(single as i64)]))?;
        single += 1;
    }
    let single_rate = single as f64 / start.elapsed().as_secs_f64();
    println!(
        "append, 1 writer:   {single_rate:>9.0} events/s ({single} in {:.1}s)",
        start.elapsed().as_secs_f64()
    );

    // Eight writers at once, each on its own connection.
    let start = Instant::now();
    let writers: Vec<_> = (0..8)
        .map(|_| {
            let url = url.clone();
            let ctx = ctx.clone();
            std::thread::spawn(move || -> anyhow::Result<u64> {
                let mut conn = PgConnection::establish(&url)?;
                let mut n = 0u64;
                while start.elapsed() < window {
                    conn.transaction(|c| append(c, &ctx, [event(n as i64)]))?;
                    n += 1;
                }
                Ok(n)
            })
        })
        .collect();
    let mut concurrent = 0u64;
    for w in writers {
        concurrent += w.join().map_err(|_| anyhow::anyhow!("writer panicked"))??;
    }
    let concurrent_rate = concurrent as f64 / start.elapsed().as_secs_f64();
    println!(
        "append, 8 writers:  {concurrent_rate:>9.0} events/s ({concurrent} in {:.1}s)",
        start.elapsed().as_secs_f64()
    );

    // Fill up to the target length in large batches (the shape of an ingestion), then verify.
    let target: i64 = std::env::var("AUDIT_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let (mut have, _) = claimtracker::audit::service::head(&mut conn)?;
    let start = Instant::now();
    let loaded_from = have;
    while have < target {
        let n = (target - have).min(5_000);
        conn.transaction(|c| append(c, &ctx, (0..n).map(event)))?;
        have += n;
    }
    let batch_secs = start.elapsed().as_secs_f64();
    if have > loaded_from {
        println!(
            "append, batches of 5,000: {:>9.0} events/s ({} events)",
            (have - loaded_from) as f64 / batch_secs,
            have - loaded_from
        );
    }
    let start = Instant::now();
    let report = verify(&mut conn)?;
    let secs = start.elapsed().as_secs_f64();
    anyhow::ensure!(report.ok, "verify failed: {report:?}");
    println!(
        "verify:             {:>9.0} events/s ({} events in {secs:.1}s)",
        report.events as f64 / secs,
        report.events
    );

    drop(conn);
    Ok(())
}
