//! Accounts, sessions, CSRF, roles and API tokens (issue 4), black-box over HTTP with CSRF checks
//! on and a real PostgreSQL. Each test names the check of the issue it proves.

use std::time::Duration;

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, TestDb, client, csrf_in, session_cookie, test_config};

fn count(app: &TestApp, sql: &str) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(sql)
        .get_result::<N>(&mut app.db.conn())
        .unwrap()
        .n
}

fn text(app: &TestApp, sql: &str) -> String {
    #[derive(QueryableByName)]
    struct T {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    diesel::sql_query(sql)
        .get_result::<T>(&mut app.db.conn())
        .unwrap()
        .t
}

/// Everything a POST could change, as one comparable string.
fn snapshot(app: &TestApp) -> String {
    text(
        app,
        "SELECT concat_ws(' | ',
            (SELECT string_agg(concat_ws(',', id, email, role, active, password_hash), ';' ORDER BY id) FROM users),
            (SELECT string_agg(concat_ws(',', id, label, revoked_at), ';' ORDER BY id) FROM api_tokens),
            (SELECT string_agg(key_hash, ';' ORDER BY key_hash) FROM sessions),
            (SELECT count(*)::text FROM audit_events),
            (SELECT count(*)::text FROM login_failures)) AS t",
    )
}

async fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

/// A request carrying exactly this cookie, with no cookie store (a replayed cookie).
async fn get_with_cookie(app: &TestApp, path: &str, cookie: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

// ---- sessions ----

#[tokio::test]
async fn the_session_id_rotates_at_login_and_the_pre_login_one_is_dead() {
    let app = TestApp::spawn().await;
    let (email, password) = app.create_user("reviewer").await;

    let page = app.get("/login").await;
    let before = session_cookie(&page).expect("the login page starts an anonymous session");
    let token = csrf_in(&page.text().await.unwrap());
    let res = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("email", &*email),
            ("password", &*password),
            ("csrf_token", &*token),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 303);
    let after = session_cookie(&res).expect("sign-in sets a new session cookie");
    assert_ne!(before, after, "the session id changes at sign-in");
    assert_eq!(app.get("/account").await.status(), 200);
    let replay = get_with_cookie(&app, "/account", &before).await;
    assert_eq!(replay.status(), 303, "the pre-login session is gone");
    assert!(location(&replay).await.starts_with("/login"));
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_events WHERE action = 'user.login' AND request_id IS NOT NULL"
        ),
        1,
        "the request id is on the record"
    );
    let (actor, entity, _, after_json) = app.last_event("user.login").unwrap();
    assert_eq!(actor, "user");
    assert_eq!(entity, Some(app.user_id(&email)));
    assert_eq!(after_json.unwrap()["ip"], "127.0.0.1");
}

#[tokio::test]
async fn a_logged_out_cookie_replayed_gets_nothing() {
    let app = TestApp::spawn().await;
    let (email, password) = app.create_user("editor").await;
    let login = app.login(&email, &password).await;
    let cookie = session_cookie(&login).unwrap();
    assert_eq!(
        get_with_cookie(&app, "/account", &cookie).await.status(),
        200
    );

    let res = app.post_form("/logout", &[]).await;

    assert_eq!(res.status(), 303);
    assert_eq!(location(&res).await, "/login");
    let replay = get_with_cookie(&app, "/account", &cookie).await;
    assert_eq!(replay.status(), 303);
    assert!(location(&replay).await.starts_with("/login"));
    let id = app.user_id(&email);
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) AS n FROM sessions WHERE user_id = {id}")
        ),
        0
    );
    let (actor, entity, _, _) = app.last_event("user.logout").unwrap();
    assert_eq!((actor.as_str(), entity), ("user", Some(id)));
}

#[tokio::test]
async fn an_idle_session_expires() {
    let db = TestDb::new();
    let mut config = test_config(&db);
    config.session_idle_timeout = Duration::from_secs(1);
    let app = TestApp::spawn_with(db, config).await;
    let (email, password) = app.create_user("viewer").await;
    let cookie = session_cookie(&app.login(&email, &password).await).unwrap();
    assert_eq!(get_with_cookie(&app, "/", &cookie).await.status(), 200);

    tokio::time::sleep(Duration::from_millis(2200)).await;
    let res = get_with_cookie(&app, "/", &cookie).await;

    assert_eq!(res.status(), 303, "idle past the timeout: signed out");
}

#[tokio::test]
async fn page_views_push_the_idle_expiry_at_most_once_a_tenth_of_the_timeout() {
    // Idle timeout 20 min: the expiry moves at most once a minute.
    let db = TestDb::new();
    let mut config = test_config(&db);
    config.session_idle_timeout = Duration::from_secs(20 * 60);
    let app = TestApp::spawn_with(db, config).await;
    let (email, password) = app.create_user("viewer").await;
    let cookie = session_cookie(&app.login(&email, &password).await).unwrap();
    let expiry = || text(&app, "SELECT max(expires_at)::text AS t FROM sessions");
    let first = expiry();
    for path in ["/", "/claims", "/tasks"] {
        assert_eq!(get_with_cookie(&app, path, &cookie).await.status(), 200);
    }
    assert_eq!(expiry(), first, "no write on every page view");

    // A minute later (the row made to look so), the next view pushes it. (Through a page that
    // reads its session itself: pages that keep it go by their own clock, tested below.)
    count(
        &app,
        "WITH t AS (UPDATE sessions SET last_seen_at = last_seen_at - interval '2 minutes' \
         RETURNING 1) SELECT count(*) AS n FROM t",
    );
    assert_eq!(get_with_cookie(&app, "/tasks", &cookie).await.status(), 200);
    assert!(
        expiry() > first,
        "a view after the interval pushes the expiry"
    );
}

#[tokio::test]
async fn a_busy_session_still_ends_at_the_absolute_timeout() {
    let db = TestDb::new();
    let mut config = test_config(&db);
    config.session_idle_timeout = Duration::from_secs(60);
    config.session_absolute_timeout = Duration::from_secs(2);
    let app = TestApp::spawn_with(db, config).await;
    let (email, password) = app.create_user("viewer").await;
    let cookie = session_cookie(&app.login(&email, &password).await).unwrap();
    for _ in 0..3 {
        assert_eq!(get_with_cookie(&app, "/", &cookie).await.status(), 200);
        tokio::time::sleep(Duration::from_millis(400)).await;
    }

    tokio::time::sleep(Duration::from_millis(1200)).await;
    let res = get_with_cookie(&app, "/", &cookie).await;

    assert_eq!(res.status(), 303, "past the absolute timeout: signed out");
}

