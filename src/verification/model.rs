//! The verification workflow in one place: the transition table (status × action → next
//! status), who may act (asked of `auth::policy`), and the validated inputs of each action.
//! The database mirrors the table with a trigger (migration `claim_workflow`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::policy::{self, Ownership};
use crate::auth::{Action, Role};
use crate::claims::model::{ClaimStatus, Priority};
use crate::error::AppError;
use crate::extraction::Signal;
use crate::schema::{assignments, comments, evidence, verdicts};

/// What a user can ask to do to a claim in the verification workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// Assign or reassign to anyone (editors, admins).
    Assign,
    /// Assign an unassigned open claim to oneself (reviewers).
    Take,
    AddEvidence,
    Comment,
    /// Mark verified or disputed.
    Verdict(Verdict),
    Reopen,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Assign,
        Step::Take,
        Step::AddEvidence,
        Step::Comment,
        Step::Verdict(Verdict::Verified),
        Step::Verdict(Verdict::Disputed),
        Step::Reopen,
    ];

    /// The policy action that decides who may take this step.
    pub fn action(self) -> Action {
        match self {
            Step::Assign => Action::Assign,
            Step::Take => Action::TakeForSelf,
            Step::AddEvidence => Action::AddEvidence,
            Step::Comment => Action::Comment,
            Step::Verdict(_) => Action::Verdict,
            Step::Reopen => Action::Reopen,
        }
    }

    /// The verb for messages ("cannot assign a claim that is rejected").
    pub fn verb(self) -> &'static str {
        match self {
            Step::Assign => "assign",
            Step::Take => "take",
            Step::AddEvidence => "add evidence to",
            Step::Comment => "comment on",
            Step::Verdict(_) => "give a verdict on",
            Step::Reopen => "reopen",
        }
    }
}

/// The outcome of a step from a status: the status it leads to (the same one for steps that do
/// not move the claim), or `None` when the workflow has no such edge.
///
/// | from \ step | assign/take | evidence | comment | verdict        | reopen    |
/// |-------------|-------------|----------|---------|----------------|-----------|
/// | candidate   | —           | —        | stays   | —              | —         |
/// | open        | in_review   | stays    | stays   | —              | —         |
/// | in_review   | in_review¹  | stays    | stays   | verified/disp. | —         |
/// | verified    | —           | stays    | stays   | —              | in_review |
/// | disputed    | —           | stays    | stays   | —              | in_review |
/// | rejected    | —           | —        | stays   | —              | —         |
///
/// ¹ reassign; taking needs the claim open and unassigned.
pub fn next_status(from: ClaimStatus, step: Step) -> Option<ClaimStatus> {
    use ClaimStatus as S;
    match (from, step) {
        (S::Open | S::InReview, Step::Assign) => Some(S::InReview),
        (S::Open, Step::Take) => Some(S::InReview),
        (S::Open | S::InReview | S::Verified | S::Disputed, Step::AddEvidence) => Some(from),
        (_, Step::Comment) => Some(from),
        (S::InReview, Step::Verdict(v)) => Some(v.status()),
        (S::Verified | S::Disputed, Step::Reopen) => Some(S::InReview),
        _ => None,
    }
}

/// Why a step was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The user's role and relation to the claim do not allow it (403).
    NotAllowed,
    /// The claim's status has no such edge (409).
    WrongStatus,
}

/// The whole decision for one step: who (policy) and when (transition table). Ownership is the
/// user's relation to the claim's current assignee.
pub fn decide(
    role: Role,
    ownership: Ownership,
    status: ClaimStatus,
    step: Step,
) -> Result<ClaimStatus, Refusal> {
    if !policy::allowed(role, step.action(), ownership) {
        return Err(Refusal::NotAllowed);
    }
    next_status(status, step).ok_or(Refusal::WrongStatus)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Verified,
    Disputed,
}

