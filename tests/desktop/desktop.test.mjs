// The real desktop window (Tauri + WebKitGTK under Xvfb) driven through tauri-driver: the UI
// loads over IPC, a customer chats with the embedded simulator's agent, the transcript is
// stored, hostile agent HTML stays inert, media previews load over wxsim-media://, exports
// rendered by the server are saved through the native dialog.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { eventually, newSession } from "./webdriver.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const SCREENSHOTS = join(here, "screenshots");
const DRIVER = process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444";
const APP = process.env.WXSIM_DESKTOP_BIN;
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAABGdBTUEAALGPC/xhBQAAACBjSFJNAAB6JgAAgIQAAPoAAACA6AAAdTAAAOpgAAA6mAAAF3CculE8AAAABmJLR0QA/wD/AP+gvaeTAAAAB3RJTUUH6gsYDSIVW8HtvQAAABlJREFUKM9jZD+YwEAKYCJJ9aiGUQ1DSgMAvBQBSKomz8YAAAAldEVYdGRhdGU6Y3JlYXRlADIwMjYtMTEtMjRUMTM6MzQ6MjErMDA6MDCYexwmAAAAJXRFWHRkYXRlOm1vZGlmeQAyMDI2LTExLTI0VDEzOjM0OjIxKzAwOjAw6SakmgAAAABJRU5ErkJggg==", "base64");
const HOSTILE =
  '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">' +
  '<a href="javascript:window.__pwned=3">x</a><iframe src="javascript:window.__pwned=4"></iframe>' +
  '<svg onload="window.__pwned=5"></svg>';

