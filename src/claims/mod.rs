//! Claims: the anchored, attributed statements found in articles, and their triage and edits.
//! (The verification workflow — assignment, evidence, verdicts — lives in `verification`.)

pub mod api;
pub mod model;
pub mod repo;
pub mod service;
pub mod web;
