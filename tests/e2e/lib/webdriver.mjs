// A small W3C WebDriver client over Node's fetch: only the endpoints the
// end-to-end test and the desktop benchmark use, so the suite has no npm
// dependencies (WebKitWebDriver speaks plain W3C, no vendor protocol).

const ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf";

/** A WebDriver error with the remote's W3C error code (e.g. `no such element`). */
export class WebDriverError extends Error {
  constructor(code, message, command) {
    super(`${command}: ${code}: ${message}`);
    this.code = code;
  }
}

async function call(base, method, path, body, timeoutMs = 60_000) {
  const command = `${method} ${path}`;
  let response;
  try {
    response = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json; charset=utf-8" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new WebDriverError("transport", err.cause?.message ?? err.message, command);
  }
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new WebDriverError("bad response", `HTTP ${response.status}: ${text.slice(0, 300)}`, command);
  }
  const value = json.value;
  if (!response.ok || (value && typeof value === "object" && typeof value.error === "string")) {
    throw new WebDriverError(value?.error ?? `HTTP ${response.status}`, value?.message ?? text.slice(0, 300), command);
  }
  return value;
}

/** Polls `probe` until it returns a truthy value, or fails after `timeoutMs` naming `what`. */
export async function waitFor(what, probe, { timeoutMs = 15_000, intervalMs = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError = null;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      lastError = null;
    } catch (err) {
      // Elements go stale while React re-renders; keep polling until the deadline.
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError ? ` (last error: ${lastError.message})` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export class Element {
  constructor(session, id, selector) {
    this.session = session;
    this.id = id;
    this.selector = selector;
  }
  #cmd(method, suffix, body) {
    return this.session.cmd(method, `/element/${this.id}${suffix}`, body);
  }
  text() {
    return this.#cmd("GET", "/text");
  }
  click() {
    return this.#cmd("POST", "/click", {});
  }
  clear() {
    return this.#cmd("POST", "/clear", {});
  }
  type(text) {
    return this.#cmd("POST", "/value", { text });
  }
  attribute(name) {
    return this.#cmd("GET", `/attribute/${encodeURIComponent(name)}`);
  }
  property(name) {
    return this.#cmd("GET", `/property/${encodeURIComponent(name)}`);
  }
  displayed() {
    return this.#cmd("GET", "/displayed");
  }
  enabled() {
    return this.#cmd("GET", "/enabled");
  }
  async find(css) {
    const v = await this.#cmd("POST", "/element", { using: "css selector", value: css });
    return new Element(this.session, v[ELEMENT_KEY], `${this.selector} ${css}`);
  }
  async findAll(css) {
    const v = await this.#cmd("POST", "/elements", { using: "css selector", value: css });
    return v.map((e) => new Element(this.session, e[ELEMENT_KEY], `${this.selector} ${css}`));
  }
  /** The element as a script argument. */
  ref() {
    return { [ELEMENT_KEY]: this.id };
  }
}

export class Session {
  constructor(base, id, capabilities) {
    this.base = base;
    this.id = id;
    this.capabilities = capabilities;
  }

  /** Opens a session; `capabilities` go into `alwaysMatch`. */
  static async create(base, capabilities, timeoutMs = 120_000) {
    const v = await call(base, "POST", "/session", { capabilities: { alwaysMatch: capabilities } }, timeoutMs);
    return new Session(base, v.sessionId, v.capabilities);
  }

  cmd(method, suffix, body, timeoutMs) {
    return call(this.base, method, `/session/${this.id}${suffix}`, body, timeoutMs);
  }

  async close() {
    await this.cmd("DELETE", "", undefined, 30_000);
  }

  async find(css) {
    const v = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return new Element(this, v[ELEMENT_KEY], css);
  }
  async findAll(css) {
    const v = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return v.map((e) => new Element(this, e[ELEMENT_KEY], css));
  }
  /** Finds by the contract's `data-testid`. */
  byTestId(id) {
    return this.find(`[data-testid="${id}"]`);
  }

  /** Waits until `css` matches a displayed element and returns it. */
  waitVisible(css, opts) {
    return waitFor(
      `${css} to be visible`,
      async () => {
        const el = await this.find(css);
        return (await el.displayed()) ? el : null;
      },
      opts,
    );
  }
  /** Waits until `css` matches an element, shown or not (an empty list has no size). */
  waitPresent(css, opts) {
    return waitFor(`${css} to exist`, () => this.find(css), opts);
  }
  waitTestId(id, opts) {
    return this.waitVisible(`[data-testid="${id}"]`, opts);
  }

  /** Runs a synchronous script in the page; `args` may hold Elements. */
  exec(script, ...args) {
    return this.cmd("POST", "/execute/sync", {
      script,
      args: args.map((a) => (a instanceof Element ? a.ref() : a)),
    });
  }

  /** Moves the pointer to the element's centre (W3C actions), which fires hover. */
  async hover(el) {
    await this.cmd("POST", "/actions", {
      actions: [
        {
          type: "pointer",
          id: "mouse",
          parameters: { pointerType: "mouse" },
          actions: [{ type: "pointerMove", duration: 0, origin: el.ref(), x: 0, y: 0 }],
        },
      ],
    });
  }

  /** Sends keys to the focused element (W3C key actions); `keys` are characters or Keys values. */
  async keys(...keys) {
    const actions = [];
    for (const k of keys) actions.push({ type: "keyDown", value: k }, { type: "keyUp", value: k });
    await this.cmd("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions }] });
    await this.cmd("DELETE", "/actions");
  }

  async screenshotPng() {
    return Buffer.from(await this.cmd("GET", "/screenshot", undefined, 20_000), "base64");
  }
  source() {
    return this.cmd("GET", "/source");
  }
  title() {
    return this.cmd("GET", "/title");
  }
  url() {
    return this.cmd("GET", "/url");
  }
}

/** W3C key codes for the special keys the flows press. */
export const Keys = { Enter: "\uE007", Tab: "\uE004", Escape: "\uE00C", Alt: "\uE00A" };
