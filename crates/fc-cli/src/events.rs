//! `detect`, `events`, `verdict` and `alerts`: the stored events, the
//! dispatcher's verdicts and the alert outbox. Thin: parse, call `fc_core`, render.

use std::fmt::Write;
use std::process::ExitCode;

use clap::Args;
use fc_core::{AlertDto, Core, DetectReport, EventQuery, StoredEventDto};
use fc_i18n::Translator;

use crate::emit;

#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Only these trucks (repeat the option for several); default: all.
    #[arg(long = "truck")]
    trucks: Vec<String>,
    /// Theft model file; default: theft-model.json in the app-data folder, if trained.
    #[arg(long)]
    model: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Only these trucks (repeat the option for several).
    #[arg(long = "truck")]
    trucks: Vec<String>,
    /// Only events ending at or after this instant (RFC 3339).
    #[arg(long)]
    from: Option<String>,
    /// Only events starting before this instant (RFC 3339).
    #[arg(long)]
    to: Option<String>,
    /// Only this kind: fill, drain or sensor_fault (repeat for several).
    #[arg(long = "kind")]
    kinds: Vec<String>,
    /// Only events that reach the fleet's alert threshold.
    #[arg(long)]
    alerts: bool,
    /// Also list retracted events.
    #[arg(long)]
    retracted: bool,
    /// At most this many, newest first.
    #[arg(long, default_value_t = 100)]
    limit: u32,
}

#[derive(Debug, Args)]
pub struct VerdictArgs {
    /// The event's id (see `fuelcopilot events`).
    event_id: String,
    /// `confirmed` (a real theft) or `false_alarm`; `clear` removes the verdict.
    verdict: String,
    /// Who records the verdict.
    #[arg(long, env = "USER")]
    by: Option<String>,
    /// A note to keep with the verdict.
    #[arg(long)]
    note: Option<String>,
}

#[derive(Debug, Args)]
pub struct AlertsArgs {
    /// List the alerts after this sequence number, oldest first (resume), instead of the open ones.
    #[arg(long)]
    after: Option<i64>,
    /// Acknowledge this alert.
    #[arg(long)]
    ack: Option<i64>,
    /// Who acknowledges.
    #[arg(long, env = "USER")]
    by: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = 100)]
    limit: u32,
}

pub async fn detect(
    core: &Core,
    args: DetectArgs,
    json: bool,
    tr: &Translator,
) -> anyhow::Result<ExitCode> {
    let model = crate::ml::load(args.model.as_deref(), json, tr);
    let report = core
        .detect_stored_with(&args.trucks, model.as_deref())
        .await?;
    emit(json, &report, || detect_text(tr, &report))?;
    Ok(ExitCode::SUCCESS)
}

pub async fn events(
    core: &Core,
    args: EventsArgs,
    json: bool,
    tr: &Translator,
) -> anyhow::Result<ExitCode> {
    let query = EventQuery {
        trucks: args.trucks,
        from: args.from,
        to: args.to,
        kinds: args.kinds,
        alerts_only: args.alerts,
        include_retracted: args.retracted,
        limit: Some(args.limit),
    };
    let events = core.events(&query).await?;
    let zone = core.fleet_settings().await?.time_zone;
    emit(json, &events, || events_text(tr, &events, &zone))?;
    Ok(ExitCode::SUCCESS)
}

fn who(by: Option<String>) -> anyhow::Result<String> {
    by.filter(|b| !b.trim().is_empty()).ok_or_else(|| {
        fc_core::CoreError::Invalid {
            what: "--by".into(),
            why: "say who you are, e.g. --by ana".into(),
        }
        .into()
    })
}

