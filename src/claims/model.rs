//! Claim rows, inserts, and the JSON shape clients see (DESIGN.md §1, §5).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::extraction::{ClaimKind, Quote, Signal};
use crate::schema::claims;

/// Workflow states (DESIGN.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    Candidate,
    Open,
    InReview,
    Verified,
    Disputed,
    Rejected,
}

impl ClaimStatus {
    pub const ALL: [ClaimStatus; 6] = [
        ClaimStatus::Candidate,
        ClaimStatus::Open,
        ClaimStatus::InReview,
        ClaimStatus::Verified,
        ClaimStatus::Disputed,
        ClaimStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Candidate => "candidate",
            ClaimStatus::Open => "open",
            ClaimStatus::InReview => "in_review",
            ClaimStatus::Verified => "verified",
            ClaimStatus::Disputed => "disputed",
            ClaimStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<ClaimStatus> {
        ClaimStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Words for people ("in review").
    pub fn label(self) -> &'static str {
        match self {
            ClaimStatus::InReview => "in review",
            other => other.as_str(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A stored claim (every column but the search vector).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = claims, check_for_backend(diesel::pg::Pg))]
pub struct Claim {
    pub id: i64,
    pub article_id: i64,
    pub text: String,
    pub quote_exact: String,
    pub quote_prefix: String,
    pub quote_suffix: String,
    pub quote_start: i32,
    pub quote_end: i32,
    pub speaker: Option<String>,
    pub speaker_role: Option<String>,
    pub via: Option<String>,
    pub cue: Option<String>,
    pub kind: String,
    pub signals: Vec<Option<String>>,
    pub score: f32,
    pub origin: String,
    pub status: String,
    pub version: i32,
    pub assignee_id: Option<i64>,
    pub due_at: Option<DateTime<Utc>>,
    pub priority: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Claim {
    pub fn status(&self) -> ClaimStatus {
        ClaimStatus::parse(&self.status).unwrap_or(ClaimStatus::Candidate)
    }

    pub fn signal_names(&self) -> Vec<String> {
        self.signals.iter().flatten().cloned().collect()
    }

    /// The fields an audit event compares before and after a change.
    pub fn audit_fields(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("text".into(), json!(self.text));
        m.insert("speaker".into(), json!(self.speaker));
        m.insert("speaker_role".into(), json!(self.speaker_role));
        m.insert("via".into(), json!(self.via));
        m.insert("kind".into(), json!(self.kind));
        m.insert("status".into(), json!(self.status));
        m.insert("assignee_id".into(), json!(self.assignee_id));
        m.insert(
            "due_at".into(),
            json!(
                self.due_at
                    .map(|d| crate::audit::canonical::format_time(&d))
            ),
        );
        m.insert("priority".into(), json!(self.priority));
        m.insert("version".into(), json!(self.version));
        m
    }

    /// What `claim.created` records.
    pub fn created_event_body(&self) -> Value {
        json!({
            "text": self.text,
            "quote": {"start": self.quote_start, "end": self.quote_end, "exact": self.quote_exact},
            "speaker": self.speaker,
            "speaker_role": self.speaker_role,
            "via": self.via,
            "cue": self.cue,
            "kind": self.kind,
            "signals": self.signal_names(),
            // Four decimals: a number that prints the same in every JSON implementation, so the
            // audit chain can be re-computed outside the app (see docs/verify_audit_chain.py).
            "score": (f64::from(self.score) * 10_000.0).round() / 10_000.0,
            "origin": self.origin,
            "status": self.status,
        })
    }
}

/// The columns a claim list shows, and its sort keys: what the list pages and the dashboard
/// read instead of whole claims (11 columns of 24, no quote context, no signals array).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = claims, check_for_backend(diesel::pg::Pg))]
pub struct ListRow {
    pub id: i64,
    pub article_id: i64,
    pub text: String,
    pub speaker: Option<String>,
    pub score: f32,
    pub status: String,
    pub version: i32,
    pub assignee_id: Option<i64>,
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a claim list orders and pages by, for whole claims and list rows alike.
pub trait Listed {
    fn id(&self) -> i64;
    fn created_at(&self) -> DateTime<Utc>;
    fn updated_at(&self) -> DateTime<Utc>;
    fn score(&self) -> f32;
    fn due_at(&self) -> Option<DateTime<Utc>>;
}

macro_rules! listed {
    ($row:ty) => {
        impl Listed for $row {
            fn id(&self) -> i64 {
                self.id
            }
            fn created_at(&self) -> DateTime<Utc> {
                self.created_at
            }
            fn updated_at(&self) -> DateTime<Utc> {
                self.updated_at
            }
            fn score(&self) -> f32 {
                self.score
            }
            fn due_at(&self) -> Option<DateTime<Utc>> {
                self.due_at
            }
        }
    };
}
listed!(Claim);
listed!(ListRow);

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = claims)]
pub struct NewClaim {
    pub article_id: i64,
    pub text: String,
    pub quote_exact: String,
    pub quote_prefix: String,
    pub quote_suffix: String,
    pub quote_start: i32,
    pub quote_end: i32,
    pub speaker: Option<String>,
    pub speaker_role: Option<String>,
    pub via: Option<String>,
    pub cue: Option<String>,
    pub kind: String,
    pub signals: Vec<Option<String>>,
    pub score: f32,
    pub origin: String,
    pub status: String,
    pub created_by: Option<i64>,
}

/// Changes to a claim's own fields and workflow columns; `None` leaves a column alone.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = claims)]
pub struct ClaimChanges {
    pub text: Option<String>,
    pub speaker: Option<Option<String>>,
    pub speaker_role: Option<Option<String>>,
    pub via: Option<Option<String>>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub assignee_id: Option<Option<i64>>,
    pub due_at: Option<Option<DateTime<Utc>>>,
    pub priority: Option<Option<String>>,
}

/// A person as clients see them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonView {
    pub email: String,
    pub name: String,
}

/// The claim as the API answers it: every field of DESIGN.md §1 plus the workflow columns.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimView {
    pub id: i64,
    pub article_id: i64,
    pub text: String,
    pub quote: Quote,
    pub speaker: Option<String>,
    pub speaker_role: Option<String>,
    pub via: Option<String>,
    pub cue: Option<String>,
    pub kind: String,
    pub signals: Vec<String>,
    pub score: f32,
    pub status: String,
    pub version: i32,
    pub origin: String,
    pub assignee: Option<PersonView>,
    pub due_at: Option<DateTime<Utc>>,
    pub priority: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ClaimView {
    pub fn new(claim: Claim, assignee: Option<PersonView>) -> ClaimView {
        let signals = claim.signal_names();
        ClaimView {
            id: claim.id,
            article_id: claim.article_id,
            text: claim.text,
            quote: Quote {
                exact: claim.quote_exact,
                prefix: claim.quote_prefix,
                suffix: claim.quote_suffix,
                start: claim.quote_start.max(0) as usize,
                end: claim.quote_end.max(0) as usize,
            },
            speaker: claim.speaker,
            speaker_role: claim.speaker_role,
            via: claim.via,
            cue: claim.cue,
            kind: claim.kind,
            signals,
            score: claim.score,
            status: claim.status,
            version: claim.version,
            origin: claim.origin,
            assignee,
            due_at: claim.due_at,
            priority: claim.priority,
            created_at: claim.created_at,
            updated_at: claim.updated_at,
        }
    }
}

/// Signals as stored.
pub fn signals_column(signals: &[Signal]) -> Vec<Option<String>> {
    signals
        .iter()
        .map(|s| Some(s.as_str().to_string()))
        .collect()
}

pub fn kind_of(raw: &str) -> Option<ClaimKind> {
    ClaimKind::parse(raw)
}
