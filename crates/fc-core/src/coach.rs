//! Coaching through the core API: rollups rebuilt for the days an import
//! touched (decision 10), scorecards for a period read from the rollups, and the
//! same scorecards for files analysed in memory.

use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use fc_coach::{CoachConfig, CoachReport, Period, Prices, Rollup, RollupBuilder};
use fc_ledger::{DetectorConfig, EventStatus, EventUpdate, TruckDetector};
use fc_model::{TelemetryPoint, TruckProfile};
use fc_store::{PointFilter, RollupFilter, RollupRecord, Store, WriteBatch};
use futures::TryStreamExt;

use crate::core::Core;
use crate::dto_analysis::{CoachingDto, DriverDto};
use crate::error::{CoreError, Result};
use crate::settings::FleetSettings;

/// What to coach.
#[derive(Debug, Clone, Default)]
pub struct CoachRequest {
    /// Only this driver's card (the fleet's percentiles and quartiles still
    /// come from every driver).
    pub driver: Option<String>,
    /// `30d` (default), `4w`, `2024-03`, `2024-03-01..2024-03-31` or one day;
    /// relative periods end on the last day with data.
    pub period: Option<String>,
}

/// Coaching settings from the fleet's: the idle minimum and the speed limit.
pub fn coach_config(settings: &FleetSettings) -> CoachConfig {
    CoachConfig {
        idle_min_s: i64::from(settings.idle_min_s),
        speed_limit_kmh: settings.speed_limit_kmh,
        ..CoachConfig::default()
    }
}

fn prices(settings: &FleetSettings) -> Prices {
    Prices {
        currency: settings.currency.clone(),
        fuel_price_per_l: settings.fuel_price_per_l,
    }
}

fn invalid(e: fc_coach::CoachError) -> CoreError {
    CoreError::Invalid {
        what: e.code().to_string(),
        why: e.to_string(),
    }
}

/// Parses a period against the last day with data.
pub fn parse_period(spec: Option<&str>, last_day: &str) -> Result<Period> {
    let bad = |s: &str| CoreError::Invalid {
        what: "--period".into(),
        why: format!(
            "`{s}` is not a period; write 30d, 4w, 2024-03, 2024-03-01..2024-03-31 or 2024-03-05"
        ),
    };
    let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let spec = spec
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("30d");
    let last = day(last_day).ok_or_else(|| bad(last_day))?;
    let (from, to) = if let Some((a, b)) = spec.split_once("..") {
        (
            day(a).ok_or_else(|| bad(spec))?,
            day(b).ok_or_else(|| bad(spec))?,
        )
    } else if let Some(n) = spec.strip_suffix('d').and_then(|n| n.parse::<i64>().ok()) {
        (last - chrono::Duration::days(n.max(1) - 1), last)
    } else if let Some(n) = spec.strip_suffix('w').and_then(|n| n.parse::<i64>().ok()) {
        (last - chrono::Duration::days(7 * n.max(1) - 1), last)
    } else if let Some(d) = day(spec) {
        (d, d)
    } else if let Some(m) = day(&format!("{spec}-01")) {
        let next = if m.month() == 12 {
            NaiveDate::from_ymd_opt(m.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(m.year(), m.month() + 1, 1)
        }
        .ok_or_else(|| bad(spec))?;
        (m, next - chrono::Duration::days(1))
    } else {
        return Err(bad(spec));
    };
    if to < from || (to - from).num_days() > 3660 {
        return Err(bad(spec));
    }
    Ok(Period {
        from_day: from.format("%Y-%m-%d").to_string(),
        to_day: to.format("%Y-%m-%d").to_string(),
        days: u32::try_from((to - from).num_days() + 1).unwrap_or(u32::MAX),
    })
}

/// The period spanning all the rollups' days (for files analysed in memory).
pub(crate) fn whole_period(rollups: &[Rollup]) -> Option<Period> {
    let first = rollups.iter().map(|r| r.day.as_str()).min()?;
    let last = rollups.iter().map(|r| r.day.as_str()).max()?;
    parse_period(Some(&format!("{first}..{last}")), last).ok()
}

/// Coaches rollups of a period with the fleet's settings.
pub(crate) fn coach_rollups(
    rollups: &[Rollup],
    period: &Period,
    settings: &FleetSettings,
) -> Result<CoachReport> {
    fc_coach::coach(rollups, period, &prices(settings), &coach_config(settings)).map_err(invalid)
}

/// Rollups of the same truck, day and driver summed (a driver who comes back
/// to a truck later the same day).
pub(crate) fn merge(rollups: Vec<Rollup>) -> Vec<Rollup> {
    let mut by: BTreeMap<(String, String, String), Rollup> = BTreeMap::new();
    for r in rollups {
        let key = (r.truck_id.clone(), r.day.clone(), r.driver_id.clone());
        match by.get_mut(&key) {
            Some(acc) => acc.add(&r),
            None => {
                by.insert(key, r);
            }
        }
    }
    by.into_values().collect()
}

/// A stored rollup back: the one conversion, `fc_live::records` (live writes them too).
pub(crate) use fc_live::records::rollup_of as from_record;

/// Trucks and time spans an import wrote, for rebuilding their rollups.
#[derive(Debug, Default)]
pub(crate) struct Touched {
    spans: HashMap<String, (i64, i64)>,
}

impl Touched {
    /// Notes the points of a batch about to be written.
    pub(crate) fn note(&mut self, batch: &WriteBatch) {
        for (p, _) in &batch.points {
            match self.spans.get_mut(p.truck_id.as_str()) {
                Some(s) => *s = (s.0.min(p.ts), s.1.max(p.ts)),
                None => {
                    self.spans.insert(p.truck_id.clone(), (p.ts, p.ts));
                }
            }
        }
    }
}

/// One truck's rollups in the making: the detector's final fills and drains go
/// into the day's balance as they come. The re-read and the import's own stream
/// both use this, so the same points give the same rollups.
struct TruckRollups<'p> {
    det: TruckDetector,
    b: RollupBuilder<'p>,
    updates: Vec<EventUpdate>,
}

