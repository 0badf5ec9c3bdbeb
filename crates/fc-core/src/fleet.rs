//! The fleet page's reads: a versioned live snapshot (one row per truck) and
//! today's KPIs.
//!
//! Decision 19: the snapshot is write-through, never re-read per point. A
//! [`FleetView`] inside `Core` is filled from the store (profiles, each truck's
//! latest point, open alert counts) when the core opens and after writes that
//! change what it shows (imports, detection, acks), and is updated in place from
//! the live bus (`truck-update` batches, the alert head) while live runs.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use fc_live::{Bus, TruckState, TruckUpdate};
use fc_model::TruckProfile;
use fc_store::{RollupFilter, Store};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cache::ReadCache;
use crate::core::Core;
use crate::error::Result;

/// One truck on the fleet page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FleetRow {
    /// The truck.
    pub truck_id: String,
    /// Display name (the id without a profile).
    pub name: String,
    /// Driver of the latest point.
    pub driver_id: Option<String>,
    /// What the truck is doing (offline after the fleet's threshold on the data clock).
    pub state: TruckState,
    /// Fuel on board, litres (all tanks, through the calibration).
    pub fuel_l: Option<f64>,
    /// Fuel on board, percent of capacity.
    pub fuel_pct: Option<f64>,
    /// Tank capacity, litres (all tanks); absent without a profile.
    pub tank_l: Option<f64>,
    /// Speed, km/h.
    pub speed_kmh: Option<f64>,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// Time of the latest point, UTC ms.
    #[ts(type = "number | null")]
    pub last_seen_ms: Option<i64>,
    /// Alerts of this truck nobody acknowledged.
    pub open_alerts: u32,
    /// The live pipeline's version of this truck (its `truck-update` version); 0 when
    /// the row comes from the store. A face keeps the higher version of a truck.
    #[ts(type = "number")]
    pub version: u64,
}

/// The fleet page's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FleetSnapshot {
    /// Increases with every change of the view (for the life of the core).
    #[ts(type = "number")]
    pub version: u64,
    /// When it was taken, UTC ms (wall clock).
    #[ts(type = "number")]
    pub at_ms: i64,
    /// The fleet's data clock: the newest point of any truck, UTC ms (0 without data).
    #[ts(type = "number")]
    pub data_time_ms: i64,
    /// By truck id.
    pub trucks: Vec<FleetRow>,
}

/// The fleet page's headline figures for one local day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FleetKpis {
    /// Local `YYYY-MM-DD` in the fleet zone: today, or the last day with data when the
    /// data is historical.
    pub day: String,
    /// Trucks known.
    pub trucks: u32,
    /// Fuel used that day (ledger balance), litres.
    pub fuel_used_l: f64,
    /// Distance driven that day, km.
    pub distance_km: f64,
    /// Litres per 100 km that day.
    pub l_per_100km: Option<f64>,
    /// Idle time as a share of engine time, percent.
    pub idle_pct: Option<f64>,
    /// Open (unacknowledged) drain alerts.
    pub open_thefts: u32,
    /// Open alerts of every kind.
    pub open_alerts: u32,
}

/// Offline after this long without a point while the fleet's data clock moves: the live
/// rules' threshold, so that the store-filled view and the live one agree.
pub(crate) fn offline_after_ms() -> i64 {
    fc_live::LiveRules::default().offline_after_ms
}

/// A truck's state from its latest point: the live pipeline's own rule.
pub(crate) use fc_live::state_of;

/// Litres and percent on board from one point: the live pipeline's reading.
pub(crate) use fc_live::{fuel_pct_on_board as pct_of, litres_on_board as litres_of};

#[derive(Debug, Default)]
struct ViewState {
    /// Rows must be (re)read from the store before the next snapshot.
    stale: bool,
    /// Open alert counts must be recounted from the outbox.
    alerts_stale: bool,
    version: u64,
    rows: BTreeMap<String, FleetRow>,
}

/// The write-through fleet snapshot (decision 19).
#[derive(Debug)]
pub(crate) struct FleetView {
    state: Mutex<ViewState>,
}

