//! The rules for a claim's own fields and triage: versioned changes, each with its audit event
//! in the same transaction.

use std::collections::HashMap;
use std::sync::Arc;

use diesel::prelude::*;
use serde_json::Value;
use tracing::instrument;

use super::model::{Claim, ClaimChanges, ClaimStatus, ClaimView, NewClaim, signals_column};
use super::repo;
use crate::audit::model::{AuditContext, Event};
use crate::audit::service::append_changes;
use crate::error::AppError;
use crate::extraction::{ClaimKind, Quote};

/// The longest claim text or speaker we store (longer input is a 422, not a truncation).
pub const MAX_TEXT_CHARS: usize = 5_000;
pub const MAX_NAME_CHARS: usize = 300;

/// Every user, read once per page (see [`repo::all_people`]).
pub struct People {
    /// (id, name, email, role, active), by name.
    all: Vec<repo::PersonRow>,
    index: HashMap<i64, usize>,
}

impl People {
    pub fn load(conn: &mut PgConnection) -> QueryResult<People> {
        let all = repo::all_people(conn)?;
        let index = all.iter().enumerate().map(|(i, p)| (p.0, i)).collect();
        Ok(People { all, index })
    }

    pub fn person(&self, id: i64) -> Option<super::model::PersonView> {
        self.index.get(&id).map(|&i| super::model::PersonView {
            email: self.all[i].2.clone(),
            name: self.all[i].1.clone(),
        })
    }

    /// The user's name.
    pub fn name(&self, id: i64) -> Option<&str> {
        self.index.get(&id).map(|&i| self.all[i].1.as_str())
    }

    /// Names by id of every user.
    pub fn names(&self) -> HashMap<i64, String> {
        self.all.iter().map(|p| (p.0, p.1.clone())).collect()
    }

    /// Active users, for the assignment forms: (id, name, email, role), by name.
    pub fn active(&self) -> Vec<(i64, String, String, String)> {
        self.all
            .iter()
            .filter(|p| p.4)
            .map(|p| (p.0, p.1.clone(), p.2.clone(), p.3.clone()))
            .collect()
    }

    /// The claim with its assignee resolved.
    pub fn view(&self, claim: Claim) -> ClaimView {
        let assignee = claim.assignee_id.and_then(|id| self.person(id));
        ClaimView::new(claim, assignee)
    }
}

/// The user directory as last read, with the version it was read at (the session load reads
/// the current version: [`crate::auth::session::read`]). Every statement that
/// changes a user's name, email, role or activity bumps the version in the same transaction
/// (migration `user_directory_version`), so a page that finds its request's version here uses
/// a directory at least as new as the request, on every instance.
#[derive(Default)]
pub struct PeopleCache(std::sync::Mutex<Option<(i64, Arc<People>)>>);

