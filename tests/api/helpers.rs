//! Test harness: a fresh database per test, cloned from a migrated template (crates.io's
//! `crates_io_test_db` pattern), and the real app spawned on port 0.

use std::net::TcpListener;
use std::sync::OnceLock;

use claimtracker::config::Config;
use claimtracker::db::{self, PgPool};
use claimtracker::startup::Application;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

/// The PostgreSQL server the tests use: `TEST_DATABASE_URL` (a URL of the form
/// `postgres://user@host:port/`), else one on localhost found the same way the app finds it.
pub fn server_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
            return url;
        }
        db::find_local_server().expect(
            "tests need PostgreSQL: start it on localhost:5432 or set TEST_DATABASE_URL=postgres://user@host:5432/",
        )
    })
}

fn admin_conn() -> PgConnection {
    PgConnection::establish(&db::with_database(server_url(), "postgres"))
        .expect("connect to postgres")
}

/// Name of the migrated template: derived from the migrations this binary embeds (and their
/// files' content), so a changed or added migration makes a new template rather than reusing a
/// stale one, even while the migrations folder changes under a running build.
fn template_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        use diesel::migration::MigrationSource;
        let embedded: Vec<String> =
            MigrationSource::<diesel::pg::Pg>::migrations(&claimtracker::db::MIGRATIONS)
                .unwrap()
                .iter()
                .map(|m| m.name().to_string())
                .collect();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut hasher = Sha256::new();
        for name in &embedded {
            hasher.update(name.as_bytes());
            let mut files = walk(&dir.join(name));
            files.sort();
            for path in files {
                hasher.update(std::fs::read(&path).unwrap_or_default());
            }
        }
        format!("ct_template_{}", &hex::encode(hasher.finalize())[..16])
    })
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    exists: bool,
}

fn database_exists(conn: &mut PgConnection, name: &str) -> bool {
    diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result::<Exists>(conn)
        .unwrap()
        .exists
}

/// Creates the migrated template once; an advisory lock keeps parallel test processes apart.
fn ensure_template() -> &'static str {
    static READY: OnceLock<()> = OnceLock::new();
    let name = template_name();
    READY.get_or_init(|| {
        let mut conn = admin_conn();
        diesel::sql_query("SELECT pg_advisory_lock(90210)")
            .execute(&mut conn)
            .unwrap();
        if !database_exists(&mut conn, name) {
            let building = format!("{name}_building");
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {building}"))
                .execute(&mut conn)
                .unwrap();
            diesel::sql_query(format!("CREATE DATABASE {building}"))
                .execute(&mut conn)
                .unwrap();
            let mut tpl =
                PgConnection::establish(&db::with_database(server_url(), &building)).unwrap();
            db::run_migrations(&mut tpl).unwrap();
            drop(tpl);
            diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {name}"))
                .execute(&mut conn)
                .unwrap();
        }
        diesel::sql_query("SELECT pg_advisory_unlock(90210)")
            .execute(&mut conn)
            .unwrap();
    });
    name
}

/// A database of its own for one test, dropped when the test ends.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    /// A migrated database, cloned from the template.
    pub fn new() -> TestDb {
        let template = ensure_template();
        TestDb::create(Some(template))
    }

    /// An empty database with no tables at all.
    pub fn empty() -> TestDb {
        TestDb::create(None)
    }

    fn create(template: Option<&str>) -> TestDb {
        let name = format!("ct_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = admin_conn();
        let sql = match template {
            Some(t) => format!("CREATE DATABASE {name} TEMPLATE {t}"),
            None => format!("CREATE DATABASE {name}"),
        };
        // Cloning a template fails while another session is connected to it; retry briefly.
        let mut attempts = 0;
        loop {
            match diesel::sql_query(&sql).execute(&mut conn) {
                Ok(_) => break,
                Err(e) if attempts < 50 && e.to_string().contains("being accessed") => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => panic!("could not create {name}: {e}"),
            }
        }
        let url = db::with_database(server_url(), &name);
        TestDb { name, url }
    }

    pub fn conn(&self) -> PgConnection {
        PgConnection::establish(&self.url).unwrap()
    }

    pub fn pool(&self) -> PgPool {
        db::build_pool(&self.url, 4).unwrap()
    }

    /// Drops the database now, cutting every connection (to test what happens when it is gone).
    pub fn drop_now(&self) {
        let mut conn = admin_conn();
        diesel::sql_query(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut conn)
        .unwrap();
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&db::with_database(server_url(), "postgres"))
        {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

pub fn test_config(db: &TestDb) -> Config {
    let mut config = Config::from_lookup(|_| None).unwrap();
    config.database_url = Some(db.url.clone());
    config.workers = Some(2);
    config.db_pool_size = 4;
    config
}

/// The real app on a random port, with its own database and a cookie-aware client.
pub struct TestApp {
    pub address: String,
    pub db: TestDb,
    pub client: reqwest::Client,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        let db = TestDb::new();
        let config = test_config(&db);
        TestApp::spawn_with(db, config).await
    }

    pub async fn spawn_with(db: TestDb, config: Config) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let pool = db.pool();
        let app = Application::build(config, pool, listener).unwrap();
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        TestApp {
            address,
            db,
            client: client(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }
}

/// A client that keeps cookies and does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

// ---- accounts (issue 4): users, sign-in, tokens, CSRF ----

/// A password that passes the rules, different for every user.
pub fn password_for(n: usize) -> String {
    format!("correct horse battery staple {n}")
}

fn next_user_number() -> usize {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
    N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The value of the first hidden `csrf_token` field in a page.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("a csrf_token field in the page") + marker.len();
    let len = html[start..].find('"').unwrap();
    html[start..start + len].to_string()
}

/// The `ct_session=...` pair of a response's Set-Cookie, if it sets the session cookie.
pub fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("ct_session="))
        .map(|v| v.split(';').next().unwrap().to_string())
}

