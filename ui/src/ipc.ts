// The typed face of the Rust commands. Components call `commands.*`, never
// `invoke` with a string, so a renamed command breaks the type check.
import { invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "./bindings/AppInfo";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { IpcError } from "./bindings/IpcError";

const ERROR_CODES: readonly ErrorCode[] = ["invalid_input", "not_found", "internal"];

export function isIpcError(value: unknown): value is IpcError {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.message === "string" &&
    typeof record.code === "string" &&
    (ERROR_CODES as readonly string[]).includes(record.code)
  );
}

/** Every failure reaches the UI in the one `{code, message}` shape, whatever threw. */
export function toIpcError(error: unknown): IpcError {
  if (isIpcError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return { code: "internal", message };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toIpcError(error);
  }
}

export const commands = {
  appInfo: () => call<AppInfo>("app_info"),
};
