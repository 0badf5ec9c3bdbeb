//! The streaming reader: sniff a sample, settle what stays ambiguous over the whole file
//! (only when needed), then convert row by row with flat memory.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono_tz::Tz;
use csv::ByteRecord;
use fc_model::units::Unit;
use fc_model::{Field, Purchase, TelemetryPoint, TruckProfile};
use serde::Serialize;

use crate::convert::{Cell, Converter, Identity, Slot, decode, fast_slots};
use crate::error::ImportError;
use crate::header::{
    ColumnPlan, Origin, Target, detect_kind, header_score, new_plan, recognise, resolve, retarget,
};
use crate::mapping::Mapping;
use crate::num::{DecimalEvidence, Glued, decimal_evidence, glued_unit, is_missing, is_not_finite};
use crate::options::{DateOrder, DecimalSep, FileKind, ImportOptions};
use crate::report::{EpochUnit, Issue, Note, Reason, Source};
use crate::ts::{TsError, parse_ts};

/// Bytes read for sniffing.
const SAMPLE_BYTES: u64 = 256 * 1024;
/// Rows of the sample used for detection.
const SAMPLE_ROWS: usize = 2000;
/// Lines searched for the header row (report titles may come first).
const HEADER_SEARCH: usize = 25;

/// Anything the reader can rewind (files, in-memory buffers).
pub trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// Counts bytes consumed, for progress bars. A transcoded (UTF-16) file is counted on the
/// raw side, so the outer counter is then inactive.
struct Counting {
    inner: Box<dyn ReadSeek>,
    n: Arc<AtomicU64>,
    active: bool,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        if self.active {
            self.n.fetch_add(k as u64, Ordering::Relaxed);
        }
        Ok(k)
    }
}

impl Seek for Counting {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let pos = self.inner.seek(to)?;
        if self.active {
            self.n.store(pos, Ordering::Relaxed);
        }
        Ok(pos)
    }
}

impl Counting {
    fn rewind_to(&mut self, pos: u64) -> std::io::Result<()> {
        self.seek(SeekFrom::Start(pos)).map(|_| ())
    }
}

/// UTF-16 (spreadsheet "Unicode text" exports) to UTF-8, streaming. Only rewinding to the
/// start is supported, which is all the reader needs. A final line break is added when the
/// file lacks one, so that line numbers stay exact.
struct Utf16Reader {
    inner: Counting,
    le: bool,
    out: Vec<u8>,
    out_pos: usize,
    carry: Option<u8>,
    high: Option<u16>,
    last_unit: u16,
    eof: bool,
}

impl Utf16Reader {
    fn new(inner: Counting, le: bool) -> Utf16Reader {
        Utf16Reader {
            inner,
            le,
            out: Vec::with_capacity(1 << 15),
            out_pos: 0,
            carry: None,
            high: None,
            last_unit: 0,
            eof: false,
        }
    }

    fn push(&mut self, c: char) {
        let mut b = [0u8; 4];
        self.out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
    }

    fn unit(&mut self, u: u16) {
        if let Some(h) = self.high.take() {
            if (0xDC00..0xE000).contains(&u) {
                let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(u) - 0xDC00);
                self.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                self.last_unit = u;
                return;
            }
            self.push('\u{fffd}');
        }
        if (0xD800..0xDC00).contains(&u) {
            self.high = Some(u);
        } else {
            self.push(char::from_u32(u32::from(u)).unwrap_or('\u{fffd}'));
        }
        self.last_unit = u;
    }

    fn fill(&mut self) -> std::io::Result<()> {
        self.out.clear();
        self.out_pos = 0;
        let mut raw = [0u8; 8192];
        let k = self.inner.read(&mut raw)?;
        if k == 0 {
            self.eof = true;
            if self.carry.take().is_some() || self.high.take().is_some() {
                self.push('\u{fffd}');
            }
            if self.last_unit != u16::from(b'\n') {
                self.out.push(b'\n');
            }
            return Ok(());
        }
        let mut bytes = raw[..k].iter().copied();
        while let Some(b) = self.carry.take().or_else(|| bytes.next()) {
            let Some(b2) = bytes.next() else {
                self.carry = Some(b);
                break;
            };
            let u = if self.le {
                u16::from_le_bytes([b, b2])
            } else {
                u16::from_be_bytes([b, b2])
            };
            self.unit(u);
        }
        Ok(())
    }
}

impl Read for Utf16Reader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.out_pos >= self.out.len() {
            if self.eof {
                return Ok(0);
            }
            self.fill()?;
        }
        let k = buf.len().min(self.out.len() - self.out_pos);
        buf[..k].copy_from_slice(&self.out[self.out_pos..self.out_pos + k]);
        self.out_pos += k;
        Ok(k)
    }
}

impl Seek for Utf16Reader {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        if to != SeekFrom::Start(0) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "a UTF-16 input can only be rewound",
            ));
        }
        // Past the byte order mark.
        self.inner.rewind_to(2)?;
        self.out.clear();
        self.out_pos = 0;
        self.carry = None;
        self.high = None;
        self.last_unit = 0;
        self.eof = false;
        Ok(0)
    }
}

