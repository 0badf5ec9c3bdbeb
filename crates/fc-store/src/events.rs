//! [`Store`] methods for events, verdicts and the alert outbox (decisions 11,
//! 12 and 17). Events and alerts found in a point batch travel in the
//! [`crate::WriteBatch`] instead, so that they commit with their points.

use fc_model::TimestampMs;

use crate::{
    Alert, EventFilter, EventRecord, EventScore, NewAlert, Store, StoreError, StoredEvent, Verdict,
};

impl Store {
    /// Upserts events (by id; a lower revision never replaces a higher one)
    /// and appends alerts, in one transaction. Returns (events changed, alerts added).
    pub async fn write_events(
        &self,
        events: &[EventRecord],
        alerts: &[NewAlert],
    ) -> Result<(u64, u64), StoreError> {
        match self {
            Store::Sqlite(s) => s.write_events(events, alerts).await,
        }
    }

    /// Marks as retracted the truck's stored events that start in `[from, to)`
    /// and are not in `keep` (re-analysis no longer finds them); verdicts stay.
    pub async fn retract_events_except(
        &self,
        truck_id: &str,
        from: TimestampMs,
        to: TimestampMs,
        keep: &[String],
    ) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.retract_events_except(truck_id, from, to, keep).await,
        }
    }

    /// Events matching the filter with their verdicts, newest first.
    pub async fn events(&self, filter: &EventFilter) -> Result<Vec<StoredEvent>, StoreError> {
        match self {
            Store::Sqlite(s) => s.events(filter).await,
        }
    }

    /// One event with its verdict.
    pub async fn event(&self, id: &str) -> Result<Option<StoredEvent>, StoreError> {
        match self {
            Store::Sqlite(s) => s.event(id).await,
        }
    }

    /// Records (or replaces) the verdict on an event. The event need not be
    /// stored: verdicts outlive re-analysis.
    pub async fn set_verdict(&self, verdict: &Verdict) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.set_verdict(verdict).await,
        }
    }

    /// Removes the verdict on an event; true if there was one.
    pub async fn clear_verdict(&self, event_id: &str) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.clear_verdict(event_id).await,
        }
    }

    /// Every verdict, oldest first.
    pub async fn verdicts(&self) -> Result<Vec<Verdict>, StoreError> {
        match self {
            Store::Sqlite(s) => s.verdicts().await,
        }
    }

    /// Replaces the model scores of stored events; returns how many events were found.
    pub async fn update_scores(&self, scores: &[EventScore]) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.update_scores(scores).await,
        }
    }

    /// Alerts after sequence number `after`, oldest first, at most `limit`:
    /// what a consumer resuming from `after` missed.
    pub async fn alerts_after(&self, after: i64, limit: u32) -> Result<Vec<Alert>, StoreError> {
        match self {
            Store::Sqlite(s) => s.alerts_after(after, limit).await,
        }
    }

    /// Alerts not acknowledged yet, newest first, at most `limit`.
    pub async fn open_alerts(&self, limit: u32) -> Result<Vec<Alert>, StoreError> {
        match self {
            Store::Sqlite(s) => s.open_alerts(limit).await,
        }
    }

    /// The highest alert sequence number (0 when there are none).
    pub async fn last_alert_seq(&self) -> Result<i64, StoreError> {
        match self {
            Store::Sqlite(s) => s.last_alert_seq().await,
        }
    }

    /// Acknowledges an alert; false if there is no such open alert.
    pub async fn ack_alert(
        &self,
        seq: i64,
        by: &str,
        at_ms: TimestampMs,
    ) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.ack_alert(seq, by, at_ms).await,
        }
    }
}
