//! `claimtracker serve --demo`: on an empty database, demo users (one per role) and articles
//! whose claims stand in every state of the workflow, so every page has real content. Only ever
//! runs when asked, and only on a database without users; a second run changes nothing.

use chrono::{Duration, Utc};
use diesel::prelude::*;

use crate::articles::model::{ArticleInput, Source};
use crate::audit::{Actor, AuditContext};
use crate::auth::CurrentUser;
use crate::auth::service::{NewAccount, create_user};
use crate::claims::model::Claim;
use crate::claims::service::{ClaimEdit, TriageDecision, triage};
use crate::verification::model::{AssignInput, EvidenceInput};
use crate::verification::service::{add_comment, add_evidence, assign, give_verdict, reopen};

/// The one password of every demo account (shown in the README and printed at start).
pub const DEMO_PASSWORD: &str = "claimtracker-demo";

/// (email, name, role) of the demo accounts.
pub const DEMO_USERS: [(&str, &str, &str); 5] = [
    ("admin@demo.claimtracker.org", "Ada Admin", "admin"),
    ("editor@demo.claimtracker.org", "Elena Editor", "editor"),
    (
        "reviewer@demo.claimtracker.org",
        "Ravi Reviewer",
        "reviewer",
    ),
    (
        "reviewer2@demo.claimtracker.org",
        "Rosa Reviewer",
        "reviewer",
    ),
    ("viewer@demo.claimtracker.org", "Victor Viewer", "viewer"),
];

/// The annotated real article of `../shared/fixtures`, when it is there (a development checkout);
/// the demo works from its own articles alone elsewhere.
fn fixture_text() -> Option<String> {
    let name = "shared/fixtures/articles/xi-blinken-edge-singapore.txt";
    [
        format!("{}/../{name}", env!("CARGO_MANIFEST_DIR")),
        format!("../{name}"),
    ]
    .iter()
    .find_map(|p| std::fs::read_to_string(p).ok())
}

/// Short articles of our own writing, with quotes, numbers and the page furniture real feeds
/// carry, so triage has something to do.
const ARTICLES: [(&str, &str, &str); 3] = [
    (
        "City council approves record transit budget",
        "Harbor City Herald",
        include_str!("transit-budget.txt"),
    ),
    (
        "Hospital waiting times fall for third straight quarter, ministry says",
        "The Northern Ledger",
        include_str!("waiting-times.txt"),
    ),
    (
        "River cleanup removes 40 tonnes of plastic, organisers say",
        "Coastal Daily",
        include_str!("river-cleanup.txt"),
    ),
];

/// A source for the demo's evidence.
struct Source3 {
    url: &'static str,
    title: &'static str,
    note: &'static str,
    stance: &'static str,
}

const VERIFIED_SOURCE: Source3 = Source3 {
    url: "https://www.state.gov/secretary-blinkens-travel-to-china/",
    title: "Official record of the visit",
    note: "The official record lists the dates and the previous visit at this level.",
    stance: "supports",
};
const DISPUTED_SOURCE: Source3 = Source3 {
    url: "https://www.pewresearch.org/global/2023/07/27/china-relations/",
    title: "Survey and archive data",
    note: "Archive data show a comparable earlier case.",
    stance: "refutes",
};
const REOPENED_SOURCE: Source3 = Source3 {
    url: "https://www.state.gov/secretary-blinkens-meeting-with-prc-foreign-minister-qin-gang/",
    title: "Official readout",
    note: "The readout confirms the main statement.",
    stance: "supports",
};
const CONTEXT_SOURCE: Source3 = Source3 {
    url: "https://example.org/archive/hot-search-2023-06-19",
    title: "Archived list",
    note: "An archived copy of the list for that day.",
    stance: "context",
};

/// What the demo made, for the start-up message.
pub struct Seeded {
    pub created: bool,
}

