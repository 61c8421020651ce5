//! Builds the actix application. `configure` is shared by the server and the tests.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use diesel::prelude::*;
use tracing_actix_web::TracingLogger;

use crate::config::Config;
use crate::db::PgPool;

/// Shared state of one app instance. Everything that changes lives in PostgreSQL; `people` is
/// only a copy of the user directory, kept while its version there stays the same, and
/// `bodies` copies of article bodies, which never change.
pub struct AppState {
    pub pool: crate::db::Db,
    pub config: Config,
    pub people: crate::claims::service::PeopleCache,
    pub bodies: crate::articles::service::BodyCache,
    /// Shared by every worker's session layer, which forgets what it writes.
    pub sessions: std::sync::Arc<crate::auth::session::SessionCache>,
    /// API tokens as last read ([`crate::auth::ApiCall::run`]).
    pub tokens: crate::auth::kept::Kept<crate::auth::service::TokenHolder>,
}

impl AppState {
    pub fn new(pool: PgPool, config: Config) -> anyhow::Result<AppState> {
        Ok(AppState {
            pool: crate::db::Db::new(pool)?,
            config,
            people: crate::claims::service::PeopleCache::default(),
            bodies: crate::articles::service::BodyCache::default(),
            sessions: Default::default(),
            tokens: Default::default(),
        })
    }
}

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `listener` and builds the server; the caller runs it.
    pub fn build(
        config: Config,
        pool: PgPool,
        listener: TcpListener,
    ) -> anyhow::Result<Application> {
        let port = listener.local_addr()?.port();
        let workers = config.workers;
        let key = session_key(&pool)?;
        let state = web::Data::new(AppState::new(pool, config)?);
        let mut server = HttpServer::new(move || {
            // The session layer is per worker (it is not `Send`); the sessions are rows in
            // PostgreSQL, so all workers and instances share them.
            let sessions = crate::auth::session::middleware(
                &state.config,
                state.pool.clone(),
                &key,
                std::sync::Arc::clone(&state.sessions),
            );
            // Innermost first: the CSRF check reads the session the layer around it put in the
            // request, and its 403 goes out through the HTML error page.
            App::new()
                .wrap(from_fn(crate::auth::csrf::protect))
                .wrap(sessions)
                .wrap(from_fn(crate::web::render_html_errors))
                .wrap(from_fn(crate::web::security_headers))
                .wrap(Compress::default())
                .wrap(TracingLogger::default())
                .app_data(state.clone())
                .configure(|cfg| configure(cfg, &state.config))
        })
        .shutdown_timeout(10);
        if let Some(workers) = workers {
            server = server.workers(workers);
        }
        let server = server.listen(listener)?.run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The session/CSRF signing key from `app_secrets`, generated there on first start so that every
/// instance shares it and a restart logs nobody out.
fn session_key(pool: &PgPool) -> anyhow::Result<Vec<u8>> {
    let mut conn = pool.get()?;
    let key = crate::auth::service::session_signing_key(&mut conn)
        .map_err(|e| anyhow::anyhow!("could not load the session key: {e}"))?;
    if key.len() < 32 {
        anyhow::bail!("app_secrets.session_key is shorter than 32 bytes");
    }
    Ok(key)
}

/// Every server-rendered page route (session sign-in, CSRF-checked when not GET). Add a page
/// module's `routes()` here.
pub fn page_routes() -> Vec<crate::web::AppRoute> {
    let mut routes = crate::verification::web::routes();
    routes.extend(crate::claims::web::routes());
    routes.extend(crate::auth::web::routes());
    routes.extend(crate::articles::web::routes());
    routes.extend(crate::reports::web::routes());
    routes
}

/// The paths of every state-changing page route, as registered: what the CSRF test walks.
pub fn post_routes() -> Vec<&'static str> {
    page_routes()
        .into_iter()
        .filter(|r| r.method != actix_web::http::Method::GET)
        .map(|r| r.path)
        .collect()
}

/// Every route of the app.
pub fn configure(cfg: &mut web::ServiceConfig, config: &Config) {
    let limits = crate::articles::model::Limits {
        max_text_bytes: config.max_text_bytes,
        max_html_bytes: config.max_html_bytes,
    };
    cfg.app_data(json_config(64 * 1024))
        .route("/healthz", web::get().to(healthz));
    for route in page_routes() {
        cfg.route(route.path, route.route);
    }
    cfg.configure(crate::web::static_files::configure)
        .configure(crate::audit::api::configure)
        .configure(crate::auth::api::configure)
        .configure(|cfg| crate::articles::api::configure(cfg, limits))
        .configure(crate::claims::api::configure)
        .configure(crate::verification::api::configure)
        .configure(crate::reports::web::configure)
        .configure(crate::reports::api::configure)
        .default_service(web::to(crate::web::not_found));
}

/// JSON bodies up to `limit` bytes, with errors in our format.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(json_error)
}

/// Malformed JSON, wrong content type and oversized bodies answer in our error format.
fn json_error(
    err: actix_web::error::JsonPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    use crate::error::AppError;
    use actix_web::error::JsonPayloadError as E;
    let app = match &err {
        E::ContentType => {
            AppError::UnsupportedMediaType("send Content-Type: application/json".into())
        }
        E::OverflowKnownLength { limit, .. } | E::Overflow { limit } => {
            AppError::PayloadTooLarge { limit: *limit }
        }
        E::Deserialize(e) if e.is_data() => {
            // serde names the field in its message ("unknown field `x`", "missing field `y`").
            AppError::invalid(
                serde_field_name(&e.to_string()).unwrap_or("body"),
                e.to_string(),
            )
        }
        _ => AppError::BadRequest(format!("malformed JSON: {err}")),
    };
    app.into()
}

/// The field serde complains about, from messages like "missing field `title` at line 1".
pub fn serde_field_name(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

/// 200 only when the database answers.
async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.clone();
    let ok = web::block(move || {
        let mut conn = pool.get_timeout(Duration::from_secs(2)).ok()?;
        diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("1"))
            .get_result::<i32>(&mut conn)
            .ok()
    })
    .await
    .ok()
    .flatten()
    .is_some();
    if ok {
        HttpResponse::Ok().json(serde_json::json!({"status": "ok", "database": "ok"}))
    } else {
        HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({"status": "unavailable", "database": "unreachable"}))
    }
}
