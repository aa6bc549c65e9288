// The top bar's "N faults armed" badge: it follows faults armed from the view, from another
// client of the API and used up by callbacks; clicking it opens the Faults view.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { addChattingCustomer, eventually, openBrowser, startServe } from "./harness.mjs";

describe("faults badge", () => {
  let serve, browser, page, conversation;
  const badge = () => page.locator('[data-testid="faults-badge"]');
  const form = '[data-testid="fault-form"]';

  /** Waits until the badge reads `text` (null: no badge). */
  async function badgeSays(text, timeout = 15_000) {
    await eventually(
      async () => {
        const n = await badge().count();
        return text === null ? n === 0 : n === 1 && (await badge().textContent()).trim() === text;
      },
      { timeout, what: `the badge to say ${JSON.stringify(text)}` },
    );
  }

  before(async () => {
    serve = await startServe();
    browser = await openBrowser();
    page = browser.page;
    await page.goto(serve.url);
    await addChattingCustomer(page, "Faulty Fan");
    const [customer] = await serve.call("GET", "/api/customers");
    conversation = await serve.call("GET", `/api/conversations/${customer.conversationId}`);
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("no badge while nothing is armed; arming one in the Faults view shows it on every view", async () => {
    assert.equal(await badge().count(), 0);
    await page.click('[data-tab="faults"]');
    await page.selectOption(`${form} select[name="path"]`, "/ari/msg");
    await page.selectOption(`${form} select[name="kind"]`, "result");
    await page.fill(`${form} input[name="value"]`, "-100");
    await page.fill(`${form} input[name="remaining"]`, "1");
    await page.click(`${form} button[type="submit"]`);
    await badgeSays("1 fault armed", 5_000);
    await page.click('[data-tab="chat"]');
    assert.equal((await badge().textContent()).trim(), "1 fault armed");
    await browser.screenshot("30-faults-badge");
  });

  test("a fault armed by another API client shows up without a reload", async () => {
    const armed = await serve.call("GET", "/api/faults");
    await serve.call("PUT", "/api/faults", [...armed, { path: "/ari/create", action: { kind: "delay", ms: 10 }, remaining: null, share: null }]);
    await badgeSays("2 faults armed");
  });

  test("a callback that uses a fault up takes it off the badge", async () => {
    await serve.sim("/sim/agent/say", { sessionId: conversation.sessionId, html: "this one meets the fault" });
    await badgeSays("1 fault armed", 5_000);
    assert.deepEqual((await serve.call("GET", "/api/faults")).map((f) => f.path), ["/ari/create"]);
    // The chat says that a fault answered the agent's message instead of wxsim.
    const line = page.locator('[data-direction="system"][data-line="faultInjected"]');
    await line.waitFor({ timeout: 5_000 });
    assert.match(await line.textContent(), /injected fault \(result -100 .*\) answered \/ari\/msg: the callback was not applied/);
    await browser.screenshot("30-faults-line");
  });

  test("the badge reads in Chinese and opens the Faults view; removing the last one hides it", async () => {
    await page.click('[data-testid="lang"]');
    await badgeSays("已启用 1 个故障", 5_000);
    await page.click('[data-testid="lang"]');
    await badge().click();
    await page.waitForSelector('[data-tab="faults"].active');
    await page.locator('[data-testid="faults"] tr[data-fault-path="/ari/create"] [data-action="disarm"]').click();
    await badgeSays(null, 5_000);
    assert.deepEqual(await serve.call("GET", "/api/faults"), []);
    assert.deepEqual(browser.errors.filter((e) => !e.includes("422")), []);
  });
});
