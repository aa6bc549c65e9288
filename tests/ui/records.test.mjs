// What a tester reviews afterwards: the wire inspector, history search and exports,
// and the profile settings with the API's validation errors.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { addChattingCustomer, apart, eventually, openBrowser, startServe } from "./harness.mjs";
import { storedZip } from "../support/zip.mjs";

describe("records", () => {
  let serve, browser, page;
  const rows = () => page.locator('[data-testid="exchanges"] tbody tr[data-exchange]');

  before(async () => {
    serve = await startServe();
    browser = await openBrowser();
    page = browser.page;
    await page.goto(serve.url);
    for (const [name, text] of [
      ["Zhang Wei", "my parcel tracking number please"],
      ["Wang Fang", "refund for the blue kettle"],
    ]) {
      await addChattingCustomer(page, name);
      await page.fill('[data-testid="text-input"]', text);
      await page.press('[data-testid="text-input"]', "Enter");
      await page.waitForSelector('[data-direction="out"][data-delivery="sent"]');
    }
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("the wire inspector lists exchanges and filters them", async () => {
    await page.click('[data-tab="wire"]');
    await eventually(async () => (await rows().count()) > 8, { what: "exchanges listed" });
    const operations = await rows().evaluateAll((trs) => trs.map((tr) => tr.dataset.operation));
    for (const op of ["createcon.do", "getmsg.do", "/ari/create", "/ari/msg"]) assert.ok(operations.includes(op), op);

    await page.selectOption('[data-testid="wire-filters"] select[name="operation"]', "getmsg.do");
    await eventually(async () => {
      const ops = await rows().evaluateAll((trs) => trs.map((tr) => tr.dataset.operation));
      return ops.length === 2 && ops.every((op) => op === "getmsg.do");
    }, { what: "only the two getmsg.do exchanges" });

    await page.selectOption('[data-testid="wire-filters"] select[name="customer"]', { label: "Wang Fang" });
    await eventually(async () => (await rows().count()) === 1, { what: "one getmsg.do of Wang Fang" });
    await rows().first().click();
    const detail = page.locator('[data-testid="exchange-detail"]');
    assert.match(await detail.textContent(), /refund for the blue kettle/);
    assert.match(await detail.locator('[data-testid="result-meaning"]').textContent(), /1 SUCCESS — success/);
    await browser.screenshot("05-wire-inspector");

    await page.selectOption('[data-testid="wire-filters"] select[name="operation"]', "");
    await page.selectOption('[data-testid="wire-filters"] select[name="outcome"]', "rejected");
    await eventually(async () => (await page.locator('[data-testid="exchanges"] .empty').count()) === 1, {
      what: "no rejected exchanges",
    });
  });

  test("Ctrl+K searches history, highlights hits and exports all four formats", async () => {
    await page.keyboard.press("Control+k");
    const box = page.locator('input[name="q"]');
    await eventually(() => box.evaluate((el) => el === document.activeElement), { what: "search focused" });
    await box.fill("kettle");
    await box.press("Enter");
    await page.waitForSelector('[data-testid="search-results"] mark');
    const marks = await page.locator('[data-testid="search-results"] mark').allTextContents();
    assert.ok(marks.length >= 1 && marks.every((m) => m.toLowerCase() === "kettle"), JSON.stringify(marks));
    await browser.screenshot("06-history-search");

    for (const format of ["html", "md", "json", "csv"]) {
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click(`[data-testid="export"] [data-format="${format}"]`),
      ]);
      assert.equal(download.suggestedFilename(), `search.${format}`);
      const text = readFileSync(await download.path(), "utf8");
      const phrase = format === "html" ? /refund for the blue <mark>kettle<\/mark>/ : /refund for the blue kettle/;
      assert.match(text, phrase, format);
      if (format === "html") assert.match(text, /^<!doctype html>/);
      if (format === "json") assert.equal(JSON.parse(text).hits[0].nickname, "Wang Fang");
      if (format === "csv") assert.equal(text.split("\r\n")[0], "conversationId,messageId,time,nickname,openId,direction,kind,text");
    }
  });

  test("a transcript opens from a hit and exports", async () => {
    await page.locator('[data-testid="search-results"] li button').first().click();
    await page.waitForSelector('[data-testid="transcript"]');
    await page.waitForSelector('[data-testid="messages"] [data-direction="in"]');
    const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="export"] [data-format="md"]')]);
    // The agent's greeting shows emoji pictures: the Markdown comes in a zip, its files beside it.
    assert.match(download.suggestedFilename(), /^conversation-\d+\.zip$/);
    const entries = storedZip(readFileSync(await download.path()));
    const mdName = [...entries.keys()].find((n) => /^conversation-\d+\.md$/.test(n));
    assert.ok(mdName, [...entries.keys()].join(", "));
    const text = entries.get(mdName).toString("utf8");
    for (const target of text.matchAll(/\]\(([^)]+)\)/g)) assert.ok(entries.get(target[1])?.length > 0, `${target[1]} is in the zip`);
    assert.match(text, /^# Conversation \d+ — Wang Fang/);
    assert.match(text, /\*\*Wang Fang\*\* · [\d: -]+ · _text_  \nrefund for the blue kettle\n/);
    const toast = page.locator('[data-testid="toasts"] .toast', { hasText: `Export downloaded as ${download.suggestedFilename()}` });
    await toast.waitFor();
    const menu = await page.locator('[data-testid="export"]').boundingBox();
    assert.ok(apart(await toast.boundingBox(), menu), "the toast covers the export buttons");
    await browser.screenshot("07-transcript");
  });

  test("settings show the API's validation error and save a valid profile", async () => {
    await page.click('[data-tab="settings"]');
    await page.fill('[data-testid="settings-form"] input[name="epid"]', "../escape");
    await page.click('[data-testid="settings-form"] button[type="submit"]');
    const error = page.locator('[data-testid="settings-error"]');
    await error.waitFor();
    assert.match(await error.textContent(), /epid/);
    assert.equal(await page.locator("label.invalid input[name=epid]").count(), 1);
    await browser.screenshot("08-settings-error");
    await page.fill('[data-testid="settings-form"] input[name="epid"]', "acme-demo");
    await page.click('[data-testid="settings-form"] button[type="submit"]');
    await eventually(async () => (await serve.call("GET", "/api/profile")).epid === "acme-demo", { what: "profile saved" });
    assert.equal(await error.count(), 0);
    assert.deepEqual(browser.errors.filter((e) => !e.includes("422")), []);
  });
});
