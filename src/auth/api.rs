//! JSON endpoints of accounts.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::extract::ApiUser;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/me", web::get().to(me));
}

#[derive(Serialize)]
struct Me<'a> {
    id: i64,
    email: &'a str,
    name: &'a str,
    role: &'a str,
}

/// Who the bearer token belongs to: a cheap way for scripts to check their token.
async fn me(api: ApiUser) -> HttpResponse {
    HttpResponse::Ok().json(Me {
        id: api.user.id,
        email: &api.user.email,
        name: &api.user.name,
        role: api.user.role.as_str(),
    })
}
