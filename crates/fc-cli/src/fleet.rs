//! `fleet` and `truck`: the desktop's fleet page and truck page on the command
//! line (the same `fc_core` reads). Thin: parse, call `fc_core`, render.

use std::fmt::Write;
use std::process::ExitCode;

use clap::Args;
use fc_core::{Core, FleetKpis, FleetSnapshot, TruckDetail};
use fc_i18n::Translator;
use serde::Serialize;

use crate::emit;

#[derive(Debug, Args)]
pub struct TruckArgs {
    /// The truck's id.
    truck_id: String,
    /// Window start (RFC 3339); default: 48 hours before the end.
    #[arg(long)]
    from: Option<String>,
    /// Window end (RFC 3339, exclusive); default: just after the truck's latest point.
    #[arg(long)]
    to: Option<String>,
}

#[derive(Serialize)]
struct FleetOut<'a> {
    kpis: &'a FleetKpis,
    snapshot: &'a FleetSnapshot,
}

pub async fn fleet(core: &Core, json: bool, tr: &Translator) -> anyhow::Result<ExitCode> {
    let kpis = core.fleet_kpis().await?;
    let snapshot = core.fleet_snapshot().await?;
    let zone = core.fleet_settings().await?.time_zone;
    let out = FleetOut {
        kpis: &kpis,
        snapshot: &snapshot,
    };
    emit(json, &out, || fleet_text(tr, &kpis, &snapshot, &zone))?;
    Ok(ExitCode::SUCCESS)
}

fn bound(what: &str, value: Option<&str>) -> anyhow::Result<Option<i64>> {
    value
        .map(|v| {
            fc_model::parse_rfc3339_ms(v).ok_or_else(|| {
                anyhow::Error::from(fc_core::CoreError::Invalid {
                    what: format!("--{what}"),
                    why: format!("`{v}` is not an RFC 3339 time; write e.g. 2024-03-01T00:00:00Z"),
                })
            })
        })
        .transpose()
}

pub async fn truck(
    core: &Core,
    args: TruckArgs,
    json: bool,
    tr: &Translator,
) -> anyhow::Result<ExitCode> {
    let from = bound("from", args.from.as_deref())?;
    let to = bound("to", args.to.as_deref())?;
    let detail = core.truck_detail(&args.truck_id, from, to).await?;
    let zone = core.fleet_settings().await?.time_zone;
    emit(json, &detail, || truck_text(tr, &detail, &zone))?;
    Ok(ExitCode::SUCCESS)
}

fn opt(tr: &Translator, v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| tr.t("fleet-none"), |x| tr.num(x, decimals))
}

fn time(ms: i64, zone: &str) -> String {
    fc_core::local_time(&fc_model::format_ts(ms), zone)
}

fn fleet_text(tr: &Translator, k: &FleetKpis, s: &FleetSnapshot, zone: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        tr.t_args(
            "fleet-kpis",
            &[
                ("day", k.day.as_str().into()),
                ("trucks", tr.int(i64::from(k.trucks)).into()),
                ("fuel", tr.num(k.fuel_used_l, 1).into()),
                ("distance", tr.num(k.distance_km, 1).into()),
                ("l100", opt(tr, k.l_per_100km, 1).into()),
                ("idle", opt(tr, k.idle_pct, 1).into()),
                ("alerts", tr.int(i64::from(k.open_alerts)).into()),
                ("thefts", tr.int(i64::from(k.open_thefts)).into()),
            ]
        )
    );
    if s.trucks.is_empty() {
        let _ = writeln!(out, "{}", tr.t("fleet-empty"));
        return out;
    }
    let _ = writeln!(out, "{}", tr.t("fleet-header"));
    for r in &s.trucks {
        let state = serde_json::to_value(r.state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let fuel = match r.fuel_l {
            Some(l) => tr.t_args(
                "fleet-fuel",
                &[
                    ("litres", tr.num(l, 0).into()),
                    ("pct", opt(tr, r.fuel_pct, 0).into()),
                ],
            ),
            None => tr.t("fleet-none"),
        };
        let speed = match r.speed_kmh {
            Some(v) => tr.t_args("fleet-speed", &[("speed", tr.num(v, 0).into())]),
            None => tr.t("fleet-none"),
        };
        let _ = writeln!(
            out,
            "{}",
            tr.t_args(
                "fleet-row",
                &[
                    ("truck", r.truck_id.as_str().into()),
                    ("name", r.name.as_str().into()),
                    ("state", tr.t(&format!("fleet-state-{state}")).into()),
                    ("fuel", fuel.into()),
                    ("speed", speed.into()),
                    (
                        "seen",
                        r.last_seen_ms
                            .map_or_else(|| tr.t("fleet-none"), |t| time(t, zone))
                            .into()
                    ),
                    ("alerts", tr.int(i64::from(r.open_alerts)).into()),
                ]
            )
        );
    }
    out
}