describe("desktop window", () => {
  let s;

  /** Calls a shell command over IPC from the page: {ok, value} or {ok: false, error}. */
  const ipc = (command, args) =>
    s.executeAsync(
      `const done = arguments[arguments.length - 1];
       window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then(
         (value) => done({ ok: true, value }),
         (error) => done({ ok: false, error }));`,
      command,
      args,
    );

  async function api(method, path, body) {
    const answer = await ipc("api", body === undefined ? { method, path } : { method, path, body });
    assert.ok(answer.ok, `${method} ${path}: ${JSON.stringify(answer.error)}`);
    return answer.value;
  }

  async function screenshot(name) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(join(SCREENSHOTS, `${name}.png`), await s.screenshot());
  }

  const agentReplies = () => s.count('[data-direction="in"] .agent-html');

  before(async () => {
    assert.ok(APP, "WXSIM_DESKTOP_BIN names the app binary");
    s = await newSession(DRIVER, { browserName: "wry", "tauri:options": { application: APP } });
  });

  after(async () => {
    await s?.close();
  });

  test("the window opens on the UI, served over IPC with the embedded simulator", async () => {
    await s.waitFor('[data-testid="customer-list"]', 30_000);
    assert.equal(await s.execute("return document.title"), "wxsim");
    const info = await api("GET", "/api/info");
    assert.equal(info.embedded, true);
    assert.match(info.webchat, /^http:\/\/127\.0\.0\.1:\d+\/webchat$/);
  });

  test("api rejects with the status and the API's error", async () => {
    const missing = await ipc("api", { method: "GET", path: "/api/customers/999999" });
    assert.equal(missing.ok, false);
    assert.equal(missing.error.status, 404);
    assert.equal(missing.error.error.kind, "not_found");
    const invalid = await ipc("api", { method: "POST", path: "/api/customers", body: { nickname: "" } });
    assert.equal(invalid.ok, false);
    assert.ok(invalid.error.status >= 400 && invalid.error.status < 500, JSON.stringify(invalid.error));
  });

  test("a new customer gets chatting with the simulator's agent", async () => {
    await s.click('[data-testid="new-customer"]');
    await s.type('[data-testid="new-customer-form"] input[name="nickname"]', "Desktop Dan", { clear: true });
    await s.click('[data-testid="new-customer-form"] button[type="submit"]');
    await s.waitFor('[data-testid="conversation-status"][data-state="chatting"]', 20_000);
    await eventually(async () => (await agentReplies()) >= 1, { what: "the agent's greeting" });
  });

  test("a text message goes out, is delivered and answered", async () => {
    const replies = await agentReplies();
    await s.type('[data-testid="text-input"]', "Hello from the desktop\uE007");
    await s.waitFor('[data-direction="out"][data-delivery="sent"] [data-kind="text"]');
    await eventually(async () => (await agentReplies()) > replies, { what: "the agent's answer" });
    const last = await s.execute(
      'const all = document.querySelectorAll(\'[data-direction="in"] .agent-html\'); return all[all.length - 1].innerHTML',
    );
    assert.match(last, /Hello from the desktop/);
  });

  test("the transcript is stored: both directions, in order", async () => {
    const [customer] = await api("GET", "/api/customers");
    assert.equal(customer.nickname, "Desktop Dan");
    const messages = await api("GET", `/api/conversations/${customer.conversationId}/messages`);
    const out = messages.findIndex((m) => m.direction === "out" && m.text === "Hello from the desktop");
    assert.ok(out >= 0, JSON.stringify(messages));
    assert.ok(messages.slice(out + 1).some((m) => m.direction === "in" && /Hello from the desktop/.test(m.html)));
  });

  test("engine events reach the window as answers to next_events over the IPC protocol, not as emits, and only those it shows", async () => {
    const listen = await ipc("plugin:event|listen", { event: "engine", target: { kind: "Any" }, handler: 0 });
    assert.equal(listen.ok, false, "the window may not listen to emitted events");
    // Tauri's IPC sends an invoke as a fetch to ipc://localhost/{command}: record the polls
    // made from now on and the events their answers carry.
    await s.execute(
      `const fetch = window.fetch;
       window.__polls = 0;
       window.__pulled = [];
       window.fetch = (url, init) => {
         const answer = fetch(url, init);
         if (!String(url).endsWith("/next_events")) return answer;
         window.__polls++;
         return answer.then((response) => {
           response.clone().json().then((batch) => window.__pulled.push(...batch.events), () => {});
           return response;
         });
       };`,
    );
    const [customer] = await api("GET", "/api/customers");
    const send = (text) => api("POST", `/api/customers/${customer.id}/messages`, { msgType: "text", content: text });
    // Answers the poll that was under way before the spy; the next one goes through it.
    await send("pulled before the spy");
    await eventually(() => s.execute("return window.__polls > 0"), { what: "a poll through the spy" });
    await send("pulled through the spy");
    await eventually(
      () =>
        s.execute(
          `return window.__pulled.some((e) => e.type === "messageAdded" && e.message.text === "pulled through the spy")`,
        ),
      { what: "the message's event in a next_events answer" },
    );
    await eventually(
      () =>
        s.execute(
          `return [...document.querySelectorAll('[data-direction="out"] [data-kind="text"]')]
             .some((bubble) => bubble.textContent.includes("pulled through the spy"))`,
        ),
      { what: "the message shown live in the open conversation" },
    );
    // The page is sent what it shows: exchanges only while the wire inspector is open.
    const pulledExchanges = () => s.execute(`return window.__pulled.filter((e) => e.type === "exchange").length`);
    assert.equal(await pulledExchanges(), 0, "no exchanges while the wire inspector is closed");
    await s.click('[data-tab="wire"]');
    await s.waitFor('[data-testid="exchanges"][aria-busy="false"]');
    await send("pulled with the wire open");
    await eventually(async () => (await pulledExchanges()) > 0, { what: "exchanges once the wire inspector is open" });
    await s.click('[data-tab="chat"]');
  });

  test("hostile agent HTML is inert in the window", async () => {
    const [customer] = await api("GET", "/api/customers");
    const conversation = await api("GET", `/api/conversations/${customer.conversationId}`);
    const sim = (await api("GET", "/api/info")).webchat.replace(/\/webchat\/?$/, "");
    const replies = await agentReplies();
    const res = await fetch(`${sim}/sim/agent/say`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sessionId: conversation.sessionId, html: HOSTILE }),
    });
    assert.equal(res.status, 200, await res.text());
    await eventually(async () => (await agentReplies()) > replies, { what: "the hostile message" });
    // A kept handler would have run once the message's images have loaded or failed.
    await eventually(
      () => s.execute(`return [...document.querySelectorAll('[data-testid="messages"] img')].every((img) => img.complete)`),
      { what: "the hostile message's images settled" },
    );
    assert.equal(await s.execute("return typeof window.__pwned"), "undefined");
    const bad = '[data-testid="messages"] :is(script, iframe, svg, [onerror], [onload], a[href^="javascript:"])';
    assert.equal(await s.count(bad), 0);
    await screenshot("desktop-chat");
  });

  /** Runs xdotool (it types into native dialogs, which WebDriver cannot reach). */
  const xdotool = (...args) => execFileSync("xdotool", args, { timeout: 15_000 }).toString().trim();
  const hasXdotool = (() => {
    try {
      xdotool("version");
      return true;
    } catch {
      return false;
    }
  })();

  /** Waits for GTK's save dialog and gives it the keyboard (there is no window manager). */
  function focusSaveDialog() {
    const [id] = xdotool("search", "--sync", "--onlyvisible", "--name", "^Save File$").split("\n");
    xdotool("windowfocus", "--sync", id);
  }

  /** Starts save_file in the page; the answer lands in window.__saved. */
  const startSave = (defaultName, contents) =>
    s.execute(
      `window.__saved = undefined;
       window.__TAURI_INTERNALS__.invoke("save_file", { defaultName: arguments[0], contents: arguments[1] }).then(
         (value) => (window.__saved = { ok: true, value }),
         (error) => (window.__saved = { ok: false, error }));`,
      defaultName,
      contents,
    );
  const saved = () => eventually(() => s.execute("return window.__saved"), { what: "save_file's answer" });

  test("save_file asks with a native dialog and writes the file; cancelling answers null", { skip: !hasXdotool && "needs xdotool" }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "wxsim-desktop-save-"));
    try {
      const target = join(dir, "transcript.md");
      await startSave("transcript.md", "# Desktop Dan\n\nHello from the desktop\n");
      focusSaveDialog();
      execFileSync("import", ["-window", "root", join(SCREENSHOTS, "desktop-save-dialog.png")]);
      xdotool("key", "ctrl+a");
      xdotool("type", "--delay", "5", target);
      xdotool("key", "Return");
      assert.deepEqual(await saved(), { ok: true, value: target });
      assert.equal(readFileSync(target, "utf8"), "# Desktop Dan\n\nHello from the desktop\n");

      await startSave("other.md", "x");
      focusSaveDialog();
      xdotool("key", "Escape");
      assert.deepEqual(await saved(), { ok: true, value: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Loads `src` in an <img> in the page: its natural width, or "error". */
  const imageWidth = (src) =>
    s.executeAsync(
      `const done = arguments[arguments.length - 1];
       const img = new Image();
       img.onload = () => done(img.naturalWidth);
       img.onerror = () => done("error");
       img.src = arguments[0];`,
      src,
    );

  let media;

  test("media uploads over IPC; its bytes come back through api and preview as a blob", async () => {
    const uploaded = await ipc("upload_media", { kind: "image", name: "dot.png", bytes: [...PNG] });
    assert.ok(uploaded.ok, JSON.stringify(uploaded.error));
    media = uploaded.value;
    assert.equal(media.mime, "image/png");
    assert.equal(media.size, PNG.length);
    assert.deepEqual(await api("GET", `/api/media/${media.mediaId}`), [...PNG]);
    const blob = await s.executeAsync(
      `const done = arguments[arguments.length - 1];
       done(URL.createObjectURL(new Blob([new Uint8Array(arguments[0])], { type: "image/png" })));`,
      [...PNG],
    );
    assert.equal(await imageWidth(blob), 16);
  });

  test("media previews load from wxsim-media://localhost/{mediaId}", async () => {
    const pageCsp = await s.execute(
      'return document.querySelector(\'meta[http-equiv="Content-Security-Policy"]\')?.content ?? ""',
    );
    assert.match(/img-src([^;]*)/.exec(pageCsp)?.[1] ?? "", /wxsim-media:/);
    assert.match(/media-src([^;]*)/.exec(pageCsp)?.[1] ?? "", /wxsim-media:/);
    assert.equal(await imageWidth(`wxsim-media://localhost/${encodeURIComponent(media.mediaId)}`), 16);
  });

  test("an image message in the chat previews from wxsim-media://", async () => {
    const [customer] = await api("GET", "/api/customers");
    await api("POST", `/api/customers/${customer.id}/messages`, { msgType: "image", content: { mediaId: media.mediaId } });
    const img = '[data-direction="out"] [data-kind="image"] img';
    await s.waitFor(img);
    const preview = await eventually(
      () =>
        s.execute(
          `const all = document.querySelectorAll(arguments[0]); const img = all[all.length - 1];
           return img.complete && img.naturalWidth > 0 ? { src: img.getAttribute("src"), width: img.naturalWidth } : null;`,
          img,
        ),
      { what: "the image preview loaded" },
    );
    assert.deepEqual(preview, { src: `wxsim-media://localhost/${encodeURIComponent(media.mediaId)}`, width: 16 });
    await screenshot("desktop-image-preview");
  });

  test("an export from History is rendered by the server and saved through the dialog", { skip: !hasXdotool && "needs xdotool" }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "wxsim-desktop-export-"));
    try {
      const [customer] = await api("GET", "/api/customers");
      await s.click('[data-tab="history"]');
      await s.click(`[data-testid="conversation-list"] [data-conversation="${customer.conversationId}"]`);
      await s.waitFor('[data-testid="transcript"]');
      for (const format of ["md", "json"]) {
        const target = join(dir, `transcript.${format}`);
        await s.click(`[data-testid="export"] [data-format="${format}"]`);
        focusSaveDialog();
        xdotool("key", "ctrl+a");
        xdotool("type", "--delay", "5", target);
        xdotool("key", "Return");
        const text = await eventually(() => {
          try {
            const written = readFileSync(target, "utf8");
            if (format === "json") JSON.parse(written);
            return written.length > 0 && written;
          } catch {
            return null;
          }
        }, { what: `${format} export written` });
        await eventually(
          async () => (await s.execute(`return document.querySelector('[data-testid="toasts"]').textContent`)).includes(`Export saved to ${target}`),
          { what: "the toast naming the saved file" },
        );
        if (format === "md") {
          assert.match(text, new RegExp(`^# Conversation ${customer.conversationId} — Desktop Dan`));
          assert.match(text, /Hello from the desktop/);
        } else {
          const doc = JSON.parse(text);
          assert.equal(doc.conversation.id, customer.conversationId);
          assert.ok(doc.messages.some((m) => m.text === "Hello from the desktop"));
        }
      }
      await screenshot("desktop-history-export");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
