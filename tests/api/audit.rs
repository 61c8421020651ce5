//! The audit history: one event per change in the same transaction, gap-free under concurrency,
//! append-only in the database, and verifiable by the app and by an independent script.

use claimtracker::audit::model::{AuditContext, Event};
use claimtracker::audit::service::{append, append_changes, verify};
use diesel::prelude::*;

use crate::helpers::TestDb;

fn add_user(conn: &mut PgConnection, email: &str) -> i64 {
    use claimtracker::schema::users::dsl as u;
    diesel::insert_into(u::users)
        .values((
            u::email.eq(email),
            u::name.eq("Test User"),
            u::role.eq("viewer"),
            u::password_hash.eq("x"),
        ))
        .returning(u::id)
        .get_result(conn)
        .unwrap()
}

fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(sql).get_result::<N>(conn).unwrap().n
}

/// A change and its event, in one transaction, the way every service does it.
fn create_user_audited(conn: &mut PgConnection, email: &str) -> QueryResult<i64> {
    conn.transaction(|conn| {
        let id = add_user(conn, email);
        append(
            conn,
            &AuditContext::system(),
            [Event::user_created(id, serde_json::json!({"email": email}))],
        )?;
        Ok(id)
    })
}

#[test]
fn each_change_leaves_one_chained_event() {
    let db = TestDb::new();
    let mut conn = db.conn();
    for i in 0..5 {
        create_user_audited(&mut conn, &format!("u{i}@example.org")).unwrap();
    }
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM audit_events"),
        5
    );
    assert_eq!(
        count(&mut conn, "SELECT max(seq) AS n FROM audit_events"),
        5
    );
    let report = verify(&mut conn).unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.events, 5);
    let (head_seq, head_hash) = claimtracker::audit::service::head(&mut conn).unwrap();
    assert_eq!((head_seq, head_hash), (5, report.head));
}

#[test]
fn a_no_op_leaves_no_event_and_takes_no_lock() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let unchanged = serde_json::json!({"status": "open"});
    let map = unchanged.as_object().unwrap().clone();
    let written = conn
        .transaction(|conn| {
            append_changes(
                conn,
                &AuditContext::system(),
                [Event::claim_edited(1, 1, map.clone(), map.clone())],
            )
        })
        .unwrap();
    assert!(written.is_empty());
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM audit_events"),
        0
    );
}

#[test]
fn a_failure_after_the_change_rolls_back_the_change_and_its_event() {
    let db = TestDb::new();
    let mut conn = db.conn();
    create_user_audited(&mut conn, "first@example.org").unwrap();
    let result: Result<(), diesel::result::Error> = conn.transaction(|conn| {
        let id = add_user(conn, "second@example.org");
        append(
            conn,
            &AuditContext::system(),
            [Event::user_created(id, serde_json::json!({}))],
        )?;
        // Something fails after the event was appended: both must go.
        Err(diesel::result::Error::RollbackTransaction)
    });
    assert!(result.is_err());
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM users"), 1);
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM audit_events"),
        1
    );
    // The chain continues without a gap.
    create_user_audited(&mut conn, "third@example.org").unwrap();
    assert_eq!(
        count(&mut conn, "SELECT max(seq) AS n FROM audit_events"),
        2
    );
    assert!(verify(&mut conn).unwrap().ok);
}

#[test]
fn sixteen_concurrent_writers_leave_a_gap_free_valid_chain() {
    let db = TestDb::new();
    let url = db.url.clone();
    let per_writer = 25;
    let threads: Vec<_> = (0..16)
        .map(|w| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut conn = PgConnection::establish(&url).unwrap();
                for i in 0..per_writer {
                    create_user_audited(&mut conn, &format!("w{w}-{i}@example.org")).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut conn = db.conn();
    let total = 16 * per_writer;
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM audit_events"),
        total
    );
    assert_eq!(
        count(&mut conn, "SELECT max(seq) AS n FROM audit_events"),
        total
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(DISTINCT seq) AS n FROM audit_events"
        ),
        total
    );
    let report = verify(&mut conn).unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.events, total);
}

#[test]
fn the_database_refuses_update_delete_and_truncate() {
    let db = TestDb::new();
    let mut conn = db.conn();
    create_user_audited(&mut conn, "a@example.org").unwrap();
    for sql in [
        "UPDATE audit_events SET actor_display = 'someone else'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events CASCADE",
        "UPDATE audit_chain_head SET seq = 0, hash = repeat('0', 64)",
        "DELETE FROM audit_chain_head",
        "TRUNCATE audit_chain_head",
    ] {
        let err = diesel::sql_query(sql).execute(&mut conn).unwrap_err();
        assert!(
            err.to_string().contains("refused") || err.to_string().contains("may only advance"),
            "{sql}: {err}"
        );
    }
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM audit_events"),
        1
    );
    assert!(verify(&mut conn).unwrap().ok);
}

