//! Importing files: a reader thread parses and validates while the store
//! commits the previous batch, so the two cores work at once. Every rejected
//! row or value becomes a quarantine entry; nothing is dropped silently.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use fc_import::{FileKind, FileReader, Format, ImportOptions, Issue, Mapping, Note, Record};
use fc_model::{Purchase, TelemetryPoint, TruckProfile};
use fc_store::{Origin, QuarantineEntry, Store, WriteBatch, WriteOutcome};
use tokio::sync::mpsc;

use crate::coach::{RollupContext, StreamRollups, Streamed};
use crate::dto::{ErrorDto, FileImportReport, ImportNote, ImportProgress};
use crate::error::{CoreError, Result};
use crate::settings::FleetSettings;

pub use fc_import::{DateOrder, DecimalSep};

/// Points per store transaction: large enough to amortise the commit, small
/// enough to keep memory flat and progress lively.
const BATCH_POINTS: usize = 65_536;

/// What to import and how to read it.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    /// Files, imported in order.
    pub files: Vec<PathBuf>,
    /// A column-mapping file (TOML) for foreign exports.
    pub mapping: Option<PathBuf>,
    /// Zone for naive timestamps; default: the fleet's.
    pub time_zone: Option<String>,
    /// Order of numeric dates when a file cannot tell.
    pub date_order: Option<DateOrder>,
    /// Forces the decimal separator of numeric columns when a file cannot tell.
    pub decimal: Option<DecimalSep>,
    /// Forces the kind of every file.
    pub kind: Option<FileKind>,
    /// Truck id for single-vehicle exports without a vehicle column.
    pub truck_id: Option<String>,
}

/// Imports files, then stores the coaching rollups of every local day they
/// touched (decision 10): built from the import's own stream where that is
/// exactly what the store holds, else re-read from the store.
pub(crate) async fn import_with_rollups(
    store: &Store,
    settings: &FleetSettings,
    time_zone: chrono_tz::Tz,
    req: &ImportRequest,
    progress: &mut (dyn FnMut(ImportProgress) + Send),
) -> Result<(Vec<FileImportReport>, crate::coach::RollupsStored)> {
    let ctx = RollupContext::read(store).await?;
    let before = ctx.before.clone();
    let done = import_files(store, time_zone, req, progress, settings, ctx).await?;
    let stored =
        crate::coach::store_rollups(store, settings, &done.touched, done.streamed, &before).await?;
    Ok((done.reports, stored))
}

/// One unit of work from the reader thread to the writer.
enum Chunk {
    Points(WriteBatch),
    Trucks(Vec<TruckProfile>),
    Purchases(Vec<(Purchase, Origin)>),
    Progress {
        bytes: u64,
        rows: u64,
    },
    /// The end of a file that was read.
    Done(Box<ReadSummary>),
    /// The end of a file that could not be read (or not to its end).
    Failed(fc_import::ImportError),
    /// After the last file: rollups built from what was sent.
    Rollups(HashMap<String, Streamed>),
}

/// What the reader learnt about the file.
struct ReadSummary {
    kind: FileKind,
    format: String,
    rows: u64,
    rejected_rows: u64,
    rejected_fields: u64,
    by_reason: BTreeMap<String, u64>,
    notes: Vec<Note>,
}

/// What an import did: per-file reports, what it touched and the rollups its
/// stream built.
struct Imported {
    pub(crate) reports: Vec<FileImportReport>,
    pub(crate) touched: crate::coach::Touched,
    pub(crate) streamed: HashMap<String, Streamed>,
}