#[tokio::test]
async fn pages_that_read_the_session_with_their_data_end_a_deactivated_users_session() {
    // The dashboard, the list and a claim page read the session in their own blocking task;
    // a user deactivated behind the app's back (no session rows deleted) is out on each.
    let app = TestApp::spawn().await;
    let (email, password) = app.create_user("reviewer").await;
    let id = app.user_id(&email);
    let claim = seed_claim(&app);
    let paths = [
        "/".to_string(),
        "/claims".into(),
        format!("/claims/{claim}"),
    ];
    let mut cookies = vec![];
    for _ in 0..3 {
        let login = app.login_with(&client(), &email, &password).await;
        cookies.push(session_cookie(&login).unwrap());
    }
    for (path, cookie) in paths.iter().zip(&cookies) {
        assert_eq!(
            get_with_cookie(&app, path, cookie).await.status(),
            200,
            "{path}"
        );
    }
    let deactivated = count(
        &app,
        &format!(
            "WITH t AS (UPDATE users SET active = false, deactivated_at = now() \
             WHERE id = {id} RETURNING 1) SELECT count(*) AS n FROM t"
        ),
    );
    assert_eq!(deactivated, 1);

    for (path, cookie) in paths.iter().zip(&cookies) {
        let res = get_with_cookie(&app, path, cookie).await;
        assert_eq!(res.status(), 303, "{path}");
        assert!(location(&res).await.starts_with("/login"), "{path}");
        let removal = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.starts_with("ct_session=;") && v.contains("Max-Age=0"));
        assert!(removal, "{path}: the cookie is removed");
    }
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) AS n FROM sessions WHERE user_id = {id}")
        ),
        0,
        "each page view purged its session"
    );
}

/// A claim for the session tests: an article with one candidate claim; its id.
fn seed_claim(app: &TestApp) -> i64 {
    count(
        app,
        "WITH a AS (INSERT INTO articles (title, raw_text, body_text, content_hash) \
           VALUES ('Seeded', 'It rose 3%.', 'It rose 3%.', 'seeded') RETURNING id), \
         c AS (INSERT INTO claims (article_id, text, quote_exact, quote_prefix, quote_suffix, \
           quote_start, quote_end, kind, score, origin, status) \
           SELECT id, 'It rose 3%.', 'It rose 3%.', '', '', 0, 11, 'assertion', 0.5, \
           'extracted', 'candidate' FROM a RETURNING id) \
         SELECT id AS n FROM c",
    )
}

/// The pages that keep the session they read, what a view of each answers, and whether its
/// query has rows to carry the session's check (else the session is read).
fn kept_session_pages(claim: i64) -> [(String, u16, bool); 6] {
    [
        ("/".to_string(), 200, true),
        ("/claims".into(), 200, true),
        (format!("/claims/{claim}"), 200, true),
        ("/claims?speaker=Nobody%20Such".into(), 200, false),
        ("/claims/999999999".into(), 404, false),
        // A reviewer with no claims in review.
        ("/tasks".into(), 200, false),
    ]
}

/// Signs in afresh and views `path` twice (the second view is answered for the kept session);
/// the session cookie.
async fn signed_in_and_kept(
    app: &TestApp,
    (email, password): (&str, &str),
    path: &str,
    expected: u16,
) -> String {
    let cookie = session_cookie(&app.login(email, password).await).unwrap();
    for _ in 0..2 {
        let status = get_with_cookie(app, path, &cookie).await.status();
        assert_eq!(status.as_u16(), expected, "{path}");
    }
    cookie
}

#[tokio::test]
async fn a_session_ended_elsewhere_is_dead_on_the_next_view_of_every_page() {
    // The list, a claim and the dashboard keep the session they read and check it inside their
    // own query. A session ended by another instance (its row deleted) must still be dead on the
    // very next view, also when the page's query finds no rows to carry the check.
    let app = TestApp::spawn().await;
    let (email, password) = app.create_user("reviewer").await;
    for (path, expected, _) in kept_session_pages(seed_claim(&app)) {
        let cookie = signed_in_and_kept(&app, (&email, &password), &path, expected).await;
        let ended = count(
            &app,
            "WITH t AS (DELETE FROM sessions RETURNING 1) SELECT count(*) AS n FROM t",
        );
        assert_eq!(ended, 1);

        let res = get_with_cookie(&app, &path, &cookie).await;
        assert_eq!(res.status(), 303, "{path}");
        assert!(location(&res).await.starts_with("/login"), "{path}");
    }
}

#[tokio::test]
async fn a_kept_session_is_not_read_again_while_its_query_finds_it_unchanged() {
    // What shows the kept session is used: its stored state emptied without a new version (a
    // write no part of the app makes) is not seen by a page whose query has rows to carry the
    // check; a page whose query finds none reads the session, finds nobody and signs out.
    let app = TestApp::spawn().await;
    let (email, password) = app.create_user("reviewer").await;
    for (path, expected, carried) in kept_session_pages(seed_claim(&app)) {
        let cookie = signed_in_and_kept(&app, (&email, &password), &path, expected).await;
        count(
            &app,
            "WITH t AS (UPDATE sessions SET state = '{}' RETURNING 1) \
             SELECT count(*) AS n FROM t",
        );

        let status = get_with_cookie(&app, &path, &cookie).await.status();
        assert_eq!(
            status.as_u16(),
            if carried { expected } else { 303 },
            "{path}"
        );
        count(
            &app,
            "WITH t AS (DELETE FROM sessions RETURNING 1) SELECT count(*) AS n FROM t",
        );
    }
}

