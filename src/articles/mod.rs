//! Articles: ingestion (with extraction and de-duplication), reading, and their pages.

pub mod api;
pub mod import;
pub mod model;
pub mod repo;
pub mod service;
pub mod web;
