import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { useApp } from "../app/context";
import { ErrorNotice } from "../components/ErrorNotice";
import { useI18n } from "../i18n/I18nProvider";
import { commands, dialogs, events, toIpcError, type ExportFormat } from "../ipc";
import type { AnalysisReport, FileImportReport, ImportProgress, ImportRequestDto, IpcError } from "../types";

/** Paths typed one per line (or separated by `;`), trimmed, blanks dropped. */
export function parsePaths(text: string): string[] {
  return text
    .split(/[\n;]/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Progress over the whole request, 0..1: finished files plus the share read of the current one. */
export function progressFraction(p: ImportProgress): number {
  if (p.files <= 0) return 0;
  const inFile = p.bytes_total > 0 ? Math.min(1, p.bytes_read / p.bytes_total) : 0;
  return Math.min(1, (p.file_index + inFile) / p.files);
}

type Busy = "import" | "analyze" | ExportFormat | null;

export function ImportPage() {
  const { t } = useI18n();
  const [paths, setPaths] = useState("");
  const [mapping, setMapping] = useState("");
  const [zone, setZone] = useState("");
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<{ error: IpcError; action: string } | null>(null);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [reports, setReports] = useState<FileImportReport[] | null>(null);
  const [analysis, setAnalysis] = useState<AnalysisReport | null>(null);
  const [exportPath, setExportPath] = useState("");
  const [exported, setExported] = useState<string | null>(null);
  const ids = { paths: useId(), mapping: useId(), zone: useId(), out: useId() };
  const unlisten = useRef<(() => void) | null>(null);

  useEffect(() => () => unlisten.current?.(), []);

  const request = (): ImportRequestDto | null => {
    const files = parsePaths(paths);
    if (files.length === 0) {
      setError({ error: { code: "invalid_input", message: t("import-no-files") }, action: t("action-import") });
      return null;
    }
    return {
      files,
      mapping: mapping.trim() || null,
      time_zone: zone.trim() || null,
      date_order: null,
      decimal: null,
      truck_id: null,
    };
  };

  const browse = async (target: "files" | "mapping") => {
    try {
      const picked = await dialogs.openFiles(t(target === "files" ? "import-browse-title" : "import-mapping-title"), target === "files");
      if (!picked) return;
      if (target === "files") setPaths(picked.join("; "));
      else setMapping(picked[0] ?? "");
    } catch (e) {
      setError({ error: toIpcError(e), action: t("action-dialog") });
    }
  };

  const runImport = async (event: FormEvent) => {
    event.preventDefault();
    const req = request();
    if (!req) return;
    setBusy("import");
    setError(null);
    setReports(null);
    setProgress({ file: req.files[0] ?? "", file_index: 0, files: req.files.length, bytes_read: 0, bytes_total: 0, rows: 0 });
    try {
      unlisten.current?.();
      unlisten.current = await events.onImportProgress(setProgress);
      const result = await commands.importFiles(req);
      setReports(result);
      setProgress((p) => (p ? { ...p, file_index: p.files, bytes_read: p.bytes_total } : p));
    } catch (e) {
      setError({ error: toIpcError(e), action: t("action-import") });
    } finally {
      unlisten.current?.();
      unlisten.current = null;
      setBusy(null);
    }
  };

  const runAnalyze = async () => {
    const req = request();
    if (!req) return;
    setBusy("analyze");
    setError(null);
    setAnalysis(null);
    try {
      setAnalysis(await commands.analyzeFiles(req));
    } catch (e) {
      setError({ error: toIpcError(e), action: t("action-analyze") });
    } finally {
      setBusy(null);
    }
  };

  const runExport = async (format: ExportFormat) => {
    const req = request();
    if (!req) return;
    setError(null);
    setExported(null);
    try {
      const out = exportPath.trim() || (await dialogs.saveFile(t("export-save-title"), `fuel-analysis.${format}`));
      if (!out) return;
      setBusy(format);
      setExported(await commands.exportAnalysis(req, format, out));
    } catch (e) {
      setError({ error: toIpcError(e), action: t("action-export") });
    } finally {
      setBusy(null);
    }
  };

  const fraction = progress ? progressFraction(progress) : 0;
  return (
    <section className="import-page" aria-labelledby="import-title">
      <h2 id="import-title">{t("import-title")}</h2>
      <form className="form" onSubmit={runImport}>
        <div className="field">
          <label htmlFor={ids.paths}>{t("import-files")}</label>
          <div className="with-button">
            <input
              id={ids.paths}
              type="text"
              data-testid="import-path"
              value={paths}
              placeholder={t("import-files-placeholder")}
              onChange={(e) => setPaths(e.target.value)}
              aria-describedby={`${ids.paths}-hint`}
            />
            <button type="button" onClick={() => void browse("files")}>
              {t("action-browse")}
            </button>
          </div>
          <p className="hint" id={`${ids.paths}-hint`}>
            {t("import-files-hint")}
          </p>
        </div>
        <div className="field">
          <label htmlFor={ids.mapping}>{t("import-mapping")}</label>
          <div className="with-button">
            <input id={ids.mapping} data-testid="import-mapping" value={mapping} onChange={(e) => setMapping(e.target.value)} />
            <button type="button" onClick={() => void browse("mapping")}>
              {t("action-browse")}
            </button>
          </div>
        </div>
        <div className="field">
          <label htmlFor={ids.zone}>{t("import-zone")}</label>
          <input
            id={ids.zone}
            data-testid="import-zone"
            value={zone}
            placeholder={t("import-zone-placeholder")}
            onChange={(e) => setZone(e.target.value)}
          />
        </div>
        <div className="actions">
          <button type="submit" className="primary" data-testid="import-submit" disabled={busy !== null}>
            {t(busy === "import" ? "import-running" : "import-submit")}
          </button>
          <button type="button" data-testid="analyze-submit" disabled={busy !== null} onClick={() => void runAnalyze()}>
            {t(busy === "analyze" ? "analyze-running" : "analyze-submit")}
          </button>
        </div>
      </form>
      {error && <ErrorNotice error={error.error} action={error.action} />}
      {progress && (
        <div className="progress-block">
          <progress
            data-testid="import-progress"
            max={1}
            value={fraction}
            aria-label={t("import-progress-label")}
            aria-valuetext={t("import-progress", {
              percent: Math.round(fraction * 100),
              file: progress.file,
              rows: progress.rows,
            })}
          />
          <p className="muted" aria-live="polite">
            {t("import-progress", { percent: Math.round(fraction * 100), file: progress.file, rows: progress.rows })}
          </p>
        </div>
      )}
      {reports && <ImportReport reports={reports} />}
      {analysis && <AnalysisView report={analysis} />}
      <section className="export" aria-labelledby="export-title">
        <h3 id="export-title">{t("export-title")}</h3>
        <div className="field">
          <label htmlFor={ids.out}>{t("export-path")}</label>
          <input
            id={ids.out}
            data-testid="export-path"
            value={exportPath}
            placeholder={t("export-path-placeholder")}
            onChange={(e) => setExportPath(e.target.value)}
          />
        </div>
        <div className="actions">
          {(["csv", "json", "html"] as const).map((f) => (
            <button key={f} type="button" data-testid={`export-${f}`} disabled={busy !== null} onClick={() => void runExport(f)}>
              {t(`export-${f}`)}
            </button>
          ))}
        </div>
        {exported && (
          <p role="status" data-testid="export-done">
            {t("export-done", { path: exported })}
          </p>
        )}
      </section>
    </section>
  );
}

function ImportReport({ reports }: { reports: FileImportReport[] }) {
  const { t, tc } = useI18n();
  const { fmt } = useApp();
  return (
    <section data-testid="import-report" aria-labelledby="report-title">
      <h3 id="report-title">{t("import-report-title")}</h3>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">{t("col-file")}</th>
            <th scope="col">{t("col-kind")}</th>
            <th scope="col" className="num">{t("col-rows")}</th>
            <th scope="col" className="num">{t("col-stored")}</th>
            <th scope="col" className="num">{t("col-duplicates")}</th>
            <th scope="col" className="num">{t("col-conflicts")}</th>
            <th scope="col" className="num">{t("col-quarantined")}</th>
            <th scope="col" className="num">{t("col-elapsed")}</th>
          </tr>
        </thead>
        <tbody>
          {reports.map((r) => (
            <tr key={r.file} data-testid="import-report-row">
              <th scope="row">
                {r.file}
                {r.error && (
                  <p className="error-detail" role="alert">
                    {tc("error", r.error.code)} {r.error.message}
                  </p>
                )}
                {r.notes.length > 0 && (
                  <ul className="notes">
                    {r.notes.map((n, i) => (
                      <li key={i}>
                        {tc("note", n.code, { column: n.column ?? "", value: n.value ?? "" })}
                      </li>
                    ))}
                  </ul>
                )}
                {r.unknown_columns.length > 0 && (
                  <p className="muted">{t("import-unknown-columns", { columns: r.unknown_columns.join(", ") })}</p>
                )}
              </th>
              <td>{r.kind ? tc("file-kind", r.kind) : "–"}</td>
              <td className="num">{fmt.int(r.rows_read)}</td>
              <td className="num" data-testid="report-stored">{fmt.int(r.stored)}</td>
              <td className="num">{fmt.int(r.duplicates)}</td>
              <td className="num">{fmt.int(r.conflicts)}</td>
              <td className="num" title={Object.entries(r.rejected_by_reason).map(([k, v]) => `${k}: ${v}`).join("\n")}>
                {t("import-quarantined", { rows: fmt.int(r.rejected_rows), fields: fmt.int(r.rejected_fields) })}
              </td>
              <td className="num">{t("seconds", { value: fmt.num(r.elapsed_ms / 1000, 1) })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function AnalysisView({ report }: { report: AnalysisReport }) {
  const { t, tc } = useI18n();
  const { fmt } = useApp();
  return (
    <section data-testid="analysis-report" aria-labelledby="analysis-title">
      <h3 id="analysis-title">{t("analysis-title")}</h3>
      <dl className="kpis">
        <div className="kpi">
          <dt>{t("analysis-rows")}</dt>
          <dd>{fmt.int(report.rows)}</dd>
        </div>
        <div className="kpi">
          <dt>{t("analysis-rejected")}</dt>
          <dd>{t("import-quarantined", { rows: fmt.int(report.rejected_rows), fields: fmt.int(report.rejected_fields) })}</dd>
        </div>
        <div className="kpi">
          <dt>{t("analysis-trucks")}</dt>
          <dd>{fmt.int(report.trucks.length)}</dd>
        </div>
        <div className="kpi">
          <dt>{t("analysis-events")}</dt>
          <dd data-testid="analysis-events">{fmt.int(report.events.length)}</dd>
        </div>
        <div className="kpi">
          <dt>{t("analysis-faults")}</dt>
          <dd>{fmt.int(report.sensor_faults.length)}</dd>
        </div>
        <div className="kpi">
          <dt>{t("analysis-unpaid")}</dt>
          <dd>{fmt.int(report.unpaid_fills.length)}</dd>
        </div>
      </dl>
      <p className="muted">
        {t("analysis-meta", {
          zone: report.time_zone,
          threshold: fmt.share(report.alert_threshold),
          detector: report.detector_version,
          seconds: fmt.num(report.elapsed_ms / 1000, 1),
        })}
      </p>
      {report.events.length > 0 && (
        <table className="data-table">
          <caption>{t("analysis-events")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("col-truck")}</th>
              <th scope="col">{t("col-kind")}</th>
              <th scope="col">{t("col-start")}</th>
              <th scope="col" className="num">{t("col-volume")}</th>
              <th scope="col" className="num">{t("col-confidence")}</th>
              <th scope="col">{t("col-reason")}</th>
            </tr>
          </thead>
          <tbody>
            {report.events.map((e) => (
              <tr key={e.id}>
                <th scope="row">{e.truck_id}</th>
                <td>{tc("kind", e.kind)}</td>
                <td>{fmt.dateTime(e.start)}</td>
                <td className="num">{fmt.volume(e.volume_l)}</td>
                <td className="num">{fmt.share(e.confidence)}</td>
                <td>{tc("reason", e.evidence.reason)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.trucks.length > 0 && (
        <table className="data-table">
          <caption>{t("analysis-ledgers")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("col-truck")}</th>
              <th scope="col" className="num">{t("ledger-distance")}</th>
              <th scope="col" className="num">{t("ledger-fuel-used")}</th>
              <th scope="col" className="num">{t("ledger-efficiency")}</th>
              <th scope="col" className="num">{t("ledger-idle")}</th>
              <th scope="col" className="num">{t("ledger-fills")}</th>
              <th scope="col" className="num">{t("ledger-drains")}</th>
            </tr>
          </thead>
          <tbody>
            {report.trucks.map((l) => (
              <tr key={l.truck_id}>
                <th scope="row">{l.name}</th>
                <td className="num">{fmt.distance(l.distance_km)}</td>
                <td className="num">{fmt.volume(l.fuel_used_l)}</td>
                <td className="num">{fmt.consumption(l.l_per_100km)}</td>
                <td className="num">{t("hours", { value: fmt.num(l.idle_h, 1) })}</td>
                <td className="num">{t("ledger-count-volume", { count: l.fills, volume: fmt.volume(l.fills_l) })}</td>
                <td className="num">{t("ledger-count-volume", { count: l.drains, volume: fmt.volume(l.drains_l) })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