#[tokio::test]
async fn a_kept_session_shows_a_role_changed_and_state_written_elsewhere_at_once() {
    let app = TestApp::spawn().await;
    let (email, password) = app.create_user("editor").await;
    let id = app.user_id(&email);
    seed_claim(&app);
    let cookie = session_cookie(&app.login(&email, &password).await).unwrap();
    let bulk_form = "Assign the selected claims";
    for _ in 0..2 {
        let res = get_with_cookie(&app, "/claims", &cookie).await;
        assert_eq!(res.status(), 200);
        assert!(
            res.text().await.unwrap().contains(bulk_form),
            "an editor assigns"
        );
    }

    // An admin on another instance makes the editor a viewer.
    count(
        &app,
        &format!(
            "WITH t AS (UPDATE users SET role = 'viewer' WHERE id = {id} RETURNING 1) \
             SELECT count(*) AS n FROM t"
        ),
    );
    let res = get_with_cookie(&app, "/claims", &cookie).await;
    assert_eq!(res.status(), 200);
    assert!(
        !res.text().await.unwrap().contains(bulk_form),
        "the next view is a viewer's"
    );

    // Another instance writes the session's state (a message for the next page), as the
    // session layer does: a new version with it.
    for _ in 0..2 {
        assert_eq!(get_with_cookie(&app, "/", &cookie).await.status(), 200);
    }
    let written = count(
        &app,
        "WITH t AS (UPDATE sessions SET state = state || jsonb_build_object('flash', \
           '{\"kind\":\"info\",\"message\":\"Written elsewhere\"}'), \
           version = version + 1 RETURNING 1) SELECT count(*) AS n FROM t",
    );
    assert_eq!(written, 1);
    let page = get_with_cookie(&app, "/", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Written elsewhere"), "the new state is shown");
    let page = get_with_cookie(&app, "/", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Written elsewhere"), "and taken, once");
}

#[tokio::test]
async fn a_kept_session_is_read_again_when_its_idle_expiry_is_due_a_push() {
    // Idle timeout 50 s: the expiry is pushed at most every 5 s, also for kept sessions.
    let db = TestDb::new();
    let mut config = test_config(&db);
    config.session_idle_timeout = Duration::from_secs(50);
    let app = TestApp::spawn_with(db, config).await;
    let (email, password) = app.create_user("viewer").await;
    let cookie = session_cookie(&app.login(&email, &password).await).unwrap();
    let expiry = || text(&app, "SELECT max(expires_at)::text AS t FROM sessions");
    let first = expiry();
    for _ in 0..3 {
        assert_eq!(
            get_with_cookie(&app, "/claims", &cookie).await.status(),
            200
        );
    }
    assert_eq!(expiry(), first, "no write on every page view");

    tokio::time::sleep(Duration::from_millis(5100)).await;
    assert_eq!(
        get_with_cookie(&app, "/claims", &cookie).await.status(),
        200
    );
    assert!(
        expiry() > first,
        "a view after the interval pushes the expiry"
    );
}

#[tokio::test]
async fn the_session_cookie_is_httponly_samesite_lax_path_root_and_secure_when_configured() {
    let db = TestDb::new();
    let mut config = test_config(&db);
    config.cookie_secure = true;
    let app = TestApp::spawn_with(db, config).await;

    let res = app.get("/login").await;

    let set_cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("ct_session="))
        .unwrap();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure"] {
        assert!(set_cookie.contains(flag), "{flag} missing: {set_cookie}");
    }

    // Plain-http development switches Secure off, and only that.
    let plain = TestApp::spawn().await;
    let res = plain.get("/login").await;
    let set_cookie = session_cookie_header(&res);
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));
}

fn session_cookie_header(res: &reqwest::Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("ct_session="))
        .unwrap()
}

#[tokio::test]
async fn session_keys_are_stored_only_as_sha256() {
    let app = TestApp::spawn().await;
    app.signed_in("viewer").await;

    let hashes: Vec<String> = {
        use claimtracker::schema::sessions;
        sessions::table
            .select(sessions::key_hash)
            .load(&mut app.db.conn())
            .unwrap()
    };

    assert!(!hashes.is_empty());
    for h in hashes {
        assert_eq!(h.len(), 64);
        assert!(h.chars().all(|c| c.is_ascii_hexdigit()));
    }
}

// ---- deactivation and password changes ----