impl<'p> TruckRollups<'p> {
    fn new(truck: &str, profile: &'p TruckProfile, tz: Tz, cfg: &CoachConfig) -> Self {
        // The detector names its events after the profile's truck id.
        let det_profile = TruckProfile {
            truck_id: truck.to_string(),
            ..profile.clone()
        };
        TruckRollups {
            det: TruckDetector::new(&det_profile, &DetectorConfig::default()),
            b: RollupBuilder::new(truck, profile, tz, cfg),
            updates: Vec::new(),
        }
    }

    fn push(&mut self, p: &TelemetryPoint) {
        self.det.push_into(p, &mut self.updates);
        self.b.push(p);
        if self.updates.is_empty() {
            return;
        }
        // Only final events matter here; dropping the rest keeps memory flat.
        for u in self.updates.drain(..) {
            if let EventUpdate::Event(e) = u
                && e.status == EventStatus::Final
            {
                self.b.event(&e);
            }
        }
    }

    fn finish(mut self) -> Vec<Rollup> {
        for u in self.det.finish() {
            if let EventUpdate::Event(e) = u {
                self.b.event(&e);
            }
        }
        self.b.set_idle_rate(self.det.learned_rates().idle_lph);
        merge(self.b.finish())
    }
}

/// Most local days one truck's stream may span before it falls back to the
/// re-read: a builder keeps every day's ledger until the end (late final events
/// may still land in it), so this bounds the import's memory per truck.
const STREAM_MAX_DAYS: u32 = 40;

/// Rows of one truck held back to be put in time order (real exports repeat
/// rows and send some a few minutes late): a row is released once this many
/// newer ones arrived or it is [`REORDER_MS`] older than the newest.
const REORDER_POINTS: usize = 16;
const REORDER_MS: i64 = 15 * 60_000;

/// Where the import's stream stands for one truck.
struct StreamRun<'p> {
    /// `None` once the truck fell back to the re-read.
    rollups: Option<TruckRollups<'p>>,
    /// Rows not yet released, by time, one per timestamp (the first seen: the
    /// store keeps the first occurrence of a key too).
    held: VecDeque<TelemetryPoint>,
    /// Rows released into the rollups, and the last one's time.
    fed: u64,
    last: i64,
    /// Repeated timestamps with other values (the store quarantines those).
    conflicts: u64,
    /// End (exclusive) of the local day of the last row released, and days seen.
    day_end: i64,
    days: u32,
}

