//! The verification workflow's rules and transactions: assign/take, evidence, comments,
//! verdicts, reopen. Each runs in one transaction: lock the claim → decide (who, then the
//! version, then the status) → write → append the audit event last.
//!
//! The decision needs the claim's assignee as it is under the lock, so the service (not the
//! handler) asks the policy: a handler cannot know the ownership without a racy read.

use diesel::prelude::*;
use serde_json::{Map, Value, json};
use tracing::instrument;

use super::model::{
    AssignInput, AssigneeFilter, Comment, Cursor, CursorKey, DEFAULT_LIMIT, EvidenceInput,
    ListFilter, MAX_COMMENT_CHARS, MAX_LIMIT, MAX_QUERY_CHARS, NewAssignment, NewComment,
    NewEvidence, NewVerdict, Refusal, Sort, Step, Verdict, decide, required_text,
};
use super::repo;
use crate::audit::model::{AuditContext, Event};
use crate::audit::service::{append, append_changes};
use crate::auth::policy::{self, Ownership};
use crate::auth::{Action, CurrentUser, Resource};
use crate::claims::model::{Claim, ClaimChanges, ClaimStatus, ListRow};
use crate::claims::repo as claims_repo;
use crate::claims::service::{MAX_TEXT_CHARS, not_from};
use crate::error::AppError;

/// Decides `step` on the locked `claim`: 403 when the user may not, then 409 when the version
/// is stale (`None`: the step carries no version), then 409 when the status has no such edge.
fn check(
    user: &CurrentUser,
    claim: &Claim,
    step: Step,
    version: Option<i32>,
) -> Result<ClaimStatus, AppError> {
    let resource = Resource::claim(claim.assignee_id);
    let outcome = decide(
        user.role,
        Ownership::of(user.id, resource),
        claim.status(),
        step,
    );
    if outcome == Err(Refusal::NotAllowed) {
        policy::authorize(user, step.action(), resource)?;
    }
    if let Some(v) = version
        && v != claim.version
    {
        return Err(AppError::stale_version(claim.version));
    }
    outcome.map_err(|_| not_from(claim, step.verb()))
}

/// The audit fields of a claim without the version, so that an event shows what the user changed.
fn fields(claim: &Claim) -> Map<String, Value> {
    let mut f = claim.audit_fields();
    f.remove("version");
    f
}

/// Assigns (editors, admins) or takes (a reviewer, an unassigned open claim, for themself) the
/// claim at `version`. Absent `due_at`/`priority` keep the current ones. A request that changes
/// nothing changes nothing and records nothing.
#[instrument(skip_all, fields(claim.id = id))]
pub fn assign(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    user: &CurrentUser,
    id: i64,
    version: i32,
    input: &AssignInput,
) -> Result<Claim, AppError> {
    conn.transaction(|conn| {
        let (claim, event) = assign_locked(conn, user, id, version, input)?;
        append_changes(conn, ctx, [event])?;
        Ok(claim)
    })
}

/// Assigns every listed `(claim id, version)` or none: one transaction, one audit event per
/// claim that changed. An error names the claim it is about.
#[instrument(skip_all, fields(claims = items.len()))]
pub fn assign_many(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    user: &CurrentUser,
    items: &[(i64, i32)],
    input: &AssignInput,
) -> Result<Vec<Claim>, AppError> {
    if items.is_empty() {
        return Err(AppError::invalid("claims", "select at least one claim"));
    }
    let mut items = items.to_vec();
    // Lock in id order, so two bulk assignments over overlapping claims cannot deadlock.
    items.sort_unstable();
    items.dedup_by_key(|(id, _)| *id);
    conn.transaction(|conn| {
        let mut claims = Vec::with_capacity(items.len());
        let mut events = Vec::with_capacity(items.len());
        for (id, version) in &items {
            let (claim, event) =
                assign_locked(conn, user, *id, *version, input).map_err(|e| about_claim(*id, e))?;
            claims.push(claim);
            events.push(event);
        }
        append_changes(conn, ctx, events)?;
        Ok(claims)
    })
}