fn truck_text(tr: &Translator, d: &TruckDetail, zone: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        tr.t_args(
            "truck-title",
            &[
                ("truck", d.truck.truck_id.as_str().into()),
                ("name", d.truck.name.as_str().into()),
                ("from", time(d.from_ms, zone).into()),
                ("to", time(d.to_ms, zone).into()),
                ("samples", tr.int(d.series.len() as i64).into()),
            ]
        )
    );
    match &d.ledger {
        Some(l) => {
            let _ = writeln!(
                out,
                "{}",
                tr.t_args(
                    "truck-ledger",
                    &[
                        ("fuel", opt(tr, l.fuel_used_l, 1).into()),
                        ("distance", tr.num(l.distance_km, 1).into()),
                        ("l100", opt(tr, l.l_per_100km, 1).into()),
                        ("idle", tr.num(l.idle_h, 1).into()),
                        ("idle_l", tr.num(l.idle_fuel_l, 1).into()),
                        ("fills", tr.int(i64::from(l.fills)).into()),
                        ("fills_l", tr.num(l.fills_l, 1).into()),
                        ("drains", tr.int(i64::from(l.drains)).into()),
                        ("drains_l", tr.num(l.drains_l, 1).into()),
                    ]
                )
            );
        }
        None => {
            let _ = writeln!(out, "{}", tr.t("truck-no-ledger"));
        }
    }
    let _ = writeln!(
        out,
        "{}",
        tr.t_args(
            "truck-events",
            &[("count", tr.int(d.events.len() as i64).into())]
        )
    );
    if !d.events.is_empty() {
        out.push_str(&crate::events::events_text(tr, &d.events, zone));
    }
    let s = &d.sensor;
    let _ = writeln!(
        out,
        "{}",
        tr.t_args(
            "truck-sensor",
            &[
                ("noise", opt(tr, s.noise_l, 1).into()),
                (
                    "measured",
                    tr.t(if s.noise_measured {
                        "truck-noise-measured"
                    } else {
                        "truck-noise-prior"
                    })
                    .into()
                ),
                (
                    "stuck",
                    tr.t(if s.stuck {
                        "truck-stuck-yes"
                    } else {
                        "truck-stuck-no"
                    })
                    .into()
                ),
                ("faults", tr.int(i64::from(s.faults)).into()),
                ("gaps", tr.int(i64::from(s.gaps)).into()),
                ("longest", opt(tr, s.longest_gap_min, 0).into()),
                ("quarantined", tr.int(s.quarantined as i64).into()),
            ]
        )
    );
    let unmatched = d.purchases.iter().filter(|p| p.status != "matched").count();
    let _ = writeln!(
        out,
        "{}",
        tr.t_args(
            "truck-purchases",
            &[
                ("count", tr.int(d.purchases.len() as i64).into()),
                ("unmatched", tr.int(unmatched as i64).into()),
            ]
        )
    );
    out
}
