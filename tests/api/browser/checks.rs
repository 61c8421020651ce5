//! Beside the journey: a stale form is told what changed, a reviewer is kept out of the admin
//! pages, and the verdict form works from the keyboard alone.

use serde_json::{Value, json};
use thirtyfour::prelude::*;

use super::Harness;
use crate::helpers::TestApp;

const ARTICLE: &str = "Finance Minister Jane Doe said on Tuesday that inflation fell to 3.5% in \
October, the lowest level in four years.\n\n\"We have turned the corner,\" Doe told reporters in \
Ottawa, adding that 40,000 jobs were created last month.\n";

async fn post_json(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let res = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert!(status.is_success(), "POST {path}: {status} {body}");
    body
}

/// An article added and its first candidate accepted through the API; the open claim's id.
async fn open_claim(app: &TestApp, editor_token: &str) -> i64 {
    let added = post_json(
        app,
        editor_token,
        "/api/v1/articles",
        json!({"title": "Inflation at a four-year low", "publisher": "Test Wire", "text": ARTICLE}),
    )
    .await;
    let claim = &added["claims"][0];
    let id = claim["id"].as_i64().unwrap();
    post_json(
        app,
        editor_token,
        &format!("/api/v1/claims/{id}/triage"),
        json!({"version": claim["version"], "decision": "accept"}),
    )
    .await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_assign_form_is_told_what_changed_and_can_be_redone() {
    let h = Harness::start().await;
    let (editor_a, password_a) = h.app.create_user("editor").await;
    let (editor_b, password_b) = h.app.create_user("editor").await;
    let (reviewer, _) = h.app.create_user("reviewer").await;
    let id = open_claim(&h.app, &h.app.token_for(&editor_a).await).await;
    let a = h.browser().await;
    let b = h.browser().await;
    a.login(&editor_a, &password_a).await;
    b.login(&editor_b, &password_b).await;

    // Both open the claim's assign form at version 2.
    let path = format!("/claims/{id}");
    for browser in [&a, &b] {
        browser.goto(&path).await;
        browser.choose("#assignee", &reviewer).await;
    }
    a.submit("form[action$=\"/assign\"] button[type=submit]")
        .await;
    assert_eq!(a.flash().await, "Assigned.");

    // B's form is stale: nothing changes, and B is told what happened meanwhile.
    b.choose("#priority", "high").await;
    b.submit("form[action$=\"/assign\"] button[type=submit]")
        .await;
    let conflict = b.el(".conflict").await.text().await.unwrap();
    assert!(
        conflict.contains("Someone changed this claim while you were looking"),
        "{conflict}"
    );
    assert!(conflict.contains("assign"), "what changed: {conflict}");
    let actions = h.app.audit_actions();
    assert_eq!(actions.iter().filter(|a| *a == "claim.assigned").count(), 1);

    // The form now stands at the current version, with B's choice kept: redoing it works.
    b.choose("#assignee", &reviewer).await;
    b.submit("form[action$=\"/assign\"] button[type=submit]")
        .await;
    assert_eq!(b.flash().await, "Assigned.");
    assert!(b.page_text().await.contains("high priority"));
    b.quit().await;
    a.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_cannot_open_the_admin_pages_and_is_not_offered_them() {
    let h = Harness::start().await;
    let (reviewer, password) = h.app.create_user("reviewer").await;
    let browser = h.browser().await;
    browser.login(&reviewer, &password).await;
    assert!(
        browser
            .driver
            .query(By::Css("nav a[href=\"/admin/users\"]"))
            .nowait()
            .not_exists()
            .await
            .unwrap(),
        "no Users link for a reviewer"
    );
    // Nor does the (empty) dashboard point a reviewer at adding articles, which is not theirs.
    assert!(
        browser
            .driver
            .query(By::Css("main a[href=\"/articles/new\"]"))
            .nowait()
            .not_exists()
            .await
            .unwrap(),
        "the dashboard offers a reviewer to add an article"
    );

    browser.goto("/admin/users").await;
    let title = browser.title().await;
    assert!(title.starts_with("403"), "{title}");
    let heading = browser.el("h1").await.text().await.unwrap();
    assert!(heading.starts_with("403"), "{heading}");
    assert!(
        browser
            .driver
            .query(By::Css("form[action=\"/admin/users\"]"))
            .nowait()
            .not_exists()
            .await
            .unwrap(),
        "no user form on the refusal page"
    );
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verdict_form_works_from_the_keyboard_alone() {
    let h = Harness::start().await;
    let (editor, _) = h.app.create_user("editor").await;
    let (reviewer, password) = h.app.create_user("reviewer").await;
    let token = h.app.token_for(&editor).await;
    let id = open_claim(&h.app, &token).await;
    post_json(
        &h.app,
        &token,
        &format!("/api/v1/claims/{id}/assign"),
        json!({"version": 2, "assignee": reviewer}),
    )
    .await;
    post_json(
        &h.app,
        &token,
        &format!("/api/v1/claims/{id}/evidence"),
        json!({"url": "https://www.statcan.gc.ca/cpi", "note": "The index rose 3.9%.", "stance": "refutes"}),
    )
    .await;
    let browser = h.browser().await;
    browser.login(&reviewer, &password).await;
    browser.goto(&format!("/claims/{id}")).await;

    // Tab from the top of the page to the verdict's first choice; every stop shows its focus.
    let b = &browser;
    let press = move |key: Key| async move {
        b.driver
            .action_chain()
            .send_keys(key)
            .perform()
            .await
            .unwrap();
    };
    let focused = "const el = document.activeElement;\
                   const style = getComputedStyle(el);\
                   return {tag: el.tagName, name: el.getAttribute('name'), value: el.value,\
                     text: (el.textContent || '').trim().slice(0, 40),\
                     ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0\
                       || style.boxShadow !== 'none'};";
    let mut stops = vec![];
    loop {
        press(Key::Tab).await;
        let el = browser.js(focused, vec![]).await;
        assert_eq!(el["ring"], true, "no visible focus on {el}");
        stops.push(el.clone());
        if el["name"] == "verdict" {
            assert_eq!(el["value"], "verified", "the first choice comes first");
            break;
        }
        assert!(stops.len() < 80, "Tab never reached the verdict: {stops:?}");
    }
    // An arrow key moves to (and chooses) "disputed"; Tab goes on to the rationale.
    press(Key::Down).await;
    let el = browser.js(focused, vec![]).await;
    assert_eq!(el["value"], "disputed", "{el}");
    press(Key::Tab).await;
    let el = browser.js(focused, vec![]).await;
    assert_eq!(el["name"], "rationale", "{el}");
    browser
        .driver
        .action_chain()
        .send_keys("Statistics Canada puts October at 3.9%, not 3.5%.")
        .perform()
        .await
        .unwrap();
    press(Key::Tab).await;
    let el = browser.js(focused, vec![]).await;
    assert_eq!(el["text"], "Record verdict", "{el}");
    browser.navigating(|| press(Key::Enter)).await;

    assert_eq!(browser.flash().await, "Marked disputed.");
    browser
        .el_with_text(
            "section[aria-labelledby=verdicts-h] li",
            "Statistics Canada",
        )
        .await;
    browser.quit().await;
}

/// What a page lacks: form controls with no label, not exactly one `h1`, a title that names no
/// page, a page wider than the window (tables may scroll inside their own box).
const PAGE_PROBLEMS: &str = "const problems = [];\
  for (const el of document.querySelectorAll('input, select, textarea, button')) {\
    if (el.type === 'hidden') continue;\
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label')\
      || el.getAttribute('aria-labelledby') || (el.tagName === 'BUTTON' && el.textContent.trim());\
    if (!named) problems.push('no label: ' + el.outerHTML.slice(0, 120));\
  }\
  const h1s = document.querySelectorAll('h1').length;\
  if (h1s !== 1) problems.push(h1s + ' h1 headings');\
  if (!/^\\S.* · claimtracker$/.test(document.title) || document.title.startsWith('claimtracker'))\
    problems.push('title: ' + document.title);\
  if (document.documentElement.scrollWidth > window.innerWidth)\
    problems.push('wider than the window: ' + document.documentElement.scrollWidth + 'px');\
  return problems;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_labels_its_fields_names_itself_and_fits_375_px() {
    let h = Harness::start().await;
    let (admin, password) = h.app.create_user("admin").await;
    let token = h.app.token_for(&admin).await;
    let claim = open_claim(&h.app, &token).await;
    let article: Value = h
        .app
        .client
        .get(h.app.url(&format!("/api/v1/claims/{claim}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let article = &article["article_id"];
    let browser = h.browser().await;
    let login_problems = {
        browser.goto("/login").await;
        browser.js(PAGE_PROBLEMS, vec![]).await
    };
    assert_eq!(login_problems, json!([]), "/login");
    browser.login(&admin, &password).await;
    let pages = [
        "/".to_string(),
        "/articles".to_string(),
        "/articles/new".to_string(),
        format!("/articles/{article}"),
        "/claims".to_string(),
        format!("/claims/{claim}"),
        "/tasks".to_string(),
        "/activity".to_string(),
        "/reports".to_string(),
        "/admin/users".to_string(),
        "/account".to_string(),
        "/no-such-page".to_string(),
    ];
    let mut problems = vec![];
    for width in [1280, 375] {
        browser
            .driver
            .set_window_rect(0, 0, width, 900)
            .await
            .unwrap();
        for path in &pages {
            browser.goto(path).await;
            let found = browser.js(PAGE_PROBLEMS, vec![]).await;
            if found != json!([]) {
                problems.push(format!("{path} at {width}px: {found}"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    browser.quit().await;
}
