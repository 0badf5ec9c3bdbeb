//! Text and JSON rendering of core results. Every word goes through the
//! translator; numbers follow the language's format.

use std::fmt::Write;

use fc_core::{
    ExportReport, FileImportReport, FleetSettings, ImportProgress, TruckRow, TruckSummary,
};
use fc_i18n::Translator;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar on a terminal; silent when stderr is not one or JSON was asked for.
pub struct Progress {
    bar: Option<ProgressBar>,
    current: Option<String>,
}

impl Progress {
    pub fn new(tr: &Translator, json: bool) -> Progress {
        let target = ProgressDrawTarget::stderr();
        if json || target.is_hidden() {
            return Progress {
                bar: None,
                current: None,
            };
        }
        let bar = ProgressBar::with_draw_target(Some(0), target);
        let template = format!(
            "{{msg}} [{{bar:30}}] {{bytes}}/{{total_bytes}} · {{per_sec}} · {label} {{eta}}",
            label = tr.t("progress-eta")
        );
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress {
            bar: Some(bar),
            current: None,
        }
    }

    pub fn update(&mut self, p: ImportProgress) {
        let Some(bar) = &self.bar else { return };
        if self.current.as_deref() != Some(p.file.as_str()) {
            bar.set_length(p.bytes_total);
            bar.set_message(format!(
                "{}/{} {}",
                p.file_index + 1,
                p.files,
                short_name(&p.file)
            ));
            self.current = Some(p.file.clone());
        }
        bar.set_position(p.bytes_read);
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn short_name(path: &str) -> &str {
    std::path::Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(path)
}

fn opt_num(tr: &Translator, v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "—".to_string(), |v| tr.num(v, decimals))
}

pub fn import_text(tr: &Translator, reports: &[FileImportReport]) -> String {
    let mut out = String::new();
    for r in reports {
        let _ = writeln!(
            out,
            "{}",
            tr.t_args("import-file", &[("file", r.file.as_str().into())])
        );
        if let Some(err) = &r.error {
            let id = format!("error-{}", err.code.replace('_', "-"));
            let reason = if tr.has(&id) {
                let args: Vec<(&str, fc_i18n::Arg)> = err
                    .args
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str().into()))
                    .collect();
                tr.t_args(&id, &args)
            } else {
                err.message.clone()
            };
            let _ = writeln!(
                out,
                "  {}",
                tr.t_args("import-failed", &[("reason", reason.into())])
            );
            continue;
        }
        let kind = r.kind.as_deref().unwrap_or("telemetry");
        let format = r.format.as_deref().unwrap_or("csv");
        let _ = writeln!(
            out,
            "  {}",
            tr.t_args(
                "import-detected",
                &[
                    ("kind", tr.t(&format!("kind-{kind}")).into()),
                    ("format", format.to_uppercase().into())
                ]
            )
        );
        let counts: [(&str, u64); 6] = [
            ("import-rows-read", r.rows_read),
            ("import-stored", r.stored),
            ("import-duplicates", r.duplicates),
            ("import-conflicts", r.conflicts),
            ("import-rejected-rows", r.rejected_rows),
            ("import-rejected-fields", r.rejected_fields),
        ];
        for (id, n) in counts {
            let _ = writeln!(
                out,
                "  {}",
                tr.t_args(id, &[("count", n.into()), ("n", tr.int(n as i64).into())])
            );
        }
        if !r.rejected_by_reason.is_empty() {
            let _ = writeln!(out, "  {}", tr.t("import-by-reason"));
            for (reason, n) in &r.rejected_by_reason {
                let _ = writeln!(
                    out,
                    "    {:>10}  {}",
                    tr.int(*n as i64),
                    reason_label(tr, reason)
                );
            }
        }
        if !r.unknown_columns.is_empty() {
            let _ = writeln!(
                out,
                "  {}",
                tr.t_args(
                    "import-unknown-columns",
                    &[("columns", r.unknown_columns.join(", ").into())]
                )
            );
        }
        for note in &r.notes {
            let id = format!("note-{}", note.code.replace('_', "-"));
            let args = [
                ("column", note.column.clone().unwrap_or_default().into()),
                ("value", note.value.clone().unwrap_or_default().into()),
            ];
            let text = if tr.has(&id) {
                tr.t_args(&id, &args)
            } else {
                note.code.clone()
            };
            let _ = writeln!(out, "  · {text}");
        }
        let secs = r.elapsed_ms as f64 / 1000.0;
        let rate = if secs > 0.0 {
            r.rows_read as f64 / secs
        } else {
            0.0
        };
        let _ = writeln!(
            out,
            "  {}",
            tr.t_args(
                "import-elapsed",
                &[
                    ("secs", tr.num(secs, 1).into()),
                    ("rate", tr.num(rate, 0).into())
                ]
            )
        );
    }
    out
}

/// The translated label of a quarantine reason code (`out_of_range`, `bad_ts`, ...).
pub fn reason_label(tr: &Translator, code: &str) -> String {
    let id = format!("reason-{}", code.replace('_', "-"));
    if tr.has(&id) {
        tr.t(&id)
    } else {
        code.to_string()
    }
}

