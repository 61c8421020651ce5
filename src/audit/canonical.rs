//! The canonical serialisation that the hash chain is computed over. It is specified here, in
//! the README, and re-implemented independently by `docs/verify_audit_chain.py`:
//!
//! `hash = lowercase hex of SHA-256( prev_hash ‖ canonical )`, both as UTF-8, where `canonical`
//! is a JSON object without any whitespace whose keys are sorted by their UTF-8 bytes, at every
//! depth, holding exactly: `action`, `actor_display`, `actor_token_id`, `actor_type`,
//! `actor_user_id`, `after`, `article_id`, `before`, `claim_id`, `entity_id`, `entity_type`,
//! `occurred_at`, `request_id`, `seq`. Absent values are `null`; ids and `seq` are integers;
//! `occurred_at` is RFC 3339 in UTC with exactly six fractional digits and a `Z`
//! (`2026-11-29T16:00:00.123456Z`); strings use JSON escapes for `"` `\` and control characters
//! only (everything else as UTF-8); numbers inside `before`/`after` as PostgreSQL's jsonb
//! prints them, read back as the shortest round-tripping form.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::model::AuditEventRow;

/// The hash of the empty chain: what the first event's `prev_hash` is.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub fn format_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The canonical JSON text of an event (everything but `prev_hash` and `hash`).
pub fn canonical(event: &AuditEventRow) -> String {
    let int = |v: Option<i64>| v.map(Value::from).unwrap_or(Value::Null);
    let text = |v: Option<&str>| {
        v.map(|s| Value::String(s.to_string()))
            .unwrap_or(Value::Null)
    };
    let fields: [(&str, Value); 14] = [
        ("action", Value::String(event.action.clone())),
        ("actor_display", Value::String(event.actor_display.clone())),
        ("actor_token_id", int(event.actor_token_id)),
        ("actor_type", Value::String(event.actor_type.clone())),
        ("actor_user_id", int(event.actor_user_id)),
        ("after", event.after.clone().unwrap_or(Value::Null)),
        ("article_id", int(event.article_id)),
        ("before", event.before.clone().unwrap_or(Value::Null)),
        ("claim_id", int(event.claim_id)),
        ("entity_id", int(event.entity_id)),
        ("entity_type", Value::String(event.entity_type.clone())),
        (
            "occurred_at",
            Value::String(format_time(&event.occurred_at)),
        ),
        ("request_id", text(event.request_id.as_deref())),
        ("seq", Value::from(event.seq)),
    ];
    let mut out = String::with_capacity(256);
    out.push('{');
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(&mut out, key);
        out.push(':');
        write_value(&mut out, value);
    }
    out.push('}');
    out
}

/// `SHA-256(prev_hash ‖ canonical)`, lowercase hex.
pub fn chain_hash(prev_hash: &str, canonical: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical.as_bytes());
    hex::encode(hasher.finalize())
}

/// The hash an event must carry, given its content and `prev_hash`.
pub fn expected_hash(event: &AuditEventRow) -> String {
    chain_hash(&event.prev_hash, &canonical(event))
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Sorted here, whatever order the map keeps, so the form never depends on
            // serde_json's features.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn event() -> AuditEventRow {
        AuditEventRow {
            seq: 7,
            occurred_at: Utc.with_ymd_and_hms(2026, 11, 29, 16, 0, 0).unwrap()
                + chrono::Duration::microseconds(120),
            actor_type: "user".into(),
            actor_user_id: Some(3),
            actor_token_id: None,
            actor_display: "Ana \"Editor\"".into(),
            action: "claim.accepted".into(),
            entity_type: "claim".into(),
            entity_id: Some(42),
            claim_id: Some(42),
            article_id: Some(9),
            before: Some(serde_json::json!({"status": "candidate", "a": [1, 2.5]})),
            after: Some(serde_json::json!({"status": "open"})),
            request_id: None,
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn canonical_form_is_sorted_and_compact() {
        assert_eq!(
            canonical(&event()),
            r#"{"action":"claim.accepted","actor_display":"Ana \"Editor\"","actor_token_id":null,"actor_type":"user","actor_user_id":3,"after":{"status":"open"},"article_id":9,"before":{"a":[1,2.5],"status":"candidate"},"claim_id":42,"entity_id":42,"entity_type":"claim","occurred_at":"2026-11-29T16:00:00.000120Z","request_id":null,"seq":7}"#
        );
    }

    #[test]
    fn hash_depends_on_every_field_and_the_previous_hash() {
        let base = expected_hash(&event());
        let mut e = event();
        e.actor_display = "Ana".into();
        assert_ne!(expected_hash(&e), base);
        let mut e = event();
        e.prev_hash = "1".repeat(64);
        assert_ne!(expected_hash(&e), base);
        let mut e = event();
        e.after = Some(serde_json::json!({"status": "opened"}));
        assert_ne!(expected_hash(&e), base);
        assert_eq!(expected_hash(&event()), base);
    }

    #[test]
    fn numbers_read_back_from_storage_print_as_they_were_hashed() {
        // Without serde_json's float_roundtrip these parse one ulp off and the chain "breaks".
        for text in [
            "0.9773009419441223",
            "0.6000000238418579",
            "0.1",
            "0.0001",
            "1.0",
            "42",
        ] {
            let value: Value = serde_json::from_str(text).unwrap();
            let mut out = String::new();
            write_value(&mut out, &value);
            assert_eq!(out, text);
        }
    }

    #[test]
    fn control_characters_are_escaped() {
        let mut e = event();
        e.actor_display = "a\u{1}b\nc".into();
        assert!(canonical(&e).contains(r#""a\u0001b\nc""#));
    }
}
