-- A live sale's controls (festival_domain::live::LiveControl, as JSON), the top-ups that made
-- its units added (one row per key, so a top-up sent twice adds once), and the audit log: every
-- change a marketer made, to any kind of subject, with what it was before and after.
ALTER TABLE deals ADD COLUMN live_json TEXT NOT NULL DEFAULT '{}';

CREATE TABLE top_ups (
    deal_id  TEXT NOT NULL,
    key      TEXT NOT NULL,
    units    BIGINT NOT NULL CHECK (units >= 1),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (deal_id, key)
);

CREATE TABLE audit_log (
    id           BIGSERIAL PRIMARY KEY,
    at           BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    action       TEXT NOT NULL,
    before_json  TEXT,
    after_json   TEXT
);

CREATE INDEX audit_by_subject ON audit_log (subject_kind, subject_id);
