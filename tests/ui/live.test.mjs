// Lists read from the API while events keep coming: what changes between the read and its
// answer reaching the page must not be lost when the answer lands.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eventually, openChat } from "./harness.mjs";

/**
 * Holds the page's next request matching `url`: the server answers it at once (so its
 * answer is read now), and the page gets that answer only on `release()`.
 */
async function hold(page, url) {
  let read, release, fulfilled, taken = false;
  const wasRead = new Promise((r) => (read = r));
  const released = new Promise((r) => (release = r));
  const answered = new Promise((r) => (fulfilled = r));
  const handler = async (route) => {
    if (taken) return route.continue();
    taken = true;
    const response = await route.fetch();
    read();
    await released;
    await route.fulfill({ response });
    fulfilled();
  };
  await page.route(url, handler);
  return {
    wasRead,
    async release() {
      release();
      await answered;
      await page.unroute(url, handler);
    },
  };
}

describe("live lists", () => {
  let chat, serve, browser, page;

  before(async () => {
    chat = await openChat("Wu Lei", "Zhao Min");
    ({ serve, browser, page } = chat);
  });

  after(() => chat?.close());

  const sessionOf = async (nickname) => {
    const customer = (await serve.call("GET", "/api/customers")).find((c) => c.nickname === nickname);
    return serve.call("GET", `/api/conversations/${customer.conversationId}`);
  };

  test("an exchange logged while the wire list loads stays listed when the list lands", async () => {
    await page.click('[data-tab="wire"]');
    const table = page.locator('[data-testid="exchanges"]');
    await page.waitForSelector('[data-testid="exchanges"][aria-busy="false"]');

    const held = await hold(page, /\/api\/exchanges/);
    await page.click('[data-testid="wire-filters"] [data-action="refresh"]');
    await held.wasRead;
    assert.equal(await table.getAttribute("aria-busy"), "true");

    const { sessionId } = await sessionOf("Wu Lei");
    await serve.sim("/sim/agent/say", { sessionId, html: "said while the list was read" });
    const logged = await eventually(
      async () =>
        (await serve.call("GET", "/api/exchanges?operation=%2Fari%2Fmsg&limit=5")).find((e) =>
          e.requestBody.includes("said while the list was read"),
        ),
      { what: "the callback in the exchange log" },
    );
    const row = page.locator(`[data-testid="exchanges"] tr[data-exchange="${logged.id}"]`);
    await row.waitFor();

    await held.release();
    await page.waitForSelector('[data-testid="exchanges"][aria-busy="false"]');
    assert.equal(await row.count(), 1, "the live row was dropped by the older list");
  });

  test("a conversation that ends while it loads shows as ended once loaded", async () => {
    await page.click('[data-tab="chat"]');
    const conversation = await sessionOf("Wu Lei");
    const held = await hold(page, new RegExp(`/api/conversations/${conversation.id}$`));
    await page.click('[data-customer="Wu Lei"]');
    await held.wasRead;

    await serve.sim("/sim/agent/close", { sessionId: conversation.sessionId });
    await page.waitForSelector('[data-customer="Wu Lei"] [data-state="closed"]');

    await held.release();
    await page.waitForSelector('section.chat[aria-busy="false"]');
    assert.equal(await page.getAttribute('[data-testid="conversation-status"]', "data-state"), "closed");
    await browser.screenshot("19-ended-while-loading");
    assert.deepEqual(browser.errors, []);
  });
});
