//! `analyze`, `simulate` and `eval`: argument parsing and rendering over the core
//! API. Analysing files needs no database (nothing is stored); the fleet's
//! settings are read from the database only when it already exists.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use fc_core::dto_analysis::SpreadDto;
use fc_core::{AnalysisReport, AnalyzeRequest, Core, EvalReport, EvalRequest, FleetSettings};
use fc_core::{SimConfig, SimulationReport};
use fc_i18n::{Arg, Translator};

use crate::{emit, render};

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Telemetry files (trucks and purchases files among them are recognised); none: the stored data.
    files: Vec<PathBuf>,
    /// Truck profiles (tank sizes and calibration tables).
    #[arg(long = "trucks")]
    trucks: Vec<PathBuf>,
    /// Fuel-card purchases to reconcile.
    #[arg(long = "purchases")]
    purchases: Vec<PathBuf>,
    /// Write the HTML report to this file.
    #[arg(long)]
    html: Option<PathBuf>,
    /// Also list sub-threshold events and candidates.
    #[arg(long)]
    candidates: bool,
    /// IANA time zone for timestamps without an offset; default: the fleet's.
    #[arg(long)]
    time_zone: Option<String>,
    /// Theft model file; default: theft-model.json in the app-data folder, if trained.
    #[arg(long)]
    model: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Number of trucks.
    #[arg(long, default_value_t = 10)]
    trucks: usize,
    /// Number of days.
    #[arg(long, default_value_t = 7)]
    days: u32,
    /// Seed: the same seed writes the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output folder (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// `clean`, `default` or `hard`.
    #[arg(long, default_value = "default")]
    profile: String,
    /// Reefer trucks top up their units from their own tank at the depot (legitimate;
    /// listed in traps.csv as `reefer_transfer`, never a label).
    #[arg(long)]
    reefer: bool,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A folder written by `simulate`; without it, fresh simulations of --profile.
    dir: Option<PathBuf>,
    /// Profiles to simulate (`clean,default,hard`).
    #[arg(long, value_delimiter = ',', default_value = "default")]
    profile: Vec<String>,
    /// Seeds, e.g. `1-5` or `1,2,7` (at least 5 give a meaningful spread).
    #[arg(long, default_value = "1-5")]
    seeds: String,
    /// Trucks per simulated fleet.
    #[arg(long, default_value_t = 20)]
    trucks: usize,
    /// Days per simulated fleet.
    #[arg(long, default_value_t = 14)]
    days: u32,
    /// Compare rule-only with rule+ML using this model (trained on other seeds).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Or train a model first on these seeds (e.g. 1001-1003), never the evaluated ones.
    #[arg(long)]
    train_seeds: Option<String>,
}

fn sqlite_path(url: &str) -> Option<PathBuf> {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|p| PathBuf::from(p.split('?').next().unwrap_or(p)))
}

pub async fn analyze(
    args: AnalyzeArgs,
    db: &str,
    json: bool,
    tr: &Translator,
) -> anyhow::Result<ExitCode> {
    let request = AnalyzeRequest {
        files: args.files.clone(),
        trucks: args.trucks,
        purchases: args.purchases,
        time_zone: args.time_zone,
        candidates: args.candidates,
        model: crate::ml::load(args.model.as_deref(), json, tr).map(crate::ml::as_event_model),
    };
    let mut progress = render::Progress::new(tr, json);
    let report = if args.files.is_empty() {
        let core = Core::open(db).await?;
        let r = core
            .analyze_stored(&request, &mut |p| progress.update(p))
            .await;
        core.close().await;
        r
    } else {
        // Files are analysed in memory; an existing database only lends its settings.
        let settings = match sqlite_path(db) {
            Some(path) if !path.exists() => FleetSettings::default(),
            _ => {
                let core = Core::open(db).await?;
                let s = core.fleet_settings().await;
                core.close().await;
                s?
            }
        };
        fc_core::analyze_files(&request, &settings, &mut |p| progress.update(p))
    };
    progress.finish();
    let report = report?;
    let prefs = fc_core::Preferences::load(&fc_core::paths::preferences_path());
    if let Some(path) = &args.html {
        fc_core::write_html(path, &report, tr.lang(), prefs.units())?;
    }
    emit(json, &report, || {
        let mut out = analysis_text(tr, &report, prefs.units());
        if let Some(path) = &args.html {
            let _ = writeln!(
                out,
                "{}",
                tr.t_args(
                    "analysis-html-written",
                    &[("file", path.display().to_string().into())]
                )
            );
        }
        out
    })?;
    Ok(ExitCode::SUCCESS)
}