/// Container format of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "format")]
pub enum Format {
    /// Delimited text.
    Csv {
        /// Separator.
        delimiter: char,
    },
    /// One JSON object per line.
    JsonLines,
}

/// What the reader decided about a file before reading its rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilePlan {
    /// Container format.
    pub format: Format,
    /// What the rows are.
    pub kind: FileKind,
    /// How each column is read (JSON Lines: keys in first-seen order; grows as new keys appear).
    pub columns: Vec<ColumnPlan>,
    /// Line of the header row (0 for JSON Lines).
    pub header_line: u64,
    /// Every column is canonical (no aliases, units or mapping involved).
    pub canonical: bool,
    /// Findings for the import report.
    pub notes: Vec<Note>,
    /// Columns that are ignored because nothing maps them (also in `notes`).
    pub unknown_columns: Vec<String>,
    /// IANA zone naive timestamps are read in.
    pub time_zone: String,
}

/// One converted row.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A telemetry point; `issues` lists the fields that were nulled.
    Point {
        /// Line where the row starts.
        line: u64,
        /// The point.
        point: TelemetryPoint,
        /// Field-level issues.
        issues: Vec<Issue>,
    },
    /// A truck profile.
    Truck {
        /// Line where the row starts.
        line: u64,
        /// The profile.
        profile: TruckProfile,
        /// Field-level issues.
        issues: Vec<Issue>,
    },
    /// A fuel purchase.
    Purchase {
        /// Line where the row starts.
        line: u64,
        /// The purchase.
        purchase: Purchase,
        /// Field-level issues.
        issues: Vec<Issue>,
    },
    /// A row refused whole (goes to quarantine with its raw text).
    Rejected(Issue),
}

impl Record {
    /// Line where the row starts.
    pub fn line(&self) -> u64 {
        match self {
            Record::Point { line, .. }
            | Record::Truck { line, .. }
            | Record::Purchase { line, .. } => *line,
            Record::Rejected(i) => i.line,
        }
    }

    /// Field-level issues of an accepted row; the row issue of a rejected one.
    pub fn issues(&self) -> &[Issue] {
        match self {
            Record::Point { issues, .. }
            | Record::Truck { issues, .. }
            | Record::Purchase { issues, .. } => issues,
            Record::Rejected(i) => std::slice::from_ref(i),
        }
    }
}

enum Src {
    Csv {
        rdr: csv::Reader<Counting>,
        rec: ByteRecord,
        skip: usize,
        min_cols: usize,
        max_cols: usize,
        delimiter: u8,
        /// Reader-relative end of a file whose last line has no line break.
        eof_at: Option<u64>,
        /// The line after the previous record: no record starts before it (an unterminated
        /// quote at the end of a file has no line break to count back from).
        next_line: u64,
    },
    Json {
        rdr: BufReader<Counting>,
        line: u64,
        buf: String,
        keys: HashMap<String, usize>,
        mapping: Option<Mapping>,
    },
}

/// Streams the records of one file. Memory stays flat: one row at a time.
pub struct FileReader {
    name: String,
    plan: FilePlan,
    id: Identity,
    /// Per-column fast path for telemetry CSV.
    slots: Option<Vec<Slot>>,
    src: Src,
    conv: Converter,
    bytes: Arc<AtomicU64>,
    total: Option<u64>,
    done: bool,
}

impl std::fmt::Debug for FileReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileReader")
            .field("plan", &self.plan)
            .finish_non_exhaustive()
    }
}

impl FileReader {
    /// What was detected.
    pub fn plan(&self) -> &FilePlan {
        &self.plan
    }

