//! Issue 7: the verification workflow (assign, take, evidence, comments, verdicts, reopen),
//! no lost updates, the claim list with search and keyset paging, the history, and the pages.

use diesel::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{TestApp, csrf_in};

const FIXTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/articles/xi-blinken-edge-singapore.txt"
));

/// An article with `n` claims in `status`, written straight to the database (arrangement, not
/// the subject of these tests); their ids in order. Scores repeat every 7 claims, and all rows
/// of one insert share `created_at`, so every sort key has ties.
fn seed_claims(app: &TestApp, n: usize, status: &str) -> Vec<i64> {
    use claimtracker::schema::{articles, claims};
    let mut conn = app.db.conn();
    let article_id: i64 = diesel::insert_into(articles::table)
        .values((
            articles::title.eq(format!("Seeded article {}", uuid::Uuid::new_v4())),
            articles::raw_text.eq("seeded"),
            articles::body_text.eq("seeded"),
            articles::content_hash.eq(uuid::Uuid::new_v4().to_string()),
        ))
        .returning(articles::id)
        .get_result(&mut conn)
        .unwrap();
    let rows: Vec<_> = (0..n)
        .map(|i| {
            let text = format!("Seeded claim number {i} says 3.5% more");
            (
                claims::article_id.eq(article_id),
                claims::text.eq(text.clone()),
                claims::quote_exact.eq(text.clone()),
                claims::quote_prefix.eq(""),
                claims::quote_suffix.eq(""),
                claims::quote_start.eq(0),
                claims::quote_end.eq(text.chars().count() as i32),
                claims::kind.eq("assertion"),
                claims::score.eq((i % 7) as f32 / 10.0),
                claims::origin.eq("extracted"),
                claims::status.eq(status),
            )
        })
        .collect();
    let mut ids = vec![];
    for chunk in rows.chunks(500) {
        let got: Vec<i64> = diesel::insert_into(claims::table)
            .values(chunk)
            .returning(claims::id)
            .get_results(&mut conn)
            .unwrap();
        ids.extend(got);
    }
    ids
}