impl StreamRun<'_> {
    /// Takes one row in arrival order; false when the truck must take the re-read.
    fn take(&mut self, p: &TelemetryPoint, tz: Tz) -> bool {
        if self.fed > 0 && p.ts <= self.last {
            // Behind what was released already: a late or repeated row.
            return false;
        }
        let at = match self.held.back() {
            Some(b) if b.ts < p.ts => self.held.len(),
            None => 0,
            _ => match self.held.binary_search_by_key(&p.ts, |h| h.ts) {
                Ok(i) => {
                    if self.held[i] != *p {
                        self.conflicts += 1;
                    }
                    return true;
                }
                Err(i) => i,
            },
        };
        self.held.insert(at, p.clone());
        let newest = self.held.back().map_or(p.ts, |b| b.ts);
        while self.held.len() > REORDER_POINTS
            || self
                .held
                .front()
                .is_some_and(|f| f.ts <= newest.saturating_sub(REORDER_MS))
        {
            if !self.release(tz) {
                return false;
            }
        }
        true
    }

    /// Feeds the oldest held row to the rollups.
    fn release(&mut self, tz: Tz) -> bool {
        let (Some(p), Some(rollups)) = (self.held.pop_front(), self.rollups.as_mut()) else {
            return true;
        };
        if p.ts >= self.day_end {
            self.days += 1;
            self.day_end = day_end(tz, p.ts);
            if self.days > STREAM_MAX_DAYS {
                return false;
            }
        }
        rollups.push(&p);
        self.fed += 1;
        self.last = p.ts;
        true
    }

    fn drop_to_reread(&mut self) {
        self.rollups = None;
        self.held = VecDeque::new();
    }
}

/// Rollups built from the points an import sends to the store, on the reader's
/// thread while the writer commits. A truck qualifies while its rows, put in
/// time order by a small reorder buffer (repeated timestamps: the first one
/// kept, as the store does), all come after the local day of its last stored
/// point: append-only, so the re-read would see exactly these points in this
/// order. Anything else (older stored data in a touched day, a row later than
/// the buffer allows, a profile changed mid-import, a very long span) drops the
/// truck to the re-read of the store; [`store_rollups`] checks the result
/// against the store's counts before using it.
pub(crate) struct StreamRollups<'p> {
    profiles: &'p HashMap<String, TruckProfile>,
    empty: &'p TruckProfile,
    tz: Tz,
    cfg: CoachConfig,
    /// Last stored timestamp per truck before the import.
    stored_last: &'p HashMap<String, i64>,
    /// Trucks that must take the re-read (profile changed during the import).
    stale: std::collections::HashSet<String>,
    keys: HashMap<String, u32>,
    runs: Vec<StreamRun<'p>>,
    /// Scratch of `push_batch`: (slot, position in the batch).
    order: Vec<(u32, u32)>,
}

/// What the stream built for one truck.
pub(crate) struct Streamed {
    rollups: Vec<Rollup>,
    fed: u64,
    conflicts: u64,
}

/// Per truck: stored points and conflicting duplicates quarantined. Before and
/// after an import they tell whether the store took exactly what was streamed.
#[derive(Debug, Clone, Default)]
pub(crate) struct StoreCounts {
    points: HashMap<String, u64>,
    conflicts: HashMap<String, u64>,
}

impl StoreCounts {
    async fn read(store: &Store) -> Result<StoreCounts> {
        let mut c = StoreCounts::default();
        for s in store.point_stats().await? {
            c.points.insert(s.truck_id, s.points);
        }
        for q in store.quarantine_counts().await? {
            if q.reason == fc_store::CONFLICTING_DUPLICATE
                && let Some(t) = q.truck_id
            {
                c.conflicts.insert(t, q.count);
            }
        }
        Ok(c)
    }

    fn points(&self, truck: &str) -> u64 {
        self.points.get(truck).copied().unwrap_or(0)
    }

    fn conflicts(&self, truck: &str) -> u64 {
        self.conflicts.get(truck).copied().unwrap_or(0)
    }
}

/// What [`StreamRollups`] needs from the store, read before the import starts.
#[derive(Debug, Default)]
pub(crate) struct RollupContext {
    pub(crate) profiles: HashMap<String, TruckProfile>,
    pub(crate) stored_last: HashMap<String, i64>,
    /// What the store held before the import.
    pub(crate) before: StoreCounts,
    /// Trucks whose points were sent before the stream started (none from a
    /// well-formed truck file, but nothing is assumed).
    stale: std::collections::HashSet<String>,
}

