// Agent HTML is untrusted: hostile markup from webchat must stay inert in the UI.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { HOSTILE, openChat } from "./harness.mjs";

describe("hostile agent html", () => {
  let chat, serve, browser, page;

  before(async () => {
    chat = await openChat("Mallory Target");
    ({ serve, browser, page } = chat);
  });

  after(() => chat?.close());

  test("scripts, handlers, frames, svg, overlays and remote loads are inert", async () => {
    const [customer] = await serve.call("GET", "/api/customers");
    const conversation = await serve.call("GET", `/api/conversations/${customer.conversationId}`);
    const before = await page.locator('[data-direction="in"]').count();
    await serve.sim("/sim/agent/say", { sessionId: conversation.sessionId, html: HOSTILE });
    await page.waitForFunction((n) => document.querySelectorAll('[data-direction="in"]').length > n, before);
    const message = page.locator('[data-direction="in"]').last();
    await message.getByText("cover").waitFor();

    const link = message.locator("a", { hasText: "x" });
    if ((await link.count()) > 0) await link.click({ modifiers: [] }).catch(() => {});
    await page.locator("img").evaluateAll((imgs) => Promise.all(imgs.map((i) => i.decode().catch(() => {}))));

    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(await message.locator("iframe, script, svg, object, embed").count(), 0);
    const fixed = await message.evaluate((root) =>
      [root, ...root.querySelectorAll("*")].filter((el) => getComputedStyle(el).position === "fixed").length,
    );
    assert.equal(fixed, 0);
    const hit = await page.evaluate(() => document.elementFromPoint(innerWidth / 2, innerHeight / 2)?.closest('[data-direction="in"]'));
    assert.equal(hit, null, "the agent message does not cover the page");
    for (const href of await message.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))) {
      assert.ok(!/^javascript:/i.test(href ?? ""), href);
    }
    assert.deepEqual(browser.requests.filter((u) => u.includes("example.invalid")), []);
    await browser.screenshot("09-hostile-inert");
  });
});