impl Verdict {
    pub fn parse(s: &str) -> Option<Verdict> {
        match s.trim() {
            "verified" => Some(Verdict::Verified),
            "disputed" => Some(Verdict::Disputed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.status().as_str()
    }

    pub fn status(self) -> ClaimStatus {
        match self {
            Verdict::Verified => ClaimStatus::Verified,
            Verdict::Disputed => ClaimStatus::Disputed,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    Supports,
    Refutes,
    Context,
}

impl Stance {
    pub const ALL: [Stance; 3] = [Stance::Supports, Stance::Refutes, Stance::Context];

    pub fn parse(s: &str) -> Option<Stance> {
        Stance::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Supports => "supports",
            Stance::Refutes => "refutes",
            Stance::Context => "context",
        }
    }
}

pub const MAX_URL_CHARS: usize = 2_000;
pub const MAX_TITLE_CHARS: usize = 300;
pub const MAX_NOTE_CHARS: usize = 5_000;
pub const MAX_COMMENT_CHARS: usize = 10_000;

/// An absolute http or https URL with a host: the only kind of link a piece of evidence may be
/// (no `javascript:`, `data:` or `file:` links end up on a claim page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceUrl(String);

impl EvidenceUrl {
    pub fn parse(raw: &str) -> Result<EvidenceUrl, AppError> {
        let url = raw.trim();
        if url.is_empty() {
            return Err(AppError::invalid("url", "give the address of the source"));
        }
        if url.chars().count() > MAX_URL_CHARS {
            return Err(AppError::invalid(
                "url",
                format!("must be at most {MAX_URL_CHARS} characters"),
            ));
        }
        let lower = url.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
            .ok_or_else(|| AppError::invalid("url", "must start with http:// or https://"))?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit('@').next().unwrap_or("");
        let host_name = host.split(':').next().unwrap_or("");
        if host_name.is_empty() || host_name.starts_with('.') {
            return Err(AppError::invalid(
                "url",
                "needs a host name after the scheme",
            ));
        }
        if url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '\\'))
        {
            return Err(AppError::invalid(
                "url",
                "must not contain spaces, quotes or angle brackets",
            ));
        }
        Ok(EvidenceUrl(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Trimmed required text of at most `max` characters, or a 422 naming `field`.
pub fn required_text(
    field: &str,
    raw: &str,
    max: usize,
    missing: &str,
) -> Result<String, AppError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(AppError::invalid(field, missing));
    }
    if text.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(text.to_string())
}

/// Trimmed optional text; empty is absent.
pub fn optional_text(
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, AppError> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) if t.chars().count() > max => Err(AppError::invalid(
            field,
            format!("must be at most {max} characters"),
        )),
        Some(t) => Ok(Some(t.to_string())),
    }
}

/// An assignment request, validated.
#[derive(Debug, Clone)]
pub struct AssignInput {
    /// Lower-cased email of the assignee.
    pub assignee: String,
    /// `None` keeps the current due date.
    pub due_at: Option<DateTime<Utc>>,
    /// `None` keeps the current priority.
    pub priority: Option<Priority>,
}

impl AssignInput {
    pub fn parse(
        assignee: &str,
        due_at: Option<&str>,
        priority: Option<&str>,
    ) -> Result<AssignInput, AppError> {
        let assignee = crate::auth::model::Email::parse(assignee)
            .map_err(|m| AppError::invalid("assignee", m))?;
        let due_at = match due_at.map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => Some(parse_due(d).ok_or_else(|| {
                AppError::invalid(
                    "due_at",
                    "must be a date and time such as 2026-12-01T17:00:00Z",
                )
            })?),
        };
        let priority = match priority.map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => Some(Priority::parse(p).ok_or_else(|| {
                AppError::invalid("priority", "must be low, normal, high or urgent")
            })?),
        };
        Ok(AssignInput {
            assignee: assignee.as_str().to_string(),
            due_at,
            priority,
        })
    }
}

/// RFC 3339, or what a form's date / datetime-local input sends (read as UTC).
pub fn parse_due(v: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(v, format) {
            return Some(t.and_utc());
        }
    }
    // A bare date is due at the end of that day.
    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(23, 59, 0))
        .map(|t| t.and_utc())
}