/// The same error, its message naming the claim (for bulk actions).
fn about_claim(id: i64, e: AppError) -> AppError {
    match e {
        AppError::Conflict { code, message } => AppError::Conflict {
            code,
            message: format!("claim {id}: {message}"),
        },
        AppError::Forbidden(m) => AppError::Forbidden(format!("claim {id}: {m}")),
        AppError::NotFound => AppError::invalid("claims", format!("claim {id} does not exist")),
        other => other,
    }
}

fn assign_locked(
    conn: &mut PgConnection,
    user: &CurrentUser,
    id: i64,
    version: i32,
    input: &AssignInput,
) -> Result<(Claim, Option<Event>), AppError> {
    let claim = claims_repo::lock(conn, id)?;
    let assignee = crate::auth::repo::user_by_email(conn, &input.assignee)?;
    // Who: anyone's claim to anyone (Assign), or else an unassigned one to oneself (Take).
    let ownership = Ownership::of(user.id, Resource::claim(claim.assignee_id));
    let step = match &assignee {
        Some(a) if a.id == user.id && !policy::allowed(user.role, Action::Assign, ownership) => {
            Step::Take
        }
        _ => Step::Assign,
    };
    let next = check(user, &claim, step, Some(version))?;
    let assignee =
        assignee.ok_or_else(|| AppError::invalid("assignee", "no user has this email"))?;
    if !assignee.active {
        return Err(AppError::invalid("assignee", "this user is deactivated"));
    }
    if !policy::allowed(assignee.role(), Action::BeAssigned, Ownership::None) {
        return Err(AppError::invalid(
            "assignee",
            format!(
                "a {} cannot be assigned verification tasks",
                assignee.role()
            ),
        ));
    }
    let changes = ClaimChanges {
        status: Some(next.as_str().to_string()),
        assignee_id: Some(Some(assignee.id)),
        due_at: input.due_at.map(Some),
        priority: input.priority.map(|p| Some(p.as_str().to_string())),
        ..ClaimChanges::default()
    };
    let unchanged = claim.status() == next
        && claim.assignee_id == Some(assignee.id)
        && input.due_at.is_none_or(|d| claim.due_at == Some(d))
        && input
            .priority
            .is_none_or(|p| claim.priority.as_deref() == Some(p.as_str()));
    if unchanged {
        return Ok((claim, None));
    }
    let after = claims_repo::update(conn, id, &changes)?;
    repo::replace_assignment(
        conn,
        &NewAssignment {
            claim_id: id,
            assignee_id: assignee.id,
            assigned_by: user.id,
            due_at: after.due_at,
            priority: after.priority.clone(),
        },
    )?;
    let event = Event::claim_assigned(id, after.article_id, fields(&claim), fields(&after));
    Ok((after, event))
}

/// Adds a piece of evidence (no version: it does not change the claim's own fields).
#[instrument(skip_all, fields(claim.id = id))]
pub fn add_evidence(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    user: &CurrentUser,
    id: i64,
    input: &EvidenceInput,
) -> Result<Claim, AppError> {
    conn.transaction(|conn| {
        let claim = claims_repo::lock(conn, id)?;
        check(user, &claim, Step::AddEvidence, None)?;
        let row = repo::insert_evidence(
            conn,
            &NewEvidence {
                claim_id: id,
                url: input.url.as_str(),
                title: input.title.as_deref(),
                note: &input.note,
                stance: input.stance.as_str(),
                added_by: user.id,
            },
        )?;
        let body =
            json!({"url": row.url, "title": row.title, "note": row.note, "stance": row.stance});
        append(
            conn,
            ctx,
            [Event::evidence_added(row.id, id, claim.article_id, body)],
        )?;
        Ok(claim)
    })
}

/// Adds a comment (no version, like evidence).
#[instrument(skip_all, fields(claim.id = id))]
pub fn add_comment(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    user: &CurrentUser,
    id: i64,
    body: &str,
) -> Result<(Claim, Comment), AppError> {
    let body = required_text("body", body, MAX_COMMENT_CHARS, "write a comment")?;
    conn.transaction(|conn| {
        let claim = claims_repo::lock(conn, id)?;
        check(user, &claim, Step::Comment, None)?;
        let row = repo::insert_comment(
            conn,
            &NewComment {
                claim_id: id,
                author_id: user.id,
                body: &body,
            },
        )?;
        append(
            conn,
            ctx,
            [Event::comment_added(
                row.id,
                id,
                claim.article_id,
                json!({"body": row.body}),
            )],
        )?;
        Ok((claim, row))
    })
}

