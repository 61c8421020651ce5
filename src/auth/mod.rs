//! Accounts, roles, sessions, CSRF and API tokens (issue 4).
//!
//! For handlers of other domains:
//! * take [`PageUser`] (pages), [`ApiUser`] (`/api/`) or [`SignedIn`] (either) as an argument,
//!   or [`SignedInPage`] for a page read so often that its session read should share its work's
//!   blocking task;
//! * ask [`policy::authorize`]`(&user, Action::…, Resource::…)?` before acting, or
//!   [`policy::can`] to decide what to show; never compare roles;
//! * pass the extractor's `audit` ([`crate::audit::AuditContext`]) to the service;
//! * put `{% call m::csrf_field(ctx.csrf_token) %}` in every POST form (the CSRF middleware
//!   refuses any non-API POST without it);
//! * register page routes through [`crate::web::AppRoute`] in `startup::page_routes`, so the
//!   CSRF test covers them;
//! * after a successful POST: [`set_flash`] and a 303 redirect.

pub mod api;
pub mod csrf;
pub mod extract;
pub mod kept;
pub mod model;
pub mod policy;
pub mod repo;
pub mod service;
pub mod session;
pub mod web;

pub use extract::{ApiCall, ApiUser, PageUser, SignedIn, SignedInPage, Visitor, set_flash};
pub use model::{CurrentUser, Role};
pub use policy::{Action, Resource, authorize, can};
