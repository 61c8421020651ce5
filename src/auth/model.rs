//! Accounts: rows, insert structs and the validated newtypes (email, password, role, label).

use std::fmt;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::{api_tokens, sessions, users};

/// The four roles of DESIGN.md §3. What each may do is decided in [`super::policy`] only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    Editor,
    Reviewer,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Editor, Role::Reviewer, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_ascii_lowercase())
    }

    /// A role as stored in `users.role`: the CHECK constraint keeps it one of the four, viewer is
    /// the safe fallback.
    pub fn stored(s: &str) -> Role {
        Role::parse(s).unwrap_or(Role::Viewer)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A syntactically valid, lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, String> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err("enter an email address".into());
        }
        if email.len() > 254 {
            return Err("an email address has at most 254 characters".into());
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err("an email address needs an @".into());
        };
        let ok = !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Email(email))
        } else {
            Err(format!("{:?} is not an email address", raw.trim()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Passwords shorter than this are refused (OWASP ASVS 2.1.1 asks for at least 12 for
/// user-chosen ones; the issue sets 10 as the floor).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Argon2 takes any length; the cap keeps one request from burning CPU on megabytes.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// The commonest passwords of breach corpora that pass the length rule; refused outright.
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789012",
    "0123456789",
    "0987654321",
    "1111111111",
    "0000000000",
    "1q2w3e4r5t",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "1qaz2wsx3edc",
    "asdfghjkl1",
    "password12",
    "password123",
    "password1234",
    "passw0rd123",
    "iloveyou12",
    "letmein123",
    "welcome123",
    "football123",
    "baseball123",
    "princess123",
    "sunshine123",
    "superman123",
    "trustno1234",
    "changeme123",
    "administrator",
    "abcdefghij",
    "abc1234567",
    "aaaaaaaaaa",
    "michael123",
    "charlie123",
    "dragon1234",
    "monkey1234",
    "master1234",
    "whatever123",
    "starwars123",
    "computer123",
    "newsroom123",
    "claimtracker",
    "claimtracker1",
];

/// A password that passed the rules. Never printed: `Debug` hides it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Password, String> {
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(format!(
                "use at least {MIN_PASSWORD_CHARS} characters (a few words make a good password)"
            ));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(format!("use at most {MAX_PASSWORD_CHARS} characters"));
        }
        let lower = raw.to_lowercase();
        if COMMON_PASSWORDS.contains(&lower.as_str()) {
            return Err("this password is one of the most common ones; choose another".into());
        }
        let first = raw.chars().next();
        if raw.chars().all(|c| Some(c) == first) {
            return Err("a password of one repeated character is too easy to guess".into());
        }
        Ok(Password(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<hidden>)")
    }
}

/// A token label: trimmed, 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenLabel(String);

impl TokenLabel {
    pub fn parse(raw: &str) -> Result<TokenLabel, String> {
        let label = raw.trim();
        if label.is_empty() {
            return Err("give the token a label, such as the script that will use it".into());
        }
        if label.chars().count() > 100 {
            return Err("a label has at most 100 characters".into());
        }
        Ok(TokenLabel(label.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's display name: trimmed, 1 to 200 characters.
pub fn parse_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("enter a name".into());
    }
    if name.chars().count() > 200 {
        return Err("a name has at most 200 characters".into());
    }
    Ok(name.to_string())
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub password_changed_at: DateTime<Utc>,
    pub deactivated_at: Option<DateTime<Utc>>,
}

impl User {
    pub fn role(&self) -> Role {
        Role::stored(&self.role)
    }

    pub fn current(&self) -> CurrentUser {
        CurrentUser {
            id: self.id,
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role(),
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens, check_for_backend(diesel::pg::Pg))]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub label: String,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct NewApiToken<'a> {
    pub user_id: i64,
    pub label: &'a str,
    pub token_hash: &'a str,
}

/// A stored browser session (its key is only ever held as a SHA-256).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
pub struct SessionRow {
    pub key_hash: String,
    pub user_id: Option<i64>,
    pub state: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

/// The signed-in user (by session or token), as handlers and the policy see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
}

impl CurrentUser {
    pub fn view(&self) -> crate::web::UserView {
        crate::web::UserView {
            id: self.id,
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role.as_str().to_string(),
        }
    }
}

/// SHA-256 hex: how session keys and API tokens are stored.
pub fn sha256_hex(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lowercased_and_checked() {
        assert_eq!(
            Email::parse("  Ana@Example.ORG ").unwrap().as_str(),
            "ana@example.org"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.org",
            "ana@example",
            "a b@c.de",
            "a@b@c.de",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_need_length_and_must_not_be_common() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("Password123").is_err(), "common, any case");
        assert!(Password::parse("aaaaaaaaaaaa").is_err());
        assert!(Password::parse("correct horse battery").is_ok());
        assert_eq!(
            format!("{:?}", Password::parse("correct horse battery").unwrap()),
            "Password(<hidden>)"
        );
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("boss"), None);
    }
}