/// Marks an in-review claim verified or disputed. Needs a rationale and at least one piece of
/// evidence (422 naming `rationale` or `evidence`).
#[instrument(skip_all, fields(claim.id = id))]
pub fn give_verdict(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    user: &CurrentUser,
    id: i64,
    version: i32,
    verdict: &str,
    rationale: &str,
) -> Result<Claim, AppError> {
    let verdict = Verdict::parse(verdict)
        .ok_or_else(|| AppError::invalid("verdict", "must be verified or disputed"))?;
    let rationale = required_text(
        "rationale",
        rationale,
        MAX_TEXT_CHARS,
        "explain the verdict",
    )?;
    conn.transaction(|conn| {
        let claim = claims_repo::lock(conn, id)?;
        let next = check(user, &claim, Step::Verdict(verdict), Some(version))?;
        if repo::evidence_count(conn, id)? == 0 {
            return Err(AppError::invalid(
                "evidence",
                "add at least one piece of evidence before deciding",
            ));
        }
        repo::insert_verdict(
            conn,
            &NewVerdict {
                claim_id: id,
                verdict: verdict.as_str(),
                rationale: &rationale,
                decided_by: user.id,
            },
        )?;
        let after = claims_repo::update(
            conn,
            id,
            &ClaimChanges {
                status: Some(next.as_str().to_string()),
                ..ClaimChanges::default()
            },
        )?;
        append_changes(
            conn,
            ctx,
            [Event::claim_verdict(
                id,
                after.article_id,
                fields(&claim),
                fields(&after),
                &rationale,
            )],
        )?;
        Ok(after)
    })
}

/// Reopens a decided claim for review: the assignee stays, the verdict is superseded (kept).
#[instrument(skip_all, fields(claim.id = id))]
pub fn reopen(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    user: &CurrentUser,
    id: i64,
    version: i32,
    reason: &str,
) -> Result<Claim, AppError> {
    let reason = required_text(
        "reason",
        reason,
        MAX_TEXT_CHARS,
        "say why the claim is reopened",
    )?;
    conn.transaction(|conn| {
        let claim = claims_repo::lock(conn, id)?;
        let next = check(user, &claim, Step::Reopen, Some(version))?;
        repo::supersede_verdict(conn, id)?;
        let after = claims_repo::update(
            conn,
            id,
            &ClaimChanges {
                status: Some(next.as_str().to_string()),
                ..ClaimChanges::default()
            },
        )?;
        append_changes(
            conn,
            ctx,
            [Event::claim_reopened(
                id,
                after.article_id,
                fields(&claim),
                fields(&after),
                &reason,
            )],
        )?;
        Ok(after)
    })
}

/// The claim list's query string as sent (pages and the API share it).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct ListParams {
    pub status: Option<String>,
    pub assignee: Option<String>,
    pub article: Option<String>,
    pub speaker: Option<String>,
    pub signal: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

