//! The connection pool, embedded migrations, and finding a PostgreSQL to talk to: the configured
//! one, one on localhost, or a private cluster started under a data directory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::AppError;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

pub type PgPool = Pool<ConnectionManager<PgConnection>>;
pub type PooledConn = PooledConnection<ConnectionManager<PgConnection>>;

/// Name of the database the app creates on a local server or private cluster.
pub const DEFAULT_DATABASE: &str = "claimtracker";

pub fn build_pool(url: &str, size: u32) -> anyhow::Result<PgPool> {
    Pool::builder()
        .max_size(size)
        .connection_timeout(Duration::from_secs(5))
        // r2d2 would run `SELECT 1` on every checkout, a round trip per request. A connection
        // that broke meanwhile fails its first query instead, and r2d2 drops it (`has_broken`).
        .test_on_check_out(false)
        .build(ConnectionManager::<PgConnection>::new(url))
        .context("could not connect to PostgreSQL")
}

/// Applies pending migrations; returns the names of those it applied.
///
/// When nothing is pending it only reads, so the app can run as a database role that owns
/// nothing and cannot drop the audit triggers (see the README); the owner role migrates.
pub fn run_migrations(conn: &mut PgConnection) -> anyhow::Result<Vec<String>> {
    if pending_migrations(conn)?.is_empty() {
        return Ok(vec![]);
    }
    // Several instances may start at once; the advisory lock makes them migrate one at a time.
    diesel::sql_query("SELECT pg_advisory_lock(7426031)").execute(conn)?;
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|versions| versions.iter().map(|v| v.to_string()).collect())
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"));
    diesel::sql_query("SELECT pg_advisory_unlock(7426031)").execute(conn)?;
    applied
}

/// Versions of the embedded migrations not yet recorded in the database, read without writing.
pub fn pending_migrations(conn: &mut PgConnection) -> anyhow::Result<Vec<String>> {
    use diesel::migration::MigrationSource;
    use diesel::pg::Pg;
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    #[derive(QueryableByName)]
    struct Present {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        present: bool,
    }
    let embedded: Vec<String> = MigrationSource::<Pg>::migrations(&MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("could not read embedded migrations: {e}"))?
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    let table: Present = diesel::sql_query(
        "SELECT to_regclass('__diesel_schema_migrations') IS NOT NULL AS present",
    )
    .get_result(conn)?;
    if !table.present {
        return Ok(embedded);
    }
    let applied: Vec<String> = diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
        .load::<Version>(conn)?
        .into_iter()
        .map(|v| v.version)
        .collect();
    Ok(embedded
        .into_iter()
        .filter(|v| !applied.contains(v))
        .collect())
}

/// The app's connection pool and the threads that work with it: one per connection, taking
/// work in the order it came ([`run`]). On actix's blocking pool instead, every request waiting
/// for a connection had a thread of its own (30 of them at 16 concurrent requests), the waiting
/// ones raced for each connection handed back, and a request could lose that race several
/// times in a row: the list API's slowest 1 % took three times its median.
#[derive(Clone)]
pub struct Db {
    pool: PgPool,
    queue: std::sync::Arc<QueueHandle>,
}

type Job = Box<dyn FnOnce() + Send>;

/// The work waiting for a database thread, in arrival order, and whether it is closed (the
/// last `Db` is gone). One lock and one condition variable: a job wakes at most one idle
/// thread. (A channel's receiver behind a mutex woke two: the thread waiting in `recv`, and,
/// when it let go of the mutex, the next idle one, only to have it wait again; the idle
/// threads' contended locking was 3 % of the claim list's samples.)
struct Queue {
    state: std::sync::Mutex<(std::collections::VecDeque<Job>, bool)>,
    ready: std::sync::Condvar,
}