impl FleetView {
    /// An empty view that fills itself from the store on first use.
    pub(crate) fn new() -> FleetView {
        FleetView {
            state: Mutex::new(ViewState {
                stale: true,
                alerts_stale: true,
                ..ViewState::default()
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ViewState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// After an import (new trucks, new latest points): re-read the rows.
    pub(crate) fn mark_stale(&self) {
        let mut s = self.lock();
        s.stale = true;
        s.alerts_stale = true;
    }

    /// After alerts were added or acknowledged: recount them.
    pub(crate) fn mark_alerts_stale(&self) {
        self.lock().alerts_stale = true;
    }

    /// A new live pipeline numbers its updates from 1 again, and the demo may replay a
    /// period the store already holds: from now on the new run's updates win.
    pub(crate) fn new_run(&self) {
        let mut s = self.lock();
        for row in s.rows.values_mut() {
            row.version = 0;
        }
        s.version += 1;
    }

    /// Applies a committed `truck-update` batch. Returns whether a truck unknown to the
    /// view appeared (its profile is then read with the next snapshot).
    pub(crate) fn apply(&self, updates: &[TruckUpdate]) -> bool {
        let mut s = self.lock();
        let mut unknown = false;
        for u in updates {
            let row = s.rows.entry(u.truck_id.clone()).or_insert_with(|| {
                unknown = true;
                FleetRow {
                    truck_id: u.truck_id.clone(),
                    name: u.truck_id.clone(),
                    driver_id: None,
                    state: TruckState::Unknown,
                    fuel_l: None,
                    fuel_pct: None,
                    tank_l: None,
                    speed_kmh: None,
                    lat: None,
                    lon: None,
                    last_seen_ms: None,
                    open_alerts: 0,
                    version: 0,
                }
            });
            // A late update of the same run (lower version, older point) never wins.
            if row.version >= u.version && row.last_seen_ms.is_some_and(|t| t > u.ts_ms) {
                continue;
            }
            row.driver_id = u.driver_id.clone();
            row.state = u.state;
            row.fuel_l = u.fuel_l;
            row.fuel_pct = u.fuel_pct;
            row.speed_kmh = u.speed_kmh;
            row.lat = u.lat;
            row.lon = u.lon;
            row.last_seen_ms = Some(u.ts_ms);
            row.version = u.version;
        }
        if !updates.is_empty() {
            s.version += 1;
        }
        if unknown {
            s.stale = true;
        }
        unknown
    }

    /// The rows, refreshed from the store where marked stale.
    async fn snapshot(&self, store: &Store) -> Result<FleetSnapshot> {
        let (stale, alerts_stale) = {
            let s = self.lock();
            (s.stale, s.alerts_stale)
        };
        if stale {
            let rows = load_rows(store).await?;
            let mut s = self.lock();
            for (id, fresh) in rows {
                match s.rows.get_mut(&id) {
                    // The bus may have delivered something newer while the store was read.
                    Some(row) if row.last_seen_ms > fresh.last_seen_ms => {
                        row.name = fresh.name;
                        row.tank_l = fresh.tank_l;
                    }
                    Some(row) => {
                        let version = row.version;
                        *row = fresh;
                        row.version = version;
                    }
                    None => {
                        s.rows.insert(id, fresh);
                    }
                }
            }
            s.stale = false;
            s.version += 1;
        }
        if alerts_stale || stale {
            let counts = open_alert_counts(store).await?;
            let mut s = self.lock();
            for (id, row) in &mut s.rows {
                row.open_alerts = counts.get(id).copied().unwrap_or(0);
            }
            s.alerts_stale = false;
            s.version += 1;
        }
        let s = self.lock();
        let data_time_ms = s
            .rows
            .values()
            .filter_map(|r| r.last_seen_ms)
            .max()
            .unwrap_or(0);
        let offline = offline_after_ms();
        let trucks = s
            .rows
            .values()
            .map(|r| {
                let mut r = r.clone();
                // The data clock moves on without this truck: offline, as live says it.
                if r.last_seen_ms.is_some_and(|t| data_time_ms - t >= offline) {
                    r.state = TruckState::Offline;
                }
                r
            })
            .collect();
        Ok(FleetSnapshot {
            version: s.version,
            at_ms: fc_live::now_ms(),
            data_time_ms,
            trucks,
        })
    }
}

/// Every known truck (profiles and telemetry) with its latest point.
async fn load_rows(store: &Store) -> Result<BTreeMap<String, FleetRow>> {
    let profiles: HashMap<String, TruckProfile> = store
        .trucks()
        .await?
        .into_iter()
        .map(|p| (p.truck_id.clone(), p))
        .collect();
    let latest = store.latest_points().await?;
    let mut rows = BTreeMap::new();
    let blank = |id: &str, profile: Option<&TruckProfile>| FleetRow {
        truck_id: id.to_string(),
        name: profile
            .map(|p| p.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| id.to_string()),
        driver_id: None,
        state: TruckState::Unknown,
        fuel_l: None,
        fuel_pct: None,
        tank_l: profile.map(TruckProfile::capacity_l).filter(|c| *c > 0.0),
        speed_kmh: None,
        lat: None,
        lon: None,
        last_seen_ms: None,
        open_alerts: 0,
        version: 0,
    };
    for (id, p) in &profiles {
        rows.insert(id.clone(), blank(id, Some(p)));
    }
    for p in latest {
        let profile = profiles.get(&p.truck_id);
        let litres = litres_of(profile, &p);
        let mut row = blank(&p.truck_id, profile);
        row.driver_id = p.driver_id.clone();
        row.state = state_of(&p);
        row.fuel_l = litres;
        row.fuel_pct = pct_of(profile, litres, &p);
        row.speed_kmh = p.speed_kmh;
        row.lat = p.lat;
        row.lon = p.lon;
        row.last_seen_ms = Some(p.ts);
        rows.insert(p.truck_id.clone(), row);
    }
    Ok(rows)
}

/// Open alerts per truck.
async fn open_alert_counts(store: &Store) -> Result<HashMap<String, u32>> {
    let mut counts = HashMap::new();
    for a in store.open_alerts(u32::MAX).await? {
        *counts.entry(a.alert.truck_id).or_insert(0) += 1;
    }
    Ok(counts)
}

/// Follows a live pipeline's bus: truck updates into the view, and every commit and new
/// alert into the read cache's data version. Ends when the pipeline's bus goes away.
pub(crate) fn follow_bus(view: Arc<FleetView>, cache: Arc<ReadCache>, bus: &Bus) {
    view.new_run();
    let mut updates = bus.subscribe_updates();
    let mut head = bus.alert_head();
    tokio::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            tokio::select! {
                batch = updates.recv() => match batch {
                    Ok(batch) => {
                        view.apply(&batch.updates);
                        cache.bump_trucks(batch.updates.iter().map(|u| u.truck_id.as_str()));
                    }
                    // Missed batches are committed: the store has them.
                    Err(RecvError::Lagged(_)) => {
                        view.mark_stale();
                        cache.bump_all();
                    }
                    Err(RecvError::Closed) => break,
                },
                changed = head.changed() => match changed {
                    Ok(()) => {
                        view.mark_alerts_stale();
                        cache.bump_live();
                    }
                    Err(_) => break,
                },
            }
        }
    });
}

fn local_day(tz: chrono_tz::Tz, ms: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d").to_string())
}

impl Core {
    /// The fleet table: one row per truck, from the write-through view (decision 19).
    pub async fn fleet_snapshot(&self) -> Result<FleetSnapshot> {
        self.fleet.snapshot(self.store()).await
    }

