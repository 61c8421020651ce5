//! Audit events: who did what to which entity, with exactly the fields that changed.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::schema::audit_events;

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User {
        id: i64,
        name: String,
    },
    Token {
        user_id: i64,
        token_id: i64,
        name: String,
    },
    System,
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::User { .. } => "user",
            Actor::Token { .. } => "token",
            Actor::System => "system",
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        match self {
            Actor::User { id, .. } => Some(*id),
            Actor::Token { user_id, .. } => Some(*user_id),
            Actor::System => None,
        }
    }

    pub fn token_id(&self) -> Option<i64> {
        match self {
            Actor::Token { token_id, .. } => Some(*token_id),
            _ => None,
        }
    }

    pub fn display(&self) -> String {
        match self {
            Actor::User { name, .. } => name.clone(),
            Actor::Token { name, .. } => format!("{name} (API token)"),
            Actor::System => "system".to_string(),
        }
    }
}

/// The actor and request behind a change; handed to every service that writes.
#[derive(Debug, Clone)]
pub struct AuditContext {
    pub actor: Actor,
    pub request_id: Option<String>,
}

impl AuditContext {
    pub fn system() -> AuditContext {
        AuditContext {
            actor: Actor::System,
            request_id: None,
        }
    }
}

/// Every action the history knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ArticleIngested,
    ClaimCreated,
    ClaimAccepted,
    ClaimRejected,
    ClaimRestored,
    ClaimEdited,
    ClaimAssigned,
    EvidenceAdded,
    CommentAdded,
    ClaimVerdict,
    ClaimReopened,
    UserCreated,
    UserRoleChanged,
    UserDeactivated,
    UserPasswordChanged,
    UserLogin,
    UserLoginFailed,
    UserLogout,
    TokenCreated,
    TokenRevoked,
    ReportExported,
}

