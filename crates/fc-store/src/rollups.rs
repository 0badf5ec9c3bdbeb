//! Coaching rollups as the store keeps them (decision 10): one row per truck,
//! local day and driver, with the metrics as JSON (the store does not interpret
//! them; `fc-coach` defines and adds them up).

/// One stored rollup.
#[derive(Debug, Clone, PartialEq)]
pub struct RollupRecord {
    /// Truck id.
    pub truck_id: String,
    /// Local day in the fleet's zone, `YYYY-MM-DD`.
    pub day: String,
    /// Driver id; `""` for points without a driver.
    pub driver_id: String,
    /// First point, UTC ms.
    pub start_ms: i64,
    /// Last point, UTC ms.
    pub end_ms: i64,
    /// The metrics (an object).
    pub metrics: serde_json::Value,
}

/// Which rollups to read; every bound is optional and days are inclusive.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RollupFilter {
    /// Only these trucks.
    pub trucks: Option<Vec<String>>,
    /// Only these drivers.
    pub drivers: Option<Vec<String>>,
    /// From this day (`YYYY-MM-DD`, inclusive).
    pub from_day: Option<String>,
    /// To this day (inclusive).
    pub to_day: Option<String>,
}