impl Queue {
    fn lock(&self) -> std::sync::MutexGuard<'_, (std::collections::VecDeque<Job>, bool)> {
        // Jobs run outside the lock, so a panic cannot leave the queue half-changed.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The next job, waiting for one; `None` once the queue is closed and empty.
    fn take(&self) -> Option<Job> {
        let mut state = self.lock();
        loop {
            if let Some(job) = state.0.pop_front() {
                return Some(job);
            }
            if state.1 {
                return None;
            }
            state = self
                .ready
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    fn push(&self, job: Job) -> Result<(), Job> {
        let mut state = self.lock();
        if state.1 {
            return Err(job);
        }
        state.0.push_back(job);
        drop(state);
        self.ready.notify_one();
        Ok(())
    }
}

/// Held by every clone of a [`Db`]: when the last goes, the queue closes and the threads end
/// once it is empty.
struct QueueHandle(std::sync::Arc<Queue>);

impl Drop for QueueHandle {
    fn drop(&mut self) {
        self.0.lock().1 = true;
        self.0.ready.notify_all();
    }
}

impl Db {
    /// Starts one thread per connection the pool may open; they stop when the last clone of
    /// the returned `Db` is dropped.
    pub fn new(pool: PgPool) -> anyhow::Result<Db> {
        let queue = std::sync::Arc::new(Queue {
            state: std::sync::Mutex::new((std::collections::VecDeque::new(), false)),
            ready: std::sync::Condvar::new(),
        });
        // Made first: if a thread fails to start, dropping it ends the ones already started.
        let handle = std::sync::Arc::new(QueueHandle(std::sync::Arc::clone(&queue)));
        for i in 0..pool.max_size() {
            let queue = std::sync::Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("db-{i}"))
                .spawn(move || {
                    while let Some(job) = queue.take() {
                        // A panic is the job's (its caller gets an error): the thread goes on.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                })
                .context("could not start a database thread")?;
        }
        Ok(Db {
            pool,
            queue: handle,
        })
    }
}

impl std::ops::Deref for Db {
    type Target = PgPool;
    fn deref(&self) -> &PgPool {
        &self.pool
    }
}

/// Runs blocking diesel work on one of `db`'s threads, never on a worker thread. Work waits
/// its turn in order; work that waited longer than the pool's connection timeout is refused
/// (503), as a connection that long in coming was before.
pub async fn run<T, F>(db: &Db, work: F) -> Result<T, AppError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = db.pool.clone();
    let queued = std::time::Instant::now();
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        // The request went away while its work waited: nothing has run yet, so nothing runs.
        if answer.is_closed() {
            return;
        }
        // The queue and the pool share one timeout, as the pool alone had it before.
        let left = pool.connection_timeout().saturating_sub(queued.elapsed());
        let out = if left.is_zero() {
            Err(AppError::Unavailable(
                "the database is busy; try again".into(),
            ))
        } else {
            match pool.get_timeout(left) {
                Ok(mut conn) => work(&mut conn),
                Err(e) => Err(AppError::Unavailable(e.to_string())),
            }
        };
        // The request may have gone meanwhile; its answer then goes nowhere.
        let _ = answer.send(out);
    });
    db.queue
        .0
        .push(job)
        .map_err(|_| AppError::Internal(anyhow::anyhow!("the database threads have stopped")))?;
    answered
        .await
        .map_err(|_| AppError::Internal(anyhow::anyhow!("database work failed (it panicked)")))?
}

/// The database the app ended up using, and the private cluster behind it (stopped on drop).
pub struct ResolvedDatabase {
    pub url: String,
    pub source: DatabaseSource,
    pub cluster: Option<PrivateCluster>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseSource {
    Configured,
    Localhost,
    PrivateCluster,
}

/// `DATABASE_URL` if set; otherwise PostgreSQL on localhost if one answers (database
/// `claimtracker`, created if missing); otherwise a private cluster under `data_dir`.
pub fn resolve(database_url: Option<&str>, data_dir: &Path) -> anyhow::Result<ResolvedDatabase> {
    if let Some(url) = database_url {
        return Ok(ResolvedDatabase {
            url: url.to_string(),
            source: DatabaseSource::Configured,
            cluster: None,
        });
    }
    if let Some(server) = find_local_server() {
        let url = ensure_database(&server, DEFAULT_DATABASE)?;
        return Ok(ResolvedDatabase {
            url,
            source: DatabaseSource::Localhost,
            cluster: None,
        });
    }
    let cluster = PrivateCluster::start(data_dir)?;
    let url = ensure_database(&cluster.server_url(), DEFAULT_DATABASE)?;
    Ok(ResolvedDatabase {
        url,
        source: DatabaseSource::PrivateCluster,
        cluster: Some(cluster),
    })
}

/// A server URL (without database) for PostgreSQL on localhost, if one accepts us.
pub fn find_local_server() -> Option<String> {
    let mut users = vec![];
    if let Ok(user) = std::env::var("USER") {
        users.push(user);
    }
    users.push("postgres".to_string());
    for user in users {
        for host in ["127.0.0.1", "/var/run/postgresql"] {
            let server = server_url(&user, host, 5432);
            if PgConnection::establish(&with_database(&server, "postgres")).is_ok() {
                // The probe gives up quickly; a busy server later gets more time to answer.
                return Some(server.replace("connect_timeout=3", "connect_timeout=30"));
            }
        }
    }
    None
}

fn server_url(user: &str, host: &str, port: u16) -> String {
    if host.starts_with('/') {
        format!("postgres://{user}@/?host={host}&port={port}&connect_timeout=3")
    } else {
        // Loopback only: TLS would protect nothing, and libpq's OpenSSL state would be torn
        // down at exit under threads still holding connections (a rare crash at exit in tests).
        format!("postgres://{user}@{host}:{port}/?connect_timeout=3&sslmode=disable")
    }
}

/// Puts `database` into a server URL of the form `postgres://user@host:port/?params`.
pub fn with_database(server: &str, database: &str) -> String {
    match server.split_once("/?") {
        Some((base, params)) => format!("{base}/{database}?{params}"),
        None => format!("{}/{database}", server.trim_end_matches('/')),
    }
}

/// Creates `database` on the server if it is missing; returns its URL.
pub fn ensure_database(server: &str, database: &str) -> anyhow::Result<String> {
    let mut conn = PgConnection::establish(&with_database(server, "postgres"))
        .context("could not connect to the maintenance database")?;
    #[derive(QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        exists: bool,
    }
    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<diesel::sql_types::Text, _>(database)
            .get_result(&mut conn)?;
    if !found.exists {
        // An identifier cannot be a bind parameter; the name is ours and checked here.
        if !database
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            bail!("refusing to create a database named {database:?}");
        }
        let created =
            diesel::sql_query(format!("CREATE DATABASE \"{database}\"")).execute(&mut conn);
        // Another instance may have created it meanwhile.
        if let Err(e) = created
            && !e.to_string().contains("already exists")
        {
            return Err(e.into());
        }
    }
    Ok(with_database(server, database))
}