    /// Bytes consumed so far (for a progress bar).
    pub fn bytes_read(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Size of the input, when known.
    pub fn total_bytes(&self) -> Option<u64> {
        self.total
    }

    /// The next record, `Ok(None)` at the end. Only I/O failures are errors.
    pub fn next_record(&mut self) -> Result<Option<Record>, ImportError> {
        if self.done {
            return Ok(None);
        }
        let mut r = match &mut self.src {
            Src::Csv { .. } => self.next_csv(),
            Src::Json { .. } => self.next_json(),
        };
        if let Err(ImportError::Io { path, .. }) = &mut r {
            path.clone_from(&self.name);
        }
        if !matches!(r, Ok(Some(_))) {
            self.done = true;
        }
        r
    }

    fn io_err(e: impl Into<std::io::Error>) -> ImportError {
        ImportError::Io {
            path: String::from("input"),
            source: e.into(),
        }
    }

    fn next_csv(&mut self) -> Result<Option<Record>, ImportError> {
        let Src::Csv {
            rdr,
            rec,
            skip,
            min_cols,
            max_cols,
            delimiter,
            eof_at,
            next_line,
        } = &mut self.src
        else {
            return Ok(None);
        };
        loop {
            if !rdr.read_byte_record(rec).map_err(Self::io_err)? {
                return Ok(None);
            }
            let line = record_line(rdr.position(), rec, *eof_at).max(*next_line);
            *next_line = rdr.position().line();
            if *skip > 0 {
                *skip -= 1;
                continue;
            }
            if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            let rec: &ByteRecord = rec;
            let n = rec.len();
            if let Some(slots) = &self.slots
                && n == *max_cols
                && let Some(r) = self.conv.point_fast(&self.plan.columns, slots, rec, line)
            {
                return Ok(Some(r));
            }
            // Concatenated exports repeat the header: not data, but noted.
            if n == self.plan.columns.len()
                && rec
                    .iter()
                    .zip(&self.plan.columns)
                    .all(|(f, c)| decode(strip_cr(f)).trim() == c.header.trim())
            {
                self.plan.notes.push(Note::RepeatedHeader { line });
                continue;
            }
            let d = *delimiter;
            let raw = || raw_row(rec, d);
            if n < *min_cols
                || (n > *max_cols && rec.iter().skip(*max_cols).any(|f| !strip_cr(f).is_empty()))
            {
                return Ok(Some(Record::Rejected(Issue::row(
                    line,
                    Reason::ColumnCount,
                    &raw(),
                ))));
            }
            let get = |i: usize| match rec.get(i) {
                Some(b) => Cell::Bytes(strip_cr(b)),
                None => Cell::Null,
            };
            return Ok(Some(self.conv.row(
                &self.plan.columns,
                self.id,
                line,
                &get,
                &raw,
            )));
        }
    }

    fn next_json(&mut self) -> Result<Option<Record>, ImportError> {
        let Src::Json {
            rdr,
            line,
            buf,
            keys,
            mapping,
        } = &mut self.src
        else {
            return Ok(None);
        };
        loop {
            buf.clear();
            if rdr.read_line(buf).map_err(Self::io_err)? == 0 {
                return Ok(None);
            }
            *line += 1;
            let text = buf.trim();
            if text.is_empty() {
                continue;
            }
            let obj = match serde_json::from_str::<serde_json::Value>(text) {
                Ok(serde_json::Value::Object(m)) => m,
                _ => {
                    return Ok(Some(Record::Rejected(Issue::row(
                        *line,
                        Reason::BadJson,
                        text,
                    ))));
                }
            };
            let mut flat = Vec::with_capacity(obj.len());
            flatten("", obj, &mut flat);
            let mut cells: Vec<Cell<'static>> = vec![Cell::Null; self.plan.columns.len()];
            let mut added = false;
            for (k, v) in flat {
                let idx = match keys.get(&k) {
                    Some(&i) => i,
                    None => {
                        let i = add_json_column(&mut self.plan, &k, mapping.as_ref());
                        keys.insert(k, i);
                        cells.push(Cell::Null);
                        added = true;
                        i
                    }
                };
                if let Some(c) = cells.get_mut(idx) {
                    *c = json_cell(v);
                }
            }
            if added {
                self.id = Identity::of(&self.plan.columns);
            }
            let l = *line;
            let get = |i: usize| cells.get(i).cloned().unwrap_or(Cell::Null);
            let raw = || text.to_string();
            return Ok(Some(self.conv.row(
                &self.plan.columns,
                self.id,
                l,
                &get,
                &raw,
            )));
        }
    }
}

impl Iterator for FileReader {
    type Item = Result<Record, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_record().transpose()
    }
}

fn raw_row(rec: &ByteRecord, delimiter: u8) -> String {
    let d = char::from(delimiter);
    let mut out = String::new();
    for (i, f) in rec.iter().enumerate() {
        if i > 0 {
            out.push(d);
        }
        let s = decode(strip_cr(f));
        if s.contains([d, '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&s.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&s);
        }
        if out.len() > crate::report::MAX_RAW {
            break;
        }
    }
    out
}

fn flatten(
    prefix: &str,
    obj: serde_json::Map<String, serde_json::Value>,
    out: &mut Vec<(String, serde_json::Value)>,
) {
    for (k, v) in obj {
        let key = if prefix.is_empty() {
            k
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            serde_json::Value::Object(m) => flatten(&key, m, out),
            v => out.push((key, v)),
        }
    }
}

fn json_cell(v: serde_json::Value) -> Cell<'static> {
    match v {
        serde_json::Value::Null => Cell::Null,
        serde_json::Value::Bool(b) => Cell::Bool(b),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() || f.abs() < 9.0e15 => Cell::Num(f),
            // Large integers (nanosecond epochs) keep every digit.
            _ => Cell::Text(Cow::Owned(n.to_string())),
        },
        serde_json::Value::String(s) => Cell::Text(Cow::Owned(s)),
        other => Cell::Raw(other.to_string()),
    }
}

