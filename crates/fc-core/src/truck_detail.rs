//! The truck page's read: the fuel series (raw litres through the calibration and
//! the detector's own filtered level), the stored events with evidence and
//! verdicts, the window's ledger, reconciled purchases and the sensor's health.

use std::collections::HashMap;
use std::sync::Arc;

use fc_ledger::{
    DetectorConfig, EventKind, EventStatus, EventUpdate, FuelEvent, LedgerBuilder, LedgerConfig,
    TruckDetector, reconcile,
};
use fc_model::{TruckProfile, format_ts};
use fc_store::{PointFilter, PurchaseFilter, QuarantineFilter};
use futures::TryStreamExt;
use serde::Serialize;
use ts_rs::TS;

use crate::cache::Cached;
use crate::core::Core;
use crate::dto::TruckRow;
use crate::dto_analysis::{PurchaseDto, TruckLedgerDto};
use crate::dto_events::StoredEventDto;
use crate::error::{CoreError, Result};
use crate::events::EventQuery;
use crate::fleet::litres_of;

/// The default window: the last 48 hours of the truck's data.
pub const DEFAULT_WINDOW_MS: i64 = 48 * 3_600_000;
/// History the detector reads before the window, so that its level, noise and
/// consumption are settled when the window starts (events then match `detect`).
const WARMUP_MS: i64 = 12 * 3_600_000;
/// At most this many samples in a series (pairs of min and max per bucket).
pub const MAX_SAMPLES: usize = 2_000;
/// Quarantine entries read for one truck's window.
const QUARANTINE_LIMIT: u32 = 100_000;
/// A ledger's fuel used is a difference of two level readings, each with the sensor's
/// noise (sigma), so the difference has sigma sqrt(2) x noise: a negative one within this
/// many of those sigmas is noise (a parked truck), never fuel that came from nowhere.
const NOISE_SIGMAS: f64 = 3.0;

/// Fuel used as the truck page shows it: a small negative (within the noise band) is 0;
/// a larger one stays, since it means something real (an unseen fill, a bad calibration).
pub(crate) fn clamp_noise(fuel_used_l: Option<f64>, noise_l: f64) -> Option<f64> {
    let band = if noise_l.is_finite() && noise_l > 0.0 {
        NOISE_SIGMAS * std::f64::consts::SQRT_2 * noise_l
    } else {
        0.0
    };
    fuel_used_l.map(|f| if f < 0.0 && f >= -band { 0.0 } else { f })
}

/// One sample of the fuel chart.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FuelSample {
    /// UTC ms.
    #[ts(type = "number")]
    pub ts_ms: i64,
    /// Level as read (tanks summed, through the calibration), litres.
    pub raw_l: Option<f64>,
    /// The detector's filtered level (absent where it did not trust the reading, e.g. moving).
    pub filtered_l: Option<f64>,
    /// Speed, km/h.
    pub speed_kmh: Option<f64>,
    /// Ignition.
    pub ignition: Option<bool>,
}

/// How the truck's fuel sensor behaved in the window.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SensorHealth {
    /// Sensor noise (one sigma), litres, as the detector estimates it.
    pub noise_l: Option<f64>,
    /// Whether the noise was measured (else a prior from the tank size).
    pub noise_measured: bool,
    /// The sensor is stuck at the end of the window (an open sensor fault).
    pub stuck: bool,
    /// Sensor faults in the window.
    pub faults: u32,
    /// Silences longer than the detector's gap limit (15 min).
    pub gaps: u32,
    /// The longest of them, minutes.
    pub longest_gap_min: Option<f64>,
    /// Quarantine entries (bad values, conflicts) of this truck in the window.
    #[ts(type = "number")]
    pub quarantined: u64,
}