/// Whether this process runs as root (`initdb` refuses to).
pub fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// A PostgreSQL cluster of our own, listening only on a Unix socket inside its data directory.
/// Stopped when dropped.
pub struct PrivateCluster {
    data_dir: PathBuf,
    bin_dir: PathBuf,
    run_as: Option<String>,
}

const PRIVATE_PORT: u16 = 5432;

impl PrivateCluster {
    pub fn start(data_dir: &Path) -> anyhow::Result<PrivateCluster> {
        let bin_dir = find_pg_bin_dir().ok_or_else(|| {
            anyhow::anyhow!(
                "no PostgreSQL found: nothing answers on localhost:5432 and there is no initdb/pg_ctl \
                 on PATH or under /usr/lib/postgresql/*/bin.\n\
                 Install it (Debian/Ubuntu: `sudo apt-get install postgresql`; macOS: `brew install postgresql@16`) \
                 or set DATABASE_URL=postgres://user:password@host:5432/claimtracker"
            )
        })?;
        let data_dir = absolute(data_dir)?;
        let run_as = if running_as_root() {
            Some("postgres".to_string())
        } else {
            None
        };
        let cluster = PrivateCluster {
            data_dir,
            bin_dir,
            run_as,
        };
        cluster.init_if_needed()?;
        cluster.start_server()?;
        Ok(cluster)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn server_url(&self) -> String {
        server_url("postgres", &self.data_dir.to_string_lossy(), PRIVATE_PORT)
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin_dir.join(program);
        match &self.run_as {
            Some(user) => {
                let mut cmd = Command::new("runuser");
                cmd.arg("-u").arg(user).arg("--").arg(path);
                cmd
            }
            None => Command::new(path),
        }
    }

    fn init_if_needed(&self) -> anyhow::Result<()> {
        if self.data_dir.join("PG_VERSION").exists() {
            return Ok(());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("could not create {}", self.data_dir.display()))?;
        if let Some(user) = &self.run_as {
            let status = Command::new("chown")
                .arg(format!("{user}:"))
                .arg(&self.data_dir)
                .status()
                .context("could not run chown")?;
            if !status.success() {
                bail!(
                    "running as root, the private cluster must belong to the '{user}' user, and \
                     `chown {user}: {}` failed; run as an ordinary user or set DATABASE_URL",
                    self.data_dir.display()
                );
            }
        }
        tracing::info!(data_dir = %self.data_dir.display(), "initialising a private PostgreSQL cluster");
        let output = self
            .command("initdb")
            .arg("-D")
            .arg(&self.data_dir)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-instructions",
            ])
            .output()
            .context("could not run initdb")?;
        if !output.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        Ok(())
    }

    fn start_server(&self) -> anyhow::Result<()> {
        let socket_dir = self.data_dir.to_string_lossy().to_string();
        let log = self.data_dir.join("server.log");
        let output = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data_dir)
            .arg("-l")
            .arg(&log)
            .arg("-w")
            .arg("-o")
            .arg(format!(
                "-c listen_addresses='' -c unix_socket_directories='{socket_dir}' -p {PRIVATE_PORT}"
            ))
            .arg("start")
            .output()
            .context("could not run pg_ctl")?;
        if !output.status.success() {
            bail!(
                "pg_ctl start failed: {}{}\nsee {}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr),
                log.display()
            );
        }
        tracing::info!(data_dir = %self.data_dir.display(), "private PostgreSQL cluster started");
        Ok(())
    }

    pub fn stop(&self) {
        let result = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data_dir)
            .args(["-m", "fast", "-w", "stop"])
            .output();
        match result {
            Ok(o) if o.status.success() => tracing::info!("private PostgreSQL cluster stopped"),
            Ok(o) => {
                tracing::warn!(stderr = %String::from_utf8_lossy(&o.stderr), "pg_ctl stop failed")
            }
            Err(e) => tracing::warn!(error = %e, "could not run pg_ctl stop"),
        }
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        self.stop();
    }
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    if path.is_absolute() {
        Ok(path.to_path_buf())
    } else {
        Ok(std::env::current_dir()?.join(path))
    }
}