async fn import_files(
    store: &Store,
    time_zone: chrono_tz::Tz,
    req: &ImportRequest,
    progress: &mut (dyn FnMut(ImportProgress) + Send),
    settings: &FleetSettings,
    ctx: RollupContext,
) -> Result<Imported> {
    let mapping = match &req.mapping {
        Some(path) => Some(Mapping::from_path(path)?),
        None => None,
    };
    let opts = ImportOptions {
        time_zone,
        date_order: req.date_order,
        decimal: req.decimal,
        mapping,
        kind: req.kind,
        truck_id: req.truck_id.clone(),
    };
    // One reader thread for all the files (the rollups it builds span files).
    // One chunk queued is enough to keep the writer busy (the reader is the
    // faster side) and bounds memory: the batch being written, the queued one
    // and the one the reader is filling.
    let (tx, mut rx) = mpsc::channel::<Chunk>(1);
    let paths = req.files.clone();
    let reader_settings = settings.clone();
    let reader =
        tokio::task::spawn_blocking(move || read_all(paths, &opts, ctx, &reader_settings, &tx));

    let mut reports = Vec::with_capacity(req.files.len());
    // Trucks and spans written, for the coaching rollups (stored after the import).
    let mut touched = crate::coach::Touched::default();
    let files = u32::try_from(req.files.len()).unwrap_or(u32::MAX);
    for (index, path) in req.files.iter().enumerate() {
        let file_index = u32::try_from(index).unwrap_or(u32::MAX);
        let report = import_one(
            store,
            &mut rx,
            path,
            time_zone,
            file_index,
            files,
            progress,
            &mut touched,
        )
        .await?;
        reports.push(report);
    }
    let streamed = match rx.recv().await {
        Some(Chunk::Rollups(r)) => r,
        _ => HashMap::new(),
    };
    drop(rx);
    // A panic in the reader is a bug: report it as one instead of a half-import.
    if let Err(join) = reader.await {
        return Err(CoreError::Internal(join.to_string()));
    }
    Ok(Imported {
        reports,
        touched,
        streamed,
    })
}

#[allow(clippy::too_many_arguments)]
async fn import_one(
    store: &Store,
    rx: &mut mpsc::Receiver<Chunk>,
    path: &Path,
    time_zone: chrono_tz::Tz,
    file_index: u32,
    files: u32,
    progress: &mut (dyn FnMut(ImportProgress) + Send),
    touched: &mut crate::coach::Touched,
) -> Result<FileImportReport> {
    let started = Instant::now();
    let started_ms = now_ms();
    let file = path.display().to_string();
    let mut report = FileImportReport {
        file: file.clone(),
        time_zone: time_zone.name().to_string(),
        ..FileImportReport::default()
    };
    let bytes_total = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);

    let mut outcome = WriteOutcome::default();
    let mut summary = None;
    let mut failure = None;
    while let Some(msg) = rx.recv().await {
        match msg {
            Chunk::Points(batch) => {
                touched.note(&batch);
                outcome.add(store.write_batch(batch).await?);
            }
            Chunk::Trucks(trucks) => outcome.stored += store.upsert_trucks(&trucks).await?,
            Chunk::Purchases(purchases) => {
                outcome.add(store.write_purchases(&purchases, Vec::new()).await?);
            }
            Chunk::Progress { bytes, rows } => progress(ImportProgress {
                file: file.clone(),
                file_index,
                files,
                bytes_read: bytes,
                bytes_total,
                rows,
            }),
            Chunk::Done(s) => {
                summary = Some(s);
                break;
            }
            Chunk::Failed(e) => {
                failure = Some(e);
                break;
            }
            Chunk::Rollups(_) => {
                return Err(CoreError::Internal(
                    "the reader finished before the last file".into(),
                ));
            }
        }
    }
    if summary.is_none() && failure.is_none() {
        return Err(CoreError::Internal("the file reader stopped early".into()));
    }

    report.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    if let Some(err) = failure {
        report.error = Some(ErrorDto {
            code: err.code().to_string(),
            message: err.to_string(),
            args: err
                .args()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        });
        return Ok(report);
    }
    let Some(summary) = summary else {
        return Ok(report);
    };
    report.kind = Some(summary.kind.code().to_string());
    report.format = Some(summary.format);
    report.rows_read = summary.rows;
    report.stored = outcome.stored;
    report.duplicates = outcome.duplicates;
    report.conflicts = outcome.conflicts;
    report.rejected_rows = summary.rejected_rows;
    report.rejected_fields = summary.rejected_fields;
    report.rejected_by_reason = summary.by_reason;
    if outcome.conflicts > 0 {
        *report
            .rejected_by_reason
            .entry(fc_store::CONFLICTING_DUPLICATE.to_string())
            .or_default() += outcome.conflicts;
    }
    for note in &summary.notes {
        match note {
            Note::UnknownColumns { columns } => {
                report.unknown_columns.extend(columns.iter().cloned())
            }
            // One line for all recognised or mapped columns, not one per column.
            Note::HeaderAlias { column, field } | Note::Mapped { column, field } => {
                let pair = format!("{column} → {field}");
                match report.notes.iter_mut().find(|n| n.code == note.code()) {
                    Some(n) => {
                        let v = n.value.get_or_insert_with(String::new);
                        v.push_str(", ");
                        v.push_str(&pair);
                    }
                    None => report.notes.push(ImportNote {
                        code: note.code().to_string(),
                        column: None,
                        value: Some(pair),
                    }),
                }
            }
            _ => report.notes.push(note_dto(note)),
        }
    }
    store
        .record_import(&fc_store::ImportRun {
            source: file,
            started_ms,
            finished_ms: Some(now_ms()),
            counts: serde_json::to_value(&report).unwrap_or_default(),
        })
        .await?;
    Ok(report)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