fn count_args(tr: &Translator, n: u64) -> [(&'static str, Arg); 2] {
    [("count", n.into()), ("n", tr.int(n as i64).into())]
}

pub fn analysis_text(tr: &Translator, r: &AnalysisReport, units: fc_i18n::Units) -> String {
    let mut out = String::new();
    let vu = units.volume_symbol();
    let du = units.distance_symbol();
    let opt = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |v| tr.num(units.volume(v), 1));
    let _ = writeln!(out, "{}", tr.t("analysis-trucks"));
    let _ = writeln!(
        out,
        "{:<16} {:>14} {:>18} {:>10} {:>10} {:>18} {:>8}",
        tr.t("col-truck"),
        tr.t_args("analysis-col-distance", &[("unit", du.into())]),
        tr.t_args("analysis-col-fuel-used", &[("unit", vu.into())]),
        tr.t("analysis-col-efficiency"),
        tr.t("analysis-col-idle-h"),
        tr.t_args("analysis-col-idle-fuel", &[("unit", vu.into())]),
        tr.t("analysis-col-events"),
    );
    for t in &r.trucks {
        let _ = writeln!(
            out,
            "{:<16} {:>14} {:>18} {:>10} {:>10} {:>18} {:>8}",
            t.truck_id,
            tr.num(units.distance(t.distance_km), 1),
            opt(t.fuel_used_l),
            t.l_per_100km.map_or_else(|| "—".into(), |v| tr.num(v, 1)),
            tr.num(t.idle_h, 1),
            tr.num(units.volume(t.idle_fuel_l), 1),
            tr.int(i64::from(t.alerts)),
        );
    }
    let _ = writeln!(
        out,
        "\n{}",
        tr.t_args(
            "analysis-events",
            &[("threshold", tr.num(r.alert_threshold, 2).into())]
        )
    );
    if r.events.is_empty() {
        let _ = writeln!(out, "  {}", tr.t("analysis-events-empty"));
    }
    for e in &r.events {
        let _ = writeln!(
            out,
            "  {}",
            tr.t_args(
                "analysis-event-line",
                &[
                    ("kind", tr.t(&format!("analysis-kind-{}", e.kind)).into()),
                    ("truck", e.truck_id.as_str().into()),
                    ("start", fc_core::local_time(&e.start, &r.time_zone).into()),
                    ("end", fc_core::local_time(&e.end, &r.time_zone).into()),
                    (
                        "volume",
                        format!("{} {vu}", tr.num(units.volume(e.volume_l), 1)).into()
                    ),
                    ("confidence", tr.num(e.confidence, 2).into()),
                ]
            )
        );
        if let Some(parts) = &e.explanation {
            let _ = writeln!(out, "    {}", crate::ml::explanation_text(tr, parts));
        }
    }
    if !r.purchases.is_empty() {
        let _ = writeln!(out, "\n{}", tr.t("analysis-purchases"));
        for p in &r.purchases {
            let _ = writeln!(
                out,
                "  {}",
                tr.t_args(
                    "analysis-purchase-line",
                    &[
                        ("truck", p.truck_id.as_str().into()),
                        ("time", fc_core::local_time(&p.ts, &r.time_zone).into()),
                        (
                            "litres",
                            format!("{} {vu}", tr.num(units.volume(p.litres), 1)).into()
                        ),
                        (
                            "status",
                            tr.t(&format!("analysis-status-{}", p.status.replace('_', "-")))
                                .into()
                        ),
                    ]
                )
            );
        }
        let _ = writeln!(
            out,
            "  {}",
            tr.t_args(
                "analysis-unpaid",
                &count_args(tr, r.unpaid_fills.len() as u64)
            )
        );
    }
    let secs = r.elapsed_ms as f64 / 1000.0;
    let rate = if secs > 0.0 {
        r.rows as f64 / secs
    } else {
        0.0
    };
    let _ = writeln!(
        out,
        "\n{}",
        tr.t_args(
            "analysis-rows",
            &[
                ("rows", tr.int(r.rows as i64).into()),
                ("secs", tr.num(secs, 1).into()),
                ("rate", tr.num(rate, 0).into()),
                ("rejected", tr.int(r.rejected_rows as i64).into()),
            ]
        )
    );
    out
}

