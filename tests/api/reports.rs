//! Issue 8: audit reports (CSV, JSON, printable HTML) against the history, their filters, the
//! chain head they carry, formula neutralisation, permissions, the export's own event, the desk
//! summary page, and ClaimReview.

use diesel::prelude::*;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::helpers::TestApp;

// ---- a tiny RFC 4180 reader, independent of the writer under test ----

/// Parses CSV text into records of cells: quoted cells may hold `,`, CR/LF and doubled quotes;
/// records end with CRLF (or LF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = vec![];
    let mut record = vec![];
    let mut cell = String::new();
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    let mut at_cell_start = true;
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cell.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                cell.push(c);
            }
            continue;
        }
        match c {
            '"' if at_cell_start => {
                in_quotes = true;
                at_cell_start = false;
            }
            ',' => {
                record.push(std::mem::take(&mut cell));
                at_cell_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
                at_cell_start = true;
            }
            other => {
                assert!(other != '"', "a bare quote inside an unquoted cell");
                cell.push(other);
                at_cell_start = false;
            }
        }
    }
    assert!(!in_quotes, "unterminated quoted cell");
    if !cell.is_empty() || !record.is_empty() {
        record.push(cell);
        records.push(record);
    }
    records
}

fn formula_start(s: &str) -> bool {
    matches!(s.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r'))
}

/// What a cell must read as after the export: the original, with `'` in front of a formula.
fn neutralised(s: &str) -> String {
    if formula_start(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever users and feeds put in names, titles and notes, the CSV reads back as exactly
    /// the original strings (neutralised), one record per row, and no cell starts a formula.
    #[test]
    fn csv_round_trips_and_never_starts_a_formula(
        rows in proptest::collection::vec(
            proptest::collection::vec(
                prop_oneof![
                    any::<String>(),
                    "[=+\\-@\t\r,\"\n a-z]{0,12}",
                    "(=|\\+|-|@)[A-Z]{1,4}\\([0-9,]{0,6}\\)",
                ],
                10,
            ),
            0..8,
        )
    ) {
        let mut out = String::new();
        for row in &rows {
            claimtracker::reports::model::write_csv_record(&mut out, row);
        }
        let parsed = parse_csv(&out);
        prop_assert_eq!(parsed.len(), rows.len());
        for (got, want) in parsed.iter().zip(&rows) {
            let want: Vec<String> = want.iter().map(|s| neutralised(s)).collect();
            prop_assert_eq!(got, &want);
            for cell in got {
                prop_assert!(!formula_start(cell), "cell {:?} starts a formula", cell);
            }
        }
    }
}

// ---- arrangement ----

async fn user_with_token(app: &TestApp, role: &str) -> (String, String) {
    let (email, _) = app.create_user(role).await;
    let token = app.token_for(&email).await;
    (email, token)
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

async fn get_with(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    // A client without cookies, so only the token counts.
    reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

const ARTICLE: &str = "Officials met in Singapore on Tuesday. \"Exports rose 12% to a record $3.5 trillion last year,\" said Wang Yi, the Chinese foreign minister. The State Department said the talks were the most senior in five years.";

/// Ingests an article through the API (a hostile title, to exercise neutralisation); returns
/// (article id, its claims as JSON).
async fn ingest(app: &TestApp, token: &str, title: &str) -> (i64, Vec<Value>) {
    let res = post_json(
        app,
        token,
        "/api/v1/articles",
        json!({
            "title": title,
            "url": "https://news.example.org/2026/11/singapore-talks",
            "publisher": "Example News",
            "published_at": "2026-11-24T08:00:00Z",
            "text": format!("{ARTICLE} {}", uuid::Uuid::new_v4()),
        }),
    )
    .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let body: Value = res.json().await.unwrap();
    let id = body["article"]["id"].as_i64().unwrap();
    let claims = body["claims"].as_array().unwrap().clone();
    assert!(!claims.is_empty(), "the article yields claims");
    (id, claims)
}

/// Takes a candidate through accept → assign → evidence → verdict; returns the claim id.
async fn decide(
    app: &TestApp,
    editor: &str,
    reviewer_email: &str,
    claim_id: i64,
    verdict: &str,
) -> i64 {
    let res = post_json(
        app,
        editor,
        &format!("/api/v1/claims/{claim_id}/triage"),
        json!({"version": 1, "decision": "accept"}),
    )
    .await;
    assert_eq!(res.status(), 200, "accept: {}", res.text().await.unwrap());
    let v = res.json::<Value>().await.unwrap()["version"]
        .as_i64()
        .unwrap();
    let res = post_json(
        app,
        editor,
        &format!("/api/v1/claims/{claim_id}/assign"),
        json!({"version": v, "assignee": reviewer_email, "due_at": "2026-12-01T12:00:00Z"}),
    )
    .await;
    assert_eq!(res.status(), 200, "assign: {}", res.text().await.unwrap());
    let v = res.json::<Value>().await.unwrap()["version"]
        .as_i64()
        .unwrap();
    let res = post_json(
        app,
        editor,
        &format!("/api/v1/claims/{claim_id}/evidence"),
        json!({"url": "https://stats.example.org/trade", "note": "=HYPERLINK(\"http://evil\") official figures", "stance": "supports"}),
    )
    .await;
    assert_eq!(res.status(), 201, "evidence: {}", res.text().await.unwrap());
    let res = post_json(
        app,
        editor,
        &format!("/api/v1/claims/{claim_id}/verdict"),
        json!({"version": v, "verdict": verdict, "rationale": "Customs data for 2025 match the figure."}),
    )
    .await;
    assert_eq!(res.status(), 200, "verdict: {}", res.text().await.unwrap());
    claim_id
}

/// A history with users, tokens, an article with claims, and one decided claim.
struct World {
    app: TestApp,
    viewer: String,
    viewer_token: String,
    editor_token: String,
    reviewer: String,
    article_id: i64,
    decided_claim: i64,
    undecided_claim: i64,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let (viewer, viewer_token) = user_with_token(&app, "viewer").await;
    let (_, editor_token) = user_with_token(&app, "editor").await;
    let (reviewer, _) = user_with_token(&app, "reviewer").await;
    let (article_id, claims) =
        ingest(&app, &editor_token, "=cmd|' /C calc'!A0 Singapore talks").await;
    let first = claims[0]["id"].as_i64().unwrap();
    let decided_claim = decide(&app, &editor_token, &reviewer, first, "verified").await;
    let undecided_claim = claims.last().unwrap()["id"].as_i64().unwrap();
    assert_ne!(decided_claim, undecided_claim);
    World {
        app,
        viewer,
        viewer_token,
        editor_token,
        reviewer,
        article_id,
        decided_claim,
        undecided_claim,
    }
}

/// Every event as the report should show it, straight from the tables: (seq, time, actor name,
/// actor email, action, article title, claim text, before, after, hash).
type Expected = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn history(app: &TestApp) -> Vec<Expected> {
    use claimtracker::schema::{articles, audit_events as e, claims, users};
    let mut conn = app.db.conn();
    type Joined = (
        claimtracker::audit::model::AuditEventRow,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Joined> = e::table
        .left_join(users::table)
        .left_join(articles::table)
        .left_join(claims::table)
        .order(e::seq.asc())
        .select((
            claimtracker::audit::model::AuditEventRow::as_select(),
            users::name.nullable(),
            users::email.nullable(),
            articles::title.nullable(),
            claims::text.nullable(),
        ))
        .load(&mut conn)
        .unwrap();
    rows.into_iter()
        .map(|(ev, name, email, title, text)| {
            (
                ev.seq,
                claimtracker::audit::canonical::format_time(&ev.occurred_at),
                name.unwrap_or(ev.actor_display),
                email.unwrap_or_default(),
                ev.action,
                title.unwrap_or_default(),
                text.unwrap_or_default(),
                ev.before.map(|v| v.to_string()).unwrap_or_default(),
                ev.after.map(|v| v.to_string()).unwrap_or_default(),
                ev.hash,
            )
        })
        .collect()
}

fn head(app: &TestApp) -> (i64, String) {
    use claimtracker::schema::audit_chain_head as h;
    h::table
        .select((h::seq, h::hash))
        .first(&mut app.db.conn())
        .unwrap()
}

fn expected_cells(e: &Expected) -> Vec<String> {
    [
        e.0.to_string(),
        e.1.clone(),
        e.2.clone(),
        e.3.clone(),
        e.4.clone(),
        e.5.clone(),
        e.6.clone(),
        e.7.clone(),
        e.8.clone(),
        e.9.clone(),
    ]
    .iter()
    .map(|s| neutralised(s))
    .collect()
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

/// The seqs of a CSV report, header checked.
fn csv_seqs(text: &str) -> Vec<i64> {
    let records = parse_csv(text);
    assert_eq!(records[0][0], "seq");
    records[1..].iter().map(|r| r[0].parse().unwrap()).collect()
}

async fn csv(app: &TestApp, token: &str, query: &str) -> (reqwest::StatusCode, String) {
    let res = get_with(app, token, &format!("/reports/audit.csv{query}")).await;
    let status = res.status();
    (status, res.text().await.unwrap())
}

// ---- the formats against the history ----

#[tokio::test]
async fn csv_has_every_event_up_to_the_head_with_names_in_seq_order() {
    let w = world().await;
    let before = history(&w.app);
    let (head_seq, head_hash) = head(&w.app);
    assert_eq!(before.last().unwrap().0, head_seq);

    let res = get_with(&w.app, &w.viewer_token, "/reports/audit.csv").await;

    assert_eq!(res.status(), 200);
    assert!(header(&res, "content-type").starts_with("text/csv"));
    assert_eq!(
        header(&res, "x-audit-chain-head"),
        format!("{head_seq} {head_hash}")
    );
    let disposition = header(&res, "content-disposition").to_string();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let today = chrono::Utc::now().format("%Y-%m-%d");
    assert!(
        disposition.contains(&format!("claimtracker-audit-{today}-head-{head_seq}.csv")),
        "{disposition}"
    );
    let text = res.text().await.unwrap();
    let records = parse_csv(&text);
    assert_eq!(
        records[0],
        [
            "seq",
            "time",
            "actor_name",
            "actor_email",
            "action",
            "article_title",
            "claim_text",
            "before",
            "after",
            "hash"
        ]
    );
    let rows = &records[1..];
    assert_eq!(rows.len(), before.len(), "one row per event");
    for (got, want) in rows.iter().zip(&before) {
        let want = expected_cells(want);
        assert_eq!(got[..7], want[..7]);
        assert_eq!(got[9], want[9]);
        // before/after are exported as PostgreSQL prints the jsonb: the same JSON, its own spacing.
        for i in [7, 8] {
            let json = |cell: &str| {
                (!cell.is_empty()).then(|| serde_json::from_str::<Value>(cell).unwrap())
            };
            assert_eq!(json(&got[i]), json(&want[i]), "seq {}: column {i}", want[0]);
        }
    }
    // The history has the interesting rows: names, titles, claims, and the hostile ones.
    let title_cells: Vec<&String> = rows
        .iter()
        .map(|r| &r[5])
        .filter(|t| !t.is_empty())
        .collect();
    assert!(
        title_cells.iter().all(|t| t.starts_with("'=cmd")),
        "{title_cells:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r[4] == "claim.verdict" && r[6].contains("12%"))
    );
    assert!(
        rows.iter()
            .any(|r| r[4] == "evidence.added" && r[8].contains("HYPERLINK"))
    );
    for cell in rows.iter().flatten() {
        assert!(!formula_start(cell), "{cell:?}");
    }
}

#[tokio::test]
async fn json_carries_the_head_the_filters_and_the_same_rows() {
    let w = world().await;
    let before = history(&w.app);
    let (head_seq, head_hash) = head(&w.app);

    let res = get_with(
        &w.app,
        &w.viewer_token,
        "/reports/audit.json?status=verified",
    )
    .await;

    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "x-audit-chain-head"),
        format!("{head_seq} {head_hash}")
    );
    assert!(header(&res, "content-disposition").contains(&format!("head-{head_seq}.json")));
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["chain_head"],
        json!({"seq": head_seq, "hash": head_hash})
    );
    assert_eq!(body["filters"], json!({"status": "verified"}));
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(body["row_count"].as_u64().unwrap() as usize, rows.len());
    let decided_text = {
        use claimtracker::schema::claims;
        claims::table
            .find(w.decided_claim)
            .select(claims::text)
            .first::<String>(&mut w.app.db.conn())
            .unwrap()
    };
    let want: Vec<&Expected> = before.iter().filter(|e| e.6 == decided_text).collect();
    assert!(
        want.len() >= 5,
        "created, accepted, assigned, evidence, verdict"
    );
    assert_eq!(rows.len(), want.len());
    for (got, want) in rows.iter().zip(want) {
        assert_eq!(got["seq"], want.0);
        assert_eq!(got["time"], want.1);
        assert_eq!(got["actor"]["name"], want.2);
        assert_eq!(got["actor"]["email"], want.3);
        assert_eq!(got["action"], want.4);
        assert_eq!(
            got["article_title"], want.5,
            "JSON keeps strings as they are"
        );
        assert_eq!(got["claim_text"], want.6);
        assert_eq!(
            got["before"].to_string(),
            if want.7.is_empty() {
                "null".into()
            } else {
                want.7.clone()
            }
        );
        assert_eq!(
            got["after"].to_string(),
            if want.8.is_empty() {
                "null".into()
            } else {
                want.8.clone()
            }
        );
        assert_eq!(got["hash"], want.9);
    }
}

#[tokio::test]
async fn the_printable_page_has_a_header_with_filters_time_and_head_and_every_row() {
    let w = world().await;
    // A browser with a session, not a token.
    w.app.signed_in("viewer").await;
    let before = history(&w.app);
    let (head_seq, head_hash) = head(&w.app);

    let res = w
        .app
        .get(&format!("/reports/audit.html?article={}", w.article_id))
        .await;

    assert_eq!(res.status(), 200);
    assert!(header(&res, "content-type").starts_with("text/html"));
    assert_eq!(
        header(&res, "x-audit-chain-head"),
        format!("{head_seq} {head_hash}")
    );
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("<span id=\"chain-head-seq\">{head_seq}</span>")));
    assert!(html.contains(&format!("<code id=\"chain-head-hash\">{head_hash}</code>")));
    assert!(
        html.contains(&format!("article {}", w.article_id)),
        "the filters are printed"
    );
    assert!(html.contains("<dt>Generated</dt>"));
    assert!(html.contains("/static/app.css"), "print styles");
    let want: Vec<&Expected> = before.iter().filter(|e| !e.5.is_empty()).collect();
    assert!(html.contains(&format!("<dd id=\"row-count\">{}</dd>", want.len())));
    for e in &want {
        assert!(
            html.contains(&format!("<tr id=\"e{}\">", e.0)),
            "row {}",
            e.0
        );
        assert!(html.contains(&e.9));
    }
    assert_eq!(html.matches("<tr id=\"e").count(), want.len());
    assert!(
        html.contains("=cmd|&#39; /C calc&#39;!A0")
            || html.contains("=cmd|&#x27; /C calc&#x27;!A0"),
        "titles are escaped, not neutralised"
    );
}

// ---- filters ----

#[tokio::test]
async fn each_filter_selects_the_events_it_names() {
    let w = world().await;
    let all = history(&w.app);
    let token = &w.viewer_token;
    let reviewer_events: Vec<i64> = {
        // Events of claims assigned to the reviewer now.
        use claimtracker::schema::{audit_events as e, claims};
        let reviewer_id = w.app.user_id(&w.reviewer);
        e::table
            .inner_join(claims::table)
            .filter(claims::assignee_id.eq(reviewer_id))
            .order(e::seq.asc())
            .select(e::seq)
            .load(&mut w.app.db.conn())
            .unwrap()
    };
    let seqs_where = |f: &dyn Fn(&Expected) -> bool| -> Vec<i64> {
        all.iter().filter(|e| f(e)).map(|e| e.0).collect()
    };

    let (s, text) = csv(&w.app, token, "?action=claim.created").await;
    assert_eq!(s, 200);
    let got = csv_seqs(&text);
    assert!(got.len() >= 2);
    assert_eq!(got, seqs_where(&|e| e.4 == "claim.created"));

    let (_, text) = csv(&w.app, token, &format!("?article={}", w.article_id)).await;
    assert_eq!(csv_seqs(&text), seqs_where(&|e| !e.5.is_empty()));

    let (_, text) = csv(
        &w.app,
        token,
        &format!("?assignee={}", w.reviewer.to_uppercase()),
    )
    .await;
    assert_eq!(csv_seqs(&text), reviewer_events);

    let (_, text) = csv(&w.app, token, "?status=candidate").await;
    let candidates = csv_seqs(&text);
    assert!(!candidates.is_empty());
    assert!(!candidates.iter().any(|s| reviewer_events.contains(s)));

    // Dates: everything happened today; yesterday has nothing; RFC 3339 works too.
    let today = chrono::Utc::now().date_naive();
    let yesterday = today.pred_opt().unwrap();
    // (Each export adds its own event, so compare with the history as it is at each request.)
    let now = history(&w.app);
    let (_, text) = csv(&w.app, token, &format!("?from={today}&to={today}")).await;
    assert_eq!(csv_seqs(&text), now.iter().map(|e| e.0).collect::<Vec<_>>());
    let (_, text) = csv(&w.app, token, &format!("?to={yesterday}")).await;
    assert!(csv_seqs(&text).is_empty());
    let now = history(&w.app);
    let middle = &all[all.len() / 2];
    let (_, text) = csv(&w.app, token, &format!("?from={}", urlencode(&middle.1))).await;
    let want: Vec<i64> = now
        .iter()
        .filter(|e| e.1 >= middle.1)
        .map(|e| e.0)
        .collect();
    assert_eq!(csv_seqs(&text), want);

    // Filters combine.
    let (_, text) = csv(
        &w.app,
        token,
        &format!("?article={}&action=claim.verdict", w.article_id),
    )
    .await;
    assert_eq!(csv_seqs(&text), seqs_where(&|e| e.4 == "claim.verdict"));
    let _ = (&w.editor_token, w.undecided_claim);
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).unwrap()[2..].to_string()
}

