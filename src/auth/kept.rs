//! What an instance keeps of a credential it has read (a session, an API token), so that a
//! request need not read it again in a statement of its own. Whatever is kept is used only
//! together with a [`crate::db::Probe`] carried by the request's own main query, which finds
//! whether the stored credential still holds; when it does not, or nothing carried the probe,
//! the credential is read as before ([`super::SignedInPage::run`], [`super::ApiCall::run`]).
//! So a credential ended or changed anywhere, on any instance, is seen by the next request
//! exactly as before: keeping only saves a round trip.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

/// How many credentials of one kind are kept; when full, the store starts again empty.
const KEPT: usize = 10_000;

/// Credentials by the SHA-256 of their secret, each until a moment after which it must be read
/// again (to push its idle expiry or its last-used time forward).
pub struct Kept<V> {
    entries: Mutex<HashMap<String, (V, DateTime<Utc>)>>,
}

impl<V> Default for Kept<V> {
    fn default() -> Kept<V> {
        Kept {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<V: Clone> Kept<V> {
    /// What is kept under `hash`, unless it is due to be read again at `now`.
    pub fn get(&self, hash: &str, now: DateTime<Utc>) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(hash)
            .filter(|(_, until)| now < *until)
            .map(|(value, _)| value.clone())
    }

    /// Keeps `value` under `hash` until `until`.
    pub fn keep(&self, hash: &str, value: V, until: DateTime<Utc>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= KEPT && !entries.contains_key(hash) {
            entries.clear();
        }
        entries.insert(hash.to_string(), (value, until));
    }

    /// Forgets what is kept under `hash` (it is being written, or it is gone).
    pub fn forget(&self, hash: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_value_is_given_until_its_moment_and_not_after() {
        let kept = Kept::default();
        let now = Utc::now();
        kept.keep("a", 1, now + chrono::Duration::seconds(60));
        assert_eq!(kept.get("a", now), Some(1));
        assert_eq!(kept.get("a", now + chrono::Duration::seconds(60)), None);
        assert_eq!(kept.get("b", now), None);
        kept.forget("a");
        assert_eq!(kept.get("a", now), None);
    }

    #[test]
    fn a_full_store_starts_again_rather_than_grow() {
        let kept = Kept::default();
        let until = Utc::now() + chrono::Duration::seconds(60);
        for i in 0..KEPT {
            kept.keep(&i.to_string(), i, until);
        }
        kept.keep("0", 0, until);
        assert_eq!(
            kept.get("1", Utc::now()),
            Some(1),
            "a key kept again does not clear"
        );
        kept.keep("new", 7, until);
        assert_eq!(kept.get("1", Utc::now()), None);
        assert_eq!(kept.get("new", Utc::now()), Some(7));
    }
}
