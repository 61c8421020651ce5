//! JSON endpoints for the history.

use actix_web::web;

pub fn configure(_cfg: &mut web::ServiceConfig) {}