pub fn simulate(args: SimulateArgs, json: bool, tr: &Translator) -> anyhow::Result<ExitCode> {
    let profile = fc_core::parse_profile(&args.profile)?;
    let cfg = SimConfig {
        reefer: args.reefer,
        ..SimConfig::new(args.trucks, args.days, args.seed, profile)
    };
    let report = fc_core::simulate(&args.out, &cfg)?;
    emit(json, &report, || simulate_text(tr, &report))?;
    Ok(ExitCode::SUCCESS)
}

fn simulate_text(tr: &Translator, r: &SimulationReport) -> String {
    let n = |v: u64| Arg::from(tr.int(v as i64));
    format!(
        "{}\n",
        tr.t_args(
            "simulate-done",
            &[
                ("trucks", n(r.trucks)),
                ("days", n(u64::from(r.days))),
                ("profile", r.profile.as_str().into()),
                ("seed", r.seed.to_string().into()),
                ("rows", n(r.rows)),
                ("fills", n(r.fills)),
                ("drains", n(r.drains)),
                ("purchases", n(r.purchases)),
                ("dir", r.dir.as_str().into()),
            ]
        )
    )
}

/// `1-5` or `1,2,7`.
/// Loads a model for `eval` (a broken file is an error here: nothing to compare).
fn fc_ml_model(path: &std::path::Path) -> anyhow::Result<fc_ml::Model> {
    let load = fc_core::ml::load_model(Some(path));
    match (load.model, load.problem) {
        (Some(m), _) => Ok(m.model().clone()),
        (None, Some(e)) => Err(e.into()),
        (None, None) => Err(fc_core::CoreError::Internal("no model".into()).into()),
    }
}

pub(crate) fn parse_seeds(s: &str) -> anyhow::Result<Vec<u64>> {
    let bad = || fc_core::CoreError::Invalid {
        what: "--seeds".into(),
        why: format!("`{s}` is not a list of seeds; write e.g. 1-5 or 1,2,7"),
    };
    let mut v = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if let Some((a, b)) = part.split_once('-') {
            let a: u64 = a.trim().parse().map_err(|_| bad())?;
            let b: u64 = b.trim().parse().map_err(|_| bad())?;
            if b < a || b - a > 1000 {
                return Err(bad().into());
            }
            v.extend(a..=b);
        } else {
            v.push(part.parse().map_err(|_| bad())?);
        }
    }
    if v.is_empty() {
        return Err(bad().into());
    }
    Ok(v)
}

