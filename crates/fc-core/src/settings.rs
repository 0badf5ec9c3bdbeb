//! Fleet settings (in the database, shared by everyone on the fleet) and local
//! preferences (a versioned file per desktop).

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};

/// Settings of the one fleet a database holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct FleetSettings {
    /// IANA time zone for day boundaries, hours of day and naive import timestamps.
    pub time_zone: String,
    /// ISO 4217 currency of prices.
    pub currency: String,
    /// Fuel price per litre, for savings in money.
    pub fuel_price_per_l: f64,
    /// Speed limit for coaching, km/h.
    pub speed_limit_kmh: f64,
    /// Minimum idle stretch that counts, seconds.
    pub idle_min_s: u32,
    /// Confidence at or above which an event alerts.
    pub alert_threshold: f64,
    /// Days of raw points kept.
    pub retention_days: u32,
    /// Purchase-to-fill match radius, metres.
    pub reconcile_radius_m: f64,
    /// Purchase-to-fill match window, minutes either side.
    pub reconcile_window_min: f64,
}

impl Default for FleetSettings {
    fn default() -> Self {
        FleetSettings {
            time_zone: "UTC".into(),
            currency: "EUR".into(),
            fuel_price_per_l: 1.60,
            speed_limit_kmh: 90.0,
            idle_min_s: 120,
            alert_threshold: 0.8,
            retention_days: 180,
            reconcile_radius_m: 500.0,
            reconcile_window_min: 60.0,
        }
    }
}

impl FleetSettings {
    /// The time zone, checked.
    pub fn tz(&self) -> Result<chrono_tz::Tz> {
        parse_tz(&self.time_zone)
    }

    /// Checks every value; the message says which one and what is allowed.
    pub fn validate(&self) -> Result<()> {
        self.tz()?;
        let checks: [(&str, bool, &str); 7] = [
            (
                "currency",
                self.currency.len() == 3 && self.currency.chars().all(|c| c.is_ascii_uppercase()),
                "a three-letter ISO code such as EUR or USD",
            ),
            (
                "fuel_price_per_l",
                self.fuel_price_per_l.is_finite() && self.fuel_price_per_l >= 0.0,
                "a price of zero or more",
            ),
            (
                "speed_limit_kmh",
                self.speed_limit_kmh.is_finite() && (10.0..=200.0).contains(&self.speed_limit_kmh),
                "between 10 and 200 km/h",
            ),
            (
                "alert_threshold",
                (0.0..=1.0).contains(&self.alert_threshold),
                "between 0 and 1",
            ),
            ("retention_days", self.retention_days >= 1, "at least 1 day"),
            (
                "reconcile_radius_m",
                self.reconcile_radius_m.is_finite() && self.reconcile_radius_m > 0.0,
                "more than 0 m",
            ),
            (
                "reconcile_window_min",
                self.reconcile_window_min.is_finite() && self.reconcile_window_min > 0.0,
                "more than 0 minutes",
            ),
        ];
        for (what, ok, allowed) in checks {
            if !ok {
                return Err(CoreError::Invalid {
                    what: what.into(),
                    why: format!("must be {allowed}"),
                });
            }
        }
        Ok(())
    }
}

/// Parses an IANA zone name, with a message that says what is expected.
pub fn parse_tz(name: &str) -> Result<chrono_tz::Tz> {
    name.trim().parse::<chrono_tz::Tz>().map_err(|_| CoreError::Invalid {
        what: "time_zone".into(),
        why: format!("`{name}` is not an IANA time zone; use a name such as Europe/Madrid or America/Mexico_City"),
    })
}

/// Per-desktop preferences; versioned so that later fields can be migrated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Preferences {
    /// File format version.
    pub version: u32,
    /// `en` or `es`; empty follows the system.
    pub language: String,
    /// `light`, `dark` or `system`.
    pub theme: String,
    /// `l` or `gal`.
    pub volume_unit: String,
    /// `km` or `mi`.
    pub distance_unit: String,
    /// Where live data comes from (version 2; older files get the demo).
    pub data_source: crate::data_source::DataSourceDto,
}