pub fn trucks_text(tr: &Translator, trucks: &[TruckRow]) -> String {
    let mut out = String::new();
    if trucks.is_empty() {
        let _ = writeln!(out, "{}", tr.t("trucks-empty"));
        return out;
    }
    let _ = writeln!(
        out,
        "{:<16} {:<24} {:>12} {:>12} {:<24}",
        tr.t("col-truck"),
        tr.t("col-name"),
        tr.t("col-tank-l"),
        tr.t("col-points"),
        tr.t("col-last-seen")
    );
    for t in trucks {
        let capacity: f64 = t.tanks.iter().map(|k| k.capacity_l).sum();
        let tank = if t.tanks.is_empty() {
            "—".to_string()
        } else {
            tr.num(capacity, 0)
        };
        let _ = writeln!(
            out,
            "{:<16} {:<24} {:>12} {:>12} {:<24}",
            t.truck_id,
            t.name,
            tank,
            tr.int(t.points as i64),
            t.last_seen.as_deref().unwrap_or("—")
        );
    }
    out
}

pub fn summary_text(tr: &Translator, rows: &[TruckSummary]) -> String {
    let mut out = String::new();
    if rows.is_empty() {
        let _ = writeln!(out, "{}", tr.t("summary-empty"));
        return out;
    }
    let _ = writeln!(
        out,
        "{:<16} {:>10} {:<24} {:<24} {:>10} {:>12} {:>12} {:>10}",
        tr.t("col-truck"),
        tr.t("col-points"),
        tr.t("col-first"),
        tr.t("col-last"),
        tr.t("col-span-h"),
        tr.t("col-distance-km"),
        tr.t("col-fuel-used-l"),
        tr.t("col-rejected")
    );
    for s in rows {
        let _ = writeln!(
            out,
            "{:<16} {:>10} {:<24} {:<24} {:>10} {:>12} {:>12} {:>10}",
            s.truck_id,
            tr.int(s.points as i64),
            s.first_ts.as_deref().unwrap_or("—"),
            s.last_ts.as_deref().unwrap_or("—"),
            tr.num(s.span_h, 1),
            opt_num(tr, s.distance_km, 1),
            opt_num(tr, s.fuel_used_l, 1),
            tr.int(s.rejected as i64)
        );
    }
    out
}

pub fn settings_text(tr: &Translator, s: &FleetSettings) -> String {
    let rows: [(&str, String); 9] = [
        ("time_zone", s.time_zone.clone()),
        ("currency", s.currency.clone()),
        ("fuel_price_per_l", tr.num(s.fuel_price_per_l, 3)),
        ("speed_limit_kmh", tr.num(s.speed_limit_kmh, 0)),
        ("idle_min_s", tr.int(i64::from(s.idle_min_s))),
        ("alert_threshold", tr.num(s.alert_threshold, 2)),
        ("retention_days", tr.int(i64::from(s.retention_days))),
        ("reconcile_radius_m", tr.num(s.reconcile_radius_m, 0)),
        ("reconcile_window_min", tr.num(s.reconcile_window_min, 0)),
    ];
    let mut out = String::new();
    for (key, value) in rows {
        let label = tr.t(&format!("setting-{}", key.replace('_', "-")));
        let _ = writeln!(out, "{key:<22} {value:<20} {label}");
    }
    out
}

pub fn export_text(tr: &Translator, r: &ExportReport) -> String {
    let file = r.file.clone().unwrap_or_else(|| "-".into());
    format!(
        "{}\n",
        tr.t_args(
            "export-done",
            &[
                ("count", r.rows.into()),
                ("n", tr.int(r.rows as i64).into()),
                ("file", file.into())
            ]
        )
    )
}

pub fn error_text(tr: &Translator, err: &anyhow::Error) -> String {
    let (code, mut message) = error_parts(err);
    // A translated message where the catalogue has one for this code.
    if let Some(core) = err.downcast_ref::<fc_core::CoreError>() {
        let id = format!("error-{}", code.replace('_', "-"));
        if tr.has(&id) {
            let args: Vec<(&str, fc_i18n::Arg)> = core
                .args()
                .into_iter()
                .map(|(k, v)| (k, v.into()))
                .collect();
            message = tr.t_args(&id, &args);
        }
    }
    let mut out = tr.t_args("error-prefix", &[("message", message.into())]);
    let hint_id = format!("hint-{}", code.replace('_', "-"));
    if tr.has(&hint_id) {
        out.push('\n');
        out.push_str(&tr.t(&hint_id));
    }
    out
}

pub fn error_json(err: &anyhow::Error) -> String {
    let (code, message) = error_parts(err);
    serde_json::json!({ "error": { "code": code, "message": message } }).to_string()
}

fn error_parts(err: &anyhow::Error) -> (String, String) {
    match err.downcast_ref::<fc_core::CoreError>() {
        Some(core) => (core.code().to_string(), core.to_string()),
        None => ("internal".to_string(), format!("{err:#}")),
    }
}