    /// Fleet KPIs of the fleet-local day: today while data comes in, else the last day
    /// with data; fuel, distance and idle from the stored rollups (the one ledger).
    pub async fn fleet_kpis(&self) -> Result<FleetKpis> {
        let settings = self.fleet_settings().await?;
        let tz = settings.tz()?;
        let snap = self.fleet_snapshot().await?;
        let today = local_day(tz, fc_live::now_ms()).unwrap_or_default();
        let last_rollup = self.store().rollup_days().await?.map(|(_, last)| last);
        let data_day = (snap.data_time_ms > 0)
            .then(|| local_day(tz, snap.data_time_ms))
            .flatten()
            .or(last_rollup.clone());
        let day = match data_day {
            Some(d) if d < today => d,
            _ => today,
        };
        let read = |day: String| {
            self.store().rollups(RollupFilter {
                from_day: Some(day.clone()),
                to_day: Some(day),
                ..RollupFilter::default()
            })
        };
        let mut records = read(day.clone()).await?;
        let mut day = day;
        // Live rollups close with their day: an open day without any falls back to the
        // last day that has them.
        if records.is_empty()
            && let Some(last) = last_rollup.filter(|l| *l < day)
        {
            records = read(last.clone()).await?;
            day = last;
        }
        let (mut fuel, mut km, mut idle_h, mut engine_h) = (0.0, 0.0, 0.0, 0.0);
        for r in records.into_iter().map(crate::coach::from_record) {
            fuel += r.fuel_l.unwrap_or(0.0);
            km += r.distance_km;
            idle_h += r.idle_h;
            engine_h += r.engine_h;
        }
        let mut open_alerts = 0;
        let mut open_thefts = 0;
        for a in self.store().open_alerts(u32::MAX).await? {
            open_alerts += 1;
            if a.alert.kind == fc_live::AlertKind::Drain.code() {
                open_thefts += 1;
            }
        }
        Ok(FleetKpis {
            day,
            trucks: u32::try_from(snap.trucks.len()).unwrap_or(u32::MAX),
            fuel_used_l: fuel,
            distance_km: km,
            l_per_100km: (km >= 1.0).then(|| fuel / km * 100.0),
            idle_pct: (engine_h > 0.0).then(|| (idle_h / engine_h * 100.0).clamp(0.0, 100.0)),
            open_thefts,
            open_alerts,
        })
    }

