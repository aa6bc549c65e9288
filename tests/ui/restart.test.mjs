// Transcripts that never change after the fact: a conversation with emoji, an agent picture
// and a customer image is read (History's transcript as the page shows it, with every
// picture's bytes, and every export) before and after `wxsim serve` restarts on the same data
// dir. Both reads must be byte for byte the same. A chat still open when the server stopped
// keeps every old line and gains one: webchat no longer knows its session.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { addChattingCustomer, eventually, openBrowser, png, startServe, TOKEN } from "./harness.mjs";

const FORMATS = ["html", "md", "json", "csv"];

describe("restart", () => {
  let serve, browser, page;
  let finished, open;

  /** Every export of conversation `id`, as bytes (base64, so that a difference prints). */
  async function exports(id) {
    const out = {};
    for (const format of FORMATS) {
      const res = await fetch(`${serve.api}/api/conversations/${id}/export?format=${format}`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(res.status, 200, `export ${format}`);
      out[format] = Buffer.from(await res.arrayBuffer()).toString("base64");
    }
    return out;
  }

  /** History's transcript of `nickname` as the page shows it: its markup and each picture's bytes. */
  async function transcript(nickname) {
    await page.click('[data-tab="history"]');
    await page.locator(`[data-testid="conversation-list"] [data-conversation]`, { hasText: nickname }).first().click();
    await page.waitForSelector('[data-testid="transcript"]');
    await eventually(
      () => page.evaluate(() => [...document.querySelectorAll("[data-testid=messages] img")].every((i) => i.complete)),
      { what: "the transcript's pictures loaded" },
    );
    const { html, sources } = await page.evaluate(() => {
      const root = document.querySelector("[data-testid=messages]");
      return { html: root.innerHTML, sources: [...root.querySelectorAll("img")].map((i) => i.currentSrc || i.src) };
    });
    const pictures = [];
    for (const src of sources) pictures.push(await pictureBytes(src));
    return { html, pictures };
  }

  /** A picture's bytes as the page got them: a `data:` URI's own, else fetched as the page would. */
  async function pictureBytes(src) {
    if (src.startsWith("data:")) return { status: 200, bytes: src.slice(src.indexOf(",") + 1) };
    const res = await fetch(src, { headers: { Authorization: `Bearer ${TOKEN}` } });
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()).toString("base64") };
  }

  async function read() {
    return {
      finished: { exports: await exports(finished.conversationId), page: await transcript("Rita Restart") },
      open: await serve.call("GET", `/api/conversations/${open.conversationId}/messages`),
    };
  }

  before(async () => {
    serve = await startServe();
    browser = await openBrowser();
    page = browser.page;
    await page.goto(serve.url);
    await addChattingCustomer(page, "Rita Restart");
    // The agent's greeting carries emoji pictures, fetched from webchat on arrival.
    await page.waitForSelector('[data-direction="in"] .agent-html img');
    const customers = await serve.call("GET", "/api/customers");
    finished = customers.find((c) => c.nickname === "Rita Restart");
    const media = await fetch(`${serve.api}/api/media?kind=image&name=red.png`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: png(8, 8, [220, 30, 30]),
    }).then((r) => r.json());
    await serve.call("POST", `/api/customers/${finished.id}/messages`, { msgType: "image", content: { mediaId: media.mediaId } });
    await serve.call("POST", `/api/customers/${finished.id}/messages`, { msgType: "text", content: "谢谢，再见" });
    await page.waitForSelector('[data-direction="out"][data-delivery="sent"] img');
    await serve.call("POST", `/api/customers/${finished.id}/close`);
    await addChattingCustomer(page, "Otto Open");
    open = (await serve.call("GET", "/api/customers")).find((c) => c.nickname === "Otto Open");
    await page.waitForSelector('[data-direction="in"] .agent-html img');
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  // A server that waits for the page's event stream never stops: the timeout fails it.
  test("every old transcript, HTML export included, reads the same after a restart", { timeout: 120_000 }, async () => {
    const before_ = await read();
    assert.ok(before_.finished.page.pictures.length >= 2, "the transcript shows pictures (emoji and the customer's image)");
    for (const p of before_.finished.page.pictures) assert.equal(p.status, 200);
    await browser.screenshot("restart-before");

    await serve.stop({ keepData: true });
    serve = await startServe({ dataDir: serve.dataDir });
    await page.goto(serve.url);
    await page.waitForSelector('[data-testid="customer-list"]');
    const after_ = await read();

    for (const format of FORMATS) {
      assert.equal(after_.finished.exports[format], before_.finished.exports[format], `the ${format} export is byte for byte the same`);
    }
    assert.equal(after_.finished.page.html, before_.finished.page.html, "History's transcript markup is the same");
    assert.deepEqual(after_.finished.page.pictures, before_.finished.page.pictures, "every picture has the same bytes");
    await browser.screenshot("restart-after");

    // The open chat: its old lines unchanged, then webchat no longer knows the session.
    const lost = await eventually(async () => {
      const messages = await serve.call("GET", `/api/conversations/${open.conversationId}/messages`);
      return messages.at(-1)?.line?.code === "sessionLost" ? messages : null;
    }, { what: "the open chat marked lost", timeout: 15_000 });
    assert.deepEqual(lost.slice(0, before_.open.length), before_.open, "the open chat's old lines are unchanged");
    assert.equal(lost.length, before_.open.length + 1);
    assert.deepEqual(browser.errors, []);
  });
});
