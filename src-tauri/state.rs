//! What the shell holds while it runs: the open core (the demo database for
//! the demo data source, the fleet database for a real feed, decision 10),
//! the local preferences, the secret store, the running live pipeline and the
//! way to emit events to the window.
//!
//! The core is opened in the background after the window appears, so the
//! first paint never waits for a database; commands wait for it instead.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use fc_core::{
    Core, DataSourceDto, DataSourceKind, DemoSettings, FleetStats, Preferences, Secrets,
};
use fc_i18n::Translator;
use fc_live::Bus;
use serde::Serialize;
use tokio::sync::{Notify, watch};

use crate::error::{ErrorCode, IpcError};

/// How the app was launched (the environment of docs/IPC.md, or a test's choice).
#[derive(Debug, Clone)]
pub struct Launch {
    /// The whole data folder: databases, preferences, model, secrets fallback.
    pub data_dir: PathBuf,
    /// The built-in demo fleet.
    pub demo: DemoSettings,
    /// Start the live pipeline once the core is open (tests that only call
    /// commands leave it off).
    pub start_live: bool,
    /// Use the OS keychain when one answers (tests keep secrets in the
    /// data folder's file instead, away from the user's keychain).
    pub keychain: bool,
}

impl Launch {
    /// From `FUELCOPILOT_DATA_DIR` and the `FUELCOPILOT_DEMO_*` variables; a
    /// demo value that does not parse is logged and the defaults are used.
    pub fn from_env() -> Launch {
        let demo = DemoSettings::from_env().unwrap_or_else(|e| {
            tracing::warn!("demo fleet settings ignored: {e}");
            DemoSettings::default()
        });
        Launch {
            data_dir: fc_core::paths::data_dir(),
            demo,
            start_live: true,
            keychain: true,
        }
    }

    /// A launch in `data_dir` with the documented demo defaults.
    pub fn in_dir(data_dir: impl Into<PathBuf>) -> Launch {
        Launch {
            data_dir: data_dir.into(),
            demo: DemoSettings::default(),
            start_live: true,
            keychain: true,
        }
    }

    /// The preferences file.
    pub fn preferences_path(&self) -> PathBuf {
        fc_core::paths::preferences_in(&self.data_dir)
    }

    /// The theft model file.
    pub fn model_path(&self) -> PathBuf {
        fc_core::paths::model_in(&self.data_dir)
    }

    /// The database a data source writes to: the demo fleet never writes
    /// into a real fleet's database.
    pub fn database_path(&self, source: &DataSourceDto) -> PathBuf {
        match source.kind {
            DataSourceKind::Demo => fc_core::paths::demo_db_in(&self.data_dir),
            DataSourceKind::Feed => fc_core::paths::fleet_db_in(&self.data_dir),
        }
    }
}

/// An open database.
#[derive(Debug)]
pub struct Session {
    /// The core over that database.
    pub core: Arc<Core>,
    /// The database as Settings shows it (`sqlite: /path/demo.db`).
    pub database: String,
    /// The database file.
    pub path: PathBuf,
    /// The last outbox seq sent to the UI as an `alert` event. It belongs to
    /// the database: a newly opened one starts after its own newest seq (older
    /// alerts are listed, not pushed); a restart of live keeps it.
    pub alert_seq: AtomicI64,
}

/// Where opening the core stands.
#[derive(Debug, Clone)]
pub enum Opening {
    /// Not open yet.
    Pending,
    /// Open.
    Ready(Arc<Session>),
    /// Opening failed; the message is for the user.
    Failed(IpcError),
}

type EmitFn = Box<dyn Fn(&str, serde_json::Value) + Send + Sync>;

/// The app's state. Tauri manages it as [`Shared`], so that background tasks
/// (forwarders, the boot task) hold it too.
pub struct AppState {
    /// How the app was launched.
    pub launch: Launch,
    session: watch::Sender<Opening>,
    prefs: Mutex<Preferences>,
    tr: Mutex<Arc<Translator>>,
    secrets: Secrets,
    emitter: OnceLock<EmitFn>,
    /// The running live pipeline (one at a time; the lock also serialises restarts).
    pub live: tokio::sync::Mutex<Option<crate::live::LiveRun>>,
    /// The bus of the running pipeline, if any (the alert forwarder follows it).
    pub bus: watch::Sender<Option<Bus>>,
    /// Wakes the alert forwarder when something outside live may have
    /// appended alerts (an import) or the database changed.
    pub alert_kick: Notify,
}

/// The state as commands and tasks hold it.
pub type Shared = Arc<AppState>;

impl AppState {
    /// The state for a launch; reads the preferences file and finds the secret store.
    pub fn new(launch: Launch) -> AppState {
        let prefs = Preferences::load(&launch.preferences_path());
        let tr = Arc::new(Translator::new(prefs.lang()));
        let secrets = if launch.keychain {
            Secrets::open(&launch.data_dir)
        } else {
            Secrets::open_file(&launch.data_dir)
        };
        AppState {
            launch,
            session: watch::Sender::new(Opening::Pending),
            prefs: Mutex::new(prefs),
            tr: Mutex::new(tr),
            secrets,
            emitter: OnceLock::new(),
            live: tokio::sync::Mutex::new(None),
            bus: watch::Sender::new(None),
            alert_kick: Notify::new(),
        }
    }