/// `initdb` and `pg_ctl` from PATH, else the newest `/usr/lib/postgresql/*/bin`.
pub fn find_pg_bin_dir() -> Option<PathBuf> {
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
                return Some(dir);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// A query with its LIMIT written into the SQL rather than bound as a parameter.
///
/// diesel binds `.limit(n)` as `LIMIT $k`. PostgreSQL then cannot cost the statement's generic
/// plan (it assumes a tenth of the table is wanted), finds it far dearer than a plan for the
/// values at hand, and so plans the statement again at every execution: 0.1–0.5 ms of planning
/// for a list query that runs in 0.2 ms, the most expensive part of the dashboard. With the
/// number in the SQL the prepared statement's generic plan is the one a custom plan would be,
/// and PostgreSQL keeps it. A limit is a number we chose, never text from a request, so writing
/// it into the SQL is safe; diesel caches one prepared statement per distinct limit.
pub struct Limited<Q> {
    query: Q,
    limit: i64,
}

impl<Q> Limited<Q> {
    /// `query LIMIT n`.
    pub fn new(query: Q, limit: i64) -> Limited<Q> {
        Limited { query, limit }
    }
}

impl<Q: diesel::query_builder::Query> diesel::query_builder::Query for Limited<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> diesel::query_builder::QueryId for Limited<Q> {
    type QueryId = ();
    // Cached by its SQL text, which holds the limit.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: diesel::query_builder::QueryFragment<diesel::pg::Pg>>
    diesel::query_builder::QueryFragment<diesel::pg::Pg> for Limited<Q>
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(" LIMIT ");
        out.push_sql(&self.limit.max(0).to_string());
        Ok(())
    }
}

