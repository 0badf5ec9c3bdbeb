//! Turning one row's cells into a point, truck or purchase, with field-level issues.

use std::borrow::Cow;

use chrono_tz::Tz;
use fc_model::{
    Calibration, Field, FieldKind, Purchase, Tank, TelemetryPoint, TruckProfile, normalize_id,
};

use crate::header::{ColumnPlan, MAX_TANKS, Target};
use crate::num::{Glued, NumError, fast_decimal, is_missing, parse_bool, parse_number};
use crate::options::FileKind;
use crate::options::{DateOrder, DecimalSep};
use crate::reader::Record;
use crate::report::{Issue, Reason};
use crate::ts::{TsError, parse_epoch, parse_ts, parse_with_format};

/// One cell of a row, whatever the file format.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'a> {
    /// Undecoded CSV bytes: numbers are read without UTF-8 validation.
    Bytes(&'a [u8]),
    Text(Cow<'a, str>),
    Num(f64),
    Bool(bool),
    Null,
    /// A JSON array or other shape no field takes; kept for the issue.
    Raw(String),
}

impl Cell<'_> {
    fn raw(&self) -> String {
        match self {
            Cell::Bytes(b) => decode(b).into_owned(),
            Cell::Text(s) => s.to_string(),
            Cell::Num(v) => format!("{v}"),
            Cell::Bool(b) => b.to_string(),
            Cell::Null => String::new(),
            Cell::Raw(s) => s.clone(),
        }
    }

    /// Trimmed text, `None` for missing placeholders.
    fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Cell::Bytes(b) => {
                let t = trim_cow(decode(b));
                (!is_missing(&t)).then_some(t)
            }
            Cell::Text(s) => {
                let t = s.trim();
                (!is_missing(t)).then_some(Cow::Borrowed(t))
            }
            Cell::Num(v) => Some(Cow::Owned(format!("{v}"))),
            Cell::Bool(b) => Some(Cow::Owned(b.to_string())),
            Cell::Null => None,
            Cell::Raw(s) => Some(Cow::Borrowed(s.as_str())),
        }
    }
}

fn trim_cow(c: Cow<'_, str>) -> Cow<'_, str> {
    match c {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
    }
}

/// Splits a coordinate pair on `;`, `, `, a single `,`, or white space (`40,41 -3,70`).
pub(crate) fn split_pair(t: &str) -> Option<(&str, &str)> {
    let t = t
        .trim()
        .trim_start_matches(['(', '['])
        .trim_end_matches([')', ']']);
    let commas = t.matches(',').count();
    let (a, b) = if t.contains(';') {
        t.split_once(';')?
    } else if t.contains(", ") {
        t.split_once(", ")?
    } else if commas == 1 && !t.contains(' ') {
        t.split_once(',')?
    } else {
        t.split_once(char::is_whitespace)?
    };
    let (a, b) = (a.trim(), b.trim());
    let single = |x: &str| !x.is_empty() && !x.contains([';', ' ']) && x.matches(',').count() <= 1;
    (single(a) && single(b)).then_some((a, b))
}

/// Text from bytes: UTF-8, or Windows-1252/Latin-1 for legacy exports.
pub(crate) fn decode(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(
            b.iter()
                .map(|&c| if c == 0x80 { '€' } else { char::from(c) })
                .collect(),
        ),
    }
}

/// Physical range of the non-telemetry numeric targets.
fn extra_range(t: Target) -> (f64, f64) {
    match t {
        Target::TankL(_) | Target::Litres => (0.001, 20_000.0),
        Target::PricePerL => (0.0, 1_000.0),
        Target::Amount => (0.0, 10_000_000.0),
        _ => (f64::MIN, f64::MAX),
    }
}

/// Converts rows of one file.
pub(crate) struct Converter {
    pub kind: FileKind,
    pub tz: Tz,
    pub default_truck: Option<String>,
}