/// The preferences file's current version.
pub const PREFERENCES_VERSION: u32 = 2;

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            version: PREFERENCES_VERSION,
            language: String::new(),
            theme: "system".into(),
            volume_unit: "l".into(),
            distance_unit: "km".into(),
            data_source: crate::data_source::DataSourceDto::default(),
        }
    }
}

impl Preferences {
    /// Reads the file; a missing file gives the defaults. A damaged file also gives
    /// the defaults (preferences are never worth refusing to start over).
    pub fn load(path: &Path) -> Preferences {
        std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Preferences>(&b).ok())
            .map(Preferences::migrate)
            .unwrap_or_default()
    }

    /// Brings a file of an older version up to date. Version 1 had no data source: the
    /// field's default (the demo) is what those desktops ran.
    fn migrate(mut self) -> Preferences {
        if self.version < PREFERENCES_VERSION {
            self.version = PREFERENCES_VERSION;
        }
        self
    }

    /// Writes the file atomically (temp file then rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
        }
        let tmp = path.with_extension("json.tmp");
        let body = serde_json::to_vec_pretty(self).map_err(|e| CoreError::Invalid {
            what: "preferences".into(),
            why: e.to_string(),
        })?;
        std::fs::write(&tmp, body).map_err(|e| CoreError::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| CoreError::io(path, e))
    }

    /// The display language: the preference, else the environment.
    pub fn lang(&self) -> fc_i18n::Lang {
        fc_i18n::Lang::from_tag(&self.language).unwrap_or_else(fc_i18n::Lang::from_env)
    }

    /// The display units.
    pub fn units(&self) -> fc_i18n::Units {
        fc_i18n::Units::parse(&self.volume_unit, &self.distance_unit).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_values_are_named() {
        FleetSettings::default().validate().unwrap();
        let bad = FleetSettings {
            time_zone: "Mars/Olympus".into(),
            ..Default::default()
        };
        let err = bad.validate().unwrap_err().to_string();
        assert!(err.contains("IANA"), "{err}");
        let bad = FleetSettings {
            currency: "euro".into(),
            ..Default::default()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .starts_with("currency")
        );
    }

    #[test]
    fn preferences_round_trip_and_survive_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p").join("preferences.json");
        assert_eq!(Preferences::load(&path), Preferences::default());
        let p = Preferences {
            language: "es".into(),
            volume_unit: "gal".into(),
            ..Default::default()
        };
        p.save(&path).unwrap();
        assert_eq!(Preferences::load(&path), p);
        assert_eq!(p.lang(), fc_i18n::Lang::Es);
        std::fs::write(&path, b"{ not json").unwrap();
        assert_eq!(Preferences::load(&path), Preferences::default());
    }

    #[test]
    fn version_1_files_load_and_migrate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("preferences.json");
        std::fs::write(
            &path,
            br#"{"version":1,"language":"es","theme":"dark","volume_unit":"l","distance_unit":"mi"}"#,
        )
        .unwrap();
        let p = Preferences::load(&path);
        assert_eq!(p.version, PREFERENCES_VERSION);
        assert_eq!((p.language.as_str(), p.theme.as_str()), ("es", "dark"));
        assert_eq!(p.distance_unit, "mi");
        assert_eq!(p.data_source, crate::data_source::DataSourceDto::default());
        let feed = Preferences {
            data_source: crate::data_source::DataSourceDto {
                kind: crate::data_source::DataSourceKind::Feed,
                url: Some("wss://feed.example/feed/v1".into()),
                trucks: None,
            },
            ..p
        };
        feed.save(&path).unwrap();
        assert_eq!(Preferences::load(&path), feed);
    }
}