#[tokio::test]
async fn deactivation_ends_the_users_sessions_and_tokens_at_once() {
    let app = TestApp::spawn().await;
    let (victim, victim_pw) = app.create_user("reviewer").await;
    let victim_browser = client();
    assert_eq!(
        app.login_with(&victim_browser, &victim, &victim_pw)
            .await
            .status(),
        303
    );
    let token = app.token_for(&victim).await;
    let bearer = format!("Bearer {token}");
    let me = app
        .client
        .get(app.url("/api/v1/me"))
        .header("authorization", &bearer);
    assert_eq!(me.send().await.unwrap().status(), 200);
    app.signed_in("admin").await;
    let id = app.user_id(&victim);

    let res = app
        .post_form(&format!("/admin/users/{id}/deactivate"), &[])
        .await;

    assert_eq!(res.status(), 303);
    let page = victim_browser
        .get(app.url("/account"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 303, "the session is over");
    let api = app
        .client
        .get(app.url("/api/v1/me"))
        .header("authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401, "the token is over");
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) AS n FROM sessions WHERE user_id = {id}")
        ),
        0
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM api_tokens WHERE user_id = {id} AND revoked_at IS NULL"
            )
        ),
        0
    );
    assert_eq!(
        app.login_with(&client(), &victim, &victim_pw)
            .await
            .status(),
        422,
        "a deactivated user cannot sign in"
    );
    let (actor, entity, before, after) = app.last_event("user.deactivated").unwrap();
    assert_eq!((actor.as_str(), entity), ("user", Some(id)));
    assert_eq!(before.unwrap()["active"], true);
    assert_eq!(after.unwrap()["active"], false);
    assert!(app.last_event("token.revoked").is_some());
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions_and_all_tokens() {
    let app = TestApp::spawn().await;
    let (email, password) = app.signed_in("reviewer").await;
    let other_browser = client();
    app.login_with(&other_browser, &email, &password).await;
    let token = app.token_for(&email).await;

    let res = app
        .post_form(
            "/account/password",
            &[
                ("current_password", &password),
                ("new_password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await;

    assert_eq!(res.status(), 303);
    assert_eq!(
        app.get("/account").await.status(),
        200,
        "this browser carries on"
    );
    let other = other_browser.get(app.url("/account")).send().await.unwrap();
    assert_eq!(other.status(), 303, "the other session ended");
    let api = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401);
    assert_eq!(
        app.login_with(&client(), &email, &password).await.status(),
        422
    );
    assert_eq!(
        app.login_with(&client(), &email, "a brand new passphrase")
            .await
            .status(),
        303
    );
    let (_, entity, _, after) = app.last_event("user.password_changed").unwrap();
    assert_eq!(entity, Some(app.user_id(&email)));
    assert_eq!(after.unwrap(), serde_json::json!({"reset_by_admin": false}));
}

#[tokio::test]
async fn a_wrong_current_password_rerenders_the_form_with_422_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.signed_in("viewer").await;
    let before = snapshot(&app);

    let res = app
        .post_form(
            "/account/password",
            &[
                ("current_password", "not my password at all"),
                ("new_password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await;

    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("not your current password")
    );
    assert_eq!(snapshot(&app), before);
}

// ---- CSRF ----

/// A form that would really change something at `path` (ids filled in), so that a refusal
/// is shown to change nothing.
fn form_for(path: &str) -> Vec<(&'static str, String)> {
    match path {
        "/login" => vec![
            ("email", "x@example.org".into()),
            ("password", "whatever whatever".into()),
        ],
        "/account/password" => vec![
            ("current_password", "x".into()),
            ("new_password", "a brand new passphrase".into()),
            ("confirm_password", "a brand new passphrase".into()),
        ],
        "/account/tokens" => vec![("label", "csrf probe".into())],
        "/admin/users" => vec![
            ("email", "new@example.org".into()),
            ("name", "New".into()),
            ("role", "admin".into()),
            ("password", "a brand new passphrase".into()),
        ],
        p if p.ends_with("/role") => vec![("role", "admin".into())],
        p if p.ends_with("/password") => vec![("password", "a brand new passphrase".into())],
        _ => vec![],
    }
}

/// (what is wrong, the token sent, an extra header).
type Case<'a> = (&'a str, Option<&'a str>, Option<(&'a str, &'a str)>);

#[tokio::test]
async fn every_post_route_refuses_a_missing_wrong_foreign_or_cross_origin_token_and_changes_nothing()
 {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signed_in("admin").await;
    let (victim, _) = app.create_user("reviewer").await;
    let victim_id = app.user_id(&victim);
    app.token_for(&admin).await;
    let token_id = count(&app, "SELECT max(id) AS n FROM api_tokens");
    let (other, other_pw) = app.create_user("editor").await;
    let other_browser = client();
    app.login_with(&other_browser, &other, &other_pw).await;
    let foreign_token = app.csrf_of(&other_browser, "/account").await;
    let own_token = app.csrf_of(&app.client, "/account").await;
    assert_ne!(own_token, foreign_token);

    let routes = claimtracker::startup::post_routes();
    assert!(routes.contains(&"/login") && routes.contains(&"/logout"));
    let mut paths: Vec<String> = routes
        .iter()
        .map(|r| {
            r.replace(
                "{id}",
                &if r.starts_with("/account/tokens") {
                    token_id.to_string()
                } else {
                    victim_id.to_string()
                },
            )
        })
        .collect();
    // An unlisted path: the middleware covers it too.
    paths.push("/no/such/route".into());
    let before = snapshot(&app);

    for path in &paths {
        let form = form_for(path.split('?').next().unwrap());
        let cases: Vec<Case> = vec![
            ("missing", None, None),
            ("wrong", Some("0123456789abcdef"), None),
            ("another session's", Some(&foreign_token), None),
            (
                "cross-origin",
                Some(&own_token),
                Some(("origin", "http://evil.example")),
            ),
            (
                "cross-site",
                Some(&own_token),
                Some(("sec-fetch-site", "cross-site")),
            ),
            ("null origin", Some(&own_token), Some(("origin", "null"))),
        ];
        for (case, csrf, header) in cases {
            let mut fields: Vec<(&str, String)> = form.clone();
            if let Some(t) = csrf {
                fields.push(("csrf_token", t.to_string()));
            }
            let mut req = app.client.post(app.url(path)).form(&fields);
            if let Some((name, value)) = header {
                req = req.header(name, value);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 403, "{case} token on POST {path}");
            let html = res.text().await.unwrap();
            assert!(
                html.contains("Reload the page"),
                "{case} on {path}: the CSRF page\n{html}"
            );
        }
        // The X-CSRF-Token header is checked the same way.
        let res = app
            .client
            .post(app.url(path))
            .header("x-csrf-token", &foreign_token)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "foreign header token on {path}");
    }

    assert_eq!(
        snapshot(&app),
        before,
        "no refused request changed anything"
    );
    // The admin is still signed in, and a same-origin request with the right token works.
    let ok = app
        .client
        .post(app.url("/account/tokens"))
        .header("origin", &app.address)
        .header("sec-fetch-site", "same-origin")
        .form(&[("label", "works"), ("csrf_token", &own_token)])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 201);
    assert_eq!(
        app.last_event("token.created").unwrap().3.unwrap()["label"],
        "works"
    );
}

#[tokio::test]
async fn the_login_form_itself_needs_the_anonymous_sessions_token() {
    let app = TestApp::spawn().await;
    let (email, password) = app.create_user("viewer").await;
    let fresh = client();

    let res = fresh
        .post(app.url("/login"))
        .form(&[("email", &*email), ("password", &*password)])
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 403);
    assert!(session_cookie(&res).is_none());
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM sessions WHERE user_id IS NOT NULL"
        ),
        0
    );
    assert!(app.last_event("user.login").is_none());
}

