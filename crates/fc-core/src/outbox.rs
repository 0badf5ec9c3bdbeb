//! The alert outbox's head, for faces that forward new alerts in order: they
//! start after the newest seq at open and then read `alerts_after` their cursor.

use crate::core::Core;
use crate::error::Result;

impl Core {
    /// The newest alert seq in the outbox (0 when it is empty).
    pub async fn last_alert_seq(&self) -> Result<i64> {
        Ok(self.store.last_alert_seq().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_empty_outbox_has_head_zero_and_the_head_follows_appends() {
        let dir = tempfile::tempdir().unwrap();
        let core = Core::open(&crate::paths::sqlite_url(&dir.path().join("t.db")))
            .await
            .unwrap();
        assert_eq!(core.last_alert_seq().await.unwrap(), 0);
        let alert = fc_store::NewAlert {
            ts_ms: 1_700_000_000_000,
            truck_id: "T1".into(),
            kind: "drain".into(),
            event_id: None,
            dedupe_key: Some("test:1".into()),
            payload: serde_json::json!({}),
        };
        core.store().write_events(&[], &[alert]).await.unwrap();
        let head = core.last_alert_seq().await.unwrap();
        assert!(head > 0);
        let listed = core.alerts_after(0, 10).await.unwrap();
        assert_eq!(listed.last().map(|a| a.seq), Some(head));
        core.close().await;
    }
}
