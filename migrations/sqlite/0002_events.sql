-- Fuel events, dispatcher verdicts and the alert outbox (decisions 11, 12, 17).
-- Append-only like every migration: never edit an applied file.

-- Fills, drains and sensor faults, upserted by their deterministic id
-- (truck, kind, anchored start). A newer or equal revision replaces the row,
-- so re-analysis and late data update an event in place instead of adding one.
CREATE TABLE events (
    id               TEXT    NOT NULL PRIMARY KEY,
    truck_id         TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    revision         INTEGER NOT NULL,
    detector_version TEXT    NOT NULL,
    start_ms         INTEGER NOT NULL,
    end_ms           INTEGER NOT NULL,
    volume_l         REAL    NOT NULL,
    lat              REAL,
    lon              REAL,
    rule_confidence  REAL    NOT NULL,
    ml_score         REAL,
    confidence       REAL    NOT NULL,
    model_version    TEXT,
    evidence         TEXT    NOT NULL
) STRICT;
-- The inbox and the fleet views read newest first, by time; a truck's page by truck and time.
CREATE INDEX events_by_time ON events (start_ms);
CREATE INDEX events_by_truck_time ON events (truck_id, start_ms);

-- A dispatcher's verdict on an event. Its own table without a foreign key, so
-- that a verdict survives re-analysis (the event row may be rewritten,
-- retracted, or come back with the same id).
CREATE TABLE verdicts (
    event_id TEXT    NOT NULL PRIMARY KEY,
    verdict  TEXT    NOT NULL CHECK (verdict IN ('confirmed', 'false_alarm')),
    by_user  TEXT    NOT NULL,
    at_ms    INTEGER NOT NULL,
    note     TEXT
) STRICT;

-- Alerts for the UI, the WebSocket server and the Redis relay, who resume
-- after the last `seq` they saw. AUTOINCREMENT: a seq is never reused, even
-- after the newest rows are deleted. `dedupe_key` makes a replayed alert
-- (the same event seen again after a restart) a no-op.
CREATE TABLE alerts (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    ts_ms      INTEGER NOT NULL,
    truck_id   TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    event_id   TEXT,
    dedupe_key TEXT,
    payload    TEXT    NOT NULL,
    acked_by   TEXT,
    acked_ms   INTEGER
) STRICT;
CREATE UNIQUE INDEX alerts_dedupe ON alerts (dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX alerts_open ON alerts (seq) WHERE acked_ms IS NULL;
