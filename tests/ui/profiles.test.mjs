// Profiles in Settings: a second one created from a copy of the first, made active (the top
// bar follows its webchat), switched back, removed; removing the active one is refused.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eventually, openBrowser, startServe } from "./harness.mjs";

const STAGING = "http://127.0.0.1:9/webchat";

describe("profiles", () => {
  let serve, browser, page, first;
  const row = (name) => page.locator(`[data-testid="profiles"] li[data-profile="${name}"]`);
  const endpoint = () => page.locator('[data-testid="webchat-endpoint"]').textContent();
  const activeName = async () => (await serve.call("GET", "/api/profile")).name;

  before(async () => {
    serve = await startServe();
    browser = await openBrowser();
    page = browser.page;
    first = await serve.call("GET", "/api/profile");
    await page.goto(serve.url);
    await page.click('[data-tab="settings"]');
    await row(first.name).waitFor();
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("the stored profiles are listed with the webchat each targets", async () => {
    assert.equal(await page.locator('[data-testid="profiles"] li').count(), 1);
    assert.equal(await row(first.name).getAttribute("data-active"), "true");
    assert.match(await row(first.name).locator(".target").textContent(), /embedded simulator/);
    assert.match(await endpoint(), /embedded simulator/);
  });

  test("a new profile starts from a copy, is validated by the server, and becomes active", async () => {
    await page.click('[data-testid="new-profile"]');
    const form = page.locator('[data-testid="new-profile-form"]');
    assert.equal(await form.locator('input[name="name"]').inputValue(), "");
    assert.equal(await form.locator('input[name="epid"]').inputValue(), first.epid);

    await form.locator('button[type="submit"]').click();
    const error = page.locator('[data-testid="settings-error"]');
    await error.waitFor();
    assert.match(await error.textContent(), /name/);
    assert.equal(await form.locator("label.invalid input[name=name]").count(), 1);
    await browser.screenshot("09-new-profile");

    await form.locator('input[name="name"]').fill(first.name);
    await form.locator('button[type="submit"]').click();
    await eventually(async () => /exists already/.test(await error.textContent()), { what: "a taken name refused" });

    await form.locator('input[name="name"]').fill("staging");
    await form.locator('input[name="webchatUrl"]').fill(STAGING);
    await form.locator('button[type="submit"]').click();
    await eventually(async () => (await row("staging").getAttribute("data-active")) === "true", { what: "staging active" });
    assert.equal(await row(first.name).getAttribute("data-active"), "false");
    assert.equal(await row("staging").locator(".target").textContent(), STAGING);
    await eventually(async () => (await endpoint()).trim() === STAGING, { what: "the top bar on staging's webchat" });
    assert.equal(await activeName(), "staging");
    assert.equal(await page.locator('[data-testid="settings-form"] input[name="name"]').inputValue(), "staging");
    assert.equal(await form.count(), 0);
  });

  test("removing the active profile is refused with the server's message", async () => {
    await row("staging").locator('[data-action="remove"]').click();
    const error = page.locator('[data-testid="profiles-error"]');
    await error.waitFor();
    assert.match(await error.textContent(), /profile `staging` is the active one; switch to another before removing it/);
    assert.equal(await page.locator('[data-testid="profiles"] li').count(), 2);
    await browser.screenshot("10-profiles-refused");
  });

  test("switching back follows the first profile's webchat", async () => {
    await row(first.name).locator('[data-action="switch"]').click();
    await eventually(async () => (await row(first.name).getAttribute("data-active")) === "true", { what: "first active" });
    await eventually(async () => /embedded simulator/.test(await endpoint()), { what: "the top bar on the embedded simulator" });
    assert.equal(await activeName(), first.name);
    assert.equal(await page.locator('[data-testid="profiles-error"]').count(), 0);
    assert.equal(await page.locator('[data-testid="settings-form"] input[name="name"]').inputValue(), first.name);

    await browser.screenshot("11-profiles-light-en");
    await page.click('[data-testid="theme"]');
    await browser.screenshot("12-profiles-dark-en");
    await page.click('[data-testid="lang"]');
    await browser.screenshot("13-profiles-dark-zh");
    await page.click('[data-testid="theme"]');
    await browser.screenshot("14-profiles-light-zh");
    await page.click('[data-testid="lang"]');
  });

  test("a profile that is not active is removed", async () => {
    await row("staging").locator('[data-action="remove"]').click();
    await eventually(async () => (await row("staging").count()) === 0, { what: "staging gone" });
    assert.deepEqual((await serve.call("GET", "/api/profiles")).map((p) => p.name), [first.name]);
    assert.deepEqual(browser.errors.filter((e) => !e.includes("422")), []);
  });
});
