// A minimal W3C WebDriver client over global fetch, enough to drive the Tauri window through
// tauri-driver: sessions, elements, script execution (sync and async), screenshots.

import { eventually as poll } from "../support/poll.mjs";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

/** Polls `probe` until it yields; the window is slower than a page, so the deadline is longer. */
export const eventually = (probe, options = {}) => poll(probe, { timeout: 15_000, interval: 100, ...options });

async function wire(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const answer = text ? JSON.parse(text) : {};
  if (!res.ok) {
    const e = answer.value ?? {};
    throw new Error(`WebDriver ${method} ${path}: ${res.status} ${e.error ?? ""} ${e.message ?? text}`);
  }
  return answer.value;
}

/** Opens a session on `driverUrl` with `capabilities`; resolves to a Session. */
export async function newSession(driverUrl, capabilities) {
  const value = await wire(driverUrl, "POST", "/session", { capabilities: { alwaysMatch: capabilities } });
  return new Session(driverUrl, value.sessionId);
}

export class Session {
  constructor(driverUrl, id) {
    this.base = `${driverUrl}/session/${id}`;
  }

  call(method, path, body) {
    return wire(this.base, method, path, body);
  }

  /** Runs `script` (a function body; `arguments` are `args`) in the page; answers its value. */
  execute(script, ...args) {
    return this.call("POST", "/execute/sync", { script, args });
  }

  /** Runs `script` with a callback as its last argument; answers what it was called with. */
  executeAsync(script, ...args) {
    return this.call("POST", "/execute/async", { script, args });
  }

  async find(selector) {
    const value = await this.call("POST", "/element", { using: "css selector", value: selector });
    return value[ELEMENT];
  }

  /** Waits until `selector` matches, then answers the element id. */
  waitFor(selector, timeout = 15_000) {
    return eventually(() => this.find(selector), { timeout, what: selector });
  }

  async click(selector) {
    await this.call("POST", `/element/${await this.waitFor(selector)}/click`, {});
  }

  async type(selector, text, { clear = false } = {}) {
    const id = await this.waitFor(selector);
    if (clear) await this.call("POST", `/element/${id}/clear`, {});
    await this.call("POST", `/element/${id}/value`, { text });
  }

  count(selector) {
    return this.execute("return document.querySelectorAll(arguments[0]).length", selector);
  }

  /** The page as a PNG. */
  async screenshot() {
    return Buffer.from(await this.call("GET", "/screenshot"), "base64");
  }

  close() {
    return this.call("DELETE", "");
  }
}
