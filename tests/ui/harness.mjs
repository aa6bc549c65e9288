// Shared by the UI tests: a real `wxsim serve` per test file, headless Debian Chromium
// through playwright-core, deadline-based waiting, small generated media files.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, "../..");
const require = createRequire(join(ROOT, "ui/package.json"));
const { chromium } = require("playwright-core");

export const TOKEN = "ui-test-token";
export const SCREENSHOTS = join(here, "screenshots");
const BIN =
  process.env.WXSIM_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "wxsim");
/** The built UI to serve; `$WXSIM_UI_DIR` points elsewhere (another build, to compare). */
export const UI_DIR = process.env.WXSIM_UI_DIR ?? join(ROOT, "ui/dist");

import { eventually } from "../support/poll.mjs";
export { eventually };

/**
 * Starts `wxsim ARGS` (serve, webchat, proxy, demo); resolves with the `name value` lines it
 * printed once the line named `last` came, a `stop` (SIGINT, as Ctrl+C), every line printed
 * (`output`), and, with `input`, a `write` to its standard input.
 */
export async function startWxsim(args, last, { input = false } = {}) {
  const child = spawn(BIN, args, {
    stdio: [input ? "pipe" : "ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" },
  });
  const what = `wxsim ${args[0]}`;
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const lines = {};
  const output = [];
  const ready = new Promise((resolveReady, reject) => {
    child.on("error", (e) => reject(new Error(`cannot start ${BIN}: ${e.message}`)));
    child.on("exit", (code) => reject(new Error(`${what} exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      output.push(line);
      const m = /^(\w+)\s+(\S+)/.exec(line);
      if (m) lines[m[1]] = m[2];
      if (lines[last]) resolveReady();
    });
  });
  await Promise.race([ready, new Promise((_, r) => setTimeout(() => r(new Error(`${what} did not start: ${stderr}`)), 30_000).unref())]);
  return {
    lines,
    output,
    write: (text) => child.stdin.write(text),
    async stop() {
      child.kill("SIGINT");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
    },
  };
}

/**
 * Starts `wxsim serve` on free ports with a fresh data dir (or `dataDir`, to start again on
 * one a stopped serve kept), plus `args`; resolves once it printed its addresses.
 */
export async function startServe({ dataDir = mkdtempSync(join(tmpdir(), "wxsim-ui-data-")), args = [] } = {}) {
  const { lines, stop } = await startWxsim(
    ["serve", "--listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0", "--data-dir", dataDir, "--token", TOKEN, "--ui-dir", UI_DIR, ...args],
    "token",
  );
  const api = lines.api;
  const simBase = lines.webchat.replace(/\/webchat\/?$/, "");
  return {
    api,
    simBase,
    /** Where webchat's callbacks go (`/ari/msg`, …). */
    listener: lines.listener,
    /** Its database and media (removed by `stop`). */
    dataDir,
    url: `${api}/#token=${TOKEN}`,
    async call(method, path, body) {
      const res = await fetch(api + path, {
        method,
        headers: { Authorization: `Bearer ${TOKEN}`, ...(body ? { "Content-Type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
    /** POSTs `body` to the simulator's control endpoint `path` (`/sim/agent/say`, …); asserts it took it. */
    async sim(path, body) {
      const res = await fetch(simBase + path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    },
    /** POSTs `body` as a webchat callback to the listener; answers the parsed reply. */
    async callback(path, body) {
      const res = await fetch(lines.listener + path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json();
    },
    /** Stops it and removes its data dir, unless `keepData` (for a restart on it). */
    async stop({ keepData = false } = {}) {
      await stop();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh headless Chromium profile and page; records console errors and every request. */
export async function openBrowser() {
  const profile = mkdtempSync(join(tmpdir(), "wxsim-ui-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1360, height: 820 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  const requests = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => requests.push(r.url()));
  return {
    page,
    errors,
    requests,
    async screenshot(name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: "disabled" });
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A fresh serve and browser with the UI open and a chatting customer for each nickname. */
export async function openChat(...nicknames) {
  const serve = await startServe();
  const browser = await openBrowser();
  await browser.page.goto(serve.url);
  for (const nickname of nicknames) await addChattingCustomer(browser.page, nickname);
  return {
    serve,
    browser,
    page: browser.page,
    async close() {
      await browser.close();
      await serve.stop();
    },
  };
}

/**
 * Waits for the open conversation's status to show `state`. If it does not, the failure
 * says what the page shows instead (status, customer chip, connection, toasts) and what
 * the engine stored, so that a lost event can be told from a lost change.
 */
export async function waitForStatus(page, serve, state, timeout = 15_000) {
  try {
    await page.waitForSelector(`[data-testid="conversation-status"][data-state="${state}"]`, { timeout });
  } catch (e) {
    const seen = await page.evaluate(() => ({
      status: document.querySelector('[data-testid="conversation-status"]')?.getAttribute("data-state"),
      chip: document.querySelector("button.row.selected [data-state]")?.getAttribute("data-state"),
      connection: document.querySelector(".conn")?.textContent,
      toasts: document.querySelector('[data-testid="toasts"]')?.textContent,
    }));
    const stored = await serve.call("GET", "/api/customers");
    throw new Error(
      `${e.message}\npage: ${JSON.stringify(seen)}\nstored: ${JSON.stringify(stored.map((c) => [c.nickname, c.state]))}`,
    );
  }
}

/** Sets the viewport (when `size` is given), language and theme, with the top bar's buttons. */
export async function setLook(page, { size, lang, theme }) {
  if (size) await page.setViewportSize(size);
  const now = await page.evaluate(() => ({
    lang: localStorage.getItem("wxsim.lang") === "zh" ? "zh" : "en",
    theme: document.documentElement.dataset.theme,
  }));
  if (now.lang !== lang) await page.click('[data-testid="lang"]');
  if (now.theme !== theme) await page.click('[data-testid="theme"]');
  await eventually(() => page.evaluate(() => document.documentElement.dataset.theme).then((t) => t === theme), {
    what: `theme ${theme}`,
  });
}

/** Opens the console's top tab `tab` and waits until it is the current one. */
export async function openTab(page, tab) {
  await page.click(`[data-tab="${tab}"]`);
  await page.waitForSelector(`[data-tab="${tab}"][aria-current="page"]`);
}

/** True when the focused element matches `selector`. */
export function focusedOn(page, selector) {
  return page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector);
}

/** Waits until the focused element matches `selector`; the failure says what has focus instead. */
export async function waitForFocus(page, selector, timeout = 10_000) {
  await eventually(() => focusedOn(page, selector), { timeout, what: `focus on ${selector}` }).catch(async (e) => {
    const at = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200) ?? "nothing");
    throw new Error(`${e.message}\nfocused: ${at}`);
  });
}

/** True when two bounding boxes do not overlap. */
export function apart(a, b) {
  return a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
}

/**
 * Adds a customer through the form (on the Chat view, where the customer list is) and waits
 * until the new customer is open and an agent is chatting with it.
 */
export async function addChattingCustomer(page, nickname) {
  await page.click('[data-tab="chat"]');
  await page.click('[data-testid="new-customer"]');
  await page.fill('[data-testid="new-customer-form"] input[name="nickname"]', nickname);
  await page.click('[data-testid="new-customer-form"] button[type="submit"]');
  // Until the form closes, the customer open before (maybe chatting too) is still on screen.
  await page.waitForSelector('[data-testid="new-customer-form"]', { state: "detached", timeout: 15_000 });
  await page.waitForSelector(`button.row.selected[data-customer=${JSON.stringify(nickname)}]`);
  await page.waitForSelector('[data-testid="conversation-status"][data-state="chatting"]', { timeout: 15_000 });
}

/** Agent HTML that would run script, load from elsewhere or cover the page if it were trusted. */
export const HOSTILE =
  '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"><a href="javascript:window.__pwned=3">x</a>' +
  '<iframe src="javascript:window.__pwned=4"></iframe><svg onload="window.__pwned=5"></svg>' +
  '<div style="position:fixed;inset:0">cover</div><img src="http://example.invalid/t.png">';

// ---- small generated media files -------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A w×h PNG in one colour. */
export function png(w, h, [r, g, b]) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => [r, g, b]).flat())]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** `seconds` (half a second unless told) of 8 kHz mono 16-bit silence. */
export function wav(seconds = 0.5) {
  const samples = Math.round(8000 * seconds);
  const b = Buffer.alloc(44 + samples * 2);
  b.write("RIFF", 0);
  b.writeUInt32LE(36 + samples * 2, 4);
  b.write("WAVEfmt ", 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(16000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write("data", 36);
  b.writeUInt32LE(samples * 2, 40);
  return b;
}

/** Bytes that start like an MP4 (an `ftyp` box), enough for an upload. */
export function mp4ish() {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write("ftypisom", 4);
  ftyp.writeUInt32BE(0x200, 12);
  ftyp.write("isommp41", 16);
  return Buffer.concat([ftyp, Buffer.alloc(512, 7)]);
}

/** Writes the test media into a temp dir; returns their paths. */
export function mediaFiles() {
  const dir = mkdtempSync(join(tmpdir(), "wxsim-ui-media-"));
  const files = {
    image: join(dir, "photo.png"),
    voice: join(dir, "hello.wav"),
    video: join(dir, "clip.mp4"),
    thumb: join(dir, "thumb.png"),
  };
  writeFileSync(files.image, png(64, 48, [40, 150, 240]));
  writeFileSync(files.voice, wav());
  writeFileSync(files.video, mp4ish());
  writeFileSync(files.thumb, png(32, 24, [240, 120, 40]));
  return files;
}
