-- Festivals as data: what the storefront's hero, countdown and title show, one after another.
-- `deals` is the JSON array of the festival's deal ids (read and written whole).
CREATE TABLE festivals (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    tagline    TEXT NOT NULL DEFAULT '',
    starts_at  BIGINT NOT NULL,
    ends_at    BIGINT NOT NULL CHECK (ends_at > starts_at),
    time_zone  TEXT NOT NULL,
    accent     TEXT NOT NULL,
    deals      TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL
);

CREATE INDEX festivals_by_end ON festivals (ends_at);
