// Presenter mode: large type, developer views out of sight, a first screen that says what to
// do; the zoom keys (Ctrl + / − / 0) and both settings remembered across a reload.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { addChattingCustomer, eventually, openChat, setLook } from "./harness.mjs";

const SIZES = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
];
const DEVELOPER_TABS = ["wire", "faults", "contract"];

describe("presenter mode", () => {
  let chat, browser, page;
  const zoom = () => page.evaluate(() => document.documentElement.style.zoom);
  const presenting = () => page.evaluate(() => document.documentElement.dataset.presenter);
  const tabs = () => page.locator("[data-tab]").evaluateAll((els) => els.map((el) => el.dataset.tab));

  async function waitForZoom(want) {
    await eventually(async () => (await zoom()) === want, { what: `zoom ${want}` }).catch(async (e) => {
      throw new Error(`${e.message}; zoom is ${await zoom()}`);
    });
  }

  before(async () => {
    chat = await openChat();
    ({ browser, page } = chat);
    await page.waitForSelector('[data-testid="welcome"]');
  });

  after(() => chat?.close());

  test("P turns it on: larger, no developer tabs, and the first screen lists what to do", async () => {
    assert.equal(await presenting(), "off");
    assert.equal(await zoom(), "1");
    const shown = await tabs();
    for (const tab of DEVELOPER_TABS) assert.ok(shown.includes(tab), tab);
    await page.locator("body").press("p");
    await eventually(async () => (await presenting()) === "on", { what: "presenter mode" });
    await waitForZoom("1.25");
    assert.deepEqual((await tabs()).filter((t) => DEVELOPER_TABS.includes(t)), []);
    assert.equal(await page.locator('[data-testid="webchat-endpoint"]').count(), 0);
    assert.equal(await page.locator('[data-testid="presenter"]').getAttribute("aria-pressed"), "true");
    const steps = page.locator('[data-testid="welcome-steps"] li');
    assert.equal(await steps.count(), 3);
    assert.match(await steps.first().textContent(), /Create a customer/);
    for (const lang of ["en", "zh"]) {
      await setLook(page, { size: SIZES[0], lang, theme: "light" });
      await browser.screenshot(`presenter-empty-1366x768-${lang}-light`);
    }
    await setLook(page, { lang: "en", theme: "light" });
  });

  test("Ctrl + and Ctrl − step the zoom, and it survives a reload; Ctrl 0 goes back", async () => {
    await page.keyboard.press("Control+Equal");
    await waitForZoom("1.5");
    await page.keyboard.press("Control+Equal");
    await waitForZoom("1.75");
    await page.keyboard.press("Control+Minus");
    await waitForZoom("1.5");
    assert.equal((await page.textContent('[data-testid="zoom"]')).trim(), "150%");
    await page.reload();
    await page.waitForSelector('[data-testid="welcome-steps"]');
    assert.equal(await presenting(), "on");
    assert.equal(await zoom(), "1.5");
    assert.deepEqual((await tabs()).filter((t) => DEVELOPER_TABS.includes(t)), []);
    await page.keyboard.press("Control+0");
    await waitForZoom("1.25");
    assert.equal(await page.locator('[data-testid="zoom"]').count(), 0, "no zoom to undo at the mode's own size");
  });

  test("a chat while presenting shows no ids, codes, findings or pulse checks; the shortcut list names P and the zoom keys", async () => {
    await addChattingCustomer(page, "Zhou Jie");
    await page.waitForSelector('[data-direction="in"] .agent-html');
    for (const testid of ["side-panel", "side-toggle", "finding-count", "pulse"]) {
      assert.equal(await page.locator(`[data-testid="${testid}"]`).count(), 0, testid);
    }
    assert.equal(await page.locator('[data-testid="conversation-status"] .code').count(), 0);
    await page.click('[data-testid="shortcuts-help"]');
    const help = await page.textContent('[data-testid="shortcut-list"]');
    assert.match(help, /P\s*Presenter mode on \/ off/);
    assert.match(help, /Ctrl\/⌘\s*\+\s*\+\/−\/0\s*Zoom in/);
    await page.keyboard.press("Escape");
  });

  test("screenshots: the chat and the WeChat view, light and dark, English and Chinese, 1366×768 and 1920×1080", async () => {
    await page.click('[data-testid="wechat-toggle"]');
    await page.waitForSelector('[data-testid="wechat-phone"] [data-wx-side="agent"]');
    for (const size of SIZES) {
      for (const lang of ["en", "zh"]) {
        for (const theme of ["light", "dark"]) {
          await setLook(page, { size, lang, theme });
          await browser.screenshot(`presenter-${size.width}x${size.height}-${lang}-${theme}`);
        }
      }
    }
    await setLook(page, { size: SIZES[0], lang: "en", theme: "light" });
    await page.click('[data-testid="wechat-toggle"]');
    await page.waitForSelector('[data-testid="messages"]');
    await browser.screenshot("presenter-1366x768-en-light-console");
  });

  test("turned off, the working size and the developer tabs come back; the page logged no errors", async () => {
    await page.click('[data-testid="presenter"]');
    await waitForZoom("1");
    assert.equal(await presenting(), "off");
    for (const tab of DEVELOPER_TABS) assert.ok((await tabs()).includes(tab), tab);
    for (const testid of ["side-panel", "finding-count", "pulse"]) {
      await page.waitForSelector(`[data-testid="${testid}"]`);
    }
    await page.reload();
    await page.waitForSelector('[data-testid="customer-list"]');
    assert.equal(await presenting(), "off");
    assert.equal(await zoom(), "1");
    assert.deepEqual(browser.errors, []);
  });
});