/// Where the identity columns are (looked up once per row set, not per row).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Identity {
    truck: Option<usize>,
    ts: Option<usize>,
    date: Option<usize>,
    time: Option<usize>,
}

impl Identity {
    pub(crate) fn of(cols: &[ColumnPlan]) -> Identity {
        let find = |t: Target| cols.iter().position(|c| c.target == t);
        Identity {
            truck: find(Target::Field(Field::TruckId)),
            ts: find(Target::Field(Field::Ts)),
            date: find(Target::Date),
            time: find(Target::TimeOfDay),
        }
    }
}

impl Converter {
    /// A numeric cell in canonical units; `Err` carries the field-level issue.
    pub(crate) fn float(
        &self,
        col: &ColumnPlan,
        target: Target,
        cell: &Cell<'_>,
        line: u64,
    ) -> Result<Option<f64>, Issue> {
        let issue = |reason| Issue::field(line, target.name(), reason, &cell.raw());
        let (raw_v, glued) = match cell {
            Cell::Null => return Ok(None),
            Cell::Bytes([]) => return Ok(None),
            Cell::Bytes(b) => match (col.decimal, fast_decimal(b)) {
                (DecimalSep::Dot, Some(v)) => (v, None),
                _ => return self.float(col, target, &Cell::Text(decode(b)), line),
            },
            Cell::Num(v) => (*v, None),
            Cell::Bool(_) | Cell::Raw(_) => return Err(issue(Reason::Unparseable)),
            Cell::Text(s) => {
                let s = s.trim();
                if is_missing(s) {
                    return Ok(None);
                }
                match parse_number(s, col.decimal) {
                    Ok(n) => (n.value, n.unit),
                    Err(NumError::NotFinite) => return Err(issue(Reason::NotFinite)),
                    Err(NumError::Unparseable) => return Err(issue(Reason::Unparseable)),
                }
            }
        };
        if !raw_v.is_finite() {
            return Err(issue(Reason::NotFinite));
        }
        let mut v = raw_v * col.scale + col.offset;
        match glued {
            Some(Glued::Unit(u)) if target.accepts(u) => {
                v = target.convert(u, v, col.density_kg_per_l);
            }
            // A percent sign on a gauge, a degree sign on a coordinate: already canonical.
            Some(Glued::Unit(u)) if target.accepts(u.canonical()) && u == u.canonical() => {}
            Some(Glued::Unit(_)) => return Err(issue(Reason::UnitMismatch)),
            Some(Glued::Hemisphere(pos)) => {
                if !matches!(target, Target::Field(Field::Lat | Field::Lon)) {
                    return Err(issue(Reason::UnitMismatch));
                }
                v = if pos { v.abs() } else { -v.abs() };
            }
            None => {
                if let Some(u) = col.unit {
                    v = target.convert(u, v, col.density_kg_per_l);
                }
            }
        }
        let checked = match target {
            Target::Field(f) => f.check(v).ok(),
            _ => {
                let (lo, hi) = extra_range(target);
                (v.is_finite() && v >= lo && v <= hi).then_some(if v == 0.0 { 0.0 } else { v })
            }
        };
        match checked {
            Some(v) => Ok(Some(v)),
            None if !v.is_finite() => Err(issue(Reason::NotFinite)),
            None => Err(issue(Reason::OutOfRange)),
        }
    }