#[tokio::test]
async fn the_public_url_is_an_accepted_origin() {
    let db = TestDb::new();
    let mut config = test_config(&db);
    config.public_url = Some("https://claims.example.org".into());
    let app = TestApp::spawn_with(db, config).await;
    let (email, password) = app.create_user("viewer").await;
    let token = csrf_in(&app.get("/login").await.text().await.unwrap());

    let res = app
        .client
        .post(app.url("/login"))
        .header("origin", "https://claims.example.org")
        .form(&[
            ("email", &*email),
            ("password", &*password),
            ("csrf_token", &*token),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn no_get_route_changes_anything() {
    let app = TestApp::spawn().await;
    app.signed_in("admin").await;
    let before = snapshot(&app);
    let events = app.audit_actions().len();

    for route in claimtracker::startup::page_routes() {
        if route.method != actix_web::http::Method::GET {
            continue;
        }
        let res = app.get(&route.path.replace("{id}", "1")).await;
        assert!(res.status().as_u16() < 500, "GET {}", route.path);
    }

    assert_eq!(app.audit_actions().len(), events);
    assert_eq!(snapshot(&app), before);
}

// ---- roles ----

#[tokio::test]
async fn reviewers_viewers_and_editors_get_403_on_admin_pages() {
    for role in ["reviewer", "viewer", "editor"] {
        let app = TestApp::spawn().await;
        app.signed_in(role).await;
        let before = snapshot(&app);

        let page = app.get("/admin/users").await;
        let create = app
            .post_form(
                "/admin/users",
                &[
                    ("email", "sneaky@example.org"),
                    ("name", "Sneaky"),
                    ("role", "admin"),
                    ("password", "a brand new passphrase"),
                ],
            )
            .await;

        assert_eq!(page.status(), 403, "{role} GET /admin/users");
        assert!(page.text().await.unwrap().contains("403"));
        assert_eq!(create.status(), 403, "{role} POST /admin/users");
        assert_eq!(snapshot(&app), before, "{role}: nothing created");
    }
}

/// The role × action matrix as users meet it in this pages (the full table of the
/// workflow actions is the unit test in `src/auth/policy.rs`).
#[tokio::test]
async fn each_role_reaches_what_the_policy_allows() {
    for (role, admin_allowed) in [
        ("admin", true),
        ("editor", false),
        ("reviewer", false),
        ("viewer", false),
    ] {
        let app = TestApp::spawn().await;
        let (email, _) = app.signed_in(role).await;

        assert_eq!(app.get("/").await.status(), 200, "{role} dashboard");
        assert_eq!(app.get("/account").await.status(), 200, "{role} account");
        let admin = app.get("/admin/users").await.status();
        assert_eq!(admin == 200, admin_allowed, "{role} admin page: {admin}");
        let token = app.post_form("/account/tokens", &[("label", "mine")]).await;
        assert_eq!(token.status(), 201, "{role} makes an API token");
        let me: Value = app
            .client
            .get(app.url("/api/v1/me"))
            .bearer_auth(app.token_for(&email).await)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["role"], role);
    }
}

#[tokio::test]
async fn an_admin_manages_users_and_each_change_is_audited() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signed_in("admin").await;

    let res = app
        .post_form(
            "/admin/users",
            &[
                ("email", "Ana@Example.org"),
                ("name", "Ana Reviewer"),
                ("role", "reviewer"),
                ("password", "a long enough passphrase"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let id = app.user_id("ana@example.org");
    let (actor, entity, _, after) = app.last_event("user.created").unwrap();
    assert_eq!((actor.as_str(), entity), ("user", Some(id)));
    let after = after.unwrap();
    assert_eq!(after["role"], "reviewer");
    assert!(after.get("password").is_none() && after.get("password_hash").is_none());
    let listing = app.get("/admin/users").await.text().await.unwrap();
    assert!(listing.contains("Ana Reviewer"));
    assert!(
        listing.contains("can now sign in"),
        "the flash after the redirect"
    );
    let again = app.get("/admin/users").await.text().await.unwrap();
    assert!(!again.contains("can now sign in"), "a flash is shown once");

    let res = app
        .post_form(&format!("/admin/users/{id}/role"), &[("role", "editor")])
        .await;
    assert_eq!(res.status(), 303);
    let (_, _, before, after) = app.last_event("user.role_changed").unwrap();
    assert_eq!(before.unwrap()["role"], "reviewer");
    assert_eq!(after.unwrap()["role"], "editor");

    let res = app
        .post_form(
            &format!("/admin/users/{id}/password"),
            &[("password", "reset by the admin now")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.last_event("user.password_changed").unwrap().3.unwrap(),
        serde_json::json!({"reset_by_admin": true})
    );
    let me = app.user_id(&admin);
    let own = app
        .post_form(
            &format!("/admin/users/{me}/password"),
            &[("password", "resetting myself here")],
        )
        .await;
    assert_eq!(
        own.status(),
        403,
        "an admin's own password goes through /account"
    );
    assert_eq!(
        app.login_with(&client(), "ana@example.org", "reset by the admin now")
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn a_bad_new_user_rerenders_with_422_keeping_the_input_and_a_duplicate_is_409() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signed_in("admin").await;
    let before = snapshot(&app);

    let short = app
        .post_form(
            "/admin/users",
            &[
                ("email", "keep.me@example.org"),
                ("name", "Keep Me"),
                ("role", "viewer"),
                ("password", "short"),
            ],
        )
        .await;
    let common = app
        .post_form(
            "/admin/users",
            &[
                ("email", "keep.me@example.org"),
                ("name", "Keep Me"),
                ("role", "viewer"),
                ("password", "Password123"),
            ],
        )
        .await;
    let duplicate = app
        .post_form(
            "/admin/users",
            &[
                ("email", &admin),
                ("name", "Again"),
                ("role", "viewer"),
                ("password", "a long enough passphrase"),
            ],
        )
        .await;

    assert_eq!(short.status(), 422);
    let html = short.text().await.unwrap();
    assert!(html.contains("value=\"keep.me@example.org\""), "email kept");
    assert!(html.contains("value=\"Keep Me\""), "name kept");
    assert!(html.contains("at least 10 characters"));
    assert_eq!(common.status(), 422);
    assert!(common.text().await.unwrap().contains("most common"));
    assert_eq!(duplicate.status(), 409);
    assert_eq!(snapshot(&app), before);
}

// ---- login, redirects, throttling ----

#[tokio::test]
async fn a_stranger_is_sent_to_login_and_back_to_a_local_path_only() {
    let app = TestApp::spawn().await;
    let (email, password) = app.create_user("viewer").await;

    let home = app.get("/").await;
    assert_eq!(home.status(), 303, "the dashboard needs a sign-in");
    assert_eq!(location(&home).await, "/login");
    let res = app.get("/account?tab=tokens").await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        location(&res).await,
        "/login?next=%2Faccount%3Ftab%3Dtokens"
    );
    let page = app
        .get("/login?next=%2Faccount%3Ftab%3Dtokens")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"next\" value=\"/account?tab=tokens\""));
    let token = csrf_in(&page);
    let res = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("email", &*email),
            ("password", &*password),
            ("csrf_token", &*token),
            ("next", "/account?tab=tokens"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res).await, "/account?tab=tokens");

    for evil in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let browser = client();
        let token = csrf_in(
            &browser
                .get(app.url("/login"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        );
        let res = browser
            .post(app.url("/login"))
            .form(&[
                ("email", &*email),
                ("password", &*password),
                ("csrf_token", &*token),
                ("next", evil),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&res).await, "/", "{evil}");
    }
}

#[tokio::test]
async fn a_wrong_password_rerenders_the_form_keeping_the_email_and_is_audited_without_it() {
    let app = TestApp::spawn().await;
    let (email, _) = app.create_user("viewer").await;

    let res = app.login(&email, "not the password 123").await;

    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("value=\"{email}\"")));
    assert!(html.contains("Wrong email or password"));
    let (actor, entity, _, after) = app.last_event("user.login_failed").unwrap();
    assert_eq!(
        (actor.as_str(), entity),
        ("system", Some(app.user_id(&email)))
    );
    let after = after.unwrap();
    assert_eq!(after["email"], email.as_str());
    assert!(!after.to_string().contains("not the password"));
}

#[tokio::test]
async fn five_failures_for_one_account_get_429_with_retry_after() {
    let app = TestApp::spawn().await;
    let (email, password) = app.create_user("editor").await;
    for _ in 0..5 {
        assert_eq!(
            app.login_with(&client(), &email, "wrong password 123")
                .await
                .status(),
            422
        );
    }

    let res = app.login_with(&client(), &email, &password).await;

    assert_eq!(res.status(), 429, "even the right password waits");
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Too many failed sign-ins")
    );
    assert_eq!(count(&app, "SELECT count(*) AS n FROM login_failures"), 5);
    let failed = app
        .audit_actions()
        .iter()
        .filter(|a| *a == "user.login_failed")
        .count();
    assert_eq!(failed, 5);
    assert!(app.last_event("user.login").is_none());
}

