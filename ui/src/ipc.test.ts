import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import { commands, toIpcError } from "./ipc";

describe("toIpcError", () => {
  it.each([
    ["an IpcError as is", { code: "not_found", message: "gone" }, { code: "not_found", message: "gone" }],
    ["an Error", new Error("boom"), { code: "internal", message: "boom" }],
    ["a string", "bad", { code: "internal", message: "bad" }],
    ["an unknown code", { code: "weird", message: "x" }, { code: "internal", message: "[object Object]" }],
    ["the unavailable code", { code: "unavailable", message: "down" }, { code: "unavailable", message: "down" }],
  ])("maps %s", (_name, input, expected) => {
    expect(toIpcError(input)).toEqual(expected);
  });
});

describe("commands", () => {
  it("calls app_info and returns its payload", async () => {
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      return { name: "Fuel Copilot", version: "3.2.1" };
    });
    await expect(commands.appInfo()).resolves.toEqual({ name: "Fuel Copilot", version: "3.2.1" });
    expect(calls).toEqual(["app_info"]);
  });

  it("rejects with the shell's {code, message}", async () => {
    mockIPC(() => {
      throw { code: "internal", message: "no core" };
    });
    await expect(commands.appInfo()).rejects.toEqual({ code: "internal", message: "no core" });
  });
});

describe("every command of docs/IPC.md", () => {
  it("goes out under its Rust name with camelCase arguments", async () => {
    const calls: Array<[string, unknown]> = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return null;
    });
    const request = { files: ["/a.csv"], mapping: null, time_zone: null, date_order: null, decimal: null, truck_id: null };
    const query = { trucks: [], from_ms: null, to_ms: null, kinds: [], alerts_only: true, include_retracted: false, limit: 10 };
    await commands.fleetSnapshot();
    await commands.fleetKpis();
    await commands.truckDetail("T1", 1, 2);
    await commands.listEvents(query);
    await commands.listAlerts(true, 7, 50);
    await commands.ackAlert(3, "me");
    await commands.recordVerdict("e1", "false_alarm", "me", "fuel to the reefer");
    await commands.clearVerdict("e1");
    await commands.coachReport();
    await commands.importFiles(request);
    await commands.analyzeFiles(request);
    await commands.exportAnalysis(request, "csv", "/out.csv");
    await commands.getSettings();
    await commands.saveFleetSettings({} as never);
    await commands.savePreferences({ version: 2, language: "", theme: "system", volume_unit: "l", distance_unit: "km", data_source: { kind: "demo", url: null, trucks: null } });
    await commands.setDataSource({ kind: "feed", url: "wss://x", trucks: null }, "tok");
    await commands.systemStatus();
    expect(calls).toEqual([
      ["fleet_snapshot", {}],
      ["fleet_kpis", {}],
      ["truck_detail", { truckId: "T1", fromMs: 1, toMs: 2 }],
      ["list_events", { query }],
      ["list_alerts", { openOnly: true, afterSeq: 7, limit: 50 }],
      ["ack_alert", { seq: 3, by: "me" }],
      ["record_verdict", { eventId: "e1", verdict: "false_alarm", by: "me", note: "fuel to the reefer" }],
      ["clear_verdict", { eventId: "e1" }],
      ["coach_report", {}],
      ["import_files", { request }],
      ["analyze_files", { request }],
      ["export_analysis", { request, format: "csv", out: "/out.csv" }],
      ["get_settings", {}],
      ["save_fleet_settings", { settings: {} }],
      ["save_preferences", { preferences: { version: 2, language: "", theme: "system", volume_unit: "l", distance_unit: "km", data_source: { kind: "demo", url: null, trucks: null } } }],
      ["set_data_source", { source: { kind: "feed", url: "wss://x", trucks: null }, token: "tok" }],
      ["system_status", {}],
    ]);
  });
});