    /// `40.4168, -3.7038`, `40,4168;-3,7038`, `40.4168N 3.7038W`: latitude then longitude.
    pub(crate) fn lat_lon(
        &self,
        col: &ColumnPlan,
        cell: &Cell<'_>,
        line: u64,
    ) -> Result<Option<(f64, f64)>, Issue> {
        let Some(t) = cell.text() else {
            return Ok(None);
        };
        let bad = |reason| Issue::field(line, Target::LatLon.name(), reason, &t);
        let (a, b) = split_pair(&t).ok_or_else(|| bad(Reason::Unparseable))?;
        let dec = if a.contains(',') || b.contains(',') {
            DecimalSep::Comma
        } else {
            DecimalSep::Dot
        };
        let lat_col = ColumnPlan {
            decimal: dec,
            ..col.clone()
        };
        let lat = self.float(
            &lat_col,
            Target::Field(Field::Lat),
            &Cell::Text(Cow::Borrowed(a)),
            line,
        );
        let lon = self.float(
            &lat_col,
            Target::Field(Field::Lon),
            &Cell::Text(Cow::Borrowed(b)),
            line,
        );
        match (lat, lon) {
            (Ok(Some(lat)), Ok(Some(lon))) => Ok(Some((lat, lon))),
            (Err(e), _) | (_, Err(e)) => Err(bad(e.reason)),
            _ => Err(bad(Reason::Unparseable)),
        }
    }

    fn flag(&self, target: Target, cell: &Cell<'_>, line: u64) -> Result<Option<bool>, Issue> {
        match cell {
            Cell::Null | Cell::Bytes([]) => Ok(None),
            Cell::Bytes(b"true") => Ok(Some(true)),
            Cell::Bytes(b"false") => Ok(Some(false)),
            Cell::Bytes(b) => self.flag(target, &Cell::Text(decode(b)), line),
            Cell::Bool(b) => Ok(Some(*b)),
            Cell::Num(v) if *v == 0.0 || *v == 1.0 => Ok(Some(*v == 1.0)),
            Cell::Text(s) => {
                let s = s.trim();
                if is_missing(s) {
                    return Ok(None);
                }
                parse_bool(s)
                    .map(Some)
                    .ok_or_else(|| Issue::field(line, target.name(), Reason::Unparseable, s))
            }
            _ => Err(Issue::field(
                line,
                target.name(),
                Reason::Unparseable,
                &cell.raw(),
            )),
        }
    }

    /// An optional id (driver, card): trimmed 1..64 printable characters.
    fn id(&self, target: Target, cell: &Cell<'_>, line: u64) -> Result<Option<String>, Issue> {
        match cell.text() {
            None => Ok(None),
            Some(t) => normalize_id(&t)
                .map(|s| Some(s.to_string()))
                .map_err(|_| Issue::field(line, target.name(), Reason::BadId, &t)),
        }
    }

    fn free_text(cell: &Cell<'_>) -> Option<String> {
        cell.text()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    }

    /// The truck id of a row, or the whole-row issue.
    fn truck_id<'a, G: Fn(usize) -> Cell<'a>>(
        &self,
        cols: &[ColumnPlan],
        id: Identity,
        get: &G,
        line: u64,
        raw: &dyn Fn() -> String,
    ) -> Result<String, Issue> {
        let reject = |reason| Issue {
            line,
            field: Some("truck_id".into()),
            reason,
            raw: crate::report::clip(&raw()),
        };
        let Some(col) = id.truck.and_then(|i| cols.get(i)) else {
            return self
                .default_truck
                .clone()
                .ok_or_else(|| reject(Reason::MissingTruckId));
        };
        let primary = get(col.index);
        let cell = if primary.text().is_none() {
            cols.iter()
                .filter(|c| c.fallback && c.target == col.target)
                .map(|c| get(c.index))
                .find(|c| c.text().is_some())
                .unwrap_or(primary)
        } else {
            primary
        };
        match cell.text() {
            None => Err(reject(Reason::MissingTruckId)),
            Some(t) => normalize_id(&t)
                .map(str::to_string)
                .map_err(|_| reject(Reason::BadTruckId)),
        }
    }

