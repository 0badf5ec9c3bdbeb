//! The IPC commands, called the way the UI calls them: through Tauri's IPC
//! layer on the mock runtime, with the real tauri.conf.json and capabilities,
//! the real core over a SQLite file in a temporary data folder.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use fuel_copilot_desktop::Launch;
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, Listener, Manager, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

/// Long enough for a loaded 2-core machine; only ever a ceiling on waiting.
const PATIENCE: Duration = Duration::from_secs(120);

struct TestApp {
    app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    dir: tempfile::TempDir,
}

impl TestApp {
    /// The app over a data folder, without live (the commands alone).
    fn new(dir: tempfile::TempDir) -> TestApp {
        let mut launch = Launch::in_dir(dir.path());
        launch.start_live = false;
        launch.keychain = false;
        TestApp::with(dir, launch)
    }

    fn with(dir: tempfile::TempDir, launch: Launch) -> TestApp {
        let app = fuel_copilot_desktop::app(mock_builder(), launch)
            .build(tauri::generate_context!())
            .expect("the mock app builds from tauri.conf.json");
        // The mock runtime runs no event loop, so the setup hook never fires.
        fuel_copilot_desktop::start(app.handle());
        // The UI lives in the window labelled "main"; the capabilities name it.
        let window = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default())
            .build()
            .expect("the main window opens");
        TestApp { app, window, dir }
    }

    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        match get_ipc_response(&self.window, request(cmd, args)) {
            Ok(body) => Ok(body.deserialize().expect("JSON payload")),
            Err(err) => Err(err),
        }
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Ok(v) => panic!("{cmd} should fail, returned {v}"),
            Err(e) => e,
        }
    }

    /// Every payload of `event` from now on.
    fn listen(&self, event: &str) -> mpsc::Receiver<Value> {
        let (tx, rx) = mpsc::channel();
        self.app.listen_any(event, move |e| {
            let _ = tx.send(serde_json::from_str(e.payload()).expect("JSON event payload"));
        });
        rx
    }
}

fn request(cmd: &str, body: Value) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().expect("static URL"),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
        .display()
        .to_string()
}

/// Fills the demo database of `dir` with a small simulated fleet and its
/// detected events and alerts, through the core API (as the CLI would).
fn seeded_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = dir.path().join("sim");
    let cfg = fc_core::SimConfig::new(4, 14, 3, fc_core::SimProfile::Clean);
    fc_core::simulate(&files, &cfg).expect("simulated fleet");
    let db = fc_core::paths::sqlite_url(&fc_core::paths::demo_db_in(dir.path()));
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(async {
            let core = fc_core::Core::open(&db).await.expect("demo db opens");
            let request = fc_core::ImportRequest {
                files: vec![files.join("trucks.csv"), files.join("telemetry.csv")],
                ..Default::default()
            };
            core.import_files(&request, &mut |_| {})
                .await
                .expect("import");
            let report = core.detect_stored(&[]).await.expect("detect");
            assert!(report.alerts > 0, "the seeded fleet has alerts: {report:?}");
            core.close().await;
        });
    dir
}