/// Rewrites event `seq` behind the triggers' back, as a superuser could.
fn tamper(conn: &mut PgConnection, seq: i64) {
    conn.transaction(|conn| {
        diesel::sql_query("SET LOCAL session_replication_role = replica").execute(conn)?;
        diesel::sql_query(format!(
            "UPDATE audit_events SET after = '{{\"email\": \"forged@example.org\"}}' WHERE seq = {seq}"
        ))
        .execute(conn)
    })
    .unwrap();
}

#[test]
fn a_rewritten_event_is_found_and_named_by_verify() {
    let db = TestDb::new();
    let mut conn = db.conn();
    for i in 0..6 {
        create_user_audited(&mut conn, &format!("u{i}@example.org")).unwrap();
    }
    tamper(&mut conn, 4);
    let report = verify(&mut conn).unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_bad_seq, Some(4));
    assert_eq!(report.events, 3);

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_claimtracker"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("event 4"), "{stderr}");
}

#[test]
fn verify_from_the_command_line_reports_count_and_head() {
    let db = TestDb::new();
    let mut conn = db.conn();
    for i in 0..3 {
        create_user_audited(&mut conn, &format!("u{i}@example.org")).unwrap();
    }
    let head = claimtracker::audit::service::head(&mut conn).unwrap().1;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_claimtracker"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("3 events") && stdout.contains(&head),
        "{stdout}"
    );
}

/// The events as JSON lines straight from PostgreSQL, formatted by SQL rather than by the app.
fn export_json_lines(conn: &mut PgConnection) -> String {
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text)]
        line: String,
    }
    let lines: Vec<Line> = diesel::sql_query(
        r#"SELECT json_build_object(
            'seq', seq, 'occurred_at', to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'actor_type', actor_type, 'actor_user_id', actor_user_id, 'actor_token_id', actor_token_id,
            'actor_display', actor_display, 'action', action, 'entity_type', entity_type,
            'entity_id', entity_id, 'claim_id', claim_id, 'article_id', article_id,
            'before', before, 'after', after, 'request_id', request_id,
            'prev_hash', prev_hash, 'hash', hash)::text AS line
           FROM audit_events ORDER BY seq"#,
    )
    .load(conn)
    .unwrap();
    lines.into_iter().map(|l| l.line + "\n").collect()
}

