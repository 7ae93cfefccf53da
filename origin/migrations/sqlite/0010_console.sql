-- The console: sales a marketer cancelled before they started (kept for the record, out of the
-- schedule), and indexes for the live dashboard's reads of orders by time.
CREATE TABLE cancelled_deals (
    id           TEXT NOT NULL,
    deal_json    TEXT NOT NULL,
    cancelled_at INTEGER NOT NULL
);

CREATE INDEX orders_by_time ON orders (priced_at);
CREATE INDEX orders_by_deal_and_time ON orders (deal_id, priced_at);
