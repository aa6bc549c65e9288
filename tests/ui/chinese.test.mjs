// 中文 throughout: a whole conversation (with a fault that swallows a message, a close and a
// rating) is played, then every view is walked in Chinese. Any run of two or more English
// words on screen fails the test, unless it is user data (messages, wire bodies, ids,
// nicknames) or an identifier (openId, createcon.do, WAITING: single tokens never count).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { addChattingCustomer, eventually, openBrowser, startServe, openTab } from "./harness.mjs";

/** Where user data and identifiers are shown: messages, JSON, ids, names typed by people. */
const DATA = [
  ".bubble",
  "pre",
  "code",
  ".mono",
  "input",
  "textarea",
  "[data-user-data]",
  "[data-testid=agent-name]",
  "[data-testid=agents-panel] li",
].join(",");

/** Two or more plain English words in a row ("request status", "Chat closed"). */
const SENTENCE = /\b[A-Za-z][a-z]+\b(?:[ ,]+\b[A-Za-z][a-z]+\b)+/g;

describe("中文 everywhere", () => {
  let serve, browser, page;

  /** The English runs on screen outside user data, each with where it was found. */
  async function english(where) {
    const texts = await page.evaluate((data) => {
      const out = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || el.closest(data) || !el.checkVisibility()) continue;
        // A closed <details> shows its summary only.
        if (el.closest("details:not([open])") && !el.closest("summary")) continue;
        const text = n.textContent.trim();
        if (text) out.push({ text, at: el.closest("[data-testid]")?.dataset.testid ?? el.tagName });
      }
      // Attributes a person reads: placeholders, titles, labels for assistive tech.
      for (const el of document.querySelectorAll("[placeholder], [title], [aria-label]")) {
        if (el.closest(data.replace(/,?(input|textarea)/g, "")) || !el.checkVisibility()) continue;
        for (const a of ["placeholder", "title", "aria-label"]) {
          const v = el.getAttribute(a);
          if (v) out.push({ text: v, at: `${el.dataset.testid ?? el.tagName}@${a}` });
        }
      }
      return out;
    }, DATA);
    const found = [];
    for (const { text, at } of texts) for (const m of text.matchAll(SENTENCE)) found.push(`${where} ${at}: "${m[0]}" in "${text}"`);
    return found;
  }

  before(async () => {
    serve = await startServe();
    browser = await openBrowser();
    page = browser.page;
    await page.goto(serve.url);
    await page.waitForSelector('[data-testid="customer-list"]');
    await page.click('[data-testid="lang"]');
    await page.waitForFunction(() => localStorage.getItem("wxsim.lang") === "zh");
    await addChattingCustomer(page, "小明");
    const [customer] = await serve.call("GET", "/api/customers");
    await serve.call("POST", `/api/customers/${customer.id}/messages`, { msgType: "text", content: "你好，我的快递到哪了？" });
    const conversation = await serve.call("GET", `/api/conversations/${customer.conversationId}`);
    // A callback with a field beyond the interface: a contract finding to read in Chinese.
    await serve.callback("/ari/msg", {
      sessionId: Number(conversation.sessionId),
      agentId: "A001",
      msgTime: Date.now(),
      content: "这条消息多了一个字段",
      unexpected: true,
    });
    await serve.call("PUT", "/api/faults", [{ path: "/ari/msg", action: { kind: "result", code: -100 }, remaining: 1, share: null }]);
    await serve.sim("/sim/agent/say", { sessionId: conversation.sessionId, html: "这条消息遇到了故障" });
    await page.waitForSelector('[data-direction="system"][data-line="faultInjected"]');
    await serve.call("POST", `/api/customers/${customer.id}/close`);
    await page.waitForSelector('[data-testid="rating-prompt"]');
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("every view reads in Chinese", async () => {
    const found = [];
    found.push(...(await english("chat")));
    await page.locator('[data-testid="rating-prompt"] [role="radio"]').first().click();
    await page.locator('[data-testid="rating-prompt"] button[type="submit"]').click();
    await page.waitForSelector('[data-direction="system"][data-line="rated"]');
    found.push(...(await english("chat, rated")));
    await browser.screenshot("zh-walk-chat");
    await page.click('[data-testid="new-customer"]');
    await page.waitForSelector('[data-testid="new-customer-form"]');
    found.push(...(await english("new customer")));
    await page.keyboard.press("Escape");
    await page.waitForSelector('[data-testid="new-customer-form"]', { state: "detached" });

    await openTab(page, "wire");
    await page.locator('[data-testid="exchanges"] tr[data-exchange]').first().click();
    await page.waitForSelector('[data-testid="exchange-detail"]');
    found.push(...(await english("wire")));
    await browser.screenshot("zh-walk-wire");
    for (const tab of ["faults", "simulator", "contract", "settings"]) {
      await openTab(page, tab);
      if (tab === "contract") await page.getByText("不符合：没有接口之外的字段（提示）").first().waitFor();
      found.push(...(await english(tab)));
      await browser.screenshot(`zh-walk-${tab}`);
    }
    await openTab(page, "history");
    await page.locator('[data-testid="conversation-list"] [data-conversation]').first().click();
    await page.waitForSelector('[data-testid="transcript"]');
    found.push(...(await english("history")));
    await browser.screenshot("zh-walk-history");
    assert.deepEqual(found, [], `English on screen in 中文:\n${found.join("\n")}`);
    await eventually(async () => browser.errors.length === 0, { what: "no console errors" });
  });
});