#[tokio::test]
async fn a_bad_filter_is_refused_by_name_and_exports_nothing() {
    let app = TestApp::spawn().await;
    let (_, token) = user_with_token(&app, "reviewer").await;
    for (query, field) in [
        ("from=last-tuesday", "from"),
        ("to=2026-02-30", "to"),
        ("article=abc", "article"),
        ("assignee=not-an-email", "assignee"),
        ("assignee=nobody@example.org", "assignee"),
        ("status=finished", "status"),
        ("action=claim.deleted", "action"),
        ("format=xlsx", "format"),
        ("from=2026-11-29&to=2026-11-01", "to"),
    ] {
        for ext in ["csv", "json", "html"] {
            let res = get_with(&app, &token, &format!("/reports/audit.{ext}?{query}")).await;
            assert_eq!(res.status(), 422, "{ext}?{query}");
            if ext != "html" {
                let body: Value = res.json().await.unwrap();
                assert_eq!(body["error"]["field"], field, "{query}: {body}");
            } else {
                assert!(res.text().await.unwrap().contains(field), "{query}");
            }
        }
    }
    assert!(app.last_event("report.exported").is_none());
}

// ---- head, the export's own event, verification ----

#[tokio::test]
async fn the_export_is_recorded_after_the_head_it_names_and_the_chain_still_verifies() {
    let w = world().await;
    let (head_seq, head_hash) = head(&w.app);

    let res = get_with(
        &w.app,
        &w.viewer_token,
        "/reports/audit.csv?action=claim.created",
    )
    .await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let rows = csv_seqs(&text).len() as i64;

    let all = history(&w.app);
    let last = all.last().unwrap();
    assert_eq!(last.0, head_seq + 1);
    assert_eq!(last.4, "report.exported");
    assert_eq!(last.3, w.viewer, "the viewer exported");
    let (actor, _, _, after) = w.app.last_event("report.exported").unwrap();
    assert_eq!(actor, "token");
    assert_eq!(
        after.unwrap(),
        json!({
            "format": "csv",
            "filters": {"action": "claim.created"},
            "rows": rows,
            "head": {"seq": head_seq, "hash": head_hash},
        })
    );
    // The head the report named is the hash of its last event, and the chain verifies.
    assert_eq!(all[(head_seq - 1) as usize].9, head_hash);
    let res = get_with(&w.app, &w.viewer_token, "/api/v1/audit/verify").await;
    let verify: Value = res.json().await.unwrap();
    assert_eq!(verify["ok"], true, "{verify}");
    assert_eq!(verify["events"], head_seq + 1);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_claimtracker"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &w.app.db.url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("{} events", head_seq + 1)),
        "{stdout}"
    );

    // A second report includes the first one's event, and names the new head.
    let res = get_with(
        &w.app,
        &w.viewer_token,
        "/reports/audit.json?action=report.exported",
    )
    .await;
    assert_eq!(
        header(&res, "x-audit-chain-head")
            .split(' ')
            .next()
            .unwrap(),
        (head_seq + 1).to_string()
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["rows"].as_array().unwrap().len(), 1);
    assert_eq!(body["rows"][0]["seq"], head_seq + 1);
}

