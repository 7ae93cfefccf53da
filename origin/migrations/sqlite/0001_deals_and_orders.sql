-- The schedule marketers set, and the orders the edge accepted.
CREATE TABLE deals (
    id                 TEXT PRIMARY KEY NOT NULL,
    name               TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    image_url          TEXT NOT NULL DEFAULT '',
    price_minor        INTEGER NOT NULL CHECK (price_minor > 0),
    was_price_minor    INTEGER NOT NULL CHECK (was_price_minor > 0),
    currency           TEXT NOT NULL,
    stock              INTEGER NOT NULL CHECK (stock >= 1),
    starts_at          INTEGER NOT NULL,
    ends_at            INTEGER NOT NULL CHECK (ends_at > starts_at),
    per_customer_limit INTEGER NOT NULL CHECK (per_customer_limit >= 1),
    created_at         INTEGER NOT NULL
);

-- One row per accepted order; the id (from the edge) makes batch ingest idempotent.
CREATE TABLE orders (
    id               TEXT PRIMARY KEY NOT NULL,
    deal_id          TEXT NOT NULL,
    customer_id      TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity >= 1),
    unit_price_minor INTEGER NOT NULL,
    total_minor      INTEGER NOT NULL,
    currency         TEXT NOT NULL,
    status           TEXT NOT NULL,
    priced_at        INTEGER NOT NULL,
    stored_at        INTEGER NOT NULL
);

CREATE INDEX orders_by_deal ON orders (deal_id);
