// The demo layout while `wxsim demo` plays its shipped scenario: the page it prints (`#/demo`,
// token in the address) starts empty, and once Enter starts the demo both sides update live —
// the customer's typing shown on the phone and at the desk, then gone with the message there
// on both sides; Tom waiting in the desk's queue; the agent's typing (WeChat's title says so),
// then Alice's rich reply (emoji, bold, a link) on both sides. Screenshots of the layout in
// both languages, both themes, at 1366×768 and 1920×1080. Every wait is a deadline poll.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { TOKEN, UI_DIR, eventually, openBrowser, setLook, startWxsim } from "./harness.mjs";

const phone = '[data-testid="wechat-phone"]';
const deskChat = '[data-testid="desk-chat"]';

describe("demo layout", () => {
  let demo, browser, page, dataDir;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "wxsim-ui-demo-"));
    demo = await startWxsim(
      [
        "demo",
        "--no-open",
        "--pause-ms",
        "900",
        "--listen",
        "127.0.0.1:0",
        "--api-listen",
        "127.0.0.1:0",
        "--data-dir",
        dataDir,
        "--token",
        TOKEN,
        "--ui-dir",
        UI_DIR,
      ],
      "open",
      { input: true },
    );
    browser = await openBrowser();
    page = browser.page;
  });

  /**
   * Waits until `who` shows typing in Lily's chat on the phone and at the desk at once (one
   * engine event drives both), with the phone's title reading `title` when given.
   */
  function bothTyping(who, title) {
    return page.waitForFunction(
      ({ phone, deskChat, who, title }) =>
        document.querySelector(`${phone} [data-testid="wechat-typing"][data-who="${who}"]`) !== null &&
        document.querySelector(`${deskChat}[data-nickname="Lily Wang"] [data-testid="desk-typing"][data-who="${who}"]`) !== null &&
        (title === undefined || document.querySelector('[data-testid="wechat-title"]')?.textContent === title),
      { phone, deskChat, who, title },
      { timeout: 60_000 },
    );
  }

  after(async () => {
    await browser?.close();
    await demo?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("the page wxsim demo prints opens the layout, empty until the demo plays", async () => {
    assert.match(demo.lines.demo, /\/#\/demo&token=/);
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(demo.lines.demo);
    await page.waitForSelector('[data-testid="demo-empty"]');
    await page.waitForSelector('[data-testid="desk"][data-watching="true"] [data-testid="desk-queues"]');
    assert.ok(!page.url().includes("token="), "the token left the address");
    await browser.screenshot("demo-empty-1366x768-en-light");
  });

  test("both sides update live as the demo plays", async () => {
    demo.write("\n");
    // Lily writes to the robot: typing on her phone and at the desk, then the message on both.
    await bothTyping("customer");
    const words = "My parcel arrived damaged";
    await page.waitForSelector(`${phone} [data-testid="wechat-messages"] :text("${words}")`);
    await page.waitForSelector(`${deskChat} [data-testid="desk-transcript"] :text("${words}")`);
    await page.waitForSelector(`${phone} [data-testid="wechat-typing"][data-who="customer"]`, { state: "detached" });

    // Tom asks for Alice while she serves Lily: he waits in Sales' queue.
    await page.waitForSelector('[data-testid="desk-queues"] li[data-nickname="Tom Liu"]', { timeout: 30_000 });

    // Alice writes: WeChat's title says so, the desk too; then her reply with its emoji.
    await bothTyping("agent", "Typing…");
    await browser.screenshot("demo-typing-1366x768-en-light");
    const reply = `${phone} [data-testid="wechat-messages"] :text("approved")`;
    await page.waitForSelector(reply, { timeout: 60_000 });
    const phoneHtml = await page
      .locator(`${phone} [data-wx-side="agent"]`)
      .filter({ hasText: "approved" })
      .last()
      .innerHTML();
    assert.match(phoneHtml, /<img[^>]+\/webchat\/emoji\/sad\.png/, "the emoji on the phone");
    assert.match(phoneHtml, /<b>approved<\/b>/, "bold on the phone");
    assert.match(phoneHtml, /href="https:\/\/example\.com\/returns\/1042"/, "the link on the phone");
    const deskHtml = await page.locator(`${deskChat}[data-nickname="Lily Wang"] [data-testid="desk-transcript"]`).innerHTML();
    assert.match(deskHtml, /Sorry about that <img[^>]+\/webchat\/emoji\/sad\.png/, "the emoji at the desk");
    assert.match(deskHtml, /<b>approved<\/b>/, "bold at the desk");
    await page.waitForSelector(`${phone} [data-testid="wechat-typing"]`, { state: "detached" });
    assert.notEqual(await page.textContent('[data-testid="wechat-title"]'), "Typing…");

    // The demo plays to its end: Lily rates, Tom is served and closes.
    await eventually(() => demo.output.some((l) => /^ {2}passed in \d+ ms$/.test(l)), {
      what: "the demo's end",
      timeout: 120_000,
    });
    assert.ok(!demo.output.some((l) => l.includes("✗")), demo.output.join("\n"));
    assert.deepEqual(browser.errors, []);
  });

  test("screenshots: both languages, both themes, projector sizes", async () => {
    // Lily's chat on both sides: the desk follows the phone's customer.
    await page.waitForSelector(`${deskChat}[data-nickname="Tom Liu"]`);
    await page.click('[data-testid="demo-customers"] button:has-text("Lily Wang")');
    await page.waitForSelector(`${deskChat}[data-nickname="Lily Wang"]`);
    for (const size of [
      { width: 1366, height: 768 },
      { width: 1920, height: 1080 },
    ]) {
      for (const lang of ["en", "zh"]) {
        for (const theme of ["light", "dark"]) {
          await setLook(page, { size, lang, theme });
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth > innerWidth || document.documentElement.scrollHeight > innerHeight);
          assert.equal(overflow, false, `the page scrolls at ${size.width}×${size.height} ${lang} ${theme}`);
          await browser.screenshot(`demo-${size.width}x${size.height}-${lang}-${theme}`);
        }
      }
    }
  });

  test("the console's Demo tab shows the same layout while presenting", async () => {
    // Only the fragment differs from the demo page's address: load the console anew.
    await page.goto(demo.lines.open);
    await page.reload();
    await page.waitForSelector('[data-testid="tabs"]');
    assert.equal(await page.locator('[data-tab="demo"]').count(), 0, "no Demo tab outside presenter mode");
    await page.click('[data-testid="presenter"]');
    await page.click('[data-tab="demo"]');
    await page.waitForSelector(`[data-testid="demo"] ${phone}`);
    await page.waitForSelector('[data-testid="demo"] [data-testid="desk"][data-watching="true"] [data-testid="desk-sessions"] button[data-nickname="Tom Liu"]');
    await setLook(page, { size: { width: 1366, height: 768 }, lang: "en", theme: "light" });
    await browser.screenshot("demo-tab-presenter-1366x768-en-light");
    await page.click('[data-testid="presenter"]');
    await page.waitForSelector('[data-tab="chat"][aria-current="page"]');
    assert.deepEqual(browser.errors, []);
  });
});
