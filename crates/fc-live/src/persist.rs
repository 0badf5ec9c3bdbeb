//! The seam between the pipeline and the store: one transaction per flush
//! (points, quarantine, cursor, events, alerts), and the alert outbox.

use fc_model::TelemetryPoint;
use fc_store::{
    EventRecord, FeedCursor, NewAlert as StoreAlert, Origin, QuarantineEntry, Store, StoreError,
    WriteBatch, WriteOutcome,
};

use crate::alerts::NewAlert;
use crate::bus::{Alert, AlertKind};

/// Everything one flush commits.
#[derive(Debug, Default, Clone)]
pub(crate) struct Flush {
    pub points: Vec<(TelemetryPoint, Origin)>,
    pub quarantine: Vec<QuarantineEntry>,
    pub cursor: Option<FeedCursor>,
    /// Scored events (`records::event_record`), in detection order.
    pub events: Vec<EventRecord>,
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

/// The outbox's dedupe key: a replay after a restart (the same points, the same
/// deterministic event ids) adds no alert twice. Event alerts share the `event:<id>`
/// key with stored-data detection.
fn dedupe_key(a: &NewAlert) -> String {
    let status = a.payload.get("status").and_then(|v| v.as_str());
    match (&a.event_id, status) {
        (Some(id), Some("retracted")) => format!("event:{id}:retracted"),
        (Some(id), _) => format!("event:{id}"),
        (None, _) => {
            let anchor = ["since_ms", "last_seen_ms"]
                .iter()
                .find_map(|k| a.payload.get(*k).and_then(serde_json::Value::as_i64))
                .unwrap_or(a.ts_ms);
            format!("{}:{}:{anchor}", a.kind.code(), a.truck_id)
        }
    }
}

/// Commits a flush in one transaction. Returns the write outcome.
pub(crate) async fn commit(store: &Store, flush: Flush) -> Result<WriteOutcome, StoreError> {
    // The newest update of each event in this flush (the store keeps the highest revision).
    let mut events: Vec<EventRecord> = Vec::with_capacity(flush.events.len());
    for e in flush.events {
        match events.iter_mut().find(|r| r.id == e.id) {
            Some(r) if r.revision <= e.revision => *r = e,
            Some(_) => {}
            None => events.push(e),
        }
    }
    let alerts = flush
        .alerts
        .iter()
        .map(|a| StoreAlert {
            ts_ms: a.ts_ms,
            truck_id: a.truck_id.clone(),
            kind: a.kind.code().to_string(),
            event_id: a.event_id.clone(),
            dedupe_key: Some(dedupe_key(a)),
            payload: a.payload.clone(),
        })
        .collect();
    store
        .write_batch(WriteBatch {
            points: flush.points,
            quarantine: flush.quarantine,
            cursor: flush.cursor,
            events,
            alerts,
        })
        .await
}

/// Alerts after `seq`, oldest first, and the last seq read (kinds this build does not
/// know are skipped but still move the reader on).
pub(crate) async fn alerts_after(
    store: &Store,
    seq: i64,
    limit: u32,
) -> Result<(Vec<Alert>, i64), StoreError> {
    let page = store.alerts_after(seq, limit).await?;
    let last = page.last().map_or(seq, |a| a.seq);
    let alerts = page
        .into_iter()
        .filter_map(|a| {
            Some(Alert {
                seq: a.seq,
                ts_ms: a.alert.ts_ms,
                kind: AlertKind::from_code(&a.alert.kind)?,
                truck_id: a.alert.truck_id,
                event_id: a.alert.event_id,
                payload: a.alert.payload,
            })
        })
        .collect();
    Ok((alerts, last))
}

/// The newest alert seq (0 without alerts).
pub(crate) async fn last_alert_seq(store: &Store) -> Result<i64, StoreError> {
    store.last_alert_seq().await
}

/// Stored final fills (the model's refuel times and stations at start).
pub(crate) async fn final_fills(store: &Store) -> Result<Vec<fc_ledger::FuelEvent>, StoreError> {
    let stored = store
        .events(&fc_store::EventFilter {
            kinds: Some(vec![fc_ledger::EventKind::Fill.code().to_string()]),
            ..fc_store::EventFilter::default()
        })
        .await?;
    Ok(stored
        .iter()
        .filter(|s| s.event.status == fc_ledger::EventStatus::Final.code())
        .filter_map(|s| crate::records::fuel_event(&s.event).ok().map(|(e, _)| e))
        .collect())
}
