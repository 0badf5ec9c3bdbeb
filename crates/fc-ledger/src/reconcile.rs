//! Fuel-card reconciliation: purchases against the fills the tank actually saw.

use fc_model::Purchase;
use serde::{Deserialize, Serialize};

use crate::event::{EventKind, EventStatus, FuelEvent};
use crate::geo::haversine_km;

/// Matching tolerances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReconcileConfig {
    /// The truck must have been within this distance of the station, metres.
    pub radius_m: f64,
    /// ... and the purchase within this time of the fill's window, ms.
    pub window_ms: i64,
    /// Billed minus measured above max(this fraction of billed, `short_min_l`) is a short fill.
    pub short_fraction: f64,
    /// Absolute part of the short-fill tolerance, litres.
    pub short_min_l: f64,
}

impl Default for ReconcileConfig {
    fn default() -> Self {
        ReconcileConfig {
            radius_m: 500.0,
            window_ms: 60 * 60_000,
            short_fraction: 0.05,
            short_min_l: 10.0,
        }
    }
}

/// Outcome for one purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseStatus {
    /// A fill of about the billed volume, at the station, at the time.
    Matched,
    /// A fill, but the tank received less than billed beyond tolerance.
    ShortFill,
    /// No fill of this truck near that time.
    NoFill,
    /// A fill at that time, but the truck was elsewhere.
    LocationMismatch,
}

/// One purchase's reconciliation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurchaseMatch {
    /// Index into the purchases given.
    pub purchase_index: usize,
    /// Truck id of the purchase.
    pub truck_id: String,
    /// Status.
    pub status: PurchaseStatus,
    /// The fill it was paired with.
    pub fill_id: Option<String>,
    /// Billed litres.
    pub billed_l: f64,
    /// Litres the tank gained, if paired.
    pub measured_l: Option<f64>,
    /// Billed minus measured, litres.
    pub difference_l: Option<f64>,
    /// Station to truck distance, metres (when both positions are known).
    pub distance_m: Option<f64>,
    /// Time from the fill window to the purchase, ms (0 inside it).
    pub time_offset_ms: Option<i64>,
}

/// Reconciliation of a set of purchases with a set of fills.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// One entry per purchase, in input order.
    pub purchases: Vec<PurchaseMatch>,
    /// Final fills that no purchase paid for.
    pub unpaid_fill_ids: Vec<String>,
}

fn offset_ms(ts: i64, f: &FuelEvent) -> i64 {
    if ts < f.start_ms {
        f.start_ms.saturating_sub(ts)
    } else if ts > f.end_ms {
        ts.saturating_sub(f.end_ms)
    } else {
        0
    }
}

fn distance_m(p: &Purchase, f: &FuelEvent) -> Option<f64> {
    match (p.lat, p.lon, f.lat, f.lon) {
        (Some(a), Some(b), Some(c), Some(d)) => Some(haversine_km(a, b, c, d) * 1000.0),
        _ => None,
    }
}

