//! Where the app keeps its files. `FUELCOPILOT_DATA_DIR` overrides the OS
//! application-data folder, which keeps tests and CI away from a user's data.

use std::path::PathBuf;

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
    data_dir().join("fleet.db")
}

/// The built-in simulated fleet's own database, never a real fleet's.
pub fn demo_db_path() -> PathBuf {
    data_dir().join("demo.db")
}

/// Local per-desktop preferences (theme, language, units).
pub fn preferences_path() -> PathBuf {
    data_dir().join("preferences.json")
}

/// The default `--db` URL: the embedded SQLite file.
pub fn default_db_url() -> String {
    format!("sqlite://{}", default_db_path().display())
}
