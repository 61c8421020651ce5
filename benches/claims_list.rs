//! Claim list latency at 100,000 claims: `GET /api/v1/claims` with filters and the `/claims`
//! page, through the real app over HTTP (issue 7: median under 50 ms).
//!
//! `cargo bench --bench claims_list` (needs PostgreSQL on localhost or `TEST_DATABASE_URL`;
//! creates and drops a database of its own). `CLAIMS_BENCH_N` sets the number of claims.

mod common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use claimtracker::audit::AuditContext;
use claimtracker::db;
use claimtracker::schema::{articles, claims};
use diesel::prelude::*;

const STATUSES: [&str; 6] = [
    "candidate",
    "open",
    "in_review",
    "verified",
    "disputed",
    "rejected",
];

fn main() -> anyhow::Result<()> {
    if !common::benched() {
        return Ok(());
    }
    let n: usize = std::env::var("CLAIMS_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let bench_db = common::BenchDb::create("ct_bench_claims")?;
    let url = bench_db.url.clone();
    let mut conn = bench_db.conn()?;

    let ctx = AuditContext::system();
    let password = "correct horse battery staple bench";
    let mut reviewers = vec![];
    for i in 0..10 {
        let email = format!("reviewer{i}@example.org");
        let user = claimtracker::auth::service::create_user(
            &mut conn,
            &ctx,
            &claimtracker::auth::service::NewAccount {
                email: &email,
                name: &format!("Reviewer {i}"),
                role: "reviewer",
                password,
            },
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        reviewers.push(user.id);
    }
    claimtracker::auth::service::create_user(
        &mut conn,
        &ctx,
        &claimtracker::auth::service::NewAccount {
            email: "editor@example.org",
            name: "Editor",
            role: "editor",
            password,
        },
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let editor_id = claimtracker::auth::service::user_by_email(&mut conn, "editor@example.org")
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .id;
    let (_, token) = claimtracker::auth::service::create_token(&mut conn, &ctx, editor_id, "bench")
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    // 100 claims per article, statuses round-robin, signals and speakers varied.
    let seeding = Instant::now();
    // A newsroom's spread: 50 speakers, 60 topics, a phrase in one claim of 40, so that filters
    // and searches select a realistic share rather than everything.
    let speakers: Vec<String> = (0..50).map(|k| format!("Speaker {k} Name")).collect();
    let words: Vec<String> = [
        "economy",
        "tariffs",
        "summit",
        "growth",
        "exports",
        "taiwan",
        "climate",
        "budget",
        "inflation",
        "election",
        "vaccine",
        "border",
        "housing",
        "energy",
        "pension",
        "defence",
        "trade",
        "crime",
        "schools",
        "hospital",
        "rail",
        "water",
        "tax",
        "wages",
    ]
    .iter()
    .flat_map(|w| ["", "2", "3"].map(|suffix| format!("{w}{suffix}")))
    .take(60)
    .collect();
    for a in 0..n.div_ceil(100) {
        let article_id: i64 = diesel::insert_into(articles::table)
            .values((
                articles::title.eq(format!("Article {a} on {}", words[a % words.len()])),
                articles::raw_text.eq("bench"),
                articles::body_text.eq("bench"),
                articles::content_hash.eq(format!("bench-{a}")),
            ))
            .returning(articles::id)
            .get_result(&mut conn)?;
        let rows: Vec<_> = (0..100.min(n - a * 100))
            .map(|j| {
                let i = a * 100 + j;
                let status = STATUSES[i % STATUSES.len()];
                let cue = if i % 40 == 0 {
                    "the most senior official said"
                } else {
                    "a spokesperson said"
                };
                let text = format!(
                    "Claim {i}: {} and {} grew by {}% in {} years, {cue}",
                    words[i % words.len()],
                    words[(i * 7 + 3) % words.len()],
                    i % 97,
                    i % 13
                );
                let assigned = matches!(status, "in_review" | "verified" | "disputed");
                (
                    (
                        claims::article_id.eq(article_id),
                        claims::text.eq(text.clone()),
                        claims::quote_exact.eq(text.clone()),
                        claims::quote_prefix.eq(""),
                        claims::quote_suffix.eq(""),
                        claims::quote_start.eq(0),
                        claims::quote_end.eq(text.chars().count() as i32),
                        claims::speaker.eq(Some(speakers[i % speakers.len()].clone())),
                        claims::kind.eq("reported"),
                        claims::signals.eq(vec![Some("number".to_string())]),
                    ),
                    (
                        claims::score.eq((i % 100) as f32 / 100.0),
                        claims::origin.eq("extracted"),
                        claims::status.eq(status),
                        claims::assignee_id.eq(assigned.then(|| reviewers[i % reviewers.len()])),
                        claims::due_at.eq(assigned.then(|| {
                            chrono::Utc::now() + chrono::Duration::hours((i % 200) as i64 - 100)
                        })),
                    ),
                )
            })
            .collect();
        diesel::insert_into(claims::table)
            .values(&rows)
            .execute(&mut conn)?;
    }
    diesel::sql_query("ANALYZE").execute(&mut conn)?;
    println!(
        "seeded {n} claims in {:.1}s",
        seeding.elapsed().as_secs_f64()
    );

    let mut config = claimtracker::config::Config::from_lookup(|_| None)
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    config.database_url = Some(url.clone());
    config.workers = Some(2);
    config.db_pool_size = 4;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let app =
            claimtracker::startup::Application::build(config, db::build_pool(&url, 4)?, listener)?;
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        // Sign in through the form, for the page.
        let login = client
            .get(format!("{base}/login"))
            .send()
            .await?
            .text()
            .await?;
        let marker = "name=\"csrf_token\" value=\"";
        let start = login
            .find(marker)
            .ok_or_else(|| anyhow::anyhow!("no csrf"))?
            + marker.len();
        let csrf = &login[start..start + login[start..].find('"').unwrap_or(0)];
        client
            .post(format!("{base}/login"))
            .form(&[
                ("email", "editor@example.org"),
                ("password", password),
                ("csrf_token", csrf),
            ])
            .send()
            .await?;

        let cases: [(&str, String, bool); 6] = [
            (
                "api  status=in_review",
                format!("{base}/api/v1/claims?status=in_review"),
                true,
            ),
            (
                "api  assignee+status",
                format!(
                    "{base}/api/v1/claims?status=in_review&assignee=reviewer3@example.org&sort=due"
                ),
                true,
            ),
            (
                "api  speaker+signal",
                format!("{base}/api/v1/claims?speaker=speaker%207%20name&signal=number&sort=score"),
                true,
            ),
            (
                "api  q=senior official",
                format!("{base}/api/v1/claims?q=senior%20official&status=open"),
                true,
            ),
            (
                "page /claims?status=open",
                format!("{base}/claims?status=open"),
                false,
            ),
            (
                "page /claims?q=tariffs2",
                format!("{base}/claims?q=tariffs2"),
                false,
            ),
        ];
        for (label, url, api) in cases {
            let mut times = vec![];
            for i in 0..60 {
                let req = client.get(&url);
                let req = if api { req.bearer_auth(&token) } else { req };
                let t = Instant::now();
                let res = req.send().await?;
                let status = res.status();
                res.bytes().await?;
                if !status.is_success() {
                    anyhow::bail!("{label}: {status}");
                }
                if i >= 10 {
                    times.push(t.elapsed());
                }
            }
            times.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            println!(
                "{label:<28} median {:>6.1} ms   p90 {:>6.1} ms",
                ms(times[times.len() / 2]),
                ms(times[times.len() * 9 / 10])
            );
        }
        anyhow::Ok(())
    })?;
    Ok(())
}