    /// The timestamp of a row (one column, or date + time), or the whole-row issue.
    fn ts<'a, G: Fn(usize) -> Cell<'a>>(
        &self,
        cols: &[ColumnPlan],
        id: Identity,
        get: &G,
        line: u64,
        raw: &dyn Fn() -> String,
    ) -> Result<i64, Issue> {
        let reject = |reason| Issue {
            line,
            field: Some("ts".into()),
            reason,
            raw: crate::report::clip(&raw()),
        };
        let find = |i: Option<usize>| i.and_then(|i| cols.get(i));
        let ts_col = find(id.ts);
        let (date_col, time_col) = (find(id.date), find(id.time));
        let result = if let Some(col) = ts_col.or(if time_col.is_none() { date_col } else { None })
        {
            let primary = get(col.index);
            let (col, cell) = if primary.text().is_none() {
                cols.iter()
                    .filter(|c| c.fallback && c.target == col.target)
                    .map(|c| (c, get(c.index)))
                    .find(|(_, c)| c.text().is_some())
                    .unwrap_or((col, primary))
            } else {
                (col, primary)
            };
            match &cell {
                Cell::Num(v) => parse_epoch(&format!("{v}"), col.zone.unwrap_or(self.tz)),
                _ => match cell.text() {
                    None => return Err(reject(Reason::MissingTs)),
                    Some(t) => match &col.format {
                        Some(f) => parse_with_format(&t, f, col.zone.unwrap_or(self.tz)),
                        None => parse_ts(&t, col.date_order, col.zone.unwrap_or(self.tz)),
                    },
                },
            }
        } else if let (Some(d), Some(t)) = (date_col, time_col) {
            let (dc, tc) = (get(d.index), get(t.index));
            let Some(ds) = dc.text() else {
                return Err(reject(Reason::MissingTs));
            };
            let ts = tc.text().unwrap_or(Cow::Borrowed("00:00"));
            let joined = format!("{} {}", ds.trim(), ts.trim());
            let tz = d.zone.or(t.zone).unwrap_or(self.tz);
            match (&d.format, &t.format) {
                (Some(df), Some(tf)) => parse_with_format(&joined, &format!("{df} {tf}"), tz),
                (Some(df), None) => parse_with_format(&joined, &format!("{df} %H:%M:%S"), tz)
                    .or_else(|_| parse_with_format(&joined, &format!("{df} %H:%M"), tz)),
                _ => parse_ts(&joined, d.date_order, tz),
            }
        } else {
            return Err(reject(Reason::MissingTs));
        };
        result.map(|p| p.ms).map_err(|e| {
            reject(match e {
                TsError::Invalid => Reason::BadTs,
                TsError::Ambiguous => Reason::AmbiguousDate,
                TsError::OutOfRange => Reason::TsOutOfRange,
            })
        })
    }

    /// Converts one row.
    pub(crate) fn row<'a, G: Fn(usize) -> Cell<'a>>(
        &self,
        cols: &[ColumnPlan],
        id: Identity,
        line: u64,
        get: &G,
        raw: &dyn Fn() -> String,
    ) -> Record {
        let truck_id = match self.truck_id(cols, id, get, line, raw) {
            Ok(t) => t,
            Err(i) => return Record::Rejected(i),
        };
        match self.kind {
            FileKind::Telemetry => self.point(cols, id, line, get, raw, truck_id),
            FileKind::Trucks => self.truck(cols, line, get, truck_id),
            FileKind::Purchases => self.purchase(cols, id, line, get, raw, truck_id),
        }
    }

    fn point<'a, G: Fn(usize) -> Cell<'a>>(
        &self,
        cols: &[ColumnPlan],
        id: Identity,
        line: u64,
        get: &G,
        raw: &dyn Fn() -> String,
        truck_id: String,
    ) -> Record {
        let ts = match self.ts(cols, id, get, line, raw) {
            Ok(t) => t,
            Err(i) => return Record::Rejected(i),
        };
        let mut point = TelemetryPoint::new(truck_id, ts);
        let mut issues = Vec::new();
        for fallback in [false, true] {
            for col in cols.iter().filter(|c| c.fallback == fallback) {
                if matches!(col.target, Target::Field(f) if f != Field::TruckId && f != Field::Ts)
                    || col.target == Target::LatLon
                {
                    let cell = get(col.index);
                    if fallback && (cell == Cell::Null || has_value(&point, col.target)) {
                        continue;
                    }
                    self.general_cell(col, &cell, line, &mut point, &mut issues);
                }
            }
        }
        Record::Point {
            line,
            point,
            issues,
        }
    }

