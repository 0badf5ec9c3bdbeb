//! The HTML report: one self-contained file a manager can open or print. Inline
//! CSS and inline SVG (no scripts, no external URLs), light and dark through
//! `prefers-color-scheme`. Every word comes from `locales/<lang>/report.ftl`,
//! numbers follow the language and the user's units, and all data is escaped.

use std::fmt::Write as _;
use std::path::Path;

use fc_i18n::{Arg, Lang, Translator, Units, VolumeUnit};
use fc_model::parse_rfc3339_ms;

use crate::dto_analysis::{AnalysisReport, EventDto, EvidenceSampleDto};
use crate::error::{CoreError, Result};

const CSS: &str = "
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#5b6470;--line:#d7dce2;--raw:#9aa3ad;--filt:#1f5fbf;--win:rgba(214,69,65,.14);--alert:#b42318;--ok:#1a7f37;--warn:#9a6700}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ed;--bg:#14171a;--muted:#9aa3ad;--line:#343a41;--raw:#6b7580;--filt:#6ea8fe;--win:rgba(248,113,113,.18);--alert:#ff7b72;--ok:#3fb950;--warn:#d29922}}
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:2rem auto;max-width:1100px;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .2rem}h2{font-size:1.2rem;margin:2rem 0 .6rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}h3{font-size:1rem;margin:1.2rem 0 .3rem}
p.meta,p.note{color:var(--muted);margin:.2rem 0}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}th,td{padding:.3rem .5rem;border-bottom:1px solid var(--line);text-align:left}td.n,th.n{text-align:right}
.event{break-inside:avoid;margin-bottom:1.2rem}.evidence{margin:.2rem 0 .6rem}
svg{width:100%;max-width:720px;height:auto;display:block}svg text{fill:var(--muted);font-size:11px}
.axis{stroke:var(--line)}.raw{stroke:var(--raw);fill:none;stroke-width:1}.filt{stroke:var(--filt);fill:none;stroke-width:2}.win{fill:var(--win)}
.st-matched{color:var(--ok)}.st-short_fill,.st-location_mismatch{color:var(--warn)}.st-no_fill{color:var(--alert)}
.kind-drain{color:var(--alert)}.kind-fill{color:var(--ok)}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}}
";

/// Escapes text for HTML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

struct Ctx<'a> {
    tr: Translator,
    units: Units,
    tz: chrono_tz::Tz,
    report: &'a AnalysisReport,
}

impl Ctx<'_> {
    fn t(&self, id: &str) -> String {
        esc(&self.tr.t(id))
    }

    fn ta(&self, id: &str, args: &[(&str, Arg)]) -> String {
        esc(&self.tr.t_args(id, args))
    }

    fn unit_col(&self, id: &str, unit: &str) -> String {
        self.ta(id, &[("unit", unit.into())])
    }

    fn vol(&self, litres: f64) -> String {
        self.tr.num(self.units.volume(litres), 1)
    }

    fn vol_opt(&self, litres: Option<f64>) -> String {
        litres.map_or_else(|| "—".into(), |l| self.vol(l))
    }

    fn vol_unit(&self, litres: f64) -> String {
        format!("{} {}", self.vol(litres), self.units.volume_symbol())
    }

    fn local(&self, ms: i64) -> String {
        crate::local_minutes(ms, self.tz)
    }

    fn local_text(&self, rfc3339: &str) -> String {
        parse_rfc3339_ms(rfc3339).map_or_else(|| rfc3339.to_string(), |ms| self.local(ms))
    }
}