fn ctx_of(user: &CurrentUser) -> AuditContext {
    AuditContext {
        actor: Actor::User {
            id: user.id,
            name: user.name.clone(),
        },
        request_id: Some("demo".into()),
    }
}

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Seeds the demo when the database has no users; otherwise does nothing.
pub fn seed(conn: &mut PgConnection) -> anyhow::Result<Seeded> {
    use crate::schema::users;
    let existing: i64 = users::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(Seeded { created: false });
    }
    let system = AuditContext::system();
    let mut people: Vec<CurrentUser> = vec![];
    for (email, name, role) in DEMO_USERS {
        let user = create_user(
            conn,
            &system,
            &NewAccount {
                email,
                name,
                role,
                password: DEMO_PASSWORD,
            },
        )
        .map_err(err)?;
        people.push(user.current());
    }
    let (admin, editor, reviewer, reviewer2) = (&people[0], &people[1], &people[2], &people[3]);
    let ed = ctx_of(editor);

    let ingest = |conn: &mut PgConnection,
                  title: &str,
                  publisher: &str,
                  wire: Option<&str>,
                  text: &str,
                  days_ago: i64| {
        crate::articles::service::ingest(
            conn,
            &ed,
            ArticleInput {
                title: title.to_string(),
                url: None,
                publisher: Some(publisher.to_string()),
                wire_service: wire.map(str::to_string),
                author: None,
                published_at: Some(Utc::now() - Duration::days(days_ago)),
                source: Source::Text(text.to_string()),
            },
        )
        .map_err(err)
    };

    let mut all: Vec<Claim> = vec![];
    if let Some(text) = fixture_text() {
        let main = ingest(
            conn,
            "Xi tells Blinken 'very good' that progress made on US-China ties",
            "The Edge Singapore",
            Some("Bloomberg"),
            &text,
            2,
        )?;
        all.extend(main.claims);
    }
    for (i, (title, publisher, text)) in ARTICLES.iter().enumerate() {
        all.extend(ingest(conn, title, publisher, None, text, i as i64)?.claims);
    }

    let accept = |conn: &mut PgConnection, claim: &Claim| {
        triage(
            conn,
            &ed,
            claim.id,
            claim.version,
            TriageDecision::Accept,
            None,
            &ClaimEdit::default(),
        )
        .map_err(err)
    };
    let assign_to = |conn: &mut PgConnection,
                     claim: &Claim,
                     who: &CurrentUser,
                     due_days: i64,
                     priority: &str| {
        let due = (Utc::now() + Duration::days(due_days)).to_rfc3339();
        let input = AssignInput::parse(&who.email, Some(&due), Some(priority)).map_err(err)?;
        assign(conn, &ed, editor, claim.id, claim.version, &input).map_err(err)
    };
    let evidence = |conn: &mut PgConnection, who: &CurrentUser, claim: &Claim, e: &Source3| {
        let input = EvidenceInput::parse(e.url, Some(e.title), e.note, e.stance).map_err(err)?;
        add_evidence(conn, &ctx_of(who), who, claim.id, &input).map_err(err)
    };

    // Each state of the workflow gets a claim: the first one found by these words, so the
    // demo reads naturally with or without the fixture article.
    let mut used: Vec<i64> = vec![];
    let mut pick = |words: &[&str]| -> Option<Claim> {
        let found = words
            .iter()
            .find_map(|w| {
                all.iter().find(|c| {
                    c.status == "candidate" && c.text.contains(w) && !used.contains(&c.id)
                })
            })
            .cloned();
        if let Some(c) = &found {
            used.push(c.id);
        }
        found
    };

    if let Some(c) = pick(&["most senior US official", "214,000"]) {
        let c = accept(conn, &c)?;
        let c = assign_to(conn, &c, reviewer, 3, "high")?;
        let c = evidence(conn, reviewer, &c, &VERIFIED_SOURCE)?;
        give_verdict(conn, &ctx_of(reviewer), reviewer, c.id, c.version, "verified", "The official record matches the claim: the figure and the period it covers are as stated.").map_err(err)?;
    }
    if let Some(c) = pick(&[
        "lowest point in decades",
        "largest in the city",
        "the most collected",
    ]) {
        let c = accept(conn, &c)?;
        let c = assign_to(conn, &c, reviewer2, 2, "normal")?;
        let c = evidence(conn, reviewer2, &c, &DISPUTED_SOURCE)?;
        add_comment(
            conn,
            &ctx_of(reviewer2),
            reviewer2,
            c.id,
            "The superlative depends on the period chosen; earlier records show a comparable case.",
        )
        .map_err(err)?;
        give_verdict(conn, &ctx_of(reviewer2), reviewer2, c.id, c.version, "disputed", "The superlative overstates it: the archive shows at least one comparable earlier case, so 'the most' cannot stand as written.").map_err(err)?;
    }
    if let Some(c) = pick(&["Qin accepted", "11 weeks"]) {
        let c = accept(conn, &c)?;
        let c = assign_to(conn, &c, reviewer, 4, "normal")?;
        let c = evidence(conn, reviewer, &c, &REOPENED_SOURCE)?;
        let c = give_verdict(
            conn,
            &ctx_of(reviewer),
            reviewer,
            c.id,
            c.version,
            "verified",
            "The official readout confirms the statement.",
        )
        .map_err(err)?;
        reopen(
            conn,
            &ed,
            editor,
            c.id,
            c.version,
            "The readout confirms only half of it; check the rest separately.",
        )
        .map_err(err)?;
    }
    if let Some(c) = pick(&["two confrontations", "fell by 23%"]) {
        let c = accept(conn, &c)?;
        assign_to(conn, &c, reviewer2, -1, "urgent")?;
    }
    if let Some(c) = pick(&["top ten trending topics", "40 tonnes"]) {
        let c = accept(conn, &c)?;
        let c = assign_to(conn, &c, reviewer, 1, "normal")?;
        evidence(conn, reviewer, &c, &CONTEXT_SOURCE)?;
    }
    for words in [
        &[
            "economy in China is not in great shape",
            "biggest investment",
        ][..],
        &["twice as many", "$86 a year"][..],
    ] {
        if let Some(c) = pick(words) {
            accept(conn, &c)?;
        }
    }
    if let Some(c) = pick(&["reasons to want to cool tensions", "would ask the council"]) {
        triage(
            conn,
            &ed,
            c.id,
            c.version,
            TriageDecision::Reject,
            Some("A plan, not a checkable fact."),
            &ClaimEdit::default(),
        )
        .map_err(err)?;
    }
    let _ = admin;
    Ok(Seeded { created: true })
}