impl RollupContext {
    pub(crate) async fn read(store: &Store) -> Result<RollupContext> {
        let profiles = store
            .trucks()
            .await?
            .into_iter()
            .map(|p| (p.truck_id.clone(), p))
            .collect();
        let mut ctx = RollupContext {
            profiles,
            ..RollupContext::default()
        };
        for s in store.point_stats().await? {
            ctx.stored_last.insert(s.truck_id, s.last_ts);
        }
        ctx.before = StoreCounts::read(store).await?;
        Ok(ctx)
    }

    /// Points sent while profiles were still being gathered: their trucks take the re-read.
    pub(crate) fn unstreamed(&mut self, points: &[(TelemetryPoint, fc_store::Origin)]) {
        for (p, _) in points {
            if !self.stale.contains(&p.truck_id) {
                self.stale.insert(p.truck_id.clone());
            }
        }
    }

    /// A profile upserted by this import, as the store will give it back
    /// (tanks travel through JSON there).
    pub(crate) fn upsert_profile(&mut self, p: &TruckProfile) {
        let mut p = p.clone();
        if let Ok(tanks) = serde_json::to_string(&p.tanks).map(|t| serde_json::from_str(&t)) {
            match tanks {
                Ok(t) => p.tanks = t,
                // Cannot be read back: leave it to the re-read.
                Err(_) => {
                    self.profiles.remove(&p.truck_id);
                    return;
                }
            }
        }
        self.profiles.insert(p.truck_id.clone(), p);
    }
}

pub(crate) fn empty_profile() -> TruckProfile {
    TruckProfile {
        truck_id: String::new(),
        name: String::new(),
        fuel_type: None,
        tanks: Vec::new(),
    }
}

impl<'p> StreamRollups<'p> {
    pub(crate) fn new(
        ctx: &'p RollupContext,
        empty: &'p TruckProfile,
        settings: &FleetSettings,
    ) -> Result<Self> {
        Ok(StreamRollups {
            profiles: &ctx.profiles,
            empty,
            tz: settings.tz()?,
            cfg: coach_config(settings),
            stored_last: &ctx.stored_last,
            stale: ctx.stale.clone(),
            keys: HashMap::new(),
            runs: Vec::new(),
            order: Vec::new(),
        })
    }

    /// Profiles of these trucks change in the store: their rollups come from the re-read.
    pub(crate) fn profiles_changed<'a>(&mut self, trucks: impl IntoIterator<Item = &'a str>) {
        for t in trucks {
            if let Some(&k) = self.keys.get(t) {
                self.runs[k as usize].drop_to_reread();
            }
            self.stale.insert(t.to_string());
        }
    }

    /// Feeds points about to be sent to the store, truck by truck (a stable
    /// grouping: each truck's points keep their order; a truck's state stays in
    /// the CPU cache while its points go through).
    pub(crate) fn push_batch(&mut self, batch: &[(TelemetryPoint, fc_store::Origin)]) {
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        for (i, (p, _)) in batch.iter().enumerate() {
            let k = self.slot(p);
            order.push((k, u32::try_from(i).unwrap_or(u32::MAX)));
        }
        order.sort_unstable();
        for &(k, i) in &order {
            let run = &mut self.runs[k as usize];
            if run.rollups.is_some() && !run.take(&batch[i as usize].0, self.tz) {
                run.drop_to_reread();
            }
        }
        self.order = order;
    }

    fn slot(&mut self, p: &TelemetryPoint) -> u32 {
        if let Some(&k) = self.keys.get(p.truck_id.as_str()) {
            return k;
        }
        let id = p.truck_id.as_str();
        // Stored points in the first touched day: the re-read must see them too.
        let append_only = self
            .stored_last
            .get(id)
            .is_none_or(|&last| last < day_start(self.tz, p.ts));
        let rollups = (append_only && !self.stale.contains(id)).then(|| {
            let profile = self.profiles.get(id).unwrap_or(self.empty);
            TruckRollups::new(id, profile, self.tz, &self.cfg)
        });
        self.runs.push(StreamRun {
            rollups,
            held: VecDeque::new(),
            fed: 0,
            last: i64::MIN,
            conflicts: 0,
            day_end: i64::MIN,
            days: 0,
        });
        let k = u32::try_from(self.runs.len() - 1).unwrap_or(u32::MAX);
        self.keys.insert(id.to_string(), k);
        k
    }

    /// The rollups of every truck still streaming, with the points each was fed.
    pub(crate) fn finish(self) -> HashMap<String, Streamed> {
        let mut ids: Vec<(u32, String)> = self.keys.into_iter().map(|(id, k)| (k, id)).collect();
        ids.sort_unstable();
        let mut out = HashMap::with_capacity(ids.len());
        for ((_, id), mut run) in ids.into_iter().zip(self.runs) {
            let mut ok = true;
            while ok && !run.held.is_empty() {
                ok = run.release(self.tz);
            }
            if let (true, Some(r)) = (ok, run.rollups) {
                out.insert(
                    id,
                    Streamed {
                        rollups: r.finish(),
                        fed: run.fed,
                        conflicts: run.conflicts,
                    },
                );
            }
        }
        out
    }
}

