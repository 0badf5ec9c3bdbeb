//! `Core`: an open fleet database and everything the faces can ask of it.

use std::io::Write;
use std::path::Path;

use fc_model::{CANONICAL_HEADER, format_ts, parse_rfc3339_ms, write_point_row};
use fc_store::{PointFilter, Store};
use futures::TryStreamExt;

use crate::dto::{FileImportReport, ImportProgress, TankDto, TruckRow, TruckSummary};
use crate::error::{CoreError, Result};
use crate::import::{self, ImportRequest};
use crate::settings::FleetSettings;
use crate::summary;

/// Settings key under which the fleet settings live in the store.
const FLEET_SETTINGS_KEY: &str = "fleet";

/// Which stored points to export.
#[derive(Debug, Clone, Default)]
pub struct ExportRequest {
    /// Only these trucks; empty means all.
    pub trucks: Vec<String>,
    /// Only points at or after this instant (RFC 3339).
    pub from: Option<String>,
    /// Only points before this instant (RFC 3339).
    pub to: Option<String>,
}

/// An open fleet database.
#[derive(Debug)]
pub struct Core {
    // Shared with the live pipeline (`start_live`), which writes from its own task.
    pub(crate) store: std::sync::Arc<Store>,
    // The write-through fleet snapshot (decision 19), shared with the bus follower.
    pub(crate) fleet: std::sync::Arc<crate::fleet::FleetView>,
    // The derived-read cache and its data versions, shared with the bus follower.
    pub(crate) cache: std::sync::Arc<crate::cache::ReadCache>,
}

impl Core {
    /// Opens (and creates or upgrades) the database at `url`.
    pub async fn open(url: &str) -> Result<Core> {
        let store = Store::open(url).await?;
        Ok(Core {
            store: std::sync::Arc::new(store),
            fleet: std::sync::Arc::new(crate::fleet::FleetView::new()),
            cache: std::sync::Arc::new(crate::cache::ReadCache::new()),
        })
    }

    /// The underlying store, for faces that stream (the server) and for tests.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Closes the database cleanly (checkpoints the WAL).
    pub async fn close(self) {
        // A live pipeline still running holds the store; it closes with the last holder.
        if let Ok(store) = std::sync::Arc::try_unwrap(self.store) {
            store.close().await;
        }
    }

    /// The fleet's settings; defaults where none were saved.
    pub async fn fleet_settings(&self) -> Result<FleetSettings> {
        Ok(match self.store.setting(FLEET_SETTINGS_KEY).await? {
            Some(v) => serde_json::from_value(v).unwrap_or_default(),
            None => FleetSettings::default(),
        })
    }

    /// Replaces the fleet's settings after checking them.
    pub async fn save_fleet_settings(&self, settings: &FleetSettings) -> Result<()> {
        settings.validate()?;
        let value = serde_json::to_value(settings).map_err(|e| CoreError::Invalid {
            what: "settings".into(),
            why: e.to_string(),
        })?;
        self.store.set_setting(FLEET_SETTINGS_KEY, &value).await?;
        self.wrote(crate::cache::Write::Settings);
        Ok(())
    }

    /// Changes one fleet setting given as text (`time_zone`, `Europe/Madrid`).
    pub async fn set_fleet_setting(&self, key: &str, value: &str) -> Result<()> {
        let current = self.fleet_settings().await?;
        let mut json = serde_json::to_value(&current).unwrap_or_default();
        let Some(slot) = json.get_mut(key) else {
            let known: Vec<String> = serde_json::to_value(FleetSettings::default())
                .ok()
                .and_then(|v| v.as_object().map(|o| o.keys().cloned().collect()))
                .unwrap_or_default();
            return Err(CoreError::Invalid {
                what: key.to_string(),
                why: format!("unknown setting; known settings: {}", known.join(", ")),
            });
        };
        *slot = if slot.is_string() {
            serde_json::Value::String(value.to_string())
        } else {
            let number = value.trim().replace(',', ".");
            serde_json::from_str(&number).map_err(|_| CoreError::Invalid {
                what: key.to_string(),
                why: format!("`{value}` is not a number"),
            })?
        };
        let updated: FleetSettings =
            serde_json::from_value(json).map_err(|_| CoreError::Invalid {
                what: key.to_string(),
                why: format!("`{value}` does not fit this setting"),
            })?;
        self.save_fleet_settings(&updated).await
    }

