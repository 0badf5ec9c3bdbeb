//! The canonical fleet telemetry model shared by every other crate.
//!
//! Units are fixed here once: litres, kilometres, km/h, degrees Celsius, UTC
//! milliseconds. Everything that reads foreign data converts into these types;
//! everything downstream can rely on them.

#![deny(missing_docs)]

mod calibration;
mod canonical;
mod ids;
mod point;
mod purchase;
mod time;
mod truck;
pub mod units;

pub use calibration::{Calibration, CalibrationError};
pub use canonical::{CANONICAL_HEADER, format_bool, format_f64, push_csv_field, write_point_row};
pub use ids::{IdError, MAX_ID_LEN, normalize_id};
pub use point::{Field, FieldKind, RangeError, TelemetryPoint, Value};
pub use purchase::Purchase;
pub use time::{TimestampMs, format_ts, parse_rfc3339_ms};
pub use truck::{Tank, TruckProfile};