#[tokio::test]
async fn twenty_failures_from_one_address_get_429() {
    let app = TestApp::spawn().await;
    let (email, password) = app.create_user("editor").await;
    for i in 0..20 {
        let res = app
            .login_with(
                &client(),
                &format!("nobody{i}@example.org"),
                "wrong password 123",
            )
            .await;
        assert_eq!(res.status(), 422);
    }

    let res = app.login_with(&client(), &email, &password).await;

    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
}

// ---- API tokens ----

#[tokio::test]
async fn the_api_takes_bearer_tokens_only_never_the_session_cookie() {
    let app = TestApp::spawn().await;
    let (email, _) = app.signed_in("editor").await;
    let token = app.token_for(&email).await;

    let by_cookie = app.get("/api/v1/me").await;
    let missing = client().get(app.url("/api/v1/me")).send().await.unwrap();
    let bad = client()
        .get(app.url("/api/v1/me"))
        .bearer_auth("ct_not-a-token")
        .send()
        .await
        .unwrap();
    let good = client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();

    for (what, res) in [("cookie", by_cookie), ("missing", missing), ("bad", bad)] {
        assert_eq!(res.status(), 401, "{what}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized", "{what}");
    }
    assert_eq!(good.status(), 200);
    let me: Value = good.json().await.unwrap();
    assert_eq!(me["email"], email.as_str());
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM api_tokens WHERE last_used_at IS NOT NULL"
        ),
        1
    );
    // Within the minute, another call reads the token without writing it again.
    let used = text(&app, "SELECT last_used_at::text AS t FROM api_tokens");
    let again = client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(
        text(&app, "SELECT last_used_at::text AS t FROM api_tokens"),
        used
    );
}

