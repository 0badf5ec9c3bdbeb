import { useEffect, useState } from "react";
import type { AppInfo, IpcError } from "./types";
import { commands, toIpcError } from "./ipc";

export type AppInfoState =
  | { status: "loading" }
  | { status: "ready"; info: AppInfo }
  | { status: "error"; error: IpcError };

/** Asks the shell once for the build's name and version. */
export function useAppInfo(): AppInfoState {
  const [state, setState] = useState<AppInfoState>({ status: "loading" });
  useEffect(() => {
    let live = true;
    commands.appInfo().then(
      (info) => live && setState({ status: "ready", info }),
      (error: unknown) => {
        if (!live) return;
        const ipcError = toIpcError(error);
        console.error("app_info failed", ipcError);
        setState({ status: "error", error: ipcError });
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return state;
}
