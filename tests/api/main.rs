//! Black-box tests: the real app over HTTP against a fresh PostgreSQL database per test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod auth;
mod bench_data;
mod browser;
mod demo;
mod foundation;
mod helpers;
mod ingestion;
mod reports;
mod workflow;