/// Everything the truck page shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TruckDetail {
    /// The truck.
    pub truck: TruckRow,
    /// Window start, UTC ms (inclusive).
    #[ts(type = "number")]
    pub from_ms: i64,
    /// Window end, UTC ms (exclusive).
    #[ts(type = "number")]
    pub to_ms: i64,
    /// Fuel series, downsampled to at most 2,000 samples keeping each bucket's min and max.
    pub series: Vec<FuelSample>,
    /// Stored events overlapping the window, newest first, with evidence and verdicts.
    pub events: Vec<StoredEventDto>,
    /// The window's ledger and efficiency; absent without points in it.
    pub ledger: Option<TruckLedgerDto>,
    /// Fuel-card purchases in the window, reconciled with the window's fills.
    pub purchases: Vec<PurchaseDto>,
    /// The fuel sensor's health.
    pub sensor: SensorHealth,
}

/// Keeps the lowest and the highest raw level of each of `max / 2` buckets (in time
/// order), so that a drop or a spike survives downsampling.
pub(crate) fn downsample(samples: Vec<FuelSample>, max: usize) -> Vec<FuelSample> {
    if samples.len() <= max {
        return samples;
    }
    let buckets = (max / 2).max(1);
    let per = samples.len().div_ceil(buckets);
    let mut out = Vec::with_capacity(max);
    for chunk in samples.chunks(per) {
        let by_raw = |a: &&FuelSample, b: &&FuelSample| {
            a.raw_l
                .unwrap_or(f64::NAN)
                .total_cmp(&b.raw_l.unwrap_or(f64::NAN))
        };
        let with_level = || chunk.iter().filter(|s| s.raw_l.is_some());
        match (with_level().min_by(by_raw), with_level().max_by(by_raw)) {
            (Some(lo), Some(hi)) if lo.ts_ms == hi.ts_ms => out.push(lo.clone()),
            (Some(lo), Some(hi)) => {
                let (a, b) = if lo.ts_ms < hi.ts_ms {
                    (lo, hi)
                } else {
                    (hi, lo)
                };
                out.push(a.clone());
                out.push(b.clone());
            }
            _ => out.extend(chunk.first().cloned()),
        }
    }
    out
}

impl Core {
    /// The truck page: window `[from_ms, to_ms)`, by default the last 48 h of the
    /// truck's data. Cached per window and data version.
    pub async fn truck_detail(
        &self,
        truck_id: &str,
        from_ms: Option<i64>,
        to_ms: Option<i64>,
    ) -> Result<TruckDetail> {
        let truck_id = truck_id.trim();
        let key = format!(
            "detail|{truck_id}|{from_ms:?}|{to_ms:?}|{}",
            self.cache.truck_version(truck_id)
        );
        if let Some(Cached::Detail(d)) = self.cache.get(&key) {
            return Ok((*d).clone());
        }
        let detail = self.compute_truck_detail(truck_id, from_ms, to_ms).await?;
        self.cache
            .put(key, Cached::Detail(Arc::new(detail.clone())));
        Ok(detail)
    }