#[tokio::test]
async fn a_large_history_streams_in_pages_with_nothing_lost_or_repeated() {
    let app = TestApp::spawn().await;
    let (_, token) = user_with_token(&app, "viewer").await;
    // More than two pages of events, appended the way services do.
    let mut conn = app.db.conn();
    let n = 2 * claimtracker::reports::service::PAGE_ROWS as usize + 7;
    let events: Vec<_> = (0..n)
        .map(|i| claimtracker::audit::Event::report_exported(json!({"i": i, "note": "-1+1"})))
        .collect();
    for chunk in events.chunks(5000) {
        conn.transaction(|c| {
            claimtracker::audit::service::append(
                c,
                &claimtracker::audit::AuditContext::system(),
                chunk.to_vec(),
            )
        })
        .unwrap();
    }
    let (head_seq, _) = head(&app);

    let (status, text) = csv(&app, &token, "").await;

    assert_eq!(status, 200);
    let seqs = csv_seqs(&text);
    assert_eq!(seqs, (1..=head_seq).collect::<Vec<_>>());
    let res = get_with(&app, &token, "/reports/audit.json").await;
    let body: Value = res.json().await.unwrap();
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(
        rows.len() as i64,
        head_seq + 1,
        "the CSV export is in this one"
    );
    assert!(
        rows.windows(2)
            .all(|w| w[0]["seq"].as_i64() < w[1]["seq"].as_i64())
    );
}

