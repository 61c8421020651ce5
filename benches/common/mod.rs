//! What the benchmarks share: a fresh, migrated database of their own on the tests' server.

use claimtracker::db;
use diesel::prelude::*;

/// Whether `cargo bench` runs us (it passes `--bench`); `cargo test --benches` passes nothing,
/// and then the benchmark returns at once.
pub fn benched() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// A database named `name`, created afresh and migrated; dropped again when this is dropped.
pub struct BenchDb {
    pub url: String,
    name: String,
    admin: PgConnection,
}

impl BenchDb {
    /// On `TEST_DATABASE_URL`'s server, else PostgreSQL on localhost.
    pub fn create(name: &str) -> anyhow::Result<BenchDb> {
        let server = match std::env::var("TEST_DATABASE_URL") {
            Ok(url) => url,
            Err(_) => db::find_local_server()
                .ok_or_else(|| anyhow::anyhow!("no PostgreSQL on localhost"))?,
        };
        let mut admin = PgConnection::establish(&db::with_database(&server, "postgres"))?;
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)?;
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin)?;
        let url = db::with_database(&server, name);
        db::run_migrations(&mut PgConnection::establish(&url)?)?;
        Ok(BenchDb {
            url,
            name: name.to_string(),
            admin,
        })
    }

    pub fn conn(&self) -> anyhow::Result<PgConnection> {
        Ok(PgConnection::establish(&self.url)?)
    }
}

impl Drop for BenchDb {
    fn drop(&mut self) {
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let _ = diesel::sql_query(drop).execute(&mut self.admin);
    }
}
