//! Who may do what: the one place that answers it (DESIGN.md §3).
//!
//! Handlers ask, they never compare roles themselves:
//!
//! ```ignore
//! use crate::auth::{Action, Resource, policy};
//! policy::authorize(&user, Action::Verdict, Resource::claim(claim.assignee_id))?; // 403 if not
//! if policy::can(&user, Action::Triage, Resource::Any) { /* show the triage buttons */ }
//! ```
//!
//! The policy decides *who*; the claims service still decides *when* (a verdict needs the claim
//! `in_review`, taking needs it `open` and unassigned, a stale version is 409, and so on).

use super::model::{CurrentUser, Role};
use crate::error::AppError;

/// Everything a signed-in user can ask to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read claims, articles, the audit history; verify the chain. Every role.
    Read,
    /// Export audit reports. Every role.
    Export,
    /// Ingest an article (web form or API).
    Ingest,
    /// Accept, reject or restore a candidate.
    Triage,
    /// Edit a claim's text, speaker, role, via, kind.
    EditClaim,
    /// Create a claim by hand from a span of an article.
    CreateManualClaim,
    /// Assign or reassign a claim to anyone.
    Assign,
    /// Assign an unassigned `open` claim to oneself.
    TakeForSelf,
    /// Add evidence to a claim.
    AddEvidence,
    /// Comment on a claim.
    Comment,
    /// Mark a claim verified or disputed.
    Verdict,
    /// Reopen a verified or disputed claim.
    Reopen,
    /// Create, change the role of, deactivate users and reset their passwords.
    ManageUsers,
    /// Be the assignee of a verification task (asked of the person being assigned).
    BeAssigned,
}

impl Action {
    pub const ALL: [Action; 14] = [
        Action::Read,
        Action::Export,
        Action::Ingest,
        Action::Triage,
        Action::EditClaim,
        Action::CreateManualClaim,
        Action::Assign,
        Action::TakeForSelf,
        Action::AddEvidence,
        Action::Comment,
        Action::Verdict,
        Action::Reopen,
        Action::ManageUsers,
        Action::BeAssigned,
    ];
}

/// What the action is done to. Only ownership matters to the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// Not about one claim (ingest, export, manage users, the claim list).
    Any,
    /// A claim, by its current assignee.
    Claim { assignee_id: Option<i64> },
}

impl Resource {
    /// A claim with this assignee (`claims.assignee_id`).
    pub fn claim(assignee_id: Option<i64>) -> Resource {
        Resource::Claim { assignee_id }
    }
}

/// The user's relation to a claim's task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// Not a claim.
    None,
    /// The user is the assignee.
    Own,
    /// Someone else is.
    Others,
    /// Nobody is.
    Unassigned,
}

impl Ownership {
    pub fn of(user_id: i64, resource: Resource) -> Ownership {
        match resource {
            Resource::Any => Ownership::None,
            Resource::Claim { assignee_id: None } => Ownership::Unassigned,
            Resource::Claim {
                assignee_id: Some(id),
            } if id == user_id => Ownership::Own,
            Resource::Claim { .. } => Ownership::Others,
        }
    }
}

/// May `user` do `action` to `resource`?
pub fn can(user: &CurrentUser, action: Action, resource: Resource) -> bool {
    allowed(user.role, action, Ownership::of(user.id, resource))
}

/// [`can`] as a `Result`: 403 with a message naming what was refused.
pub fn authorize(user: &CurrentUser, action: Action, resource: Resource) -> Result<(), AppError> {
    if can(user, action, resource) {
        Ok(())
    } else {
        Err(AppError::Forbidden(refusal(user.role, action)))
    }
}

/// The table itself, by role, action and ownership.
pub fn allowed(role: Role, action: Action, ownership: Ownership) -> bool {
    use Action as A;
    match (role, action) {
        // Everyone signed in reads and exports.
        (_, A::Read | A::Export) => true,
        (Role::Admin, _) => true,
        (Role::Editor, A::ManageUsers) => false,
        (Role::Editor, _) => true,
        // Reviewers work on their own tasks, and may pick up an unassigned one.
        (Role::Reviewer, A::TakeForSelf) => ownership == Ownership::Unassigned,
        (Role::Reviewer, A::AddEvidence | A::Comment | A::Verdict) => ownership == Ownership::Own,
        (Role::Reviewer, A::BeAssigned) => true,
        (Role::Reviewer, _) => false,
        // Viewers only read.
        (Role::Viewer, _) => false,
    }
}

fn refusal(role: Role, action: Action) -> String {
    let what = match action {
        Action::Read => "read this",
        Action::Export => "export reports",
        Action::Ingest => "add articles",
        Action::Triage => "triage candidates",
        Action::EditClaim => "edit claims",
        Action::CreateManualClaim => "create claims",
        Action::Assign => "assign claims",
        Action::TakeForSelf => "take this claim (it is not unassigned)",
        Action::AddEvidence => "add evidence to a claim that is not your task",
        Action::Comment => "comment on a claim that is not your task",
        Action::Verdict => "give a verdict on a claim that is not your task",
        Action::Reopen => "reopen claims",
        Action::ManageUsers => "manage users",
        Action::BeAssigned => "be assigned verification tasks",
    };
    format!("your role ({role}) may not {what}")
}