    /// Where events go (set once, when the app is set up).
    pub fn set_emitter(&self, emit: impl Fn(&str, serde_json::Value) + Send + Sync + 'static) {
        if self.emitter.set(Box::new(emit)).is_err() {
            tracing::warn!("the event emitter was already set");
        }
    }

    /// Emits an event to the window.
    pub fn emit<S: Serialize>(&self, event: &str, payload: &S) {
        let Some(emit) = self.emitter.get() else {
            return;
        };
        match serde_json::to_value(payload) {
            Ok(v) => emit(event, v),
            Err(e) => tracing::error!(%event, error = %e, "event payload not serialisable"),
        }
    }

    /// The translator of the user's language (for error messages).
    pub fn tr(&self) -> Arc<Translator> {
        Arc::clone(&self.tr.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The preferences as last saved.
    pub fn preferences(&self) -> Preferences {
        self.prefs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Saves the preferences file and switches the message language.
    pub fn save_preferences(&self, prefs: &Preferences) -> Result<(), IpcError> {
        prefs
            .save(&self.launch.preferences_path())
            .map_err(|e| self.core_err(&e))?;
        *self.tr.lock().unwrap_or_else(PoisonError::into_inner) =
            Arc::new(Translator::new(prefs.lang()));
        *self.prefs.lock().unwrap_or_else(PoisonError::into_inner) = prefs.clone();
        Ok(())
    }

    /// The secret store (keychain, or the file fallback).
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// The saved feed token; a keychain that fails to answer counts as none (logged).
    pub fn feed_token(&self) -> Option<String> {
        self.secrets.feed_token().unwrap_or_else(|e| {
            tracing::warn!("feed token not read: {e}");
            None
        })
    }

    /// Maps a core error in the user's language.
    pub fn core_err(&self, err: &fc_core::CoreError) -> IpcError {
        IpcError::from_core(err, &self.tr())
    }

    /// An error from a message id of the catalogues.
    pub fn err(&self, code: ErrorCode, id: &str, args: &[(&str, fc_i18n::Arg)]) -> IpcError {
        IpcError::translated(code, &self.tr(), id, args)
    }

    /// The open session, waiting while the core is still opening.
    pub async fn session(&self) -> Result<Arc<Session>, IpcError> {
        let mut rx = self.session.subscribe();
        let state = rx
            .wait_for(|s| !matches!(s, Opening::Pending))
            .await
            .map_err(|_| self.err(ErrorCode::Internal, "error-app-internal", &[]))?;
        match &*state {
            Opening::Ready(s) => Ok(Arc::clone(s)),
            Opening::Failed(e) => Err(e.clone()),
            Opening::Pending => Err(self.err(ErrorCode::Internal, "error-app-internal", &[])),
        }
    }

    /// The session if it is open now (for forwarders, which never wait).
    pub fn session_now(&self) -> Option<Arc<Session>> {
        match &*self.session.borrow() {
            Opening::Ready(s) => Some(Arc::clone(s)),
            _ => None,
        }
    }

    /// The core of the open session.
    pub async fn core(&self) -> Result<Arc<Core>, IpcError> {
        Ok(Arc::clone(&self.session().await?.core))
    }

    /// Opens the database of `source` and makes it the session (keeping the
    /// open one when `source` uses the same database).
    pub async fn open(&self, source: &DataSourceDto) -> Result<Arc<Session>, IpcError> {
        let path = self.launch.database_path(source);
        if let Some(current) = self.session_now()
            && current.path == path
        {
            return Ok(current);
        }
        match self.open_path(&path).await {
            Ok(session) => {
                self.session
                    .send_replace(Opening::Ready(Arc::clone(&session)));
                self.alert_kick.notify_one();
                Ok(session)
            }
            Err(e) => {
                // A session that was open stays usable; a first open that failed is reported.
                if self.session_now().is_none() {
                    self.session.send_replace(Opening::Failed(e.clone()));
                }
                Err(e)
            }
        }
    }

    async fn open_path(&self, path: &Path) -> Result<Arc<Session>, IpcError> {
        let opening = |e: &fc_core::CoreError| {
            let inner = self.core_err(e);
            self.err(
                inner.code,
                "error-app-starting",
                &[("reason", inner.message.into())],
            )
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                opening(&fc_core::CoreError::Io {
                    path: dir.display().to_string(),
                    source: e,
                })
            })?;
        }
        let core = Core::open(&fc_core::paths::sqlite_url(path))
            .await
            .map_err(|e| opening(&e))?;
        let head = core.last_alert_seq().await.map_err(|e| opening(&e))?;
        Ok(Arc::new(Session {
            core: Arc::new(core),
            database: format!("sqlite: {}", path.display()),
            path: path.to_path_buf(),
            alert_seq: AtomicI64::new(head),
        }))
    }

    /// The latest fleet statistics of the running pipeline, if one runs.
    pub fn live_stats(&self) -> Option<FleetStats> {
        self.bus
            .borrow()
            .as_ref()
            .map(|b| (**b.subscribe_stats().borrow()).clone())
    }
}
