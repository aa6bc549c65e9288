// Testing webchat's side: listener faults armed from the UI, contract findings on the wire,
// in a conversation's details and in the contract report; the side panel after a chat ends.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { addChattingCustomer, eventually, openBrowser, startServe, waitForStatus } from "./harness.mjs";

describe("inspect", () => {
  let serve, browser, page, conversation;
  const form = '[data-testid="fault-form"]';
  const armed = () => page.locator('[data-testid="faults"] tr[data-fault-path]');

  /** Has the simulator's agent say `html` in the conversation (webchat → /ari/msg). */
  async function agentSays(html) {
    await serve.sim("/sim/agent/say", { sessionId: conversation.sessionId, html });
  }

  before(async () => {
    serve = await startServe();
    browser = await openBrowser();
    page = browser.page;
    await page.goto(serve.url);
    await addChattingCustomer(page, "Chen Jing");
    const [customer] = await serve.call("GET", "/api/customers");
    conversation = await serve.call("GET", `/api/conversations/${customer.conversationId}`);
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("the Faults view shows the API's validation error", async () => {
    await page.click('[data-tab="faults"]');
    await page.waitForSelector('[data-testid="faults"] .empty');
    await page.selectOption(`${form} select[name="kind"]`, "status");
    await page.fill(`${form} input[name="value"]`, "999");
    await page.click(`${form} button[type="submit"]`);
    const error = page.locator('[data-testid="fault-error"]');
    await error.waitFor();
    assert.match(await error.textContent(), /HTTP status 999 is not between 100 and 599/);
    assert.equal(await armed().count(), 0);
    await browser.screenshot("10-faults-error");
  });

  test("a result -100 fault on /ari/msg answers the next agent message, then disarms", async () => {
    await page.selectOption(`${form} select[name="path"]`, "/ari/msg");
    await page.selectOption(`${form} select[name="kind"]`, "result");
    await page.fill(`${form} input[name="value"]`, "-100");
    await page.fill(`${form} input[name="remaining"]`, "1");
    await page.click(`${form} button[type="submit"]`);
    await page.waitForSelector('[data-testid="faults"] tr[data-fault-path="/ari/msg"][data-fault-kind="result"]');
    assert.equal(await page.locator('[data-testid="fault-error"]').count(), 0);
    assert.match(await armed().first().textContent(), /result -100/);
    assert.deepEqual(await serve.call("GET", "/api/faults"), [
      { path: "/ari/msg", action: { kind: "result", code: -100 }, remaining: 1, share: null },
    ]);
    await browser.screenshot("10-faults-armed");

    await agentSays("this one meets the fault");
    await eventually(async () => (await armed().count()) === 0, { what: "the fault disarmed in the view" });
    assert.deepEqual(await serve.call("GET", "/api/faults"), []);
    await page.waitForSelector('[data-testid="faults"] .empty');

    await page.click('[data-tab="wire"]');
    await page.selectOption('[data-testid="wire-filters"] select[name="operation"]', "/ari/msg");
    const injected = page.locator('[data-testid="exchanges"] tr[data-operation="/ari/msg"]', { hasText: "-100" });
    await injected.first().waitFor();
    await injected.first().click();
    const detail = page.locator('[data-testid="exchange-detail"]');
    assert.match(await detail.locator('[data-testid="result-meaning"]').textContent(), /-100/);
    assert.match(await detail.textContent(), /this one meets the fault/);
    await browser.screenshot("11-wire-injected-fault");
    await page.selectOption('[data-testid="wire-filters"] select[name="operation"]', "");
  });

  test("a malformed but accepted callback shows a badge, a finding count and a report row", async () => {
    const profile = await serve.call("GET", "/api/profile");
    const answer = await serve.callback("/ari/msg", {
      sessionId: conversation.sessionId,
      agentId: conversation.agentId,
      openId: conversation.openId,
      epid: profile.epid,
      msgTime: Math.floor(Date.now() / 1000),
      content: "sent with msgTime in seconds",
    });
    assert.equal(answer.result, 1, JSON.stringify(answer));

    const badge = page.locator('[data-testid="exchanges"] tr[data-operation="/ari/msg"] [data-testid="finding-badge"][data-severity="warning"]');
    await badge.first().waitFor();
    await badge.first().click();
    const findings = page.locator('[data-testid="exchange-detail"] [data-testid="findings"] li[data-severity="warning"]');
    assert.match(await findings.first().textContent(), /timestamp · request\.msgTime/);
    await browser.screenshot("12-wire-findings");

    await page.click('[data-tab="contract"]');
    await page.waitForSelector('[data-testid="contract-rules"] tr[data-rule="timestamp"]');
    const row = page.locator(`[data-testid="contract-conversations"] tr[data-conversation="${conversation.id}"]`);
    assert.match(await row.textContent(), /timestamp/);
    assert.match(await page.textContent('[data-testid="contract-summary"]'), /exchanges checked, [1-9]\d* with findings/);
    await browser.screenshot("13-contract-report");

    await row.locator("button.link").click();
    await page.waitForSelector('[data-testid="conversation-filter"]');
    await eventually(async () => {
      const rows = page.locator('[data-testid="exchanges"] tbody tr[data-exchange]');
      const n = await rows.count();
      return n > 0 && n === (await rows.locator('[data-testid="finding-badge"]').count());
    }, { what: "only this conversation's exchanges with findings" });

    await page.click('[data-tab="chat"]');
    await page.click('[data-customer="Chen Jing"]');
    await eventually(async () => Number(await page.textContent('[data-testid="finding-count"]')) >= 1, {
      what: "the finding count in the details",
    });
  });

  test("after the chat ends the agents panel says ended; the message count is labelled", async () => {
    const panel = page.locator('[data-testid="agents-panel"]');
    assert.match(await panel.textContent(), /serving/);
    await page.click('[data-action="close"]');
    await waitForStatus(page, serve, "closed");
    await eventually(async () => /ended/.test(await panel.textContent()), { what: "ended in the agents panel" });
    assert.doesNotMatch(await panel.textContent(), /serving/);
    assert.match(await page.textContent("aside.side"), /Messages \(customer \+ agent\)/);
    await browser.screenshot("14-details-ended");
    assert.deepEqual(browser.errors.filter((e) => !e.includes("422")), []);
  });
});