fn seed_claim(app: &TestApp, status: &str) -> i64 {
    seed_claims(app, 1, status)[0]
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

async fn get_json(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// A user of `role` with a token: (email, token).
async fn user_with_token(app: &TestApp, role: &str) -> (String, String) {
    let (email, _) = app.create_user(role).await;
    let token = app.token_for(&email).await;
    (email, token)
}

async fn claim(app: &TestApp, token: &str, id: i64) -> Value {
    let res = get_json(app, token, &format!("/api/v1/claims/{id}")).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn assert_error(res: reqwest::Response, status: u16, code_or_field: &str) {
    assert_eq!(res.status(), status);
    let body: Value = res.json().await.unwrap();
    let err = &body["error"];
    assert!(
        err["field"] == code_or_field || err["code"] == code_or_field,
        "expected {code_or_field} in {body}"
    );
}

fn count_events(app: &TestApp, action: &str) -> i64 {
    use claimtracker::schema::audit_events as e;
    e::table
        .filter(e::action.eq(action))
        .count()
        .get_result(&mut app.db.conn())
        .unwrap()
}

async fn assign(
    app: &TestApp,
    token: &str,
    id: i64,
    version: i64,
    assignee: &str,
) -> reqwest::Response {
    post_json(
        app,
        token,
        &format!("/api/v1/claims/{id}/assign"),
        json!({"version": version, "assignee": assignee}),
    )
    .await
}

async fn add_evidence(app: &TestApp, token: &str, id: i64) -> reqwest::Response {
    post_json(
        app,
        token,
        &format!("/api/v1/claims/{id}/evidence"),
        json!({"url": "https://www.state.gov/transcript", "note": "The transcript has the quote", "stance": "supports"}),
    )
    .await
}

/// An in-review claim assigned to a new reviewer: (claim id, reviewer email, reviewer token,
/// editor token).
async fn claim_in_review(app: &TestApp) -> (i64, String, String, String) {
    let (_, editor) = user_with_token(app, "editor").await;
    let (reviewer, reviewer_token) = user_with_token(app, "reviewer").await;
    let id = seed_claim(app, "open");
    let res = assign(app, &editor, id, 1, &reviewer).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    (id, reviewer, reviewer_token, editor)
}

#[tokio::test]
async fn editors_assign_and_reassign_with_a_due_date_and_priority() {
    let app = TestApp::spawn().await;
    let (_, editor) = user_with_token(&app, "editor").await;
    let (ana, _) = user_with_token(&app, "reviewer").await;
    let (ben, _) = user_with_token(&app, "reviewer").await;
    let id = seed_claim(&app, "open");

    let res = post_json(
        &app,
        &editor,
        &format!("/api/v1/claims/{id}/assign"),
        json!({"version": 1, "assignee": ana, "due_at": "2030-01-02T10:00:00Z", "priority": "high"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["id"], id, "the answer is the claim itself");
    assert_eq!(body["status"], "in_review");
    assert_eq!(body["version"], 2);
    assert_eq!(body["assignee"]["email"], ana);
    assert_eq!(body["due_at"], "2030-01-02T10:00:00Z");
    assert_eq!(body["priority"], "high");
    let (actor, entity, before, after) = app.last_event("claim.assigned").unwrap();
    assert_eq!((actor.as_str(), entity), ("token", Some(id)));
    assert_eq!(before.unwrap()["status"], "open");
    let after = after.unwrap();
    assert_eq!(after["status"], "in_review");
    assert_eq!(after["assignee_id"], app.user_id(&ana));
    assert_eq!(after["priority"], "high");

    // Reassign: a new assignment row, the old one ended; due date and priority kept.
    let res = assign(&app, &editor, id, 2, &ben).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (body["assignee"]["email"].as_str(), body["version"].as_i64()),
        (Some(ben.as_str()), Some(3))
    );
    assert_eq!(body["due_at"], "2030-01-02T10:00:00Z");
    assert_eq!(count_events(&app, "claim.assigned"), 2);
    use claimtracker::schema::assignments as a;
    let rows: Vec<(i64, bool)> = a::table
        .filter(a::claim_id.eq(id))
        .order(a::id.asc())
        .select((a::assignee_id, a::ended_at.is_not_null()))
        .load(&mut app.db.conn())
        .unwrap();
    assert_eq!(
        rows,
        vec![(app.user_id(&ana), true), (app.user_id(&ben), false)]
    );

    // The same assignment again changes nothing and records nothing.
    let res = assign(&app, &editor, id, 3, &ben).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["version"], 3);
    assert_eq!(count_events(&app, "claim.assigned"), 2);
}

#[tokio::test]
async fn a_reviewer_takes_an_unassigned_open_claim_for_themself_only() {
    let app = TestApp::spawn().await;
    let (ana, ana_token) = user_with_token(&app, "reviewer").await;
    let (ben, ben_token) = user_with_token(&app, "reviewer").await;
    let open = seed_claim(&app, "open");

    // Not for someone else.
    assert_error(
        assign(&app, &ana_token, open, 1, &ben).await,
        403,
        "forbidden",
    )
    .await;
    // For themself: yes.
    let res = assign(&app, &ana_token, open, 1, &ana).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (body["status"].as_str(), body["assignee"]["email"].as_str()),
        (Some("in_review"), Some(ana.as_str()))
    );
    let (_, entity, _, after) = app.last_event("claim.assigned").unwrap();
    assert_eq!(
        (entity, after.unwrap()["assignee_id"].as_i64()),
        (Some(open), Some(app.user_id(&ana)))
    );
    // Not a claim someone already has.
    assert_error(
        assign(&app, &ben_token, open, 2, &ben).await,
        403,
        "forbidden",
    )
    .await;
    // Not a candidate: the workflow has no such edge.
    let candidate = seed_claim(&app, "candidate");
    assert_error(
        assign(&app, &ben_token, candidate, 1, &ben).await,
        409,
        "invalid_transition",
    )
    .await;
    assert_eq!(count_events(&app, "claim.assigned"), 1);
    assert_eq!(
        claim(&app, &ben_token, candidate).await["status"],
        "candidate"
    );
}

#[tokio::test]
async fn assignment_refuses_bad_assignees_stale_versions_and_viewers() {
    let app = TestApp::spawn().await;
    let (_, editor) = user_with_token(&app, "editor").await;
    let (viewer, viewer_token) = user_with_token(&app, "viewer").await;
    let (ana, _) = user_with_token(&app, "reviewer").await;
    let id = seed_claim(&app, "open");

    assert_error(assign(&app, &editor, id, 1, &viewer).await, 422, "assignee").await;
    assert_error(
        assign(&app, &editor, id, 1, "nobody@example.org").await,
        422,
        "assignee",
    )
    .await;
    assert_error(
        assign(&app, &editor, id, 1, "not an email").await,
        422,
        "assignee",
    )
    .await;
    let res = post_json(
        &app,
        &editor,
        &format!("/api/v1/claims/{id}/assign"),
        json!({"version": 1, "assignee": ana, "due_at": "next friday"}),
    )
    .await;
    assert_error(res, 422, "due_at").await;
    let res = post_json(
        &app,
        &editor,
        &format!("/api/v1/claims/{id}/assign"),
        json!({"version": 1, "assignee": ana, "priority": "asap"}),
    )
    .await;
    assert_error(res, 422, "priority").await;
    assert_error(
        assign(&app, &viewer_token, id, 1, &ana).await,
        403,
        "forbidden",
    )
    .await;
    assert_error(
        assign(&app, &editor, id, 7, &ana).await,
        409,
        "stale_version",
    )
    .await;
    assert_error(
        assign(&app, &editor, 999_999, 1, &ana).await,
        404,
        "not_found",
    )
    .await;

    let now = claim(&app, &editor, id).await;
    assert_eq!(
        (now["status"].as_str(), now["version"].as_i64()),
        (Some("open"), Some(1))
    );
    assert!(now["assignee"].is_null());
    assert_eq!(
        count_events(&app, "claim.assigned"),
        0,
        "nothing changed, nothing recorded"
    );

    // A deactivated user cannot be assigned.
    let mut conn = app.db.conn();
    claimtracker::auth::service::deactivate_user(
        &mut conn,
        &claimtracker::audit::AuditContext::system(),
        app.user_id(&ana),
    )
    .unwrap();
    assert_error(assign(&app, &editor, id, 1, &ana).await, 422, "assignee").await;
}

#[tokio::test]
async fn evidence_needs_an_http_url_a_note_and_a_stance_and_keeps_the_version() {
    let app = TestApp::spawn().await;
    let (id, _, reviewer, _) = claim_in_review(&app).await;
    let path = format!("/api/v1/claims/{id}/evidence");
    for (body, field) in [
        (
            json!({"url": "javascript:alert(1)", "note": "n", "stance": "supports"}),
            "url",
        ),
        (
            json!({"url": "ftp://example.org/file", "note": "n", "stance": "supports"}),
            "url",
        ),
        (
            json!({"url": "data:text/html,<script>x</script>", "note": "n", "stance": "supports"}),
            "url",
        ),
        (
            json!({"url": "https://", "note": "n", "stance": "supports"}),
            "url",
        ),
        (
            json!({"url": "example.org/page", "note": "n", "stance": "supports"}),
            "url",
        ),
        (
            json!({"url": "https://example.org", "note": "  ", "stance": "supports"}),
            "note",
        ),
        (
            json!({"url": "https://example.org", "note": "n", "stance": "agrees"}),
            "stance",
        ),
        (
            json!({"url": "https://example.org", "note": "n", "stance": "supports", "extra": 1}),
            "extra",
        ),
    ] {
        assert_error(
            post_json(&app, &reviewer, &path, body.clone()).await,
            422,
            field,
        )
        .await;
    }
    assert_eq!(count_events(&app, "evidence.added"), 0);

    let res = post_json(
        &app,
        &reviewer,
        &path,
        json!({"url": "https://www.state.gov/x", "title": "Transcript", "note": "Quote is there", "stance": "supports"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (body["id"].as_i64(), body["version"].as_i64()),
        (Some(id), Some(2)),
        "evidence does not bump the version"
    );
    let (_, _, _, after) = app.last_event("evidence.added").unwrap();
    assert_eq!(
        after.unwrap(),
        json!({"url": "https://www.state.gov/x", "title": "Transcript", "note": "Quote is there", "stance": "supports"})
    );
}

#[tokio::test]
async fn evidence_and_comments_come_from_the_assignee_editors_and_admins_only() {
    let app = TestApp::spawn().await;
    let (id, _, reviewer, editor) = claim_in_review(&app).await;
    let (_, other_reviewer) = user_with_token(&app, "reviewer").await;
    let (_, viewer) = user_with_token(&app, "viewer").await;
    let comment = format!("/api/v1/claims/{id}/comments");
    for token in [&other_reviewer, &viewer] {
        assert_error(add_evidence(&app, token, id).await, 403, "forbidden").await;
        assert_error(
            post_json(&app, token, &comment, json!({"body": "hi"})).await,
            403,
            "forbidden",
        )
        .await;
    }
    for token in [&reviewer, &editor] {
        assert_eq!(add_evidence(&app, token, id).await.status(), 201);
        assert_eq!(
            post_json(
                &app,
                token,
                &comment,
                json!({"body": "Checked the transcript"})
            )
            .await
            .status(),
            201
        );
    }
    assert_error(
        post_json(&app, &editor, &comment, json!({"body": " "})).await,
        422,
        "body",
    )
    .await;
    assert_eq!(count_events(&app, "evidence.added"), 2);
    assert_eq!(count_events(&app, "comment.added"), 2);
    let (_, _, _, after) = app.last_event("comment.added").unwrap();
    assert_eq!(after.unwrap()["body"], "Checked the transcript");
}

#[tokio::test]
async fn a_verdict_needs_a_rationale_and_evidence() {
    let app = TestApp::spawn().await;
    let (id, _, reviewer, _) = claim_in_review(&app).await;
    let path = format!("/api/v1/claims/{id}/verdict");

    let res = post_json(
        &app,
        &reviewer,
        &path,
        json!({"version": 2, "verdict": "disputed", "rationale": "  "}),
    )
    .await;
    assert_error(res, 422, "rationale").await;
    let res = post_json(
        &app,
        &reviewer,
        &path,
        json!({"version": 2, "verdict": "disputed"}),
    )
    .await;
    assert_error(res, 422, "rationale").await;
    let res = post_json(
        &app,
        &reviewer,
        &path,
        json!({"version": 2, "verdict": "false", "rationale": "r"}),
    )
    .await;
    assert_error(res, 422, "verdict").await;
    let res = post_json(
        &app,
        &reviewer,
        &path,
        json!({"version": 2, "verdict": "disputed", "rationale": "No source"}),
    )
    .await;
    assert_error(res, 422, "evidence").await;
    assert_eq!(count_events(&app, "claim.verdict"), 0);

    assert_eq!(add_evidence(&app, &reviewer, id).await.status(), 201);
    let res = post_json(
        &app,
        &reviewer,
        &path,
        json!({"version": 2, "verdict": "disputed", "rationale": "The transcript says otherwise"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (body["status"].as_str(), body["version"].as_i64()),
        (Some("disputed"), Some(3))
    );
    let (_, entity, before, after) = app.last_event("claim.verdict").unwrap();
    assert_eq!(entity, Some(id));
    assert_eq!(before.unwrap()["status"], "in_review");
    assert_eq!(
        after.unwrap(),
        json!({"status": "disputed", "rationale": "The transcript says otherwise"})
    );
    use claimtracker::schema::verdicts as v;
    let rows: Vec<(String, String)> = v::table
        .filter(v::claim_id.eq(id))
        .select((v::verdict, v::rationale))
        .load(&mut app.db.conn())
        .unwrap();
    assert_eq!(
        rows,
        vec![(
            "disputed".to_string(),
            "The transcript says otherwise".to_string()
        )]
    );

    // Decided: no second verdict.
    let res = post_json(
        &app,
        &reviewer,
        &path,
        json!({"version": 3, "verdict": "verified", "rationale": "r"}),
    )
    .await;
    assert_error(res, 409, "invalid_transition").await;
}

#[tokio::test]
async fn reviewer_b_cannot_decide_reviewer_as_claim() {
    let app = TestApp::spawn().await;
    let (id, _, a, _) = claim_in_review(&app).await;
    let (_, b) = user_with_token(&app, "reviewer").await;
    assert_eq!(add_evidence(&app, &a, id).await.status(), 201);
    let res = post_json(
        &app,
        &b,
        &format!("/api/v1/claims/{id}/verdict"),
        json!({"version": 2, "verdict": "verified", "rationale": "Looks right to me"}),
    )
    .await;
    assert_error(res, 403, "forbidden").await;
    assert_eq!(claim(&app, &b, id).await["status"], "in_review");
    assert_eq!(count_events(&app, "claim.verdict"), 0);
}

#[tokio::test]
async fn reopen_needs_a_reason_and_an_editor_and_keeps_the_assignee_and_the_old_verdict() {
    let app = TestApp::spawn().await;
    let (id, reviewer_email, reviewer, editor) = claim_in_review(&app).await;
    assert_eq!(add_evidence(&app, &reviewer, id).await.status(), 201);
    let res = post_json(
        &app,
        &reviewer,
        &format!("/api/v1/claims/{id}/verdict"),
        json!({"version": 2, "verdict": "verified", "rationale": "Matches the transcript"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let path = format!("/api/v1/claims/{id}/reopen");

    assert_error(
        post_json(
            &app,
            &reviewer,
            &path,
            json!({"version": 3, "reason": "New facts"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    assert_error(
        post_json(&app, &editor, &path, json!({"version": 3, "reason": " "})).await,
        422,
        "reason",
    )
    .await;
    assert_error(
        post_json(&app, &editor, &path, json!({"version": 3})).await,
        422,
        "reason",
    )
    .await;
    assert_error(
        post_json(&app, &editor, &path, json!({"version": 2, "reason": "x"})).await,
        409,
        "stale_version",
    )
    .await;
    assert_eq!(count_events(&app, "claim.reopened"), 0);

    let res = post_json(
        &app,
        &editor,
        &path,
        json!({"version": 3, "reason": "A correction was published"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "in_review");
    assert_eq!(
        body["assignee"]["email"], reviewer_email,
        "the assignee stays"
    );
    let (_, _, before, after) = app.last_event("claim.reopened").unwrap();
    assert_eq!(before.unwrap()["status"], "verified");
    assert_eq!(
        after.unwrap(),
        json!({"status": "in_review", "reason": "A correction was published"})
    );

    // Decided again: both verdicts are kept, only the newest is current.
    let res = post_json(
        &app,
        &reviewer,
        &format!("/api/v1/claims/{id}/verdict"),
        json!({"version": 4, "verdict": "disputed", "rationale": "The correction changes it"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    use claimtracker::schema::verdicts as v;
    let rows: Vec<(String, bool)> = v::table
        .filter(v::claim_id.eq(id))
        .order(v::id.asc())
        .select((v::verdict, v::superseded_at.is_null()))
        .load(&mut app.db.conn())
        .unwrap();
    assert_eq!(
        rows,
        vec![("verified".into(), false), ("disputed".into(), true)]
    );
    // A reopen of something not decided has no edge.
    let res = post_json(&app, &editor, &path, json!({"version": 5, "reason": "x"})).await;
    assert_eq!(res.status(), 200, "disputed → in_review is allowed");
    let res = post_json(&app, &editor, &path, json!({"version": 6, "reason": "x"})).await;
    assert_error(res, 409, "invalid_transition").await;
}

#[tokio::test]
async fn two_concurrent_verdicts_one_wins_one_is_told_and_one_event_is_written() {
    let app = TestApp::spawn().await;
    let (id, _, reviewer, editor) = claim_in_review(&app).await;
    assert_eq!(add_evidence(&app, &reviewer, id).await.status(), 201);
    let before = count_events(&app, "claim.verdict");
    let path = format!("/api/v1/claims/{id}/verdict");
    let (a, b) = tokio::join!(
        post_json(
            &app,
            &reviewer,
            &path,
            json!({"version": 2, "verdict": "verified", "rationale": "Reviewer says yes"})
        ),
        post_json(
            &app,
            &editor,
            &path,
            json!({"version": 2, "verdict": "disputed", "rationale": "Editor says no"})
        ),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(count_events(&app, "claim.verdict") - before, 1);
    use claimtracker::schema::verdicts as v;
    let n: i64 = v::table
        .filter(v::claim_id.eq(id))
        .count()
        .get_result(&mut app.db.conn())
        .unwrap();
    assert_eq!(n, 1);
}

/// The default first page (newest first, at most one status, 50 rows) is read by a query of its
/// own static type (`Listable::newest`); every other page by the general one. Both must give
/// the same claims in the same order.
#[tokio::test]
async fn the_default_first_page_is_the_general_querys_first_fifty() {
    let app = TestApp::spawn().await;
    let (_, token) = user_with_token(&app, "viewer").await;
    seed_claims(&app, 90, "open");
    seed_claims(&app, 70, "candidate");
    // Three creation times, the statuses mixed among them, ties broken by id.
    diesel::sql_query(
        "UPDATE claims SET created_at = '2030-01-01'::timestamptz + (id * 7 % 3) * interval '1 day'",
    )
    .execute(&mut app.db.conn())
    .unwrap();
    let ids = |body: &Value| -> Vec<i64> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    for filter in [
        "",
        "status=open",
        "status=candidate",
        "sort=newest&status=open",
    ] {
        let default: Value = get_json(&app, &token, &format!("/api/v1/claims?{filter}"))
            .await
            .json()
            .await
            .unwrap();
        let wider: Value = get_json(&app, &token, &format!("/api/v1/claims?{filter}&limit=60"))
            .await
            .json()
            .await
            .unwrap();
        let (first, more) = (ids(&default), ids(&wider));
        assert_eq!(first.len(), 50, "{filter}");
        assert_eq!(first[..], more[..50], "{filter}");
        // And the cursor it gives goes on where the wider page does.
        let cursor = default["next_cursor"].as_str().expect("a next page");
        let next: Value = get_json(
            &app,
            &token,
            &format!("/api/v1/claims?{filter}&cursor={cursor}&limit=10"),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(ids(&next)[..], more[50..], "{filter}");
    }
}

#[tokio::test]
async fn paging_walks_every_claim_exactly_once_with_ties_in_the_sort_key() {
    use claimtracker::verification::repo::RANKED_MATCHES;
    let app = TestApp::spawn().await;
    let (_, token) = user_with_token(&app, "viewer").await;
    let (reviewer, _) = user_with_token(&app, "reviewer").await;
    let mut all = seed_claims(&app, 1000, "open");
    all.sort_unstable();
    // Half of them in review with one of five due dates (ties), the rest undated.
    diesel::sql_query(format!(
        "UPDATE claims SET status = 'in_review', assignee_id = {}, \
         due_at = '2030-01-01'::timestamptz + (id % 5) * interval '1 day' WHERE id % 2 = 0",
        app.user_id(&reviewer)
    ))
    .execute(&mut app.db.conn())
    .unwrap();
    // Every seeded claim says "Seeded claim number …": one rank for all, ties throughout.
    for (sort, q) in [
        ("score", ""),
        ("newest", ""),
        ("oldest", ""),
        ("updated", ""),
        ("due", ""),
        ("relevance", "seeded claim"),
    ] {
        let mut seen = vec![];
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut path = format!("/api/v1/claims?sort={sort}&limit=37&q={q}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let res = get_json(&app, &token, &path).await;
            assert_eq!(res.status(), 200, "{path}");
            let body: Value = res.json().await.unwrap();
            let items = body["items"].as_array().unwrap();
            assert!(items.len() <= 37);
            seen.extend(items.iter().map(|c| c["id"].as_i64().unwrap()));
            pages += 1;
            match body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        // Relevance ranks the newest RANKED_MATCHES matches (all seeded at once: the highest ids).
        let reachable: Vec<i64> = if sort == "relevance" {
            all[all.len() - RANKED_MATCHES as usize..].to_vec()
        } else {
            all.clone()
        };
        assert_eq!(
            pages,
            reachable.len().div_ceil(37),
            "{sort}: {} claims in pages of 37",
            reachable.len()
        );
        let mut sorted = seen.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, reachable, "{sort}: every claim exactly once");
        // And in the documented order, the id breaking ties.
        let order = match sort {
            "score" => "score DESC, id DESC",
            "newest" => "created_at DESC, id DESC",
            "oldest" => "created_at ASC, id ASC",
            "updated" => "updated_at DESC, id DESC",
            "due" => "due_at ASC NULLS LAST, id ASC",
            _ => "id DESC",
        };
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            id: i64,
        }
        let expected: Vec<i64> = diesel::sql_query(format!(
            "SELECT id FROM claims ORDER BY {order} LIMIT {}",
            reachable.len()
        ))
        .load::<Id>(&mut app.db.conn())
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
        assert_eq!(seen, expected, "{sort}: the order");
    }
    // The default limit is 50; the score order is stable (score desc, id desc).
    let body: Value = get_json(&app, &token, "/api/v1/claims?sort=score")
        .await
        .json()
        .await
        .unwrap();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    let keys: Vec<(f64, i64)> = items
        .iter()
        .map(|c| (c["score"].as_f64().unwrap(), c["id"].as_i64().unwrap()))
        .collect();
    assert!(
        keys.windows(2)
            .all(|w| w[0].0 > w[1].0 || (w[0].0 == w[1].0 && w[0].1 > w[1].1))
    );
}

#[tokio::test]
async fn relevance_pages_keep_their_window_while_new_matches_arrive() {
    use claimtracker::verification::repo::RANKED_MATCHES;
    let app = TestApp::spawn().await;
    let (_, token) = user_with_token(&app, "viewer").await;
    let mut first = seed_claims(&app, RANKED_MATCHES as usize + 50, "open");
    first.sort_unstable();
    let window = first[first.len() - RANKED_MATCHES as usize..].to_vec();

    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut path = "/api/v1/claims?sort=relevance&limit=37&q=seeded%20claim".to_string();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let body: Value = get_json(&app, &token, &path).await.json().await.unwrap();
        seen.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap()),
        );
        pages += 1;
        if pages == 1 {
            // Newer matches arrive after the first page.
            seed_claims(&app, 60, "open");
        }
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    seen.sort_unstable();
    assert_eq!(seen, window, "the first page's window, each claim once");
}

#[tokio::test]
async fn the_list_filters_and_refuses_bad_parameters_by_name() {
    let app = TestApp::spawn().await;
    let (_, editor) = user_with_token(&app, "editor").await;
    let (ana, _) = user_with_token(&app, "reviewer").await;
    let open = seed_claims(&app, 3, "open");
    let candidates = seed_claims(&app, 2, "candidate");
    assert_eq!(assign(&app, &editor, open[0], 1, &ana).await.status(), 200);

    let ids = |body: Value| -> Vec<i64> {
        let mut v: Vec<i64> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        v.sort_unstable();
        v
    };
    let get = |path: String| {
        let app = &app;
        let editor = editor.clone();
        async move {
            get_json(app, &editor, &path)
                .await
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        ids(get("/api/v1/claims".into()).await).len(),
        5,
        "no status filter: every status"
    );
    assert_eq!(
        ids(get("/api/v1/claims?status=candidate".into()).await),
        candidates
    );
    assert_eq!(
        ids(get(format!("/api/v1/claims?assignee={ana}")).await),
        vec![open[0]]
    );
    assert_eq!(
        ids(get("/api/v1/claims?assignee=nobody@example.org".into()).await),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(get("/api/v1/claims?status=open,in_review&assignee=none".into()).await),
        open[1..].to_vec()
    );
    assert_eq!(
        ids(get("/api/v1/claims?signal=number&status=candidate".into()).await),
        Vec::<i64>::new()
    );

    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("status=done", "status"),
        ("sort=alphabetical", "sort"),
        ("sort=relevance", "sort"),
        ("cursor=nonsense", "cursor"),
        ("article=abc", "article"),
        ("signal=vibes", "signal"),
        ("assignee=not-an-email", "assignee"),
    ] {
        assert_error(
            get_json(&app, &editor, &format!("/api/v1/claims?{query}")).await,
            422,
            field,
        )
        .await;
    }
    let res = get_json(&app, &editor, "/api/v1/claims?status=open&status=candidate").await;
    assert_error(res, 400, "bad_request").await;
    // A cursor of another order is refused, not misread.
    let body = get("/api/v1/claims?sort=score&limit=1".into()).await;
    let cursor = body["next_cursor"].as_str().unwrap();
    assert_error(
        get_json(
            &app,
            &editor,
            &format!("/api/v1/claims?sort=newest&cursor={cursor}"),
        )
        .await,
        422,
        "cursor",
    )
    .await;
    let res = app
        .client
        .get(app.url("/api/v1/claims"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn search_finds_senior_official_in_the_fixture_and_hostile_input_is_just_text() {
    let app = TestApp::spawn().await;
    let (_, editor) = user_with_token(&app, "editor").await;
    let res = post_json(
        &app,
        &editor,
        "/api/v1/articles",
        json!({"title": "Xi tells Blinken", "text": FIXTURE}),
    )
    .await;
    assert_eq!(res.status(), 201);
    seed_claims(&app, 20, "open");

    let res = get_json(&app, &editor, "/api/v1/claims?q=senior%20official").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let texts: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert!(!texts.is_empty());
    assert!(
        texts.iter().any(|t| t.contains("most senior US official")),
        "{texts:?}"
    );
    assert!(texts.iter().all(|t| !t.starts_with("Seeded")), "{texts:?}");

    // Websearch syntax: a phrase, and exclusion.
    let body: Value = get_json(
        &app,
        &editor,
        "/api/v1/claims?q=%22senior%20US%20official%22%20-taiwan&limit=5",
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !c["text"].as_str().unwrap().contains("Taiwan"))
    );

    // The article's title finds its claims too.
    let body: Value = get_json(
        &app,
        &editor,
        "/api/v1/claims?q=blinken&sort=newest&limit=200",
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(body["items"].as_array().unwrap().len() > 3);

    for hostile in [
        "'; DROP TABLE claims; --",
        "\"unbalanced",
        "!!!&&|:*<->",
        "(((",
        "a\\",
        "%00",
        "' OR 1=1 --",
    ] {
        let res = app
            .client
            .get(app.url("/api/v1/claims"))
            .query(&[("q", hostile)])
            .bearer_auth(&editor)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{hostile}");
    }
    assert_error(
        get_json(
            &app,
            &editor,
            &format!("/api/v1/claims?q={}", "a".repeat(501)),
        )
        .await,
        422,
        "q",
    )
    .await;
    let count: i64 = claimtracker::schema::claims::table
        .count()
        .get_result(&mut app.db.conn())
        .unwrap();
    assert!(count > 20, "the claims are still there");
}

#[tokio::test]
async fn the_history_lists_every_event_of_the_claim_in_order() {
    let app = TestApp::spawn().await;
    let (id, _, reviewer, _) = claim_in_review(&app).await;
    assert_eq!(add_evidence(&app, &reviewer, id).await.status(), 201);
    let res = post_json(
        &app,
        &reviewer,
        &format!("/api/v1/claims/{id}/comments"),
        json!({"body": "On it"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let body: Value = get_json(&app, &reviewer, &format!("/api/v1/claims/{id}/history"))
        .await
        .json()
        .await
        .unwrap();
    let events = body["events"].as_array().unwrap();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["claim.assigned", "evidence.added", "comment.added"]
    );
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    for e in events {
        assert_eq!(e["hash"].as_str().unwrap().len(), 64);
        assert!(e["occurred_at"].is_string());
        assert!(e["actor"]["name"].is_string());
    }
    assert_eq!(events[1]["actor"]["type"], "token");
    assert!(
        events[1]["actor"]["email"]
            .as_str()
            .unwrap()
            .starts_with("reviewer")
    );
    assert_eq!(
        get_json(&app, &reviewer, "/api/v1/claims/999999/history")
            .await
            .status(),
        404
    );

    // The claim page reads the claim and the same history inside one union, column by column
    // into nullable slots: it must give back the very rows the claim's and the history's own
    // queries read.
    let mut conn = app.db.conn();
    let none = claimtracker::db::Probe::none();
    let rows = claimtracker::verification::repo::claim_page_rows(&mut conn, id, &none).unwrap();
    let (discussion, history) = (rows.discussion, rows.events);
    let stored = claimtracker::audit::repo::for_claim(&mut conn, id).unwrap();
    let shown: Vec<claimtracker::audit::model::TimelineEvent> =
        stored.iter().map(Into::into).collect();
    assert_eq!(history, shown);
    // The JSON is read as stored, only later parsed: to the very values the history holds.
    for (read, event) in history.iter().zip(&stored) {
        assert_eq!(read.after.as_ref().map(|a| a.value()), event.after.clone());
        assert_eq!(
            read.before.as_ref().map(|b| b.value()),
            event.before.clone()
        );
    }
    {
        use claimtracker::schema::{articles, claims};
        let claim: claimtracker::claims::model::Claim = claims::table
            .find(id)
            .select(claimtracker::claims::model::Claim::as_select())
            .first(&mut conn)
            .unwrap();
        let (title, hash): (String, String) = articles::table
            .find(claim.article_id)
            .select((articles::title, articles::content_hash))
            .first(&mut conn)
            .unwrap();
        assert_eq!(
            (rows.claim, rows.article_title, rows.content_hash),
            (claim, title, hash)
        );
    }
    assert!(matches!(
        claimtracker::verification::repo::claim_page_rows(&mut conn, 999_999, &none),
        Err(diesel::result::Error::NotFound)
    ));
    assert!(
        stored
            .iter()
            .any(|e| e.before.is_some() && e.after.is_some() && e.before != e.after)
    );
    assert!(
        stored
            .iter()
            .any(|e| e.actor_token_id.is_some() && e.request_id.is_some())
    );
    assert_eq!(
        (discussion.evidence.len(), discussion.comments.len()),
        (1, 1)
    );
}

#[tokio::test]
async fn the_database_refuses_transitions_the_workflow_does_not_have() {
    let app = TestApp::spawn().await;
    let open = seed_claim(&app, "open");
    let mut conn = app.db.conn();
    // Straight from open to verified, skipping review (and the verdict): refused by the trigger.
    let err = diesel::sql_query(format!(
        "UPDATE claims SET status = 'verified' WHERE id = {open}"
    ))
    .execute(&mut conn)
    .unwrap_err();
    assert!(
        err.to_string().contains("cannot go from open to verified"),
        "{err}"
    );
    // A decided claim without a current verdict is refused at commit.
    let (id, _, _, _) = claim_in_review(&app).await;
    let err = diesel::sql_query(format!(
        "UPDATE claims SET status = 'verified' WHERE id = {id}"
    ))
    .execute(&mut conn)
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("without a matching current verdict"),
        "{err}"
    );
}

/// (status, claims) pairs, by status.
type Counts = Vec<(String, i64)>;

/// The status counts the dashboard reads, against a real count of the claims.
fn kept_and_real_counts(app: &TestApp) -> (Counts, Counts) {
    use claimtracker::schema::{claim_status_counts as k, claims as c};
    let mut conn = app.db.conn();
    let kept: Counts = k::table
        .filter(k::n.gt(0))
        .select((k::status, k::n))
        .order(k::status)
        .load(&mut conn)
        .unwrap();
    let real: Counts = c::table
        .group_by(c::status)
        .select((c::status, diesel::dsl::count_star()))
        .order(c::status)
        .load(&mut conn)
        .unwrap();
    (kept, real)
}

/// The dashboard reads its claim counts in the statement of its recent activity; before there
/// is any event to carry them they are read on their own. Either way they are the real counts.
#[tokio::test]
async fn the_dashboard_counts_come_with_the_recent_events_or_on_their_own() {
    use claimtracker::audit::repo::newest_with_claim_texts;
    use claimtracker::db::Probe;
    let app = TestApp::spawn().await;
    seed_claims(&app, 7, "open");
    seed_claims(&app, 4, "candidate");
    // No event yet (the claims were written straight into the table): nothing carries them.
    let none = newest_with_claim_texts(&mut app.db.conn(), &Probe::none()).unwrap();
    assert!(none.events.is_empty());
    assert_eq!(none.counts, None);

    app.signed_in("editor").await;
    let (kept, real) = kept_and_real_counts(&app);
    assert_eq!(kept, real);
    let carried = newest_with_claim_texts(&mut app.db.conn(), &Probe::none()).unwrap();
    assert!(!carried.events.is_empty());
    let mut counts = carried.counts.unwrap();
    counts.retain(|(_, n)| *n > 0);
    counts.sort();
    assert_eq!(counts, real);
    // And the page shows them: on the first view after signing in (the session just read),
    // and on the next (the kept session, checked by the probe this statement carries).
    for _ in 0..2 {
        let (status, html) = page(&app, "/").await;
        assert_eq!(status, 200);
        for (status, n) in [("open", 7), ("candidate", 4), ("verified", 0)] {
            let shown =
                format!("<a href=\"/claims?status={status}\"><span class=\"count\">{n}</span>");
            assert!(html.contains(&shown), "{shown}");
        }
    }
}

#[tokio::test]
async fn the_kept_status_counts_follow_inserts_moves_and_deletes() {
    let app = TestApp::spawn().await;
    seed_claims(&app, 7, "candidate");
    seed_claims(&app, 3, "rejected");
    let (kept, real) = kept_and_real_counts(&app);
    assert_eq!(kept, real);
    assert_eq!(kept, vec![("candidate".into(), 7), ("rejected".into(), 3)]);

    // Moves through the workflow, each its own statement and transaction.
    let (id, _, reviewer_token, _) = claim_in_review(&app).await;
    let res = add_evidence(&app, &reviewer_token, id).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let version = claim(&app, &reviewer_token, id).await["version"]
        .as_i64()
        .unwrap();
    let res = post_json(
        &app,
        &reviewer_token,
        &format!("/api/v1/claims/{id}/verdict"),
        json!({"version": version, "verdict": "verified", "rationale": "The transcript says so."}),
    )
    .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let (kept, real) = kept_and_real_counts(&app);
    assert_eq!(kept, real);
    assert!(kept.contains(&("verified".into(), 1)), "{kept:?}");

    // One statement moving several claims, and one deleting several.
    let mut conn = app.db.conn();
    diesel::sql_query(
        "UPDATE claims SET status = 'open' WHERE id IN \
         (SELECT id FROM claims WHERE status = 'candidate' ORDER BY id LIMIT 4)",
    )
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query("DELETE FROM claims WHERE status = 'rejected'")
        .execute(&mut conn)
        .unwrap();
    let (kept, real) = kept_and_real_counts(&app);
    assert_eq!(kept, real);
    assert!(kept.contains(&("open".into(), 4)), "{kept:?}");
    assert!(!kept.iter().any(|(s, _)| s == "rejected"), "{kept:?}");

    // The dashboard shows them.
    app.signed_in("viewer").await;
    let (status, home) = page(&app, "/").await;
    assert_eq!(status, 200);
    assert!(
        home.contains(r#"<a href="/claims?status=candidate"><span class="count">3</span>"#),
        "the dashboard shows the 3 candidates left"
    );
}

/// A bulk assignment and single assignments of the same claims in the opposite order, at the
/// same time: each ends in a result or a 409, never a deadlock (a 500). Counting claims by
/// status must not make writers wait on each other (the kept counts are a ledger).
#[tokio::test]
async fn a_bulk_assignment_and_single_ones_over_the_same_claims_never_deadlock() {
    use claimtracker::audit::AuditContext;
    use claimtracker::auth::{CurrentUser, Role};
    use claimtracker::error::AppError;
    use claimtracker::verification::model::AssignInput;
    use claimtracker::verification::service::{assign, assign_many};

    let app = TestApp::spawn().await;
    let (editor, _) = app.create_user("editor").await;
    let (reviewer, _) = app.create_user("reviewer").await;
    let user = CurrentUser {
        id: app.user_id(&editor),
        email: editor.clone(),
        name: "editor".into(),
        role: Role::Editor,
    };
    let input = AssignInput {
        assignee: reviewer.clone(),
        due_at: None,
        priority: None,
    };
    for round in 0..4 {
        let ids = seed_claims(&app, 30, "open");
        let pool = app.db.pool();
        let (bulk_user, bulk_input, bulk_ids) = (user.clone(), input.clone(), ids.clone());
        let bulk_pool = pool.clone();
        let bulk = std::thread::spawn(move || {
            let items: Vec<(i64, i32)> = bulk_ids.iter().map(|id| (*id, 1)).collect();
            assign_many(
                &mut bulk_pool.get().unwrap(),
                &AuditContext::system(),
                &bulk_user,
                &items,
                &bulk_input,
            )
            .map(|_| ())
        });
        let (one_user, one_input) = (user.clone(), input.clone());
        let singles = std::thread::spawn(move || {
            let mut conn = pool.get().unwrap();
            ids.iter()
                .rev()
                .map(|id| {
                    assign(
                        &mut conn,
                        &AuditContext::system(),
                        &one_user,
                        *id,
                        1,
                        &one_input,
                    )
                    .map(|_| ())
                })
                .collect::<Vec<_>>()
        });
        let outcomes = std::iter::once(bulk.join().unwrap())
            .chain(singles.join().unwrap())
            .collect::<Vec<_>>();
        for outcome in outcomes {
            match outcome {
                Ok(()) | Err(AppError::Conflict { .. }) => {}
                Err(e) => panic!("round {round}: {e:?}"),
            }
        }
    }
    let (kept, real) = kept_and_real_counts(&app);
    assert_eq!(kept, real);
}

/// The dashboard reads its three lists in one query: they must be the lists, in the order,
/// that the list API gives for the same filters.
#[tokio::test]
async fn the_dashboards_lists_in_one_query_match_the_list_api() {
    use claimtracker::verification::model::{AssigneeFilter, ListFilter, Sort};
    use claimtracker::verification::service::ListRequest;
    use claimtracker::verification::{repo, service};
    let app = TestApp::spawn().await;
    let (reviewer, _) = user_with_token(&app, "reviewer").await;
    let reviewer_id = app.user_id(&reviewer);
    seed_claims(&app, 30, "candidate");
    let review = seed_claims(&app, 40, "open");
    // Half of them in review for the reviewer, with due dates in the past, future and none.
    diesel::sql_query(format!(
        "UPDATE claims SET status = 'in_review', assignee_id = {reviewer_id}, \
         due_at = CASE id % 3 WHEN 0 THEN now() - (id % 7) * interval '1 day' \
         WHEN 1 THEN now() + (id % 5) * interval '1 day' ELSE NULL END \
         WHERE id = ANY(ARRAY{:?}::bigint[]) AND id % 2 = 0",
        review
    ))
    .execute(&mut app.db.conn())
    .unwrap();
    // Another reviewer's overdue work, which only those who assign see on their dashboard.
    let (other, _) = user_with_token(&app, "reviewer").await;
    diesel::sql_query(format!(
        "UPDATE claims SET status = 'in_review', assignee_id = {}, \
         due_at = now() - (id % 4 + 10) * interval '1 day' \
         WHERE id = ANY(ARRAY{:?}::bigint[]) AND id % 2 = 1",
        app.user_id(&other),
        review
    ))
    .execute(&mut app.db.conn())
    .unwrap();
    let mine = ListFilter {
        statuses: vec![claimtracker::claims::model::ClaimStatus::InReview],
        assignee: AssigneeFilter::User(reviewer_id),
        ..ListFilter::default()
    };
    let overdue = ListFilter {
        overdue: true,
        ..ListFilter::default()
    };
    let my_overdue = ListFilter {
        overdue: true,
        assignee: AssigneeFilter::User(reviewer_id),
        ..ListFilter::default()
    };
    let waiting = ListFilter {
        statuses: vec![claimtracker::claims::model::ClaimStatus::Candidate],
        ..ListFilter::default()
    };
    let mut conn = app.db.conn();
    let (a, b, c) = repo::dashboard_lists::<7, 5, 6>(&mut conn, reviewer_id, None).unwrap();
    let (_, own_overdue, _) =
        repo::dashboard_lists::<7, 5, 6>(&mut conn, reviewer_id, Some(reviewer_id)).unwrap();
    let expect = |conn: &mut diesel::PgConnection, filter: &ListFilter, sort, limit| {
        service::list_request::<claimtracker::claims::model::Claim, claimtracker::db::NoCheck>(
            conn,
            &ListRequest {
                filter: filter.clone(),
                sort,
                cursor: None,
                limit,
            },
            &claimtracker::db::Probe::none(),
        )
        .unwrap()
        .claims
        .into_iter()
        .map(|c| c.id)
        .collect::<Vec<_>>()
    };
    let ids = |v: Vec<claimtracker::claims::model::ListRow>| {
        v.into_iter().map(|c| c.id).collect::<Vec<_>>()
    };
    assert_eq!(ids(a), expect(&mut conn, &mine, Sort::Due, 7));
    assert_eq!(ids(b), expect(&mut conn, &overdue, Sort::Due, 5));
    assert_eq!(ids(c), expect(&mut conn, &waiting, Sort::Score, 6));
    let own = ids(own_overdue);
    assert_eq!(own, expect(&mut conn, &my_overdue, Sort::Due, 5));
    assert_ne!(
        own,
        expect(&mut conn, &overdue, Sort::Due, 5),
        "the other's work is left out"
    );
}

// ---- pages ----

/// The value of the first `<input … name="NAME" value="…">` in a page.
fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field"))
        + marker.len();
    let len = html[start..].find('"').unwrap();
    html[start..start + len].to_string()
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let res = app.get(path).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn post_page(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap()
}

/// An article with `body` and one claim on `span` of it, written straight to the database;
/// the article's and the claim's ids.
fn seed_article_with_claim(app: &TestApp, body: &str, span: &str) -> (i64, i64) {
    use claimtracker::schema::{articles, claims};
    let mut conn = app.db.conn();
    let article_id: i64 = diesel::insert_into(articles::table)
        .values((
            articles::title.eq("A seeded article"),
            articles::raw_text.eq(body),
            articles::body_text.eq(body),
            articles::content_hash.eq(uuid::Uuid::new_v4().to_string()),
        ))
        .returning(articles::id)
        .get_result(&mut conn)
        .unwrap();
    let start = body[..body.find(span).unwrap()].chars().count() as i32;
    let claim_id = diesel::insert_into(claims::table)
        .values((
            claims::article_id.eq(article_id),
            claims::text.eq(span),
            claims::quote_exact.eq(span),
            claims::quote_prefix.eq(""),
            claims::quote_suffix.eq(""),
            claims::quote_start.eq(start),
            claims::quote_end.eq(start + span.chars().count() as i32),
            claims::kind.eq("assertion"),
            claims::score.eq(0.5f32),
            claims::origin.eq("extracted"),
            claims::status.eq("candidate"),
        ))
        .returning(claims::id)
        .get_result(&mut conn)
        .unwrap();
    (article_id, claim_id)
}

/// The quoted context of the claim page: what stands before the mark, the mark, and after.
fn context_of(html: &str) -> String {
    let start = html
        .find("<blockquote class=\"context\">")
        .expect("a context");
    let end = start + html[start..].find("</blockquote>").unwrap();
    html[start..end].to_string()
}

#[tokio::test]
async fn the_claim_page_shows_the_claims_paragraph_and_a_revised_body_at_once() {
    let app = TestApp::spawn().await;
    app.signed_in("viewer").await;
    let body = "Opening paragraph about the weather.\n\nIn Zürich, the budget rose 3% in 2025, \
                officials said. Critics disagreed.\n\nA closing paragraph.";
    let (article, claim) = seed_article_with_claim(&app, body, "the budget rose 3% in 2025");
    let path = format!("/claims/{claim}");

    let (status, html) = page(&app, &path).await;
    assert_eq!(status, 200);
    let context = context_of(&html);
    assert!(
        context.contains("In Zürich, <mark class=\"status-candidate\">the budget rose 3% in 2025</mark>, officials said. Critics disagreed."),
        "{context}"
    );
    assert!(
        !context.contains("Opening") && !context.contains("closing"),
        "{context}"
    );
    assert_eq!(
        page(&app, &path).await.1,
        html,
        "a second view (the body kept by then) shows the same"
    );

    // A body revised behind the app's back (a new hash with it), the quote at the same place.
    let revised = "Opening paragraph about the weather.\n\nIn Zürich, the budget rose 3% in 2025, \
                   the council said. Nobody disagreed.\n\nA closing paragraph.";
    diesel::sql_query(format!(
        "UPDATE articles SET body_text = '{revised}', content_hash = 'revised' WHERE id = {article}"
    ))
    .execute(&mut app.db.conn())
    .unwrap();
    let context = context_of(&page(&app, &path).await.1);
    assert!(
        context.contains("</mark>, the council said. Nobody disagreed."),
        "{context}"
    );
}

#[tokio::test]
async fn the_verdict_form_on_the_claim_page_works_end_to_end() {
    let app = TestApp::spawn().await;
    let (_, editor) = user_with_token(&app, "editor").await;
    let (reviewer, _) = app.signed_in("reviewer").await;
    let id = seed_claim(&app, "open");
    assert_eq!(assign(&app, &editor, id, 1, &reviewer).await.status(), 200);
    let path = format!("/claims/{id}");

    let (status, html) = page(&app, &path).await;
    assert_eq!(status, 200);
    assert!(html.contains("Record verdict") && html.contains("Add evidence"));
    assert!(
        html.contains("<mark class=\"status-in_review\">"),
        "the span is highlighted"
    );
    let csrf = csrf_in(&html);
    let res = post_page(
        &app,
        &format!("{path}/evidence"),
        &[
            ("url", "https://www.state.gov/t"),
            ("note", "Transcript"),
            ("stance", "refutes"),
            ("csrf_token", &csrf),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(count_events(&app, "evidence.added"), 1);

    let (_, html) = page(&app, &path).await;
    assert!(html.contains("Evidence added."), "flash after the action");
    let version = input_value(&html, "version");
    assert_eq!(version, "2");
    let seen = input_value(&html, "seen_seq");
    let res = post_page(
        &app,
        &format!("{path}/verdict"),
        &[
            ("version", version.as_str()),
            ("seen_seq", seen.as_str()),
            ("verdict", "disputed"),
            ("rationale", "The transcript has <b>no</b> such line"),
            ("csrf_token", &csrf),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], path.as_str());

    let (_, html) = page(&app, &path).await;
    assert!(html.contains("Marked disputed."));
    assert!(html.contains("badge status-disputed"));
    assert!(
        html.contains("marked it disputed: The transcript has &#60;b&#62;no&#60;/b&#62; such line"),
        "readable, escaped timeline"
    );
    assert!(
        !html.contains("Record verdict"),
        "no verdict form on a decided claim"
    );
    let (actor, entity, _, after) = app.last_event("claim.verdict").unwrap();
    assert_eq!((actor.as_str(), entity), ("user", Some(id)));
    assert_eq!(after.unwrap()["status"], "disputed");
}

#[tokio::test]
async fn a_stale_form_shows_what_changed_and_lets_the_user_redo_it() {
    let app = TestApp::spawn().await;
    let (_, editor) = user_with_token(&app, "editor").await;
    let (reviewer, _) = app.signed_in("reviewer").await;
    let id = seed_claim(&app, "open");
    assert_eq!(assign(&app, &editor, id, 1, &reviewer).await.status(), 200);
    assert_eq!(add_evidence(&app, &editor, id).await.status(), 201);
    let path = format!("/claims/{id}");
    let (_, html) = page(&app, &path).await;
    let (csrf, seen) = (csrf_in(&html), input_value(&html, "seen_seq"));

    // Meanwhile the editor sets a due date (version 2 → 3).
    let res = post_json(
        &app,
        &editor,
        &format!("/api/v1/claims/{id}/assign"),
        json!({"version": 2, "assignee": reviewer, "due_at": "2031-05-01T12:00:00Z"}),
    )
    .await;
    assert_eq!(res.status(), 200);

    let form = |version: &'static str| {
        vec![
            ("version", version.to_string()),
            ("seen_seq", seen.clone()),
            ("verdict", "verified".to_string()),
            ("rationale", "Matches the official transcript".to_string()),
            ("csrf_token", csrf.clone()),
        ]
    };
    let res = app
        .client
        .post(app.url(&format!("{path}/verdict")))
        .form(&form("2"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(html.contains("Someone changed this claim while you were looking"));
    assert!(
        html.contains("changed the assignment"),
        "what changed meanwhile"
    );
    assert!(html.contains("2031-05-01"), "its new due date");
    assert!(
        html.contains("Matches the official transcript"),
        "the rationale is kept"
    );
    assert_eq!(
        input_value(&html, "version"),
        "3",
        "the forms are at the current version"
    );
    assert_eq!(count_events(&app, "claim.verdict"), 0);

    let res = app
        .client
        .post(app.url(&format!("{path}/verdict")))
        .form(&form("3"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(count_events(&app, "claim.verdict"), 1);
}

#[tokio::test]
async fn refused_page_forms_re_render_with_the_input_kept() {
    let app = TestApp::spawn().await;
    let (_, editor) = user_with_token(&app, "editor").await;
    let (reviewer, _) = app.signed_in("reviewer").await;
    let id = seed_claim(&app, "open");
    assert_eq!(assign(&app, &editor, id, 1, &reviewer).await.status(), 200);
    let path = format!("/claims/{id}");
    let (_, html) = page(&app, &path).await;
    let csrf = csrf_in(&html);

    let res = post_page(
        &app,
        &format!("{path}/evidence"),
        &[
            ("url", "javascript:alert(1)"),
            ("note", "My careful note"),
            ("stance", "supports"),
            ("csrf_token", &csrf),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("must start with http:// or https://"));
    assert!(html.contains("My careful note"));

    let res = post_page(
        &app,
        &format!("{path}/verdict"),
        &[
            ("version", "2"),
            ("verdict", "verified"),
            ("rationale", "Because"),
            ("csrf_token", &csrf),
        ],
    )
    .await;
    assert_eq!(res.status(), 422, "no evidence yet");
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("add at least one piece of evidence")
    );
    assert_eq!(
        count_events(&app, "evidence.added") + count_events(&app, "claim.verdict"),
        0
    );
}

#[tokio::test]
async fn bulk_assign_from_the_list_is_all_or_nothing_with_one_event_per_claim() {
    let app = TestApp::spawn().await;
    let (_, reviewer_token) = user_with_token(&app, "reviewer").await;
    let reviewer = {
        use claimtracker::schema::users;
        users::table
            .filter(users::role.eq("reviewer"))
            .select(users::email)
            .first::<String>(&mut app.db.conn())
            .unwrap()
    };
    let _ = reviewer_token;
    app.signed_in("editor").await;
    let ids = seed_claims(&app, 3, "open");
    let (status, html) = page(&app, "/claims?status=open").await;
    assert_eq!(status, 200);
    for id in &ids {
        assert!(
            html.contains(&format!("value=\"{id}:1\"")),
            "a checkbox per claim"
        );
    }
    let csrf = csrf_in(&html);
    let (a, b, c) = (
        format!("{}:1", ids[0]),
        format!("{}:1", ids[1]),
        format!("{}:1", ids[2]),
    );
    let res = post_page(
        &app,
        "/claims/assign",
        &[
            ("claim", a.as_str()),
            ("claim", b.as_str()),
            ("assignee", reviewer.as_str()),
            ("priority", "urgent"),
            ("return", "/claims?status=open"),
            ("csrf_token", &csrf),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/claims?status=open");
    assert_eq!(
        count_events(&app, "claim.assigned"),
        2,
        "one event per claim"
    );

    // The first claim is stale now (version 2): nothing is assigned, the third stays open.
    let res = post_page(
        &app,
        "/claims/assign",
        &[
            ("claim", c.as_str()),
            ("claim", a.as_str()),
            ("assignee", reviewer.as_str()),
            ("csrf_token", &csrf),
        ],
    )
    .await;
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!("claim {}", ids[0])),
        "the message names the claim"
    );
    assert_eq!(count_events(&app, "claim.assigned"), 2);
    use claimtracker::schema::claims;
    let status: String = claims::table
        .find(ids[2])
        .select(claims::status)
        .first(&mut app.db.conn())
        .unwrap();
    assert_eq!(status, "open");
}

#[tokio::test]
async fn dashboard_tasks_activity_and_list_pages_render_for_every_role_and_escape_claims() {
    let app = TestApp::spawn().await;
    let (_, editor) = user_with_token(&app, "editor").await;
    let (reviewer, _) = app.signed_in("reviewer").await;
    let id = seed_claim(&app, "open");
    {
        use claimtracker::schema::claims;
        diesel::update(claims::table.find(id))
            .set(claims::text.eq("<script>alert('x')</script> grew 40%"))
            .execute(&mut app.db.conn())
            .unwrap();
    }
    let res = post_json(
        &app,
        &editor,
        &format!("/api/v1/claims/{id}/assign"),
        json!({"version": 1, "assignee": reviewer, "due_at": "2020-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    for path in [
        "/",
        "/tasks",
        "/activity",
        "/claims",
        "/claims?q=grew&sort=relevance",
        &format!("/claims/{id}"),
    ] {
        let (status, html) = page(&app, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!html.contains("<script>alert"), "{path} escapes claim text");
    }
    let (_, home) = page(&app, "/").await;
    assert!(
        home.contains("My open tasks")
            && home.contains("Overdue")
            && home.contains("Waiting for triage")
    );
    assert!(home.contains("assigned it to"), "recent activity in words");
    let (_, tasks) = page(&app, "/tasks").await;
    assert!(tasks.contains("overdue"));
    let (status, html) = page(&app, "/claims?limit=0").await;
    assert_eq!(status, 422);
    assert!(html.contains("must be a number from 1 to 200"));
}

/// The list pages read only the columns a row shows (a projection, not whole claims): every
/// cell of a row is still there, on the list, the tasks page and the dashboard.
#[tokio::test]
async fn list_rows_show_every_column_they_read_on_the_list_tasks_and_dashboard() {
    use claimtracker::schema::{claims, users};
    let app = TestApp::spawn().await;
    let (_, editor_token) = user_with_token(&app, "editor").await;
    let (reviewer, _) = app.create_user("reviewer").await;
    let reviewer_name: String = users::table
        .filter(users::email.eq(&reviewer))
        .select(users::name)
        .first(&mut app.db.conn())
        .unwrap();
    app.signed_in("editor").await;
    let id = seed_claim(&app, "open");
    let article_id: i64 = diesel::update(claims::table.find(id))
        .set((
            claims::speaker.eq("Minister Quill"),
            claims::score.eq(0.75f32),
        ))
        .returning(claims::article_id)
        .get_result(&mut app.db.conn())
        .unwrap();
    let res = post_json(
        &app,
        &editor_token,
        &format!("/api/v1/claims/{id}/assign"),
        json!({"version": 1, "assignee": reviewer, "due_at": "2020-01-02T03:04:00Z"}),
    )
    .await;
    assert_eq!(res.status(), 200);

    let (status, list) = page(&app, "/claims").await;
    assert_eq!(status, 200);
    for (what, needle) in [
        (
            "claim link",
            format!("<a href=\"/claims/{id}\">Seeded claim number 0"),
        ),
        ("article link", format!("href=\"/articles/{article_id}\"")),
        ("speaker", "<td>Minister Quill</td>".to_string()),
        ("score", "<td>0.75</td>".to_string()),
        ("assignee", format!("<td>{reviewer_name}</td>")),
        (
            "overdue",
            "<strong class=\"overdue\">overdue</strong> 2020-01-02".to_string(),
        ),
        ("checkbox at the version", format!("value=\"{id}:2\"")),
        ("status", "in review".to_string()),
    ] {
        assert!(list.contains(&needle), "/claims shows the {what}: {needle}");
    }
    let (_, tasks) = page(&app, &format!("/tasks?reviewer={reviewer}")).await;
    assert!(tasks.contains(&format!("/claims/{id}")) && tasks.contains("2020-01-02"));
    let (_, home) = page(&app, "/").await;
    assert!(
        home.contains(&format!("<span class=\"muted\">· {reviewer_name}</span>")),
        "the dashboard's overdue list names the assignee"
    );
    assert!(home.contains("<span class=\"overdue\">due 2020-01-02"));
    assert!(
        home.contains(&format!(
            " — <a href=\"/claims/{id}\">Seeded claim number 0 says 3.5% more</a>"
        )),
        "recent activity names its claim by text (the events joined to their claims)"
    );
}

/// Every (status, step, role, ownership) the database can hold, through the service against
/// PostgreSQL: the service does exactly what the transition table decides (403 when the role
/// may not, 409 when the status has no such edge), and the database's constraints and triggers
/// accept every move the table allows. Combinations the schema itself forbids (a candidate with
/// an assignee, work in review without one) are counted as refused by the database.
#[tokio::test]
async fn the_service_and_the_database_follow_the_transition_table_in_every_combination() {
    use claimtracker::audit::AuditContext;
    use claimtracker::auth::policy::{Ownership, allowed};
    use claimtracker::auth::{Action, Role};
    use claimtracker::claims::model::ClaimStatus;
    use claimtracker::error::AppError;
    use claimtracker::schema::{claims, evidence, verdicts};
    use claimtracker::verification::model::{AssignInput, EvidenceInput, Refusal, Step, decide};
    use claimtracker::verification::service;

    let app = TestApp::spawn().await;
    let mut users = vec![];
    for role in Role::ALL {
        let (email, _) = app.create_user(role.as_str()).await;
        let id = app.user_id(&email);
        users.push((
            role,
            claimtracker::auth::CurrentUser {
                id,
                email: email.clone(),
                name: email,
                role,
            },
        ));
    }
    let (other, _) = app.create_user("reviewer").await;
    let other_id = app.user_id(&other);
    let seeded = seed_claim(&app, "open");
    let mut conn = app.db.conn();
    let article_id: i64 = claims::table
        .find(seeded)
        .select(claims::article_id)
        .first(&mut conn)
        .unwrap();
    let ctx = AuditContext::system();
    let (mut checked, mut impossible) = (0, 0);
    for status in ClaimStatus::ALL {
        for ownership in [Ownership::Own, Ownership::Others, Ownership::Unassigned] {
            for step in Step::ALL {
                for (role, user) in &users {
                    let assignee = match ownership {
                        Ownership::Own => Some(user.id),
                        Ownership::Others => Some(other_id),
                        _ => None,
                    };
                    // Inserted as it is (the trigger guards moves, not new rows); a decided claim
                    // with its verdict.
                    let text = "The budget grew by 3.5% last year";
                    let arranged = diesel::insert_into(claims::table)
                        .values((
                            claims::article_id.eq(article_id),
                            claims::text.eq(text),
                            claims::quote_exact.eq(text),
                            claims::quote_prefix.eq(""),
                            claims::quote_suffix.eq(""),
                            claims::quote_start.eq(0),
                            claims::quote_end.eq(text.chars().count() as i32),
                            claims::kind.eq("assertion"),
                            claims::score.eq(0.5f32),
                            claims::origin.eq("extracted"),
                            claims::status.eq(status.as_str()),
                            claims::assignee_id.eq(assignee),
                        ))
                        .returning(claims::id)
                        .get_result::<i64>(&mut conn);
                    let Ok(id) = arranged else {
                        impossible += 1;
                        continue;
                    };
                    if matches!(status, ClaimStatus::Verified | ClaimStatus::Disputed) {
                        diesel::insert_into(verdicts::table)
                            .values((
                                verdicts::claim_id.eq(id),
                                verdicts::verdict.eq(status.as_str()),
                                verdicts::rationale.eq("earlier"),
                                verdicts::decided_by.eq(other_id),
                            ))
                            .execute(&mut conn)
                            .unwrap();
                    }
                    diesel::insert_into(evidence::table)
                        .values((
                            evidence::claim_id.eq(id),
                            evidence::url.eq("https://example.org"),
                            evidence::note.eq("n"),
                            evidence::stance.eq("supports"),
                            evidence::added_by.eq(other_id),
                        ))
                        .execute(&mut conn)
                        .unwrap();
                    let version: i32 = claims::table
                        .find(id)
                        .select(claims::version)
                        .first(&mut conn)
                        .unwrap();
                    // The assign endpoint takes (a reviewer, for themself) or assigns (anyone else).
                    let effective = match step {
                        Step::Take if allowed(*role, Action::Assign, ownership) => Step::Assign,
                        s => s,
                    };
                    let want = decide(*role, ownership, status, effective);
                    let got = match step {
                        Step::Assign | Step::Take => {
                            let to = if step == Step::Take {
                                &user.email
                            } else {
                                &other
                            };
                            let input = AssignInput::parse(to, None, None).unwrap();
                            service::assign(&mut conn, &ctx, user, id, version, &input)
                                .map(|c| c.status())
                        }
                        Step::AddEvidence => {
                            let input = EvidenceInput::parse(
                                "https://example.org/e",
                                None,
                                "note",
                                "context",
                            )
                            .unwrap();
                            service::add_evidence(&mut conn, &ctx, user, id, &input)
                                .map(|c| c.status())
                        }
                        Step::Comment => {
                            service::add_comment(&mut conn, &ctx, user, id, "a comment")
                                .map(|(c, _)| c.status())
                        }
                        Step::Verdict(v) => service::give_verdict(
                            &mut conn,
                            &ctx,
                            user,
                            id,
                            version,
                            v.as_str(),
                            "because",
                        )
                        .map(|c| c.status()),
                        Step::Reopen => {
                            service::reopen(&mut conn, &ctx, user, id, version, "new facts")
                                .map(|c| c.status())
                        }
                    };
                    let label = format!("{role} {step:?} on a {status:?} claim ({ownership:?})");
                    match (want, got) {
                        (Ok(next), Ok(now)) => assert_eq!(now, next, "{label}"),
                        (Err(Refusal::NotAllowed), Err(AppError::Forbidden(_))) => {}
                        (
                            Err(Refusal::WrongStatus),
                            Err(AppError::Conflict {
                                code: "invalid_transition",
                                ..
                            }),
                        ) => {}
                        (want, got) => {
                            panic!("{label}: the table says {want:?}, the service did {got:?}")
                        }
                    }
                    checked += 1;
                }
            }
        }
    }
    // 6 statuses × 3 ownerships × 7 steps × 4 roles, less what the schema cannot hold:
    // candidate/rejected with an assignee (2 × 2) and in_review/verified/disputed without (3 × 1).
    assert_eq!(impossible, (2 * 2 + 3) * 7 * 4);
    assert_eq!(checked, 6 * 3 * 7 * 4 - impossible);
}

/// Pages and the API keep the user directory between requests while its version stays the
/// same (`PeopleCache`); a rename or a role change must show at the very next request.
#[tokio::test]
async fn a_renamed_or_demoted_user_shows_as_such_at_the_next_request() {
    let app = TestApp::spawn().await;
    let (id, reviewer, _, editor_token) = claim_in_review(&app).await;
    app.signed_in("editor").await;
    let reviewer_id = app.user_id(&reviewer);
    let old_name = {
        use claimtracker::schema::users;
        users::table
            .find(reviewer_id)
            .select(users::name)
            .first::<String>(&mut app.db.conn())
            .unwrap()
    };
    let pages = || async {
        let claim = app
            .get(&format!("/claims/{id}"))
            .await
            .text()
            .await
            .unwrap();
        let list = app.get("/claims").await.text().await.unwrap();
        let api = get_json(&app, &editor_token, "/api/v1/claims?status=in_review")
            .await
            .json::<Value>()
            .await
            .unwrap();
        let api_name = api["items"][0]["assignee"]["name"]
            .as_str()
            .unwrap()
            .to_string();
        (claim, list, api_name)
    };
    // Twice: the second time the directory comes from the copy kept by the first.
    for _ in 0..2 {
        let (claim, list, api_name) = pages().await;
        assert!(claim.contains(&format!("assigned to <strong>{old_name}</strong>")));
        assert!(list.contains(&format!("<td>{old_name}</td>")));
        assert_eq!(api_name, old_name);
    }

    // Renamed behind the app's back, as a database administrator would.
    {
        use claimtracker::schema::users;
        diesel::update(users::table.find(reviewer_id))
            .set(users::name.eq("Renata Reviewer"))
            .execute(&mut app.db.conn())
            .unwrap();
    }
    let (claim, list, api_name) = pages().await;
    assert!(claim.contains("assigned to <strong>Renata Reviewer</strong>"));
    assert!(list.contains("<td>Renata Reviewer</td>"));
    assert!(!list.contains(&old_name));
    assert_eq!(api_name, "Renata Reviewer");

    // Demoted to viewer: no longer offered for assignment.
    let option = format!("<option value=\"{reviewer}\"");
    assert!(list.contains(&option));
    claimtracker::auth::service::change_role(
        &mut app.db.conn(),
        &claimtracker::audit::AuditContext::system(),
        reviewer_id,
        "viewer",
    )
    .unwrap();
    let (_, list, _) = pages().await;
    assert!(
        !list.contains(&option),
        "a viewer is offered for assignment"
    );
}

/// The activity page shows every event once, newest first, fifty a page, each claim's event
/// naming the claim by its text; the last page has no link onwards.
#[tokio::test]
async fn the_activity_pages_walk_every_event_newest_first() {
    use claimtracker::audit::model::{Actor, AuditContext, Event};
    let app = TestApp::spawn().await;
    app.signed_in("editor").await;
    let id = seed_claim(&app, "open");
    let mut conn = app.db.conn();
    let article: i64 = {
        use claimtracker::schema::claims;
        claims::table
            .find(id)
            .select(claims::article_id)
            .first(&mut conn)
            .unwrap()
    };
    let ctx = AuditContext {
        actor: Actor::System,
        request_id: None,
    };
    let events = (0..120).map(|i| {
        Event::evidence_added(
            i,
            id,
            article,
            json!({"url": "https://example.org/x", "note": format!("note {i}"), "stance": "context"}),
        )
    });
    conn.transaction(|c| claimtracker::audit::service::append(c, &ctx, events))
        .unwrap();
    let stored: Vec<i64> = {
        use claimtracker::schema::audit_events as e;
        e::table
            .order(e::seq.desc())
            .select(e::seq)
            .load(&mut conn)
            .unwrap()
    };
    assert!(stored.len() > 120);
    let (mut shown, mut path, mut pages) = (vec![], "/activity".to_string(), 0);
    loop {
        let (status, html) = page(&app, &path).await;
        assert_eq!(status, 200, "{path}");
        pages += 1;
        let seqs: Vec<i64> = html
            .split("<p class=\"hash muted\">event ")
            .skip(1)
            .filter_map(|s| s.split(' ').next()?.parse().ok())
            .collect();
        assert!(seqs.len() <= 50, "{path}: {} events", seqs.len());
        shown.extend(seqs);
        let next = html
            .split("href=\"/activity?before=")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .map(str::to_string);
        match next {
            Some(before) => path = format!("/activity?before={before}"),
            None => break,
        }
        if pages == 1 {
            assert!(
                html.contains("— note 119 — <a href="),
                "the newest event in words"
            );
            assert!(
                html.contains("Seeded claim number 0"),
                "events name their claim by its text"
            );
        }
    }
    assert_eq!(shown, stored);
    assert_eq!(pages, stored.len().div_ceil(50));
}
