//! The append-only, hash-chained audit history (DESIGN.md §4).
//!
//! Services call [`service::append`] inside their own transaction, last, so the change and its
//! events commit together and the chain head stays locked only for the append itself.

pub mod api;
pub mod canonical;
pub mod model;
pub mod repo;
pub mod service;

pub use model::{Action, Actor, AuditContext, Event};
