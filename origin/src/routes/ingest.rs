//! `POST /internal/orders/batch`: the edge's signed batches, stored whole or not at all.

use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use festival_domain::{BatchReceipt, MAX_BATCH_ORDERS, OrderBatch};

use super::guard::require_edge;
use crate::{AppState, OriginError, db, metrics, now};

pub(super) async fn store_batch(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<BatchReceipt>, OriginError> {
    // Authenticate before parsing: an unsigned body is not even read as JSON.
    let answer = match require_edge(&headers, &state.config, &body) {
        Ok(()) => {
            let started = Instant::now();
            let answer = store(&state, &body).await;
            metrics::ingest_took(started.elapsed());
            answer
        }
        Err(refusal) => Err(refusal),
    };
    match &answer {
        Ok(receipt) => metrics::batch_stored(receipt.stored.len(), receipt.already_stored.len()),
        Err(error) => metrics::batch_refused(error),
    }
    answer.map(Json)
}

/// Reads, checks and stores an authenticated batch: which orders were new, which stored before.
async fn store(state: &AppState, body: &[u8]) -> Result<BatchReceipt, OriginError> {
    let batch: OrderBatch =
        serde_json::from_slice(body).map_err(|e| OriginError::BadRequest(e.to_string()))?;
    if batch.orders.len() > MAX_BATCH_ORDERS {
        return Err(OriginError::BatchTooLarge(MAX_BATCH_ORDERS));
    }
    let fresh = db::store_orders(&state.db, &batch.orders, now()).await?;
    let mut receipt = BatchReceipt::default();
    for (order, is_new) in batch.orders.into_iter().zip(fresh) {
        if is_new {
            receipt.stored.push(order.id)
        } else {
            receipt.already_stored.push(order.id)
        }
    }
    tracing::info!(
        stored = receipt.stored.len(),
        already = receipt.already_stored.len(),
        "batch"
    );
    Ok(receipt)
}
