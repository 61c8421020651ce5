//! The reference page: a bare TechEmpower-Fortunes-style server on the same stack as the app
//! (actix-web, the r2d2 pool with the app's settings, diesel on a blocking thread, askama in the
//! shared layout) that answers `GET /` with one query of 50 claims. No sessions, CSRF, logging
//! or compression: the ceiling this stack reaches on this machine, which `benches/run.sh`
//! divides the real pages' throughput by (docs/BENCHMARKS.md).
//!
//! `cargo bench --bench reference` serves until stopped, on `REFERENCE_BIND` (default
//! 127.0.0.1:8090), against `DATABASE_URL` (the benchmark database); `DB_POOL_SIZE` and
//! `WORKERS` as for the app.

use std::net::TcpListener;

use actix_web::{App, HttpResponse, HttpServer, web};
use askama::Template;
use claimtracker::config::Config;
use claimtracker::db::{self, PgPool};
use claimtracker::schema::claims;
use claimtracker::web::{PageContext, UserView};
use diesel::prelude::*;

#[derive(Debug, Queryable)]
struct Row {
    id: i64,
    article_id: i64,
    text: String,
    speaker: Option<String>,
    status: String,
    score: f32,
}

#[derive(Template)]
#[template(path = "bench/reference.html")]
struct ReferencePage {
    ctx: PageContext,
    rows: Vec<Row>,
}

async fn page(pool: web::Data<PgPool>) -> HttpResponse {
    let pool = pool.get_ref().clone();
    // On the blocking pool, as `db::run` does for the app's handlers.
    let rows = web::block(move || -> anyhow::Result<Vec<Row>> {
        let mut conn = pool.get()?;
        // The limit written into the SQL, as the app's lists do (`db::Limited`), so that both
        // keep their prepared statement's plan instead of planning at every request.
        Ok(db::Limited::new(
            claims::table
                .select((
                    claims::id,
                    claims::article_id,
                    claims::text,
                    claims::speaker,
                    claims::status,
                    claims::score,
                ))
                .order(claims::id.desc()),
            50,
        )
        .load(&mut conn)?)
    })
    .await;
    let rows = match rows {
        Ok(Ok(rows)) => rows,
        Ok(Err(e)) => return HttpResponse::InternalServerError().body(e.to_string()),
        Err(e) => return HttpResponse::InternalServerError().body(e.to_string()),
    };
    // The layout as a signed-in user sees it (navigation, name, sign-out form).
    let ctx = PageContext {
        user: Some(UserView {
            id: 1,
            name: "Reference Reader".into(),
            email: "reference@bench.example".into(),
            role: "editor".into(),
        }),
        csrf_token: "0".repeat(64),
        flash: None,
        path: "/claims".into(),
    };
    match (ReferencePage { ctx, rows }).render() {
        Ok(html) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

// The same allocator as the app's binary (src/main.rs), so the ceiling is the same stack.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: only serve when benched.
    if !std::env::args().any(|a| a == "--bench") {
        return Ok(());
    }
    let config = Config::from_env()?;
    let url = config
        .database_url
        .clone()
        .ok_or_else(|| anyhow::anyhow!("set DATABASE_URL to the benchmark database"))?;
    let pool = db::build_pool(&url, config.db_pool_size)?;
    let bind = std::env::var("REFERENCE_BIND").unwrap_or_else(|_| "127.0.0.1:8090".into());
    let listener = TcpListener::bind(&bind)?;
    println!("reference page on http://{}/", listener.local_addr()?);
    let workers = config.workers;
    actix_web::rt::System::new().block_on(async move {
        let data = web::Data::new(pool);
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/", web::get().to(page))
        });
        if let Some(workers) = workers {
            server = server.workers(workers);
        }
        server.listen(listener)?.run().await
    })?;
    Ok(())
}