/// A validated list request.
#[derive(Debug, Clone)]
pub struct ListRequest {
    pub filter: ListFilter,
    pub sort: Sort,
    pub cursor: Option<Cursor>,
    pub limit: i64,
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ListParams {
    /// Validates every parameter, naming the bad one (422). `assignee` is an email, `none` for
    /// unassigned claims; resolving it needs the database, so it happens in [`list`].
    pub fn parse(&self) -> Result<(ListRequest, Option<String>), AppError> {
        let mut filter = ListFilter::default();
        if let Some(raw) = present(&self.status) {
            for s in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let status = ClaimStatus::parse(s).ok_or_else(|| {
                    AppError::invalid(
                        "status",
                        "must be candidate, open, in_review, verified, disputed or rejected",
                    )
                })?;
                if !filter.statuses.contains(&status) {
                    filter.statuses.push(status);
                }
            }
        }
        let mut assignee_email = None;
        match present(&self.assignee) {
            None => {}
            Some("none") => filter.assignee = AssigneeFilter::Nobody,
            Some(email) => {
                let email = crate::auth::model::Email::parse(email)
                    .map_err(|m| AppError::invalid("assignee", m))?;
                assignee_email = Some(email.as_str().to_string());
            }
        }
        if let Some(a) = present(&self.article) {
            filter.article_id = Some(
                a.parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(|| AppError::invalid("article", "must be an article id"))?,
            );
        }
        if let Some(s) = present(&self.speaker) {
            if s.chars().count() > 300 {
                return Err(AppError::invalid(
                    "speaker",
                    "must be at most 300 characters",
                ));
            }
            filter.speaker = Some(s.to_string());
        }
        if let Some(s) = present(&self.signal) {
            filter.signal = Some(crate::extraction::Signal::parse(s).ok_or_else(|| {
                AppError::invalid("signal", "must be one of number, quantity, date, time_span, superlative, comparison, ranking, causal, named_entity, quote")
            })?);
        }
        if let Some(q) = present(&self.q) {
            if q.chars().count() > MAX_QUERY_CHARS {
                return Err(AppError::invalid(
                    "q",
                    format!("must be at most {MAX_QUERY_CHARS} characters"),
                ));
            }
            // NUL cannot travel to PostgreSQL; it never means anything in a search.
            filter.q = Some(q.replace('\0', " "));
        }
        let sort = match present(&self.sort) {
            None if filter.q.is_some() => Sort::Relevance,
            None => Sort::Newest,
            Some(s) => Sort::parse(s).ok_or_else(|| {
                AppError::invalid(
                    "sort",
                    "must be newest, oldest, updated, score, due or relevance",
                )
            })?,
        };
        if sort == Sort::Relevance && filter.q.is_none() {
            return Err(AppError::invalid("sort", "relevance needs a search (q)"));
        }
        let cursor = present(&self.cursor)
            .map(|c| Cursor::decode(c, sort))
            .transpose()?;
        let limit = match present(&self.limit) {
            None => DEFAULT_LIMIT,
            Some(l) => l
                .parse::<i64>()
                .ok()
                .filter(|l| (1..=MAX_LIMIT).contains(l))
                .ok_or_else(|| {
                    AppError::invalid("limit", format!("must be a number from 1 to {MAX_LIMIT}"))
                })?,
        };
        Ok((
            ListRequest {
                filter,
                sort,
                cursor,
                limit,
            },
            assignee_email,
        ))
    }
}

/// One page of the claim list: claims and the cursor of the next page, if there is one.
pub struct ClaimPage<R = Claim> {
    pub claims: Vec<R>,
    pub next_cursor: Option<String>,
}

/// Runs a list request. An unknown assignee email matches no claim.
/// `R`: whole claims, or the list pages' [`ListRow`]s.
pub fn list<R: repo::Listable, K: crate::db::ProbeKind>(
    conn: &mut PgConnection,
    params: &ListParams,
    probe: &crate::db::Probe<K>,
) -> Result<ClaimPage<R>, AppError> {
    let (mut req, assignee) = params.parse()?;
    if let Some(email) = assignee {
        match crate::auth::repo::user_by_email(conn, &email)? {
            Some(u) => req.filter.assignee = AssigneeFilter::User(u.id),
            None => {
                return Ok(ClaimPage {
                    claims: vec![],
                    next_cursor: None,
                });
            }
        }
    }
    list_request(conn, &req, probe)
}

