//! What the caller tells the reader: fleet time zone, date order, decimal style, mapping.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::mapping::Mapping;

/// Order of day, month and year in numeric dates such as `03/04/2024`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// Day, month, year (`31/12/2024`).
    Dmy,
    /// Month, day, year (`12/31/2024`).
    Mdy,
    /// Year, month, day (`2024/12/31`).
    Ymd,
}

impl DateOrder {
    /// Parses `dmy`, `mdy` or `ymd` (any case), as given to `--date-order`.
    pub fn parse(s: &str) -> Option<DateOrder> {
        match s.trim().to_ascii_lowercase().as_str() {
            "dmy" | "d/m/y" | "dd/mm/yyyy" => Some(DateOrder::Dmy),
            "mdy" | "m/d/y" | "mm/dd/yyyy" => Some(DateOrder::Mdy),
            "ymd" | "y/m/d" | "yyyy/mm/dd" => Some(DateOrder::Ymd),
            _ => None,
        }
    }

    /// Stable lower-case code (`dmy`, `mdy`, `ymd`).
    pub fn code(self) -> &'static str {
        match self {
            DateOrder::Dmy => "dmy",
            DateOrder::Mdy => "mdy",
            DateOrder::Ymd => "ymd",
        }
    }
}

/// Which character separates the integer part from the fraction in a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecimalSep {
    /// `1,234.5` (point decimal; comma, space or apostrophe group thousands).
    Dot,
    /// `1.234,5` (comma decimal; point, space or apostrophe group thousands).
    Comma,
}

impl DecimalSep {
    /// Parses `dot`/`point`/`.` or `comma`/`,`.
    pub fn parse(s: &str) -> Option<DecimalSep> {
        match s.trim().to_ascii_lowercase().as_str() {
            "dot" | "point" | "period" | "." => Some(DecimalSep::Dot),
            "comma" | "," => Some(DecimalSep::Comma),
            _ => None,
        }
    }

    /// Stable code (`dot`, `comma`).
    pub fn code(self) -> &'static str {
        match self {
            DecimalSep::Dot => "dot",
            DecimalSep::Comma => "comma",
        }
    }
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// Telemetry points (canonical CSV, JSON Lines or a foreign export).
    Telemetry,
    /// Truck profiles (`truck_id,name,tank_l[,fuel_type][,calibration]`).
    Trucks,
    /// Fuel-card purchases (`truck_id,ts,litres,price_per_l[,lat,lon][,card_id][,station]`).
    Purchases,
}

impl FileKind {
    /// Parses `telemetry`, `trucks` or `purchases`.
    pub fn parse(s: &str) -> Option<FileKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "telemetry" | "points" => Some(FileKind::Telemetry),
            "trucks" | "truck" | "profiles" => Some(FileKind::Trucks),
            "purchases" | "purchase" | "fuel_cards" => Some(FileKind::Purchases),
            _ => None,
        }
    }

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            FileKind::Telemetry => "telemetry",
            FileKind::Trucks => "trucks",
            FileKind::Purchases => "purchases",
        }
    }
}

/// Everything an import needs besides the bytes.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The fleet's IANA zone: naive timestamps are read in it.
    pub time_zone: Tz,
    /// Forces the order of numeric dates (`--date-order`).
    pub date_order: Option<DateOrder>,
    /// Forces the decimal separator of every numeric column (`--decimal`).
    pub decimal: Option<DecimalSep>,
    /// Column mapping for foreign exports.
    pub mapping: Option<Mapping>,
    /// Forces the file kind instead of detecting it from the header.
    pub kind: Option<FileKind>,
    /// Truck id for single-vehicle exports that have no vehicle column (`--truck`).
    pub truck_id: Option<String>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            time_zone: Tz::UTC,
            date_order: None,
            decimal: None,
            mapping: None,
            kind: None,
            truck_id: None,
        }
    }
}

impl ImportOptions {
    /// Default options in a given fleet zone.
    pub fn in_zone(time_zone: Tz) -> Self {
        ImportOptions {
            time_zone,
            ..Default::default()
        }
    }
}
