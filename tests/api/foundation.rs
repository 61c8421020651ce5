use diesel::prelude::*;
use diesel_migrations::MigrationHarness;

use crate::helpers::{TestApp, TestDb};

#[tokio::test]
async fn healthz_answers_200_when_the_database_answers() {
    let app = TestApp::spawn().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], "ok");
}

#[tokio::test]
async fn healthz_answers_503_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    app.db.drop_now();
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 503);
}

/// `db::run`'s threads: work runs in the order it came, a panic in one piece of work is that
/// work's error and the thread goes on, work that waited past the pool's connection timeout is
/// refused with 503 instead of running late, and work whose request went away does not run.
#[tokio::test]
async fn database_threads_take_work_in_order_survive_panics_and_refuse_stale_work() {
    use claimtracker::db::{Db, run};
    use claimtracker::error::AppError;
    let test_db = TestDb::new();
    let pool = diesel::r2d2::Pool::builder()
        .max_size(1)
        .connection_timeout(std::time::Duration::from_secs(1))
        .build(diesel::r2d2::ConnectionManager::<PgConnection>::new(
            test_db.url.clone(),
        ))
        .unwrap();
    let db = Db::new(pool).unwrap();

    // One thread (one connection): ten pieces of work queued at once run in that order.
    let order = std::sync::Arc::new(std::sync::Mutex::new(vec![]));
    let queued: Vec<_> = (0..10)
        .map(|i| {
            let order = std::sync::Arc::clone(&order);
            run(&db, move |conn| {
                diesel::sql_query("SELECT 1").execute(conn)?;
                order.lock().unwrap().push(i);
                Ok(i)
            })
        })
        .collect();
    let answers = futures_util::future::join_all(queued).await;
    assert!(answers.iter().all(|a| a.is_ok()));
    assert_eq!(*order.lock().unwrap(), (0..10).collect::<Vec<_>>());

    let panicked = run(&db, |_conn| -> Result<(), AppError> {
        panic!("a bug in the work")
    })
    .await;
    assert!(
        matches!(panicked, Err(AppError::Internal(_))),
        "{panicked:?}"
    );
    let after = run(&db, |conn| {
        Ok(
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("2"))
                .get_result::<i32>(conn)?,
        )
    })
    .await;
    assert_eq!(after.unwrap(), 2, "the thread went on after the panic");

    // Work that holds the only thread for longer than the timeout: what queued behind it is
    // refused when its turn comes, and the thread is free again afterwards.
    let slow = run(&db, |_conn| {
        std::thread::sleep(std::time::Duration::from_millis(2500));
        Ok(())
    });
    let behind = run(&db, |_conn| Ok(()));
    let (slow, behind) = futures_util::future::join(slow, behind).await;
    assert!(slow.is_ok());
    assert!(
        matches!(behind, Err(AppError::Unavailable(_))),
        "{behind:?}"
    );
    assert!(run(&db, |_conn| Ok(())).await.is_ok());

    // Work whose request went away while it waited does not run at all.
    use futures_util::FutureExt;
    let ran = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut slow = Box::pin(run(&db, |_conn| {
        std::thread::sleep(std::time::Duration::from_millis(300));
        Ok(())
    }));
    assert!(
        (&mut slow).now_or_never().is_none(),
        "queued behind nothing, still running"
    );
    let flag = std::sync::Arc::clone(&ran);
    let gone = run(&db, move |_conn| {
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    });
    // Queued (its first poll sends it), then dropped, as actix drops a request's future.
    assert!(gone.now_or_never().is_none());
    assert!(slow.await.is_ok());
    assert!(run(&db, |_conn| Ok(())).await.is_ok());
    assert!(!ran.load(std::sync::atomic::Ordering::SeqCst));
}

#[tokio::test]
async fn unknown_pages_get_the_404_page_in_the_layout() {
    let app = TestApp::spawn().await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("404"), "{html}");
    assert!(
        html.contains("/static/app.css"),
        "rendered through the layout"
    );
}

#[tokio::test]
async fn unknown_api_paths_get_a_json_error() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/v1/no-such-thing").await;
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"]["message"].is_string());
}

