// The console at the smallest and largest size it supports, in both languages and themes:
// nothing needed is out of reach, the top tabs stay on one line, the side panel folds into a
// toggle, the customer list shows only on Chat. Screenshots of every main view go to
// tests/ui/screenshots/layout-*.png.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { addChattingCustomer, openBrowser, setLook as setLookOf, startServe, openTab } from "./harness.mjs";

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1920, height: 1080 },
];
const LOOKS = SIZES.flatMap((size) =>
  ["en", "zh"].flatMap((lang) => ["light", "dark"].map((theme) => ({ size, lang, theme }))),
);
/** Below this width the side panel is a toggle (ConversationSide.svelte). */
const SIDE_BREAKPOINT = 1100;
const NICKNAME = "Layout Lu";

describe("layout", () => {
  let serve, browser, page;
  const name = ({ size, lang, theme }) => `${size.width}x${size.height}-${lang}-${theme}`;

  const setLook = (look) => setLookOf(page, look);

  /** Asserts `locator` is within the viewport once scrolled into view inside its pane, and that the page itself did not have to scroll. */
  async function reachable(locator, what) {
    await locator.scrollIntoViewIfNeeded();
    const box = await locator.boundingBox();
    const { width, height } = page.viewportSize();
    assert.ok(box, `${what} is shown`);
    assert.ok(
      box.x >= 0 && box.y >= 0 && box.x + box.width <= width + 0.5 && box.y + box.height <= height + 0.5,
      `${what} within the ${width}×${height} viewport: ${JSON.stringify(box)}`,
    );
    await noPageOverflow(what);
  }

  /** The page never scrolls as a whole: panes scroll inside it. */
  async function noPageOverflow(what) {
    const page_ = await page.evaluate(() => ({
      x: document.scrollingElement.scrollLeft,
      y: document.scrollingElement.scrollTop,
      wide: document.documentElement.scrollWidth - innerWidth,
    }));
    assert.deepEqual(page_, { x: 0, y: 0, wide: 0 }, `the page did not scroll or overflow (${what})`);
  }

  async function tabsOnOneLine(look) {
    const tabs = await page.locator("[data-tab]").evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        const line = parseFloat(getComputedStyle(el).lineHeight);
        return { tab: el.dataset.tab, text: el.textContent.trim(), height: r.height, lines: Math.round((el.clientHeight - 12) / line) };
      }),
    );
    assert.ok(tabs.length >= 6, `${tabs.length} tabs`);
    for (const t of tabs) assert.ok(t.height <= 40 && t.lines === 1, `${name(look)}: tab ${t.tab} "${t.text}" on one line: ${JSON.stringify(t)}`);
    for (const t of tabs) await reachable(page.locator(`[data-tab="${t.tab}"]`), `tab ${t.tab}`);
  }

  const customers = () => page.locator('[data-testid="customers"]');

  before(async () => {
    serve = await startServe();
    browser = await openBrowser();
    page = browser.page;
    await page.goto(serve.url);
    await page.waitForSelector('[data-testid="customer-list"]');
  });

  after(async () => {
    await page?.setViewportSize({ width: 1360, height: 820 });
    await browser?.close();
    await serve?.stop();
  });

  test("the top tabs stay on one line at every size, language and theme", async () => {
    for (const look of LOOKS) {
      await setLook(look);
      await tabsOnOneLine(look);
    }
  });

  test("the first screen calls to action at every size, language and theme", async () => {
    for (const look of LOOKS) {
      await setLook(look);
      await reachable(page.locator('[data-testid="new-customer-cta"]'), "the New customer button");
      assert.match(await page.textContent('[data-testid="new-customer-cta"]'), /N/);
      await browser.screenshot(`layout-welcome-${name(look)}`);
    }
  });

  test("the chat view: location form's Send in view, the side panel beside or behind a toggle", async () => {
    await setLook(LOOKS[0]);
    await addChattingCustomer(page, NICKNAME);
    await page.waitForSelector('[data-direction="in"] .agent-html img');
    for (const look of LOOKS) {
      await setLook(look);
      await openTab(page, "chat");
      assert.ok(await customers().isVisible(), "the customer list shows on Chat");
      await tabsOnOneLine(look);
      await page.click('[data-mode="location"]');
      await reachable(page.locator('[data-testid="location-form"] button[type="submit"]'), "the location form's Send");
      for (const field of ["x", "y", "scale", "label"]) {
        await reachable(page.locator(`[data-testid="location-form"] input[name="${field}"]`), `the location field ${field}`);
      }
      await browser.screenshot(`layout-chat-location-${name(look)}`);
      await page.click('[data-mode="text"]');

      const toggle = page.locator('[data-testid="side-toggle"]');
      const side = page.locator('[data-testid="side-panel"]');
      if (look.size.width < SIDE_BREAKPOINT) {
        assert.ok(await toggle.isVisible(), "the side panel's toggle shows below the breakpoint");
        assert.ok(!(await side.isVisible()), "the side panel starts folded");
        await toggle.click();
        await side.waitFor({ state: "visible" });
        assert.equal(await toggle.getAttribute("aria-expanded"), "true");
        await reachable(side.locator('[data-testid="agents-panel"]'), "the agents panel");
        await reachable(side.locator('[data-testid="finding-count"]'), "the details");
        await browser.screenshot(`layout-chat-side-${name(look)}`);
        await page.keyboard.press("Escape");
        await side.waitFor({ state: "hidden" });
      } else {
        assert.ok(!(await toggle.isVisible()), "no toggle when the side panel fits");
        await reachable(side.locator('[data-testid="agents-panel"]'), "the agents panel");
      }
      await browser.screenshot(`layout-chat-${name(look)}`);
    }
  });

  test("wire: the result and duration columns are reachable inside their pane; no customer list", async () => {
    for (const look of LOOKS) {
      await setLook(look);
      await openTab(page, "wire");
      await page.waitForSelector('[data-testid="exchanges"] tr[data-exchange]');
      assert.ok(!(await customers().isVisible()), "no customer list on Wire");
      const heads = await page.locator('[data-testid="exchanges"] thead th').evaluateAll((els) =>
        els.map((el) => [el.textContent.trim(), el.getBoundingClientRect().height]),
      );
      for (const [text, height] of heads) assert.ok(height <= 32, `${name(look)}: header "${text}" on one line (${height}px)`);
      for (const col of ["result", "duration"]) {
        await reachable(page.locator(`[data-testid="exchanges"] th[data-col="${col}"]`), `the ${col} column`);
      }
      await reachable(page.locator('[data-testid="exchanges"] tr[data-exchange] td').last(), "the last row's duration");
      await page.locator('[data-testid="exchanges"] tr[data-exchange]').first().click();
      await page.waitForSelector('[data-testid="exchange-detail"]');
      await browser.screenshot(`layout-wire-${name(look)}`);
    }
  });

  test("history: the transcript's export buttons are reachable; no customer list", async () => {
    for (const look of LOOKS) {
      await setLook(look);
      await openTab(page, "history");
      assert.ok(!(await customers().isVisible()), "no customer list on History");
      await page.locator('[data-testid="conversation-list"] [data-conversation]').first().click();
      await page.waitForSelector('[data-testid="transcript"]');
      const buttons = page.locator('[data-testid="export"] button[data-format]');
      assert.deepEqual(await buttons.evaluateAll((bs) => bs.map((b) => b.getAttribute("data-format"))), [
        "html",
        "md",
        "json",
        "csv",
        "svg",
      ]);
      for (const b of await buttons.all()) await reachable(b, `export ${await b.getAttribute("data-format")}`);
      await browser.screenshot(`layout-history-${name(look)}`);
    }
  });

  test("faults, contract and settings fit; no customer list", async () => {
    for (const look of LOOKS) {
      await setLook(look);
      for (const tab of ["faults", "contract", "settings"]) {
        await openTab(page, tab);
        assert.ok(!(await customers().isVisible()), `no customer list on ${tab}`);
        await noPageOverflow(tab);
        if (tab === "faults") await reachable(page.locator('[data-testid="fault-form"] button[type="submit"]'), "Arm");
        await browser.screenshot(`layout-${tab}-${name(look)}`);
      }
    }
    await openTab(page, "chat");
    assert.ok(await customers().isVisible());
    assert.deepEqual(browser.errors, []);
  });
});
