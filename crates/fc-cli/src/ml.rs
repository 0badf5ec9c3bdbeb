//! `train`, and the model parts of `analyze` and `eval`: loading with a translated
//! warning and the rule's confidence as fallback, the rule-only against rule+ML
//! table, explanations. Logic lives in `fc_core::ml` and `fc_ml`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use fc_core::dto_analysis::{ContributionDto, SpreadDto};
use fc_core::{Core, EvalReport, EventModel, TrainReport, TrainRequest};
use fc_i18n::Translator;

use crate::emit;

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Folders written by `simulate` (telemetry.csv, trucks.csv, labels.csv, purchases.csv).
    dirs: Vec<PathBuf>,
    /// Profile to simulate for training (`clean`, `default`, `hard`).
    #[arg(long, default_value = "hard")]
    profile: String,
    /// Seeds to simulate; default 1001-1003 when no folder is given (eval uses 1-5).
    #[arg(long)]
    seeds: Option<String>,
    /// Trucks per simulated fleet.
    #[arg(long, default_value_t = 50)]
    trucks: usize,
    /// Days per simulated fleet.
    #[arg(long, default_value_t = 14)]
    days: u32,
    /// Where to write the model; default: theft-model.json in the app-data folder.
    #[arg(long)]
    model: Option<PathBuf>,
}

/// Loads the model for `analyze`/`eval`; a problem is reported and the rule's
/// confidence is used instead.
pub fn load(
    path: Option<&std::path::Path>,
    json: bool,
    tr: &Translator,
) -> Option<Arc<fc_core::TheftModel>> {
    let load = fc_core::load_model(path);
    if let Some(problem) = &load.problem
        && !json
    {
        eprintln!(
            "{}",
            tr.t_args(
                "ml-model-fallback",
                &[("reason", message(tr, problem).into())]
            )
        );
    }
    load.model
}

/// A core error in the user's language (its catalogue message when there is one).
fn message(tr: &Translator, e: &fc_core::CoreError) -> String {
    let id = format!("error-{}", e.code().replace('_', "-"));
    if tr.has(&id) {
        let args: Vec<(&str, fc_i18n::Arg)> =
            e.args().into_iter().map(|(k, v)| (k, v.into())).collect();
        tr.t_args(&id, &args)
    } else {
        e.to_string()
    }
}

/// The model as the analysis seam wants it.
pub fn as_event_model(m: Arc<fc_core::TheftModel>) -> Arc<dyn EventModel> {
    m
}

pub async fn train(
    args: TrainArgs,
    db: Option<&str>,
    json: bool,
    tr: &Translator,
) -> anyhow::Result<ExitCode> {
    let seeds = match &args.seeds {
        Some(s) => crate::analysis::parse_seeds(s)?,
        None if args.dirs.is_empty() => fc_core::DEFAULT_TRAIN_SEEDS.to_vec(),
        None => Vec::new(),
    };
    let request = TrainRequest {
        dirs: args.dirs,
        profile: Some(fc_core::parse_profile(&args.profile)?),
        seeds,
        trucks: args.trucks,
        days: args.days,
        verdicts: Default::default(),
        out: args.model,
    };
    let mut progress = |source: &str| {
        if !json {
            eprintln!(
                "{}",
                tr.t_args("ml-train-source", &[("source", source.into())])
            );
        }
    };
    let report = match db {
        Some(url) => {
            let core = Core::open(url).await?;
            let r = core.train_stored(&request, &mut progress).await;
            core.close().await;
            r?
        }
        None => fc_core::train(&request, &mut progress)?,
    };
    emit(json, &report, || train_text(tr, &report))?;
    Ok(ExitCode::SUCCESS)
}

fn train_text(tr: &Translator, r: &TrainReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        tr.t_args(
            "ml-train-done",
            &[
                ("file", r.model_file.as_str().into()),
                ("version", r.model_version.as_str().into()),
                ("rows", tr.int(r.rows as i64).into()),
                ("points", tr.int(r.points as i64).into()),
                ("verdicts", tr.int(r.verdicts as i64).into()),
                ("seconds", tr.num(r.elapsed_ms as f64 / 1000.0, 1).into()),
            ]
        )
    );
    if r.rescored > 0 {
        let _ = writeln!(
            out,
            "{}",
            tr.t_args(
                "ml-train-rescored",
                &[("count", tr.int(r.rescored as i64).into())]
            )
        );
    }
    for h in &r.heads {
        let _ = writeln!(
            out,
            "  {}",
            tr.t_args(
                "ml-train-head",
                &[
                    ("kind", tr.t(&format!("analysis-kind-{}", h.kind)).into()),
                    ("rows", tr.int(h.rows as i64).into()),
                    ("positives", tr.int(h.positives as i64).into()),
                    ("auc", tr.num(h.roc_auc, 3).into()),
                    ("rule_auc", tr.num(h.rule_roc_auc, 3).into()),
                    ("brier", tr.num(h.brier, 4).into()),
                    ("threshold", tr.num(h.threshold_at_rule_recall, 2).into()),
                ]
            )
        );
    }
    out
}

/// One line of explanation: the largest contributions.
pub fn explanation_text(tr: &Translator, parts: &[ContributionDto]) -> String {
    let list: Vec<String> = parts
        .iter()
        .map(|c| format!("{} {}", c.feature, tr.num(c.log_odds, 2)))
        .collect();
    tr.t_args("ml-explanation", &[("parts", list.join(", ").into())])
}

/// The rule-only against rule+ML table of `eval` (empty without a model).
pub fn eval_ml_text(tr: &Translator, r: &EvalReport) -> String {
    let mut out = String::new();
    if r.ml_summary.is_empty() {
        return out;
    }
    let cell = |s: &SpreadDto, d: usize| format!("{} ± {}", tr.num(s.mean, d), tr.num(s.sd, d));
    let mut group = String::new();
    for m in &r.ml_summary {
        if m.group != group {
            group = m.group.clone();
            let _ = writeln!(
                out,
                "\n{}",
                tr.t_args(
                    "ml-eval-header",
                    &[
                        ("group", m.group.as_str().into()),
                        ("runs", i64::from(m.runs).into()),
                        ("model", r.model_version.clone().unwrap_or_default().into()),
                    ]
                )
            );
            let _ = writeln!(
                out,
                "{:<10} {:<36} {:>16} {:>16} {:>16} {:>20} {:>16} {:>16}",
                tr.t("eval-col-kind"),
                tr.t("eval-col-method"),
                tr.t("eval-col-precision"),
                tr.t("eval-col-recall"),
                tr.t("eval-col-f1"),
                tr.t("ml-col-false-per-100"),
                tr.t("ml-col-precision-top"),
                tr.t("ml-col-auc"),
            );
        }
        let _ = writeln!(
            out,
            "{:<10} {:<36} {:>16} {:>16} {:>16} {:>20} {:>16} {:>16}",
            tr.t(&format!("analysis-kind-{}", m.kind)),
            tr.t(&format!("ml-method-{}", m.method.replace('_', "-"))),
            cell(&m.precision, 3),
            cell(&m.recall, 3),
            cell(&m.f1, 3),
            cell(&m.false_per_100_truck_days, 2),
            cell(&m.precision_at_top, 3),
            cell(&m.roc_auc, 3),
        );
    }
    out
}