fn run_python_verifier(input: &str) -> (bool, String) {
    use std::io::Write;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/verify_audit_chain.py");
    let mut child = std::process::Command::new("python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 is needed for the independent chain check");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

#[test]
fn an_independent_implementation_recomputes_the_same_chain() {
    let db = TestDb::new();
    let mut conn = db.conn();
    // Awkward content: quotes, unicode, control characters, nested objects, floats.
    conn.transaction(|conn| {
        let id = add_user(conn, "x@example.org");
        append(
            conn,
            &AuditContext::system(),
            [
                Event::user_created(id, serde_json::json!({"name": "Zoë \"Z\" O’Brien\n\t\u{1}", "score": 0.6000000238418579, "nested": {"b": [1, 2], "a": null}})),
                Event::report_exported(serde_json::json!({"text": "Xi told Blinken it was “very good”", "signals": ["number", "date"]})),
            ],
        )
    })
    .unwrap();
    for i in 0..3 {
        create_user_audited(&mut conn, &format!("u{i}@example.org")).unwrap();
    }
    let head = claimtracker::audit::service::head(&mut conn).unwrap();
    let (ok, output) = run_python_verifier(&export_json_lines(&mut conn));
    assert!(ok, "{output}");
    assert_eq!(output, format!("ok {} {}", head.0, head.1));

    tamper(&mut conn, 3);
    let (ok, output) = run_python_verifier(&export_json_lines(&mut conn));
    assert!(!ok);
    assert!(output.starts_with("bad 3"), "{output}");
}

/// The README's least-privilege role: the app works, the audit triggers cannot be touched.
#[test]
fn the_app_role_of_the_readme_cannot_drop_or_bypass_the_audit_triggers() {
    let db = TestDb::new();
    let role = format!(
        "ct_app_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let mut owner = db.conn();
    let grants = include_str!("../../docs/app-role.sql")
        .replace("claimtracker_app", &role)
        .replace("DATABASE claimtracker", &format!("DATABASE {}", db.name))
        .replace("PASSWORD 'change-me'", "");
    diesel::connection::SimpleConnection::batch_execute(&mut owner, &grants).unwrap();

    // Same server and database, the app role as user.
    let (_, host_and_rest) = db.url.split_once('@').unwrap();
    let app_url = format!("postgres://{role}@{host_and_rest}");
    let mut app = PgConnection::establish(&app_url).unwrap();
    // Nothing pending: migrating needs no privileges the role lacks.
    assert!(
        claimtracker::db::run_migrations(&mut app)
            .unwrap()
            .is_empty()
    );
    create_user_audited(&mut app, "a@example.org").unwrap();
    assert!(verify(&mut app).unwrap().ok);
    // Every page reads the user directory's version; the new user bumped it.
    assert!(count(&mut app, "SELECT version AS n FROM user_directory_version") >= 2);
    // Claims are written, and their status counts kept, with the role's rights only.
    for sql in [
        "INSERT INTO articles (title, raw_text, body_text, content_hash) \
         VALUES ('t', 'x', 'x', 'h-app-role')",
        "INSERT INTO claims (article_id, text, quote_exact, quote_prefix, quote_suffix, \
         quote_start, quote_end, kind, score, origin, status) \
         SELECT id, 'x', 'x', '', '', 0, 1, 'assertion', 0.5, 'extracted', 'candidate' \
         FROM articles WHERE content_hash = 'h-app-role'",
        "UPDATE claims SET status = 'open'",
    ] {
        diesel::sql_query(sql).execute(&mut app).unwrap();
    }
    assert_eq!(
        count(
            &mut app,
            "SELECT coalesce(sum(n), 0)::bigint AS n FROM claim_status_counts WHERE status = 'open'"
        ),
        1
    );
    for sql in [
        "DROP TRIGGER audit_events_no_update_delete ON audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER ALL",
        "SET session_replication_role = replica",
        "UPDATE audit_events SET actor_display = 'x'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "INSERT INTO claim_status_deltas (status, n) VALUES ('open', 5)",
        "UPDATE user_directory_version SET version = 1",
    ] {
        assert!(
            diesel::sql_query(sql).execute(&mut app).is_err(),
            "{sql} was allowed"
        );
    }
    drop(app);
    let _ = diesel::connection::SimpleConnection::batch_execute(
        &mut owner,
        &format!(
            "REASSIGN OWNED BY {role} TO CURRENT_USER; DROP OWNED BY {role}; DROP ROLE {role};"
        ),
    );
}

// ---- the JSON API ----

async fn viewer_token(app: &crate::helpers::TestApp) -> String {
    let (email, _) = app.create_user("viewer").await;
    app.token_for(&email).await
}

#[tokio::test]
async fn the_api_pages_through_the_history_with_filters() {
    let app = crate::helpers::TestApp::spawn().await;
    let token = viewer_token(&app).await;
    {
        let mut conn = app.db.conn();
        for i in 0..7 {
            create_user_audited(&mut conn, &format!("p{i}@example.org")).unwrap();
        }
    }
    let total = count(&mut app.db.conn(), "SELECT count(*) AS n FROM audit_events");
    // Walk every event, three at a time, following next_cursor.
    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let mut url = app.url("/api/v1/audit?limit=3");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let res = app
            .client
            .get(url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let body: serde_json::Value = res.json().await.unwrap();
        for item in body["items"].as_array().unwrap() {
            seen.push(item["seq"].as_i64().unwrap());
            assert_eq!(item["hash"].as_str().unwrap().len(), 64);
        }
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(
        seen,
        (1..=total).collect::<Vec<_>>(),
        "every event once, in order"
    );

    let res = app
        .client
        .get(app.url("/api/v1/audit?action=user.created"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"] == "user.created")
    );
    assert!(body["items"].as_array().unwrap().len() >= 7);

    let future = app
        .client
        .get(app.url("/api/v1/audit?from=2999-01-01T00:00:00Z"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        future.json::<serde_json::Value>().await.unwrap()["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    for (query, field) in [
        ("from=yesterday", "from"),
        ("action=user.hacked", "action"),
        ("limit=0", "limit"),
        ("cursor=abc", "cursor"),
        ("actor=nobody@example.org", "actor"),
    ] {
        let res = app
            .client
            .get(app.url(&format!("/api/v1/audit?{query}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{query}");
        assert_eq!(
            res.json::<serde_json::Value>().await.unwrap()["error"]["field"],
            field
        );
    }
    assert_eq!(
        app.client
            .get(app.url("/api/v1/audit"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn the_verify_endpoint_names_the_first_rewritten_event() {
    let app = crate::helpers::TestApp::spawn().await;
    let token = viewer_token(&app).await;
    {
        let mut conn = app.db.conn();
        for i in 0..4 {
            create_user_audited(&mut conn, &format!("v{i}@example.org")).unwrap();
        }
    }
    let get = || {
        app.client
            .get(app.url("/api/v1/audit/verify"))
            .bearer_auth(&token)
            .send()
    };
    let ok: serde_json::Value = get().await.unwrap().json().await.unwrap();
    assert_eq!(ok["ok"], true);
    let events = ok["events"].as_i64().unwrap();
    assert_eq!(
        ok["head"].as_str().unwrap(),
        claimtracker::audit::service::head(&mut app.db.conn())
            .unwrap()
            .1
    );
    assert!(ok["first_bad_seq"].is_null());

    let victim = events - 1;
    tamper(&mut app.db.conn(), victim);
    let bad: serde_json::Value = get().await.unwrap().json().await.unwrap();
    assert_eq!(bad["ok"], false);
    assert_eq!(bad["first_bad_seq"], victim);
    assert_eq!(bad["events"], victim - 1);
}