impl Action {
    pub const ALL: [Action; 21] = [
        Action::ArticleIngested,
        Action::ClaimCreated,
        Action::ClaimAccepted,
        Action::ClaimRejected,
        Action::ClaimRestored,
        Action::ClaimEdited,
        Action::ClaimAssigned,
        Action::EvidenceAdded,
        Action::CommentAdded,
        Action::ClaimVerdict,
        Action::ClaimReopened,
        Action::UserCreated,
        Action::UserRoleChanged,
        Action::UserDeactivated,
        Action::UserPasswordChanged,
        Action::UserLogin,
        Action::UserLoginFailed,
        Action::UserLogout,
        Action::TokenCreated,
        Action::TokenRevoked,
        Action::ReportExported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::ArticleIngested => "article.ingested",
            Action::ClaimCreated => "claim.created",
            Action::ClaimAccepted => "claim.accepted",
            Action::ClaimRejected => "claim.rejected",
            Action::ClaimRestored => "claim.restored",
            Action::ClaimEdited => "claim.edited",
            Action::ClaimAssigned => "claim.assigned",
            Action::EvidenceAdded => "evidence.added",
            Action::CommentAdded => "comment.added",
            Action::ClaimVerdict => "claim.verdict",
            Action::ClaimReopened => "claim.reopened",
            Action::UserCreated => "user.created",
            Action::UserRoleChanged => "user.role_changed",
            Action::UserDeactivated => "user.deactivated",
            Action::UserPasswordChanged => "user.password_changed",
            Action::UserLogin => "user.login",
            Action::UserLoginFailed => "user.login_failed",
            Action::UserLogout => "user.logout",
            Action::TokenCreated => "token.created",
            Action::TokenRevoked => "token.revoked",
            Action::ReportExported => "report.exported",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// One event to append. Build it with the typed constructors below.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub action: Action,
    pub entity_type: &'static str,
    pub entity_id: Option<i64>,
    pub claim_id: Option<i64>,
    pub article_id: Option<i64>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Keeps only the fields whose values differ between `before` and `after`.
pub fn changed_fields(
    before: &Map<String, Value>,
    after: &Map<String, Value>,
) -> (Map<String, Value>, Map<String, Value>) {
    let mut b = Map::new();
    let mut a = Map::new();
    for (key, new) in after {
        let old = before.get(key).unwrap_or(&Value::Null);
        if old != new {
            b.insert(key.clone(), old.clone());
            a.insert(key.clone(), new.clone());
        }
    }
    for (key, old) in before {
        if !after.contains_key(key) {
            b.insert(key.clone(), old.clone());
            a.insert(key.clone(), Value::Null);
        }
    }
    (b, a)
}

impl Event {
    fn new(action: Action, entity_type: &'static str, entity_id: i64) -> Event {
        Event {
            action,
            entity_type,
            entity_id: Some(entity_id),
            claim_id: None,
            article_id: None,
            before: None,
            after: None,
        }
    }

    fn claim(action: Action, claim_id: i64, article_id: i64) -> Event {
        Event {
            claim_id: Some(claim_id),
            article_id: Some(article_id),
            ..Event::new(action, "claim", claim_id)
        }
    }

    /// A change of a claim's own fields: `before`/`after` keep only what differs.
    /// `None` when nothing changed, so a no-op leaves no event.
    fn claim_change(
        action: Action,
        claim_id: i64,
        article_id: i64,
        before: Map<String, Value>,
        after: Map<String, Value>,
        extra: Map<String, Value>,
    ) -> Option<Event> {
        let (b, mut a) = changed_fields(&before, &after);
        if a.is_empty() {
            return None;
        }
        a.extend(extra);
        Some(Event {
            before: Some(Value::Object(b)),
            after: Some(Value::Object(a)),
            ..Event::claim(action, claim_id, article_id)
        })
    }

    pub fn article_ingested(article_id: i64, after: Value) -> Event {
        Event {
            article_id: Some(article_id),
            after: Some(after),
            ..Event::new(Action::ArticleIngested, "article", article_id)
        }
    }

    pub fn claim_created(claim_id: i64, article_id: i64, after: Value) -> Event {
        Event {
            after: Some(after),
            ..Event::claim(Action::ClaimCreated, claim_id, article_id)
        }
    }

    pub fn claim_accepted(
        claim_id: i64,
        article_id: i64,
        before: Map<String, Value>,
        after: Map<String, Value>,
    ) -> Option<Event> {
        Event::claim_change(
            Action::ClaimAccepted,
            claim_id,
            article_id,
            before,
            after,
            Map::new(),
        )
    }

    pub fn claim_rejected(
        claim_id: i64,
        article_id: i64,
        before: Map<String, Value>,
        after: Map<String, Value>,
        reason: &str,
    ) -> Option<Event> {
        Event::claim_change(
            Action::ClaimRejected,
            claim_id,
            article_id,
            before,
            after,
            reason_field(reason),
        )
    }

    pub fn claim_restored(
        claim_id: i64,
        article_id: i64,
        before: Map<String, Value>,
        after: Map<String, Value>,
        reason: &str,
    ) -> Option<Event> {
        Event::claim_change(
            Action::ClaimRestored,
            claim_id,
            article_id,
            before,
            after,
            reason_field(reason),
        )
    }

    pub fn claim_edited(
        claim_id: i64,
        article_id: i64,
        before: Map<String, Value>,
        after: Map<String, Value>,
    ) -> Option<Event> {
        Event::claim_change(
            Action::ClaimEdited,
            claim_id,
            article_id,
            before,
            after,
            Map::new(),
        )
    }

    pub fn claim_assigned(
        claim_id: i64,
        article_id: i64,
        before: Map<String, Value>,
        after: Map<String, Value>,
    ) -> Option<Event> {
        Event::claim_change(
            Action::ClaimAssigned,
            claim_id,
            article_id,
            before,
            after,
            Map::new(),
        )
    }

    /// A verdict event carries the verdict and its rationale.
    pub fn claim_verdict(
        claim_id: i64,
        article_id: i64,
        before: Map<String, Value>,
        after: Map<String, Value>,
        rationale: &str,
    ) -> Option<Event> {
        let mut extra = Map::new();
        extra.insert("rationale".into(), Value::String(rationale.to_string()));
        Event::claim_change(
            Action::ClaimVerdict,
            claim_id,
            article_id,
            before,
            after,
            extra,
        )
    }

    pub fn claim_reopened(
        claim_id: i64,
        article_id: i64,
        before: Map<String, Value>,
        after: Map<String, Value>,
        reason: &str,
    ) -> Option<Event> {
        Event::claim_change(
            Action::ClaimReopened,
            claim_id,
            article_id,
            before,
            after,
            reason_field(reason),
        )
    }

    /// An evidence event carries its URL, note and stance.
    pub fn evidence_added(evidence_id: i64, claim_id: i64, article_id: i64, after: Value) -> Event {
        Event {
            claim_id: Some(claim_id),
            article_id: Some(article_id),
            after: Some(after),
            ..Event::new(Action::EvidenceAdded, "evidence", evidence_id)
        }
    }

    pub fn comment_added(comment_id: i64, claim_id: i64, article_id: i64, after: Value) -> Event {
        Event {
            claim_id: Some(claim_id),
            article_id: Some(article_id),
            after: Some(after),
            ..Event::new(Action::CommentAdded, "comment", comment_id)
        }
    }

    pub fn user_created(user_id: i64, after: Value) -> Event {
        Event {
            after: Some(after),
            ..Event::new(Action::UserCreated, "user", user_id)
        }
    }

    pub fn user_role_changed(user_id: i64, from: &str, to: &str) -> Option<Event> {
        (from != to).then(|| Event {
            before: Some(serde_json::json!({ "role": from })),
            after: Some(serde_json::json!({ "role": to })),
            ..Event::new(Action::UserRoleChanged, "user", user_id)
        })
    }

    pub fn user_deactivated(user_id: i64) -> Event {
        Event {
            before: Some(serde_json::json!({ "active": true })),
            after: Some(serde_json::json!({ "active": false })),
            ..Event::new(Action::UserDeactivated, "user", user_id)
        }
    }

    /// Never carries the password or its hash.
    pub fn user_password_changed(user_id: i64, by_admin: bool) -> Event {
        Event {
            after: Some(serde_json::json!({ "reset_by_admin": by_admin })),
            ..Event::new(Action::UserPasswordChanged, "user", user_id)
        }
    }

    pub fn user_login(user_id: i64, ip: &str) -> Event {
        Event {
            after: Some(serde_json::json!({ "ip": ip })),
            ..Event::new(Action::UserLogin, "user", user_id)
        }
    }

    /// The attempted email and address, never the password.
    pub fn user_login_failed(user_id: Option<i64>, email: &str, ip: &str) -> Event {
        Event {
            entity_id: user_id,
            after: Some(serde_json::json!({ "email": email, "ip": ip })),
            ..Event::new(Action::UserLoginFailed, "user", 0)
        }
    }

    pub fn user_logout(user_id: i64) -> Event {
        Event::new(Action::UserLogout, "user", user_id)
    }

    pub fn token_created(token_id: i64, user_id: i64, label: &str) -> Event {
        Event {
            after: Some(serde_json::json!({ "label": label, "user_id": user_id })),
            ..Event::new(Action::TokenCreated, "api_token", token_id)
        }
    }

    pub fn token_revoked(token_id: i64, user_id: i64, label: &str) -> Event {
        Event {
            before: Some(
                serde_json::json!({ "label": label, "user_id": user_id, "revoked": false }),
            ),
            after: Some(serde_json::json!({ "revoked": true })),
            ..Event::new(Action::TokenRevoked, "api_token", token_id)
        }
    }

    /// The report's format, filters and the chain head it carries.
    pub fn report_exported(details: Value) -> Event {
        Event {
            entity_id: None,
            after: Some(details),
            ..Event::new(Action::ReportExported, "report", 0)
        }
    }
}

fn reason_field(reason: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("reason".into(), Value::String(reason.to_string()));
    m
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = audit_events, check_for_backend(diesel::pg::Pg))]
pub struct AuditEventRow {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_type: String,
    pub actor_user_id: Option<i64>,
    pub actor_token_id: Option<i64>,
    pub actor_display: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<i64>,
    pub claim_id: Option<i64>,
    pub article_id: Option<i64>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// A stored JSON value (`jsonb`) as PostgreSQL sent it, parsed only when read: pages that
/// show events in words read a key or two of some events and none of others (a claim's
/// creation holds the whole claim), where decoding every value into a [`Value`] up front was
/// the largest part of reading a claim's history.
#[derive(Debug, Clone, diesel::deserialize::FromSqlRow)]
pub struct JsonText(Box<str>);

impl JsonText {
    /// The value; `Null` if the text does not parse (PostgreSQL only sends valid JSON).
    pub fn value(&self) -> Value {
        self.parsed().unwrap_or(Value::Null)
    }

