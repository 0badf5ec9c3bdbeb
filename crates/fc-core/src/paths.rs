//! Where the app keeps its files. `FUELCOPILOT_DATA_DIR` overrides the OS
//! application-data folder, which keeps tests and CI away from a user's data.

use std::path::{Path, PathBuf};

/// Environment variable that relocates every file the app writes.
pub const DATA_DIR_ENV: &str = "FUELCOPILOT_DATA_DIR";

/// The folder for the app's databases and preferences.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("FuelCopilot")
}

/// The embedded fleet database.
pub fn default_db_path() -> PathBuf {
    fleet_db_in(&data_dir())
}

/// The built-in simulated fleet's own database, never a real fleet's.
pub fn demo_db_path() -> PathBuf {
    demo_db_in(&data_dir())
}

/// Local per-desktop preferences (theme, language, units).
pub fn preferences_path() -> PathBuf {
    preferences_in(&data_dir())
}

/// The default `--db` URL: the embedded SQLite file.
pub fn default_db_url() -> String {
    sqlite_url(&default_db_path())
}

/// The embedded fleet database inside a given data folder (a face that was
/// handed its folder, such as the desktop shell, resolves every file from it).
pub fn fleet_db_in(dir: &Path) -> PathBuf {
    dir.join("fleet.db")
}

/// The demo database inside a given data folder.
pub fn demo_db_in(dir: &Path) -> PathBuf {
    dir.join("demo.db")
}

/// The preferences file inside a given data folder.
pub fn preferences_in(dir: &Path) -> PathBuf {
    dir.join("preferences.json")
}

/// The store URL of an embedded SQLite file.
pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// The theft model file inside a given data folder.
pub fn model_in(dir: &Path) -> PathBuf {
    dir.join(fc_ml::MODEL_FILE)
}