pub async fn verdict(
    core: &Core,
    args: VerdictArgs,
    json: bool,
    tr: &Translator,
) -> anyhow::Result<ExitCode> {
    let zone = core.fleet_settings().await?.time_zone;
    if args.verdict.trim().eq_ignore_ascii_case("clear") {
        core.clear_verdict(&args.event_id).await?;
        let event = core.event(&args.event_id).await?;
        emit(json, &event, || {
            events_text(tr, std::slice::from_ref(&event), &zone)
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let kind = fc_core::parse_verdict(&args.verdict)?;
    let event = core
        .record_verdict(&args.event_id, kind, &who(args.by)?, args.note)
        .await?;
    emit(json, &event, || {
        events_text(tr, std::slice::from_ref(&event), &zone)
    })?;
    Ok(ExitCode::SUCCESS)
}

pub async fn alerts(
    core: &Core,
    args: AlertsArgs,
    json: bool,
    tr: &Translator,
) -> anyhow::Result<ExitCode> {
    if let Some(seq) = args.ack {
        core.ack_alert(seq, &who(args.by)?).await?;
    }
    let alerts = match args.after {
        Some(after) => core.alerts_after(after, args.limit).await?,
        None => core.open_alerts(args.limit).await?,
    };
    let zone = core.fleet_settings().await?.time_zone;
    emit(json, &alerts, || alerts_text(tr, &alerts, &zone))?;
    Ok(ExitCode::SUCCESS)
}

fn detect_text(tr: &Translator, r: &DetectReport) -> String {
    format!(
        "{}\n",
        tr.t_args(
            "detect-done",
            &[
                ("trucks", tr.int(i64::from(r.trucks)).into()),
                ("points", tr.int(r.points as i64).into()),
                ("events", tr.int(i64::from(r.events)).into()),
                ("changed", tr.int(i64::from(r.events_changed)).into()),
                ("retracted", tr.int(i64::from(r.retracted)).into()),
                ("alerts", tr.int(i64::from(r.alerts)).into()),
            ]
        )
    )
}

pub(crate) fn events_text(tr: &Translator, events: &[StoredEventDto], zone: &str) -> String {
    let mut out = String::new();
    if events.is_empty() {
        let _ = writeln!(out, "{}", tr.t("events-empty"));
    }
    for s in events {
        let e = &s.event;
        let verdict = match &s.verdict {
            Some(v) => tr.t_args(
                &format!("events-verdict-{}", v.verdict.replace('_', "-")),
                &[("by", v.by.as_str().into())],
            ),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "{}",
            tr.t_args(
                "events-line",
                &[
                    ("id", e.id.as_str().into()),
                    (
                        "kind",
                        tr.t(&format!("events-kind-{}", e.kind.replace('_', "-")))
                            .into()
                    ),
                    (
                        "status",
                        tr.t(&format!("events-status-{}", e.status)).into()
                    ),
                    ("start", fc_core::local_time(&e.start, zone).into()),
                    ("volume", tr.num(e.volume_l, 1).into()),
                    ("confidence", tr.num(e.confidence, 2).into()),
                    ("verdict", verdict.into()),
                ]
            )
        );
    }
    out
}

fn alerts_text(tr: &Translator, alerts: &[AlertDto], zone: &str) -> String {
    let mut out = String::new();
    if alerts.is_empty() {
        let _ = writeln!(out, "{}", tr.t("alerts-empty"));
    }
    for a in alerts {
        let kind_id = format!("alerts-kind-{}", a.kind.replace('_', "-"));
        let kind = if tr.has(&kind_id) {
            tr.t(&kind_id)
        } else {
            a.kind.clone()
        };
        let acked = match &a.acked_by {
            Some(by) => tr.t_args("alerts-acked", &[("by", by.as_str().into())]),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "{}",
            tr.t_args(
                "alerts-line",
                &[
                    ("seq", tr.int(a.seq).into()),
                    ("kind", kind.into()),
                    ("truck", a.truck_id.as_str().into()),
                    ("time", fc_core::local_time(&a.at, zone).into()),
                    ("acked", acked.into()),
                ]
            )
        );
    }
    out
}