impl<Q> RunQueryDsl<PgConnection> for Limited<Q> {}

/// `query LIMIT N`: [`Limited`] with its limit in the type, so that a query of a static type
/// keeps a static one, and diesel finds its prepared statement by the type instead of writing
/// the SQL out at every execution to look it up.
pub struct LimitedTo<Q, const N: u32>(pub Q);

/// The part of a [`LimitedTo`]'s `QueryId` that tells limits apart.
pub struct LimitId<const N: u32>;

impl<Q: diesel::query_builder::Query, const N: u32> diesel::query_builder::Query
    for LimitedTo<Q, N>
{
    type SqlType = Q::SqlType;
}

impl<Q: diesel::query_builder::QueryId, const N: u32> diesel::query_builder::QueryId
    for LimitedTo<Q, N>
{
    type QueryId = (Q::QueryId, LimitId<N>);
    const HAS_STATIC_QUERY_ID: bool = Q::HAS_STATIC_QUERY_ID;
}

impl<Q: diesel::query_builder::QueryFragment<diesel::pg::Pg>, const N: u32>
    diesel::query_builder::QueryFragment<diesel::pg::Pg> for LimitedTo<Q, N>
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(" LIMIT ");
        out.push_sql(&N.to_string());
        Ok(())
    }
}

impl<Q, const N: u32> RunQueryDsl<PgConnection> for LimitedTo<Q, N> {}

/// `(a) UNION ALL (b)` of two queries of one row shape, as a static type: diesel's own union
/// takes plain select statements only, not [`LimitedTo`] ones, and a union of boxed queries
/// has its SQL written out at every execution to find its prepared statement. Nests:
/// `UnionAll(UnionAll(a, b), c)`.
pub struct UnionAll<A, B>(pub A, pub B);

impl<A, B> diesel::query_builder::Query for UnionAll<A, B>
where
    A: diesel::query_builder::Query,
    B: diesel::query_builder::Query<SqlType = A::SqlType>,
{
    type SqlType = A::SqlType;
}

impl<A: diesel::query_builder::QueryId, B: diesel::query_builder::QueryId>
    diesel::query_builder::QueryId for UnionAll<A, B>
{
    type QueryId = UnionAll<A::QueryId, B::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = A::HAS_STATIC_QUERY_ID && B::HAS_STATIC_QUERY_ID;
}

impl<A, B> diesel::query_builder::QueryFragment<diesel::pg::Pg> for UnionAll<A, B>
where
    A: diesel::query_builder::QueryFragment<diesel::pg::Pg>,
    B: diesel::query_builder::QueryFragment<diesel::pg::Pg>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        out.push_sql("(");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(") UNION ALL (");
        self.1.walk_ast(out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

impl<A, B> RunQueryDsl<PgConnection> for UnionAll<A, B> {}

/// A value written as `(SELECT $n)`, which the planner cannot see into, in a custom plan or a
/// generic one. For a prepared statement whose custom plans come out cheaper only because of
/// the values at hand: PostgreSQL then plans it again at every execution. With its values unseen
/// both plans cost the same, and the generic plan is kept (see `verification::repo::
/// dashboard_lists`). Unlike diesel's `sql()` literals, this keeps the statement cacheable.
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId, diesel::expression::ValidGrouping)]
pub struct Unseen<E>(E);

/// `value` as an [`Unseen`] expression of SQL type `ST`.
pub fn unseen<ST, T>(value: T) -> Unseen<T::Expression>
where
    ST: diesel::sql_types::SqlType + diesel::expression::TypedExpressionType,
    T: diesel::expression::AsExpression<ST>,
{
    Unseen(value.as_expression())
}