/// A JSON key first seen after the sample: planned like a header, unless its target is taken.
fn add_json_column(plan: &mut FilePlan, key: &str, mapping: Option<&Mapping>) -> usize {
    let index = plan.columns.len();
    let mut col = new_plan(index, key);
    let known = mapping
        .and_then(|m| m.column(key).map(|c| (c.target, c.unit, Origin::Mapping)))
        .or_else(|| {
            recognise(plan.kind, key).map(|(t, _, u, canon)| {
                let t = u.map_or(t, |u| retarget(t, u));
                (
                    t,
                    u.filter(|u| t.accepts(*u) && u.canonical() != *u),
                    if canon {
                        Origin::Canonical
                    } else {
                        Origin::Alias
                    },
                )
            })
        });
    match known {
        Some((t, u, origin)) => {
            col.fallback = plan
                .columns
                .iter()
                .any(|c| c.target == t && t != Target::Ignore);
            col.target = t;
            col.unit = u;
            col.origin = origin;
            if let Some(o) = plan
                .columns
                .iter()
                .find(|c| c.target == Target::Field(Field::Ts))
            {
                col.date_order = o.date_order;
            }
        }
        None => {
            plan.unknown_columns.push(key.to_string());
            if let Some(Note::UnknownColumns { columns }) = plan
                .notes
                .iter_mut()
                .find(|n| matches!(n, Note::UnknownColumns { .. }))
            {
                columns.push(key.to_string());
            } else {
                plan.notes.push(Note::UnknownColumns {
                    columns: vec![key.to_string()],
                });
            }
        }
    }
    plan.columns.push(col);
    index
}

/// What the sample and (if needed) the scan tell about one column.
#[derive(Default)]
struct Detect {
    dot: u64,
    comma: u64,
    ambiguous_num: Option<String>,
    glued: Option<Unit>,
    dmy: u64,
    mdy: u64,
    ambiguous_date: Option<String>,
    naive: bool,
    epoch: Option<EpochUnit>,
    pairs_ok: u64,
    pairs_bad: u64,
}

fn is_numeric(t: Target) -> bool {
    match t {
        Target::Field(f) => f.kind() == fc_model::FieldKind::Float,
        Target::TankL(_) | Target::Litres | Target::PricePerL | Target::Amount => true,
        _ => false,
    }
}

fn is_dated(c: &ColumnPlan) -> bool {
    matches!(c.target, Target::Field(Field::Ts) | Target::Date) && c.format.is_none()
}

impl Detect {
    fn feed(&mut self, col: &ColumnPlan, text: &str, tz: Tz) {
        let t = text.trim();
        if t.is_empty() || is_missing(t) || is_not_finite(t) {
            return;
        }
        if col.target == Target::LatLon {
            if crate::convert::split_pair(t).is_some() {
                self.pairs_ok += 1;
            } else {
                self.pairs_bad += 1;
            }
        } else if is_numeric(col.target) {
            match decimal_evidence(t) {
                DecimalEvidence::Dot => self.dot += 1,
                DecimalEvidence::Comma => self.comma += 1,
                DecimalEvidence::Ambiguous => {
                    if self.ambiguous_num.is_none() {
                        self.ambiguous_num = Some(t.to_string());
                    }
                }
                DecimalEvidence::None => {}
            }
            if self.glued.is_none()
                && let Some(Glued::Unit(u)) = glued_unit(t)
            {
                self.glued = Some(u);
            }
        } else if is_dated(col) {
            match parse_ts(t, None, tz) {
                Ok(p) => {
                    match p.evidence {
                        Some(DateOrder::Dmy) => self.dmy += 1,
                        Some(DateOrder::Mdy) => self.mdy += 1,
                        _ => {}
                    }
                    self.naive |= p.naive;
                    if self.epoch.is_none() {
                        self.epoch = p.epoch;
                    }
                }
                Err(TsError::Ambiguous) => {
                    if self.ambiguous_date.is_none() {
                        self.ambiguous_date = Some(t.to_string());
                    }
                }
                Err(_) => {}
            }
        }
    }

    fn needs_decimal_scan(&self) -> bool {
        self.dot == 0 && self.comma == 0 && self.ambiguous_num.is_some()
    }

    fn needs_date_scan(&self) -> bool {
        self.dmy == 0 && self.mdy == 0 && self.ambiguous_date.is_some()
    }
}

/// A CSV reader. Records end at `\n` only (a `\r` before it is stripped from the last
/// field), because with CRLF endings the csv crate reports record lines one short;
/// files with bare `\r` endings (classic Mac) use CR.
fn csv_reader<R: Read>(r: R, delimiter: u8, lf: bool) -> csv::Reader<R> {
    let terminator = if lf {
        csv::Terminator::Any(b'\n')
    } else {
        csv::Terminator::CRLF
    };
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .terminator(terminator)
        .buffer_capacity(1 << 16)
        .from_reader(r)
}

/// The line where a record starts. The csv crate's own record position points at any blank
/// lines it skipped before the record, so count back from where the record ended instead:
/// the line after it, minus the line breaks inside quoted fields. `eof_at` is the reader-relative
/// byte offset of the end of a file whose last line has no line break.
fn record_line(end: &csv::Position, rec: &ByteRecord, eof_at: Option<u64>) -> u64 {
    let inner = rec.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
    let unterminated = u64::from(eof_at == Some(end.byte()));
    (end.line() + unterminated).saturating_sub(1 + inner).max(1)
}

/// A field without the `\r` of a CRLF line ending.
#[inline]
pub(crate) fn strip_cr(b: &[u8]) -> &[u8] {
    match b {
        [rest @ .., b'\r'] => rest,
        _ => b,
    }
}

