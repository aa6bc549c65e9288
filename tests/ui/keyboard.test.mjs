// The main flow without the mouse: shortcuts, where focus goes after each action, the rating
// prompt as a radio group.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eventually, focusedOn, openBrowser, startServe, waitForFocus, waitForStatus } from "./harness.mjs";

const COMPOSER = '[data-testid="text-input"]';
const RADIO = '[data-testid="rating-prompt"] [role="radio"]';

describe("keyboard", () => {
  let serve, browser, page;

  /** Presses `key` until focus is on `selector` (at most `max` presses). */
  async function tabTo(selector, key = "Tab", max = 40) {
    for (let i = 0; i < max; i++) {
      if (await focusedOn(page, selector)) return;
      await page.keyboard.press(key);
    }
    assert.fail(`${key} ×${max} did not reach ${selector}`);
  }

  const selected = () => page.locator("button.row.selected").getAttribute("data-customer");

  /** Opens the new-customer dialog with N and creates `nickname` from the keyboard. */
  async function createWithKeyboard(nickname, { requestNow }) {
    await page.keyboard.press("n");
    const form = page.locator('[data-testid="new-customer-form"]');
    await form.waitFor({ timeout: 5_000 });
    await waitForFocus(page, '[data-testid="new-customer-form"] input[name="nickname"]');
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type(nickname);
    if (!requestNow) {
      await tabTo('input[name="requestNow"]');
      await page.keyboard.press("Space");
      assert.equal(await form.locator('input[name="requestNow"]').isChecked(), false);
      await tabTo('input[name="nickname"]', "Shift+Tab");
    }
    await page.keyboard.press("Enter");
    await form.waitFor({ state: "detached" });
    await page.waitForSelector(`button.row.selected[data-customer="${nickname}"]`);
  }

  before(async () => {
    serve = await startServe();
    browser = await openBrowser();
    page = browser.page;
    await page.goto(serve.url);
    await page.waitForSelector('[data-testid="customer-list"]');
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("a customer created with the mouse leaves focus in its composer, not on the page", async () => {
    await page.click('[data-testid="new-customer"]');
    await page.fill('[data-testid="new-customer-form"] input[name="nickname"]', "Mouse Mo");
    await page.click('[data-testid="new-customer-form"] button[type="submit"]');
    await waitForFocus(page, COMPOSER);
    await waitForStatus(page, serve, "chatting");
    assert.ok(await focusedOn(page, COMPOSER));
    // Back to a page with nothing focused, as after a reload.
    await page.evaluate(() => document.activeElement?.blur());
  });

  test("N opens the new-customer form; Enter creates the customer and focus goes to the composer", async () => {
    await createWithKeyboard("Keyboard Kim", { requestNow: false });
    await waitForFocus(page, COMPOSER);
    await browser.screenshot("31-keyboard-composer-no-chat");
  });

  test("the chat is requested from the keyboard; typing and Enter send", async () => {
    await page.keyboard.press("Tab");
    assert.ok(await focusedOn(page, '[data-testid="composer"] [data-action="request"]'), "Tab reaches Request chat");
    await page.keyboard.press("Enter");
    await waitForStatus(page, serve, "chatting");
    await waitForFocus(page, COMPOSER);

    await page.keyboard.type("hello by keyboard");
    await page.keyboard.press("Enter");
    await page.locator('[data-direction="out"][data-delivery="sent"]', { hasText: "hello by keyboard" }).waitFor();
    assert.ok(await focusedOn(page, COMPOSER), "focus stays in the composer after Send");
    assert.equal(await page.inputValue(COMPOSER), "");
  });

  test("while queued or requesting the composer has focus already; Alt+↓/↑ keep it there", async () => {
    // Shortcuts stay out of a field: leave the composer for its mode tabs, then N.
    await tabTo('[data-testid="composer"] [role="tab"]', "Shift+Tab");
    await createWithKeyboard("Keyboard Kai", { requestNow: true });
    await waitForFocus(page, COMPOSER);
    await waitForStatus(page, serve, "chatting");
    assert.ok(await focusedOn(page, COMPOSER));

    await page.keyboard.press("Alt+ArrowDown");
    await eventually(async () => (await selected()) !== "Keyboard Kai", { what: "Alt+↓ moved on from Kai" });
    await waitForFocus(page, COMPOSER);
    await page.keyboard.press("Alt+ArrowUp");
    await eventually(async () => (await selected()) === "Keyboard Kai", { what: "Alt+↑ moved back to Kai" });
    await waitForFocus(page, COMPOSER);
    // Focus is in the new customer's composer, which sends to that customer.
    await page.keyboard.type("kai here");
    await page.keyboard.press("Enter");
    await page.locator('[data-direction="out"][data-delivery="sent"]', { hasText: "kai here" }).waitFor();
  });

  test("/ goes to the composer; Ctrl+K searches and Esc comes back to Chat", async () => {
    await tabTo('[data-testid="composer"] [role="tab"]', "Shift+Tab");
    await page.keyboard.press("/");
    await waitForFocus(page, COMPOSER);
    assert.equal(await page.inputValue(COMPOSER), "", "the slash was not typed");

    await page.keyboard.press("ControlOrMeta+K");
    await waitForFocus(page, 'input[name="q"]');
    await page.keyboard.press("Escape");
    await page.waitForSelector('[data-tab="chat"].active');
    await waitForFocus(page, COMPOSER);
  });

  test("Close from the keyboard; the rating options are a radio group driven by arrows and Enter", async () => {
    await tabTo('[data-action="close"]', "Shift+Tab");
    await page.keyboard.press("Enter");
    await waitForStatus(page, serve, "closed");
    // The prompt comes once webchat pushed the options; it takes focus from the composer.
    await waitForFocus(page, RADIO);
    const radios = page.locator(RADIO);
    const n = await radios.count();
    assert.ok(n >= 3, `${n} rating options`);
    assert.equal(await page.locator(`${RADIO}[tabindex="0"]`).count(), 1, "one option in the Tab order");
    const checked = () => page.locator(`${RADIO}[aria-checked="true"]`).getAttribute("data-rating");

    await page.keyboard.press("ArrowRight");
    const second = await radios.nth(1).getAttribute("data-rating");
    assert.equal(await checked(), second);
    assert.ok(await focusedOn(page, `${RADIO}[data-rating="${second}"]`));
    await page.keyboard.press("ArrowRight");
    assert.equal(await checked(), await radios.nth(2).getAttribute("data-rating"));
    await page.keyboard.press("ArrowLeft");
    assert.equal(await checked(), second);
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    assert.equal(await checked(), await radios.nth(n - 1).getAttribute("data-rating"), "arrows wrap around");
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowRight");
    assert.equal(await checked(), second);
    await browser.screenshot("32-keyboard-rating");

    // One Tab stop: Tab leaves the group for the comment, Shift+Tab comes back to the checked one.
    await page.keyboard.press("Tab");
    assert.ok(await focusedOn(page, '[data-testid="rating-prompt"] input[name="comment"]'));
    await page.keyboard.type("all by keyboard");
    await page.keyboard.press("Shift+Tab");
    assert.ok(await focusedOn(page, `${RADIO}[data-rating="${second}"]`));

    await page.keyboard.press("Enter");
    await waitForStatus(page, serve, "rated");
    const customer = (await serve.call("GET", "/api/customers")).find((c) => c.nickname === "Keyboard Kai");
    const conv = await serve.call("GET", `/api/conversations/${customer.conversationId}`);
    assert.equal(conv.ratingId, second);
    assert.equal(conv.ratingComment, "all by keyboard");
    await waitForFocus(page, COMPOSER);
  });

  test("the shortcuts are listed in the help, in both languages, and the page logged no errors", async () => {
    const help = page.locator('[data-testid="shortcuts-help"]');
    assert.match(await help.getAttribute("title"), /N new customer.*\/ composer.*Esc/);
    await tabTo('[data-testid="composer"] [role="tab"]', "Shift+Tab");
    await help.focus();
    await page.keyboard.press("Enter");
    const list = page.locator('[data-testid="shortcut-list"]');
    await list.waitFor();
    assert.match(await list.textContent(), /New customer/);
    await browser.screenshot("33-keyboard-shortcuts");
    await page.keyboard.press("Escape");
    await list.waitFor({ state: "detached" });
    await page.click('[data-testid="lang"]');
    assert.match(await help.getAttribute("title"), /N 新建客户.*\/ 输入框.*Esc 返回会话/);
    await page.click('[data-testid="lang"]');
    assert.deepEqual(browser.errors, []);
  });
});
