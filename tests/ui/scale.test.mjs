// A long conversation: thousands of agent messages render as a bounded window of rows that
// opens at the newest, scrolls up to the first and follows new messages at the bottom.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eventually, openBrowser, startServe } from "./harness.mjs";

const SEEDED = Number(process.env.WXSIM_UI_SEEDED ?? 2000);
/** Rows the DOM may hold at once: the visible window plus its margins. */
const MAX_ROWS = 120;

describe("scale", () => {
  let serve, browser, page, conversation, messages;
  const list = '[data-testid="messages"]';
  const rendered = () => page.locator(`${list} [data-message-id]`).count();

  /** POSTs `count` agent messages to the listener, `parallel` at a time. */
  async function seed(count, parallel = 24) {
    const profile = await serve.call("GET", "/api/profile");
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const n = next++;
        await serve.callback("/ari/msg", {
          sessionId: conversation.sessionId,
          agentId: conversation.agentId,
          openId: conversation.openId,
          epid: profile.epid,
          msgTime: Date.now(),
          content: n % 7 === 0 ? `<p>message ${n}</p><p>${"a longer line ".repeat(20)}</p>` : `message ${n}`,
        });
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
  }

  before(async () => {
    serve = await startServe();
    const customer = await serve.call("POST", "/api/customers", { nickname: "Big Talker", skillGroup: 1 });
    await serve.call("POST", `/api/customers/${customer.id}/request-chat`);
    conversation = await eventually(async () => {
      const [c] = await serve.call("GET", "/api/customers");
      const conv = c.conversationId != null && (await serve.call("GET", `/api/conversations/${c.conversationId}`));
      return conv?.state === "chatting" && conv.sessionId ? conv : null;
    }, { timeout: 20_000, what: "a chatting conversation" });
    const started = Date.now();
    await seed(SEEDED);
    console.log(`# seeded ${SEEDED} messages in ${Date.now() - started} ms`);
    messages = await serve.call("GET", `/api/conversations/${conversation.id}/messages`);
    assert.ok(messages.length > SEEDED, String(messages.length));
    browser = await openBrowser();
    page = browser.page;
    await page.goto(serve.url);
    await page.waitForSelector('[data-customer="Big Talker"]');
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("the conversation opens at its newest message with a bounded number of rows", async () => {
    const last = messages.at(-1).id;
    const ms = await page.evaluate(async (lastId) => {
      const t0 = performance.now();
      document.querySelector('[data-customer="Big Talker"]').click();
      while (!document.querySelector(`[data-testid="messages"] [data-message-id="${lastId}"]`)) {
        await new Promise((r) => requestAnimationFrame(r));
      }
      return performance.now() - t0;
    }, last);
    console.log(`# ${messages.length} messages: the newest painted ${Math.round(ms)} ms after the click (loading included)`);
    const count = await rendered();
    assert.ok(count > 0 && count <= MAX_ROWS, `${count} rows in the DOM`);
    const inView = await page.locator(`${list} [data-message-id="${last}"]`).evaluate((el) => {
      const box = el.getBoundingClientRect();
      const port = el.closest('[data-testid="messages"]').getBoundingClientRect();
      return box.bottom <= port.bottom + 1 && box.bottom > port.top;
    });
    assert.ok(inView, "the newest message is in view");
    await browser.screenshot("15-long-conversation");
  });

  test("rendering the window is fast", async () => {
    // Switching away and back renders the cached messages again: no loading, only the list.
    const last = messages.at(-1).id;
    await page.click('[data-tab="wire"]');
    const ms = await page.evaluate(async (lastId) => {
      const t0 = performance.now();
      document.querySelector('[data-tab="chat"]').click();
      while (!document.querySelector(`[data-testid="messages"] [data-message-id="${lastId}"]`)) {
        await new Promise((r) => requestAnimationFrame(r));
      }
      return performance.now() - t0;
    }, last);
    console.log(`# first paint of ${messages.length} cached messages: ${Math.round(ms)} ms`);
    assert.ok(ms <= 300, `${Math.round(ms)} ms`);
  });

  test("scrolling up reaches the first message with the DOM bounded all the way", async () => {
    const first = messages[0].id;
    let most = 0;
    await eventually(
      async () => {
        await page.locator(list).evaluate((el) => el.scrollBy(0, -4000));
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        most = Math.max(most, await rendered());
        return (await page.locator(`${list} [data-message-id="${first}"]`).count()) === 1 &&
          (await page.locator(list).evaluate((el) => el.scrollTop === 0));
      },
      { timeout: 60_000, interval: 0, what: "the first message" },
    );
    assert.ok(most <= MAX_ROWS, `at most ${most} rows in the DOM while scrolling`);
    await browser.screenshot("16-long-conversation-top");
  });

  test("scrolled up, a new message does not move the reader; at the bottom it is followed", async () => {
    const first = messages[0].id;
    await seed(1);
    await page.waitForTimeout(300);
    assert.equal(await page.locator(`${list} [data-message-id="${first}"]`).count(), 1, "still at the top");

    await page.locator(list).evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await eventually(async () => page.locator(list).evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 2), {
      what: "at the bottom",
    });
    const before = (await serve.call("GET", `/api/conversations/${conversation.id}/messages`)).length;
    await serve.callback("/ari/msg", {
      sessionId: conversation.sessionId,
      agentId: conversation.agentId,
      openId: conversation.openId,
      epid: (await serve.call("GET", "/api/profile")).epid,
      msgTime: Date.now(),
      content: "the very last word",
    });
    const newest = page.locator(`${list} [data-message-id]`, { hasText: "the very last word" });
    await newest.waitFor();
    await eventually(async () => page.locator(list).evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 2), {
      what: "still at the bottom",
    });
    assert.ok((await serve.call("GET", `/api/conversations/${conversation.id}/messages`)).length > before);
    assert.deepEqual(browser.errors, []);
  });
});
