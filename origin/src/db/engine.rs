//! Which database origin stores in — an SQLite file (the embedded default) or PostgreSQL (a
//! managed, replicated server) — and connecting to it with its own migrations. Every query is
//! written once, for both (sqlx's `Any` driver; `$1` placeholders, which both accept).

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyPool, Executor};

/// The storage engines origin can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The engine a database URL names; `None` for any other scheme.
    pub fn of(database_url: &str) -> Option<Engine> {
        if database_url.starts_with("sqlite:") {
            Some(Engine::Sqlite)
        } else if ["postgres://", "postgresql://"]
            .iter()
            .any(|scheme| database_url.starts_with(scheme))
        {
            Some(Engine::Postgres)
        } else {
            None
        }
    }

    /// The engine `db` was opened on.
    pub fn of_pool(db: &AnyPool) -> Engine {
        let url = db.connect_options().database_url.to_string();
        Engine::of(&url).unwrap_or(Engine::Sqlite)
    }

    /// The statement that opens a transaction which will read a row and then write what it
    /// read decided: SQLite must take its write lock at once (`BEGIN IMMEDIATE`), or two such
    /// transactions both read and one fails to write; PostgreSQL locks the row it reads
    /// instead ([`Engine::lock_suffix`]).
    pub fn begin_to_write(self) -> &'static str {
        match self {
            Engine::Sqlite => "BEGIN IMMEDIATE",
            Engine::Postgres => "BEGIN",
        }
    }

    /// What a `SELECT` inside [`Engine::begin_to_write`]'s transaction ends with to hold the
    /// rows it read until the commit.
    pub fn lock_suffix(self) -> &'static str {
        match self {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR UPDATE",
        }
    }

    /// What a transaction opened with [`Engine::begin_to_write`] runs first so that writers of
    /// `table` take turns until the commit, for a rule over many rows (festivals may not
    /// overlap): SQLite's `BEGIN IMMEDIATE` holds the database's write lock already;
    /// PostgreSQL locks the table against other writers (readers go on).
    pub fn writers_take_turns(self, table: &str) -> Option<String> {
        match self {
            Engine::Sqlite => None,
            Engine::Postgres => Some(format!("LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")),
        }
    }
}

/// Why origin cannot open its database.
pub fn unsupported(database_url: &str) -> sqlx::Error {
    let scheme = database_url.split(':').next().unwrap_or_default();
    sqlx::Error::Configuration(
        format!(
            "FESTIVAL_DATABASE_URL must start with sqlite: or postgres:// (got {scheme:?}): \
             origin stores in an SQLite file or in PostgreSQL"
        )
        .into(),
    )
}

/// Opens the database (an SQLite file is created if missing, in WAL mode) and applies that
/// engine's migrations.
pub async fn connect(database_url: &str) -> Result<AnyPool, sqlx::Error> {
    install_default_drivers();
    match Engine::of(database_url).ok_or_else(|| unsupported(database_url))? {
        Engine::Sqlite => {
            let pool = connect_sqlite(database_url).await?;
            sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
            Ok(pool)
        }
        Engine::Postgres => {
            let pool = AnyPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(5))
                .connect(database_url)
                .await?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            Ok(pool)
        }
    }
}

async fn connect_sqlite(database_url: &str) -> Result<AnyPool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(database_url)?;
    if let Some(path) = options.get_filename().parent()
        && !path.as_os_str().is_empty()
    {
        std::fs::create_dir_all(path).map_err(sqlx::Error::Io)?;
    }
    // The URL carries only the file and its mode; the rest is set on every new connection.
    let separator = if database_url.contains('?') { '&' } else { '?' };
    let url = if database_url.contains("mode=") {
        database_url.to_owned()
    } else {
        format!("{database_url}{separator}mode=rwc")
    };
    AnyPoolOptions::new()
        .max_connections(8)
        .after_connect(|conn, _| {
            Box::pin(async move {
                // FULL: a committed batch survives power loss too, and the edge acks its queue
                // messages only after the commit.
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
                )
                .await?;
                Ok(())
            })
        })
        .connect(&url)
        .await
}