impl PeopleCache {
    /// The directory at `version` or newer: the kept one when it is that version, else read
    /// now (and kept). Without a version (no session) it is always read.
    pub fn get(&self, conn: &mut PgConnection, version: Option<i64>) -> QueryResult<Arc<People>> {
        if let Some(v) = version
            && let Some((kept, people)) = &*self.lock()
            && *kept == v
        {
            return Ok(Arc::clone(people));
        }
        // Read after the version was: what is read is that version or a newer one, so keeping
        // it under `v` can only make a later request see newer names, never older ones.
        let people = Arc::new(People::load(conn)?);
        if let Some(v) = version {
            // Never under an older version than the kept one: a request with a stale version
            // (a kept session about to be found stale, see `auth::kept`) must not push out the
            // directory the others ask for.
            let mut kept = self.lock();
            if kept.as_ref().is_none_or(|(k, _)| v >= *k) {
                *kept = Some((v, Arc::clone(&people)));
            }
        }
        Ok(people)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(i64, Arc<People>)>> {
        // A panic while holding the lock leaves a whole value behind: keep using it.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Claims with their assignees resolved, for the API.
pub fn views(conn: &mut PgConnection, claims: Vec<Claim>) -> QueryResult<Vec<ClaimView>> {
    let mut ids: Vec<i64> = claims.iter().filter_map(|c| c.assignee_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let people: HashMap<i64, _> = repo::people(conn, &ids)?.into_iter().collect();
    Ok(claims
        .into_iter()
        .map(|c| {
            let assignee = c.assignee_id.and_then(|id| people.get(&id).cloned());
            ClaimView::new(c, assignee)
        })
        .collect())
}

pub fn view(conn: &mut PgConnection, claim: Claim) -> QueryResult<ClaimView> {
    let mut v = views(conn, vec![claim])?;
    v.pop().ok_or(diesel::result::Error::NotFound)
}

/// Locks the claim and checks the version the request was based on (409 when stale).
pub fn lock_at_version(conn: &mut PgConnection, id: i64, version: i32) -> Result<Claim, AppError> {
    let claim = repo::lock(conn, id)?;
    if claim.version != version {
        return Err(AppError::stale_version(claim.version));
    }
    Ok(claim)
}

/// A transition the current status does not allow.
pub fn not_from(claim: &Claim, what: &str) -> AppError {
    AppError::Conflict {
        code: "invalid_transition",
        message: format!("cannot {what} a claim that is {}", claim.status().label()),
    }
}

/// Edits to a claim's own fields. Absent fields are left alone; an empty `speaker`,
/// `speaker_role` or `via` clears it.
#[derive(Debug, Clone, Default)]
pub struct ClaimEdit {
    pub text: Option<String>,
    pub speaker: Option<String>,
    pub speaker_role: Option<String>,
    pub via: Option<String>,
    pub kind: Option<String>,
}

impl ClaimEdit {
    /// Validates into column changes, naming the field at fault.
    pub fn changes(&self) -> Result<ClaimChanges, AppError> {
        let mut c = ClaimChanges::default();
        if let Some(text) = &self.text {
            let text = text.trim();
            if text.is_empty() {
                return Err(AppError::invalid("text", "must not be empty"));
            }
            if text.chars().count() > MAX_TEXT_CHARS {
                return Err(AppError::invalid(
                    "text",
                    format!("must be at most {MAX_TEXT_CHARS} characters"),
                ));
            }
            c.text = Some(text.to_string());
        }
        c.speaker = optional_name("speaker", self.speaker.as_deref())?;
        c.speaker_role = optional_name("speaker_role", self.speaker_role.as_deref())?;
        c.via = optional_name("via", self.via.as_deref())?;
        if let Some(kind) = &self.kind {
            let kind = ClaimKind::parse(kind.trim()).ok_or_else(|| {
                AppError::invalid(
                    "kind",
                    "must be one of direct_quote, reported, mixed, assertion",
                )
            })?;
            c.kind = Some(kind.as_str().to_string());
        }
        Ok(c)
    }
}

fn optional_name(field: &str, raw: Option<&str>) -> Result<Option<Option<String>>, AppError> {
    match raw.map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(v) if v.chars().count() > MAX_NAME_CHARS => Err(AppError::invalid(
            field,
            format!("must be at most {MAX_NAME_CHARS} characters"),
        )),
        Some(v) => Ok(Some(Some(v.to_string()))),
    }
}

fn differs(before: &Claim, changes: &ClaimChanges) -> bool {
    changes.text.as_ref().is_some_and(|t| *t != before.text)
        || changes
            .speaker
            .as_ref()
            .is_some_and(|s| *s != before.speaker)
        || changes
            .speaker_role
            .as_ref()
            .is_some_and(|s| *s != before.speaker_role)
        || changes.via.as_ref().is_some_and(|s| *s != before.via)
        || changes.kind.as_ref().is_some_and(|k| *k != before.kind)
        || changes.status.as_ref().is_some_and(|s| *s != before.status)
        || changes
            .assignee_id
            .as_ref()
            .is_some_and(|a| *a != before.assignee_id)
        || changes.due_at.as_ref().is_some_and(|d| *d != before.due_at)
        || changes
            .priority
            .as_ref()
            .is_some_and(|p| *p != before.priority)
}

/// Fields without the version, so that an event shows what the user changed.
fn fields(claim: &Claim) -> serde_json::Map<String, Value> {
    let mut f = claim.audit_fields();
    f.remove("version");
    f
}

/// `PATCH /api/v1/claims/{id}`: edits at a version. A no-op changes nothing and records nothing.
#[instrument(skip_all, fields(claim.id = id))]
pub fn edit(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    id: i64,
    version: i32,
    edit: &ClaimEdit,
) -> Result<Claim, AppError> {
    let changes = edit.changes()?;
    conn.transaction(|conn| {
        let before = lock_at_version(conn, id, version)?;
        if !differs(&before, &changes) {
            return Ok(before);
        }
        let after = repo::update(conn, before.id, &changes)?;
        append_changes(
            conn,
            ctx,
            [Event::claim_edited(
                id,
                after.article_id,
                fields(&before),
                fields(&after),
            )],
        )?;
        Ok(after)
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriageDecision {
    Accept,
    Reject,
    Restore,
}

impl TriageDecision {
    pub fn parse(s: &str) -> Option<TriageDecision> {
        match s {
            "accept" => Some(TriageDecision::Accept),
            "reject" => Some(TriageDecision::Reject),
            "restore" => Some(TriageDecision::Restore),
            _ => None,
        }
    }
}

/// Accept (candidate → open, with optional edits in the same request), reject (candidate →
/// rejected, with a reason) or restore (rejected → candidate, with a reason).
#[instrument(skip_all, fields(claim.id = id))]
pub fn triage(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    id: i64,
    version: i32,
    decision: TriageDecision,
    reason: Option<&str>,
    edit: &ClaimEdit,
) -> Result<Claim, AppError> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if matches!(decision, TriageDecision::Reject | TriageDecision::Restore) && reason.is_none() {
        return Err(AppError::invalid("reason", "give a reason"));
    }
    if let Some(r) = reason
        && r.chars().count() > MAX_TEXT_CHARS
    {
        return Err(AppError::invalid(
            "reason",
            format!("must be at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    let mut changes = edit.changes()?;
    if decision != TriageDecision::Accept && differs_any(&changes) {
        return Err(AppError::invalid(
            "decision",
            "only an accept may edit the claim in the same request",
        ));
    }
    conn.transaction(|conn| {
        let before = lock_at_version(conn, id, version)?;
        let (from, to, verb) = match decision {
            TriageDecision::Accept => (ClaimStatus::Candidate, ClaimStatus::Open, "accept"),
            TriageDecision::Reject => (ClaimStatus::Candidate, ClaimStatus::Rejected, "reject"),
            TriageDecision::Restore => (ClaimStatus::Rejected, ClaimStatus::Candidate, "restore"),
        };
        if before.status() != from {
            return Err(not_from(&before, verb));
        }
        changes.status = Some(to.as_str().to_string());
        let after = repo::update(conn, before.id, &changes)?;
        let (b, a) = (fields(&before), fields(&after));
        let event = match decision {
            TriageDecision::Accept => Event::claim_accepted(id, after.article_id, b, a),
            TriageDecision::Reject => {
                Event::claim_rejected(id, after.article_id, b, a, reason.unwrap_or_default())
            }
            TriageDecision::Restore => {
                Event::claim_restored(id, after.article_id, b, a, reason.unwrap_or_default())
            }
        };
        append_changes(conn, ctx, [event])?;
        Ok(after)
    })
}

fn differs_any(c: &ClaimChanges) -> bool {
    c.text.is_some()
        || c.speaker.is_some()
        || c.speaker_role.is_some()
        || c.via.is_some()
        || c.kind.is_some()
}

/// The W3C selectors for chars `start..end` of `body`, or a 422 naming the bad bound.
pub fn quote_for_span(body: &str, start: i64, end: i64) -> Result<Quote, AppError> {
    let len = body.chars().count() as i64;
    if start < 0 || start >= len {
        return Err(AppError::invalid(
            "start",
            format!("must be from 0 to {}", (len - 1).max(0)),
        ));
    }
    if end <= start || end > len {
        return Err(AppError::invalid(
            "end",
            format!("must be greater than start and at most {len}"),
        ));
    }
    let (start, end) = (start as usize, end as usize);
    let byte_at = |char_index: usize| {
        body.char_indices()
            .nth(char_index)
            .map(|(b, _)| b)
            .unwrap_or(body.len())
    };
    let (bs, be) = (byte_at(start), byte_at(end));
    let exact = &body[bs..be];
    if exact.trim().is_empty() {
        return Err(AppError::invalid(
            "start",
            "the span holds only white space",
        ));
    }
    if end - start > MAX_TEXT_CHARS {
        return Err(AppError::invalid(
            "end",
            format!("a claim spans at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    let prefix: String = {
        let mut p: Vec<char> = body[..bs].chars().rev().take(32).collect();
        p.reverse();
        p.into_iter().collect()
    };
    let suffix: String = body[be..].chars().take(32).collect();
    Ok(Quote {
        exact: exact.to_string(),
        prefix,
        suffix,
        start,
        end,
    })
}

/// A claim made by hand from a span of an article's body: it starts `open`.
#[instrument(skip_all, fields(article.id = article_id))]
pub fn create_manual(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    article_id: i64,
    start: i64,
    end: i64,
    speaker: Option<&str>,
    kind: Option<&str>,
) -> Result<Claim, AppError> {
    let speaker = optional_name("speaker", speaker)?.unwrap_or_default();
    let kind = match kind.map(str::trim).filter(|k| !k.is_empty()) {
        None if speaker.is_some() => ClaimKind::Reported,
        None => ClaimKind::Assertion,
        Some(k) => ClaimKind::parse(k).ok_or_else(|| {
            AppError::invalid(
                "kind",
                "must be one of direct_quote, reported, mixed, assertion",
            )
        })?,
    };
    conn.transaction(|conn| {
        let body: String = crate::articles::repo::body_text(conn, article_id)?;
        let quote = quote_for_span(&body, start, end)?;
        let scored = crate::extraction::score::score_sentence(&quote.exact);
        let new = NewClaim {
            article_id,
            text: quote.exact.trim().to_string(),
            quote_exact: quote.exact.clone(),
            quote_prefix: quote.prefix,
            quote_suffix: quote.suffix,
            quote_start: quote.start as i32,
            quote_end: quote.end as i32,
            speaker,
            speaker_role: None,
            via: None,
            cue: None,
            kind: kind.as_str().to_string(),
            signals: signals_column(&scored.signals),
            score: scored.score.clamp(0.0, 1.0),
            origin: "manual".into(),
            status: ClaimStatus::Open.as_str().into(),
            created_by: ctx.actor.user_id(),
        };
        let mut rows = repo::insert_many(conn, &[new])?;
        let claim = rows.pop().ok_or(diesel::result::Error::NotFound)?;
        crate::audit::service::append(
            conn,
            ctx,
            [Event::claim_created(
                claim.id,
                article_id,
                claim.created_event_body(),
            )],
        )?;
        Ok(claim)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_cut_in_chars_with_context() {
        let body = "Zoë said “yes”. Then 3.5% more.";
        let q = quote_for_span(body, 9, 14).unwrap();
        assert_eq!(q.exact, "“yes”");
        assert_eq!(q.prefix, "Zoë said ");
        assert_eq!(q.suffix, ". Then 3.5% more.");
        assert_eq!(
            body.chars()
                .skip(q.start)
                .take(q.end - q.start)
                .collect::<String>(),
            q.exact
        );
    }

    #[test]
    fn bad_spans_name_the_bound() {
        let body = "short body";
        assert_eq!(
            quote_for_span(body, -1, 3).unwrap_err().field(),
            Some("start")
        );
        assert_eq!(
            quote_for_span(body, 10, 12).unwrap_err().field(),
            Some("start")
        );
        assert_eq!(quote_for_span(body, 3, 3).unwrap_err().field(), Some("end"));
        assert_eq!(
            quote_for_span(body, 3, 11).unwrap_err().field(),
            Some("end")
        );
        assert_eq!(
            quote_for_span(body, 5, 6).unwrap_err().field(),
            Some("start"),
            "white space only"
        );
    }

    #[test]
    fn edits_validate_and_clear() {
        let e = ClaimEdit {
            speaker: Some("  ".into()),
            kind: Some("reported".into()),
            ..ClaimEdit::default()
        };
        let c = e.changes().unwrap();
        assert_eq!(c.speaker, Some(None));
        assert_eq!(c.kind.as_deref(), Some("reported"));
        let bad = ClaimEdit {
            kind: Some("rumour".into()),
            ..ClaimEdit::default()
        };
        assert_eq!(bad.changes().unwrap_err().field(), Some("kind"));
        let empty = ClaimEdit {
            text: Some(" ".into()),
            ..ClaimEdit::default()
        };
        assert_eq!(empty.changes().unwrap_err().field(), Some("text"));
    }
}