#[derive(Debug, Clone)]
pub struct EvidenceInput {
    pub url: EvidenceUrl,
    pub title: Option<String>,
    pub note: String,
    pub stance: Stance,
}

impl EvidenceInput {
    pub fn parse(
        url: &str,
        title: Option<&str>,
        note: &str,
        stance: &str,
    ) -> Result<EvidenceInput, AppError> {
        Ok(EvidenceInput {
            url: EvidenceUrl::parse(url)?,
            title: optional_text("title", title, MAX_TITLE_CHARS)?,
            note: required_text("note", note, MAX_NOTE_CHARS, "say what this source shows")?,
            stance: Stance::parse(stance).ok_or_else(|| {
                AppError::invalid("stance", "must be supports, refutes or context")
            })?,
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = evidence, check_for_backend(diesel::pg::Pg))]
pub struct Evidence {
    pub id: i64,
    pub claim_id: i64,
    pub url: String,
    pub title: Option<String>,
    pub note: String,
    pub stance: String,
    pub added_by: i64,
    pub added_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = evidence)]
pub struct NewEvidence<'a> {
    pub claim_id: i64,
    pub url: &'a str,
    pub title: Option<&'a str>,
    pub note: &'a str,
    pub stance: &'a str,
    pub added_by: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments, check_for_backend(diesel::pg::Pg))]
pub struct Comment {
    pub id: i64,
    pub claim_id: i64,
    pub author_id: i64,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = comments)]
pub struct NewComment<'a> {
    pub claim_id: i64,
    pub author_id: i64,
    pub body: &'a str,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = verdicts, check_for_backend(diesel::pg::Pg))]
pub struct VerdictRow {
    pub id: i64,
    pub claim_id: i64,
    pub verdict: String,
    pub rationale: String,
    pub decided_by: i64,
    pub decided_at: DateTime<Utc>,
    pub superseded_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = verdicts)]
pub struct NewVerdict<'a> {
    pub claim_id: i64,
    pub verdict: &'a str,
    pub rationale: &'a str,
    pub decided_by: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = assignments)]
pub struct NewAssignment {
    pub claim_id: i64,
    pub assignee_id: i64,
    pub assigned_by: i64,
    pub due_at: Option<DateTime<Utc>>,
    pub priority: Option<String>,
}

/// Whose claims a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Any,
    /// Unassigned claims only.
    Nobody,
    User(i64),
}

/// The claim list's filters, validated; every one optional.
#[derive(Debug, Clone)]
pub struct ListFilter {
    /// Empty: every status, candidates and rejected included.
    pub statuses: Vec<ClaimStatus>,
    pub assignee: AssigneeFilter,
    pub article_id: Option<i64>,
    /// Case-insensitive exact speaker name.
    pub speaker: Option<String>,
    pub signal: Option<Signal>,
    /// PostgreSQL websearch syntax over the claim (text, speaker, role, via) and article title.
    pub q: Option<String>,
    /// Only in-review claims due before now (overdue tasks).
    pub overdue: bool,
}

impl ListFilter {
    /// `Some(status)` when the filter asks for nothing but at most one status (`Some(None)`:
    /// every status), as the lists' default pages do.
    pub fn only_status(&self) -> Option<Option<ClaimStatus>> {
        // Every field named, so that a filter added later cannot be skipped here unnoticed.
        let ListFilter {
            statuses,
            assignee,
            article_id,
            speaker,
            signal,
            q,
            overdue,
        } = self;
        let plain = matches!(assignee, AssigneeFilter::Any)
            && article_id.is_none()
            && speaker.is_none()
            && signal.is_none()
            && q.is_none()
            && !overdue;
        match statuses.as_slice() {
            [] if plain => Some(None),
            [status] if plain => Some(Some(*status)),
            _ => None,
        }
    }
}

impl Default for ListFilter {
    fn default() -> ListFilter {
        ListFilter {
            statuses: vec![],
            assignee: AssigneeFilter::Any,
            article_id: None,
            speaker: None,
            signal: None,
            q: None,
            overdue: false,
        }
    }
}

