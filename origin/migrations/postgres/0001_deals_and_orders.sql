-- The schedule marketers set, and the orders the edge accepted. (The same tables as SQLite's
-- migrations of the same numbers; times are Unix milliseconds.)
CREATE TABLE deals (
    id                 TEXT PRIMARY KEY NOT NULL,
    name               TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    image_url          TEXT NOT NULL DEFAULT '',
    price_minor        BIGINT NOT NULL CHECK (price_minor > 0),
    was_price_minor    BIGINT NOT NULL CHECK (was_price_minor > 0),
    currency           TEXT NOT NULL,
    stock              BIGINT NOT NULL CHECK (stock >= 1),
    starts_at          BIGINT NOT NULL,
    ends_at            BIGINT NOT NULL CHECK (ends_at > starts_at),
    per_customer_limit BIGINT NOT NULL CHECK (per_customer_limit >= 1),
    created_at         BIGINT NOT NULL
);

-- One row per accepted order; the id (from the edge) makes batch ingest idempotent.
CREATE TABLE orders (
    id               TEXT PRIMARY KEY NOT NULL,
    deal_id          TEXT NOT NULL,
    customer_id      TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    quantity         BIGINT NOT NULL CHECK (quantity >= 1),
    unit_price_minor BIGINT NOT NULL,
    total_minor      BIGINT NOT NULL,
    currency         TEXT NOT NULL,
    status           TEXT NOT NULL,
    priced_at        BIGINT NOT NULL,
    stored_at        BIGINT NOT NULL
);

CREATE INDEX orders_by_deal ON orders (deal_id);