/// Rebuilds the rollups of every local day an import touched, from the stored
/// points of those days (so overlapping or repeated imports stay right): the
/// detector's final fills and drains go into each day's ledger balance.
pub(crate) async fn rebuild_rollups(
    store: &Store,
    settings: &FleetSettings,
    touched: &Touched,
) -> Result<u64> {
    Ok(store_rollups(
        store,
        settings,
        touched,
        HashMap::new(),
        &StoreCounts::default(),
    )
    .await?
    .written)
}

/// How [`store_rollups`] built the rollups it stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RollupsStored {
    /// Rollup rows written.
    pub(crate) written: u64,
    /// Trucks whose rollups came from the import's stream, by id.
    pub(crate) streamed: Vec<String>,
    /// Trucks whose rollups were rebuilt from the store, by id.
    pub(crate) reread: Vec<String>,
}

/// Stores the rollups of every local day an import touched: from the import's
/// stream where that stream is exactly what the store now holds for the truck
/// (no duplicates or conflicts in its batches, and the store's point count grew
/// by exactly the points streamed), else rebuilt from the stored points.
pub(crate) async fn store_rollups(
    store: &Store,
    settings: &FleetSettings,
    touched: &Touched,
    mut streamed: HashMap<String, Streamed>,
    before: &StoreCounts,
) -> Result<RollupsStored> {
    let tz = settings.tz()?;
    let cfg = coach_config(settings);
    let profiles: HashMap<String, TruckProfile> = store
        .trucks()
        .await?
        .into_iter()
        .map(|p| (p.truck_id.clone(), p))
        .collect();
    let after = if streamed.is_empty() {
        StoreCounts::default()
    } else {
        StoreCounts::read(store).await?
    };
    let empty = empty_profile();
    let mut out = RollupsStored::default();
    let mut spans: Vec<(&String, &(i64, i64))> = touched.spans.iter().collect();
    spans.sort();
    for (truck, &(first, last)) in spans {
        let from = day_start(tz, first);
        let to = day_end(tz, last);
        // Every streamed point was stored, and nothing else; the only conflicts
        // quarantined are the stream's own repeats (none met another writer's row).
        let exact = |s: &Streamed| {
            after.points(truck).checked_sub(before.points(truck)) == Some(s.fed)
                && after.conflicts(truck).checked_sub(before.conflicts(truck)) == Some(s.conflicts)
        };
        let rollups = match streamed.remove(truck) {
            Some(s) if exact(&s) => {
                out.streamed.push(truck.clone());
                s.rollups
            }
            _ => {
                out.reread.push(truck.clone());
                let profile = profiles.get(truck).unwrap_or(&empty);
                let mut run = TruckRollups::new(truck, profile, tz, &cfg);
                let mut points = std::pin::pin!(store.points(PointFilter {
                    trucks: Some(vec![truck.clone()]),
                    from: Some(from),
                    to: Some(to),
                }));
                while let Some(p) = points.try_next().await? {
                    run.push(&p);
                }
                run.finish()
            }
        };
        let records: Vec<RollupRecord> = rollups
            .iter()
            .map(fc_live::records::rollup_record)
            .collect();
        out.written += store.replace_rollups(truck, from, to, &records).await?;
    }
    Ok(out)
}

fn day_start(tz: Tz, ts: i64) -> i64 {
    let date = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ts)
        .map(|t| t.with_timezone(&tz).date_naive())
        .unwrap_or_default();
    fc_coach::local_midnight_ms(tz, date)
}

fn day_end(tz: Tz, ts: i64) -> i64 {
    let date = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ts)
        .map(|t| t.with_timezone(&tz).date_naive())
        .unwrap_or_default();
    date.succ_opt()
        .map_or(i64::MAX, |d| fc_coach::local_midnight_ms(tz, d))
}

