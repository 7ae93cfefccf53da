//! `GET /health`: 200 while origin can read its database, 503 `database_unavailable` when it
//! cannot, so that a supervisor or load balancer stops sending work to an origin that would
//! refuse every batch. Open to anyone: it says nothing but whether origin works.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::{AppState, OriginError};

/// How long the read may take. Longer than any healthy read (a read never waits on SQLite's
/// writer in WAL mode), shorter than a prober's patience: a pool whose every connection is
/// stuck answers 503 instead of keeping the prober waiting for the pool's own 30 s.
const READ_TIMEOUT: Duration = Duration::from_secs(3);

pub(super) async fn check(State(state): State<AppState>) -> Result<Json<Value>, OriginError> {
    // A table, not `SELECT 1`: that would answer without reading the database file.
    let read = sqlx::query("SELECT 1 FROM deals LIMIT 1").fetch_optional(&state.db);
    match tokio::time::timeout(READ_TIMEOUT, read).await {
        Ok(Ok(_)) => Ok(Json(json!({"status": "ok"}))),
        Ok(Err(error)) => Err(OriginError::Database(error)),
        Err(_) => Err(OriginError::Database(sqlx::Error::PoolTimedOut)),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::http::StatusCode;
    use axum::response::IntoResponse;

    use super::*;
    use crate::db::testing::TestDatabase;
    use crate::{Config, db};

    async fn state(name: &str) -> (AppState, TestDatabase) {
        let database = TestDatabase::fresh(name).await;
        let args = ["--dev", "--database-url", &database.url].map(String::from);
        let config = Config::from_args_and_env(args, |_| None).unwrap();
        let db = db::connect(&database.url).await.unwrap();
        let state = AppState {
            db,
            config: Arc::new(config),
        };
        (state, database)
    }

    #[tokio::test]
    async fn health_is_200_while_the_database_reads() {
        let (state, _database) = state("health_up").await;
        let answer = check(State(state)).await.into_response();
        assert_eq!(answer.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn health_is_503_when_the_database_cannot_be_read() {
        let (state, _database) = state("health_closed").await;
        state.db.close().await;
        let answer = check(State(state)).await.into_response();
        assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = axum::body::to_bytes(answer.into_body(), 1024)
            .await
            .unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["code"], "database_unavailable", "{body}");
    }

    #[tokio::test]
    async fn health_is_503_when_the_schema_is_gone() {
        // A database that opens but is not origin's (replaced or wiped): reads fail.
        let (state, _database) = state("health_wiped").await;
        sqlx::query("DROP TABLE deals")
            .execute(&state.db)
            .await
            .unwrap();
        let answer = check(State(state)).await.into_response();
        assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
