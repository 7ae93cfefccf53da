//! Orders out, the morning after: pages of stored orders in id order, by a cursor (the last id
//! read), so that a reader of any number of orders holds one page at a time.

use festival_domain::{DealId, Order, OrderId, UnixMillis};
use sqlx::{AnyPool, Row};

use super::order_from_row;

/// An order as origin holds it, and when origin stored it first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredOrder {
    #[serde(flatten)]
    pub order: Order,
    pub stored_at: UnixMillis,
}

/// Up to `limit` orders (of `deal`, or of every deal) whose ids follow `after`, in id order.
pub async fn orders_page(
    db: &AnyPool,
    deal: Option<&DealId>,
    after: Option<&OrderId>,
    limit: u32,
) -> Result<Vec<StoredOrder>, sqlx::Error> {
    // One statement per filter, so that each can use its index (`orders_by_deal`, the key).
    let query = match deal {
        Some(_) => {
            "SELECT id, deal_id, customer_id, idempotency_key, quantity, unit_price_minor,
                    total_minor, currency, status, priced_at, stored_at
             FROM orders WHERE deal_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        }
        None => {
            "SELECT id, deal_id, customer_id, idempotency_key, quantity, unit_price_minor,
                    total_minor, currency, status, priced_at, stored_at
             FROM orders WHERE $1 = '' AND id > $2 ORDER BY id LIMIT $3"
        }
    };
    // No cursor is '', which sorts before every id.
    let rows = sqlx::query(query)
        .bind(deal.map_or("", DealId::as_str))
        .bind(after.map_or("", OrderId::as_str))
        .bind(i64::from(limit))
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(StoredOrder {
                order: order_from_row(row)?,
                stored_at: UnixMillis(row.try_get("stored_at")?),
            })
        })
        .collect()
}
