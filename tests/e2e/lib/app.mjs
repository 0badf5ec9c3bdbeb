// Starts tauri-driver (which starts WebKitWebDriver, which starts the app) and
// opens WebDriver sessions on the built Fuel Copilot binary. The app inherits
// the driver's environment, so FUELCOPILOT_* variables go on the driver.
import { spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";

/** A TCP port that was free a moment ago (the kernel picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export class Driver {
  constructor(child, base, logPath) {
    this.child = child;
    this.base = base;
    this.logPath = logPath;
  }

  /**
   * Starts tauri-driver on free ports with `env` added to this process's
   * environment; its output goes to `logDir/tauri-driver.log`.
   */
  static async start({ driverBin, env, logDir, name = "tauri-driver" }) {
    if (!existsSync(driverBin)) throw new Error(`tauri-driver not found at ${driverBin} (run scripts/e2e.sh, which installs it)`);
    const port = await freePort();
    let nativePort = await freePort();
    while (nativePort === port) nativePort = await freePort();
    const logPath = join(logDir, `${name}.log`);
    const log = createWriteStream(logPath, { flags: "a" });
    const child = spawn(driverBin, ["--port", String(port), "--native-port", String(nativePort)], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so stopping it also stops WebKitWebDriver and the app.
      detached: true,
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    let exited = null;
    child.on("exit", (code, signal) => {
      exited = { code, signal };
    });
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      `tauri-driver to listen on ${base} (log: ${logPath})`,
      async () => {
        if (exited) throw new Error(`tauri-driver exited (${JSON.stringify(exited)}); see ${logPath}`);
        const r = await fetch(`${base}/status`, { signal: AbortSignal.timeout(2000) });
        return r.ok;
      },
      { timeoutMs: 20_000, intervalMs: 150 },
    );
    return new Driver(child, base, logPath);
  }

  /** Opens a session on the app binary; the window opens and the page loads. */
  async session(application, args = []) {
    return Session.create(this.base, {
      "tauri:options": { application, args },
      // WebKitWebDriver rejects a session whose browserName does not match; tauri-driver fills the rest.
    });
  }

  /** Stops the driver's whole process group (tauri-driver, WebKitWebDriver, any app left running). */
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((resolve) => this.child.once("exit", resolve));
    try {
      process.kill(-this.child.pid, "SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-this.child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }, 5000);
    await gone;
    clearTimeout(timer);
  }
}
