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

/// Name of the migrated template: derived from the migrations' content, so a changed migration
/// makes a new template rather than reusing a stale one.
fn template_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut entries: Vec<_> = walk(&dir);
        entries.sort();
        let mut hasher = Sha256::new();
        for path in entries {
            hasher.update(path.to_string_lossy().as_bytes());
            hasher.update(std::fs::read(&path).unwrap());
        }
        format!("ct_template_{}", &hex::encode(hasher.finalize())[..16])
    })
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
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