// ---- permissions ----

#[tokio::test]
async fn strangers_get_nothing_and_every_role_may_export() {
    let app = TestApp::spawn().await;
    for ext in ["csv", "json"] {
        let res = app.get(&format!("/reports/audit.{ext}")).await;
        assert_eq!(res.status(), 401, "{ext}");
        let res = get_with(&app, "not-a-token", &format!("/reports/audit.{ext}")).await;
        assert_eq!(res.status(), 401, "{ext} with a bad token");
    }
    let res = app.get("/reports/audit.html").await;
    assert_eq!(res.status(), 303);
    assert!(header(&res, "location").starts_with("/login"));
    let res = app.get("/reports").await;
    assert_eq!(res.status(), 303);
    assert!(
        app.last_event("report.exported").is_none(),
        "strangers leave no export"
    );

    for role in ["viewer", "reviewer", "editor", "admin"] {
        let (_, token) = user_with_token(&app, role).await;
        let res = get_with(&app, &token, "/reports/audit.csv").await;
        assert_eq!(res.status(), 200, "{role} by token");
    }
    // Viewers and reviewers by session too.
    for role in ["viewer", "reviewer"] {
        let client = crate::helpers::client();
        let (email, password) = app.create_user(role).await;
        assert_eq!(
            app.login_with(&client, &email, &password).await.status(),
            303
        );
        for path in [
            "/reports",
            "/reports/audit.csv",
            "/reports/audit.json",
            "/reports/audit.html",
        ] {
            let res = client.get(app.url(path)).send().await.unwrap();
            assert_eq!(res.status(), 200, "{role} {path}");
        }
    }
}

