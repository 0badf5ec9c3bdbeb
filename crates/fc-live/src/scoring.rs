//! Theft scoring at ingest (decision 12): with a model, every fill and drain the
//! detector decides (provisional, final, and sub-threshold candidates) is scored
//! with its truck's telemetry track and the fleet's context as they stand, the
//! same `fc_ml::Model::score_item` that `analyze` and `detect` use.

use std::sync::Arc;

use fc_ledger::{EventKind, EventStatus, FuelEvent};
use fc_ml::{FleetContext, Item, Model, TruckTrack};
use fc_model::Purchase;

use crate::records::EventScores;

/// A model for the live pipeline, with what the fleet context starts from.
#[derive(Debug, Clone)]
pub struct ModelScoring {
    /// The trained model.
    pub model: Arc<Model>,
    /// The fleet's card purchases (fuel stations, purchases near a change).
    pub purchases: Vec<Purchase>,
    /// Telemetry context kept per truck, ms of data time (features look at most
    /// 30 minutes around an event's evidence window; ~17 KB per truck at 6 h).
    pub track_horizon_ms: i64,
}

impl ModelScoring {
    /// A model with no purchases and a 6 h track.
    pub fn new(model: Arc<Model>) -> Self {
        ModelScoring {
            model,
            purchases: Vec::new(),
            track_horizon_ms: 6 * 3_600_000,
        }
    }
}

pub(crate) struct Scorer {
    model: Arc<Model>,
    ctx: FleetContext,
    version: String,
    pub horizon_ms: i64,
}

impl Scorer {
    pub fn new(s: &ModelScoring, tz: chrono_tz::Tz) -> Scorer {
        Scorer {
            ctx: s.model.fleet_context(tz).with_fuel(&s.purchases, &[]),
            version: s.model.model_version.clone(),
            model: Arc::clone(&s.model),
            horizon_ms: s.track_horizon_ms.max(3_600_000),
        }
    }

    /// A final fill teaches the context a station and the truck's last refuel.
    pub fn learn(&mut self, e: &FuelEvent) {
        if e.kind == EventKind::Fill && e.status == EventStatus::Final {
            self.ctx.add_fill(e);
        }
    }

    /// The model's scores, or `None` when it has no head for the kind.
    pub fn score(&mut self, item: &Item<'_>, track: Option<&TruckTrack>) -> Option<EventScores> {
        if item.kind == EventKind::SensorFault {
            return None;
        }
        if let Some(t) = track {
            self.ctx.set_parking(item.truck_id, &t.parking_places());
        }
        let s = self.model.score_item(&self.ctx, item, track)?;
        // The calibrated probability already weighs the rule's confidence (a feature).
        Some(EventScores {
            ml_score: Some(s.probability),
            confidence: s.probability,
            model_version: Some(self.version.clone()),
        })
    }
}