/// Rows of a byte buffer with a delimiter, decoded (for sniffing only).
fn sample_rows(body: &[u8], delimiter: u8, max: usize) -> Vec<(u64, Vec<String>)> {
    let lf = body.contains(&b'\n');
    let eof_at = (!body.ends_with(b"\n")).then_some(body.len() as u64);
    let mut rdr = csv_reader(body, delimiter, lf);
    let mut rec = ByteRecord::new();
    let mut out = Vec::new();
    while out.len() < max {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => out.push((
                record_line(rdr.position(), &rec, eof_at),
                rec.iter()
                    .map(|f| decode(strip_cr(f)).into_owned())
                    .collect(),
            )),
            _ => break,
        }
    }
    out
}

/// Opens a reader over any rewindable source; `name` is only used in messages.
pub(crate) fn build(
    name: &str,
    inner: Box<dyn ReadSeek>,
    opts: &ImportOptions,
) -> Result<FileReader, ImportError> {
    let io = |e: std::io::Error| ImportError::Io {
        path: name.to_string(),
        source: e,
    };
    let n = Arc::new(AtomicU64::new(0));
    let mut src = Counting {
        inner,
        n: n.clone(),
        active: true,
    };
    let total = src.inner.seek(SeekFrom::End(0)).ok();
    // Whether the last line ends with a line break (for the line number of the last row).
    let mut last = [b'\n'];
    if total.is_some_and(|t| t > 0) && src.inner.seek(SeekFrom::End(-1)).is_ok() {
        src.inner.read_exact(&mut last).map_err(io)?;
    }
    let ends_nl = last[0] == b'\n';
    src.rewind_to(0).map_err(io)?;
    let mut sample = Vec::new();
    (&mut src)
        .take(SAMPLE_BYTES)
        .read_to_end(&mut sample)
        .map_err(io)?;
    let mut eof = (sample.len() as u64) < SAMPLE_BYTES;
    let mut notes = Vec::new();
    let mut ends_nl = ends_nl;
    if let [a @ (0xFF | 0xFE), b @ (0xFF | 0xFE), ..] = sample[..]
        && a != b
    {
        // UTF-16: read through a transcoder; progress still counts raw bytes.
        notes.push(Note::Utf16);
        let raw = Counting {
            inner: src.inner,
            n: n.clone(),
            active: true,
        };
        src = Counting {
            inner: Box::new(Utf16Reader::new(raw, a == 0xFF)),
            n: n.clone(),
            active: false,
        };
        src.rewind_to(0).map_err(io)?;
        sample.clear();
        (&mut src)
            .take(SAMPLE_BYTES)
            .read_to_end(&mut sample)
            .map_err(io)?;
        eof = (sample.len() as u64) < SAMPLE_BYTES;
        ends_nl = true;
    }
    let mapping = opts.mapping.as_ref();
    let tz = mapping.and_then(|m| m.time_zone).unwrap_or(opts.time_zone);
    let bom: u64 = if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
        notes.push(Note::Bom);
        3
    } else {
        0
    };
    let mut body = &sample[bom as usize..];
    if !eof && let Some(cut) = body.iter().rposition(|&b| b == b'\n') {
        body = &body[..=cut];
    }
    let first = body.iter().position(|b| !b.is_ascii_whitespace());
    let Some(first) = first else {
        return Err(ImportError::Empty);
    };
    if std::str::from_utf8(body).is_err() {
        notes.push(Note::Latin1);
    }
    let default_truck = opts
        .truck_id
        .clone()
        .or_else(|| mapping.and_then(|m| m.truck_id.clone()));
    let conv_for = |kind| Converter {
        kind,
        tz,
        default_truck: default_truck.clone(),
    };
    match body[first] {
        b'[' => Err(ImportError::JsonArray),
        b'{' => build_json(
            name, src, n, total, bom, body, eof, notes, opts, tz, &conv_for,
        ),
        _ => build_csv(
            name, src, n, total, ends_nl, bom, body, eof, notes, opts, tz, &conv_for,
        ),
    }
}

/// A delimiter candidate: (recognised header names, rows agreeing with the header width,
/// width), delimiter, sampled rows, header row index.
type Candidate = ((usize, usize, usize), u8, Vec<(u64, Vec<String>)>, usize);