pub fn list_request<R: repo::Listable, K: crate::db::ProbeKind>(
    conn: &mut PgConnection,
    req: &ListRequest,
    probe: &crate::db::Probe<K>,
) -> Result<ClaimPage<R>, AppError> {
    let repo::ListRows { mut rows, window } = repo::list::<R, K>(
        conn,
        &req.filter,
        req.sort,
        req.cursor.as_ref(),
        req.limit + 1,
        probe,
    )?;
    let more = rows.len() as i64 > req.limit;
    rows.truncate(req.limit as usize);
    let next_cursor = if more {
        rows.last().map(|(c, rank)| {
            let key = match req.sort {
                Sort::Newest | Sort::Oldest => CursorKey::Time(c.created_at()),
                Sort::Updated => CursorKey::Time(c.updated_at()),
                Sort::Score => CursorKey::Float(c.score()),
                Sort::Due => c.due_at().map(CursorKey::Time).unwrap_or(CursorKey::Null),
                Sort::Relevance => CursorKey::Float(*rank),
            };
            Cursor {
                sort: req.sort,
                key,
                id: c.id(),
                window,
            }
            .encode()
        })
    } else {
        None
    };
    Ok(ClaimPage {
        claims: rows.into_iter().map(|(c, _)| c).collect(),
        next_cursor,
    })
}

/// One event of a claim's history as the API answers it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryEvent {
    pub seq: i64,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub actor: HistoryActor,
    pub action: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub hash: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryActor {
    /// `user`, `token` or `system`.
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub email: Option<String>,
}

/// Every event that concerns the claim (its changes, assignments, evidence, comments), in
/// `seq` order; 404 when there is no such claim.
pub fn history(conn: &mut PgConnection, id: i64) -> Result<Vec<HistoryEvent>, AppError> {
    claims_repo::find(conn, id)?;
    let rows = crate::audit::repo::for_claim(conn, id)?;
    let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.actor_user_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let emails: std::collections::HashMap<i64, String> = repo::user_names(conn, &ids)?
        .into_iter()
        .map(|(id, _, email)| (id, email))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| HistoryEvent {
            seq: r.seq,
            occurred_at: r.occurred_at,
            actor: HistoryActor {
                email: r.actor_user_id.and_then(|id| emails.get(&id).cloned()),
                kind: r.actor_type,
                name: r.actor_display,
            },
            action: r.action,
            before: r.before,
            after: r.after,
            hash: r.hash,
        })
        .collect())
}

/// The claim in its paragraph: the text before the span, the span, the text after. `window`
/// is the part of the body around the claim ([`repo::claim_page_with_window`]); `start` and `end`
/// are offsets in the whole body. A paragraph that runs past the window is cut with "…".
pub fn in_paragraph(window: &repo::BodyWindow, start: i32, end: i32) -> (String, String, String) {
    let chars: Vec<char> = window.text.chars().collect();
    let (first, last) = (window.first, window.last.min(chars.len()));
    let start = ((start - window.offset).max(0) as usize).clamp(first, last);
    let end = ((end - window.offset).max(0) as usize).clamp(start, last);
    let is_break = |i: usize| {
        chars[i] == '\n'
            && (i + 1 < chars.len() && chars[i + 1] == '\n' || i > 0 && chars[i - 1] == '\n')
    };
    let blank = |part: &[char]| part.iter().all(|c| c.is_whitespace());
    let mut from = start;
    while from > first && !is_break(from - 1) {
        from -= 1;
    }
    let mut to = end;
    while to < last && !is_break(to) {
        to += 1;
    }
    let mut before: String = chars[from..start].iter().collect();
    if from == first && first > 0 && !is_break(first - 1) && !blank(&chars[..first]) {
        before.insert(0, '…');
    }
    let mut after: String = chars[end..to].iter().collect();
    if to == last && last < chars.len() && !is_break(last) && !blank(&chars[last..]) {
        after.push('…');
    }
    (before, chars[start..end].iter().collect(), after)
}

/// Everything the claim page shows.
pub struct ClaimDetail {
    pub claim: Claim,
    pub view: crate::claims::model::ClaimView,
    pub article_title: String,
    /// The paragraph around the claim: before, the span itself, after.
    pub context: (String, String, String),
    pub evidence: Vec<super::model::Evidence>,
    pub comments: Vec<Comment>,
    pub verdicts: Vec<super::model::VerdictRow>,
    pub events: Vec<crate::audit::model::TimelineEvent>,
    /// Names of every user the page mentions (authors, assignees in the history).
    pub names: std::collections::HashMap<i64, String>,
    /// Active users, for the assignment form: (id, name, email, role).
    pub people: Vec<(i64, String, String, String)>,
}

