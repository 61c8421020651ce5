//! Issue 6: article ingestion, exact anchoring, de-duplication, bad input, manual claims,
//! edits and triage, and the import command.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDb, test_config};

const FIXTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/articles/xi-blinken-edge-singapore.txt"
));
const EXPECTED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/articles/xi-blinken-edge-singapore.expected.json"
));

/// The fixture as a web page: navigation, scripts, styles and a footer around the paragraphs.
fn fixture_as_html() -> String {
    let paragraphs: String = FIXTURE
        .split("\n\n")
        .map(|p| format!("<p>{}</p>\n", p.replace('&', "&amp;").replace('<', "&lt;")))
        .collect();
    format!(
        r#"<!doctype html><html><head><title>Xi tells Blinken 'very good'</title>
<style>body {{ color: red }} .secret-style {{}}</style>
<script>var trackingSecret = "do-not-index-this-script";</script></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/geo">Geopolitics</a></li></ul></nav>
<article><h1>Xi tells Blinken 'very good' that progress made on US-China ties</h1>
{paragraphs}</article>
<aside><h3>Trending</h3><ul><li><a href="/x">Ships diverted from Red Sea send ripple effects</a></li></ul></aside>
<footer><p>Copyright 2024 The Edge Publishing. All rights reserved.</p><script>window.ads = "ad-script-text";</script></footer>
</body></html>"#
    )
}

async fn editor_token(app: &TestApp) -> String {
    let (email, _) = app.create_user("editor").await;
    app.token_for(&email).await
}

