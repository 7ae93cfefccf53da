//! A fresh database per test, on the engine the run asks for: an SQLite file by default, or a
//! new database on the PostgreSQL server `FESTIVAL_TEST_DATABASE_URL` names (`cargo xtask test`
//! runs origin's tests once on each). Removed when the test ends.

use std::sync::atomic::{AtomicU32, Ordering};

use festival_domain::{Order, UnixMillis};
use sqlx::{AnyPool, Connection, Executor};

/// Where origin's tests put their databases on PostgreSQL (a `postgres://` server URL).
pub const TEST_DATABASE_VAR: &str = "FESTIVAL_TEST_DATABASE_URL";

/// One test's database.
pub struct TestDatabase {
    /// What `db::connect` takes.
    pub url: String,
    place: Place,
}

enum Place {
    SqliteFile(std::path::PathBuf),
    /// The server's URL and the database's name.
    Postgres(String, String),
}

impl TestDatabase {
    /// A database no other test uses, named after `test` to tell them apart, on the engine
    /// the run asks for ([`TEST_DATABASE_VAR`]).
    pub async fn fresh(test: &str) -> TestDatabase {
        match std::env::var(TEST_DATABASE_VAR)
            .ok()
            .filter(|url| !url.is_empty())
        {
            Some(server) => TestDatabase::postgres(&server, test).await,
            None => TestDatabase::sqlite(test),
        }
    }

    /// A fresh SQLite file in the temporary folder.
    pub fn sqlite(test: &str) -> TestDatabase {
        let path = std::env::temp_dir().join(format!("{}.db", unique_name(test)));
        remove_sqlite(&path);
        TestDatabase {
            url: format!("sqlite://{}", path.display()),
            place: Place::SqliteFile(path),
        }
    }

    /// A fresh database on the PostgreSQL server `server` (a `postgres://` URL).
    pub async fn postgres(server: &str, test: &str) -> TestDatabase {
        let name = unique_name(test);
        let mut admin = sqlx::PgConnection::connect(server)
            .await
            .expect("the test PostgreSQL server answers");
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("a test database is created");
        TestDatabase {
            url: with_database(server, &name),
            place: Place::Postgres(server.to_owned(), name),
        }
    }
}

/// Inserts `orders` as plain new rows in one statement: what storing a batch costs at least,
/// the baseline `cargo xtask bench` holds [`super::store_orders`] to.
pub async fn insert_plain(
    db: &AnyPool,
    orders: &[Order],
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    let sql = super::insert_order_rows(orders.len());
    let query = orders.iter().fold(sqlx::query(&sql), |query, order| {
        super::bind_order_row(query, order, now)
    });
    query.execute(db).await.map(|_| ())
}

/// `test`'s name made unique in this process and usable as a database name.
fn unique_name(test: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "festival_{}_{}_{}",
        test.replace('-', "_"),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.place {
            Place::SqliteFile(path) => remove_sqlite(path),
            Place::Postgres(server, name) => {
                // Drop runs outside any runtime the test may still hold: a thread of its own.
                let (server, name) = (server.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()?;
                    runtime.block_on(async {
                        let mut admin = sqlx::PgConnection::connect(&server).await?;
                        let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        admin.execute(drop.as_str()).await.map(|_| ())
                    })?;
                    Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
                })
                .join();
            }
        }
    }
}

/// `server` (a `postgres://…/db` URL) with its database replaced by `name`.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (server, String::new()),
    };
    let authority_end = base
        .find("://")
        .map(|at| at + 3)
        .and_then(|start| base[start..].find('/').map(|slash| start + slash))
        .unwrap_or(base.len());
    format!("{}/{name}{query}", &base[..authority_end])
}

fn remove_sqlite(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[test]
fn a_server_url_gets_the_test_database_in_place_of_its_own() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5433/postgres", "t1"),
        "postgres://postgres@127.0.0.1:5433/t1"
    );
    assert_eq!(
        with_database("postgres://u:p@host:5432?sslmode=disable", "t2"),
        "postgres://u:p@host:5432/t2?sslmode=disable"
    );
}