/// Renders the report as one self-contained HTML document.
pub fn render_html(report: &AnalysisReport, lang: Lang, units: Units) -> String {
    let cx = Ctx {
        tr: Translator::new(lang),
        units,
        tz: report.time_zone.parse().unwrap_or(chrono_tz::Tz::UTC),
        report,
    };
    let mut h = String::with_capacity(64 * 1024);
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{CSS}</style></head><body>",
        lang.tag(),
        cx.t("report-title")
    );
    let _ = writeln!(
        h,
        "<h1>{}</h1><p class=\"meta\">{}</p><p class=\"meta\">{}</p>",
        cx.t("report-title"),
        cx.ta(
            "report-subtitle",
            &[
                ("rows", cx.tr.int(report.rows as i64).into()),
                ("trucks", cx.tr.int(report.trucks.len() as i64).into()),
                ("threshold", cx.tr.num(report.alert_threshold, 2).into()),
                ("zone", report.time_zone.as_str().into()),
            ]
        ),
        cx.ta(
            "report-generated-by",
            &[("version", report.detector_version.as_str().into())]
        )
    );
    if report.rejected_rows > 0 {
        let _ = writeln!(
            h,
            "<p class=\"note\">{}</p>",
            cx.ta(
                "report-rejected",
                &[
                    ("count", report.rejected_rows.into()),
                    ("n", cx.tr.int(report.rejected_rows as i64).into())
                ]
            )
        );
    }
    ledger(&cx, &mut h);
    crate::report_coach::drivers_section(&cx.tr, &cx.units, report, &mut h);
    events(&cx, &mut h);
    reconciliation(&cx, &mut h);
    faults(&cx, &mut h);
    h.push_str("</body></html>\n");
    h
}

/// Renders and writes the report (to a temporary name first, then renamed).
pub fn write_html(path: &Path, report: &AnalysisReport, lang: Lang, units: Units) -> Result<()> {
    let tmp = path.with_extension("html.partial");
    std::fs::write(&tmp, render_html(report, lang, units)).map_err(|e| CoreError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| CoreError::io(path, e))
}

fn ledger(cx: &Ctx<'_>, h: &mut String) {
    let vu = cx.units.volume_symbol();
    let du = cx.units.distance_symbol();
    let mpg = cx.units.volume == VolumeUnit::UsGallons;
    let _ = writeln!(
        h,
        "<h2>{}</h2><p class=\"note\">{}</p><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead><tbody>",
        cx.t("report-ledger"),
        cx.t("report-ledger-note"),
        cx.t("report-col-truck"),
        cx.t("report-col-name"),
        cx.t("report-col-period"),
        cx.unit_col("report-col-distance", du),
        cx.unit_col("report-col-fuel-used", vu),
        cx.t(if mpg {
            "report-col-efficiency-mpg"
        } else {
            "report-col-efficiency-l"
        }),
        cx.t("report-col-idle-h"),
        cx.unit_col("report-col-idle-fuel", vu),
        cx.t("report-col-fills"),
        cx.t("report-col-drains"),
        cx.t("report-col-alerts"),
    );
    for t in &cx.report.trucks {
        let period = match (&t.first, &t.last) {
            (Some(a), Some(b)) => format!("{} – {}", cx.local_text(a), cx.local_text(b)),
            _ => "—".into(),
        };
        let eff = if mpg { t.mpg_us } else { t.l_per_100km };
        let name = if t.has_profile {
            esc(&t.name)
        } else {
            format!(
                "{} <small>({})</small>",
                esc(&t.name),
                cx.t("report-no-profile")
            )
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} · {}</td><td class=\"n\">{} · {}</td><td class=\"n\">{}</td></tr>",
            esc(&t.truck_id),
            name,
            esc(&period),
            cx.tr.num(cx.units.distance(t.distance_km), 1),
            cx.vol_opt(t.fuel_used_l),
            eff.map_or_else(|| "—".into(), |v| cx.tr.num(v, 1)),
            cx.tr.num(t.idle_h, 1),
            cx.vol(t.idle_fuel_l),
            cx.tr.int(i64::from(t.fills)),
            cx.vol(t.fills_l),
            cx.tr.int(i64::from(t.drains)),
            cx.vol(t.drains_l),
            cx.tr.int(i64::from(t.alerts)),
        );
    }
    h.push_str("</tbody></table>\n");
}

