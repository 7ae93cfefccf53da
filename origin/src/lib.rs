//! Festival's origin: stores every order the edge accepted, durably and exactly once, and keeps
//! the schedule of deals that the edge serves.
//!
//! Architecture invariant: origin is never on a shopper's request path. The edge reaches it for
//! the catalog (cached at the edge) and with signed order batches from its queue consumer.

pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod metrics;
mod routes;

use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

pub use config::Config;
pub use error::OriginError;

/// What every handler shares: the database pool and the secrets.
#[derive(Clone)]
pub struct AppState {
    /// SQLite (WAL) connection pool.
    pub db: sqlx::AnyPool,
    /// Secrets and settings.
    pub config: Arc<Config>,
}

/// The origin's HTTP routes with their layers.
pub fn app(state: AppState) -> Router {
    routes::router(state)
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting, lets every
/// request in flight finish (a batch is stored whole) and closes idle connections.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves on SIGTERM (what a supervisor sends) or Ctrl-C (SIGINT), for [`serve`]'s graceful
/// shutdown. Both handlers are installed before this returns, so a signal that comes while
/// origin is still starting is not lost (nor does it kill the process mid-migration).
pub fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        let name = tokio::select! {
            _ = terminate.recv() => "SIGTERM",
            _ = interrupt.recv() => "SIGINT",
        };
        tracing::info!("{name}: accepting no more connections; finishing the requests in flight");
    })
}

/// The server's clock, in Unix milliseconds.
pub fn now() -> festival_domain::UnixMillis {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    festival_domain::UnixMillis(since_epoch.as_millis() as i64)
}