#[allow(clippy::too_many_arguments)]
fn build_csv(
    name: &str,
    mut src: Counting,
    n: Arc<AtomicU64>,
    total: Option<u64>,
    ends_nl: bool,
    bom: u64,
    body: &[u8],
    eof: bool,
    mut notes: Vec<Note>,
    opts: &ImportOptions,
    tz: Tz,
    conv_for: &dyn Fn(FileKind) -> Converter,
) -> Result<FileReader, ImportError> {
    let mapping = opts.mapping.as_ref();
    let lf = body.contains(&b'\n');
    let candidates: Vec<u8> = match mapping.and_then(|m| m.delimiter) {
        Some(d) => vec![d],
        None => vec![b',', b';', b'\t', b'|'],
    };
    // Best delimiter: most recognised header names, then most rows agreeing with the header width.
    let mut best: Option<Candidate> = None;
    for &d in &candidates {
        let rows = sample_rows(body, d, HEADER_SEARCH + 50);
        let mut found = None;
        for (ri, (_, cells)) in rows.iter().enumerate().take(HEADER_SEARCH) {
            let mapped = mapping.map_or(0, |m| {
                cells.iter().filter(|c| m.column(c).is_some()).count()
            });
            let score = header_score(cells).max(mapped);
            if score >= 2 || (mapped >= 1 && cells.len() >= 2) {
                found = Some((ri, score));
                break;
            }
        }
        let (hi, score) = found.unwrap_or((usize::MAX, 0));
        let width = rows.get(hi).map_or(0, |r| r.1.len());
        let agree = rows
            .iter()
            .skip(hi.saturating_add(1))
            .filter(|r| r.1.len() == width)
            .count();
        let key = (score, agree, width);
        if best.as_ref().is_none_or(|b| key > b.0) {
            best = Some((key, d, rows, hi));
        }
    }
    let Some(((score, _, _), delimiter, rows, header_idx)) = best else {
        return Err(ImportError::Empty);
    };
    let kind_given = opts.kind.or(mapping.and_then(|m| m.kind));
    let (headers, header_line, skip, positional) = if score > 0 && header_idx != usize::MAX {
        let (line, cells) = &rows[header_idx];
        (cells.clone(), *line, header_idx + 1, false)
    } else if let Some(kind @ (FileKind::Trucks | FileKind::Purchases)) = kind_given {
        let names: &[&str] = if kind == FileKind::Trucks {
            &["truck_id", "name", "tank_l", "fuel_type", "calibration"]
        } else {
            &[
                "truck_id",
                "ts",
                "litres",
                "price_per_l",
                "lat",
                "lon",
                "card_id",
                "station",
            ]
        };
        (names.iter().map(|s| s.to_string()).collect(), 0, 0, true)
    } else {
        let first_line = rows
            .first()
            .map(|r| r.1.join(&char::from(delimiter).to_string()))
            .unwrap_or_default();
        return Err(ImportError::NoHeader {
            first_line: crate::report::clip(&first_line).chars().take(120).collect(),
        });
    };
    if mapping.and_then(|m| m.delimiter).is_none() && delimiter != b',' {
        notes.push(Note::DelimiterDetected {
            delimiter: char::from(delimiter),
        });
    }
    if header_line > 1 {
        notes.push(Note::Preamble {
            lines: header_line - 1,
        });
    }
    if positional {
        notes.push(Note::Positional);
    }
    let kind = kind_given.unwrap_or_else(|| detect_kind(&headers));
    let mut resolved = resolve(&headers, kind, mapping, false);
    if positional {
        for c in &mut resolved.columns {
            c.origin = Origin::Position;
        }
        resolved.notes.clear();
    }
    notes.append(&mut resolved.notes);
    let mut columns = resolved.columns;
    check_required(&columns, kind, opts, &mut notes)?;

    // Detection over the sample rows after the header.
    let mut det: Vec<Detect> = columns.iter().map(|_| Detect::default()).collect();
    let data_rows = sample_rows(body, delimiter, skip + SAMPLE_ROWS);
    for (_, cells) in data_rows.iter().skip(skip) {
        for (c, d) in columns.iter().zip(det.iter_mut()) {
            if let Some(text) = cells.get(c.index) {
                d.feed(c, text, tz);
            }
        }
    }
    let needs_scan = |det: &[Detect]| {
        det.iter()
            .any(|d| d.needs_decimal_scan() || d.needs_date_scan())
    };
    if !eof && needs_scan(&det) {
        // Only the still-ambiguous columns are read, streaming, to the end or until settled.
        src.rewind_to(bom).map_err(FileReader::io_err)?;
        let mut rdr = csv_reader(&mut src, delimiter, lf);
        let mut rec = ByteRecord::new();
        let open: Vec<usize> = (0..columns.len())
            .filter(|&i| det[i].needs_decimal_scan() || det[i].needs_date_scan())
            .collect();
        let mut k = 0usize;
        while rdr.read_byte_record(&mut rec).map_err(FileReader::io_err)? {
            k += 1;
            if k <= skip {
                continue;
            }
            for &i in &open {
                if let Some(f) = rec.get(columns[i].index) {
                    det[i].feed(&columns[i], &decode(strip_cr(f)), tz);
                }
            }
            if !needs_scan(&det) {
                break;
            }
        }
    }
    finish_detection(
        &mut columns,
        &det,
        opts,
        tz,
        &mut notes,
        &mut resolved.unknown,
    )?;
    src.rewind_to(bom).map_err(FileReader::io_err)?;
    let min_cols = headers
        .iter()
        .rposition(|h| !h.trim().is_empty())
        .map_or(0, |i| i + 1);
    let max_cols = headers.len();
    let rdr = csv_reader(src, delimiter, lf);
    let plan = FilePlan {
        format: Format::Csv {
            delimiter: char::from(delimiter),
        },
        kind,
        columns,
        header_line,
        canonical: resolved.canonical && !positional,
        notes,
        unknown_columns: resolved.unknown,
        time_zone: tz.name().to_string(),
    };
    Ok(FileReader {
        name: name.to_string(),
        id: Identity::of(&plan.columns),
        slots: (kind == FileKind::Telemetry)
            .then(|| fast_slots(&plan.columns))
            .flatten(),
        plan,
        src: Src::Csv {
            rdr,
            rec: ByteRecord::new(),
            skip,
            min_cols: if positional { 2 } else { min_cols },
            max_cols,
            delimiter,
            eof_at: (!ends_nl).then(|| total.unwrap_or(0).saturating_sub(bom)),
            next_line: 1,
        },
        conv: conv_for(kind),
        bytes: n,
        total,
        done: false,
    })
}

