//! `festival-origin`: the origin service. See `Config` for its settings.

use std::sync::Arc;

use festival_origin::config::LogFormat;
use festival_origin::{AppState, Config, db, demo};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Logging starts before the rest of the config is read, in the format asked for, so that a
    // refused setting is logged in it; a format origin does not know falls back to text here
    // and is then refused, like any bad setting, by `Config::from_args_and_env`.
    start_logging(LogFormat::from_args_and_env(&args, env).unwrap_or_default());
    if let Err(message) = run(args).await {
        tracing::error!("{message}");
        std::process::exit(1);
    }
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// Logs to stdout from `RUST_LOG` (`info` by default): text lines, or one JSON object per line
/// (`timestamp`, `level`, `target`, `fields`, and the request's span).
fn start_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let logger = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => logger.init(),
        LogFormat::Json => logger.json().with_ansi(false).init(),
    }
}

async fn run(args: Vec<String>) -> Result<(), String> {
    let config = Config::from_args_and_env(args, env)?;
    if config.dev {
        tracing::warn!(
            "development mode (--dev): secrets are not checked; never run it where others reach it"
        );
    }
    let pool = db::connect(&config.database_url)
        .await
        .map_err(|e| format!("database: {e}"))?;
    if config.seed_demo {
        let seeded = demo::seed_if_empty(&pool, festival_origin::now())
            .await
            .map_err(|e| format!("seeding the demo festival: {e}"))?;
        if seeded {
            tracing::info!("seeded the demo festival");
        }
    }
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("listening on {}: {e}", config.addr))?;
    tracing::info!(
        "origin listening on http://{}; a sale's schedule freezes {} before it starts",
        config.addr,
        config.edit_freeze.describe()
    );
    let state = AppState {
        db: pool.clone(),
        config: Arc::new(config),
    };
    let stop = festival_origin::stop_signal().map_err(|e| format!("listening for signals: {e}"))?;
    let served = festival_origin::serve(listener, state, stop).await;
    // Every request has finished (graceful shutdown waits for them): close the pool so SQLite
    // checkpoints its WAL and the file is whole on disk before the process ends.
    pool.close().await;
    tracing::info!("origin stopped");
    served.map_err(|e| e.to_string())
}