/// Driver scorecards over the whole span of rollups built in memory (`analyze`).
pub(crate) fn analysis_drivers(
    rollups: Vec<Rollup>,
    settings: &FleetSettings,
) -> (Vec<DriverDto>, Option<CoachingDto>) {
    let rollups = merge(rollups);
    let Some(period) = whole_period(&rollups) else {
        return (Vec::new(), None);
    };
    // The settings were validated before the analysis started.
    let Ok(rep) = coach_rollups(&rollups, &period, settings) else {
        return (Vec::new(), None);
    };
    let dto = crate::dto_reads::CoachReportDto::from(rep);
    (dto.drivers, Some(dto.coaching))
}

impl Core {
    /// Rebuilds the coaching rollups of whole local days from the stored points:
    /// `spans` are (truck, first ms, last ms) of what was written. Idempotent, so
    /// a live pipeline may call it for a truck's day after the day closes instead
    /// of (or after) streaming into a `RollupBuilder` itself.
    pub async fn rebuild_rollups(&self, spans: &[(String, i64, i64)]) -> Result<u64> {
        let mut touched = Touched::default();
        for (truck, a, b) in spans {
            let e = touched.spans.entry(truck.clone()).or_insert((*a, *b));
            *e = (e.0.min(*a), e.1.max(*b));
        }
        let settings = self.fleet_settings().await?;
        let written = rebuild_rollups(self.store(), &settings, &touched).await;
        self.wrote(crate::cache::Write::Import);
        written
    }

    /// Scorecards and recommendations for a period, from the stored rollups.
    pub async fn coach(&self, request: &CoachRequest) -> Result<CoachReport> {
        let settings = self.fleet_settings().await?;
        settings.validate()?;
        let store = self.store();
        let Some((_, last)) = store.rollup_days().await? else {
            return Err(CoreError::Invalid {
                what: "coach".into(),
                why: "there is no driving data to coach yet; import telemetry first".into(),
            });
        };
        let period = parse_period(request.period.as_deref(), &last)?;
        let rollups: Vec<Rollup> = store
            .rollups(RollupFilter {
                from_day: Some(period.from_day.clone()),
                to_day: Some(period.to_day.clone()),
                ..RollupFilter::default()
            })
            .await?
            .into_iter()
            .map(from_record)
            .collect();
        let mut report = coach_rollups(&rollups, &period, &settings)?;
        if let Some(id) = request.driver.as_deref().map(str::trim) {
            if !report.drivers.iter().any(|d| d.driver_id == id) {
                let known: Vec<&str> = report
                    .drivers
                    .iter()
                    .map(|d| d.driver_id.as_str())
                    .filter(|d| !d.is_empty())
                    .take(20)
                    .collect();
                return Err(CoreError::Invalid {
                    what: "--driver".into(),
                    why: format!(
                        "no driving by `{id}` from {} to {}; drivers in that period: {}",
                        period.from_day,
                        period.to_day,
                        known.join(", ")
                    ),
                });
            }
            report.drivers.retain(|d| d.driver_id == id);
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        // (spec, from, to, days)
        let ok = [
            (None, "2024-02-05", "2024-03-05", 30),
            (Some("7d"), "2024-02-28", "2024-03-05", 7),
            (Some("2w"), "2024-02-21", "2024-03-05", 14),
            (Some("2024-02"), "2024-02-01", "2024-02-29", 29),
            (Some("2023-12"), "2023-12-01", "2023-12-31", 31),
            (
                Some("2024-03-01..2024-03-03"),
                "2024-03-01",
                "2024-03-03",
                3,
            ),
            (Some("2024-03-02"), "2024-03-02", "2024-03-02", 1),
        ];
        for (spec, from, to, days) in ok {
            let p = parse_period(spec, "2024-03-05").unwrap();
            assert_eq!(
                (p.from_day.as_str(), p.to_day.as_str(), p.days),
                (from, to, days),
                "{spec:?}"
            );
        }
        for bad in ["soon", "2024-03-05..2024-03-01", "3x", "2024-13"] {
            let e = parse_period(Some(bad), "2024-03-05").unwrap_err();
            assert_eq!(e.code(), "invalid_input", "{bad}");
            assert!(e.to_string().contains("30d"), "{e}");
        }
    }
}

#[cfg(test)]
#[path = "coach_stream_tests.rs"]
mod stream_tests;
