import { useCallback, useEffect, useRef, useState } from "react";
import { toIpcError } from "../ipc";
import type { IpcError } from "../types";

export type AsyncState<T> =
  | { status: "loading"; data?: T }
  | { status: "ready"; data: T }
  | { status: "error"; error: IpcError; data?: T };

/** Runs a command when `deps` change; `reload` runs it again. A failure keeps the last data. */
export function useAsync<T>(run: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> & { reload: () => void } {
  const [state, setState] = useState<AsyncState<T>>({ status: "loading" });
  const [nonce, setNonce] = useState(0);
  const runRef = useRef(run);
  runRef.current = run;
  useEffect(() => {
    let live = true;
    setState((s) => (s.data === undefined ? { status: "loading" } : { status: "loading", data: s.data }));
    runRef.current().then(
      (data) => live && setState({ status: "ready", data }),
      (error: unknown) => {
        if (!live) return;
        setState((s) =>
          s.data === undefined
            ? { status: "error", error: toIpcError(error) }
            : { status: "error", error: toIpcError(error), data: s.data },
        );
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}
