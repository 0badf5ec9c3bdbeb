//! Column-mapping files (TOML) for foreign exports. Format: see `MAPPING.md`.

use std::collections::BTreeMap;
use std::path::Path;

use chrono_tz::Tz;
use fc_model::units::Unit;
use serde::Deserialize;

use crate::error::ImportError;
use crate::header::{Target, normalize};
use crate::num::unit_name;
use crate::options::{DateOrder, DecimalSep, FileKind};

/// How one foreign column is read.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnMap {
    /// Foreign header as written in the file.
    pub header: String,
    /// Canonical target.
    pub target: Target,
    /// Unit of the values (converted into the canonical unit).
    pub unit: Option<Unit>,
    /// chrono `strftime` format for timestamp/date columns.
    pub format: Option<String>,
    /// Fuel density for `g/s` columns, kg/L.
    pub density_kg_per_l: Option<f64>,
    /// Multiplier applied to the raw number before unit conversion.
    pub scale: f64,
    /// Added after scaling, before unit conversion.
    pub offset: f64,
}

/// A parsed mapping file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mapping {
    /// Forces the file kind.
    pub kind: Option<FileKind>,
    /// Forces the CSV separator.
    pub delimiter: Option<u8>,
    /// Forces the decimal separator of every numeric column.
    pub decimal: Option<DecimalSep>,
    /// Forces the order of numeric dates.
    pub date_order: Option<DateOrder>,
    /// Zone of naive timestamps in this export (overrides the fleet zone).
    pub time_zone: Option<Tz>,
    /// Default density for `g/s` columns, kg/L.
    pub density_kg_per_l: Option<f64>,
    /// Truck id for single-vehicle exports without a vehicle column.
    pub truck_id: Option<String>,
    /// Recognise unmapped columns by their names (default true).
    pub auto: bool,
    /// The columns.
    pub columns: Vec<ColumnMap>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    kind: Option<String>,
    delimiter: Option<String>,
    decimal: Option<String>,
    date_order: Option<String>,
    time_zone: Option<String>,
    density_kg_per_l: Option<f64>,
    truck_id: Option<String>,
    auto: Option<bool>,
    #[serde(default)]
    columns: BTreeMap<String, RawColumn>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawColumn {
    Field(String),
    Full(RawFull),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFull {
    field: String,
    unit: Option<String>,
    format: Option<String>,
    density_kg_per_l: Option<f64>,
    scale: Option<f64>,
    offset: Option<f64>,
}

fn bad(msg: String) -> ImportError {
    ImportError::BadMapping(msg)
}

impl Mapping {
    /// Parses a mapping from TOML text.
    pub fn from_toml_str(text: &str) -> Result<Mapping, ImportError> {
        let raw: RawMapping = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let kind =
            match raw.kind {
                Some(k) => Some(FileKind::parse(&k).ok_or_else(|| {
                    bad(format!("kind `{k}`: use telemetry, trucks or purchases"))
                })?),
                None => None,
            };
        let delimiter = match raw.delimiter.as_deref() {
            None => None,
            Some("\\t" | "\t" | "tab" | "TAB") => Some(b'\t'),
            Some(d) if d.len() == 1 => Some(d.as_bytes()[0]),
            Some(d) => {
                return Err(bad(format!(
                    "delimiter `{d}`: use one character or \"tab\""
                )));
            }
        };
        let decimal = match raw.decimal {
            Some(d) => Some(
                DecimalSep::parse(&d)
                    .ok_or_else(|| bad(format!("decimal `{d}`: use \"dot\" or \"comma\"")))?,
            ),
            None => None,
        };
        let date_order = match raw.date_order {
            Some(d) => Some(
                DateOrder::parse(&d)
                    .ok_or_else(|| bad(format!("date_order `{d}`: use dmy, mdy or ymd")))?,
            ),
            None => None,
        };
        let time_zone = match raw.time_zone {
            Some(z) => Some(z.parse::<Tz>().map_err(|_| {
                bad(format!(
                    "time_zone `{z}`: use an IANA name like Europe/Madrid"
                ))
            })?),
            None => None,
        };
        if let Some(d) = raw.density_kg_per_l
            && !(0.5..=1.2).contains(&d)
        {
            return Err(bad(format!(
                "density_kg_per_l {d}: expected 0.5..1.2 (diesel is 0.832)"
            )));
        }
        let mut columns = Vec::with_capacity(raw.columns.len());
        for (header, col) in raw.columns {
            let full = match col {
                RawColumn::Field(field) => RawFull {
                    field,
                    unit: None,
                    format: None,
                    density_kg_per_l: None,
                    scale: None,
                    offset: None,
                },
                RawColumn::Full(f) => f,
            };
            let target = Target::from_name(&full.field).ok_or_else(|| {
                bad(format!(
                    "column `{header}`: unknown field `{}` (canonical names like speed_kmh, or date, time, ignore)",
                    full.field
                ))
            })?;
            let unit = match &full.unit {
                Some(u) => {
                    let unit = unit_name(u)
                        .ok_or_else(|| bad(format!("column `{header}`: unknown unit `{u}`")))?;
                    if !target.accepts(unit) {
                        return Err(bad(format!(
                            "column `{header}`: unit `{u}` does not fit {}",
                            target.name()
                        )));
                    }
                    Some(unit)
                }
                None => None,
            };
            if let Some(d) = full.density_kg_per_l
                && !(0.5..=1.2).contains(&d)
            {
                return Err(bad(format!(
                    "column `{header}`: density_kg_per_l {d} outside 0.5..1.2"
                )));
            }
            columns.push(ColumnMap {
                header,
                target,
                unit,
                format: full.format,
                density_kg_per_l: full.density_kg_per_l,
                scale: full.scale.unwrap_or(1.0),
                offset: full.offset.unwrap_or(0.0),
            });
        }
        Ok(Mapping {
            kind,
            delimiter,
            decimal,
            date_order,
            time_zone,
            density_kg_per_l: raw.density_kg_per_l,
            truck_id: raw.truck_id,
            auto: raw.auto.unwrap_or(true),
            columns,
        })
    }

    /// Reads and parses a mapping file.
    pub fn from_path(path: &Path) -> Result<Mapping, ImportError> {
        let text = std::fs::read_to_string(path).map_err(|e| ImportError::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        Mapping::from_toml_str(&text)
    }

    /// The mapping of a header: exact, then ignoring case, then by normalized name.
    pub fn column(&self, header: &str) -> Option<&ColumnMap> {
        let h = header.trim().trim_matches('\u{feff}');
        self.columns
            .iter()
            .find(|c| c.header == h)
            .or_else(|| {
                self.columns
                    .iter()
                    .find(|c| c.header.eq_ignore_ascii_case(h))
            })
            .or_else(|| {
                let n = normalize(h).0;
                self.columns.iter().find(|c| normalize(&c.header).0 == n)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc_model::Field;

    #[test]
    fn parses_a_full_mapping() {
        let m = Mapping::from_toml_str(
            r#"
            kind = "telemetry"
            delimiter = "tab"
            decimal = "comma"
            date_order = "mdy"
            time_zone = "America/Chicago"
            density_kg_per_l = 0.84
            [columns]
            "Unit" = "truck_id"
            "Local Time" = { field = "ts", format = "%m/%d/%Y %I:%M %p" }
            "Speed" = { field = "speed_kmh", unit = "mph" }
            "Fuel Flow" = { field = "fuel_rate_lph", unit = "g/s", density_kg_per_l = 0.835 }
            "Status" = "ignore"
            "#,
        )
        .unwrap();
        assert_eq!(m.delimiter, Some(b'\t'));
        assert_eq!(m.decimal, Some(DecimalSep::Comma));
        assert_eq!(m.time_zone, Some(chrono_tz::America::Chicago));
        assert_eq!(m.column("speed").unwrap().unit, Some(Unit::Mph));
        assert_eq!(
            m.column("Unit").unwrap().target,
            Target::Field(Field::TruckId)
        );
        assert_eq!(m.column("Status").unwrap().target, Target::Ignore);
        assert_eq!(m.column("Fuel Flow").unwrap().density_kg_per_l, Some(0.835));
        assert!(m.auto);
    }

    #[test]
    fn the_documented_example_parses() {
        let doc = include_str!("../MAPPING.md");
        let start = doc.find("```toml\n").map(|i| i + 8).unwrap();
        let end = start + doc[start..].find("```").unwrap();
        let m = Mapping::from_toml_str(&doc[start..end]).unwrap();
        assert_eq!(m.columns.len(), 10);
        assert_eq!(m.column("Fuel (dl)").unwrap().scale, 0.1);
        assert_eq!(m.column("Outside Temp").unwrap().unit, Some(Unit::F));
    }

    #[test]
    fn refuses_bad_mappings_with_a_hint() {
        for (text, hint) in [
            ("[columns]\nx = \"speed\"", "unknown field `speed`"),
            (
                "[columns]\nx = { field = \"speed_kmh\", unit = \"gal\" }",
                "does not fit",
            ),
            (
                "[columns]\nx = { field = \"speed_kmh\", unit = \"warp\" }",
                "unknown unit",
            ),
            ("time_zone = \"Mars/Base\"", "IANA"),
            ("date_order = \"dym\"", "dmy, mdy or ymd"),
            ("colums = 1", "unknown field"),
        ] {
            let e = Mapping::from_toml_str(text).unwrap_err().to_string();
            assert!(e.contains(hint), "{text}: {e}");
        }
    }
}