#[tokio::test]
async fn the_claim_list_checks_its_token_in_its_own_task_as_every_api_route_does() {
    // `/api/v1/claims` checks the token together with its query (ApiCall), not before it.
    let app = TestApp::spawn().await;
    let (email, _) = app.create_user("viewer").await;
    let token = app.token_for(&email).await;
    let list = |auth: Option<String>| {
        let mut req = client().get(app.url("/api/v1/claims?status=open"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        req.send()
    };
    let live = list(Some(format!("Bearer {token}"))).await.unwrap();
    assert_eq!(live.status(), 200);
    let body: serde_json::Value = live.json().await.unwrap();
    assert!(
        body["items"].is_array() && body["next_cursor"].is_null(),
        "{body}"
    );
    for (auth, why) in [
        (None, "no token"),
        (Some("Basic abc".to_string()), "not a bearer token"),
        (Some("Bearer ct_unknown".to_string()), "an unknown token"),
    ] {
        let res = list(auth).await.unwrap();
        assert_eq!(res.status(), 401, "{why}");
        assert_eq!(res.headers()["www-authenticate"], "Bearer", "{why}");
    }
    count(
        &app,
        "WITH t AS (UPDATE api_tokens SET revoked_at = now() RETURNING 1) \
         SELECT count(*) AS n FROM t",
    );
    let revoked = list(Some(format!("Bearer {token}"))).await.unwrap();
    assert_eq!(revoked.status(), 401, "a revoked token");
}

#[tokio::test]
async fn a_kept_token_is_refused_at_once_when_revoked_or_its_user_deactivated_elsewhere() {
    // The claim list keeps the token it read and checks it inside its own query; a token
    // revoked, or a user deactivated, behind the app's back is refused on the very next call,
    // also when the query finds no rows to carry the check.
    let app = TestApp::spawn().await;
    seed_claim(&app);
    let call =
        |token: String, path: &'static str| client().get(app.url(path)).bearer_auth(token).send();
    for path in ["/api/v1/claims", "/api/v1/claims?speaker=Nobody%20Such"] {
        for ending in [
            "UPDATE api_tokens SET revoked_at = now() WHERE user_id = {id}",
            "UPDATE users SET active = false, deactivated_at = now() WHERE id = {id}",
        ] {
            let (email, _) = app.create_user("viewer").await;
            let token = app.token_for(&email).await;
            for _ in 0..2 {
                let res = call(token.clone(), path).await.unwrap();
                assert_eq!(res.status(), 200, "{path}");
            }
            let ended = ending.replace("{id}", &app.user_id(&email).to_string());
            count(
                &app,
                &format!("WITH t AS ({ended} RETURNING 1) SELECT count(*) AS n FROM t"),
            );

            let res = call(token.clone(), path).await.unwrap();
            assert_eq!(res.status(), 401, "{ended}: {path}");
        }
    }
}

#[tokio::test]
async fn a_kept_token_is_not_read_again_while_its_query_finds_it_unchanged() {
    // What shows the kept token is used: its user deactivated with the directory's trigger off
    // (a write no part of the app makes) is not seen by a call whose query has rows to carry
    // the check; a call whose query finds none reads the token, finds its user gone: 401.
    let app = TestApp::spawn().await;
    seed_claim(&app);
    let (email, _) = app.create_user("viewer").await;
    let token = app.token_for(&email).await;
    let call = |path: &'static str| client().get(app.url(path)).bearer_auth(&token).send();
    for _ in 0..2 {
        assert_eq!(call("/api/v1/claims").await.unwrap().status(), 200);
    }
    diesel::sql_query("ALTER TABLE users DISABLE TRIGGER user_directory_changed")
        .execute(&mut app.db.conn())
        .unwrap();
    count(
        &app,
        &format!(
            "WITH t AS (UPDATE users SET active = false, deactivated_at = now() WHERE id = {} \
             RETURNING 1) SELECT count(*) AS n FROM t",
            app.user_id(&email)
        ),
    );

    assert_eq!(call("/api/v1/claims").await.unwrap().status(), 200);
    let read = call("/api/v1/claims?speaker=Nobody%20Such").await.unwrap();
    assert_eq!(read.status(), 401);
}

#[tokio::test]
async fn a_token_is_shown_once_revocable_and_its_live_label_unique() {
    let app = TestApp::spawn().await;
    app.signed_in("reviewer").await;

    let created = app
        .post_form("/account/tokens", &[("label", "newsroom bot")])
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let html = created.text().await.unwrap();
    let start = html.find("<code id=\"token-value\">").unwrap() + "<code id=\"token-value\">".len();
    let token = html[start..start + html[start..].find('<').unwrap()].to_string();
    assert!(token.starts_with("ct_"));
    assert!(
        !app.get("/account")
            .await
            .text()
            .await
            .unwrap()
            .contains(&token),
        "shown once"
    );
    let id = count(&app, "SELECT max(id) AS n FROM api_tokens");
    assert_eq!(app.last_event("token.created").unwrap().1, Some(id));

    let duplicate = app
        .post_form("/account/tokens", &[("label", "newsroom bot")])
        .await;
    assert_eq!(duplicate.status(), 409);
    assert!(
        duplicate
            .text()
            .await
            .unwrap()
            .contains("value=\"newsroom bot\"")
    );

    let revoked = app
        .post_form(&format!("/account/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(revoked.status(), 303);
    let api = client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401);
    let (_, entity, _, after) = app.last_event("token.revoked").unwrap();
    assert_eq!(
        (entity, after.unwrap()["revoked"].clone()),
        (Some(id), Value::Bool(true))
    );
    let again = app
        .post_form("/account/tokens", &[("label", "newsroom bot")])
        .await;
    assert_eq!(again.status(), 201, "a revoked token's label is free again");
}

#[tokio::test]
async fn someone_elses_token_or_session_cannot_be_ended_from_my_account() {
    let app = TestApp::spawn().await;
    let (other, other_pw) = app.create_user("editor").await;
    let other_token = app.token_for(&other).await;
    app.login_with(&client(), &other, &other_pw).await;
    app.signed_in("reviewer").await;
    let other_id = app.user_id(&other);
    let token_id = count(&app, "SELECT max(id) AS n FROM api_tokens");
    let session = text(
        &app,
        &format!("SELECT key_hash AS t FROM sessions WHERE user_id = {other_id}"),
    );
    let before = snapshot(&app);

    let revoke = app
        .post_form(&format!("/account/tokens/{token_id}/revoke"), &[])
        .await;
    let end = app
        .post_form("/account/sessions/end", &[("session", &session)])
        .await;

    assert_eq!(revoke.status(), 404);
    assert_eq!(end.status(), 404);
    assert_eq!(snapshot(&app), before);
    let api = client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&other_token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 200);
}

#[tokio::test]
async fn i_can_see_and_end_my_other_sessions() {
    let app = TestApp::spawn().await;
    let (email, password) = app.signed_in("viewer").await;
    let laptop = client();
    app.login_with(&laptop, &email, &password).await;
    let page = app.get("/account").await.text().await.unwrap();
    assert!(page.contains("this session"));
    let marker = "name=\"session\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let handle = page[start..start + 64].to_string();

    let res = app
        .post_form("/account/sessions/end", &[("session", &handle)])
        .await;

    assert_eq!(res.status(), 303);
    assert_eq!(
        laptop
            .get(app.url("/account"))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    assert_eq!(app.get("/account").await.status(), 200);
    let (actor, entity, _, _) = app.last_event("user.logout").unwrap();
    assert_eq!(
        (actor.as_str(), entity),
        ("user", Some(app.user_id(&email)))
    );
}

// ---- storage and headers ----

#[tokio::test]
async fn tokens_passwords_and_session_keys_are_not_stored_in_clear() {
    let app = TestApp::spawn().await;
    let (email, password) = app.signed_in("admin").await;
    let token = app.token_for(&email).await;
    app.login_with(&client(), &email, "a wrong password guess")
        .await;
    let cookie = session_cookie(&app.login_with(&client(), &email, &password).await).unwrap();

    let everything = text(
        &app,
        "SELECT concat_ws(' ',
            (SELECT string_agg(row_to_json(t)::text, ' ') FROM users t),
            (SELECT string_agg(row_to_json(t)::text, ' ') FROM api_tokens t),
            (SELECT string_agg(row_to_json(t)::text, ' ') FROM sessions t),
            (SELECT string_agg(row_to_json(t)::text, ' ') FROM audit_events t),
            (SELECT string_agg(row_to_json(t)::text, ' ') FROM login_failures t)) AS t",
    );

    assert!(!everything.contains(&password));
    assert!(!everything.contains("a wrong password guess"));
    assert!(!everything.contains(&token));
    assert!(!everything.contains(cookie.trim_start_matches("ct_session=")));
    let hash = text(
        &app,
        &format!("SELECT password_hash AS t FROM users WHERE email = '{email}'"),
    );
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let token_hash = text(&app, "SELECT token_hash AS t FROM api_tokens");
    assert_eq!(token_hash, claimtracker::auth::model::sha256_hex(&token));
    assert!(
        count(
            &app,
            "SELECT count(*) AS n FROM app_secrets WHERE name = 'session_key'"
        ) == 1
    );
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = TestApp::spawn().await;
    for path in [
        "/login",
        "/healthz",
        "/static/app.css",
        "/api/v1/me",
        "/no/such/page",
        "/account",
    ] {
        let res = app.get(path).await;
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(h.contains_key("referrer-policy"), "{path}");
        assert!(
            !h.contains_key("strict-transport-security"),
            "{path}: no HSTS over plain http"
        );
    }
    let tls = app
        .client
        .get(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(
        tls.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
}

#[tokio::test]
async fn a_restart_logs_nobody_out_and_instances_share_the_signing_key() {
    let app = TestApp::spawn().await;
    let (email, password) = app.create_user("viewer").await;
    let cookie = session_cookie(&app.login(&email, &password).await).unwrap();
    // A second instance on the same database: same key from app_secrets, same sessions table.
    let config = test_config(&app.db);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server =
        claimtracker::startup::Application::build(config, app.db.pool(), listener).unwrap();
    let port = server.port();
    tokio::spawn(server.run_until_stopped());

    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("http://127.0.0.1:{port}/account"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 200);
}

// ---- command line ----

fn cli(app: &TestApp, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_claimtracker"))
        .args(args)
        .env("DATABASE_URL", &app.db.url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn the_command_line_adds_users_makes_tokens_and_deactivates_as_system() {
    let app = TestApp::spawn().await;

    let add = cli(
        &app,
        &[
            "user",
            "add",
            "--email",
            "Cli@Example.org",
            "--name",
            "Cli User",
            "--role",
            "editor",
            "--password-stdin",
        ],
        "a passphrase from stdin\n",
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let (actor, _, _, _) = app.last_event("user.created").unwrap();
    assert_eq!(actor, "system");
    assert_eq!(
        app.login("cli@example.org", "a passphrase from stdin")
            .await
            .status(),
        303
    );

    let made = cli(
        &app,
        &[
            "token",
            "create",
            "--email",
            "cli@example.org",
            "--label",
            "ci",
        ],
        "",
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let stdout = String::from_utf8(made.stdout).unwrap();
    let token = stdout.trim_end_matches('\n');
    let (actor, _, _, after) = app.last_event("token.created").unwrap();
    assert_eq!(actor, "system");
    assert_eq!(after.unwrap()["label"], "ci");
    assert!(
        token.starts_with("ct_") && !token.contains(char::is_whitespace),
        "alone: {stdout:?}"
    );
    let me = client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);

    let weak = cli(
        &app,
        &[
            "user",
            "add",
            "--email",
            "w@example.org",
            "--name",
            "W",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));

    let off = cli(
        &app,
        &["user", "deactivate", "--email", "cli@example.org"],
        "",
    );
    assert!(
        off.status.success(),
        "{}",
        String::from_utf8_lossy(&off.stderr)
    );
    assert_eq!(app.last_event("user.deactivated").unwrap().0, "system");
    assert_eq!(app.get("/account").await.status(), 303);
    let me = client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);
}

#[tokio::test]
async fn multipart_forms_are_checked_too() {
    let app = TestApp::spawn().await;
    app.signed_in("editor").await;
    let token = app.csrf_of(&app.client, "/account").await;
    let before = snapshot(&app);
    let body = |csrf: &str| {
        format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"label\"\r\n\r\nupload\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n--XyZ--\r\n"
        )
    };
    let post = |csrf: String| {
        app.client
            .post(app.url("/account/tokens"))
            .header("content-type", "multipart/form-data; boundary=XyZ")
            .body(body(&csrf))
            .send()
    };

    let wrong = post("0123456789abcdef".into()).await.unwrap();
    let right = post(token).await.unwrap();

    assert_eq!(wrong.status(), 403);
    assert_ne!(
        right.status(),
        403,
        "the token in a multipart body is found"
    );
    assert_eq!(snapshot(&app), before);
}

/// `SignedIn` (for reports later): a bearer token or the session; 401 for machine formats,
/// the sign-in redirect for pages. Tried on probe routes in an app built like the real one.
#[actix_web::test]
async fn signed_in_takes_a_token_or_a_session_and_answers_strangers_by_format() {
    use actix_web::{App, test, web};
    use claimtracker::auth::SignedIn;
    let db = TestDb::new();
    let config = test_config(&db);
    let pool = db.pool();
    let mut conn = db.conn();
    let key = claimtracker::auth::service::session_signing_key(&mut conn).unwrap();
    let user = claimtracker::auth::service::create_user(
        &mut conn,
        &claimtracker::audit::AuditContext::system(),
        &claimtracker::auth::service::NewAccount {
            email: "viewer@example.org",
            name: "V",
            role: "viewer",
            password: "a long enough passphrase",
        },
    )
    .unwrap();
    let (_, token) = claimtracker::auth::service::create_token(
        &mut conn,
        &claimtracker::audit::AuditContext::system(),
        user.id,
        "reports",
    )
    .unwrap();
    let probe = |who: SignedIn| async move { who.user.role.as_str().to_string() };
    let state =
        web::Data::new(claimtracker::startup::AppState::new(pool.clone(), config.clone()).unwrap());
    let app = test::init_service(
        App::new()
            .wrap(claimtracker::auth::session::middleware(
                &config,
                state.pool.clone(),
                &key,
                Default::default(),
            ))
            .app_data(state)
            .route("/reports/probe.csv", web::get().to(probe))
            .route("/reports/probe", web::get().to(probe)),
    )
    .await;

    let by_token = test::TestRequest::get()
        .uri("/reports/probe.csv")
        .insert_header(("authorization", format!("Bearer {token}")))
        .send_request(&app)
        .await;
    let bad_token = test::TestRequest::get()
        .uri("/reports/probe.csv")
        .insert_header(("authorization", "Bearer ct_nope"))
        .send_request(&app)
        .await;
    let stranger_csv = test::TestRequest::get()
        .uri("/reports/probe.csv")
        .send_request(&app)
        .await;
    let stranger_page = test::TestRequest::get()
        .uri("/reports/probe")
        .send_request(&app)
        .await;

    assert_eq!(by_token.status(), 200);
    assert_eq!(test::read_body(by_token).await, "viewer");
    assert_eq!(bad_token.status(), 401);
    assert_eq!(stranger_csv.status(), 401);
    assert_eq!(stranger_page.status(), 303);
    assert_eq!(
        stranger_page.headers().get("location").unwrap(),
        "/login?next=%2Freports%2Fprobe"
    );
}