impl<E: Expression> Expression for Unseen<E> {
    type SqlType = E::SqlType;
}

impl<E, QS> diesel::expression::AppearsOnTable<QS> for Unseen<E> where
    E: diesel::expression::AppearsOnTable<QS>
{
}

impl<E, QS> diesel::expression::SelectableExpression<QS> for Unseen<E> where
    E: diesel::expression::SelectableExpression<QS>
{
}

impl<E> diesel::query_builder::QueryFragment<diesel::pg::Pg> for Unseen<E>
where
    E: diesel::query_builder::QueryFragment<diesel::pg::Pg>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        out.push_sql("(SELECT ");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

/// A constant written into the statement's SQL (`NULL`, `'evidence'`), not bound: a union
/// that pads its members to one row shape with constants then binds only its real values, and
/// keeps a statement prepared by its type. Each constant is a type of its own ([`constant!`]).
pub trait Constant: 'static {
    type SqlType: diesel::sql_types::SqlType + diesel::expression::TypedExpressionType;
    /// The SQL, typed where PostgreSQL could not infer it (`NULL::text`).
    const SQL: &'static str;
}

/// The expression of a [`Constant`].
pub struct Const<C>(std::marker::PhantomData<C>);

/// `C`'s expression.
pub fn constant<C: Constant>() -> Const<C> {
    Const(std::marker::PhantomData)
}

impl<C> Clone for Const<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C> Copy for Const<C> {}

impl<C> std::fmt::Debug for Const<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(std::any::type_name::<C>())
    }
}

impl<C: Constant> Expression for Const<C> {
    type SqlType = C::SqlType;
}

impl<C: Constant> diesel::query_builder::QueryId for Const<C> {
    type QueryId = Const<C>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<C: Constant, GB> diesel::expression::ValidGrouping<GB> for Const<C> {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl<C: Constant, QS> diesel::expression::AppearsOnTable<QS> for Const<C> {}

impl<C: Constant, QS> diesel::expression::SelectableExpression<QS> for Const<C> {}

impl<C: Constant> diesel::query_builder::QueryFragment<diesel::pg::Pg> for Const<C> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        out.push_sql(C::SQL);
        Ok(())
    }
}

/// Declares [`Constant`]s: `constant!(pub NullText: Nullable<Text> = "NULL::text");`.
#[macro_export]
macro_rules! constant {
    ($($vis:vis $name:ident: $st:ty = $sql:literal;)*) => {$(
        $vis struct $name;
        impl $crate::db::Constant for $name {
            type SqlType = $st;
            const SQL: &'static str = $sql;
        }
    )*};
}

/// What a [`Probe`] reads: two numbers (a version or an id), `NULL` when what they stand for is
/// gone.
pub type ProbeValues = (Option<i64>, Option<i64>);

/// A kind of [`Probe`]: the one check it makes, whose SQL is the same for every probe of the
/// kind (only its bound values differ). That is what lets a carried query keep a prepared
/// statement by its type ([`Carried`]'s `QueryId`).
pub trait ProbeKind: 'static {
    /// What the check is made for (a session's key hash and times, a token's hash).
    type Of;
    /// The check: two nullable `bigint` expressions, comma-separated (a tuple).
    fn check(of: Self::Of) -> Box<dyn diesel::query_builder::QueryFragment<diesel::pg::Pg> + Send>;
}

/// The kind of [`Probe::none`].
pub struct NoCheck;

impl ProbeKind for NoCheck {
    type Of = std::convert::Infallible;
    fn check(of: Self::Of) -> Box<dyn diesel::query_builder::QueryFragment<diesel::pg::Pg> + Send> {
        match of {}
    }
}