/// (actor_type, entity_id, before, after) of an audit event.
pub type EventSummary = (
    String,
    Option<i64>,
    Option<serde_json::Value>,
    Option<serde_json::Value>,
);

impl TestApp {
    /// An active user of `role` made through the service (as the CLI does); (email, password).
    pub async fn create_user(&self, role: &str) -> (String, String) {
        let n = next_user_number();
        let email = format!("{role}{n}@example.org");
        let password = password_for(n);
        let mut conn = self.db.conn();
        claimtracker::auth::service::create_user(
            &mut conn,
            &claimtracker::audit::AuditContext::system(),
            &claimtracker::auth::service::NewAccount {
                email: &email,
                name: &format!("{role} {n}"),
                role,
                password: &password,
            },
        )
        .unwrap();
        (email, password)
    }

    /// The id of the user with this email.
    pub fn user_id(&self, email: &str) -> i64 {
        use claimtracker::schema::users;
        users::table
            .filter(users::email.eq(email))
            .select(users::id)
            .first(&mut self.db.conn())
            .unwrap()
    }

    /// A live API token for the user, made through the service.
    pub async fn token_for(&self, email: &str) -> String {
        let mut conn = self.db.conn();
        let id = self.user_id(email);
        let label = format!("test token {}", next_user_number());
        claimtracker::auth::service::create_token(
            &mut conn,
            &claimtracker::audit::AuditContext::system(),
            id,
            &label,
        )
        .unwrap()
        .1
    }

    /// Signs in through the form with `self.client` (GET /login for the CSRF token, then POST).
    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.login_with(&self.client, email, password).await
    }

    /// Signs in through the form with another client (another browser).
    pub async fn login_with(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        let page = client.get(self.url("/login")).send().await.unwrap();
        let token = csrf_in(&page.text().await.unwrap());
        client
            .post(self.url("/login"))
            .form(&[
                ("email", email),
                ("password", password),
                ("csrf_token", &token),
            ])
            .send()
            .await
            .unwrap()
    }

    /// A new user of `role`, signed in with `self.client`; (email, password).
    pub async fn signed_in(&self, role: &str) -> (String, String) {
        let (email, password) = self.create_user(role).await;
        let res = self.login(&email, &password).await;
        assert_eq!(res.status(), 303, "sign-in of {email}");
        (email, password)
    }

    /// The CSRF token of `client`'s session, read from a page it can see.
    pub async fn csrf_of(&self, client: &reqwest::Client, path: &str) -> String {
        let page = client.get(self.url(path)).send().await.unwrap();
        assert_eq!(page.status(), 200, "GET {path}");
        csrf_in(&page.text().await.unwrap())
    }

    /// POSTs a form with `self.client`, adding the session's CSRF token (read from `/account`).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf_of(&self.client, "/account").await;
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", &token));
        self.client
            .post(self.url(path))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// The actions of every audit event, in order.
    pub fn audit_actions(&self) -> Vec<String> {
        use claimtracker::schema::audit_events;
        audit_events::table
            .order(audit_events::seq.asc())
            .select(audit_events::action)
            .load(&mut self.db.conn())
            .unwrap()
    }

    /// The last audit event with this action, as (actor_type, entity_id, before, after).
    pub fn last_event(&self, action: &str) -> Option<EventSummary> {
        use claimtracker::schema::audit_events as e;
        e::table
            .filter(e::action.eq(action))
            .order(e::seq.desc())
            .select((e::actor_type, e::entity_id, e::before, e::after))
            .first(&mut self.db.conn())
            .optional()
            .unwrap()
    }
}
