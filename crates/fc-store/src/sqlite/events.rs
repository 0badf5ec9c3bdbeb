//! Events, verdicts and the alert outbox (`migrations/sqlite/0002_events.sql`).
//!
//! Events and alerts are few next to points (a handful per truck and day), so
//! they are written one prepared statement per row inside the caller's
//! transaction; the statement cache makes that cheap.

use fc_model::TimestampMs;
use sqlx::Row;
use sqlx::sqlite::{SqliteConnection, SqliteRow};

use super::SqliteStore;
use crate::error::StoreError;
use crate::types::{
    Alert, EventFilter, EventRecord, EventScore, NewAlert, StoredEvent, Verdict, VerdictKind,
};

const EVENT_COLUMNS: &str = "e.id, e.truck_id, e.kind, e.status, e.revision, e.detector_version, \
     e.start_ms, e.end_ms, e.volume_l, e.lat, e.lon, e.rule_confidence, e.ml_score, \
     e.confidence, e.model_version, e.evidence, \
     v.event_id, v.verdict, v.by_user, v.at_ms, v.note";

const ALERT_COLUMNS: &str =
    "seq, ts_ms, truck_id, kind, event_id, dedupe_key, payload, acked_by, acked_ms";

/// Upserts events by id; a stored row with a higher revision is kept. Returns
/// how many rows were inserted or replaced.
pub(super) async fn upsert_events(
    conn: &mut SqliteConnection,
    events: &[EventRecord],
) -> Result<u64, StoreError> {
    let mut changed = 0;
    for e in events {
        let evidence = serde_json::to_string(&e.evidence)?;
        changed += sqlx::query(
            "INSERT INTO events (id, truck_id, kind, status, revision, detector_version, \
             start_ms, end_ms, volume_l, lat, lon, rule_confidence, ml_score, confidence, \
             model_version, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET truck_id = excluded.truck_id, kind = excluded.kind, \
             status = excluded.status, revision = excluded.revision, \
             detector_version = excluded.detector_version, start_ms = excluded.start_ms, \
             end_ms = excluded.end_ms, volume_l = excluded.volume_l, lat = excluded.lat, \
             lon = excluded.lon, rule_confidence = excluded.rule_confidence, \
             ml_score = excluded.ml_score, confidence = excluded.confidence, \
             model_version = excluded.model_version, evidence = excluded.evidence \
             WHERE excluded.revision >= events.revision",
        )
        .bind(e.id.as_str())
        .bind(e.truck_id.as_str())
        .bind(e.kind.as_str())
        .bind(e.status.as_str())
        .bind(i64::from(e.revision))
        .bind(e.detector_version.as_str())
        .bind(e.start_ms)
        .bind(e.end_ms)
        .bind(e.volume_l)
        .bind(e.lat)
        .bind(e.lon)
        .bind(e.rule_confidence)
        .bind(e.ml_score)
        .bind(e.confidence)
        .bind(e.model_version.as_deref())
        .bind(evidence)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(changed)
}

/// Appends alerts to the outbox; an alert whose `dedupe_key` is recorded is
/// skipped. Returns how many were appended.
pub(super) async fn insert_alerts(
    conn: &mut SqliteConnection,
    alerts: &[NewAlert],
) -> Result<u64, StoreError> {
    let mut added = 0;
    for a in alerts {
        let payload = serde_json::to_string(&a.payload)?;
        added += sqlx::query(
            "INSERT INTO alerts (ts_ms, truck_id, kind, event_id, dedupe_key, payload) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(a.ts_ms)
        .bind(a.truck_id.as_str())
        .bind(a.kind.as_str())
        .bind(a.event_id.as_deref())
        .bind(a.dedupe_key.as_deref())
        .bind(payload)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(added)
}

fn json_list(items: &Option<Vec<String>>) -> Result<Option<String>, StoreError> {
    items
        .as_ref()
        .map(|v| serde_json::to_string(v).map_err(StoreError::from))
        .transpose()
}

fn json_column(row: &SqliteRow, i: usize, what: &str) -> Result<serde_json::Value, StoreError> {
    let text: String = row.try_get(i)?;
    serde_json::from_str(&text).map_err(|_| StoreError::corrupt(format!("{what} is not JSON")))
}

fn stored_event_from_row(row: &SqliteRow) -> Result<StoredEvent, StoreError> {
    let revision: i64 = row.try_get(4)?;
    let event = EventRecord {
        id: row.try_get(0)?,
        truck_id: row.try_get(1)?,
        kind: row.try_get(2)?,
        status: row.try_get(3)?,
        revision: u32::try_from(revision).map_err(|_| StoreError::corrupt("event revision"))?,
        detector_version: row.try_get(5)?,
        start_ms: row.try_get(6)?,
        end_ms: row.try_get(7)?,
        volume_l: row.try_get(8)?,
        lat: row.try_get(9)?,
        lon: row.try_get(10)?,
        rule_confidence: row.try_get(11)?,
        ml_score: row.try_get(12)?,
        confidence: row.try_get(13)?,
        model_version: row.try_get(14)?,
        evidence: json_column(row, 15, "event evidence")?,
    };
    let verdict = match row.try_get::<Option<String>, _>(16)? {
        None => None,
        Some(event_id) => {
            let code: String = row.try_get(17)?;
            Some(Verdict {
                event_id,
                verdict: VerdictKind::from_code(&code)
                    .ok_or_else(|| StoreError::corrupt("verdict code"))?,
                by: row.try_get(18)?,
                at_ms: row.try_get(19)?,
                note: row.try_get(20)?,
            })
        }
    };
    Ok(StoredEvent { event, verdict })
}

fn alert_from_row(row: &SqliteRow) -> Result<Alert, StoreError> {
    let acked_by: Option<String> = row.try_get(7)?;
    let acked_ms: Option<i64> = row.try_get(8)?;
    Ok(Alert {
        seq: row.try_get(0)?,
        alert: NewAlert {
            ts_ms: row.try_get(1)?,
            truck_id: row.try_get(2)?,
            kind: row.try_get(3)?,
            event_id: row.try_get(4)?,
            dedupe_key: row.try_get(5)?,
            payload: json_column(row, 6, "alert payload")?,
        },
        acked: acked_by.zip(acked_ms),
    })
}

impl SqliteStore {
    /// Upserts events and appends alerts in one transaction (re-analysis and
    /// rescoring, outside a point batch). Returns (events changed, alerts added).
    pub async fn write_events(
        &self,
        events: &[EventRecord],
        alerts: &[NewAlert],
    ) -> Result<(u64, u64), StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let changed = upsert_events(&mut tx, events).await?;
        let added = insert_alerts(&mut tx, alerts).await?;
        tx.commit().await?;
        self.checkpointer.committed();
        Ok((changed, added))
    }

    /// Marks as retracted the truck's stored, not yet retracted events that
    /// start in `[from, to)` and are not in `keep` (re-analysis found them no
    /// more). Their revision goes up by one; verdicts stay. Returns how many.
    pub async fn retract_events_except(
        &self,
        truck_id: &str,
        from: TimestampMs,
        to: TimestampMs,
        keep: &[String],
    ) -> Result<u64, StoreError> {
        let keep = serde_json::to_string(keep)?;
        let n = sqlx::query(
            "UPDATE events SET status = 'retracted', revision = revision + 1 \
             WHERE truck_id = ? AND start_ms >= ? AND start_ms < ? AND status <> 'retracted' \
             AND id NOT IN (SELECT value FROM json_each(?))",
        )
        .bind(truck_id)
        .bind(from)
        .bind(to)
        .bind(keep)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(n)
    }

    /// Events matching the filter with their verdicts, newest first.
    pub async fn events(&self, filter: &EventFilter) -> Result<Vec<StoredEvent>, StoreError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events AS e LEFT JOIN verdicts AS v ON v.event_id = e.id \
             WHERE (?1 IS NULL OR e.truck_id IN (SELECT value FROM json_each(?1))) \
             AND (?2 IS NULL OR e.end_ms >= ?2) AND (?3 IS NULL OR e.start_ms < ?3) \
             AND (?4 IS NULL OR e.kind IN (SELECT value FROM json_each(?4))) \
             AND (?5 OR e.status <> 'retracted') \
             AND (?6 IS NULL OR e.confidence >= ?6) \
             AND (NOT ?7 OR v.event_id IS NOT NULL) \
             ORDER BY e.start_ms DESC, e.id LIMIT ?8"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(json_list(&filter.trucks)?)
            .bind(filter.from)
            .bind(filter.to)
            .bind(json_list(&filter.kinds)?)
            .bind(filter.include_retracted)
            .bind(filter.min_confidence)
            .bind(filter.with_verdict)
            .bind(filter.limit.map_or(-1, i64::from))
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(stored_event_from_row).collect()
    }

    /// One event with its verdict.
    pub async fn event(&self, id: &str) -> Result<Option<StoredEvent>, StoreError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events AS e LEFT JOIN verdicts AS v ON v.event_id = e.id \
             WHERE e.id = ?"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(stored_event_from_row).transpose()
    }

    /// Records (or replaces) the verdict on an event.
    pub async fn set_verdict(&self, verdict: &Verdict) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO verdicts (event_id, verdict, by_user, at_ms, note) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (event_id) DO UPDATE SET verdict = excluded.verdict, \
             by_user = excluded.by_user, at_ms = excluded.at_ms, note = excluded.note",
        )
        .bind(verdict.event_id.as_str())
        .bind(verdict.verdict.code())
        .bind(verdict.by.as_str())
        .bind(verdict.at_ms)
        .bind(verdict.note.as_deref())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Removes the verdict on an event; true if there was one.
    pub async fn clear_verdict(&self, event_id: &str) -> Result<bool, StoreError> {
        let n = sqlx::query("DELETE FROM verdicts WHERE event_id = ?")
            .bind(event_id)
            .execute(&self.writer)
            .await?
            .rows_affected();
        Ok(n > 0)
    }

    /// Every verdict, oldest first (their events may have been retracted).
    pub async fn verdicts(&self) -> Result<Vec<Verdict>, StoreError> {
        let rows = sqlx::query(
            "SELECT event_id, verdict, by_user, at_ms, note FROM verdicts ORDER BY at_ms, event_id",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                let code: String = r.try_get(1)?;
                Ok(Verdict {
                    event_id: r.try_get(0)?,
                    verdict: VerdictKind::from_code(&code)
                        .ok_or_else(|| StoreError::corrupt("verdict code"))?,
                    by: r.try_get(2)?,
                    at_ms: r.try_get(3)?,
                    note: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// Replaces the scores of stored events (rescoring); returns how many events exist.
    pub async fn update_scores(&self, scores: &[EventScore]) -> Result<u64, StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let mut n = 0;
        for s in scores {
            n += sqlx::query(
                "UPDATE events SET ml_score = ?, confidence = ?, model_version = ? WHERE id = ?",
            )
            .bind(s.ml_score)
            .bind(s.confidence)
            .bind(s.model_version.as_deref())
            .bind(s.event_id.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Alerts with a sequence number above `after`, oldest first, at most `limit`.
    pub async fn alerts_after(&self, after: i64, limit: u32) -> Result<Vec<Alert>, StoreError> {
        let sql = format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE seq > ? ORDER BY seq LIMIT ?");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(alert_from_row).collect()
    }

    /// Alerts not acknowledged yet, newest first, at most `limit`.
    pub async fn open_alerts(&self, limit: u32) -> Result<Vec<Alert>, StoreError> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE acked_ms IS NULL ORDER BY seq DESC LIMIT ?"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(alert_from_row).collect()
    }

    /// The highest sequence number in the outbox (0 when empty).
    pub async fn last_alert_seq(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT ifnull(max(seq), 0) FROM alerts")
            .fetch_one(&self.reader)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Acknowledges an alert; false if there is no such alert or it was acknowledged already.
    pub async fn ack_alert(
        &self,
        seq: i64,
        by: &str,
        at_ms: TimestampMs,
    ) -> Result<bool, StoreError> {
        let n = sqlx::query(
            "UPDATE alerts SET acked_by = ?, acked_ms = ? WHERE seq = ? AND acked_ms IS NULL",
        )
        .bind(by)
        .bind(at_ms)
        .bind(seq)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(n > 0)
    }
}
