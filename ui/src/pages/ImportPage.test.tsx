import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { emitEvent, mockBackend } from "../test/fixtures";
import type { FileImportReport } from "../types";
import { parsePaths, progressFraction } from "./ImportPage";

function english() {
  vi.spyOn(navigator, "languages", "get").mockReturnValue(["en-US"]);
}

const REPORT: FileImportReport = {
  file: "/data/a.csv",
  kind: "telemetry",
  format: "csv",
  rows_read: 1000,
  stored: 990,
  duplicates: 7,
  conflicts: 1,
  rejected_rows: 2,
  rejected_fields: 3,
  rejected_by_reason: { bad_ts: 2, out_of_range: 3 },
  unknown_columns: ["colour"],
  notes: [{ code: "naive_timestamps", column: "time", value: "Europe/Madrid" }],
  time_zone: "Europe/Madrid",
  error: null,
  elapsed_ms: 1500,
};

describe("import page helpers", () => {
  it("splits typed paths on ; and new lines", () => {
    expect(parsePaths(" /a.csv; /b.csv\n\n/c.jsonl ;")).toEqual(["/a.csv", "/b.csv", "/c.jsonl"]);
  });
  it("counts progress over every file of the request", () => {
    expect(progressFraction({ file: "", file_index: 1, files: 2, bytes_read: 50, bytes_total: 100, rows: 0 })).toBe(0.75);
    expect(progressFraction({ file: "", file_index: 0, files: 0, bytes_read: 0, bytes_total: 0, rows: 0 })).toBe(0);
  });
});

describe("import page", () => {
  it("imports typed paths, shows import-progress and the per-file report", async () => {
    english();
    let finish: (value: FileImportReport[]) => void = () => {};
    const calls = mockBackend({
      import_files: () => new Promise<FileImportReport[]>((resolve) => (finish = resolve)),
    });
    const user = userEvent.setup();
    render(<App initialRoute={{ page: "import" }} />);
    await user.type(screen.getByTestId("import-path"), "/data/a.csv; /data/b.csv");
    await user.type(screen.getByTestId("import-zone"), "Europe/Madrid");
    await user.click(screen.getByTestId("import-submit"));
    await waitFor(() => expect(calls.some((c) => c.cmd === "import_files")).toBe(true));
    expect(calls.find((c) => c.cmd === "import_files")?.args).toEqual({
      request: { files: ["/data/a.csv", "/data/b.csv"], mapping: null, time_zone: "Europe/Madrid", date_order: null, decimal: null, truck_id: null },
    });
    await act(async () => {
      await emitEvent("import-progress", { file: "/data/b.csv", file_index: 1, files: 2, bytes_read: 40, bytes_total: 80, rows: 500 });
    });
    const bar = screen.getByTestId("import-progress");
    expect(bar).toHaveAttribute("value", "0.75");
    expect(screen.getByText("75 % · /data/b.csv · 500 rows")).toBeInTheDocument();
    expect(screen.getByTestId("import-submit")).toBeDisabled();

    await act(async () => finish([REPORT]));
    const report = await screen.findByTestId("import-report");
    expect(within(report).getByTestId("report-stored")).toHaveTextContent("990");
    expect(report).toHaveTextContent("2 rows, 3 values");
    expect(report).toHaveTextContent("timestamps without offset read in Europe/Madrid");
    expect(report).toHaveTextContent("Ignored columns: colour");
    expect(screen.getByTestId("import-progress")).toHaveAttribute("value", "1");
  });

  it("refuses an empty request with a message, and reports a failed import", async () => {
    english();
    mockBackend({
      import_files: () => {
        throw { code: "invalid_input", message: "cannot access /nope.csv" };
      },
    });
    const user = userEvent.setup();
    render(<App initialRoute={{ page: "import" }} />);
    await user.click(screen.getByTestId("import-submit"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Give at least one file to read.");
    await user.type(screen.getByTestId("import-path"), "/nope.csv");
    await user.click(screen.getByTestId("import-submit"));
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("cannot access /nope.csv"));
    expect(screen.getByRole("alert")).toHaveTextContent("Could not import the files.");
  });

  it("analyses without storing and exports to a typed path", async () => {
    english();
    const calls = mockBackend({
      analyze_files: () => ({
        source: "files",
        files: [],
        time_zone: "UTC",
        alert_threshold: 0.8,
        events: [],
        sensor_faults: [],
        trucks: [],
        purchases: [],
        unpaid_fills: [],
        rows: 4321,
        rejected_rows: 0,
        rejected_fields: 0,
        detector_version: "d1",
        elapsed_ms: 200,
        drivers: [],
        coaching: null,
      }),
      export_analysis: (a) => a.out,
    });
    const user = userEvent.setup();
    render(<App initialRoute={{ page: "import" }} />);
    await user.type(screen.getByTestId("import-path"), "/data/a.csv");
    await user.click(screen.getByTestId("analyze-submit"));
    expect(await screen.findByTestId("analysis-report")).toHaveTextContent("4,321");
    await user.type(screen.getByTestId("export-path"), "/tmp/out.html");
    await user.click(screen.getByTestId("export-html"));
    expect(await screen.findByTestId("export-done")).toHaveTextContent("Saved to /tmp/out.html");
    expect(calls.find((c) => c.cmd === "export_analysis")?.args).toMatchObject({ format: "html", out: "/tmp/out.html" });
    expect(calls.some((c) => c.cmd === "import_files")).toBe(false);
  });
});
