-- Fuel Copilot embedded store (SQLite), first release schema.
-- Rewritten in place once before the first release (integer truck keys);
-- from now on migrations are append-only: never edit an applied file, add a new one.
-- Timestamps are UTC milliseconds (INTEGER). One fleet per database.

-- Compact integer key of every truck that has points, assigned by the store
-- on first sight in the same transaction as the points. Keys are never
-- reused or renumbered (rows are never deleted), so a process may cache them.
CREATE TABLE truck_keys (
    truck_key INTEGER PRIMARY KEY,
    truck_id  TEXT    NOT NULL UNIQUE
) STRICT;

-- Raw telemetry, clustered on (truck_key, ts): a truck's range is one
-- contiguous B-tree scan and the key makes re-imports idempotent. An integer
-- key instead of the text id makes the B-tree's comparisons and rows cheaper
-- (the import's hot path). No FOREIGN KEY: the check would cost a look-up per
-- row, and only the store writes here, with keys it took from truck_keys.
CREATE TABLE telemetry (
    truck_key        INTEGER NOT NULL,
    ts               INTEGER NOT NULL,
    lat              REAL,
    lon              REAL,
    speed_kmh        REAL,
    rpm              REAL,
    fuel_level_pct   REAL,
    fuel_l           REAL,
    fuel_used_l      REAL,
    fuel_rate_lph    REAL,
    odometer_km      REAL,
    engine_hours     REAL,
    ignition         INTEGER,
    driver_id        TEXT,
    pto              INTEGER,
    alt_m            REAL,
    ambient_temp_c   REAL,
    fuel_level_pct_2 REAL,
    fuel_l_2         REAL,
    PRIMARY KEY (truck_key, ts)
) STRICT, WITHOUT ROWID;

-- Per-truck point counts and time span, maintained in the same transaction
-- as the points, so that summaries never scan the telemetry table.
CREATE TABLE truck_point_stats (
    truck_key INTEGER NOT NULL PRIMARY KEY,
    points    INTEGER NOT NULL,
    first_ts  INTEGER NOT NULL,
    last_ts   INTEGER NOT NULL
) STRICT;

-- Truck profiles; tanks (capacity and calibration) as a JSON array.
CREATE TABLE trucks (
    truck_id  TEXT NOT NULL PRIMARY KEY,
    name      TEXT NOT NULL,
    fuel_type TEXT,
    tanks     TEXT NOT NULL DEFAULT '[]'
) STRICT;

-- Fuel-card purchases; card_id '' stands for "no card id" so that the key has no NULLs.
CREATE TABLE purchases (
    truck_id    TEXT    NOT NULL,
    ts          INTEGER NOT NULL,
    card_id     TEXT    NOT NULL DEFAULT '',
    litres      REAL    NOT NULL,
    price_per_l REAL    NOT NULL,
    lat         REAL,
    lon         REAL,
    station     TEXT,
    PRIMARY KEY (truck_id, ts, card_id)
) STRICT, WITHOUT ROWID;

-- Rejected rows and fields, with where they came from and why.
CREATE TABLE quarantine (
    id       INTEGER PRIMARY KEY,
    source   TEXT    NOT NULL,
    line     INTEGER,
    truck_id TEXT,
    ts       INTEGER,
    field    TEXT,
    reason   TEXT    NOT NULL,
    detail   TEXT    NOT NULL,
    raw      TEXT
) STRICT;

-- Re-importing the same file must not repeat its quarantine entries.
CREATE UNIQUE INDEX quarantine_identity ON quarantine (
    source, ifnull(line, ''), ifnull(truck_id, ''), ifnull(ts, ''), ifnull(field, ''), reason, detail
);
CREATE INDEX quarantine_by_truck_reason ON quarantine (truck_id, reason);

-- One row per import run; counts is a JSON object.
CREATE TABLE import_runs (
    id          INTEGER PRIMARY KEY,
    source      TEXT    NOT NULL,
    started_ms  INTEGER NOT NULL,
    finished_ms INTEGER,
    counts      TEXT    NOT NULL DEFAULT '{}'
) STRICT;

-- Per-fleet settings (time zone, thresholds, fuel price, currency, speed limit, ...), JSON values.
CREATE TABLE settings (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Last committed message of each live feed, written with the batch it acknowledges.
CREATE TABLE feed_cursors (
    feed TEXT    NOT NULL PRIMARY KEY,
    seq  INTEGER NOT NULL
) STRICT;
