//! Writing an analysis to a file in the format the user picked: the HTML
//! report, the JSON the CLI prints with `--json`, or the events as CSV (one
//! row per alerting fill or drain and per sensor fault, machine-readable
//! column names like the canonical telemetry CSV).

use std::io::Write;
use std::path::Path;

use fc_i18n::{Lang, Units};

use crate::dto_analysis::{AnalysisReport, EventDto};
use crate::error::{CoreError, Result};

/// The formats an analysis can be exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The events as CSV.
    Csv,
    /// The whole report as JSON.
    Json,
    /// The translated HTML report.
    Html,
}

impl ExportFormat {
    /// Parses `csv`, `json` or `html` (any case).
    pub fn parse(text: &str) -> Result<ExportFormat> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "json" => Ok(ExportFormat::Json),
            "html" | "htm" => Ok(ExportFormat::Html),
            _ => Err(CoreError::Invalid {
                what: "format".into(),
                why: format!("`{text}` is not an export format; use csv, json or html"),
            }),
        }
    }
}

/// The CSV columns, in order.
pub const EVENTS_CSV_HEADER: &str = "truck_id,kind,status,start,end,volume_l,confidence,rule_confidence,ml_score,alert,reason,lat,lon,id";

/// Writes the report to `path` (a temporary name first, then renamed, so a
/// failed export never leaves a truncated file).
pub fn write_analysis(
    path: &Path,
    report: &AnalysisReport,
    format: ExportFormat,
    lang: Lang,
    units: Units,
) -> Result<()> {
    if path.as_os_str().is_empty() || path.is_dir() {
        return Err(CoreError::Invalid {
            what: "out".into(),
            why: "name the file to write".into(),
        });
    }
    if format == ExportFormat::Html {
        return crate::report_html::write_html(path, report, lang, units);
    }
    let body = match format {
        ExportFormat::Json => serde_json::to_vec_pretty(report)
            .map_err(|e| CoreError::Internal(format!("analysis as JSON: {e}")))?,
        _ => events_csv(report),
    };
    let tmp = path.with_extension("partial");
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&body)?;
        f.sync_all()
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(CoreError::io(path, e));
    }
    std::fs::rename(&tmp, path).map_err(|e| CoreError::io(path, e))
}

/// The events of a report as CSV bytes.
pub fn events_csv(report: &AnalysisReport) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 * (report.events.len() + 1));
    let _ = writeln!(out, "{EVENTS_CSV_HEADER}");
    for e in report.events.iter().chain(&report.sensor_faults) {
        row(&mut out, e);
    }
    out
}

fn row(out: &mut Vec<u8>, e: &EventDto) {
    let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    let fields = [
        field(&e.truck_id),
        field(&e.kind),
        field(&e.status),
        field(&e.start),
        field(&e.end),
        e.volume_l.to_string(),
        e.confidence.to_string(),
        e.rule_confidence.to_string(),
        opt(e.ml_score),
        e.alert.to_string(),
        field(&e.evidence.reason),
        opt(e.lat),
        opt(e.lon),
        field(&e.id),
    ];
    let _ = writeln!(out, "{}", fields.join(","));
}

/// Quotes a text field when it holds a separator, a quote or a line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_and_unknown_ones_are_named() {
        assert_eq!(ExportFormat::parse(" CSV ").unwrap(), ExportFormat::Csv);
        assert_eq!(ExportFormat::parse("html").unwrap(), ExportFormat::Html);
        let err = ExportFormat::parse("pdf").unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert!(err.to_string().contains("pdf"), "{err}");
    }

    #[test]
    fn fields_with_separators_are_quoted() {
        assert_eq!(field("T1"), "T1");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
