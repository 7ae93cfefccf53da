-- How many Durable Object shards hold a deal's stock; 0 lets the edge derive it from the stock.
ALTER TABLE deals ADD COLUMN shards BIGINT NOT NULL DEFAULT 0 CHECK (shards >= 0 AND shards <= 32);
