//! Stored events end to end: import a simulated fleet, detect over the store,
//! list events and alerts, record verdicts, and re-detect without repeats.

use std::path::Path;

use fc_core::{
    Core, CoreError, EventQuery, ImportRequest, SimConfig, SimProfile, VerdictKind, simulate,
};

async fn imported_fleet(dir: &Path) -> Core {
    let cfg = SimConfig::new(4, 4, 11, SimProfile::Default);
    simulate(dir, &cfg).expect("simulate");
    let core = Core::open(&format!("sqlite://{}", dir.join("fleet.db").display()))
        .await
        .expect("open");
    let request = ImportRequest {
        files: vec![
            dir.join("trucks.csv"),
            dir.join("telemetry.csv"),
            dir.join("purchases.csv"),
        ],
        ..ImportRequest::default()
    };
    core.import_files(&request, &mut |_| {})
        .await
        .expect("import");
    core
}

#[tokio::test]
async fn detection_over_the_store_is_idempotent_and_keeps_verdicts() {
    let tmp = tempfile::tempdir().unwrap();
    let core = imported_fleet(tmp.path()).await;

    let first = core.detect_stored(&[]).await.unwrap();
    assert_eq!(first.trucks, 4);
    assert!(first.events > 0, "{first:?}");
    assert_eq!(first.events_changed, first.events);
    assert_eq!(first.retracted, 0);
    assert!(
        first.alerts > 0 && first.alerts <= first.events,
        "{first:?}"
    );

    let events = core.events(&EventQuery::default()).await.unwrap();
    assert_eq!(events.len() as u32, first.events);
    // Newest first, every one final with its evidence.
    assert!(
        events
            .windows(2)
            .all(|w| w[0].event.start >= w[1].event.start)
    );
    assert!(events.iter().all(|e| e.event.status == "final"));
    assert!(events.iter().all(|e| !e.event.evidence.samples.is_empty()));

    let alerts = core.open_alerts(1000).await.unwrap();
    assert_eq!(alerts.len() as u32, first.alerts);
    let alerting = core
        .events(&EventQuery {
            alerts_only: true,
            ..EventQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(alerting.len(), alerts.len());
    assert!(alerting.iter().all(|e| e.event.alert));

    // A verdict is kept with the event and survives a second pass, which
    // changes nothing and raises no alert twice.
    let target = &alerting[0].event;
    let judged = core
        .record_verdict(
            &target.id,
            VerdictKind::FalseAlarm,
            "ana",
            Some("reefer".into()),
        )
        .await
        .unwrap();
    let v = judged.verdict.expect("verdict");
    assert_eq!((v.verdict.as_str(), v.by.as_str()), ("false_alarm", "ana"));

    let again = core.detect_stored(&[]).await.unwrap();
    assert_eq!(
        (
            again.events,
            again.events_changed,
            again.retracted,
            again.alerts
        ),
        (first.events, 0, 0, 0)
    );
    let after = core.event(&target.id).await.unwrap();
    assert_eq!(after.verdict.map(|v| v.verdict), Some("false_alarm".into()));
    assert_eq!(after.revision, judged.revision);

    // Acknowledging works once; unknown ids say so.
    let seq = alerts[0].seq;
    core.ack_alert(seq, "ana").await.unwrap();
    assert!(matches!(
        core.ack_alert(seq, "ana").await,
        Err(CoreError::NotFound { .. })
    ));
    assert_eq!(
        core.open_alerts(1000).await.unwrap().len(),
        alerts.len() - 1
    );
    assert!(matches!(
        core.record_verdict("T9:drain:1", VerdictKind::Confirmed, "ana", None)
            .await,
        Err(CoreError::NotFound { .. })
    ));
    assert!(matches!(
        core.record_verdict(&target.id, VerdictKind::Confirmed, "  ", None)
            .await,
        Err(CoreError::Invalid { .. })
    ));
    core.close().await;
}

#[test]
fn verdicts_parse_as_the_faces_spell_them() {
    let cases = [
        ("confirmed", Some(VerdictKind::Confirmed)),
        ("false_alarm", Some(VerdictKind::FalseAlarm)),
        ("False-Alarm", Some(VerdictKind::FalseAlarm)),
        ("theft", None),
    ];
    for (text, want) in cases {
        assert_eq!(fc_core::parse_verdict(text).ok(), want, "{text}");
    }
}
