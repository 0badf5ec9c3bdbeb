use serde::{Deserialize, Serialize};

use crate::time::TimestampMs;

/// A fuel-card purchase as billed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Purchase {
    /// Trimmed truck id.
    pub truck_id: String,
    /// UTC milliseconds of the transaction.
    pub ts: TimestampMs,
    /// Billed volume, litres.
    pub litres: f64,
    /// Price per litre in the fleet's currency.
    pub price_per_l: f64,
    /// Station latitude, if the card provider reports it.
    pub lat: Option<f64>,
    /// Station longitude.
    pub lon: Option<f64>,
    /// Fuel card id.
    pub card_id: Option<String>,
    /// Station name or code.
    pub station: Option<String>,
}

impl Purchase {
    /// Billed amount in the fleet's currency.
    pub fn amount(&self) -> f64 {
        self.litres * self.price_per_l
    }
}