fn events(cx: &Ctx<'_>, h: &mut String) {
    let _ = writeln!(h, "<h2>{}</h2>", cx.t("report-events"));
    if cx.report.events.is_empty() {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", cx.t("report-events-empty"));
    }
    for e in &cx.report.events {
        let kind = if e.kind == "fill" {
            "report-event-fill"
        } else {
            "report-event-drain"
        };
        let _ = write!(
            h,
            "<div class=\"event\"><h3 class=\"kind-{}\">{}</h3>",
            esc(&e.kind),
            cx.ta(
                "report-event-heading",
                &[
                    ("kind", cx.tr.t(kind).into()),
                    ("truck", e.truck_id.as_str().into()),
                    ("time", cx.local_text(&e.start).into()),
                ]
            )
        );
        let _ = write!(
            h,
            "<p class=\"evidence\">{}</p>",
            esc(&evidence_sentence(cx, e))
        );
        chart(cx, e, h);
        h.push_str("</div>\n");
    }
}

/// "-62 L in 14 min, parked, ignition off; expected consumption 0.3 L; confidence 0.97".
fn evidence_sentence(cx: &Ctx<'_>, e: &EventDto) -> String {
    let sign = if e.kind == "drain" { "-" } else { "+" };
    let minutes = match (parse_rfc3339_ms(&e.start), parse_rfc3339_ms(&e.end)) {
        (Some(a), Some(b)) => (b - a).max(0) as f64 / 60_000.0,
        _ => 0.0,
    };
    let ev = &e.evidence;
    cx.tr.t_args(
        "report-evidence",
        &[
            (
                "change",
                format!("{sign}{}", cx.vol_unit(e.volume_l)).into(),
            ),
            ("minutes", cx.tr.num(minutes, 0).into()),
            (
                "motion",
                cx.tr
                    .t(if ev.moved {
                        "report-moving"
                    } else {
                        "report-parked"
                    })
                    .into(),
            ),
            (
                "ignition",
                cx.tr
                    .t(match ev.ignition_on {
                        Some(true) => "report-ignition-on",
                        Some(false) => "report-ignition-off",
                        None => "report-ignition-unknown",
                    })
                    .into(),
            ),
            ("expected", cx.vol_unit(ev.expected_consumption_l).into()),
            ("confidence", cx.tr.num(e.confidence, 2).into()),
        ],
    )
}

