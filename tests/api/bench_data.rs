//! Issue 10: `bench-data` fills a fresh database with consistent data and a valid audit chain.

use claimtracker::benchdata::{self, BenchDataError, Options};
use claimtracker::schema::{
    articles, assignments, audit_events, claims, comments, evidence, verdicts,
};
use diesel::prelude::*;

use crate::helpers::TestDb;

fn options(articles: u32, claims: u32, events: u32) -> Options {
    Options {
        articles,
        claims_per_article: claims,
        events_per_claim: events,
        seed: 42,
        append: false,
    }
}

/// Rows in a table.
macro_rules! count {
    ($conn:expr, $table:expr) => {
        $table.count().get_result::<i64>($conn).unwrap()
    };
}

/// Every claim's quote is cut exactly from its article's body, in chars.
fn assert_anchored(conn: &mut PgConnection) {
    let rows: Vec<(String, String, i32, i32)> = claims::table
        .inner_join(articles::table)
        .select((
            articles::body_text,
            claims::quote_exact,
            claims::quote_start,
            claims::quote_end,
        ))
        .load(conn)
        .unwrap();
    for (body, exact, start, end) in rows {
        let cut: String = body
            .chars()
            .skip(start as usize)
            .take((end - start) as usize)
            .collect();
        assert_eq!(cut, exact);
    }
}

/// Statuses agree with the workflow rows: an assignee, an open assignment, evidence and one
/// current verdict exactly where the status says so.
fn assert_consistent(conn: &mut PgConnection) {
    let rows: Vec<(i64, String, Option<i64>, i32)> = claims::table
        .select((
            claims::id,
            claims::status,
            claims::assignee_id,
            claims::version,
        ))
        .load(conn)
        .unwrap();
    let assigned: Vec<i64> = assignments::table
        .filter(assignments::ended_at.is_null())
        .select(assignments::claim_id)
        .load(conn)
        .unwrap();
    let decided: Vec<(i64, String)> = verdicts::table
        .filter(verdicts::superseded_at.is_null())
        .select((verdicts::claim_id, verdicts::verdict))
        .load(conn)
        .unwrap();
    let with_evidence: Vec<i64> = evidence::table
        .select(evidence::claim_id)
        .distinct()
        .load(conn)
        .unwrap();
    for (id, status, assignee, version) in rows {
        let under_review = matches!(status.as_str(), "in_review" | "verified" | "disputed");
        assert_eq!(assignee.is_some(), under_review, "claim {id} is {status}");
        assert_eq!(
            assigned.contains(&id),
            under_review,
            "claim {id} is {status}"
        );
        let verdict = decided.iter().find(|(c, _)| *c == id).map(|(_, v)| v);
        if status == "verified" || status == "disputed" {
            assert_eq!(verdict, Some(&status));
            assert!(
                with_evidence.contains(&id),
                "claim {id} decided without evidence"
            );
        } else {
            assert_eq!(verdict, None, "claim {id} is {status}");
        }
        let expected_version = match status.as_str() {
            "candidate" => 1,
            "rejected" | "open" => 2,
            "in_review" => 3,
            _ => 4,
        };
        assert_eq!(version, expected_version, "claim {id} is {status}");
    }
}

#[test]
fn bench_data_loads_anchored_claims_consistent_states_and_a_valid_chain() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let summary = benchdata::run(&mut conn, &options(100, 10, 3), &mut std::io::sink()).unwrap();
    assert_eq!((summary.articles, summary.claims), (100, 1_000));

    assert_eq!(count!(&mut conn, articles::table), 100);
    assert_eq!(count!(&mut conn, claims::table), 1_000);
    // 3 per claim, one article.ingested per article, one user.created per bench user.
    assert_eq!(
        count!(&mut conn, audit_events::table),
        1_000 * 3 + 100 + summary.users
    );
    let report = claimtracker::audit::service::verify(&mut conn).unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.events, count!(&mut conn, audit_events::table));
    assert_anchored(&mut conn);
    assert_consistent(&mut conn);
    // Three events leave room for every state up to in_review, and the mix uses them all.
    let mut statuses: Vec<String> = claims::table
        .select(claims::status)
        .distinct()
        .load(&mut conn)
        .unwrap();
    statuses.sort();
    assert_eq!(statuses, ["candidate", "in_review", "open", "rejected"]);
    // Each claim's history has exactly three events.
    let per_claim: Vec<i64> = audit_events::table
        .filter(audit_events::claim_id.is_not_null())
        .group_by(audit_events::claim_id)
        .select(diesel::dsl::count_star())
        .load(&mut conn)
        .unwrap();
    assert_eq!(per_claim.len(), 1_000);
    assert!(per_claim.iter().all(|n| *n == 3));
}

#[test]
fn bench_data_with_room_for_verdicts_writes_evidence_and_verdicts_and_refuses_to_mix() {
    let db = TestDb::new();
    let mut conn = db.conn();
    benchdata::run(&mut conn, &options(20, 10, 6), &mut std::io::sink()).unwrap();
    assert_consistent(&mut conn);
    assert_anchored(&mut conn);
    let decided: i64 = claims::table
        .filter(claims::status.eq_any(["verified", "disputed"]))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert!(decided > 0);
    assert_eq!(count!(&mut conn, verdicts::table), decided);
    assert!(count!(&mut conn, comments::table) > 0);

    // A database with articles is refused, and nothing is added.
    let err = benchdata::run(&mut conn, &options(5, 10, 6), &mut std::io::sink()).unwrap_err();
    assert!(matches!(err, BenchDataError::NotEmpty(20)), "{err}");
    assert_eq!(count!(&mut conn, articles::table), 20);

    // With --append it adds after the existing rows, and the chain stays valid.
    let mut more = options(5, 10, 6);
    more.append = true;
    benchdata::run(&mut conn, &more, &mut std::io::sink()).unwrap();
    assert_eq!(count!(&mut conn, articles::table), 25);
    assert!(claimtracker::audit::service::verify(&mut conn).unwrap().ok);
    assert_consistent(&mut conn);
}