    /// Feeds the fleet view and the read cache from a live pipeline's bus.
    pub(crate) fn follow_live(&self, bus: &Bus) {
        follow_bus(Arc::clone(&self.fleet), Arc::clone(&self.cache), bus);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc_model::TelemetryPoint;

    fn update(id: &str, version: u64, ts: i64) -> TruckUpdate {
        TruckUpdate {
            truck_id: id.into(),
            version,
            ts_ms: ts,
            lat: Some(40.0),
            lon: Some(-3.0),
            speed_kmh: Some(50.0),
            fuel_l: Some(300.0),
            fuel_pct: Some(50.0),
            ignition: Some(true),
            driver_id: Some("D1".into()),
            state: TruckState::Driving,
            points: 1,
            emitted_ms: ts,
        }
    }

    #[test]
    fn updates_write_through_and_old_ones_lose() {
        let view = FleetView::new();
        assert!(view.apply(&[update("T1", 1, 1_000)]));
        view.apply(&[update("T1", 3, 3_000)]);
        let mut late = update("T1", 2, 2_000);
        late.fuel_l = Some(1.0);
        view.apply(&[late]);
        let s = view.lock();
        let row = &s.rows["T1"];
        assert_eq!((row.version, row.last_seen_ms), (3, Some(3_000)));
        assert_eq!(row.fuel_l, Some(300.0));
        assert!(s.stale, "a new truck asks for its profile");
        assert_eq!(s.version, 3);
        drop(s);
        // A new run (versions from 1 again) replaying an earlier period is followed.
        view.new_run();
        view.apply(&[update("T1", 1, 500)]);
        let s = view.lock();
        assert_eq!(s.rows["T1"].last_seen_ms, Some(500));
    }

    #[test]
    fn litres_go_through_the_calibration_and_add_tanks() {
        let profile = TruckProfile {
            truck_id: "T1".into(),
            name: "One".into(),
            fuel_type: None,
            tanks: vec![
                fc_model::Tank {
                    capacity_l: 400.0,
                    calibration: None,
                },
                fc_model::Tank {
                    capacity_l: 200.0,
                    calibration: None,
                },
            ],
        };
        let mut p = TelemetryPoint::new("T1", 0);
        p.fuel_level_pct = Some(50.0);
        p.fuel_level_pct_2 = Some(50.0);
        assert_eq!(litres_of(Some(&profile), &p), Some(300.0));
        assert_eq!(pct_of(Some(&profile), Some(300.0), &p), Some(50.0));
        p.fuel_l = Some(100.0);
        assert_eq!(litres_of(Some(&profile), &p), Some(200.0));
        assert_eq!(litres_of(None, &TelemetryPoint::new("T1", 0)), None);
    }
}