    fn truck<'a, G: Fn(usize) -> Cell<'a>>(
        &self,
        cols: &[ColumnPlan],
        line: u64,
        get: &G,
        truck_id: String,
    ) -> Record {
        let mut issues = Vec::new();
        let mut name = None;
        let mut fuel_type = None;
        let n = usize::from(MAX_TANKS);
        let mut caps: Vec<Option<f64>> = vec![None; n];
        let mut cals: Vec<Option<Calibration>> = vec![None; n];
        let mut has_tank_col = false;
        for col in cols {
            let cell = get(col.index);
            match col.target {
                Target::Name => name = Self::free_text(&cell),
                Target::FuelType => fuel_type = Self::free_text(&cell),
                Target::TankL(i) => {
                    has_tank_col = true;
                    match self.float(col, col.target, &cell, line) {
                        Ok(v) => caps[usize::from(i)] = v,
                        Err(e) => issues.push(e),
                    }
                }
                Target::Calibration(i) => {
                    has_tank_col = true;
                    if let Some(t) = cell.text() {
                        match Calibration::parse(&t) {
                            Ok(c) => cals[usize::from(i)] = Some(c),
                            Err(_) => issues.push(Issue::field(
                                line,
                                col.target.name(),
                                Reason::BadCalibration,
                                &t,
                            )),
                        }
                    }
                }
                _ => {}
            }
        }
        let tanks: Vec<Tank> = caps
            .into_iter()
            .zip(cals)
            .filter_map(|(cap, cal)| {
                let capacity_l = cap.or_else(|| cal.as_ref().map(Calibration::capacity_l))?;
                Some(Tank {
                    capacity_l,
                    calibration: cal,
                })
            })
            .collect();
        if tanks.is_empty() && has_tank_col && issues.is_empty() {
            issues.push(Issue::field(line, "tank_l", Reason::MissingValue, ""));
        }
        Record::Truck {
            line,
            profile: TruckProfile {
                name: name.unwrap_or_else(|| truck_id.clone()),
                truck_id,
                fuel_type,
                tanks,
            },
            issues,
        }
    }

    fn purchase<'a, G: Fn(usize) -> Cell<'a>>(
        &self,
        cols: &[ColumnPlan],
        id: Identity,
        line: u64,
        get: &G,
        raw: &dyn Fn() -> String,
        truck_id: String,
    ) -> Record {
        let ts = match self.ts(cols, id, get, line, raw) {
            Ok(t) => t,
            Err(i) => return Record::Rejected(i),
        };
        let mut issues = Vec::new();
        let mut litres: Result<Option<f64>, Issue> = Ok(None);
        let mut price: Result<Option<f64>, Issue> = Ok(None);
        let mut amount: Result<Option<f64>, Issue> = Ok(None);
        let mut p = Purchase {
            truck_id,
            ts,
            litres: 0.0,
            price_per_l: 0.0,
            lat: None,
            lon: None,
            card_id: None,
            station: None,
        };
        for col in cols {
            let cell = get(col.index);
            match col.target {
                Target::Litres => litres = self.float(col, col.target, &cell, line),
                Target::PricePerL => price = self.float(col, col.target, &cell, line),
                Target::Amount => amount = self.float(col, col.target, &cell, line),
                Target::Field(f @ (Field::Lat | Field::Lon)) => {
                    match self.float(col, col.target, &cell, line) {
                        Ok(v) if f == Field::Lat => p.lat = v,
                        Ok(v) => p.lon = v,
                        Err(i) => issues.push(i),
                    }
                }
                Target::LatLon => match self.lat_lon(col, &cell, line) {
                    Ok(Some((lat, lon))) => {
                        p.lat = Some(lat);
                        p.lon = Some(lon);
                    }
                    Ok(None) => {}
                    Err(i) => issues.push(i),
                },
                Target::CardId => match self.id(col.target, &cell, line) {
                    Ok(v) => p.card_id = v,
                    Err(i) => issues.push(i),
                },
                Target::Station => p.station = Self::free_text(&cell),
                _ => {}
            }
        }
        let whole = |field: &str, reason| {
            Record::Rejected(Issue {
                line,
                field: Some(field.to_string()),
                reason,
                raw: crate::report::clip(&raw()),
            })
        };
        p.litres = match litres {
            Ok(Some(v)) => v,
            Ok(None) => return whole("litres", Reason::MissingValue),
            Err(i) => return whole("litres", i.reason),
        };
        p.price_per_l = match (price, amount) {
            (Ok(Some(v)), _) => v,
            (Ok(None), Ok(Some(a))) => {
                let (lo, hi) = extra_range(Target::PricePerL);
                let price = a / p.litres;
                if !(lo..=hi).contains(&price) {
                    return whole("amount", Reason::OutOfRange);
                }
                price
            }
            (Err(i), _) => return whole("price_per_l", i.reason),
            (Ok(None), Err(i)) => return whole("amount", i.reason),
            (Ok(None), Ok(None)) => return whole("price_per_l", Reason::MissingValue),
        };
        Record::Purchase {
            line,
            purchase: p,
            issues,
        }
    }
}

