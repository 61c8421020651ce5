//! Audit report export: 1M audit events exported as CSV over HTTP from the real app, rows/s,
//! time to first byte and the process's peak RSS growth, next to `psql \copy` of the same rows
//! (same joins, same snapshot) to `/dev/null` in the same run.
//!
//! `cargo bench --bench report_export` (needs PostgreSQL on localhost or `TEST_DATABASE_URL`, and
//! `psql` on the PATH; creates and drops a database of its own). `REPORT_BENCH_EVENTS` sets the
//! history length (default 1,000,000).

mod common;

use std::net::TcpListener;
use std::time::Instant;

use claimtracker::audit::model::{Actor, AuditContext, Event};
use claimtracker::audit::service::append;
use claimtracker::config::Config;
use claimtracker::db;
use claimtracker::startup::Application;
use diesel::prelude::*;

/// (VmHWM, VmRSS) of this process in kB.
fn memory_kb() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Resets VmHWM to the current RSS (Linux ≥ 4.0), so the peak measured is the export's own.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() -> anyhow::Result<()> {
    if !common::benched() {
        return Ok(());
    }
    let bench_db = common::BenchDb::create("ct_bench_report_export")?;
    let url = bench_db.url.clone();
    let mut conn = bench_db.conn()?;

    // A viewer with a token (the exporter), an editor (the actor of the events), and 100
    // articles of 20 claims each for the events to name.
    use claimtracker::auth::service::{NewAccount, create_token, create_user};
    let system = AuditContext::system();
    let account = |email: &'static str, name: &'static str, role: &'static str| NewAccount {
        email,
        name,
        role,
        password: "correct horse battery staple 42",
    };
    let viewer = create_user(
        &mut conn,
        &system,
        &account("viewer@example.org", "Vera Viewer", "viewer"),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let editor = create_user(
        &mut conn,
        &system,
        &account("editor@example.org", "Ed Editor", "editor"),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (_, token) =
        create_token(&mut conn, &system, viewer.id, "bench").map_err(|e| anyhow::anyhow!("{e}"))?;
    let claim_ids = seed_claims(&mut conn, 100, 20)?;

    let target: i64 = std::env::var("REPORT_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let ctx = AuditContext {
        actor: Actor::User {
            id: editor.id,
            name: "Ed Editor".into(),
        },
        request_id: None,
    };
    let start = Instant::now();
    let (mut have, _) = claimtracker::audit::service::head(&mut conn)?;
    while have < target {
        let n = (target - have).min(5_000);
        let events = (0..n).map(|i| {
            let (claim, article) = claim_ids[((have + i) as usize) % claim_ids.len()];
            Event::evidence_added(
                have + i,
                claim,
                article,
                serde_json::json!({
                    "url": "https://stats.example.org/trade",
                    "note": "=HYPERLINK(\"x\") customs data, 2025",
                    "stance": "supports",
                }),
            )
        });
        conn.transaction(|c| append(c, &ctx, events))?;
        have += n;
    }
    diesel::sql_query("VACUUM ANALYZE audit_events").execute(&mut conn)?;
    println!(
        "loaded {have} audit events in {:.1}s",
        start.elapsed().as_secs_f64()
    );

    // The real app, on its own actix system in a thread of this process.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let mut config = Config::from_lookup(|_| None).map_err(|e| anyhow::anyhow!("{e}"))?;
    config.database_url = Some(url.clone());
    config.workers = Some(2);
    config.db_pool_size = 4;
    let pool = db::build_pool(&url, 4)?;
    std::thread::spawn(move || {
        let run = actix_web::rt::System::new().block_on(async move {
            let app = Application::build(config, pool, listener)?;
            app.run_until_stopped().await?;
            anyhow::Ok(())
        });
        if let Err(e) = run {
            eprintln!("server failed: {e}");
        }
    });

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (head, rows, bytes, lines, ttfb, secs, hwm_growth, rss_growth) = rt.block_on(async {
        // Wait for the server to answer.
        let client = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if client.get(format!("{base}/healthz")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let (_, rss_before) = memory_kb();
        reset_peak();
        let start = Instant::now();
        let mut res = client
            .get(format!("{base}/reports/audit.csv"))
            .bearer_auth(&token)
            .send()
            .await?;
        anyhow::ensure!(res.status() == 200, "export answered {}", res.status());
        let header = |n: &str| {
            res.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let head = header("x-audit-chain-head");
        let rows: u64 = header("x-report-rows").parse().unwrap_or(0);
        let mut ttfb = None;
        let mut bytes = 0u64;
        let mut lines = 0u64;
        while let Some(chunk) = res.chunk().await? {
            ttfb.get_or_insert_with(|| start.elapsed().as_secs_f64());
            bytes += chunk.len() as u64;
            // No cell of this history holds a line break, so CRLFs count records.
            lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        }
        let secs = start.elapsed().as_secs_f64();
        let (hwm_after, rss_after) = memory_kb();
        anyhow::Ok((
            head,
            rows,
            bytes,
            lines,
            ttfb.unwrap_or(secs),
            secs,
            hwm_after.saturating_sub(rss_before),
            rss_after as i64 - rss_before as i64,
        ))
    })?;
    anyhow::ensure!(lines == rows + 1, "{lines} lines for {rows} rows");
    println!("chain head in the report: {head}");
    println!(
        "export CSV over HTTP: {rows} rows, {:.1} MB in {secs:.2}s = {:>9.0} rows/s, first byte after {:.0} ms",
        bytes as f64 / 1e6,
        rows as f64 / secs,
        ttfb * 1000.0
    );
    println!(
        "process memory during the export: peak RSS +{:.1} MB over the start, RSS after {:+.1} MB",
        hwm_growth as f64 / 1024.0,
        rss_growth as f64 / 1024.0
    );

    // The same rows, same joins, same snapshot, straight out of PostgreSQL.
    let head_seq: i64 = head
        .split(' ')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(have);
    let copy = format!(
        "\\copy (SELECT e.seq, e.occurred_at, coalesce(u.name, e.actor_display), coalesce(u.email, ''), \
         e.action, coalesce(a.title, ''), coalesce(c.text, ''), e.before, e.after, e.hash \
         FROM audit_events e LEFT JOIN users u ON u.id = e.actor_user_id \
         LEFT JOIN articles a ON a.id = e.article_id LEFT JOIN claims c ON c.id = e.claim_id \
         WHERE e.seq <= {head_seq} ORDER BY e.seq) TO '/dev/null' CSV HEADER"
    );
    let start = Instant::now();
    let out = std::process::Command::new("psql")
        // The bare database URL, without the connection options the bench's own URL carries.
        .arg(url.split('?').next().unwrap_or_default())
        .arg("-X")
        .arg("-q")
        .arg("-c")
        .arg(&copy)
        .output()?;
    let psql_secs = start.elapsed().as_secs_f64();
    anyhow::ensure!(
        out.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "psql \\copy to /dev/null: {head_seq} rows in {psql_secs:.2}s = {:>9.0} rows/s (the export takes {:.1}x as long)",
        head_seq as f64 / psql_secs,
        secs / psql_secs
    );

    drop(conn);
    Ok(())
}

/// `articles` articles of `per_article` claims each; (claim id, article id) pairs.
fn seed_claims(
    conn: &mut PgConnection,
    articles: usize,
    per_article: usize,
) -> anyhow::Result<Vec<(i64, i64)>> {
    use claimtracker::schema::{articles as a, claims as c};
    let mut out = vec![];
    for n in 0..articles {
        let article_id: i64 = diesel::insert_into(a::table)
            .values((
                a::title.eq(format!(
                    "Trade talks in Singapore, part {n}: exports, tariffs and chips"
                )),
                a::raw_text.eq("bench"),
                a::body_text.eq("bench"),
                a::content_hash.eq(format!("bench-{n}")),
            ))
            .returning(a::id)
            .get_result(conn)?;
        let rows: Vec<_> = (0..per_article)
            .map(|i| {
                let text = format!(
                    "\"Exports rose {i}.5% to a record $3.5 trillion last year,\" the minister said of part {n}"
                );
                (
                    c::article_id.eq(article_id),
                    c::text.eq(text.clone()),
                    c::quote_exact.eq(text.clone()),
                    c::quote_prefix.eq(""),
                    c::quote_suffix.eq(""),
                    c::quote_start.eq(0),
                    c::quote_end.eq(text.chars().count() as i32),
                    c::kind.eq("direct_quote"),
                    c::score.eq(0.8f32),
                    c::origin.eq("extracted"),
                    c::status.eq("candidate"),
                )
            })
            .collect();
        let ids: Vec<i64> = diesel::insert_into(c::table)
            .values(&rows)
            .returning(c::id)
            .get_results(conn)?;
        out.extend(ids.into_iter().map(|id| (id, article_id)));
    }
    Ok(out)
}
