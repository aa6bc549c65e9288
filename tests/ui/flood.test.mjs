// A flood of agent messages to one conversation while another is open: the page keeps
// answering clicks, keeps no messages of closed conversations (only their customer rows
// change) and the flooded conversation opens as a bounded window of rows.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eventually, openBrowser, startServe } from "./harness.mjs";

const FLOOD = Number(process.env.WXSIM_UI_FLOOD ?? 3000);
/** Rows the DOM may hold at once: the visible window plus its margins. */
const MAX_ROWS = 120;
/**
 * Deadline for a click to show during the flood: a poll's limit, not a speed goal (a page
 * that stops handling input fails it; how fast clicks show is for benchmarks to report).
 */
const CLICK_DEADLINE_MS = 10_000;

describe("flood", () => {
  let serve, browser, page, profile;
  const convs = {};
  const list = '[data-testid="messages"]';
  const rows = () => page.locator(`${list} [data-message-id]`).count();

  async function chatting(nickname) {
    const customer = await serve.call("POST", "/api/customers", { nickname, skillGroup: 1 });
    await serve.call("POST", `/api/customers/${customer.id}/request-chat`);
    return eventually(async () => {
      const c = (await serve.call("GET", "/api/customers")).find((x) => x.id === customer.id);
      const conv = c.conversationId != null && (await serve.call("GET", `/api/conversations/${c.conversationId}`));
      return conv?.state === "chatting" && conv.sessionId ? conv : null;
    }, { timeout: 20_000, what: `${nickname} chatting` });
  }

  function say(conv, content) {
    return serve.callback("/ari/msg", {
      sessionId: conv.sessionId,
      agentId: conv.agentId,
      openId: conv.openId,
      epid: profile.epid,
      msgTime: Date.now(),
      content,
    });
  }

  /** POSTs `count` agent messages to `conv`, `parallel` at a time. */
  async function flood(conv, count, parallel = 24) {
    let next = 0;
    const worker = async () => {
      while (next < count) await say(conv, `flood ${next++}`);
    };
    await Promise.all(Array.from({ length: parallel }, worker));
  }

  /** Opens a customer and waits for its conversation's newest message (by text). */
  async function open(nickname, text) {
    await page.click(`[data-customer="${nickname}"]`);
    await page.locator(`${list} [data-message-id]`, { hasText: text }).waitFor({ timeout: 10_000 });
  }

  before(async () => {
    serve = await startServe();
    profile = await serve.call("GET", "/api/profile");
    convs.quiet = await chatting("Quiet One");
    convs.loud = await chatting("Loud One");
    await say(convs.quiet, "quiet hello");
    await say(convs.loud, "loud hello");
    browser = await openBrowser();
    page = browser.page;
    await page.goto(serve.url);
    await page.waitForSelector('[data-customer="Loud One"]');
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("flooding a closed conversation keeps the page responsive and touches only its row", async () => {
    // Open the loud one first, so a UI that cached it would keep receiving its messages.
    await open("Loud One", "loud hello");
    await open("Quiet One", "quiet hello");

    let done = false;
    const started = Date.now();
    const flooding = flood(convs.loud, FLOOD).finally(() => (done = true));
    let clicks = 0;
    let slowest = 0;
    while (!done) {
      // A click is handled within a deadline: the tab switches and back.
      for (const tab of ["wire", "chat"]) {
        const t0 = Date.now();
        await page.click(`[data-tab="${tab}"]`, { timeout: CLICK_DEADLINE_MS });
        await eventually(
          () => page.locator(`[data-tab="${tab}"]`).evaluate((el) => el.classList.contains("active")),
          { timeout: CLICK_DEADLINE_MS, interval: 10, what: `the ${tab} tab after a click` },
        );
        slowest = Math.max(slowest, Date.now() - t0);
        clicks++;
      }
    }
    await flooding;
    console.log(`# ${FLOOD} callbacks in ${Date.now() - started} ms; ${clicks} clicks handled, slowest ${slowest} ms`);
    assert.ok(clicks > 0, "clicks were handled while the flood went on");

    // The loud one's row counts the flood; the quiet one's view never showed it.
    await eventually(
      async () => (await page.locator('[data-customer="Loud One"] [data-testid="unread"]').textContent())?.trim() === "99+",
      { timeout: 10_000, what: "the unread badge of the flooded customer" },
    );
    assert.equal(await page.locator(`${list} [data-message-id]`, { hasText: "flood" }).count(), 0);
    assert.equal(await page.locator(`${list} [data-message-id]`, { hasText: "quiet hello" }).count(), 1);
  });

  test("the flooded conversation opens fresh from the API, as a bounded window of rows", async () => {
    // Hold the loud one's messages: whatever shows before they answer was kept in the page.
    let release;
    const held = new Promise((r) => (release = r));
    const route = `**/api/conversations/${convs.loud.id}/messages*`;
    await page.route(route, async (r) => {
      await held;
      await r.continue();
    });
    await page.click('[data-customer="Loud One"]');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.waitForTimeout(200);
    assert.equal(await rows(), 0, "no messages of a closed conversation were kept");
    release();

    const newest = (await serve.call("GET", `/api/conversations/${convs.loud.id}/messages`)).at(-1);
    await page.locator(`${list} [data-message-id="${newest.id}"]`).waitFor({ timeout: 15_000 });
    await page.unroute(route);
    const count = await rows();
    assert.ok(count > 0 && count <= MAX_ROWS, `${count} rows in the DOM`);

    // Back to the quiet one: the loud one's messages go, the quiet one's come back.
    await open("Quiet One", "quiet hello");
    assert.equal(await page.locator(`${list} [data-message-id]`, { hasText: "flood" }).count(), 0);
    await page.click('[data-tab="wire"]');
    await eventually(async () => (await page.locator('[data-testid="exchanges"] tr[data-exchange]').count()) > 0, {
      what: "wire rows",
    });
    const wire = await page.locator('[data-testid="exchanges"] tr[data-exchange]').count();
    assert.ok(wire <= 500, `${wire} wire rows`);
    assert.deepEqual(browser.errors, []);
  });
});