/// Orders of the claim list; each ends in the id, so the order is total and paging stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// created_at, newest first.
    Newest,
    Oldest,
    /// updated_at, most recently changed first.
    Updated,
    /// Check-worthiness, highest first.
    Score,
    /// Due date, soonest first, undated last.
    Due,
    /// Search rank, best first (needs `q`).
    Relevance,
}

impl Sort {
    pub const ALL: [Sort; 6] = [
        Sort::Newest,
        Sort::Oldest,
        Sort::Updated,
        Sort::Score,
        Sort::Due,
        Sort::Relevance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::Updated => "updated",
            Sort::Score => "score",
            Sort::Due => "due",
            Sort::Relevance => "relevance",
        }
    }

    pub fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The sort key of the last row of a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CursorKey {
    Time(DateTime<Utc>),
    /// Scores and ranks, compared bit-exact.
    Float(f32),
    /// An undated claim in the due order.
    Null,
}

/// Where the next page starts: after (key, id) in `sort` order. Opaque to clients.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cursor {
    pub sort: Sort,
    pub key: CursorKey,
    pub id: i64,
    /// Relevance order only: the highest claim id of the ranked window on the first page, so
    /// later pages rank the same window while new claims arrive.
    pub window: Option<i64>,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let key = match self.key {
            CursorKey::Time(t) => format!("t{}", t.timestamp_micros()),
            CursorKey::Float(f) => format!("f{}", f.to_bits()),
            CursorKey::Null => "n".to_string(),
        };
        let window = self.window.map(|w| format!("|w{w}")).unwrap_or_default();
        hex::encode(format!(
            "1|{}|{}|{}{window}",
            self.sort.as_str(),
            key,
            self.id
        ))
    }

    /// A cursor of this list's order, or a 422 naming `cursor`.
    pub fn decode(raw: &str, sort: Sort) -> Result<Cursor, AppError> {
        let bad = || {
            AppError::invalid(
                "cursor",
                "is not a cursor of this list; start again from the first page",
            )
        };
        let bytes = hex::decode(raw.trim()).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let parts: Vec<&str> = text.split('|').collect();
        let (version, s, key, id, window) = match parts.as_slice() {
            [version, s, key, id] => (version, s, key, id, None),
            [version, s, key, id, window] if Sort::parse(s) == Some(Sort::Relevance) => {
                let w = window.strip_prefix('w').and_then(|w| w.parse::<i64>().ok());
                (version, s, key, id, Some(w.ok_or_else(bad)?))
            }
            _ => return Err(bad()),
        };
        if *version != "1" || Sort::parse(s) != Some(sort) {
            return Err(bad());
        }
        let id: i64 = id.parse().map_err(|_| bad())?;
        let key = match (sort, key.split_at_checked(1)) {
            (Sort::Newest | Sort::Oldest | Sort::Updated | Sort::Due, Some(("t", micros))) => {
                CursorKey::Time(
                    micros
                        .parse::<i64>()
                        .ok()
                        .and_then(DateTime::from_timestamp_micros)
                        .ok_or_else(bad)?,
                )
            }
            (Sort::Score | Sort::Relevance, Some(("f", bits))) => {
                CursorKey::Float(f32::from_bits(bits.parse::<u32>().map_err(|_| bad())?))
            }
            (Sort::Due, Some(("n", ""))) => CursorKey::Null,
            _ => return Err(bad()),
        };
        Ok(Cursor {
            sort,
            key,
            id,
            window,
        })
    }
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;
pub const MAX_QUERY_CHARS: usize = 500;

#[cfg(test)]
mod tests {
    //! Every (status, step, role, ownership) combination against two tables written out by hand:
    //! the workflow's edges and who may act. A change of the rules is a visible change here.
    use super::*;
    use ClaimStatus as S;
    use Ownership as O;

    const STATUSES: [S; 6] = S::ALL;
    const OWNERSHIPS: [O; 3] = [O::Own, O::Others, O::Unassigned];

