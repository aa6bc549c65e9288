// The real desktop window (Tauri + WebKitGTK under Xvfb) driven through tauri-driver: the UI
// loads over IPC, a customer chats with the embedded simulator's agent, the transcript is
// stored, hostile agent HTML stays inert, media previews load over wxsim-media://, exports
// rendered by the server are saved through the native dialog, byte for byte, and the agent
// desk opens in a second window that trades messages with the console. Files cross IPC as
// raw bodies (uploads, exports, save_file), never as JSON arrays of numbers.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { storedZip } from "../support/zip.mjs";
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
/** The size of the big upload: the API's limit for a media file. */
const BIG = 64 * 1024 * 1024;

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/**
 * `size` bytes of xorshift32 noise (incompressible, like a video), the same in node and in
 * the page (its source is sent there), so that the page need not be sent 64 MiB.
 */
function noise(size) {
  const words = new Uint32Array(size / 4);
  let x = 2463534242;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  return new Uint8Array(words.buffer);
}

/** Page-side: an ArrayBuffer as base64 (WebDriver carries JSON only). */
const TO_BASE64 = `(buffer) => {
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}`;

describe("desktop window", () => {
  let s;

  /**
   * Calls a shell command over IPC from the page: {ok, value} or {ok: false, error}. Args
   * `{base64}` go as the raw body (a Uint8Array), with `options` (headers); an ArrayBuffer
   * answer comes back as `{base64}`.
   */
  const ipc = (command, args = {}, options = {}) =>
    s.executeAsync(
      `const [command, args, options, done] = arguments;
       const toBase64 = ${TO_BASE64};
       const body = typeof args.base64 === "string" ? Uint8Array.from(atob(args.base64), (c) => c.charCodeAt(0)) : args;
       window.__TAURI_INTERNALS__.invoke(command, body, options).then(
         (value) => done({ ok: true, value: value instanceof ArrayBuffer ? { base64: toBase64(value) } : value }),
         (error) => done({ ok: false, error }));`,
      command,
      args,
      options,
    );
  const bytesOf = (answer) => Buffer.from(answer.base64, "base64");

  /**
   * From now on records the page's IPC requests for `commands` in window.__spied (Tauri sends
   * an invoke as a fetch to ipc://localhost/{command}): each one's content type, wxsim
   * headers, body size, answer (JSON, or an ArrayBuffer as {base64}) and milliseconds.
   */
  const spyIpc = (...commands) =>
    s.execute(
      `window.__spied = [];
       window.__spiedCommands = arguments[0];
       if (window.__spying) return;
       window.__spying = true;
       const toBase64 = ${TO_BASE64};
       const fetch = window.fetch;
       window.fetch = (url, init) => {
         const answer = fetch(url, init);
         const command = decodeURIComponent(String(url).split("/").pop());
         if (!window.__spiedCommands.includes(command)) return answer;
         const headers = new Headers(init.headers);
         const started = performance.now();
         const call = {
           command,
           contentType: headers.get("content-type"),
           kind: headers.get("x-wxsim-kind"),
           name: headers.get("x-wxsim-name"),
           bodyBytes: init.body instanceof ArrayBuffer || ArrayBuffer.isView(init.body) ? init.body.byteLength : null,
         };
         return answer.then((response) => {
           const copy = response.clone();
           const read = copy.headers.get("content-type") === "application/json"
             ? copy.json()
             : copy.arrayBuffer().then((b) => ({ base64: toBase64(b) }));
           read.then((value) =>
             window.__spied.push({
               ...call,
               ms: Math.round(performance.now() - started),
               ok: copy.headers.get("Tauri-Response") === "ok",
               answer: value,
             }),
           );
           return response;
         });
       };`,
      commands,
    );
  const spied = (count, what, timeout) =>
    eventually(async () => {
      const calls = await s.execute("return window.__spied");
      return calls.length >= count && calls;
    }, { what, timeout });

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
    // Bytes are a raw body: the old JSON shapes are refused before anything happens.
    for (const [command, args] of [
      ["upload_media", { kind: "image", name: "dot.png", bytes: [...PNG] }],
      ["save_file", { defaultName: "transcript.md", contents: "# hi\n" }],
    ]) {
      const json = await ipc(command, args);
      assert.equal(json.ok, false, command);
      assert.equal(json.error.status, 400);
      assert.equal(json.error.error.kind, "invalid");
      assert.match(json.error.error.message, /raw body/);
    }
    const unnamed = await ipc("upload_media", { base64: PNG.toString("base64") }, { headers: { "x-wxsim-kind": "image" } });
    assert.equal(unnamed.ok, false);
    assert.match(unnamed.error.error.message, /x-wxsim-name/);
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
    await s.type('[data-testid="text-input"]', "Desktop window note\uE007");
    await s.waitFor('[data-direction="out"][data-delivery="sent"] [data-kind="text"]');
    await eventually(async () => (await agentReplies()) > replies, { what: "the agent's answer" });
    const last = await s.execute(
      'const all = document.querySelectorAll(\'[data-direction="in"] .agent-html\'); return all[all.length - 1].innerHTML',
    );
    assert.match(last, /Desktop window note/);
  });

  test("the transcript is stored: both directions, in order", async () => {
    const [customer] = await api("GET", "/api/customers");
    assert.equal(customer.nickname, "Desktop Dan");
    const messages = await api("GET", `/api/conversations/${customer.conversationId}/messages`);
    const out = messages.findIndex((m) => m.direction === "out" && m.text === "Desktop window note");
    assert.ok(out >= 0, JSON.stringify(messages));
    assert.ok(messages.slice(out + 1).some((m) => m.direction === "in" && /Desktop window note/.test(m.html)));
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

  /** Starts save_file in the page with `contents` as the raw body; the answer lands in window.__saved. */
  const startSave = (defaultName, contents) =>
    s.execute(
      `window.__saved = undefined;
       const contents = Uint8Array.from(atob(arguments[1]), (c) => c.charCodeAt(0));
       window.__TAURI_INTERNALS__.invoke("save_file", contents, { headers: { "x-wxsim-name": encodeURIComponent(arguments[0]) } }).then(
         (value) => (window.__saved = { ok: true, value }),
         (error) => (window.__saved = { ok: false, error }));`,
      defaultName,
      Buffer.from(contents).toString("base64"),
    );
  const saved = () => eventually(() => s.execute("return window.__saved"), { what: "save_file's answer" });

  test("save_file asks with a native dialog offering the name and writes the raw body byte for byte; cancelling answers null", { skip: !hasXdotool && "needs xdotool" }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "wxsim-desktop-save-"));
    try {
      // Every byte value (not UTF-8, so no string could carry it) and a name no header can
      // carry as it is.
      const name = "会话 transcript.md";
      const contents = Buffer.concat([Buffer.from("# Desktop Dan\n\nDesktop window note\n"), Buffer.from([...Array(256).keys()])]);
      await startSave(name, contents);
      focusSaveDialog();
      execFileSync("import", ["-window", "root", join(SCREENSHOTS, "desktop-save-dialog.png")]);
      // The dialog offers the name: put the folder in front of it.
      xdotool("key", "Home");
      xdotool("type", "--delay", "5", `${dir}/`);
      xdotool("key", "Return");
      const answer = await saved();
      assert.deepEqual(answer, { ok: true, value: join(dir, name) });
      assert.equal(basename(answer.value), name);
      assert.ok(readFileSync(answer.value).equals(contents), "the file holds exactly the bytes sent");

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

  test("media uploads over IPC as a raw body, byte-identical; its bytes come back raw through api_bytes and preview as a blob", async () => {
    const uploaded = await ipc(
      "upload_media",
      { base64: PNG.toString("base64") },
      { headers: { "x-wxsim-kind": "image", "x-wxsim-name": encodeURIComponent("点 dot.png") } },
    );
    assert.ok(uploaded.ok, JSON.stringify(uploaded.error));
    media = uploaded.value;
    assert.equal(media.mime, "image/png");
    assert.equal(media.kind, "image");
    assert.equal(media.originalName, "点 dot.png");
    assert.equal(media.size, PNG.length);
    assert.equal(media.sha256, sha256(PNG));
    const back = await ipc("api_bytes", { path: `/api/media/${media.mediaId}` });
    assert.ok(back.ok, JSON.stringify(back.error));
    assert.ok(bytesOf(back.value).equals(PNG));
    const asJson = await ipc("api", { method: "GET", path: `/api/media/${media.mediaId}` });
    assert.equal(asJson.ok, false, "api answers JSON only");
    assert.match(asJson.error.error.message, /image\/png, not JSON: call `api_bytes`/);
    const missing = await ipc("api_bytes", { path: "/api/media/nope" });
    assert.equal(missing.ok, false);
    assert.equal(missing.error.status, 404);
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

  test("a 64 MiB video and its poster dropped on the conversation upload through the window's transport as raw bodies, byte-identical", async () => {
    await s.click('[data-tab="chat"]');
    await spyIpc("upload_media");
    const replies = await agentReplies();
    const videos = await s.count('[data-direction="out"] [data-kind="video"]');
    await s.execute(
      `const noise = ${noise};
       const dt = new DataTransfer();
       dt.items.add(new File([noise(arguments[0])], "clip.mp4", { type: "video/mp4" }));
       dt.items.add(new File([Uint8Array.from(atob(arguments[1]), (c) => c.charCodeAt(0))], "poster.png", { type: "image/png" }));
       document.querySelector("section.chat").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));`,
      BIG,
      PNG.toString("base64"),
    );
    await s.waitFor('[data-mode="video"][aria-selected="true"]');
    await s.click('[data-testid="media-form"] button[type="submit"]');
    const uploads = await spied(2, "both uploads answered", 120_000);
    const [video, poster] = ["video", "thumb"].map((kind) => uploads.find((call) => call.kind === kind));
    for (const [call, kind, name, bytes] of [
      [video, "video", "clip.mp4", noise(BIG)],
      [poster, "thumb", "poster.png", PNG],
    ]) {
      assert.equal(call.ok, true, JSON.stringify(call.answer));
      assert.deepEqual(
        { contentType: call.contentType, kind: call.kind, name: call.name, bodyBytes: call.bodyBytes },
        { contentType: "application/octet-stream", kind, name, bodyBytes: bytes.length },
        "the file crossed as its own bytes",
      );
      assert.equal(call.answer.size, bytes.length);
      assert.equal(call.answer.sha256, sha256(bytes), `${name} arrived byte-identical`);
    }
    console.log(`# 64 MiB upload: ${video.bodyBytes} bytes crossed IPC, answered in ${video.ms} ms`);
    await eventually(async () => (await s.count('[data-direction="out"] [data-kind="video"]')) > videos, {
      what: "the video message in the chat",
      timeout: 60_000,
    });
    // The agent answers once it has fetched both files from the listener.
    await eventually(async () => (await agentReplies()) > replies, { what: "the agent's answer to the video", timeout: 120_000 });
  });

  test("an export from History is rendered by the server and saved through the dialog", { skip: !hasXdotool && "needs xdotool" }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "wxsim-desktop-export-"));
    try {
      const [customer] = await api("GET", "/api/customers");
      await s.click('[data-tab="history"]');
      await s.click(`[data-testid="conversation-list"] [data-conversation="${customer.conversationId}"]`);
      await s.waitFor('[data-testid="transcript"]');
      // The agent's greeting shows emoji pictures: each export comes as a zip, its files beside it.
      for (const format of ["md", "json"]) {
        const target = join(dir, `transcript-${format}.zip`);
        await spyIpc("api_bytes", "save_file");
        await s.click(`[data-testid="export"] [data-format="${format}"]`);
        focusSaveDialog();
        xdotool("key", "ctrl+a");
        xdotool("type", "--delay", "5", target);
        xdotool("key", "Return");
        const text = await eventually(() => {
          try {
            const written = storedZip(readFileSync(target)).get(`conversation-${customer.conversationId}.${format}`)?.toString("utf8");
            if (format === "json") JSON.parse(written);
            return written?.length > 0 && written;
          } catch {
            return null;
          }
        }, { what: `${format} export written` });
        await eventually(
          async () => (await s.execute(`return document.querySelector('[data-testid="toasts"]').textContent`)).includes(`Export saved to ${target}`),
          { what: "the toast naming the saved file" },
        );
        // The file is exactly the bytes the server rendered: fetched raw, saved raw.
        const calls = await spied(2, "the export's api_bytes and save_file");
        const [fetched, save] = ["api_bytes", "save_file"].map((command) => calls.find((call) => call.command === command));
        const rendered = bytesOf(fetched.answer);
        assert.deepEqual(
          { command: save.command, contentType: save.contentType, name: save.name, bodyBytes: save.bodyBytes, answer: save.answer },
          {
            command: "save_file",
            contentType: "application/octet-stream",
            name: encodeURIComponent(`conversation-${customer.conversationId}.zip`),
            bodyBytes: rendered.length,
            answer: target,
          },
        );
        assert.ok(readFileSync(target).equals(rendered), `the ${format} file holds the server's bytes`);
        if (format === "md") {
          assert.match(text, new RegExp(`^# Conversation ${customer.conversationId} — Desktop Dan`));
          assert.match(text, /Desktop window note/);
        } else {
          const doc = JSON.parse(text);
          assert.equal(doc.conversation.id, customer.conversationId);
          assert.ok(doc.messages.some((m) => m.text === "Desktop window note"));
        }
      }
      await screenshot("desktop-history-export");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the agent desk opens in a second window, and a message goes each way between it and the console", async () => {
    const main = await s.call("GET", "/window");
    await s.click('[data-tab="desk"]');
    await s.click('[data-action="open-desk-window"]');
    const deskWindow = await eventually(
      async () => (await s.call("GET", "/window/handles")).find((handle) => handle !== main),
      { what: "a second window" },
    );
    const inWindow = (handle) => s.call("POST", "/window", { handle });
    try {
      await inWindow(deskWindow);
      await s.waitFor('[data-testid="desk"] [data-testid="desk-seat-agent"] option[value="A001"]', 30_000);
      assert.equal(await s.execute("return location.hash"), "#/desk");
      await s.execute(
        `const seat = document.querySelector('[data-testid="desk-seat-agent"]');
         seat.value = "A001";
         seat.dispatchEvent(new Event("change", { bubbles: true }));`,
      );
      await s.click('[data-action="take-seat"]');
      await s.waitFor('[data-testid="desk-seat"][data-holding="true"]');

      await inWindow(main);
      await s.click('[data-tab="chat"]');
      await s.click('[data-testid="new-customer"]');
      await s.type('[data-testid="new-customer-form"] input[name="nickname"]', "Desk Dora", { clear: true });
      await s.type('[data-testid="new-customer-form"] input[name="skillGroup"]', "1", { clear: true });
      await s.click('[data-testid="new-customer-form"] button[type="submit"]');
      await s.waitFor('[data-testid="conversation-status"][data-state="queued"]', 20_000);

      await inWindow(deskWindow);
      await s.click('[data-testid="desk-queues"] li[data-nickname="Desk Dora"] button[data-action="accept"]');
      await s.waitFor('[data-testid="desk-chat"][data-nickname="Desk Dora"]');

      await inWindow(main);
      await s.waitFor('[data-testid="conversation-status"][data-state="chatting"]', 20_000);
      await s.type('[data-testid="text-input"]', "Hello from the customer\uE007");

      await inWindow(deskWindow);
      await eventually(
        async () => (await s.execute(`return document.querySelector('[data-testid="desk-transcript"]')?.textContent ?? ""`)).includes("Hello from the customer"),
        { what: "the customer's words at the desk" },
      );
      await s.type('[data-testid="desk-editor"]', "Hello from the desk window");
      await s.click('[data-action="desk-send"]');
      await eventually(
        async () => (await s.execute(`return document.querySelector('[data-testid="desk-transcript"]').textContent`)).includes("Hello from the desk window"),
        { what: "the reply in the desk's transcript" },
      );
      await eventually(
        async () => (await s.execute(`return document.querySelector('[data-testid="desk-editor"]').textContent`)) === "",
        { what: "the desk's editor emptied" },
      );
      await screenshot("desktop-desk-window");

      await inWindow(main);
      await eventually(
        async () =>
          (await s.execute(`return [...document.querySelectorAll('[data-direction="in"] .agent-html')].map((b) => b.textContent).join("|")`)).includes(
            "Hello from the desk window",
          ),
        { what: "the desk's reply in the console" },
      );
      await screenshot("desktop-desk-console");
    } finally {
      await inWindow(main);
    }
  });

  test("Ctrl + zooms the window's page and the zoom is kept after a reload; Ctrl 0 goes back", async () => {
    const CTRL = "\uE009";
    /** The zoom the page asked for, the window's width in CSS pixels, and how wide the page is laid out. */
    const seen = () =>
      s.execute("return { zoom: document.documentElement.dataset.zoom, width: innerWidth, laidOut: document.scrollingElement.scrollWidth }");
    /** Presses `keys` together, as real key events in the window. */
    const chord = (...keys) =>
      s.call("POST", "/actions", {
        actions: [
          {
            type: "key",
            id: "keyboard",
            actions: [...keys.map((value) => ({ type: "keyDown", value })), ...[...keys].reverse().map((value) => ({ type: "keyUp", value }))],
          },
        ],
      });
    /** Waits until the page is zoomed to `zoom`: fewer CSS pixels across the same window, nothing wider than it (but for rounding). */
    async function zoomedTo(zoom, full) {
      let now;
      await eventually(
        async () => {
          now = await seen();
          return now.zoom === String(zoom) && Math.abs(now.width * zoom - full) <= 2 && now.laidOut <= now.width + 1;
        },
        { what: `zoom ${zoom}` },
      ).catch((e) => {
        throw new Error(`${e.message}: the page shows ${JSON.stringify(now)}`);
      });
    }
    const start = await seen();
    assert.equal(start.zoom, "1");
    await chord(CTRL, "=");
    await zoomedTo(1.1, start.width);
    await s.execute("location.reload()");
    await s.waitFor('[data-testid="customer-list"] button.row');
    await zoomedTo(1.1, start.width);
    await screenshot("desktop-zoom-110");
    await chord(CTRL, "0");
    await zoomedTo(1, start.width);
  });
});