impl ClaimDetail {
    /// The last event on the page: a form posted from it knows what the user had seen.
    pub fn last_seq(&self) -> i64 {
        self.events.last().map(|e| e.seq).unwrap_or(0)
    }
}

/// Everything the claim page shows; `directory` is the request's user directory version
/// (`PageUser::directory_version`).
pub fn claim_detail<K: crate::db::ProbeKind>(
    conn: &mut PgConnection,
    state: &crate::startup::AppState,
    directory: Option<i64>,
    id: i64,
    probe: &crate::db::Probe<K>,
) -> Result<ClaimDetail, AppError> {
    let (
        repo::ClaimPageRows {
            claim,
            article_title,
            discussion:
                repo::Discussion {
                    evidence,
                    comments,
                    verdicts,
                },
            events,
            ..
        },
        window,
    ) = repo::claim_page_with_window(conn, &state.bodies, id, probe)?;
    let people = &state.people;
    let people = people.get(conn, directory)?;
    let view = people.view(claim.clone());
    let context = in_paragraph(&window, claim.quote_start, claim.quote_end);
    let names = people.names();
    let people = people.active();
    Ok(ClaimDetail {
        claim,
        view,
        article_title,
        context,
        evidence,
        comments,
        verdicts,
        events,
        names,
        people,
    })
}

/// What the dashboard shows.
pub struct Dashboard {
    pub counts: Vec<(ClaimStatus, i64)>,
    pub my_tasks: Vec<ListRow>,
    pub overdue: Vec<ListRow>,
    pub candidates: Vec<ListRow>,
    pub recent: Vec<crate::audit::model::TimelineEvent>,
    pub names: std::collections::HashMap<i64, String>,
    pub claim_texts: std::collections::HashMap<i64, String>,
}

/// The dashboard of `user`: overdue tasks are everyone's for those who assign work, else their own.
pub fn dashboard<K: crate::db::ProbeKind>(
    conn: &mut PgConnection,
    user: &CurrentUser,
    people: &crate::claims::service::People,
    probe: &crate::db::Probe<K>,
) -> Result<Dashboard, AppError> {
    // The newest events with their claims' texts and the claim counts, in one round trip that
    // also carries the probe; the counts on their own only when there are no events yet.
    let newest = crate::audit::repo::newest_with_claim_texts(conn, probe)?;
    let stored: std::collections::HashMap<String, i64> = match newest.counts {
        Some(counts) => counts.into_iter().collect(),
        None => repo::status_counts(conn, probe)?.into_iter().collect(),
    };
    let counts = ClaimStatus::ALL
        .into_iter()
        .map(|s| (s, stored.get(s.as_str()).copied().unwrap_or(0)))
        .collect();
    // Everyone's overdue work for those who assign it; one's own for the rest.
    let overdue_of = (!policy::can(user, Action::Assign, Resource::Any)).then_some(user.id);
    let (my_tasks, overdue, candidates) =
        repo::dashboard_lists::<20, 20, 10>(conn, user.id, overdue_of)?;
    let (recent, claim_texts) = with_claim_texts(newest.events);
    let names = people.names();
    Ok(Dashboard {
        counts,
        my_tasks,
        overdue,
        candidates,
        recent,
        names,
        claim_texts,
    })
}

/// Events read with their claims' texts, as the timelines take them: the events, and the
/// texts by claim id.
fn with_claim_texts(
    rows: Vec<(crate::audit::model::TimelineEvent, Option<String>)>,
) -> (
    Vec<crate::audit::model::TimelineEvent>,
    std::collections::HashMap<i64, String>,
) {
    let mut claim_texts = std::collections::HashMap::new();
    let events = rows
        .into_iter()
        .map(|(event, text)| {
            if let (Some(id), Some(text)) = (event.claim_id, text) {
                claim_texts.insert(id, text);
            }
            event
        })
        .collect();
    (events, claim_texts)
}

/// What the activity page shows: the newest events before a seq, with the texts of the
/// claims they are about and every user's name.
pub struct Activity {
    pub events: Vec<crate::audit::model::TimelineEvent>,
    pub claim_texts: std::collections::HashMap<i64, String>,
    pub names: std::collections::HashMap<i64, String>,
}

