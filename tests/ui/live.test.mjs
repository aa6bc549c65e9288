// Lists read from the API while events keep coming: what changes between the read and its
// answer reaching the page must not be lost when the answer lands.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { addChattingCustomer, eventually, openBrowser, openChat, startServe, waitForStatus } from "./harness.mjs";

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

  test("an answer read before a change does not replace the change once it lands", async () => {
    await page.click('[data-tab="chat"]');
    await addChattingCustomer(page, "Sun Li");
    // Whatever an earlier test left on screen, it is this customer's conversation now.
    await page.waitForSelector('button.row.selected[data-customer="Sun Li"] [data-state="chatting"]');
    await waitForStatus(page, serve, "chatting");
    const conversation = await sessionOf("Sun Li");
    const status = page.locator('[data-testid="conversation-status"]');
    const errors = browser.errors.length;

    // Opening the open customer again loads its conversation again; its answer is read now.
    const held = await hold(page, new RegExp(`/api/conversations/${conversation.id}$`));
    await page.click('[data-customer="Sun Li"]');
    await held.wasRead;
    assert.equal(await page.getAttribute("section.chat", "aria-busy"), "true");

    await serve.sim("/sim/agent/close", { sessionId: conversation.sessionId });
    await waitForStatus(page, serve, "closed");
    const stored = await serve.call("GET", `/api/conversations/${conversation.id}`);
    assert.equal(stored.state, "closed");
    assert.ok(stored.version > conversation.version, `version ${conversation.version} -> ${stored.version}`);

    await held.release();
    await page.waitForSelector('section.chat[aria-busy="false"]');
    assert.equal(await status.getAttribute("data-state"), "closed", "the older answer replaced the newer state");
    assert.deepEqual(browser.errors.slice(errors), []);
  });
});

/**
 * Lets a test hold back a conversation's engine events and deliver them later, out of
 * order: as when the engine publishes two changes in another order than it committed them.
 * Runs in the page before its scripts.
 */
function eventGate() {
  const Native = window.EventSource;
  let holding = null;
  const held = [];
  window.eventGate = {
    holdConversation(id, state) {
      holding = (e) => e.type === "conversationChanged" && e.conversation.id === id && e.conversation.state === state;
    },
    held: () => held.length,
    /** Delivers what was held; resolves once the page has applied it (two frames later). */
    release() {
      holding = null;
      for (const deliver of held.splice(0)) deliver();
      return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    },
  };
  window.EventSource = class extends Native {
    addEventListener(type, listener, options) {
      if (type !== "engine") return super.addEventListener(type, listener, options);
      return super.addEventListener(
        type,
        (message) => {
          if (holding?.(JSON.parse(message.data))) held.push(() => listener.call(this, message));
          else listener.call(this, message);
        },
        options,
      );
    }
  };
}

describe("late events", () => {
  let serve, browser, page;

  before(async () => {
    serve = await startServe();
    browser = await openBrowser();
    page = browser.page;
    await page.addInitScript(eventGate);
    await page.goto(serve.url);
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("a conversation event that arrives after a newer one is dropped", async () => {
    await addChattingCustomer(page, "Qian Yu");
    const customer = (await serve.call("GET", "/api/customers")).find((c) => c.nickname === "Qian Yu");
    const conversation = await serve.call("GET", `/api/conversations/${customer.conversationId}`);

    // The agent's message saves the conversation (still chatting): its event is held back.
    await page.evaluate((id) => window.eventGate.holdConversation(id, "chatting"), conversation.id);
    await serve.sim("/sim/agent/say", { sessionId: conversation.sessionId, html: "one more thing" });
    await eventually(() => page.evaluate(() => window.eventGate.held() > 0), { what: "the chatting event held" });

    await serve.sim("/sim/agent/close", { sessionId: conversation.sessionId });
    await waitForStatus(page, serve, "closed");

    await page.evaluate(() => window.eventGate.release());
    assert.equal(
      await page.getAttribute('[data-testid="conversation-status"]', "data-state"),
      "closed",
      "the late, older event replaced the newer state",
    );
    assert.deepEqual(browser.errors, []);
  });
});