// ---- the page ----

#[tokio::test]
async fn the_reports_page_shows_the_desk_summary_with_svg_charts_and_the_export_form() {
    let w = world().await;
    w.app.signed_in("viewer").await;

    let res = w.app.get("/reports").await;

    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    for needle in [
        "formaction=\"/reports/audit.csv\"",
        "formaction=\"/reports/audit.json\"",
        "formaction=\"/reports/audit.html\"",
        "name=\"from\"",
        "name=\"to\"",
        "name=\"article\"",
        "name=\"assignee\"",
        "name=\"status\"",
        "name=\"action\"",
        "<svg class=\"chart\"",
        "Verdicts per reviewer",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    assert!(!html.contains("<script>"), "no inline script");
    assert!(!html.contains("style=\""), "no inline style (CSP)");
    // One verified claim, decided by the editor (the editor gave the verdict), none overdue yet
    // (due 2026-12-01) unless the clock says otherwise.
    assert!(
        html.contains("<th scope=\"row\">verified</th><td>1</td>"),
        "status table"
    );
    assert!(
        html.contains("<td>1</td><td>0</td>"),
        "verdicts per reviewer"
    );
    assert!(html.contains("Median from assignment to verdict, over 1 verdicts"));

    let res = w.app.get("/reports?from=whenever").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Check the from filter"));
}

// ---- ClaimReview ----

#[tokio::test]
async fn claimreview_has_googles_required_and_recommended_fields() {
    let w = world().await;

    let res = get_with(
        &w.app,
        &w.viewer_token,
        &format!("/api/v1/claims/{}/claimreview", w.decided_claim),
    )
    .await;

    assert_eq!(res.status(), 200);
    assert!(header(&res, "content-type").starts_with("application/ld+json"));
    let r: Value = res.json().await.unwrap();
    assert_eq!(r["@context"], "https://schema.org");
    assert_eq!(r["@type"], "ClaimReview");
    // Required: claimReviewed, reviewRating (alternateName), url.
    let text: String = {
        use claimtracker::schema::claims;
        claims::table
            .find(w.decided_claim)
            .select(claims::text)
            .first(&mut w.app.db.conn())
            .unwrap()
    };
    assert_eq!(r["claimReviewed"], text);
    let rating = &r["reviewRating"];
    assert_eq!(rating["@type"], "Rating");
    assert_eq!(rating["alternateName"], "Verified: accurate");
    assert_eq!(rating["ratingValue"], 5);
    assert_eq!(rating["bestRating"], 5);
    assert_eq!(rating["worstRating"], 1);
    assert!(rating["name"].is_string());
    let url = r["url"].as_str().unwrap();
    assert_eq!(url, w.app.url(&format!("/claims/{}", w.decided_claim)));
    // Recommended: author, datePublished, itemReviewed (Claim with author, datePublished,
    // appearance, firstAppearance).
    assert_eq!(r["author"]["@type"], "Organization");
    assert_eq!(r["author"]["name"], "claimtracker newsroom");
    assert!(chrono::DateTime::parse_from_rfc3339(r["datePublished"].as_str().unwrap()).is_ok());
    let item = &r["itemReviewed"];
    assert_eq!(item["@type"], "Claim");
    assert_eq!(item["datePublished"], "2026-11-24T08:00:00Z");
    assert!(["Person", "Organization"].contains(&item["author"]["@type"].as_str().unwrap()));
    assert!(
        item["author"]["name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    for key in ["appearance", "firstAppearance"] {
        assert_eq!(item[key]["@type"], "CreativeWork");
        assert_eq!(
            item[key]["url"],
            "https://news.example.org/2026/11/singapore-talks"
        );
    }
    assert_eq!(r["reviewBody"], "Customs data for 2025 match the figure.");
}

#[tokio::test]
async fn claimreview_is_404_for_no_claim_409_without_a_verdict_and_needs_a_token() {
    let w = world().await;
    let path = |id: i64| format!("/api/v1/claims/{id}/claimreview");
    let res = get_with(&w.app, &w.viewer_token, &path(999_999)).await;
    assert_eq!(res.status(), 404);
    let res = get_with(&w.app, &w.viewer_token, &path(w.undecided_claim)).await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "no_verdict");
    let res = w
        .app
        .get(&format!("/api/v1/claims/{}/claimreview", w.decided_claim))
        .await;
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn claimreview_names_speakers_as_people_or_organisations_and_uses_public_url() {
    let db = crate::helpers::TestDb::new();
    let mut config = crate::helpers::test_config(&db);
    config.public_url = Some("https://factcheck.example.org".into());
    config.organization_name = "Example Fact Desk".into();
    config.organization_url = Some("https://factcheck.example.org/about".into());
    let app = TestApp::spawn_with(db, config).await;
    let (_, editor) = user_with_token(&app, "editor").await;
    let (reviewer, _) = user_with_token(&app, "reviewer").await;
    let (_, claims) = ingest(&app, &editor, "Singapore talks").await;
    let mut kinds = vec![];
    for c in &claims {
        let id = c["id"].as_i64().unwrap();
        decide(&app, &editor, &reviewer, id, "disputed").await;
        let r: Value = get_with(&app, &editor, &format!("/api/v1/claims/{id}/claimreview"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            r["url"],
            format!("https://factcheck.example.org/claims/{id}")
        );
        assert_eq!(
            r["author"],
            json!({"@type": "Organization", "name": "Example Fact Desk", "url": "https://factcheck.example.org/about"})
        );
        assert_eq!(r["reviewRating"]["ratingValue"], 1);
        assert_eq!(
            r["reviewRating"]["alternateName"],
            "Disputed: inaccurate or misleading"
        );
        let author = &r["itemReviewed"]["author"];
        kinds.push((
            c["speaker"].clone(),
            author["@type"].clone(),
            author["name"].clone(),
        ));
    }
    for (speaker, kind, name) in &kinds {
        match speaker.as_str() {
            Some("Wang Yi") => {
                assert_eq!(kind, "Person");
                assert_eq!(name, "Wang Yi");
            }
            Some(s) if s.contains("State Department") => assert_eq!(kind, "Organization"),
            Some(s) => assert_eq!(name, s),
            // The article's own voice: its publisher.
            None => {
                assert_eq!(kind, "Organization");
                assert_eq!(name, "Example News");
            }
        }
    }
    assert!(kinds.iter().any(|(_, k, _)| k == "Person"), "{kinds:?}");
}

#[tokio::test]
async fn the_claimreview_feed_pages_through_verdicts_since_a_time() {
    let app = TestApp::spawn().await;
    let (_, editor) = user_with_token(&app, "editor").await;
    let (reviewer, _) = user_with_token(&app, "reviewer").await;
    let (_, claims) = ingest(&app, &editor, "Singapore talks").await;
    let start = chrono::Utc::now() - chrono::Duration::seconds(1);
    let mut decided = vec![];
    for c in &claims {
        decided.push(
            decide(
                &app,
                &editor,
                &reviewer,
                c["id"].as_i64().unwrap(),
                "verified",
            )
            .await,
        );
    }
    let since = urlencode(&start.to_rfc3339());

    let mut seen = vec![];
    let mut cursor = String::new();
    loop {
        let res = get_with(
            &app,
            &editor,
            &format!("/api/v1/claimreviews?since={since}&limit=1&cursor={cursor}"),
        )
        .await;
        assert_eq!(res.status(), 200);
        let page: Value = res.json().await.unwrap();
        for item in page["items"].as_array().unwrap() {
            assert_eq!(item["@type"], "ClaimReview");
            seen.push(
                item["url"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .parse::<i64>()
                    .unwrap(),
            );
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, decided, "each verdict once, in decision order");

    let future = urlencode(&(chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339());
    let page: Value = get_with(
        &app,
        &editor,
        &format!("/api/v1/claimreviews?since={future}"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(page["items"], json!([]));
    for (q, field) in [
        ("since=soon", "since"),
        ("limit=0", "limit"),
        ("cursor=x", "cursor"),
        ("page=2", "page"),
    ] {
        let res = get_with(&app, &editor, &format!("/api/v1/claimreviews?{q}")).await;
        assert_eq!(res.status(), 422, "{q}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["field"], field);
    }
}