/// A check that rides along with a statement a request makes anyway, instead of a round trip of
/// its own: two scalar subqueries (PostgreSQL evaluates them once per execution) whose values
/// come back beside the rows. [`crate::auth::SignedInPage`] checks with one that a session it
/// kept from an earlier request is still live and unchanged.
///
/// Work hands its main query to [`Probe::load`]; the first such query that returns a row
/// records the values ([`Probe::seen`]). A probe with nothing to check loads the query as is.
///
/// `K` is the kind of check ([`ProbeKind`]): with the query's own
/// [`QueryId`](diesel::query_builder::QueryId) it identifies the carried statement, so a query
/// diesel prepares once by its type stays so when it carries a probe, instead of having its SQL
/// written out again at every execution to find the prepared statement.
pub struct Probe<K = NoCheck> {
    check: Option<Box<dyn diesel::query_builder::QueryFragment<diesel::pg::Pg> + Send>>,
    seen: std::cell::Cell<Option<ProbeValues>>,
    kind: std::marker::PhantomData<K>,
}

impl Probe<NoCheck> {
    /// A probe that checks nothing: queries are loaded as they are.
    pub fn none() -> Probe<NoCheck> {
        Probe::unchecked()
    }
}

impl<K: ProbeKind> Probe<K> {
    /// A probe of kind `K` that checks nothing (where the credential was just read).
    pub fn unchecked() -> Probe<K> {
        Probe {
            check: None,
            seen: std::cell::Cell::new(None),
            kind: std::marker::PhantomData,
        }
    }

    /// A probe making `K`'s check for `of`.
    pub fn new(of: K::Of) -> Probe<K> {
        Probe {
            check: Some(K::check(of)),
            seen: std::cell::Cell::new(None),
            kind: std::marker::PhantomData,
        }
    }

    /// What the check read, once a query carrying it returned a row.
    pub fn seen(&self) -> Option<ProbeValues> {
        self.seen.get()
    }

    /// Loads `query`; while the check has not been read, reads it along with the rows.
    pub fn load<'p, 'q, Q, U>(&'p self, conn: &mut PgConnection, query: Q) -> QueryResult<Vec<U>>
    where
        Q: diesel::query_builder::Query + diesel::query_dsl::LoadQuery<'q, PgConnection, U>,
        Carried<'p, Q, K>:
            diesel::query_dsl::LoadQuery<'q, PgConnection, (Option<i64>, Option<i64>, U)>,
    {
        let Some(check) = self.check.as_deref().filter(|_| self.seen.get().is_none()) else {
            return query.load(conn);
        };
        let rows: Vec<(Option<i64>, Option<i64>, U)> = Carried {
            query,
            check,
            kind: std::marker::PhantomData,
        }
        .load(conn)?;
        if let Some((a, b, _)) = rows.first() {
            self.seen.set(Some((*a, *b)));
        }
        Ok(rows.into_iter().map(|(_, _, row)| row).collect())
    }
}

/// `SELECT <check>, carried.* FROM (<query>) AS carried`: the query's rows, in its order (a
/// subquery with its own ORDER BY and LIMIT is scanned as it comes out), each after the check.
/// The check comes first because diesel reads nested rows of unknown width only in last place.
pub struct Carried<'p, Q, K> {
    query: Q,
    check: &'p (dyn diesel::query_builder::QueryFragment<diesel::pg::Pg> + Send),
    kind: std::marker::PhantomData<K>,
}

impl<Q: diesel::query_builder::Query, K> diesel::query_builder::Query for Carried<'_, Q, K> {
    type SqlType = (
        diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
        diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
        Q::SqlType,
    );
}

impl<Q: diesel::query_builder::QueryId, K: 'static> diesel::query_builder::QueryId
    for Carried<'_, Q, K>
{
    type QueryId = (Q::QueryId, K);
    // As static as the query's: the check's SQL is the same for every probe of kind `K`.
    const HAS_STATIC_QUERY_ID: bool = Q::HAS_STATIC_QUERY_ID;
}

impl<Q: diesel::query_builder::QueryFragment<diesel::pg::Pg>, K>
    diesel::query_builder::QueryFragment<diesel::pg::Pg> for Carried<'_, Q, K>
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        out.push_sql("SELECT ");
        self.check.walk_ast(out.reborrow())?;
        out.push_sql(", carried.* FROM (");
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(") AS carried");
        Ok(())
    }
}

impl<Q, K> RunQueryDsl<PgConnection> for Carried<'_, Q, K> {}
