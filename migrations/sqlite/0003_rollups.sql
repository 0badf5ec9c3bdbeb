-- Per truck, per local day, per driver coaching rollups (decision 10): kept
-- forever (raw points expire), rebuilt for the days an import touches and
-- updated by live ingest. `metrics` is the JSON of fc_coach::Rollup (sums
-- only, so rollups add up); the key columns are what queries filter on.
-- driver_id '' stands for points without a driver.
CREATE TABLE rollups (
    truck_id  TEXT    NOT NULL,
    day       TEXT    NOT NULL,
    driver_id TEXT    NOT NULL DEFAULT '',
    start_ms  INTEGER NOT NULL,
    end_ms    INTEGER NOT NULL,
    metrics   TEXT    NOT NULL,
    PRIMARY KEY (truck_id, day, driver_id)
) STRICT, WITHOUT ROWID;

-- Scorecards read a period of days for the whole fleet.
CREATE INDEX rollups_by_day ON rollups (day);
CREATE INDEX rollups_by_driver_day ON rollups (driver_id, day);