#[test]
fn app_info_returns_the_core_payload() {
    let t = TestApp::new(tempfile::tempdir().unwrap());
    let payload = t.ok("app_info", json!({}));
    let expected = fc_core::app_info();
    assert_eq!(
        payload,
        json!({ "name": expected.name, "version": expected.version })
    );
    assert_eq!(payload["name"], "Fuel Copilot");
    assert_eq!(payload["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn an_unknown_command_is_rejected() {
    let t = TestApp::new(tempfile::tempdir().unwrap());
    let err = t.err("no_such_command", json!({}));
    assert!(
        err.to_string().contains("no_such_command"),
        "the error names the command: {err}"
    );
}

#[test]
fn import_reports_per_file_and_emits_progress() {
    let t = TestApp::new(tempfile::tempdir().unwrap());
    let progress = t.listen("import-progress");
    let reports = t.ok(
        "import_files",
        json!({ "request": {
            "files": [fixture("trucks.csv"), fixture("duplicates_out_of_order.csv")],
            "mapping": null, "time_zone": null, "date_order": null, "decimal": null, "truck_id": null
        }}),
    );
    let reports = reports.as_array().expect("one report per file");
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["kind"], "trucks");
    assert_eq!(reports[1]["kind"], "telemetry");
    assert!(reports[1]["stored"].as_u64().unwrap() > 0, "{reports:?}");
    let first = progress
        .recv_timeout(PATIENCE)
        .expect("import-progress arrives");
    assert!(first["file"].as_str().unwrap().ends_with(".csv"), "{first}");
    assert!(
        first["file_index"].as_u64().unwrap() < first["files"].as_u64().unwrap(),
        "{first}"
    );

    // The fleet table and the truck page read what was imported.
    let snapshot = t.ok("fleet_snapshot", json!({}));
    let trucks = snapshot["trucks"].as_array().expect("rows");
    assert!(
        trucks.iter().any(|r| r["truck_id"] == "T01"),
        "the imported truck is in the fleet: {snapshot}"
    );
    let detail = t.ok(
        "truck_detail",
        json!({ "truckId": "T01", "fromMs": null, "toMs": null }),
    );
    assert_eq!(detail["truck"]["truck_id"], "T01");
    let err = t.err(
        "truck_detail",
        json!({ "truckId": "NO-SUCH-TRUCK", "fromMs": null, "toMs": null }),
    );
    assert_eq!(err["code"], "not_found", "{err}");

    // The import went into the open (demo) database of the temp folder.
    let settings = t.ok("get_settings", json!({}));
    let db = settings["database"].as_str().unwrap();
    assert!(
        db.contains(&t.dir.path().display().to_string()),
        "database in the temp data folder: {db}"
    );
}

#[test]
fn a_bad_import_request_is_invalid_input_with_a_clean_message() {
    let t = TestApp::new(tempfile::tempdir().unwrap());
    let err = t.err(
        "import_files",
        json!({ "request": { "files": [fixture("trucks.csv")], "date_order": "sometimes" } }),
    );
    assert_eq!(err["code"], "invalid_input", "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("sometimes"),
        "{err}"
    );

    // A file that cannot be read gets its error in its report; the others still import.
    let missing = t.dir.path().join("nope.csv").display().to_string();
    let reports = t.ok(
        "import_files",
        json!({ "request": { "files": [missing, fixture("trucks.csv")] } }),
    );
    assert_eq!(reports[0]["error"]["code"], "import_io", "{reports}");
    assert!(
        reports[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nope.csv")
    );
    assert!(reports[1]["error"].is_null(), "{reports}");
    assert_eq!(reports[1]["kind"], "trucks");
}

#[test]
fn events_verdict_round_trip_and_not_found() {
    let t = TestApp::new(seeded_dir());
    let events = t.ok(
        "list_events",
        json!({ "query": {
            "trucks": [], "from_ms": null, "to_ms": null, "kinds": [],
            "alerts_only": true, "include_retracted": false, "limit": 5
        }}),
    );
    let events = events.as_array().unwrap();
    assert!(!events.is_empty() && events.len() <= 5, "{events:?}");
    let id = events[0]["event"]["id"].as_str().unwrap().to_string();
    assert!(events[0]["verdict"].is_null());

    let judged = t.ok(
        "record_verdict",
        json!({ "eventId": id, "verdict": "false_alarm", "by": "dispatcher", "note": "reefer" }),
    );
    assert_eq!(judged["event"]["id"], id.as_str());
    assert_eq!(judged["verdict"]["verdict"], "false_alarm");
    assert_eq!(judged["verdict"]["note"], "reefer");

    assert_eq!(t.ok("clear_verdict", json!({ "eventId": id })), json!(true));
    assert_eq!(
        t.ok("clear_verdict", json!({ "eventId": id })),
        json!(false)
    );

    let err = t.err(
        "record_verdict",
        json!({ "eventId": "no-such-event", "verdict": "confirmed", "by": "dispatcher" }),
    );
    assert_eq!(err["code"], "not_found", "{err}");
    let err = t.err(
        "record_verdict",
        json!({ "eventId": id, "verdict": "maybe", "by": "dispatcher" }),
    );
    assert_eq!(err["code"], "invalid_input", "{err}");
    assert!(err["message"].as_str().unwrap().contains("maybe"), "{err}");
}

#[test]
fn an_acknowledged_alert_leaves_the_open_list() {
    let t = TestApp::new(seeded_dir());
    let open = t.ok(
        "list_alerts",
        json!({ "afterSeq": null, "openOnly": true, "limit": null }),
    );
    let open = open.as_array().unwrap();
    assert!(!open.is_empty());
    let seq = open[0]["seq"].as_i64().unwrap();

    assert_eq!(
        t.ok("ack_alert", json!({ "seq": seq, "by": "dispatcher" })),
        Value::Null
    );
    let open_after = t.ok("list_alerts", json!({ "openOnly": true }));
    assert!(
        open_after
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["seq"] != seq),
        "{open_after}"
    );
    let all = t.ok(
        "list_alerts",
        json!({ "afterSeq": seq - 1, "openOnly": false, "limit": 1 }),
    );
    assert_eq!(all[0]["seq"], seq);
    assert_eq!(all[0]["acked_by"], "dispatcher");

    let err = t.err("ack_alert", json!({ "seq": seq, "by": "dispatcher" }));
    assert_eq!(
        err["code"], "not_found",
        "an alert is acknowledged once: {err}"
    );
}

#[test]
fn fleet_settings_are_validated_and_saved() {
    let t = TestApp::new(tempfile::tempdir().unwrap());
    let mut fleet = t.ok("get_settings", json!({}))["fleet"].clone();
    fleet["currency"] = json!("euro");
    let err = t.err("save_fleet_settings", json!({ "settings": fleet.clone() }));
    assert_eq!(err["code"], "invalid_input", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.starts_with("currency"),
        "names the setting: {message}"
    );
    assert!(
        !message.to_lowercase().contains("sql"),
        "no database text: {message}"
    );

    fleet["currency"] = json!("USD");
    fleet["time_zone"] = json!("America/Mexico_City");
    let saved = t.ok("save_fleet_settings", json!({ "settings": fleet }));
    assert_eq!(saved["currency"], "USD");
    assert_eq!(
        t.ok("get_settings", json!({}))["fleet"]["time_zone"],
        "America/Mexico_City"
    );
}

#[test]
fn preferences_go_to_the_file_in_the_data_folder_and_switch_the_message_language() {
    let t = TestApp::new(tempfile::tempdir().unwrap());
    let mut prefs = t.ok("get_settings", json!({}))["preferences"].clone();
    prefs["language"] = json!("es");
    prefs["volume_unit"] = json!("gal");
    let saved = t.ok("save_preferences", json!({ "preferences": prefs }));
    assert_eq!(saved["language"], "es");

    let path: PathBuf = fc_core::paths::preferences_in(t.dir.path());
    let on_disk: Value = serde_json::from_slice(&std::fs::read(&path).expect("preferences file"))
        .expect("JSON preferences");
    assert_eq!(on_disk["language"], "es");
    assert_eq!(on_disk["volume_unit"], "gal");

    let err = t.err(
        "record_verdict",
        json!({ "eventId": "x", "verdict": "confirmed", "by": "d" }),
    );
    assert_eq!(err["code"], "not_found");
    assert!(
        err["message"].as_str().unwrap().contains("no existe"),
        "messages follow the language preference: {err}"
    );
}

#[test]
fn export_analysis_writes_the_chosen_format_and_rejects_an_unknown_one() {
    let t = TestApp::new(tempfile::tempdir().unwrap());
    let request =
        json!({ "files": [fixture("trucks.csv"), fixture("duplicates_out_of_order.csv")] });
    let out = t.dir.path().join("report.csv");
    let written = t.ok(
        "export_analysis",
        json!({ "request": request.clone(), "format": "csv", "out": out.display().to_string() }),
    );
    assert_eq!(written, json!(out.display().to_string()));
    let csv = std::fs::read_to_string(&out).expect("csv written");
    assert!(csv.starts_with(fc_core::EVENTS_CSV_HEADER), "{csv}");

    let err = t.err(
        "export_analysis",
        json!({ "request": request, "format": "pdf", "out": out.display().to_string() }),
    );
    assert_eq!(err["code"], "invalid_input", "{err}");
}

#[test]
fn a_feed_needs_a_websocket_address_and_a_token() {
    let t = TestApp::new(tempfile::tempdir().unwrap());
    let err = t.err(
        "set_data_source",
        json!({ "source": { "kind": "feed", "url": "http://example", "trucks": null }, "token": "t" }),
    );
    assert_eq!(err["code"], "invalid_input", "{err}");
    assert!(err["message"].as_str().unwrap().contains("ws://"), "{err}");

    let feed = json!({ "kind": "feed", "url": "ws://127.0.0.1:9/feed/v1", "trucks": null });
    let err = t.err(
        "set_data_source",
        json!({ "source": feed.clone(), "token": null }),
    );
    assert_eq!(err["code"], "invalid_input", "{err}");
    assert!(
        err["message"].as_str().unwrap().starts_with("token"),
        "{err}"
    );
    // Nothing changed: still the demo, no token saved.
    let settings = t.ok("get_settings", json!({}));
    assert_eq!(settings["data_source"]["kind"], "demo");
    assert_eq!(settings["token_set"], false);
    assert_eq!(
        settings["secret_store"], "file",
        "tests keep secrets out of the keychain"
    );
}

#[test]
fn switching_to_a_feed_keeps_the_token_opens_the_fleet_database_and_announces_it() {
    let t = TestApp::new(tempfile::tempdir().unwrap());
    let changed = t.listen("data-source-changed");
    let demo_db = t.ok("get_settings", json!({}))["database"].clone();
    // Nothing listens on this port: live starts and keeps retrying in the background.
    let feed = json!({ "kind": "feed", "url": "ws://127.0.0.1:9/feed/v1", "trucks": null });
    let view = t.ok(
        "set_data_source",
        json!({ "source": feed, "token": "s3cret" }),
    );
    assert_eq!(view["data_source"]["kind"], "feed");
    assert_eq!(view["token_set"], true);
    assert_ne!(
        view["database"], demo_db,
        "a feed never writes into the demo database"
    );
    assert!(
        view["database"].as_str().unwrap().ends_with("fleet.db"),
        "{view}"
    );
    let announced = changed.recv_timeout(PATIENCE).expect("data-source-changed");
    assert_eq!(announced["data_source"], view["data_source"]);

    // The choice is saved with the preferences; the token is not in that file.
    let prefs = std::fs::read_to_string(fc_core::paths::preferences_in(t.dir.path())).unwrap();
    assert!(prefs.contains("ws://127.0.0.1:9/feed/v1"), "{prefs}");
    assert!(!prefs.contains("s3cret"), "{prefs}");
    let status = t.ok("system_status", json!({}));
    assert_eq!(status["data_source"]["kind"], "feed");
    assert!(status["cache"]["hits"].is_number(), "{status}");

    // And back to the demo.
    let view = t.ok(
        "set_data_source",
        json!({ "source": { "kind": "demo", "url": null, "trucks": 2 }, "token": null }),
    );
    assert_eq!(view["database"], demo_db);
}

#[test]
fn live_demo_forwards_truck_updates_and_fleet_stats() {
    let dir = tempfile::tempdir().unwrap();
    let mut launch = Launch::in_dir(dir.path());
    launch.demo.trucks = 3;
    launch.demo.speedup = 120.0;
    launch.keychain = false;
    let t = TestApp::with(dir, launch);
    let updates = t.listen("truck-update");
    let stats = t.listen("fleet-stats");

    let batch = updates
        .recv_timeout(PATIENCE)
        .expect("truck-update arrives");
    let rows = batch["updates"].as_array().expect("updates");
    assert!(
        !rows.is_empty() && rows.len() <= 3,
        "one entry per truck: {batch}"
    );
    let stat = stats.recv_timeout(PATIENCE).expect("fleet-stats arrives");
    assert!(stat["at_ms"].as_i64().unwrap() > 0, "{stat}");

    let status = t.ok("system_status", json!({}));
    assert_eq!(status["backend"], "sqlite");
    assert_eq!(status["data_source"]["kind"], "demo");
    assert!(status["live"].is_object(), "live runs: {status}");
}

/// The seqs of the outbox after `after`, oldest first, through the command the UI uses.
fn outbox_after(t: &TestApp, after: i64) -> Vec<i64> {
    let listed = t.ok(
        "list_alerts",
        json!({ "afterSeq": after, "openOnly": false, "limit": 10_000 }),
    );
    listed
        .as_array()
        .expect("alerts")
        .iter()
        .map(|a| a["seq"].as_i64().expect("seq"))
        .collect()
}

#[test]
fn alerts_are_read_from_the_outbox_by_seq_and_forwarded_once_each() {
    // A fleet in the demo database; the first trucks' alerts are in the outbox before
    // the app opens (they are listed, not pushed), the others' appear while it runs.
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("sim");
    let cfg = fc_core::SimConfig::new(4, 14, 3, fc_core::SimProfile::Clean);
    fc_core::simulate(&files, &cfg).expect("simulated fleet");
    let db = fc_core::paths::sqlite_url(&fc_core::paths::demo_db_in(dir.path()));
    let (before, rest) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let core = fc_core::Core::open(&db).await.expect("demo db opens");
        let request = fc_core::ImportRequest {
            files: vec![files.join("trucks.csv"), files.join("telemetry.csv")],
            ..Default::default()
        };
        core.import_files(&request, &mut |_| {}).await.unwrap();
        let ids: Vec<String> = core
            .trucks()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.truck_id)
            .collect();
        // Detect truck by truck until the outbox holds something.
        let mut before = 0;
        let mut rest = ids.clone();
        while before == 0 && !rest.is_empty() {
            let id = rest.remove(0);
            before += core.detect_stored(&[id]).await.unwrap().alerts;
        }
        core.close().await;
        (before, rest)
    });
    assert!(before > 0, "the first trucks have alerts");

    let mut launch = Launch::in_dir(dir.path());
    launch.start_live = false;
    launch.keychain = false;
    let t = TestApp::with(dir, launch);
    let alerts = t.listen("alert");
    let head = *outbox_after(&t, 0)
        .last()
        .expect("the outbox has the first alerts");
    let state = std::sync::Arc::clone(t.app.state::<fuel_copilot_desktop::Shared>().inner());

    // Each remaining truck's detection appends to the outbox; the forwarder is woken
    // (as an import wakes it) and must send exactly the new entries, in seq order:
    // none of the earlier ones again, none skipped.
    let mut after = head;
    let mut phases_with_alerts = 0;
    for id in rest {
        tauri::async_runtime::block_on(async {
            let core = state.core().await.expect("core open");
            core.detect_stored(&[id]).await.expect("detect");
        });
        state.alert_kick.notify_one();
        let expected = outbox_after(&t, after);
        if expected.is_empty() {
            continue;
        }
        phases_with_alerts += 1;
        let got: Vec<i64> = (0..expected.len())
            .map(|_| {
                let a = alerts.recv_timeout(PATIENCE).expect("an alert event");
                assert!(a["truck_id"].is_string() && a["kind"].is_string(), "{a}");
                a["seq"].as_i64().expect("seq")
            })
            .collect();
        assert_eq!(got, expected, "the new outbox entries, in order, once");
        assert!(
            got[0] > head,
            "alerts older than the open were pushed: {got:?}"
        );
        after = *expected.last().unwrap();
    }
    assert!(
        phases_with_alerts >= 2,
        "two rounds of new alerts show that a round never repeats the previous one"
    );
}