    async fn compute_truck_detail(
        &self,
        truck_id: &str,
        from_ms: Option<i64>,
        to_ms: Option<i64>,
    ) -> Result<TruckDetail> {
        let truck = self
            .trucks()
            .await?
            .into_iter()
            .find(|t| t.truck_id == truck_id)
            .ok_or_else(|| CoreError::NotFound {
                what: format!("truck {truck_id}"),
            })?;
        let last_ts = self
            .store()
            .point_stats()
            .await?
            .into_iter()
            .find(|s| s.truck_id == truck_id)
            .map(|s| s.last_ts);
        let to = to_ms.unwrap_or_else(|| last_ts.map_or_else(fc_live::now_ms, |t| t + 1));
        let from = from_ms.unwrap_or(to.saturating_sub(DEFAULT_WINDOW_MS));
        if from >= to {
            return Err(CoreError::Invalid {
                what: "window".into(),
                why: "the start must be before the end".into(),
            });
        }
        let settings = self.fleet_settings().await?;
        let profile = self
            .store()
            .trucks()
            .await?
            .into_iter()
            .find(|p| p.truck_id == truck_id);
        let has_profile = profile.is_some();
        let profile = profile.unwrap_or(TruckProfile {
            truck_id: truck_id.to_string(),
            name: String::new(),
            fuel_type: None,
            tanks: Vec::new(),
        });
        let dcfg = DetectorConfig::default();
        let lcfg = LedgerConfig {
            idle_min_s: i64::from(settings.idle_min_s),
            ..LedgerConfig::default()
        };
        let mut det = TruckDetector::new(&profile, &dcfg);
        det.record_levels();
        let mut ledger = LedgerBuilder::new(truck_id, &profile, from, to, &lcfg);
        let mut updates: Vec<EventUpdate> = Vec::new();
        let mut latest: HashMap<String, FuelEvent> = HashMap::new();
        let mut levels: HashMap<i64, (f64, f64)> = HashMap::new();
        let mut samples: Vec<FuelSample> = Vec::new();
        let (mut gaps, mut longest_gap, mut prev_ts) = (0u32, 0i64, None::<i64>);
        let (mut points, mut first, mut last) = (0u64, i64::MAX, i64::MIN);
        let mut stream = std::pin::pin!(self.store().points(PointFilter {
            trucks: Some(vec![truck_id.to_string()]),
            from: Some(from.saturating_sub(WARMUP_MS)),
            to: Some(to),
        }));
        while let Some(p) = stream.try_next().await? {
            det.push_into(&p, &mut updates);
            for u in updates.drain(..) {
                if let EventUpdate::Event(e) = u {
                    latest.insert(e.id.clone(), e);
                }
            }
            for l in det.take_levels() {
                levels.insert(l.ts, (l.raw_l, l.filtered_l));
            }
            if p.ts < from {
                continue;
            }
            ledger.push_own(&p);
            points += 1;
            first = first.min(p.ts);
            last = last.max(p.ts);
            if let Some(t) = prev_ts {
                let dt = p.ts - t;
                if dt > dcfg.max_gap_ms {
                    gaps += 1;
                    longest_gap = longest_gap.max(dt);
                }
            }
            prev_ts = Some(p.ts);
            samples.push(FuelSample {
                ts_ms: p.ts,
                raw_l: litres_of(has_profile.then_some(&profile), &p),
                filtered_l: None,
                speed_kmh: p.speed_kmh,
                ignition: p.ignition,
            });
        }
        // A sensor fault still open at the end of the data: the sensor is stuck now.
        let stuck = latest
            .values()
            .any(|e| e.kind == EventKind::SensorFault && e.status == EventStatus::Provisional);
        for u in det.finish() {
            if let EventUpdate::Event(e) = u {
                latest.insert(e.id.clone(), e);
            }
        }
        for l in det.take_levels() {
            levels.insert(l.ts, (l.raw_l, l.filtered_l));
        }
        for s in &mut samples {
            if let Some(&(raw, filtered)) = levels.get(&s.ts_ms) {
                s.raw_l = Some(raw);
                s.filtered_l = Some(filtered);
            }
        }
        let (noise_l, noise_measured) = det.noise();
        ledger.set_idle_rate(det.learned_rates().idle_lph);
        let mut finals: Vec<FuelEvent> = latest
            .into_values()
            .filter(|e| e.status == EventStatus::Final && e.end_ms >= from && e.start_ms < to)
            .collect();
        finals.sort_by_key(|e| e.start_ms);
        let faults = finals
            .iter()
            .filter(|e| e.kind == EventKind::SensorFault)
            .count();
        let fills: Vec<FuelEvent> = finals
            .iter()
            .filter(|e| e.kind == EventKind::Fill)
            .cloned()
            .collect();

        let events = self
            .events(&EventQuery {
                trucks: vec![truck_id.to_string()],
                from: Some(format_ts(from)),
                to: Some(format_ts(to)),
                ..EventQuery::default()
            })
            .await?;
        let (late_dropped, duplicates) = ledger.dropped();
        let l = ledger.finish(&finals);
        let ledger = (points > 0).then(|| {
            let alerts = events.iter().filter(|e| e.event.alert).count();
            let mut view = crate::analyze::ledger_view(
                crate::analyze::LedgerHead {
                    truck_id,
                    name: &truck.name,
                    has_profile,
                    points,
                    span: Some((first, last)),
                    late_dropped,
                    duplicates,
                },
                &l,
                u32::try_from(alerts).unwrap_or(u32::MAX),
            );
            // fc-ledger reports start - end + fills - drains as is; a parked truck's is noise.
            view.fuel_used_l = clamp_noise(view.fuel_used_l, noise_l);
            view
        });

        let bought = self
            .store()
            .purchases(PurchaseFilter {
                trucks: Some(vec![truck_id.to_string()]),
                from: Some(from),
                to: Some(to),
            })
            .await?;
        let rec = reconcile(
            &bought,
            &fills,
            &crate::analyze::reconcile_config(&settings),
        );
        let purchases = crate::analyze::purchase_dtos(&bought, &rec.purchases);

        let quarantined = self
            .store()
            .quarantine(
                QuarantineFilter {
                    truck_id: Some(truck_id.to_string()),
                    ..QuarantineFilter::default()
                },
                QUARANTINE_LIMIT,
            )
            .await?
            .iter()
            .filter(|q| q.ts.is_some_and(|t| t >= from && t < to))
            .count() as u64;
        Ok(TruckDetail {
            truck,
            from_ms: from,
            to_ms: to,
            series: downsample(samples, MAX_SAMPLES),
            events,
            ledger,
            purchases,
            sensor: SensorHealth {
                noise_l: (points > 0 && noise_l.is_finite()).then_some(noise_l),
                noise_measured,
                stuck,
                faults: u32::try_from(faults).unwrap_or(u32::MAX),
                gaps,
                longest_gap_min: (gaps > 0).then(|| longest_gap as f64 / 60_000.0),
                quarantined,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(ts: i64, raw: Option<f64>) -> FuelSample {
        FuelSample {
            ts_ms: ts,
            raw_l: raw,
            filtered_l: None,
            speed_kmh: None,
            ignition: None,
        }
    }

    #[test]
    fn a_small_negative_fuel_used_is_noise_a_large_one_stays() {
        // Noise 1 L: the band is 3 x sqrt(2) = 4.24 L.
        assert_eq!(clamp_noise(Some(-0.4), 1.0), Some(0.0));
        assert_eq!(clamp_noise(Some(-4.2), 1.0), Some(0.0));
        assert_eq!(clamp_noise(Some(-4.3), 1.0), Some(-4.3));
        assert_eq!(clamp_noise(Some(-40.0), 1.0), Some(-40.0));
        assert_eq!(clamp_noise(Some(12.5), 1.0), Some(12.5));
        assert_eq!(clamp_noise(None, 1.0), None);
        // Without a noise estimate nothing is hidden.
        assert_eq!(clamp_noise(Some(-0.4), f64::NAN), Some(-0.4));
        assert_eq!(clamp_noise(Some(-0.4), 0.0), Some(-0.4));
    }

    #[test]
    fn downsampling_keeps_the_extremes_in_time_order() {
        let mut s: Vec<FuelSample> = (0..10_000).map(|i| sample(i, Some(500.0))).collect();
        s[4_321].raw_l = Some(100.0); // a drop
        s[7_777].raw_l = Some(900.0); // a spike
        s[9_000].raw_l = None;
        let d = downsample(s, MAX_SAMPLES);
        assert!(d.len() <= MAX_SAMPLES, "{}", d.len());
        assert!(d.iter().any(|x| x.ts_ms == 4_321 && x.raw_l == Some(100.0)));
        assert!(d.iter().any(|x| x.ts_ms == 7_777 && x.raw_l == Some(900.0)));
        assert!(d.windows(2).all(|w| w[0].ts_ms < w[1].ts_ms));
        let short: Vec<FuelSample> = (0..10).map(|i| sample(i, None)).collect();
        assert_eq!(downsample(short.clone(), MAX_SAMPLES), short);
    }
}