#[cfg(test)]
mod tests {
    //! The policy as a table (GitLab's policy specs): every role × action × ownership, spelled
    //! out, so a change of the rules is a visible change of this table.
    use super::*;

    use Action as A;
    use Ownership as O;

    const Y: bool = true;
    const N: bool = false;

    /// (action, [admin, editor, reviewer, viewer]) for one ownership.
    type Row = (Action, [bool; 4]);

    /// Claim-level actions where ownership matters: own task / someone else's / unassigned.
    const OWN: &[Row] = &[
        (A::Read, [Y, Y, Y, Y]),
        (A::Export, [Y, Y, Y, Y]),
        (A::Triage, [Y, Y, N, N]),
        (A::EditClaim, [Y, Y, N, N]),
        (A::Assign, [Y, Y, N, N]),
        (A::TakeForSelf, [Y, Y, N, N]),
        (A::AddEvidence, [Y, Y, Y, N]),
        (A::Comment, [Y, Y, Y, N]),
        (A::Verdict, [Y, Y, Y, N]),
        (A::Reopen, [Y, Y, N, N]),
    ];
    const OTHERS: &[Row] = &[
        (A::Read, [Y, Y, Y, Y]),
        (A::Export, [Y, Y, Y, Y]),
        (A::Triage, [Y, Y, N, N]),
        (A::EditClaim, [Y, Y, N, N]),
        (A::Assign, [Y, Y, N, N]),
        (A::TakeForSelf, [Y, Y, N, N]),
        (A::AddEvidence, [Y, Y, N, N]),
        (A::Comment, [Y, Y, N, N]),
        (A::Verdict, [Y, Y, N, N]),
        (A::Reopen, [Y, Y, N, N]),
    ];
    const UNASSIGNED: &[Row] = &[
        (A::Read, [Y, Y, Y, Y]),
        (A::Export, [Y, Y, Y, Y]),
        (A::Triage, [Y, Y, N, N]),
        (A::EditClaim, [Y, Y, N, N]),
        (A::Assign, [Y, Y, N, N]),
        (A::TakeForSelf, [Y, Y, Y, N]),
        (A::AddEvidence, [Y, Y, N, N]),
        (A::Comment, [Y, Y, N, N]),
        (A::Verdict, [Y, Y, N, N]),
        (A::Reopen, [Y, Y, N, N]),
    ];
    /// Actions not about one claim.
    const GLOBAL: &[Row] = &[
        (A::Read, [Y, Y, Y, Y]),
        (A::Export, [Y, Y, Y, Y]),
        (A::Ingest, [Y, Y, N, N]),
        (A::CreateManualClaim, [Y, Y, N, N]),
        (A::Triage, [Y, Y, N, N]),
        (A::Assign, [Y, Y, N, N]),
        (A::Reopen, [Y, Y, N, N]),
        (A::ManageUsers, [Y, N, N, N]),
        (A::BeAssigned, [Y, Y, Y, N]),
    ];

    fn check(ownership: Ownership, table: &[Row]) {
        for (action, expected) in table {
            for (role, want) in Role::ALL.into_iter().zip(expected) {
                assert_eq!(
                    allowed(role, *action, ownership),
                    *want,
                    "{role} {action:?} on {ownership:?}"
                );
            }
        }
    }

    #[test]
    fn own_task() {
        check(O::Own, OWN);
    }

    #[test]
    fn someone_elses_task() {
        check(O::Others, OTHERS);
    }

    #[test]
    fn unassigned_claim() {
        check(O::Unassigned, UNASSIGNED);
    }

    #[test]
    fn not_about_a_claim() {
        check(O::None, GLOBAL);
    }

    #[test]
    fn every_action_appears_in_the_tables() {
        for action in Action::ALL {
            let claim_level = [OWN, OTHERS, UNASSIGNED]
                .iter()
                .all(|t| t.iter().any(|(a, _)| *a == action));
            let global = GLOBAL.iter().any(|(a, _)| *a == action);
            assert!(claim_level || global, "{action:?} is in no table");
        }
    }

    #[test]
    fn ownership_is_relative_to_the_user() {
        let reviewer = CurrentUser {
            id: 7,
            email: "r@example.org".into(),
            name: "R".into(),
            role: Role::Reviewer,
        };
        assert!(can(&reviewer, A::Verdict, Resource::claim(Some(7))));
        assert!(!can(&reviewer, A::Verdict, Resource::claim(Some(8))));
        assert!(!can(&reviewer, A::Verdict, Resource::claim(None)));
        assert!(can(&reviewer, A::TakeForSelf, Resource::claim(None)));
        let err = authorize(&reviewer, A::ManageUsers, Resource::Any).unwrap_err();
        assert!(matches!(err, AppError::Forbidden(m) if m.contains("reviewer")));
    }
}