/// Pairs purchases and final fills one to one: first pairs at the station, closest in
/// time first; then pairs in time only (location mismatch). Without a station position
/// the time alone decides.
pub fn reconcile(
    purchases: &[Purchase],
    fills: &[FuelEvent],
    cfg: &ReconcileConfig,
) -> Reconciliation {
    let fills: Vec<&FuelEvent> = fills
        .iter()
        .filter(|f| f.kind == EventKind::Fill && f.status == EventStatus::Final)
        .collect();
    // (location bad, time offset, purchase, fill)
    let mut pairs: Vec<(bool, i64, usize, usize)> = Vec::new();
    for (pi, p) in purchases.iter().enumerate() {
        for (fi, f) in fills.iter().enumerate() {
            if f.truck_id != p.truck_id {
                continue;
            }
            let off = offset_ms(p.ts, f);
            if off > cfg.window_ms {
                continue;
            }
            let far = distance_m(p, f).is_some_and(|d| d > cfg.radius_m);
            pairs.push((far, off, pi, fi));
        }
    }
    pairs.sort();
    let mut p_used = vec![None; purchases.len()];
    let mut f_used = vec![false; fills.len()];
    for &(far, _, pi, fi) in &pairs {
        if p_used[pi].is_none() && !f_used[fi] {
            p_used[pi] = Some((fi, far));
            f_used[fi] = true;
        }
    }
    let out = purchases
        .iter()
        .enumerate()
        .map(|(pi, p)| match p_used[pi] {
            None => PurchaseMatch {
                purchase_index: pi,
                truck_id: p.truck_id.clone(),
                status: PurchaseStatus::NoFill,
                fill_id: None,
                billed_l: p.litres,
                measured_l: None,
                difference_l: None,
                distance_m: None,
                time_offset_ms: None,
            },
            Some((fi, far)) => {
                let f = fills[fi];
                let diff = p.litres - f.volume_l;
                let tol = (cfg.short_fraction * p.litres).max(cfg.short_min_l);
                let status = if far {
                    PurchaseStatus::LocationMismatch
                } else if diff > tol {
                    PurchaseStatus::ShortFill
                } else {
                    PurchaseStatus::Matched
                };
                PurchaseMatch {
                    purchase_index: pi,
                    truck_id: p.truck_id.clone(),
                    status,
                    fill_id: Some(f.id.clone()),
                    billed_l: p.litres,
                    measured_l: Some(f.volume_l),
                    difference_l: Some(diff),
                    distance_m: distance_m(p, f),
                    time_offset_ms: Some(offset_ms(p.ts, f)),
                }
            }
        })
        .collect();
    let unpaid_fill_ids = fills
        .iter()
        .zip(&f_used)
        .filter(|(_, used)| !**used)
        .map(|(f, _)| f.id.clone())
        .collect();
    Reconciliation {
        purchases: out,
        unpaid_fill_ids,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{ConsumptionSource, Evidence, Reason, ReasonCode};

    fn fill(id: &str, truck: &str, start_min: i64, vol: f64, lat: f64) -> FuelEvent {
        FuelEvent {
            id: id.into(),
            truck_id: truck.into(),
            kind: EventKind::Fill,
            status: EventStatus::Final,
            revision: 0,
            detector_version: "t".into(),
            start_ms: start_min * 60_000,
            end_ms: (start_min + 8) * 60_000,
            volume_l: vol,
            lat: Some(lat),
            lon: Some(7.0),
            rule_confidence: 0.9,
            evidence: Evidence {
                window_start_ms: 0,
                window_end_ms: 0,
                samples: vec![],
                level_before_l: 0.0,
                level_after_l: vol,
                expected_consumption_l: 0.0,
                consumption_source: ConsumptionSource::None,
                threshold_l: 10.0,
                noise_l: 1.0,
                noise_measured: true,
                quantum_l: 0.0,
                unobserved_ms: 0,
                moved: false,
                ignition_on: None,
                reason: Reason {
                    code: ReasonCode::StationaryRise,
                    margin: 3.0,
                    observed_change_l: vol,
                    consumption_allowance_l: 0.0,
                    thermal_allowance_l: 0.0,
                },
            },
        }
    }

    fn purchase(truck: &str, min: i64, litres: f64, lat: Option<f64>) -> Purchase {
        Purchase {
            truck_id: truck.into(),
            ts: min * 60_000,
            litres,
            price_per_l: 1.7,
            lat,
            lon: lat.map(|_| 7.0),
            card_id: None,
            station: None,
        }
    }

    #[test]
    fn statuses_table() {
        let fills = vec![
            fill("a", "T1", 100, 300.0, 45.0),
            fill("b", "T1", 1000, 200.0, 45.0),
            fill("c", "T1", 2000, 150.0, 46.0),
            fill("d", "T2", 100, 250.0, 45.0),
            fill("e", "T1", 5000, 100.0, 45.0),
        ];
        let cases = [
            // (purchase, expected status, expected fill)
            (
                purchase("T1", 110, 305.0, Some(45.001)),
                PurchaseStatus::Matched,
                Some("a"),
            ),
            (
                purchase("T1", 1040, 240.0, Some(45.0)),
                PurchaseStatus::ShortFill,
                Some("b"),
            ),
            (
                purchase("T1", 2000, 150.0, Some(45.0)),
                PurchaseStatus::LocationMismatch,
                Some("c"),
            ),
            (
                purchase("T1", 3000, 100.0, Some(45.0)),
                PurchaseStatus::NoFill,
                None,
            ),
            // wrong truck's fill at the right time does not count
            (
                purchase("T3", 100, 250.0, None),
                PurchaseStatus::NoFill,
                None,
            ),
            // no station position: time decides; 10 L under the tolerance
            (
                purchase("T2", 60, 259.0, None),
                PurchaseStatus::Matched,
                Some("d"),
            ),
        ];
        let ps: Vec<Purchase> = cases.iter().map(|c| c.0.clone()).collect();
        let r = reconcile(&ps, &fills, &ReconcileConfig::default());
        for (m, (_, status, fid)) in r.purchases.iter().zip(&cases) {
            assert_eq!(m.status, *status, "{m:?}");
            assert_eq!(m.fill_id.as_deref(), *fid);
        }
        assert_eq!(r.unpaid_fill_ids, vec!["e".to_string()]);
        // the window is configurable
        let narrow = ReconcileConfig {
            window_ms: 60_000,
            ..ReconcileConfig::default()
        };
        let r = reconcile(&ps[..1], &fills, &narrow);
        assert_eq!(r.purchases[0].status, PurchaseStatus::NoFill);
    }

    #[test]
    fn one_fill_pays_for_one_purchase() {
        let fills = vec![fill("a", "T1", 100, 300.0, 45.0)];
        let ps = vec![
            purchase("T1", 150, 300.0, Some(45.0)),
            purchase("T1", 104, 300.0, Some(45.0)),
        ];
        let r = reconcile(&ps, &fills, &ReconcileConfig::default());
        assert_eq!(r.purchases[1].status, PurchaseStatus::Matched);
        assert_eq!(r.purchases[0].status, PurchaseStatus::NoFill);
    }
}