#[allow(clippy::too_many_arguments)]
fn build_json(
    name: &str,
    mut src: Counting,
    n: Arc<AtomicU64>,
    total: Option<u64>,
    bom: u64,
    body: &[u8],
    eof: bool,
    mut notes: Vec<Note>,
    opts: &ImportOptions,
    tz: Tz,
    conv_for: &dyn Fn(FileKind) -> Converter,
) -> Result<FileReader, ImportError> {
    let mapping = opts.mapping.as_ref();
    // Keys in first-seen order, and the sample's text values per key.
    let mut keys: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut values: Vec<(usize, String)> = Vec::new();
    for line in decode(body).lines().take(SAMPLE_ROWS) {
        let Ok(serde_json::Value::Object(m)) =
            serde_json::from_str::<serde_json::Value>(line.trim())
        else {
            continue;
        };
        let mut flat = Vec::new();
        flatten("", m, &mut flat);
        for (k, v) in flat {
            let i = *index.entry(k.clone()).or_insert_with(|| {
                keys.push(k);
                keys.len() - 1
            });
            match v {
                serde_json::Value::String(s) => values.push((i, s)),
                serde_json::Value::Number(num) => values.push((i, num.to_string())),
                _ => {}
            }
        }
    }
    if keys.is_empty() {
        return Err(ImportError::NoHeader {
            first_line: decode(body)
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(120)
                .collect(),
        });
    }
    let kind = opts
        .kind
        .or(mapping.and_then(|m| m.kind))
        .unwrap_or_else(|| detect_kind(&keys));
    let mut resolved = resolve(&keys, kind, mapping, true);
    notes.append(&mut resolved.notes);
    let mut columns = resolved.columns;
    check_required(&columns, kind, opts, &mut notes)?;
    let mut det: Vec<Detect> = columns.iter().map(|_| Detect::default()).collect();
    for (i, v) in &values {
        det[*i].feed(&columns[*i], v, tz);
    }
    let needs_scan = |det: &[Detect]| {
        det.iter()
            .any(|d| d.needs_decimal_scan() || d.needs_date_scan())
    };
    if !eof && needs_scan(&det) {
        src.rewind_to(bom).map_err(FileReader::io_err)?;
        let mut rdr = BufReader::new(&mut src);
        let mut buf = String::new();
        while rdr.read_line(&mut buf).map_err(FileReader::io_err)? > 0 {
            if let Ok(serde_json::Value::Object(m)) =
                serde_json::from_str::<serde_json::Value>(buf.trim())
            {
                let mut flat = Vec::new();
                flatten("", m, &mut flat);
                for (k, v) in flat {
                    if let (Some(&i), serde_json::Value::String(s)) = (index.get(&k), &v)
                        && (det[i].needs_date_scan() || det[i].needs_decimal_scan())
                    {
                        det[i].feed(&columns[i], s, tz);
                    }
                }
            }
            buf.clear();
            if !needs_scan(&det) {
                break;
            }
        }
    }
    finish_detection(
        &mut columns,
        &det,
        opts,
        tz,
        &mut notes,
        &mut resolved.unknown,
    )?;
    src.rewind_to(bom).map_err(FileReader::io_err)?;
    let plan = FilePlan {
        format: Format::JsonLines,
        kind,
        columns,
        header_line: 0,
        canonical: resolved.canonical,
        notes,
        unknown_columns: resolved.unknown,
        time_zone: tz.name().to_string(),
    };
    Ok(FileReader {
        name: name.to_string(),
        id: Identity::of(&plan.columns),
        slots: None,
        plan,
        src: Src::Json {
            rdr: BufReader::new(src),
            line: 0,
            buf: String::new(),
            keys: index,
            mapping: mapping.cloned(),
        },
        conv: conv_for(kind),
        bytes: n,
        total,
        done: false,
    })
}

/// Fails early when a column the kind cannot do without is absent.
fn check_required(
    columns: &[ColumnPlan],
    kind: FileKind,
    opts: &ImportOptions,
    notes: &mut Vec<Note>,
) -> Result<(), ImportError> {
    let has = |t: Target| columns.iter().any(|c| c.target == t);
    let missing = |field, hint| {
        Err(ImportError::MissingColumn {
            field,
            kind: kind.code(),
            hint,
        })
    };
    if !has(Target::Field(Field::TruckId)) {
        match opts
            .truck_id
            .clone()
            .or_else(|| opts.mapping.as_ref().and_then(|m| m.truck_id.clone()))
        {
            Some(t) => notes.push(Note::DefaultTruckId { truck_id: t }),
            None => {
                return missing(
                    "truck_id",
                    ", or give the truck of a single-vehicle export with --truck ID",
                );
            }
        }
    }
    if kind != FileKind::Trucks && !has(Target::Field(Field::Ts)) && !has(Target::Date) {
        return missing("ts", "");
    }
    if kind == FileKind::Purchases {
        if !has(Target::Litres) {
            return missing("litres", "");
        }
        if !has(Target::PricePerL) && !has(Target::Amount) {
            return missing("price_per_l", "");
        }
    }
    Ok(())
}

