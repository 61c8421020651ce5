//! The newcomer's journey, end to end in the browser: an editor adds an article and triages it,
//! makes a claim of a selected span and assigns a claim; the reviewer finds the task, adds
//! evidence and disputes the claim; the editor downloads the audit report and reads the chain.

use super::{Browser, Harness};

/// The hand-annotated real article, furniture and all (read from `../shared`, never copied).
const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/articles/xi-blinken-edge-singapore.txt"
);

/// The number at the end of the current URL's path (`/articles/7`, `/claims/12`).
async fn id_in_url(browser: &Browser) -> i64 {
    let url = browser.driver.current_url().await.unwrap();
    url.path()
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id at the end of {url}"))
}

/// The ids of the candidates listed for triage on an article page, in page order.
async fn candidate_ids(browser: &Browser) -> Vec<i64> {
    browser.el("#cand-h").await;
    let ids = browser
        .js(
            "return Array.from(document.querySelectorAll(\
               'section[aria-labelledby=cand-h] article.claim-item'))\
             .map(a => a.id.replace('claim-', ''));",
            vec![],
        )
        .await;
    ids.as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().parse().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_and_reviewer_take_a_claim_from_article_to_audit_report() {
    let h = Harness::start().await;
    let (editor_email, editor_password) = h.app.create_user("editor").await;
    let (reviewer_email, reviewer_password) = h.app.create_user("reviewer").await;
    let editor = h.browser().await;

    // The editor signs in and pastes the article.
    editor.login(&editor_email, &editor_password).await;
    editor.goto("/articles/new").await;
    assert!(editor.title().await.starts_with("Add an article"));
    editor
        .fill("#title", "Xi tells Blinken 'very good' that progress made")
        .await;
    editor.fill("#publisher", "The Edge Singapore").await;
    editor.fill("#wire_service", "Bloomberg").await;
    // Pasting: the whole text lands in the box at once.
    let fixture = std::fs::read_to_string(FIXTURE).unwrap();
    editor.set_value("#content", &fixture).await;
    editor.submit("main form button[type=submit]").await;
    let flash = editor.flash().await;
    assert!(
        flash.starts_with("Article added:") && flash.contains("candidate claim"),
        "{flash}"
    );
    let article_id = id_in_url(&editor).await;
    let candidates = candidate_ids(&editor).await;
    assert!(candidates.len() >= 3, "candidates: {candidates:?}");
    editor
        .el("#article-body mark.status-candidate a[href^=\"/claims/\"]")
        .await;

    // Triage: accept the first candidate, reject the second with a reason.
    let accepted = candidates[0];
    editor
        .el(&format!("#claim-{accepted} details:nth-of-type(1) summary"))
        .await
        .click()
        .await
        .unwrap();
    editor
        .submit(&format!(
            "#claim-{accepted} details[open] button[type=submit]"
        ))
        .await;
    assert_eq!(
        editor.flash().await,
        "Claim accepted and opened for verification."
    );
    let rejected = candidates[1];
    editor
        .el(&format!("#claim-{rejected} details:nth-of-type(2) summary"))
        .await
        .click()
        .await
        .unwrap();
    editor
        .fill(
            &format!("#reason-{rejected}"),
            "A pleasantry, nothing to check",
        )
        .await;
    editor
        .submit(&format!(
            "#claim-{rejected} details[open] button[type=submit]"
        ))
        .await;
    assert_eq!(editor.flash().await, "Claim rejected.");
    editor
        .el_with_text("section[aria-labelledby=others-h] li", "open")
        .await;
    editor
        .el(&format!("section[aria-labelledby=rej-h] #claim-{rejected}"))
        .await;

    // A manual claim: select six words inside the third candidate's sentence (every sentence
    // of this article is a candidate), the way a checker narrows a long sentence down to the
    // part worth checking; the page's script fills the form with the words and their offsets.
    let selected = editor
        .js(
            "const run = document.querySelector(`#article-body a[href='/claims/${arguments[0]}']`);\
             const node = run.firstChild;\
             const text = node.textContent;\
             const from = text.search(/\\s\\S/) + 1;\
             const words = text.slice(from).match(/^(\\S+\\s+){5}\\S+/)[0];\
             const range = document.createRange();\
             range.setStart(node, from);\
             range.setEnd(node, from + words.length);\
             const sel = window.getSelection();\
             sel.removeAllRanges();\
             sel.addRange(range);\
             return words;",
            vec![serde_json::json!(candidates[2])],
        )
        .await
        .as_str()
        .unwrap()
        .to_string();
    editor
        .wait_for_js(
            "return document.getElementById('manual-start').value !== '' \
               && document.getElementById('manual-end').value !== '';",
            "the selection's offsets in the manual claim form",
        )
        .await;
    let exact = editor.el("#manual-exact").await.value().await.unwrap();
    assert_eq!(exact.unwrap_or_default(), selected);
    editor
        .submit("#manual-claim-form button[type=submit]")
        .await;
    assert_eq!(
        editor.flash().await,
        "Claim created and opened for verification."
    );
    editor
        .el_with_text("section[aria-labelledby=others-h] li", &selected)
        .await;
    editor
        .el("#article-body mark.status-open a[href^=\"/claims/\"]")
        .await;
    editor.goto(&format!("/articles/{article_id}")).await;
    editor.screenshot("article").await;
    // The span is anchored exactly where it was selected.
    let token = h.app.token_for(&editor_email).await;
    let article: serde_json::Value = h
        .app
        .client
        .get(h.app.url(&format!("/api/v1/articles/{article_id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let manual = article["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["quote"]["exact"] == selected.as_str())
        .unwrap_or_else(|| panic!("no claim quoting {selected:?}: {article}"));
    assert_eq!(manual["status"], "open");

    // The editor assigns the accepted claim to the reviewer, due in a week.
    editor.goto(&format!("/claims/{accepted}")).await;
    editor.choose("#assignee", &reviewer_email).await;
    let due = (chrono::Utc::now() + chrono::Duration::days(7))
        .format("%Y-%m-%dT12:00")
        .to_string();
    editor.set_value("#due_at", &due).await;
    editor.choose("#priority", "high").await;
    editor
        .submit("form[action$=\"/assign\"] button[type=submit]")
        .await;
    assert_eq!(editor.flash().await, "Assigned.");
    let status = editor.el("h1.claim-title + p").await.text().await.unwrap();
    assert!(
        status.contains("in review")
            && status.contains("assigned to")
            && status.contains(&due[..10]),
        "{status}"
    );

    // The reviewer, in a browser of their own, finds the task on the dashboard.
    let reviewer = h.browser().await;
    reviewer.login(&reviewer_email, &reviewer_password).await;
    reviewer.screenshot("dashboard").await;
    let task = reviewer
        .el(&format!(
            "section[aria-labelledby=mine-h] a[href=\"/claims/{accepted}\"]"
        ))
        .await;
    reviewer
        .navigating(|| async { task.click().await.unwrap() })
        .await;
    assert_eq!(id_in_url(&reviewer).await, accepted);

    // Evidence, then the verdict: disputed, with a rationale.
    reviewer
        .fill(
            "#url",
            "https://www.state.gov/secretary-blinkens-meeting-with-xi",
        )
        .await;
    reviewer.fill("#title", "State Department readout").await;
    reviewer
        .fill(
            "#note",
            "The readout records no agreement on specific issues.",
        )
        .await;
    reviewer.choose("#stance", "refutes").await;
    reviewer
        .submit("form[action$=\"/evidence\"] button[type=submit]")
        .await;
    assert_eq!(reviewer.flash().await, "Evidence added.");
    reviewer
        .el_with_text(
            "section[aria-labelledby=evidence-h] li",
            "State Department readout",
        )
        .await;
    reviewer
        .el("form[action$=\"/verdict\"] input[value=disputed]")
        .await
        .click()
        .await
        .unwrap();
    reviewer
        .fill(
            "#rationale",
            "The US readout contradicts the claimed agreements.",
        )
        .await;
    reviewer
        .submit("form[action$=\"/verdict\"] button[type=submit]")
        .await;
    assert_eq!(reviewer.flash().await, "Marked disputed.");
    reviewer
        .el_with_text("section[aria-labelledby=verdicts-h] li", "disputed")
        .await;
    reviewer.quit().await;

    // The editor reads the claim's timeline: the verdict, with its hash, on the chain.
    editor.goto(&format!("/claims/{accepted}")).await;
    let verdict_event = editor
        .el_with_text(".timeline li", "marked it disputed")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        verdict_event.contains("The US readout contradicts"),
        "{verdict_event}"
    );
    for earlier in ["assigned", "evidence"] {
        editor.el_with_text(".timeline li", earlier).await;
    }
    editor
        .screenshot_at("claim", Some("section[aria-labelledby=timeline-h]"))
        .await;

    // The whole chain on the activity page, newest first, every event with its hash.
    editor.goto("/activity").await;
    editor
        .el_with_text(".timeline li", "marked it disputed")
        .await;
    editor.el(".timeline li .hash code").await;

    // The editor downloads the audit report from the reports page, with the browser's session.
    editor.goto("/reports").await;
    editor.screenshot("reports").await;
    let csv_link = editor
        .el("a[href^=\"/reports/audit.csv\"]")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let download = editor
        .driver
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             fetch(arguments[0], {credentials: 'same-origin'})\
               .then(r => r.text().then(body => done({\
                  status: r.status,\
                  head: r.headers.get('X-Audit-Chain-Head'),\
                  disposition: r.headers.get('Content-Disposition'),\
                  body})))\
               .catch(e => done({error: String(e)}));",
            vec![serde_json::json!(csv_link)],
        )
        .await
        .unwrap()
        .json()
        .clone();
    assert_eq!(download["status"], 200, "{download}");
    assert!(
        download["disposition"]
            .as_str()
            .unwrap_or_default()
            .starts_with("attachment"),
        "{download}"
    );
    let body = download["body"].as_str().unwrap();
    let mut lines = body.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("seq,time,actor_name,actor_email,action"),
        "{body}"
    );
    let rows: Vec<&str> = lines.collect();
    let verdict_row = rows
        .iter()
        .find(|r| r.contains(",claim.verdict,"))
        .unwrap_or_else(|| panic!("no claim.verdict row in\n{body}"));
    assert!(verdict_row.contains(&reviewer_email), "{verdict_row}");
    assert!(verdict_row.contains("disputed"), "{verdict_row}");
    // The report names the chain head it was cut at: the last row it holds.
    let head = download["head"].as_str().unwrap();
    let (head_seq, head_hash) = head.split_once(' ').unwrap();
    let last = rows.last().unwrap().trim_end();
    assert!(
        last.starts_with(&format!("{head_seq},")),
        "{head} vs {last}"
    );
    assert!(last.ends_with(head_hash), "{head} vs {last}");
    // And the download itself is on the record now.
    assert_eq!(h.app.audit_actions().last().unwrap(), "report.exported");

    editor.quit().await;
}