async fn post_article(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/articles"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn chars(s: &str, start: u64, end: u64) -> String {
    s.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

fn count(app: &TestApp, table: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
        .get_result::<N>(&mut app.db.conn())
        .unwrap()
        .n
}

fn assert_anchored(body: &Value) {
    let text = body["article"]["body_text"].as_str().unwrap();
    let claims = body["claims"].as_array().unwrap();
    assert!(!claims.is_empty());
    let mut last_start = 0;
    for c in claims {
        let q = &c["quote"];
        let (start, end) = (q["start"].as_u64().unwrap(), q["end"].as_u64().unwrap());
        assert_eq!(
            chars(text, start, end),
            q["exact"].as_str().unwrap(),
            "offsets cut the quote exactly"
        );
        assert!(start >= last_start, "claims in body order");
        last_start = start;
        assert_eq!(c["status"], "candidate");
        assert_eq!(c["version"], 1);
    }
}

#[tokio::test]
async fn the_fixture_as_text_is_ingested_anchored_and_without_furniture() {
    let app = TestApp::spawn().await;
    let token = editor_token(&app).await;
    let res = post_article(
        &app,
        &token,
        &json!({"title": "Xi tells Blinken 'very good'", "publisher": "The Edge Singapore", "wire_service": "Bloomberg", "text": FIXTURE}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_anchored(&body);
    let text = body["article"]["body_text"].as_str().unwrap();
    let expected: Value = serde_json::from_str(EXPECTED).unwrap();
    for furniture in expected["not_claims"].as_array().unwrap() {
        assert!(
            !text.contains(furniture.as_str().unwrap()),
            "furniture in body: {furniture}"
        );
    }
    assert!(text.contains("most senior US official to visit China in five years"));
    assert_eq!(body["article"]["wire_service"], "Bloomberg");
    assert_eq!(body["article"]["source_format"], "text");

    // The article and every claim left their events, by the token's user.
    let claims = body["claims"].as_array().unwrap().len();
    let actions = app.audit_actions();
    assert_eq!(
        actions.iter().filter(|a| *a == "article.ingested").count(),
        1
    );
    assert_eq!(
        actions.iter().filter(|a| *a == "claim.created").count(),
        claims
    );
    let (actor, _, _, after) = app.last_event("article.ingested").unwrap();
    assert_eq!(actor, "token");
    assert_eq!(after.unwrap()["candidates"], claims);
}

#[tokio::test]
async fn the_fixture_as_html_keeps_scripts_navigation_and_footer_out() {
    let app = TestApp::spawn().await;
    let token = editor_token(&app).await;
    let res = post_article(
        &app,
        &token,
        &json!({"title": "Xi tells Blinken", "html": fixture_as_html()}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_anchored(&body);
    let text = body["article"]["body_text"].as_str().unwrap();
    for leak in [
        "do-not-index-this-script",
        "ad-script-text",
        "secret-style",
        "Geopolitics",
        "All rights reserved",
    ] {
        assert!(!text.contains(leak), "{leak} leaked into the body");
    }
    assert!(text.contains("The economy in China is not in great shape"));
    assert_eq!(body["article"]["source_format"], "html");
}

#[tokio::test]
async fn the_same_content_again_is_the_same_article_and_nothing_new() {
    let app = TestApp::spawn().await;
    let token = editor_token(&app).await;
    let first: Value = post_article(&app, &token, &json!({"title": "One", "text": FIXTURE}))
        .await
        .json()
        .await
        .unwrap();
    let (articles, claims, events) = (
        count(&app, "articles"),
        count(&app, "claims"),
        count(&app, "audit_events"),
    );
    // Re-flowed white space is still the same article.
    let reflowed = FIXTURE.replace("\n\n", "\n\n\n").replace(". ", ".  ");
    let res = post_article(
        &app,
        &token,
        &json!({"title": "Another title", "text": reflowed}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let again: Value = res.json().await.unwrap();
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["article"]["id"], first["article"]["id"]);
    let ids = |v: &Value| {
        v["claims"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&again), ids(&first));
    assert_eq!(
        (
            count(&app, "articles"),
            count(&app, "claims"),
            count(&app, "audit_events")
        ),
        (articles, claims, events)
    );
}

#[tokio::test]
async fn a_stored_article_reads_back_with_its_claims() {
    let app = TestApp::spawn().await;
    let token = editor_token(&app).await;
    let created: Value = post_article(&app, &token, &json!({"title": "One", "text": FIXTURE}))
        .await
        .json()
        .await
        .unwrap();
    let id = created["article"]["id"].as_i64().unwrap();
    let (viewer, _) = app.create_user("viewer").await;
    let viewer_token = app.token_for(&viewer).await;
    let res = app
        .client
        .get(app.url(&format!("/api/v1/articles/{id}")))
        .bearer_auth(&viewer_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["claims"], created["claims"]);
    let missing = app
        .client
        .get(app.url("/api/v1/articles/999999"))
        .bearer_auth(&viewer_token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

async fn assert_error(res: reqwest::Response, status: u16, field: Option<&str>) {
    assert_eq!(res.status(), status);
    let body: Value = res.json().await.unwrap();
    assert!(body["error"]["code"].is_string(), "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    if let Some(field) = field {
        assert_eq!(body["error"]["field"], field, "{body}");
    }
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_leaves_no_row() {
    let db = TestDb::new();
    let mut config = test_config(&db);
    config.max_text_bytes = 4_096;
    config.max_html_bytes = 8_192;
    let app = TestApp::spawn_with(db, config).await;
    let token = editor_token(&app).await;
    let url = app.url("/api/v1/articles");
    let raw = |body: Vec<u8>, content_type: &str| {
        app.client
            .post(&url)
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    assert_error(
        raw(b"{\"title\": ".to_vec(), "application/json")
            .await
            .unwrap(),
        400,
        None,
    )
    .await;
    assert_error(
        raw(
            b"{\"title\": \"x\xff\xfe\", \"text\": \"y\"}".to_vec(),
            "application/json",
        )
        .await
        .unwrap(),
        400,
        None,
    )
    .await;
    assert_error(
        raw(b"title=x".to_vec(), "application/x-www-form-urlencoded")
            .await
            .unwrap(),
        415,
        None,
    )
    .await;
    assert_error(
        post_article(&app, &token, &json!({"text": "Some text."})).await,
        422,
        Some("title"),
    )
    .await;
    assert_error(
        post_article(&app, &token, &json!({"title": "t"})).await,
        422,
        Some("text"),
    )
    .await;
    assert_error(
        post_article(
            &app,
            &token,
            &json!({"title": "t", "text": "a", "html": "<p>b</p>"}),
        )
        .await,
        422,
        Some("text"),
    )
    .await;
    assert_error(
        post_article(
            &app,
            &token,
            &json!({"title": "t", "text": "a", "colour": "red"}),
        )
        .await,
        422,
        Some("colour"),
    )
    .await;
    assert_error(
        post_article(
            &app,
            &token,
            &json!({"title": "t", "text": "a", "url": "javascript:alert(1)"}),
        )
        .await,
        422,
        Some("url"),
    )
    .await;
    assert_error(
        post_article(
            &app,
            &token,
            &json!({"title": "t", "text": "a", "published_at": "last week"}),
        )
        .await,
        422,
        Some("published_at"),
    )
    .await;
    assert_error(
        post_article(
            &app,
            &token,
            &json!({"title": "t", "text": "x".repeat(5_000)}),
        )
        .await,
        413,
        None,
    )
    .await;
    assert_error(
        post_article(
            &app,
            &token,
            &json!({"title": "t", "html": "<p>x</p>".repeat(2_000)}),
        )
        .await,
        413,
        None,
    )
    .await;
    // A body far beyond any limit is refused before it is parsed.
    assert_error(
        raw(vec![b'x'; 200_000], "application/json").await.unwrap(),
        413,
        None,
    )
    .await;
    // Only editors and admins ingest.
    let (viewer, _) = app.create_user("viewer").await;
    let viewer_token = app.token_for(&viewer).await;
    assert_error(
        post_article(
            &app,
            &viewer_token,
            &json!({"title": "t", "text": "Some text."}),
        )
        .await,
        403,
        None,
    )
    .await;
    assert_error(
        app.client
            .post(&url)
            .json(&json!({"title": "t", "text": "x"}))
            .send()
            .await
            .unwrap(),
        401,
        None,
    )
    .await;
    assert_eq!(count(&app, "articles"), 0);
    assert_eq!(count(&app, "claims"), 0);
}

async fn ingest_fixture(app: &TestApp, token: &str) -> Value {
    let res = post_article(
        app,
        token,
        &json!({"title": "Xi tells Blinken", "text": FIXTURE}),
    )
    .await;
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

#[tokio::test]
async fn a_manual_claim_from_a_span_is_anchored_and_open() {
    let app = TestApp::spawn().await;
    let token = editor_token(&app).await;
    let body = ingest_fixture(&app, &token).await;
    let id = body["article"]["id"].as_i64().unwrap();
    let text = body["article"]["body_text"].as_str().unwrap();
    let phrase = "7 1/2 hours of talks";
    let byte = text.find(phrase).unwrap();
    let start = text[..byte].chars().count();
    let end = start + phrase.chars().count();
    let res = app
        .client
        .post(app.url(&format!("/api/v1/articles/{id}/claims")))
        .bearer_auth(&token)
        .json(&json!({"start": start, "end": end, "speaker": "State Department"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let claim: Value = res.json().await.unwrap();
    assert_eq!(claim["quote"]["exact"], phrase);
    assert_eq!(claim["status"], "open");
    assert_eq!(claim["speaker"], "State Department");
    assert_eq!(claim["origin"], "manual");
    assert_eq!(
        chars(
            text,
            claim["quote"]["start"].as_u64().unwrap(),
            claim["quote"]["end"].as_u64().unwrap()
        ),
        phrase
    );
    assert!(
        text.ends_with(claim["quote"]["suffix"].as_str().unwrap())
            || text.contains(&format!(
                "{phrase}{}",
                claim["quote"]["suffix"].as_str().unwrap()
            ))
    );
    let (_, entity, _, after) = app.last_event("claim.created").unwrap();
    assert_eq!(entity, claim["id"].as_i64());
    assert_eq!(after.unwrap()["origin"], "manual");

    let len = text.chars().count();
    let outside = app
        .client
        .post(app.url(&format!("/api/v1/articles/{id}/claims")))
        .bearer_auth(&token)
        .json(&json!({"start": len - 2, "end": len + 10}))
        .send()
        .await
        .unwrap();
    assert_error(outside, 422, Some("end")).await;
}

async fn post_json(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn triage_moves_candidates_with_the_version_check() {
    let app = TestApp::spawn().await;
    let token = editor_token(&app).await;
    let body = ingest_fixture(&app, &token).await;
    let claims = body["claims"].as_array().unwrap();
    let (a, b) = (
        claims[0]["id"].as_i64().unwrap(),
        claims[1]["id"].as_i64().unwrap(),
    );

    // Accept, with an edit of the speaker in the same request.
    let res = post_json(
        &app,
        &token,
        &format!("/api/v1/claims/{a}/triage"),
        json!({"version": 1, "decision": "accept", "speaker": "Xi Jinping"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let accepted: Value = res.json().await.unwrap();
    assert_eq!(
        (accepted["status"].as_str(), accepted["version"].as_i64()),
        (Some("open"), Some(2))
    );
    assert_eq!(accepted["speaker"], "Xi Jinping");
    let (_, _, before, after) = app.last_event("claim.accepted").unwrap();
    assert_eq!(before.unwrap()["status"], "candidate");
    assert_eq!(after.unwrap()["status"], "open");

    // The same version again is stale: 409, nothing changes.
    let events = count(&app, "audit_events");
    let stale = post_json(
        &app,
        &token,
        &format!("/api/v1/claims/{a}/triage"),
        json!({"version": 1, "decision": "accept"}),
    )
    .await;
    assert_error(stale, 409, None).await;
    assert_eq!(count(&app, "audit_events"), events);

    // Reject needs a reason; restore too; both at the current version.
    assert_error(
        post_json(
            &app,
            &token,
            &format!("/api/v1/claims/{b}/triage"),
            json!({"version": 1, "decision": "reject"}),
        )
        .await,
        422,
        Some("reason"),
    )
    .await;
    let rejected: Value = post_json(
        &app,
        &token,
        &format!("/api/v1/claims/{b}/triage"),
        json!({"version": 1, "decision": "reject", "reason": "Opinion, not a claim"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(rejected["status"], "rejected");
    let (_, _, _, after) = app.last_event("claim.rejected").unwrap();
    assert_eq!(after.unwrap()["reason"], "Opinion, not a claim");
    // An accepted claim cannot be rejected by triage.
    assert_error(
        post_json(
            &app,
            &token,
            &format!("/api/v1/claims/{a}/triage"),
            json!({"version": 2, "decision": "reject", "reason": "x"}),
        )
        .await,
        409,
        None,
    )
    .await;
    let restored = post_json(
        &app,
        &token,
        &format!("/api/v1/claims/{b}/triage"),
        json!({"version": 2, "decision": "restore", "reason": "Has a number after all"}),
    )
    .await;
    assert_eq!(restored.status(), 200);
    assert_eq!(
        restored.json::<Value>().await.unwrap()["status"],
        "candidate"
    );
    assert_error(
        post_json(
            &app,
            &token,
            &format!("/api/v1/claims/{b}/triage"),
            json!({"version": 3, "decision": "maybe"}),
        )
        .await,
        422,
        Some("decision"),
    )
    .await;

    // Reviewers do not triage.
    let (reviewer, _) = app.create_user("reviewer").await;
    let reviewer_token = app.token_for(&reviewer).await;
    assert_error(
        post_json(
            &app,
            &reviewer_token,
            &format!("/api/v1/claims/{b}/triage"),
            json!({"version": 3, "decision": "accept"}),
        )
        .await,
        403,
        None,
    )
    .await;
}

#[tokio::test]
async fn edits_are_versioned_audited_and_a_no_op_changes_nothing() {
    let app = TestApp::spawn().await;
    let token = editor_token(&app).await;
    let body = ingest_fixture(&app, &token).await;
    let claim = &body["claims"][0];
    let id = claim["id"].as_i64().unwrap();
    let patch = |v: Value| {
        app.client
            .patch(app.url(&format!("/api/v1/claims/{id}")))
            .bearer_auth(&token)
            .json(&v)
            .send()
    };

    let res =
        patch(json!({"version": 1, "speaker_role": "President of the PRC", "kind": "reported"}))
            .await
            .unwrap();
    assert_eq!(res.status(), 200);
    let edited: Value = res.json().await.unwrap();
    assert_eq!(edited["version"], 2);
    assert_eq!(edited["speaker_role"], "President of the PRC");
    let (_, _, before, after) = app.last_event("claim.edited").unwrap();
    let after = after.unwrap();
    assert_eq!(after["speaker_role"], "President of the PRC");
    assert!(
        after.get("text").is_none(),
        "only changed fields are recorded: {after}"
    );
    assert!(before.unwrap().get("speaker_role").is_some());

    let events = count(&app, "audit_events");
    let same: Value = patch(json!({"version": 2, "speaker_role": "President of the PRC"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(same["version"], 2, "a no-op does not bump the version");
    assert_eq!(count(&app, "audit_events"), events);

    assert_error(
        patch(json!({"version": 1, "text": "x"})).await.unwrap(),
        409,
        None,
    )
    .await;
    assert_error(
        patch(json!({"version": 2, "kind": "gossip"}))
            .await
            .unwrap(),
        422,
        Some("kind"),
    )
    .await;
    assert_error(
        patch(json!({"version": 2, "text": "  "})).await.unwrap(),
        422,
        Some("text"),
    )
    .await;
    assert_error(
        patch(json!({"version": 2, "status": "verified"}))
            .await
            .unwrap(),
        422,
        Some("status"),
    )
    .await;
}

#[tokio::test]
async fn import_takes_a_folder_of_files_and_reports_each() {
    let db = TestDb::new();
    let dir = std::env::temp_dir().join(format!("ct-import-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("xi-blinken.txt"), FIXTURE).unwrap();
    std::fs::write(dir.join("xi-blinken.html"), fixture_as_html()).unwrap();
    std::fs::write(dir.join("again.txt"), FIXTURE).unwrap();
    std::fs::write(dir.join("short.txt"), "The unemployment rate fell to 3.5% in March, the lowest in 50 years, the Labor Department said.").unwrap();
    std::fs::write(dir.join("notes.pdf"), "%PDF-1.4").unwrap();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_claimtracker"))
        .arg("import")
        .args(&files)
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "one file failed, so the command fails"
    );
    assert!(stderr.contains("notes.pdf"), "{stderr}");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("created ")).count(),
        2,
        "{stdout}"
    );
    // The fixture as .txt twice: one created, one duplicate; the HTML version may clean to the
    // same body (duplicate) or not, but is never an error.
    assert!(
        stdout
            .lines()
            .filter(|l| l.starts_with("duplicate "))
            .count()
            >= 1,
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 4, "{stdout}");
    use diesel::prelude::*;
    let articles: i64 = claimtracker::schema::articles::table
        .count()
        .get_result(&mut db.conn())
        .unwrap();
    assert_eq!(
        articles as usize,
        stdout.lines().filter(|l| l.starts_with("created ")).count()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- pages ----

/// A multipart form with the session's CSRF token.
async fn multipart_article(
    app: &TestApp,
    fields: &[(&str, &str)],
    file: Option<(&str, &str)>,
) -> reqwest::Response {
    let token = app.csrf_of(&app.client, "/articles/new").await;
    let mut form = reqwest::multipart::Form::new().text("csrf_token", token);
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, content)) = file {
        form = form.part(
            "file",
            reqwest::multipart::Part::text(content.to_string()).file_name(name.to_string()),
        );
    }
    app.client
        .post(app.url("/articles"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn an_editor_pastes_an_article_and_sees_its_claims_highlighted() {
    let app = TestApp::spawn().await;
    app.signed_in("editor").await;
    let res = multipart_article(
        &app,
        &[
            ("title", "Xi <b>tells</b> Blinken"),
            ("format", "text"),
            ("content", FIXTURE),
        ],
        None,
    )
    .await;
    assert_eq!(res.status(), 303);
    let path = location(&res);
    assert!(path.starts_with("/articles/"), "{path}");
    let page = app.get(&path).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("candidate claim"),
        "the flash says what happened"
    );
    assert!(
        html.contains("<mark class=\"status-candidate\""),
        "claims are highlighted"
    );
    assert!(
        html.contains("Xi &#60;b&#62;tells&#60;/b&#62; Blinken") && !html.contains("<b>tells"),
        "the title is escaped"
    );
    assert!(!html.contains("Share to Whatsapp"));
    assert!(html.contains("Candidates to triage"));
    assert_eq!(
        app.audit_actions()
            .iter()
            .filter(|a| *a == "article.ingested")
            .count(),
        1
    );

    // The list shows it with its counts.
    let list = app.get("/articles").await.text().await.unwrap();
    assert!(list.contains("Xi &#60;b&#62;tells&#60;/b&#62; Blinken"));
    assert!(list.contains("candidate"));
}

#[tokio::test]
async fn an_uploaded_html_file_is_ingested() {
    let app = TestApp::spawn().await;
    app.signed_in("admin").await;
    let res = multipart_article(
        &app,
        &[("title", "Uploaded")],
        Some(("page.html", &fixture_as_html())),
    )
    .await;
    assert_eq!(res.status(), 303);
    let html = app.get(&location(&res)).await.text().await.unwrap();
    assert!(html.contains("The economy in China is not in great shape"));
    assert!(!html.contains("do-not-index-this-script"));
}

#[tokio::test]
async fn a_bad_article_form_comes_back_with_the_input_kept() {
    let app = TestApp::spawn().await;
    app.signed_in("editor").await;
    let res = multipart_article(
        &app,
        &[
            ("title", ""),
            ("url", "not a url"),
            ("content", "Kept text of mine."),
        ],
        None,
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Kept text of mine."), "the input is kept");
    assert!(html.contains("is required"), "the title's error is shown");
    assert_eq!(count(&app, "articles"), 0);
}

#[tokio::test]
async fn viewers_and_reviewers_cannot_add_articles() {
    let app = TestApp::spawn().await;
    app.signed_in("reviewer").await;
    assert_eq!(app.get("/articles/new").await.status(), 403);
    let res = multipart_article_without_page(&app).await;
    assert_eq!(res.status(), 403);
    assert_eq!(count(&app, "articles"), 0);
    assert_eq!(
        app.get("/articles").await.status(),
        200,
        "but they read the list"
    );
}

/// A POST to /articles with a valid CSRF token taken from another page.
async fn multipart_article_without_page(app: &TestApp) -> reqwest::Response {
    let token = app.csrf_of(&app.client, "/articles").await;
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .text("title", "t")
        .text("content", "The rate fell to 3.5% in March.");
    app.client
        .post(app.url("/articles"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn triage_and_manual_claims_work_from_the_article_page() {
    let app = TestApp::spawn().await;
    let (email, _) = app.signed_in("editor").await;
    let token = app.token_for(&email).await;
    let body = ingest_fixture(&app, &token).await;
    let article = body["article"]["id"].as_i64().unwrap();
    let first = &body["claims"][0];
    let id = first["id"].as_i64().unwrap();

    let res = app
        .post_form(
            &format!("/claims/{id}/triage"),
            &[
                ("version", "1"),
                ("decision", "accept"),
                ("text", first["text"].as_str().unwrap()),
                ("speaker", "Xi Jinping"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/articles/{article}#claim-{id}"));
    let claim: Value = app
        .client
        .get(app.url(&format!("/api/v1/claims/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(claim["status"], "open");

    // The same form again is stale: back to the page with the conflict explained.
    let stale = app
        .post_form(
            &format!("/claims/{id}/triage"),
            &[("version", "1"), ("decision", "accept")],
        )
        .await;
    assert_eq!(stale.status(), 303);
    let page = app.get(&location(&stale)).await.text().await.unwrap();
    assert!(
        page.contains("changed by someone else"),
        "the conflict is explained"
    );

    // A manual claim from typed words, without script.
    let res = app
        .post_form(
            &format!("/articles/{article}/claims"),
            &[
                ("exact", "7 1/2 hours of talks"),
                ("speaker", ""),
                ("kind", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, _, _, after) = app.last_event("claim.created").unwrap();
    let after = after.unwrap();
    assert_eq!(after["quote"]["exact"], "7 1/2 hours of talks");
    assert_eq!(after["status"], "open");

    // From a selection's offsets, as the script sends them.
    let text = body["article"]["body_text"].as_str().unwrap();
    let phrase = "lowest point in decades";
    let start = text[..text.find(phrase).unwrap()].chars().count();
    let res = app
        .post_form(
            &format!("/articles/{article}/claims"),
            &[
                ("start", &start.to_string()),
                ("end", &(start + phrase.chars().count()).to_string()),
                ("exact", phrase),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, _, _, after) = app.last_event("claim.created").unwrap();
    assert_eq!(after.unwrap()["quote"]["exact"], phrase);

    // Words that are not in the article come back with a message.
    let res = app
        .post_form(
            &format!("/articles/{article}/claims"),
            &[("exact", "words never written")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("not in the article"));
}