/// Settles decimal separators, date orders, glued units; notes what was found.
fn finish_detection(
    columns: &mut [ColumnPlan],
    det: &[Detect],
    opts: &ImportOptions,
    tz: Tz,
    notes: &mut Vec<Note>,
    unknown: &mut Vec<String>,
) -> Result<(), ImportError> {
    let mapping = opts.mapping.as_ref();
    let given_dec = opts.decimal.or(mapping.and_then(|m| m.decimal));
    let given_order = opts.date_order.or(mapping.and_then(|m| m.date_order));
    // File-level evidence, for columns that stay ambiguous.
    let comma_cols = det.iter().filter(|d| d.comma > d.dot).count();
    let dot_cols = det.iter().filter(|d| d.dot > d.comma).count();
    for (c, d) in columns.iter_mut().zip(det) {
        let tz = c.zone.unwrap_or(tz);
        if c.target == Target::LatLon
            && c.origin == Origin::Alias
            && d.pairs_ok == 0
            && d.pairs_bad > 0
        {
            // `location` holding addresses, not coordinates.
            notes.retain(|n| !matches!(n, Note::HeaderAlias { column, .. } if *column == c.header));
            c.target = Target::Ignore;
            unknown.push(c.header.clone());
        }
        if is_numeric(c.target) {
            let (sep, source) = match given_dec {
                Some(s) => (s, Source::Given),
                None if d.comma > d.dot => (DecimalSep::Comma, Source::Detected),
                None if d.dot > 0 && d.dot >= d.comma => (DecimalSep::Dot, Source::Detected),
                None => match &d.ambiguous_num {
                    None => (DecimalSep::Dot, Source::Detected),
                    Some(_) if comma_cols > dot_cols => (DecimalSep::Comma, Source::Fallback),
                    Some(s) if s.contains('.') || dot_cols > 0 => {
                        (DecimalSep::Dot, Source::Fallback)
                    }
                    Some(s) => {
                        return Err(ImportError::AmbiguousDecimal {
                            column: c.header.clone(),
                            sample: s.clone(),
                        });
                    }
                },
            };
            c.decimal = sep;
            if sep == DecimalSep::Comma || source == Source::Fallback {
                notes.push(Note::Decimal {
                    column: c.header.clone(),
                    sep,
                    source,
                });
            }
            if let Some(u) = d.glued {
                // A gauge column whose values say `L` or `gal` holds litres (and vice versa).
                if c.unit.is_none() && retarget(c.target, u) != c.target {
                    c.target = retarget(c.target, u);
                    for n in notes.iter_mut() {
                        if let Note::HeaderAlias { column, field } = n
                            && *column == c.header
                        {
                            *field = c.target.name().to_string();
                        }
                    }
                }
                notes.push(Note::UnitGlued {
                    column: c.header.clone(),
                    unit: u,
                });
            }
        }
        if is_dated(c) {
            let numeric_dates = d.dmy + d.mdy > 0 || d.ambiguous_date.is_some();
            let order = match given_order {
                Some(o) => numeric_dates.then_some((o, Source::Given)),
                None if d.dmy > d.mdy => Some((DateOrder::Dmy, Source::Detected)),
                None if d.mdy > d.dmy => Some((DateOrder::Mdy, Source::Detected)),
                None if d.dmy > 0 || d.ambiguous_date.is_some() => {
                    return Err(ImportError::AmbiguousDates {
                        column: c.header.clone(),
                        sample: d.ambiguous_date.clone().unwrap_or_default(),
                    });
                }
                None => None,
            };
            if let Some((o, source)) = order {
                c.date_order = Some(o);
                notes.push(Note::DateOrder {
                    column: c.header.clone(),
                    order: o,
                    source,
                });
            } else {
                c.date_order = given_order;
            }
            if let Some(u) = d.epoch {
                notes.push(Note::EpochUnit {
                    column: c.header.clone(),
                    unit: u,
                });
            }
            if d.naive || d.ambiguous_date.is_some() {
                notes.push(Note::NaiveTimestamps {
                    column: c.header.clone(),
                    zone: tz.name().to_string(),
                });
            }
        } else if matches!(c.target, Target::Field(Field::Ts) | Target::Date) && c.format.is_some()
        {
            c.date_order = given_order;
            let fmt = c.format.as_deref().unwrap_or("");
            if !fmt.contains("%z") && !fmt.contains("%:z") && !fmt.contains("%#z") {
                notes.push(Note::NaiveTimestamps {
                    column: c.header.clone(),
                    zone: tz.name().to_string(),
                });
            }
        }
    }
    // Unknown columns are listed once, after every other note about the header.
    if !unknown.is_empty() {
        notes.push(Note::UnknownColumns {
            columns: unknown.clone(),
        });
    }
    Ok(())
}