/// Whether a point already has a value for a field (a fallback key must not overwrite it).
fn has_value(p: &TelemetryPoint, t: Target) -> bool {
    match t {
        Target::Field(Field::Ignition) => p.ignition.is_some(),
        Target::Field(Field::Pto) => p.pto.is_some(),
        Target::Field(Field::DriverId) => p.driver_id.is_some(),
        Target::Field(f) => p.float(f).is_some(),
        _ => false,
    }
}

/// How the fast path reads one CSV column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Slot {
    Skip,
    TruckId,
    /// The timestamp, read with the column's date order and zone.
    Ts(Option<DateOrder>, Option<Tz>),
    /// A number with point decimals, no unit, no scaling: bytes straight to f64.
    Plain(Field),
    /// Anything else: the general path with this column plan (position in the plan).
    General(usize),
}

/// Column slots for telemetry CSV rows, or `None` when the file needs the general path
/// everywhere (split date/time columns).
pub(crate) fn fast_slots(cols: &[ColumnPlan]) -> Option<Vec<Slot>> {
    let n = cols.iter().map(|c| c.index + 1).max().unwrap_or(0);
    let mut slots = vec![Slot::Skip; n];
    for (pos, c) in cols.iter().enumerate() {
        slots[c.index] = match c.target {
            Target::Ignore => Slot::Skip,
            Target::Field(Field::TruckId) => Slot::TruckId,
            Target::Field(Field::Ts) if c.format.is_none() => Slot::Ts(c.date_order, c.zone),
            Target::LatLon => Slot::General(pos),
            Target::Field(f)
                if f.kind() == FieldKind::Float
                    && c.decimal == DecimalSep::Dot
                    && c.unit.is_none()
                    && c.scale == 1.0
                    && c.offset == 0.0 =>
            {
                Slot::Plain(f)
            }
            Target::Field(f) if f != Field::Ts => Slot::General(pos),
            _ => return None,
        };
    }
    Some(slots)
}

/// An id that needs no trimming or checking: short, printable ASCII.
fn plain_id(b: &[u8]) -> Option<&str> {
    if b.is_empty()
        || b.len() > fc_model::MAX_ID_LEN
        || !b.iter().all(|c| c.is_ascii_graphic() || *c == b' ')
        || b[0] == b' '
        || b[b.len() - 1] == b' '
    {
        return None;
    }
    std::str::from_utf8(b).ok()
}

