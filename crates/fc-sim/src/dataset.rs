//! Writing a simulated fleet to the canonical CSV files.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use fc_model::{CANONICAL_HEADER, format_ts, push_csv_field, write_point_row};

use crate::fleet::Fleet;
use crate::{Label, SimConfig, SimError, Trap};

/// Header of `trucks.csv`.
pub const TRUCKS_HEADER: &str = "truck_id,name,tank_l,fuel_type,calibration,tank2_l,calibration2";
/// Header of `purchases.csv`.
pub const PURCHASES_HEADER: &str = "truck_id,ts,litres,price_per_l,lat,lon,card_id,station";
/// Header of `labels.csv` (the last column names the scenario).
pub const LABELS_HEADER: &str = "truck_id,kind,start,end,volume_l,scenario";
/// Header of `traps.csv`.
pub const TRAPS_HEADER: &str = "truck_id,kind,start,end,note";

/// Simulated time advanced per batch while writing: bounds memory.
const CHUNK_MS: i64 = 3_600_000;

/// What [`write_dataset`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetSummary {
    /// Telemetry rows (duplicates included).
    pub rows: u64,
    /// Trucks.
    pub trucks: usize,
    /// Fill labels.
    pub fills: usize,
    /// Drain labels.
    pub drains: usize,
    /// Card purchases.
    pub purchases: usize,
    /// Traps and faults.
    pub traps: usize,
    /// Start of the span, UTC ms.
    pub start_ms: i64,
    /// End of the span (exclusive), UTC ms.
    pub end_ms: i64,
}

struct Out {
    path: String,
    w: BufWriter<File>,
}

impl Out {
    fn create(dir: &Path, name: &str) -> Result<Out, SimError> {
        let path = dir.join(name);
        let shown = path.display().to_string();
        let f = File::create(&path).map_err(|source| SimError::Io {
            path: shown.clone(),
            source,
        })?;
        Ok(Out {
            path: shown,
            w: BufWriter::with_capacity(1 << 20, f),
        })
    }

    fn write(&mut self, s: &str) -> Result<(), SimError> {
        self.w
            .write_all(s.as_bytes())
            .map_err(|source| SimError::Io {
                path: self.path.clone(),
                source,
            })
    }

    fn finish(mut self) -> Result<(), SimError> {
        self.w.flush().map_err(|source| SimError::Io {
            path: self.path.clone(),
            source,
        })
    }
}

/// CSV quoting for free text, as the canonical writer does it.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_csv_field(&mut out, s);
    out
}

fn opt_f(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Simulates `cfg` and writes `telemetry.csv`, `trucks.csv`, `purchases.csv`,
/// `labels.csv` and `traps.csv` into `dir` (created if missing). Telemetry is
/// streamed, so memory stays flat however long the span.
pub fn write_dataset(dir: &Path, cfg: &SimConfig) -> Result<DatasetSummary, SimError> {
    let mut fleet = Fleet::new(cfg)?;
    std::fs::create_dir_all(dir).map_err(|source| SimError::Io {
        path: dir.display().to_string(),
        source,
    })?;

    let mut trucks = Out::create(dir, "trucks.csv")?;
    trucks.write(TRUCKS_HEADER)?;
    trucks.write("\n")?;
    for t in fleet.trucks() {
        let mut row = format!("{},{},", text(&t.truck_id), text(&t.name));
        let tank_text = |i: usize| {
            t.tanks.get(i).map(|tank| {
                let cal = tank
                    .calibration
                    .clone()
                    .unwrap_or_else(|| fc_model::Calibration::linear(tank.capacity_l));
                (tank.capacity_l.to_string(), cal.to_text())
            })
        };
        let (cap1, cal1) = tank_text(0).unwrap_or_default();
        let (cap2, cal2) = tank_text(1).unwrap_or_default();
        row.push_str(&format!(
            "{cap1},{},{cal1},{cap2},{cal2}\n",
            text(t.fuel_type.as_deref().unwrap_or(""))
        ));
        trucks.write(&row)?;
    }
    trucks.finish()?;

    let mut tele = Out::create(dir, "telemetry.csv")?;
    tele.write(CANONICAL_HEADER)?;
    tele.write("\n")?;
    let mut rows = 0u64;
    let mut labels = Vec::new();
    let mut purchases = Vec::new();
    let mut traps = Vec::new();
    let mut buf = String::with_capacity(1 << 20);
    let end = fleet.end_ms();
    let mut t = fleet.start_ms();
    loop {
        t = (t + CHUNK_MS).min(end);
        let pts = fleet.next_until(t);
        buf.clear();
        for p in &pts {
            write_point_row(p, &mut buf);
            buf.push('\n');
        }
        rows += pts.len() as u64;
        tele.write(&buf)?;
        labels.append(&mut fleet.take_labels());
        purchases.append(&mut fleet.take_purchases());
        traps.append(&mut fleet.take_traps());
        if t >= end {
            break;
        }
    }
    tele.finish()?;

    labels.sort_by(|a: &Label, b: &Label| {
        (&a.truck_id, a.start, a.kind).cmp(&(&b.truck_id, b.start, b.kind))
    });
    let mut out = Out::create(dir, "labels.csv")?;
    out.write(LABELS_HEADER)?;
    out.write("\n")?;
    for l in &labels {
        out.write(&format!(
            "{},{},{},{},{},{}\n",
            text(&l.truck_id),
            l.kind.as_str(),
            format_ts(l.start),
            format_ts(l.end),
            l.volume_l,
            l.scenario
        ))?;
    }
    out.finish()?;

    purchases.sort_by(|a, b| (a.ts, &a.truck_id).cmp(&(b.ts, &b.truck_id)));
    let mut out = Out::create(dir, "purchases.csv")?;
    out.write(PURCHASES_HEADER)?;
    out.write("\n")?;
    for p in &purchases {
        out.write(&format!(
            "{},{},{},{},{},{},{},{}\n",
            text(&p.truck_id),
            format_ts(p.ts),
            p.litres,
            p.price_per_l,
            opt_f(p.lat),
            opt_f(p.lon),
            text(p.card_id.as_deref().unwrap_or("")),
            text(p.station.as_deref().unwrap_or(""))
        ))?;
    }
    out.finish()?;

    traps.sort_by(|a: &Trap, b: &Trap| {
        (&a.truck_id, a.start, &a.kind).cmp(&(&b.truck_id, b.start, &b.kind))
    });
    let mut out = Out::create(dir, "traps.csv")?;
    out.write(TRAPS_HEADER)?;
    out.write("\n")?;
    for tr in &traps {
        out.write(&format!(
            "{},{},{},{},{}\n",
            text(&tr.truck_id),
            text(&tr.kind),
            format_ts(tr.start),
            format_ts(tr.end),
            text(&tr.note)
        ))?;
    }
    out.finish()?;

    Ok(DatasetSummary {
        rows,
        trucks: fleet.trucks().len(),
        fills: labels
            .iter()
            .filter(|l| l.kind == crate::LabelKind::Fill)
            .count(),
        drains: labels
            .iter()
            .filter(|l| l.kind == crate::LabelKind::Drain)
            .count(),
        purchases: purchases.len(),
        traps: traps.len(),
        start_ms: cfg.start_ms,
        end_ms: cfg.end_ms(),
    })
}
