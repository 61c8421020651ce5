//! The verification workflow (DESIGN.md §3): assign and take, evidence, comments, verdicts,
//! reopen — the state machine in one place ([`model::next_status`], [`model::decide`]) — and
//! the claim list, dashboard, tasks and activity pages built on it.

pub mod api;
pub mod model;
pub mod repo;
pub mod service;
pub mod web;