    /// The workflow's edges: (from, step) → next, `None` = no such edge.
    fn expected_edge(from: S, step: Step) -> Option<S> {
        const V: Step = Step::Verdict(Verdict::Verified);
        const D: Step = Step::Verdict(Verdict::Disputed);
        #[rustfmt::skip]
        let table: &[(S, [Option<S>; 7])] = &[
            //               Assign               Take                 Evidence             Comment              Verified             Disputed             Reopen
            (S::Candidate, [None,                None,                None,                Some(S::Candidate),  None,                None,                None]),
            (S::Open,      [Some(S::InReview),   Some(S::InReview),   Some(S::Open),       Some(S::Open),       None,                None,                None]),
            (S::InReview,  [Some(S::InReview),   None,                Some(S::InReview),   Some(S::InReview),   Some(S::Verified),   Some(S::Disputed),   None]),
            (S::Verified,  [None,                None,                Some(S::Verified),   Some(S::Verified),   None,                None,                Some(S::InReview)]),
            (S::Disputed,  [None,                None,                Some(S::Disputed),   Some(S::Disputed),   None,                None,                Some(S::InReview)]),
            (S::Rejected,  [None,                None,                None,                Some(S::Rejected),   None,                None,                None]),
        ];
        let col = [
            Step::Assign,
            Step::Take,
            Step::AddEvidence,
            Step::Comment,
            V,
            D,
            Step::Reopen,
        ]
        .iter()
        .position(|s| *s == step)
        .unwrap();
        table.iter().find(|(s, _)| *s == from).unwrap().1[col]
    }

    /// Who may take a step: [admin, editor, reviewer, viewer] for own / others' / unassigned.
    fn expected_actor(step: Step, role: Role, ownership: O) -> bool {
        const Y: bool = true;
        const N: bool = false;
        #[rustfmt::skip]
        let (own, others, unassigned): ([bool; 4], [bool; 4], [bool; 4]) = match step {
            //                       own            others         unassigned
            Step::Assign =>      ([Y, Y, N, N], [Y, Y, N, N], [Y, Y, N, N]),
            Step::Take =>        ([Y, Y, N, N], [Y, Y, N, N], [Y, Y, Y, N]),
            Step::AddEvidence => ([Y, Y, Y, N], [Y, Y, N, N], [Y, Y, N, N]),
            Step::Comment =>     ([Y, Y, Y, N], [Y, Y, N, N], [Y, Y, N, N]),
            Step::Verdict(_) =>  ([Y, Y, Y, N], [Y, Y, N, N], [Y, Y, N, N]),
            Step::Reopen =>      ([Y, Y, N, N], [Y, Y, N, N], [Y, Y, N, N]),
        };
        let row = match ownership {
            O::Own => own,
            O::Others => others,
            _ => unassigned,
        };
        let i = Role::ALL.iter().position(|r| *r == role).unwrap();
        row[i]
    }

    #[test]
    fn every_status_step_role_and_ownership() {
        let mut cases = 0;
        for status in STATUSES {
            for step in Step::ALL {
                for role in Role::ALL {
                    for ownership in OWNERSHIPS {
                        let want = if !expected_actor(step, role, ownership) {
                            Err(Refusal::NotAllowed)
                        } else {
                            expected_edge(status, step).ok_or(Refusal::WrongStatus)
                        };
                        assert_eq!(
                            decide(role, ownership, status, step),
                            want,
                            "{role} {step:?} on a {status:?} claim ({ownership:?})"
                        );
                        cases += 1;
                    }
                }
            }
        }
        assert_eq!(cases, 6 * 7 * 4 * 3);
    }

    #[test]
    fn the_table_matches_the_database_trigger() {
        // The edges that move a claim in the verification workflow; the trigger in
        // migrations/*_claim_workflow/up.sql allows exactly these plus the triage edges.
        let trigger = include_str!("../../migrations/2026-11-29-170000_claim_workflow/up.sql");
        for from in STATUSES {
            for step in Step::ALL {
                if let Some(to) = next_status(from, step)
                    && to != from
                {
                    let edge = format!("('{}', '{}')", from.as_str(), to.as_str());
                    assert!(trigger.contains(&edge), "the trigger lacks {edge}");
                }
            }
        }
    }