#[tokio::test]
async fn the_stylesheet_is_served() {
    let app = TestApp::spawn().await;
    let res = app.get("/static/app.css").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

fn table_names(conn: &mut PgConnection) -> Vec<String> {
    #[derive(QueryableByName)]
    struct T {
        #[diesel(sql_type = diesel::sql_types::Text)]
        tablename: String,
    }
    let mut names: Vec<String> = diesel::sql_query(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '__diesel_schema_migrations'",
    )
    .load::<T>(conn)
    .unwrap()
    .into_iter()
    .map(|t| t.tablename)
    .collect();
    names.sort();
    names
}

#[test]
fn migrations_go_up_down_and_up_again_and_a_second_run_changes_nothing() {
    let db = TestDb::empty();
    let mut conn = db.conn();
    let embedded = claimtracker::db::pending_migrations(&mut conn)
        .unwrap()
        .len();
    assert!(embedded >= 4);
    let applied = claimtracker::db::run_migrations(&mut conn).unwrap();
    assert_eq!(applied.len(), embedded);
    let tables = table_names(&mut conn);
    for t in [
        "users",
        "sessions",
        "api_tokens",
        "articles",
        "claims",
        "evidence",
        "assignments",
        "verdicts",
        "comments",
        "audit_events",
        "audit_chain_head",
    ] {
        assert!(
            tables.contains(&t.to_string()),
            "{t} missing from {tables:?}"
        );
    }
    assert!(
        claimtracker::db::run_migrations(&mut conn)
            .unwrap()
            .is_empty(),
        "second run applies nothing"
    );

    conn.revert_all_migrations(claimtracker::db::MIGRATIONS)
        .unwrap();
    assert!(
        table_names(&mut conn).is_empty(),
        "down.sql leaves tables: {:?}",
        table_names(&mut conn)
    );

    let again = claimtracker::db::run_migrations(&mut conn).unwrap();
    assert_eq!(again.len(), embedded);
    assert_eq!(table_names(&mut conn), tables);
}

#[test]
fn the_schema_enforces_the_domain() {
    let db = TestDb::new();
    let mut conn = db.conn();
    // A role outside the four is refused by a CHECK constraint.
    let err = diesel::sql_query(
        "INSERT INTO users (email, name, role, password_hash) VALUES ('a@b.c', 'A', 'boss', 'x')",
    )
    .execute(&mut conn)
    .unwrap_err();
    assert!(err.to_string().contains("check constraint"), "{err}");
    // An upper-case email would dodge the unique index; refused.
    assert!(diesel::sql_query(
        "INSERT INTO users (email, name, role, password_hash) VALUES ('A@b.c', 'A', 'viewer', 'x')",
    )
    .execute(&mut conn)
    .is_err());
}

#[test]
fn a_bad_setting_stops_the_binary_naming_the_variable() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_claimtracker"))
        .arg("serve")
        .env("BIND", "not-an-address")
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("BIND"), "{stderr}");
}

#[test]
fn migrate_is_idempotent_from_the_command_line() {
    let db = TestDb::empty();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_claimtracker"))
            .arg("migrate")
            .env("DATABASE_URL", &db.url)
            .output()
            .unwrap()
    };
    let first = run();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("applied"));
    let second = run();
    assert!(second.status.success());
    assert_eq!(
        String::from_utf8_lossy(&second.stdout).trim(),
        "database is up to date"
    );
}

#[test]
fn a_private_cluster_starts_answers_and_stops() {
    if claimtracker::db::find_pg_bin_dir().is_none() {
        panic!("initdb/pg_ctl not found: install PostgreSQL server binaries (Debian: postgresql)");
    }
    // Short path: the Unix socket lives in the data directory and socket paths are limited.
    let dir = std::path::PathBuf::from(format!("/tmp/ct-pg-{}", uuid::Uuid::new_v4().simple()));
    let cluster = claimtracker::db::PrivateCluster::start(&dir).unwrap();
    let url = claimtracker::db::ensure_database(&cluster.server_url(), "claimtracker").unwrap();
    let mut conn = PgConnection::establish(&url).unwrap();
    assert!(
        !claimtracker::db::run_migrations(&mut conn)
            .unwrap()
            .is_empty()
    );
    drop(conn);
    drop(cluster);
    // Stopped: nothing answers any more.
    assert!(PgConnection::establish(&url).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}