type Sender = mpsc::Sender<Chunk>;

/// Where the reader's points and profiles go besides the store.
enum Sink<'a, 'p> {
    /// Before the first telemetry file: truck profiles are gathered for the rollups.
    Profiles(&'a mut RollupContext),
    /// Rollups built from the points sent.
    Stream(&'a mut StreamRollups<'p>),
}

impl Sink<'_, '_> {
    fn points(&mut self, points: &[(TelemetryPoint, Origin)]) {
        match self {
            Sink::Profiles(ctx) => ctx.unstreamed(points),
            Sink::Stream(s) => s.push_batch(points),
        }
    }

    fn trucks(&mut self, trucks: &[TruckProfile]) {
        match self {
            Sink::Profiles(ctx) => trucks.iter().for_each(|t| ctx.upsert_profile(t)),
            Sink::Stream(s) => s.profiles_changed(trucks.iter().map(|t| t.truck_id.as_str())),
        }
    }
}

/// Reads every file in order on the calling (blocking) thread and sends their
/// chunks, then the rollups built from the points sent. Truck files that come
/// before the first telemetry file are read first into the profiles the
/// rollups use; a profile that changes later sends its truck to the re-read.
fn read_all(
    paths: Vec<PathBuf>,
    opts: &ImportOptions,
    mut ctx: RollupContext,
    settings: &FleetSettings,
    tx: &Sender,
) {
    let mut files = paths.into_iter();
    let mut first_other = None;
    for path in files.by_ref() {
        match fc_import::open(&path, opts) {
            Err(e) => {
                if tx.blocking_send(Chunk::Failed(e)).is_err() {
                    return;
                }
            }
            Ok(r) if r.plan().kind == FileKind::Trucks => {
                if !read_file(r, &path, &mut Sink::Profiles(&mut ctx), tx) {
                    return;
                }
            }
            Ok(r) => {
                first_other = Some((r, path));
                break;
            }
        }
    }
    let empty = crate::coach::empty_profile();
    // The settings were read from the store just before; a bad zone there means
    // no stream (every touched day is rebuilt from the store, which reports it).
    let mut stream = StreamRollups::new(&ctx, &empty, settings).ok();
    let next = |reader: FileReader, path: &Path, stream: &mut Option<StreamRollups>| match stream {
        Some(s) => read_file(reader, path, &mut Sink::Stream(s), tx),
        None => read_file(
            reader,
            path,
            &mut Sink::Profiles(&mut RollupContext::default()),
            tx,
        ),
    };
    if let Some((reader, path)) = first_other
        && !next(reader, &path, &mut stream)
    {
        return;
    }
    for path in files {
        let ok = match fc_import::open(&path, opts) {
            Ok(reader) => next(reader, &path, &mut stream),
            Err(e) => tx.blocking_send(Chunk::Failed(e)).is_ok(),
        };
        if !ok {
            return;
        }
    }
    let rollups = stream.map(StreamRollups::finish).unwrap_or_default();
    let _ = tx.blocking_send(Chunk::Rollups(rollups));
}

/// Reads a whole file and sends its batches; false when the writer has gone.
fn read_file(mut reader: FileReader, path: &Path, sink: &mut Sink, tx: &Sender) -> bool {
    let source: Arc<str> = Arc::from(path.display().to_string().as_str());
    let mut summary = ReadSummary {
        kind: reader.plan().kind,
        format: match reader.plan().format {
            Format::Csv { .. } => "csv".to_string(),
            Format::JsonLines => "jsonl".to_string(),
        },
        rows: 0,
        rejected_rows: 0,
        rejected_fields: 0,
        by_reason: BTreeMap::new(),
        notes: Vec::new(),
    };
    let mut points = Vec::with_capacity(BATCH_POINTS);
    let mut trucks = Vec::new();
    let mut purchases = Vec::new();
    let mut quarantine = Vec::new();
    let mut last_progress = 0u64;

    let quarantine_issue = |issue: Issue,
                            truck_id: Option<&str>,
                            ts: Option<i64>,
                            q: &mut Vec<QuarantineEntry>,
                            s: &mut ReadSummary| {
        *s.by_reason
            .entry(issue.reason.code().to_string())
            .or_default() += 1;
        q.push(QuarantineEntry {
            source: source.to_string(),
            line: Some(issue.line),
            truck_id: truck_id.map(str::to_string),
            ts,
            field: issue.field,
            reason: issue.reason.code().to_string(),
            detail: issue.raw.clone(),
            raw: Some(issue.raw),
        });
    };
    // Field-level issues: the row is kept with those fields empty.
    let quarantine_fields = |issues: Vec<Issue>,
                             truck_id: Option<&str>,
                             ts: Option<i64>,
                             q: &mut Vec<QuarantineEntry>,
                             s: &mut ReadSummary| {
        s.rejected_fields += issues.len() as u64;
        for issue in issues {
            quarantine_issue(issue, truck_id, ts, q, s);
        }
    };

    loop {
        let record = match reader.next_record() {
            Ok(Some(record)) => record,
            Ok(None) => break,
            // A file-level problem found mid-way (e.g. dates that stay ambiguous):
            // what was sent is committed, the report says why the rest was not.
            Err(e) => return tx.blocking_send(Chunk::Failed(e)).is_ok(),
        };
        summary.rows += 1;
        match record {
            Record::Point {
                line,
                point,
                issues,
            } => {
                let (truck, ts) = (Some(point.truck_id.as_str()), Some(point.ts));
                quarantine_fields(issues, truck, ts, &mut quarantine, &mut summary);
                points.push((point, Origin::line(&source, line)));
            }
            Record::Truck {
                profile, issues, ..
            } => {
                let truck = Some(profile.truck_id.as_str());
                quarantine_fields(issues, truck, None, &mut quarantine, &mut summary);
                trucks.push(profile);
            }
            Record::Purchase {
                line,
                purchase,
                issues,
            } => {
                let (truck, ts) = (Some(purchase.truck_id.as_str()), Some(purchase.ts));
                quarantine_fields(issues, truck, ts, &mut quarantine, &mut summary);
                purchases.push((purchase, Origin::line(&source, line)));
            }
            Record::Rejected(issue) => {
                summary.rejected_rows += 1;
                quarantine_issue(issue, None, None, &mut quarantine, &mut summary);
            }
        }
        if points.len() >= BATCH_POINTS
            || purchases.len() >= BATCH_POINTS
            || quarantine.len() >= BATCH_POINTS
        {
            // The rollups see exactly the points sent to the store, in the same order.
            sink.points(&points);
            let batch = WriteBatch {
                points: std::mem::replace(&mut points, Vec::with_capacity(BATCH_POINTS)),
                quarantine: std::mem::take(&mut quarantine),
                ..WriteBatch::default()
            };
            if !send_rest(tx, Vec::new(), std::mem::take(&mut purchases))
                || tx.blocking_send(Chunk::Points(batch)).is_err()
            {
                return false;
            }
        }
        let bytes = reader.bytes_read();
        if bytes - last_progress >= 1 << 20 {
            last_progress = bytes;
            let _ = tx.blocking_send(Chunk::Progress {
                bytes,
                rows: summary.rows,
            });
        }
    }
    sink.points(&points);
    sink.trucks(&trucks);
    let batch = WriteBatch {
        points,
        quarantine: std::mem::take(&mut quarantine),
        ..WriteBatch::default()
    };
    if !send_rest(tx, trucks, purchases) || tx.blocking_send(Chunk::Points(batch)).is_err() {
        return false;
    }
    // Notes can grow while reading (repeated headers, new JSON keys): take them last.
    summary.notes = reader.plan().notes.clone();
    let bytes = reader.bytes_read();
    let _ = tx.blocking_send(Chunk::Progress {
        bytes,
        rows: summary.rows,
    });
    tx.blocking_send(Chunk::Done(Box::new(summary))).is_ok()
}

/// Sends truck profiles and purchases gathered so far; false when the writer has gone.
fn send_rest(tx: &Sender, trucks: Vec<TruckProfile>, purchases: Vec<(Purchase, Origin)>) -> bool {
    if !trucks.is_empty() && tx.blocking_send(Chunk::Trucks(trucks)).is_err() {
        return false;
    }
    if !purchases.is_empty() && tx.blocking_send(Chunk::Purchases(purchases)).is_err() {
        return false;
    }
    true
}

fn note_dto(note: &Note) -> ImportNote {
    let (column, value): (Option<String>, Option<String>) = match note {
        Note::DelimiterDetected { delimiter } => (
            None,
            Some(if *delimiter == '\t' {
                "TAB".into()
            } else {
                delimiter.to_string()
            }),
        ),
        Note::Bom | Note::Utf16 | Note::Latin1 | Note::Positional => (None, None),
        Note::Preamble { lines } => (None, Some(lines.to_string())),
        Note::RepeatedHeader { line } => (None, Some(line.to_string())),
        Note::HeaderAlias { column, field } | Note::Mapped { column, field } => {
            (Some(column.clone()), Some(field.clone()))
        }
        Note::Shadowed {
            column,
            field,
            used,
        } => (Some(column.clone()), Some(format!("{field} ({used})"))),
        Note::UnitFromHeader { column, unit } | Note::UnitGlued { column, unit } => {
            (Some(column.clone()), Some(unit_code(*unit)))
        }
        Note::Decimal { column, sep, .. } => (Some(column.clone()), Some(sep.code().to_string())),
        Note::NaiveTimestamps { column, zone } => (Some(column.clone()), Some(zone.clone())),
        Note::EpochUnit { column, unit } => (Some(column.clone()), Some(unit.code().to_string())),
        Note::DateOrder { column, order, .. } => {
            (Some(column.clone()), Some(order.code().to_string()))
        }
        Note::SplitTimestamp { date, time } => {
            (Some(format!("{date} + {time}")), Some("ts".into()))
        }
        Note::DefaultTruckId { truck_id } => (None, Some(truck_id.clone())),
        Note::UnknownColumns { columns } => (None, Some(columns.join(", "))),
    };
    ImportNote {
        code: note.code().to_string(),
        column,
        value,
    }
}

fn unit_code(unit: fc_model::units::Unit) -> String {
    serde_json::to_value(unit)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
