//! claimtracker: a fact-claim tracker with a source-verification workflow.

pub mod articles;
pub mod audit;
pub mod auth;
pub mod benchdata;
pub mod claims;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod evaluation;
pub mod extraction;
pub mod reports;
pub mod schema;
pub mod startup;
pub mod telemetry;
pub mod verification;
pub mod web;