pub fn eval(args: EvalArgs, json: bool, tr: &Translator) -> anyhow::Result<ExitCode> {
    let profiles = args
        .profile
        .iter()
        .map(|p| fc_core::parse_profile(p))
        .collect::<Result<Vec<_>, _>>()?;
    let request = EvalRequest {
        dir: args.dir,
        profiles,
        seeds: parse_seeds(&args.seeds)?,
        trucks: args.trucks,
        days: args.days,
        model: None,
    };
    let mut request = request;
    let trained_tmp = std::env::temp_dir().join(format!(
        "fuelcopilot-eval-model-{}.json",
        std::process::id()
    ));
    if let Some(seeds) = &args.train_seeds {
        let train = fc_core::TrainRequest {
            profile: request.profiles.first().copied(),
            seeds: parse_seeds(seeds)?,
            trucks: request.trucks,
            days: request.days,
            out: Some(trained_tmp.clone()),
            ..fc_core::TrainRequest::default()
        };
        let report = fc_core::train(&train, &mut |source| {
            if !json {
                eprintln!(
                    "{}",
                    tr.t_args("ml-train-source", &[("source", source.into())])
                );
            }
        });
        let loaded = report.and_then(|_| {
            fc_core::ml::load_model(Some(&trained_tmp))
                .model
                .ok_or_else(|| {
                    fc_core::CoreError::Internal("the trained model did not load".into())
                })
        });
        let _ = std::fs::remove_file(&trained_tmp);
        request.model = Some(std::sync::Arc::new(loaded?.model().clone()));
    } else if let Some(path) = &args.model {
        let m = fc_ml_model(path)?;
        request.model = Some(std::sync::Arc::new(m));
    }
    let report = fc_core::evaluate(&request, &mut |run| {
        if !json {
            eprintln!(
                "{}",
                tr.t_args(
                    "eval-run",
                    &[
                        ("source", run.source.as_str().into()),
                        ("rows", tr.int(run.rows as i64).into()),
                        ("labels", tr.int(run.labels as i64).into()),
                    ]
                )
            );
        }
    })?;
    emit(json, &report, || {
        let mut out = eval_text(tr, &report);
        out.push_str(&crate::ml::eval_ml_text(tr, &report));
        out
    })?;
    Ok(ExitCode::SUCCESS)
}

fn eval_text(tr: &Translator, r: &EvalReport) -> String {
    let cell = |s: &SpreadDto, scale: f64, decimals: usize| {
        format!(
            "{} ± {}",
            tr.num(s.mean * scale, decimals),
            tr.num(s.sd * scale, decimals)
        )
    };
    let mut out = String::new();
    let mut group = String::new();
    for m in &r.summary {
        if m.group != group {
            group = m.group.clone();
            let _ = writeln!(
                out,
                "\n{}",
                tr.t_args(
                    "eval-header",
                    &[
                        ("group", m.group.as_str().into()),
                        ("runs", i64::from(m.runs).into())
                    ]
                )
            );
            let _ = writeln!(
                out,
                "{:<9} {:<12} {:>16} {:>16} {:>16} {:>28} {:>30}",
                tr.t("eval-col-method"),
                tr.t("eval-col-kind"),
                tr.t("eval-col-precision"),
                tr.t("eval-col-recall"),
                tr.t("eval-col-f1"),
                tr.t("eval-col-volume-error"),
                tr.t("eval-col-false-drains"),
            );
        }
        for k in [&m.fill, &m.drain] {
            let _ = writeln!(
                out,
                "{:<9} {:<12} {:>16} {:>16} {:>16} {:>28} {:>30}",
                m.method,
                tr.t(&format!("analysis-kind-{}", k.kind)),
                cell(&k.precision, 1.0, 3),
                cell(&k.recall, 1.0, 3),
                cell(&k.f1, 1.0, 3),
                k.median_volume_error
                    .as_ref()
                    .map_or_else(|| "—".into(), |s| cell(s, 100.0, 1)),
                if k.kind == "drain" {
                    cell(&m.false_drains_per_100_truck_days, 1.0, 2)
                } else {
                    String::new()
                },
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_and_database_paths() {
        assert_eq!(parse_seeds("1-3,7").unwrap(), vec![1, 2, 3, 7]);
        assert!(parse_seeds("5-1").is_err());
        assert!(parse_seeds("x").is_err());
        assert!(parse_seeds("").is_err());
        assert_eq!(
            sqlite_path("sqlite:///tmp/a.db?mode=rwc"),
            Some(PathBuf::from("/tmp/a.db"))
        );
        assert_eq!(sqlite_path("postgres://x"), None);
    }
}
