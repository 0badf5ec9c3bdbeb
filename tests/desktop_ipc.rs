//! The IPC commands, called the way the UI calls them: through Tauri's IPC
//! layer on the mock runtime, with the real tauri.conf.json and capabilities.

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

fn app() -> App<MockRuntime> {
    fuel_copilot_desktop::register(mock_builder())
        .build(tauri::generate_context!())
        .expect("the mock app builds from tauri.conf.json")
}

/// The UI lives in the window labelled "main"; the capabilities name it.
fn main_window(app: &App<MockRuntime>) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(app, "main", WebviewUrl::default())
        .build()
        .expect("the main window opens")
}

fn request(cmd: &str, body: serde_json::Value) -> InvokeRequest {
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

#[test]
fn app_info_returns_the_core_payload() {
    let app = app();
    let window = main_window(&app);
    let body = get_ipc_response(&window, request("app_info", serde_json::json!({})))
        .expect("app_info succeeds");
    let payload: serde_json::Value = body.deserialize().expect("JSON payload");

    let expected = fc_core::app_info();
    assert_eq!(
        payload,
        serde_json::json!({ "name": expected.name, "version": expected.version })
    );
    assert_eq!(payload["name"], "Fuel Copilot");
    assert_eq!(payload["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn an_unknown_command_is_rejected() {
    let app = app();
    let window = main_window(&app);
    let err = get_ipc_response(&window, request("no_such_command", serde_json::json!({})))
        .expect_err("an unregistered command must fail");
    assert!(
        err.to_string().contains("no_such_command"),
        "the error names the command: {err}"
    );
}
