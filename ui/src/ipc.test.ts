import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import { commands, toIpcError } from "./ipc";

describe("toIpcError", () => {
  it.each([
    ["an IpcError as is", { code: "not_found", message: "gone" }, { code: "not_found", message: "gone" }],
    ["an Error", new Error("boom"), { code: "internal", message: "boom" }],
    ["a string", "bad", { code: "internal", message: "bad" }],
    ["an unknown code", { code: "weird", message: "x" }, { code: "internal", message: "[object Object]" }],
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