impl Converter {
    /// Telemetry rows in the common case, walking the record once. `None` sends the row to
    /// the general path (which also builds the rejection with its raw text).
    pub(crate) fn point_fast(
        &self,
        cols: &[ColumnPlan],
        slots: &[Slot],
        rec: &csv::ByteRecord,
        line: u64,
    ) -> Option<Record> {
        let mut truck = None;
        let mut ts = None;
        let mut point = TelemetryPoint::default();
        let mut issues = Vec::new();
        for (i, b) in rec.iter().enumerate() {
            let b = crate::reader::strip_cr(b);
            match slots.get(i).copied().unwrap_or(Slot::Skip) {
                Slot::Skip => {}
                Slot::Plain(_) if b.is_empty() => {}
                Slot::Plain(f) => match fast_decimal(b).map(|v| f.check(v)) {
                    Some(Ok(v)) => {
                        if let Some(slot) = point.float_mut(f) {
                            *slot = Some(v);
                        }
                    }
                    _ => {
                        let col = cols.iter().find(|c| c.index == i)?;
                        self.general_cell(col, &Cell::Bytes(b), line, &mut point, &mut issues);
                    }
                },
                Slot::TruckId => truck = Some(plain_id(b)?),
                Slot::Ts(order, zone) => {
                    let s = std::str::from_utf8(b).ok()?;
                    ts = Some(parse_ts(s, order, zone.unwrap_or(self.tz)).ok()?.ms);
                }
                Slot::General(pos) => {
                    let col = cols.get(pos)?;
                    self.general_cell(col, &Cell::Bytes(b), line, &mut point, &mut issues);
                }
            }
        }
        point.truck_id = match truck {
            Some(t) => t.to_string(),
            None => self.default_truck.clone()?,
        };
        point.ts = ts?;
        Some(Record::Point {
            line,
            point,
            issues,
        })
    }

    fn general_cell(
        &self,
        col: &ColumnPlan,
        cell: &Cell<'_>,
        line: u64,
        point: &mut TelemetryPoint,
        issues: &mut Vec<Issue>,
    ) {
        if col.target == Target::LatLon {
            match self.lat_lon(col, cell, line) {
                Ok(Some((lat, lon))) => {
                    point.lat = Some(lat);
                    point.lon = Some(lon);
                }
                Ok(None) => {}
                Err(i) => issues.push(i),
            }
            return;
        }
        let Target::Field(f) = col.target else {
            return;
        };
        match f.kind() {
            FieldKind::Float => match self.float(col, col.target, cell, line) {
                Ok(v) => {
                    if let Some(slot) = point.float_mut(f) {
                        *slot = v;
                    }
                }
                Err(i) => issues.push(i),
            },
            FieldKind::Bool => match self.flag(col.target, cell, line) {
                Ok(v) => {
                    if let Some(slot) = point.bool_mut(f) {
                        *slot = v;
                    }
                }
                Err(i) => issues.push(i),
            },
            FieldKind::Text if f == Field::DriverId => {
                let plain = match cell {
                    Cell::Bytes(b) => plain_id(b).filter(|s| !is_missing(s)),
                    _ => None,
                };
                match plain {
                    Some(id) => point.driver_id = Some(id.to_string()),
                    None => match self.id(col.target, cell, line) {
                        Ok(v) => point.driver_id = v,
                        Err(i) => issues.push(i),
                    },
                }
            }
            FieldKind::Text | FieldKind::Time => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinate_pairs() {
        for (t, want) in [
            ("40.4168, -3.7038", Some(("40.4168", "-3.7038"))),
            ("40.4168,-3.7038", Some(("40.4168", "-3.7038"))),
            ("40,4168;-3,7038", Some(("40,4168", "-3,7038"))),
            ("40,4168 -3,7038", Some(("40,4168", "-3,7038"))),
            ("(40.4168 -3.7038)", Some(("40.4168", "-3.7038"))),
            ("40.4168N 3.7038W", Some(("40.4168N", "3.7038W"))),
            ("Madrid, Calle Mayor 1", None),
            ("40.4168", None),
        ] {
            assert_eq!(split_pair(t), want, "{t}");
        }
    }
}
