//! Coaching in words: recommendations rendered through `locales/<lang>/coach.ftl`
//! for the `coach` text report and the HTML report's drivers section. The data
//! stays codes and numbers (JSON is not translated).

use std::fmt::Write as _;

use fc_coach::{CoachReport, DriverCard, Recommendation, Score};
use fc_i18n::{Lang, Translator, Units};

use crate::dto_analysis::AnalysisReport;
use crate::report_html::esc;

/// A value in its unit: hours per day, a share as a percentage, a rate, a ratio as a percentage.
fn value(tr: &Translator, unit: &str, v: f64) -> String {
    match unit {
        "share" | "ratio" => format!("{}%", tr.num(100.0 * v, 0)),
        _ => tr.num(v, 1),
    }
}

/// One recommendation as a sentence, e.g. "Idle 1.4 h/day vs fleet best 0.3 h:
/// about 23 L and 41 EUR a week", followed by the driver's trend when known.
pub fn recommendation_text(tr: &Translator, units: &Units, r: &Recommendation) -> String {
    let saving = tr.t_args(
        "coach-saving",
        &[
            (
                "litres",
                format!(
                    "{} {}",
                    tr.num(units.volume(r.litres_per_week), 0),
                    units.volume_symbol()
                )
                .into(),
            ),
            ("money", tr.num(r.money_per_week, 0).into()),
            ("currency", r.currency.as_str().into()),
        ],
    );
    let id = format!("coach-rec-{}", r.code);
    let mut s = tr.t_args(
        &id,
        &[
            ("value", value(tr, &r.unit, r.value).into()),
            ("best", value(tr, &r.unit, r.fleet_best).into()),
            ("saving", saving.into()),
        ],
    );
    if let (Some(a), Some(b)) = (r.earlier, r.recent) {
        // Lower is better for every coached value; 5% either way is steady.
        let trend = if b < a * 0.95 {
            "coach-trend-better"
        } else if b > a * 1.05 {
            "coach-trend-worse"
        } else {
            "coach-trend-steady"
        };
        let _ = write!(
            s,
            "; {}",
            tr.t_args(
                trend,
                &[
                    ("earlier", value(tr, &r.unit, a).into()),
                    ("recent", value(tr, &r.unit, b).into()),
                ]
            )
        );
    }
    s
}

fn score_text(tr: &Translator, s: &Score) -> String {
    let mut out = tr.t_args(
        "coach-score",
        &[
            ("score", tr.num(s.value, 0).into()),
            ("low", tr.num(s.low, 0).into()),
            ("high", tr.num(s.high, 0).into()),
        ],
    );
    if s.provisional {
        let _ = write!(out, " ({})", tr.t("coach-provisional"));
    }
    out
}

fn driver_name(tr: &Translator, id: &str) -> String {
    if id.is_empty() {
        tr.t("coach-unknown-driver")
    } else {
        id.to_string()
    }
}

fn opt(tr: &Translator, v: Option<f64>, unit: &str) -> String {
    v.map_or_else(|| "—".into(), |v| value(tr, unit, v))
}

/// The `coach` text report.
pub fn coach_text(report: &CoachReport, lang: Lang, units: Units) -> String {
    let tr = Translator::new(lang);
    let mut out = String::new();
    let _ = writeln!(out, "{}", tr.t("coach-title"));
    let _ = writeln!(
        out,
        "{}",
        tr.t_args(
            "coach-period",
            &[
                ("from", report.period.from_day.as_str().into()),
                ("to", report.period.to_day.as_str().into()),
                ("days", i64::from(report.period.days).into()),
                ("price", tr.num(report.prices.fuel_price_per_l, 2).into()),
                ("currency", report.prices.currency.as_str().into()),
                ("limit", tr.num(report.speed_limit_kmh, 0).into()),
            ]
        )
    );
    let m = &report.model;
    let _ = writeln!(
        out,
        "{}",
        if m.fallback {
            tr.t_args(
                "coach-model-fallback",
                &[("value", opt(&tr, m.fleet_l_per_100km, "").into())],
            )
        } else {
            tr.t_args(
                "coach-model",
                &[
                    ("features", m.features.join(", ").into()),
                    ("rows", m.rows.into()),
                    ("r2", opt(&tr, m.r2, "").into()),
                ],
            )
        }
    );
    let _ = writeln!(out, "{}\n", tr.t("coach-formula"));
    if report.drivers.is_empty() {
        let _ = writeln!(out, "{}", tr.t("coach-empty"));
        return out;
    }
    for d in &report.drivers {
        driver_block(&tr, &units, d, &mut out);
    }
    out
}