/// The level around an event: raw readings, filtered level, the event window shaded.
fn chart(cx: &Ctx<'_>, e: &EventDto, h: &mut String) {
    let s = &e.evidence.samples;
    if s.len() < 2 {
        return;
    }
    let (w, hgt, left, right, top, bottom) = (720.0, 220.0, 64.0, 12.0, 12.0, 28.0);
    let start = parse_rfc3339_ms(&e.start).unwrap_or(s[0].ts);
    let end = parse_rfc3339_ms(&e.end).unwrap_or(s[s.len() - 1].ts);
    let t0 = s[0].ts.min(start);
    let t1 = s[s.len() - 1].ts.max(end).max(t0 + 1);
    let vals = s
        .iter()
        .flat_map(|x| [x.raw_l, x.filtered_l])
        .filter(|v| v.is_finite())
        .map(|v| cx.units.volume(v));
    let (mut lo, mut hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if !lo.is_finite() {
        return;
    }
    let pad = ((hi - lo) * 0.08).max(1.0);
    lo -= pad;
    hi += pad;
    let x = |ts: i64| left + (ts - t0) as f64 / (t1 - t0) as f64 * (w - left - right);
    let y = |v: f64| top + (hi - v) / (hi - lo) * (hgt - top - bottom);
    let line = |f: fn(&EvidenceSampleDto) -> f64| {
        s.iter()
            .filter(|p| f(p).is_finite())
            .map(|p| format!("{:.1},{:.1}", x(p.ts), y(cx.units.volume(f(p)))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let label = cx.t("report-chart-label");
    let _ = write!(
        h,
        "<svg viewBox=\"0 0 {w} {hgt}\" role=\"img\" aria-label=\"{label}\"><title>{label}</title>\
<rect class=\"win\" x=\"{:.1}\" y=\"{top}\" width=\"{:.1}\" height=\"{:.1}\"><title>{}</title></rect>\
<line class=\"axis\" x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{:.1}\"/><line class=\"axis\" x1=\"{left}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>\
<polyline class=\"raw\" points=\"{}\"><title>{}</title></polyline><polyline class=\"filt\" points=\"{}\"><title>{}</title></polyline>\
<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{} {}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{} {}</text>\
<text x=\"{left}\" y=\"{:.1}\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text></svg>",
        x(start),
        (x(end) - x(start)).max(2.0),
        hgt - top - bottom,
        cx.t("report-chart-window"),
        hgt - bottom,
        hgt - bottom,
        w - right,
        hgt - bottom,
        line(|p| p.raw_l),
        cx.t("report-chart-raw"),
        line(|p| p.filtered_l),
        cx.t("report-chart-filtered"),
        left - 4.0,
        top + 10.0,
        cx.tr.num(hi, 0),
        cx.units.volume_symbol(),
        left - 4.0,
        hgt - bottom,
        cx.tr.num(lo, 0),
        cx.units.volume_symbol(),
        hgt - 8.0,
        esc(&cx.local(t0)),
        w - right,
        hgt - 8.0,
        esc(&cx.local(t1)),
    );
}

fn reconciliation(cx: &Ctx<'_>, h: &mut String) {
    let vu = cx.units.volume_symbol();
    let _ = writeln!(h, "<h2>{}</h2>", cx.t("report-reconciliation"));
    if cx.report.purchases.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"note\">{}</p>",
            cx.t("report-reconciliation-empty")
        );
    } else {
        let _ = writeln!(
            h,
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th>{}</th></tr></thead><tbody>",
            cx.t("report-col-truck"),
            cx.t("report-col-time"),
            cx.t("report-col-station"),
            cx.unit_col("report-col-billed", vu),
            cx.unit_col("report-col-measured", vu),
            cx.unit_col("report-col-difference", vu),
            cx.t("report-col-status"),
        );
        for p in &cx.report.purchases {
            let status_id = format!("report-status-{}", p.status.replace('_', "-"));
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"st-{}\">{}</td></tr>",
                esc(&p.truck_id),
                esc(&cx.local_text(&p.ts)),
                esc(p.station.as_deref().unwrap_or("—")),
                cx.vol(p.litres),
                cx.vol_opt(p.measured_l),
                cx.vol_opt(p.difference_l),
                esc(&p.status),
                cx.t(&status_id),
            );
        }
        h.push_str("</tbody></table>\n");
    }
    let _ = writeln!(h, "<h2>{}</h2>", cx.t("report-unpaid"));
    if cx.report.unpaid_fills.is_empty() {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", cx.t("report-unpaid-empty"));
        return;
    }
    let _ = writeln!(
        h,
        "<table><thead><tr><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead><tbody>",
        cx.t("report-col-truck"),
        cx.t("report-col-time"),
        cx.unit_col("report-col-volume", vu),
        cx.t("report-col-confidence"),
    );
    for f in &cx.report.unpaid_fills {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&f.truck_id),
            esc(&cx.local_text(&f.start)),
            cx.vol(f.volume_l),
            cx.tr.num(f.confidence, 2),
        );
    }
    h.push_str("</tbody></table>\n");
}

fn faults(cx: &Ctx<'_>, h: &mut String) {
    if cx.report.sensor_faults.is_empty() {
        return;
    }
    let _ = writeln!(h, "<h2>{}</h2><ul>", cx.t("report-faults"));
    for f in &cx.report.sensor_faults {
        let _ = writeln!(
            h,
            "<li>{}</li>",
            cx.ta(
                "report-fault-line",
                &[
                    ("truck", f.truck_id.as_str().into()),
                    ("start", cx.local_text(&f.start).into()),
                    ("end", cx.local_text(&f.end).into()),
                    ("volume", cx.vol_unit(f.volume_l).into()),
                ]
            )
        );
    }
    h.push_str("</ul>\n");
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }
}