    fn parsed(&self) -> Option<Value> {
        serde_json::from_str(&self.0).ok()
    }
}

impl From<&Value> for JsonText {
    fn from(value: &Value) -> JsonText {
        JsonText(value.to_string().into())
    }
}

/// Equal when they hold the same value, however it was written (PostgreSQL puts a space after
/// each `:` and `,`; serde_json does not).
impl PartialEq for JsonText {
    fn eq(&self, other: &JsonText) -> bool {
        self.0 == other.0 || self.parsed().is_some_and(|v| Some(v) == other.parsed())
    }
}

impl diesel::deserialize::FromSql<diesel::sql_types::Jsonb, diesel::pg::Pg> for JsonText {
    fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<JsonText> {
        // Binary `jsonb`: a format version byte (1), then the JSON text.
        match value.as_bytes().split_first() {
            Some((1, text)) => Ok(JsonText(std::str::from_utf8(text)?.into())),
            _ => Err("unsupported jsonb encoding version".into()),
        }
    }
}

/// What a timeline shows of an event: who did what, when, to which claim, and what changed.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::pg::Pg))]
pub struct TimelineEvent {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_display: String,
    pub action: String,
    pub claim_id: Option<i64>,
    pub before: Option<JsonText>,
    pub after: Option<JsonText>,
    pub hash: String,
}

impl From<&AuditEventRow> for TimelineEvent {
    fn from(e: &AuditEventRow) -> TimelineEvent {
        TimelineEvent {
            seq: e.seq,
            occurred_at: e.occurred_at,
            actor_display: e.actor_display.clone(),
            action: e.action.clone(),
            claim_id: e.claim_id,
            before: e.before.as_ref().map(JsonText::from),
            after: e.after.as_ref().map(JsonText::from),
            hash: e.hash.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::JsonText;

    #[test]
    fn json_text_is_equal_by_value_not_by_spelling() {
        let value = serde_json::json!({"a": 1, "b": [true, null]});
        // As PostgreSQL sends `jsonb`: its own key order and spacing.
        let sent = JsonText(r#"{"a": 1, "b": [true, null]}"#.into());
        assert_eq!(sent, JsonText::from(&value));
        assert_eq!(sent.value(), value);
        assert_ne!(sent, JsonText(r#"{"a": 2, "b": [true, null]}"#.into()));
        // Text that does not parse equals nothing but itself.
        assert_ne!(JsonText("{".into()), JsonText("[".into()));
        assert_ne!(
            JsonText("{".into()),
            JsonText::from(&serde_json::Value::Null)
        );
    }
}