    /// Imports files into the store and reports per file. A file that cannot be
    /// read at all gets an `error` in its report; the other files still import.
    pub async fn import_files(
        &self,
        request: &ImportRequest,
        progress: &mut (dyn FnMut(ImportProgress) + Send),
    ) -> Result<Vec<FileImportReport>> {
        let tz = match &request.time_zone {
            Some(name) => crate::settings::parse_tz(name)?,
            None => self.fleet_settings().await?.tz()?,
        };
        let imported = import::import_files(&self.store, tz, request, progress).await;
        // Even a failed import may have committed batches.
        self.wrote(crate::cache::Write::Import);
        let (reports, touched) = imported?;
        // Coaching rollups of the days this import touched (decision 10).
        let settings = self.fleet_settings().await?;
        let rebuilt = crate::coach::rebuild_rollups(&self.store, &settings, &touched).await;
        self.wrote(crate::cache::Write::Import);
        rebuilt?;
        Ok(reports)
    }

    /// Writes stored points as canonical CSV; returns the number of rows.
    pub async fn export_csv<W: Write>(&self, request: &ExportRequest, mut out: W) -> Result<u64> {
        let filter = PointFilter {
            trucks: (!request.trucks.is_empty()).then(|| request.trucks.clone()),
            from: parse_bound("from", request.from.as_deref())?,
            to: parse_bound("to", request.to.as_deref())?,
        };
        let io = |e| CoreError::io("export", e);
        writeln!(out, "{CANONICAL_HEADER}").map_err(io)?;
        let mut rows = 0u64;
        let mut line = String::with_capacity(256);
        let mut points = std::pin::pin!(self.store.points(filter));
        while let Some(p) = points.try_next().await? {
            line.clear();
            write_point_row(&p, &mut line);
            line.push('\n');
            out.write_all(line.as_bytes()).map_err(io)?;
            rows += 1;
        }
        out.flush().map_err(io)?;
        Ok(rows)
    }

    /// Exports to a file, written to a temporary name first so that a failed
    /// export never leaves a truncated file behind.
    pub async fn export_csv_to_file(&self, request: &ExportRequest, path: &Path) -> Result<u64> {
        let tmp = path.with_extension("partial");
        let file = std::fs::File::create(&tmp).map_err(|e| CoreError::io(&tmp, e))?;
        let rows = match self
            .export_csv(request, std::io::BufWriter::new(file))
            .await
        {
            Ok(rows) => rows,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        };
        std::fs::rename(&tmp, path).map_err(|e| CoreError::io(path, e))?;
        Ok(rows)
    }

    /// Trucks known from profiles or telemetry, with their tanks and point counts.
    pub async fn trucks(&self) -> Result<Vec<TruckRow>> {
        let profiles = self.store.trucks().await?;
        let stats = self.store.point_stats().await?;
        let mut rows: std::collections::BTreeMap<String, TruckRow> =
            std::collections::BTreeMap::new();
        for p in profiles {
            rows.insert(
                p.truck_id.clone(),
                TruckRow {
                    truck_id: p.truck_id.clone(),
                    name: p.name.clone(),
                    fuel_type: p.fuel_type.clone(),
                    tanks: p
                        .tanks
                        .iter()
                        .map(|t| TankDto {
                            capacity_l: t.capacity_l,
                            calibrated: t.calibration.is_some(),
                        })
                        .collect(),
                    points: 0,
                    last_seen: None,
                },
            );
        }
        for s in stats {
            let row = rows.entry(s.truck_id.clone()).or_insert_with(|| TruckRow {
                truck_id: s.truck_id.clone(),
                name: s.truck_id.clone(),
                fuel_type: None,
                tanks: Vec::new(),
                points: 0,
                last_seen: None,
            });
            row.points = s.points;
            row.last_seen = Some(format_ts(s.last_ts));
        }
        Ok(rows.into_values().collect())
    }

    /// Per truck: points, time span, distance, fuel used and rejected rows.
    pub async fn summary(&self) -> Result<Vec<TruckSummary>> {
        summary::summarise(self).await
    }
}

fn parse_bound(what: &str, value: Option<&str>) -> Result<Option<i64>> {
    value
        .map(|v| {
            parse_rfc3339_ms(v).ok_or_else(|| CoreError::Invalid {
                what: format!("--{what}"),
                why: format!("`{v}` is not an RFC 3339 time; write e.g. 2024-03-01T00:00:00Z"),
            })
        })
        .transpose()
}