fn driver_block(tr: &Translator, units: &Units, d: &DriverCard, out: &mut String) {
    let m = &d.metrics;
    let _ = writeln!(
        out,
        "{}  {}  · {} {}  · {} {} {}",
        driver_name(tr, &d.driver_id),
        score_text(tr, &d.score),
        tr.t("coach-col-percentile"),
        tr.num(d.score.percentile, 0),
        tr.num(units.distance(m.distance_km), 0),
        units.distance_symbol(),
        d.trucks.join(", "),
    );
    let _ = writeln!(
        out,
        "  {} {} · {} {} · {} {} · {} {}",
        tr.t("coach-col-efficiency"),
        opt(tr, m.efficiency_ratio, "ratio"),
        tr.t("coach-col-idle"),
        tr.num(m.idle_h_per_day, 1),
        tr.t("coach-col-speeding"),
        opt(tr, m.over_speed_share, "share"),
        tr.t("coach-col-harsh"),
        opt(tr, m.harsh_per_100km, ""),
    );
    if d.recommendations.is_empty() {
        let _ = writeln!(out, "  {}", tr.t("coach-no-recommendation"));
    }
    for r in &d.recommendations {
        let _ = writeln!(out, "  - {}", recommendation_text(tr, units, r));
    }
    out.push('\n');
}

/// The HTML report's drivers section.
pub(crate) fn drivers_section(
    tr: &Translator,
    units: &Units,
    report: &AnalysisReport,
    h: &mut String,
) {
    if report.drivers.is_empty() {
        return;
    }
    let t = |id: &str| esc(&tr.t(id));
    let _ = writeln!(
        h,
        "<h2>{}</h2><p class=\"note\">{}</p><p class=\"note\">{}</p><table><thead><tr><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th>{}</th></tr></thead><tbody>",
        t("coach-drivers"),
        t("coach-drivers-note"),
        t("coach-formula"),
        t("coach-col-driver"),
        t("coach-col-score"),
        t("coach-col-percentile"),
        esc(&tr.t_args(
            "coach-col-distance",
            &[("unit", units.distance_symbol().into())]
        )),
        t("coach-col-efficiency"),
        t("coach-col-idle"),
        t("coach-col-speeding"),
        t("coach-col-harsh"),
        t("coach-col-top"),
    );
    for d in &report.drivers {
        let m = &d.metrics;
        let top = d.recommendations.first().map_or_else(
            || tr.t("coach-no-recommendation"),
            |r| recommendation_text(tr, units, r),
        );
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&driver_name(tr, &d.driver_id)),
            esc(&score_text(tr, &d.score)),
            tr.num(d.score.percentile, 0),
            tr.num(units.distance(m.distance_km), 0),
            esc(&opt(tr, m.efficiency_ratio, "ratio")),
            tr.num(m.idle_h_per_day, 1),
            esc(&opt(tr, m.over_speed_share, "share")),
            esc(&opt(tr, m.harsh_per_100km, "")),
            esc(&top),
        );
    }
    h.push_str("</tbody></table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec() -> Recommendation {
        Recommendation {
            code: "idle".into(),
            litres_per_week: 23.4,
            money_per_week: 40.95,
            currency: "EUR".into(),
            value: 1.43,
            fleet_best: 0.31,
            unit: "h_per_day".into(),
            earlier: Some(1.6),
            recent: Some(1.2),
        }
    }

    #[test]
    fn recommendations_read_in_both_languages() {
        let units = Units::default();
        let en = recommendation_text(&Translator::new(Lang::En), &units, &rec());
        assert_eq!(
            en,
            "Idle 1.4 h/day vs fleet best 0.3 h: about 23 L and 41 EUR a week; improving (1.6 → 1.2)"
        );
        let es = recommendation_text(&Translator::new(Lang::Es), &units, &rec());
        assert!(es.starts_with("Ralentí 1,4 h/día"), "{es}");
        assert!(es.contains("23 L y 41 EUR a la semana"), "{es}");
        // Every code has a message in both languages.
        for code in [
            "idle",
            "speeding",
            "harsh_braking",
            "harsh_acceleration",
            "rpm",
            "efficiency",
        ] {
            for lang in [Lang::En, Lang::Es] {
                let tr = Translator::new(lang);
                assert!(tr.has(&format!("coach-rec-{code}")), "{code} {lang}");
            }
        }
    }
}