    #[test]
    fn evidence_urls_are_http_only() {
        for ok in [
            "https://example.org/a?b=c#d",
            "http://x.y",
            "HTTPS://Example.org/Path",
            " https://a.b/ ",
        ] {
            assert!(EvidenceUrl::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "example.org",
            "javascript:alert(1)",
            "ftp://example.org/f",
            "data:text/html,<b>x</b>",
            "https://",
            "https:///path",
            "https://exa mple.org",
            "https://example.org/\"onmouseover=",
            "//example.org",
        ] {
            let err = EvidenceUrl::parse(bad).unwrap_err();
            assert_eq!(err.field(), Some("url"), "{bad}");
        }
    }

    #[test]
    fn assignment_input_names_the_bad_field() {
        let ok = AssignInput::parse(
            " Ana@Example.org ",
            Some("2026-12-01T17:00:00+01:00"),
            Some("high"),
        )
        .unwrap();
        assert_eq!(ok.assignee, "ana@example.org");
        assert_eq!(ok.due_at.unwrap().to_rfc3339(), "2026-12-01T16:00:00+00:00");
        assert_eq!(ok.priority, Some(Priority::High));
        assert_eq!(
            AssignInput::parse("nobody", None, None)
                .unwrap_err()
                .field(),
            Some("assignee")
        );
        assert_eq!(
            AssignInput::parse("a@b.org", Some("tomorrow"), None)
                .unwrap_err()
                .field(),
            Some("due_at")
        );
        assert_eq!(
            AssignInput::parse("a@b.org", None, Some("asap"))
                .unwrap_err()
                .field(),
            Some("priority")
        );
        assert!(
            AssignInput::parse("a@b.org", Some(""), Some(""))
                .unwrap()
                .due_at
                .is_none()
        );
        assert!(parse_due("2026-12-01").is_some());
        assert!(parse_due("2026-12-01T09:30").is_some());
    }

    #[test]
    fn cursors_round_trip_and_refuse_other_orders() {
        let t = DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap();
        for c in [
            Cursor {
                sort: Sort::Newest,
                key: CursorKey::Time(t),
                id: 7,
                window: None,
            },
            Cursor {
                sort: Sort::Score,
                key: CursorKey::Float(0.1),
                id: 8,
                window: None,
            },
            Cursor {
                sort: Sort::Due,
                key: CursorKey::Null,
                id: 9,
                window: None,
            },
            Cursor {
                sort: Sort::Relevance,
                key: CursorKey::Float(0.25),
                id: 10,
                window: Some(12_345),
            },
        ] {
            assert_eq!(Cursor::decode(&c.encode(), c.sort).unwrap(), c);
        }
        let c = Cursor {
            sort: Sort::Score,
            key: CursorKey::Float(0.5),
            id: 1,
            window: None,
        }
        .encode();
        assert_eq!(
            Cursor::decode(&c, Sort::Newest).unwrap_err().field(),
            Some("cursor")
        );
        for junk in [
            "",
            "zz",
            "'; DROP TABLE claims; --",
            &hex::encode("1|score|x|1"),
        ] {
            assert_eq!(
                Cursor::decode(junk, Sort::Score).unwrap_err().field(),
                Some("cursor")
            );
        }
    }

    #[test]
    fn evidence_needs_a_note_and_a_stance() {
        assert_eq!(
            EvidenceInput::parse("https://a.b", None, " ", "supports")
                .unwrap_err()
                .field(),
            Some("note")
        );
        assert_eq!(
            EvidenceInput::parse("https://a.b", None, "n", "maybe")
                .unwrap_err()
                .field(),
            Some("stance")
        );
        let e = EvidenceInput::parse("https://a.b", Some(" "), "n", "refutes").unwrap();
        assert_eq!((e.title, e.stance), (None, Stance::Refutes));
    }
}
