//! Reports (DESIGN.md §4, §5): the audit report as CSV, JSON and a printable page, streamed in
//! keyset pages and itself audited; the desk summary at `/reports`; schema.org ClaimReview.

pub mod api;
pub mod model;
pub mod repo;
pub mod service;
pub mod web;
