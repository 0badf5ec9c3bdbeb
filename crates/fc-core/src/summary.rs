//! Per-truck summary of stored data. Distance and fuel used come from the
//! same per-truck ledger as `analyze` (decision 20: fuel used always comes
//! from the ledger, never first-minus-last level), so the two never disagree.

use std::collections::HashMap;

use fc_model::format_ts;

use crate::analyze::AnalyzeRequest;
use crate::core::Core;
use crate::dto::TruckSummary;
use crate::error::Result;

pub(crate) async fn summarise(core: &Core) -> Result<Vec<TruckSummary>> {
    let stats = core.store().point_stats().await?;
    let mut rejected: HashMap<String, u64> = HashMap::new();
    for q in core.store().quarantine_counts().await? {
        if let Some(t) = q.truck_id {
            *rejected.entry(t).or_default() += q.count;
        }
    }
    let analysis = core
        .analyze_stored(&AnalyzeRequest::default(), &mut |_| {})
        .await?;
    let mut ledgers: HashMap<String, _> = analysis
        .trucks
        .into_iter()
        .map(|t| (t.truck_id.clone(), t))
        .collect();
    Ok(stats
        .into_iter()
        .map(|s| {
            let ledger = ledgers.remove(&s.truck_id);
            let (distance_km, distance_source) = match &ledger {
                Some(l) if l.distance_source != "none" => {
                    (Some(l.distance_km), l.distance_source.clone())
                }
                _ => (None, "none".to_string()),
            };
            // The level balance where the truck reports a level; else the ledger's ECU figure.
            let fuel_used_l = ledger
                .as_ref()
                .and_then(|l| l.fuel_used_l.or(l.ecu_fuel_used_l));
            TruckSummary {
                rejected: rejected.remove(&s.truck_id).unwrap_or(0),
                points: s.points,
                first_ts: Some(format_ts(s.first_ts)),
                last_ts: Some(format_ts(s.last_ts)),
                span_h: (s.last_ts - s.first_ts) as f64 / 3_600_000.0,
                distance_km,
                distance_source,
                fuel_used_l,
                truck_id: s.truck_id,
            }
        })
        .collect())
}