/// The newest `N` events before `cursor` (a seq), in one statement with their claims' texts;
/// names from the user directory as of `directory`.
pub fn activity_page<const N: u32>(
    conn: &mut PgConnection,
    state: &crate::startup::AppState,
    directory: Option<i64>,
    cursor: Option<i64>,
) -> Result<Activity, AppError> {
    let (events, claim_texts) =
        with_claim_texts(crate::audit::repo::newest_before::<N>(conn, cursor)?);
    let names = state.people.get(conn, directory)?.names();
    Ok(Activity {
        events,
        claim_texts,
        names,
    })
}

#[cfg(test)]
mod tests {
    use super::in_paragraph;
    use crate::verification::repo::{EDGE_CHARS, window_in as window};

    /// What the claim page's SQL once read for a quote at `start..end`:
    /// `substr(body, from + 1, len)`, `from = max(start - (around + 2), 0)`,
    /// `len = max(end - from, 0) + around + 2`, in characters.
    fn substr_window(body: &str, start: i32, end: i32, around: i32) -> String {
        let from = (start - (around + EDGE_CHARS)).max(0);
        let len = (end - from).max(0) + around + EDGE_CHARS;
        body.chars()
            .skip(from as usize)
            .take(len as usize)
            .collect()
    }

    #[test]
    fn the_window_is_the_characters_the_sql_substr_read() {
        let body = "Ünïcödé façade — “quoted” text, 3 % more.\n\nZürich’s budget: €5bn. Ελληνικά.";
        let n = body.chars().count() as i32;
        for around in [0, 1, 3, 7, 40] {
            for start in 0..=n + 3 {
                for end in [start - 1, start, start + 1, start + 5, n, n + 4] {
                    assert_eq!(
                        window(body, start, end, around).text,
                        substr_window(body, start, end, around),
                        "start {start}, end {end}, around {around}"
                    );
                }
            }
        }
        assert_eq!(window("", 0, 0, 5).text, "");
    }

    fn context(body: &str, span: &str, around: i32) -> (String, String, String) {
        let start = body[..body.find(span).unwrap()].chars().count() as i32;
        let end = start + span.chars().count() as i32;
        in_paragraph(&window(body, start, end, around), start, end)
    }

    #[test]
    fn the_paragraph_around_the_span_when_the_window_holds_the_body() {
        let body = "First para.\n\nBefore it. The claim here. After it.\n\nLast para.";
        let (before, span, after) = context(body, "The claim here.", 1000);
        assert_eq!(
            (before.as_str(), span.as_str(), after.as_str()),
            ("Before it. ", "The claim here.", " After it.")
        );
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        // "é", "—" and the curly quotes are several bytes each.
        let body = "Café — intro.\n\nSaid: “it rose”. End.";
        let (before, span, after) = context(body, "“it rose”", 8);
        assert_eq!(
            (before.as_str(), span.as_str(), after.as_str()),
            ("Said: ", "“it rose”", ". End.")
        );
    }

    #[test]
    fn a_paragraph_longer_than_the_window_is_cut_with_an_ellipsis() {
        let body = "aaaa bbbb SPAN cccc dddd";
        let (before, span, after) = context(body, "SPAN", 5);
        assert_eq!(
            (before.as_str(), span.as_str(), after.as_str()),
            ("…bbbb ", "SPAN", " cccc…")
        );
        // A window reaching both ends of the body cuts nothing.
        assert_eq!(context(body, "SPAN", 10).0, "aaaa bbbb ");
        assert_eq!(context(body, "SPAN", 10).2, " cccc dddd");
    }

    #[test]
    fn a_paragraph_that_starts_or_ends_at_the_window_edge_is_whole() {
        // The paragraph "bbbb SPAN cccc" is exactly the window: its breaks lie just outside.
        let body = "aaaa\n\nbbbb SPAN cccc\n\ndddd";
        let (before, span, after) = context(body, "SPAN", 5);
        assert_eq!(
            (before.as_str(), span.as_str(), after.as_str()),
            ("bbbb ", "SPAN", " cccc")
        );
    }
}
