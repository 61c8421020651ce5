//! Issue 9: `serve --demo` fills an empty database with claims in every state, and only once.

use diesel::prelude::*;

use crate::helpers::TestDb;

fn statuses(conn: &mut PgConnection) -> Vec<String> {
    use claimtracker::schema::claims;
    let mut s: Vec<String> = claims::table
        .select(claims::status)
        .distinct()
        .load(conn)
        .unwrap();
    s.sort();
    s
}

#[test]
fn the_demo_fills_every_state_once_and_keeps_the_chain_valid() {
    let db = TestDb::new();
    let mut conn = db.conn();
    assert!(claimtracker::demo::seed(&mut conn).unwrap().created);
    assert_eq!(
        statuses(&mut conn),
        [
            "candidate",
            "disputed",
            "in_review",
            "open",
            "rejected",
            "verified"
        ]
    );
    use claimtracker::schema::{audit_events, claims, evidence, users, verdicts};
    let users_n: i64 = users::table.count().get_result(&mut conn).unwrap();
    assert_eq!(users_n, 5);
    // One claim was reopened: its superseded verdict stays.
    let superseded: i64 = verdicts::table
        .filter(verdicts::superseded_at.is_not_null())
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(superseded, 1);
    let overdue: i64 = claims::table
        .filter(claims::status.eq("in_review"))
        .filter(claims::due_at.lt(chrono::Utc::now()))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert!(overdue >= 1, "an overdue task");
    let evidence_n: i64 = evidence::table.count().get_result(&mut conn).unwrap();
    assert!(evidence_n >= 3);
    assert!(claimtracker::audit::service::verify(&mut conn).unwrap().ok);

    let events: i64 = audit_events::table.count().get_result(&mut conn).unwrap();
    assert!(
        !claimtracker::demo::seed(&mut conn).unwrap().created,
        "a second run changes nothing"
    );
    let again: i64 = audit_events::table.count().get_result(&mut conn).unwrap();
    assert_eq!(again, events);
}

#[test]
fn the_demo_accounts_sign_in_with_the_documented_password() {
    let db = TestDb::new();
    let mut conn = db.conn();
    claimtracker::demo::seed(&mut conn).unwrap();
    let readme = include_str!("../../README.md");
    assert!(
        readme.contains(claimtracker::demo::DEMO_PASSWORD),
        "the README shows the demo password"
    );
    for (email, _, role) in claimtracker::demo::DEMO_USERS {
        assert!(readme.contains(email), "the README lists {email}");
        let user = claimtracker::auth::repo::user_by_email(&mut conn, email)
            .unwrap()
            .unwrap();
        assert_eq!(user.role, role);
    }
}
