// Profiles in Settings: a second one created from a copy of the first, made active (the top
// bar follows its webchat), switched back, removed; removing the active one is refused.
// Each test sets up the profiles, language and theme it needs at its start (`fresh`), on a
// reloaded page with no toast left: the tests pass in any order and at any speed.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { apart, eventually, openBrowser, startServe } from "./harness.mjs";

const STAGING = "http://127.0.0.1:9/webchat";
/** A second profile, as the new-profile form makes it from a copy of the first. */
const staging = { name: "staging", webchatUrl: STAGING };

describe("profiles", () => {
  let serve, browser, page, first;
  const row = (name) => page.locator(`[data-testid="profiles"] li[data-profile="${name}"]`);
  const endpoint = () => page.locator('[data-testid="webchat-endpoint"]').textContent();
  const activeName = async () => (await serve.call("GET", "/api/profile")).name;
  /** The newest toast saying `text`: an older one saying the same may still be on screen. */
  const toast = (text) => page.locator('[data-testid="toasts"] .toast', { hasText: text }).last();
  /** Console errors since the test's `fresh()`. */
  let errorsBefore = 0;
  const newErrors = () => browser.errors.slice(errorsBefore);

  /** Puts the UI in `lang` ("en" or "zh"): the button names the language it switches to. */
  async function language(lang) {
    const button = page.locator('[data-testid="lang"]');
    const offered = lang === "en" ? "中文" : "English";
    if ((await button.textContent()).trim() !== offered) await button.click();
    await eventually(async () => (await button.textContent()).trim() === offered, { what: `the UI in ${lang}` });
  }

  /** Puts the UI in the `light` or `dark` theme. */
  async function theme(want) {
    const current = () => page.evaluate(() => document.documentElement.dataset.theme);
    if ((await current()) !== want) await page.click('[data-testid="theme"]');
    await eventually(async () => (await current()) === want, { what: `the ${want} theme` });
  }

  /**
   * Stores `first` as it was at the start (with `changes`) and the `extra` profiles (copies of
   * it with their own fields), removes any other, makes `active` the active one; then reloads
   * the page (no toast, form or error of an earlier test is left) and opens Settings in `lang`.
   */
  async function fresh({ extra = [], active = first.name, changes = {}, lang = "en" } = {}) {
    const profiles = [{ ...first, ...changes }, ...extra.map((p) => ({ ...first, ...p }))];
    await serve.call("PUT", "/api/profile", profiles[0]);
    for (const { name } of await serve.call("GET", "/api/profiles")) {
      if (name !== first.name) await serve.call("DELETE", `/api/profiles/${encodeURIComponent(name)}`);
    }
    for (const p of profiles.slice(1)) await serve.call("PUT", "/api/profile", p);
    if (active !== profiles.at(-1).name) await serve.call("PUT", "/api/profile", profiles.find((p) => p.name === active));
    await page.reload();
    await language(lang);
    await theme("light");
    await page.click('[data-tab="settings"]');
    await eventually(async () => (await row(active).getAttribute("data-active")) === "true", { what: `${active} listed, active` });
    assert.equal(await page.locator('[data-testid="profiles"] li').count(), profiles.length);
    errorsBefore = browser.errors.length;
  }

  before(async () => {
    serve = await startServe();
    browser = await openBrowser();
    page = browser.page;
    first = await serve.call("GET", "/api/profile");
    await page.goto(serve.url);
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("the stored profiles are listed with the webchat each targets", async () => {
    await fresh();
    assert.equal(await page.locator('[data-testid="profiles"] li').count(), 1);
    assert.equal(await row(first.name).getAttribute("data-active"), "true");
    assert.match(await row(first.name).locator(".target").textContent(), /embedded simulator/);
    assert.match(await endpoint(), /embedded simulator/);
  });

  test("a new profile starts from a copy, is validated by the server, and becomes active", async () => {
    await fresh();
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
    await fresh({ extra: [staging], active: "staging" });
    await row("staging").locator('[data-action="remove"]').click();
    const error = page.locator('[data-testid="profiles-error"]');
    await error.waitFor();
    assert.match(await error.textContent(), /profile `staging` is the active one; switch to another before removing it/);
    assert.equal(await page.locator('[data-testid="profiles"] li').count(), 2);
    await browser.screenshot("10-profiles-refused");
  });

  test("switching back follows the first profile's webchat", async () => {
    await fresh({ extra: [staging], active: "staging" });
    assert.equal((await endpoint()).trim(), STAGING);
    await row(first.name).locator('[data-action="switch"]').click();
    await eventually(async () => (await row(first.name).getAttribute("data-active")) === "true", { what: "first active" });
    await eventually(async () => /embedded simulator/.test(await endpoint()), { what: "the top bar on the embedded simulator" });
    assert.equal(await activeName(), first.name);
    assert.equal(await page.locator('[data-testid="profiles-error"]').count(), 0);
    assert.equal(await page.locator('[data-testid="settings-form"] input[name="name"]').inputValue(), first.name);

    await browser.screenshot("11-profiles-light-en");
    await theme("dark");
    await browser.screenshot("12-profiles-dark-en");
    await language("zh");
    await browser.screenshot("13-profiles-dark-zh");
    await theme("light");
    await browser.screenshot("14-profiles-light-zh");
  });

  test("toasts speak the UI's language, sit clear of the Save bar and go on a click", async () => {
    await fresh({ extra: [staging], active: first.name, lang: "zh" });
    await row("staging").locator('[data-action="switch"]').click();
    const switched = toast("已切换到 staging");
    await switched.waitFor();
    // The form re-mounts when the active profile changes: measure once both are laid out.
    const [save, box] = await eventually(async () => {
      const boxes = [await page.locator('[data-testid="settings-form"] button[type="submit"]').boundingBox(), await switched.boundingBox()];
      return boxes.every(Boolean) && boxes;
    }, { what: "the Save button and the toast laid out" });
    assert.ok(apart(box, save), `toast ${JSON.stringify(box)} over the Save button ${JSON.stringify(save)}`);
    await browser.screenshot("15-profiles-toast-zh");

    await row(first.name).locator('[data-action="switch"]').click();
    await toast(`已切换到 ${first.name}`).waitFor();
    await language("en");
    const id = await toast(`Switched to ${first.name}`).getAttribute("data-toast");
    await page.click(`[data-toast="${id}"]`);
    assert.equal(await page.locator(`[data-toast="${id}"]`).count(), 0);
  });

  test("a profile that is not active is removed", async () => {
    await fresh({ extra: [staging], active: first.name });
    await row("staging").locator('[data-action="remove"]').click();
    await eventually(async () => (await row("staging").count()) === 0, { what: "staging gone" });
    assert.deepEqual((await serve.call("GET", "/api/profiles")).map((p) => p.name), [first.name]);
    assert.deepEqual(newErrors(), []);
  });

  test("every profile field is in the form, with a hint", async () => {
    await fresh();
    const form = page.locator('[data-testid="settings-form"]');
    for (const field of ["name", "epid", "serviceAccount", "webchatUrl", "wanAddr", "pulseIntervalMs", "queuePollIntervalMs", "requestTimeoutMs", "contentEncoding", "createTimeFormat", "strictContract", "allowedSources", "sharedSecret", "maxBodyBytes"]) {
      assert.equal(await form.locator(`[name="${field}"]`).count(), 1, field);
    }
    for (const list of ["skillGroups", "ratingScale"]) assert.equal(await form.locator(`fieldset[data-list="${list}"] .hint`).count(), 1, list);
    assert.equal(await form.locator("label.field:not(:has(.hint))").count(), 0);

    const secret = form.locator('input[name="sharedSecret"]');
    assert.equal(await secret.getAttribute("type"), "password");
    await form.locator('[data-action="toggle-secret"]').click();
    assert.equal(await secret.getAttribute("type"), "text");
    await form.locator('[data-action="toggle-secret"]').click();
  });

  test("edits of skill groups, the rating scale and the listener's fields persist across a reload", async () => {
    await fresh();
    const form = page.locator('[data-testid="settings-form"]');
    const groups = form.locator('fieldset[data-list="skillGroups"]');
    const scale = form.locator('fieldset[data-list="ratingScale"]');
    await groups.locator('[data-row="0"] [data-action="remove-row"]').click();
    await groups.locator('[data-action="add-row"]').click();
    await groups.locator('[data-row="2"] input[name="skillGroups.id"]').fill("42");
    await groups.locator('[data-row="2"] input[name="skillGroups.name"]').fill("VIP");
    while ((await scale.locator("[data-row]").count()) > 1) await scale.locator('[data-row="1"] [data-action="remove-row"]').click();
    await scale.locator('[data-row="0"] input[name="ratingScale.name"]').fill("Bad");
    await scale.locator('[data-action="add-row"]').click();
    await scale.locator('[data-row="1"] input[name="ratingScale.id"]').fill("good");
    await scale.locator('[data-row="1"] input[name="ratingScale.name"]').fill("Good");
    await form.locator('textarea[name="allowedSources"]').fill("127.0.0.1\n\n10.0.0.0/8\n");
    await form.locator('input[name="sharedSecret"]').fill("short");
    await form.locator('input[name="strictContract"]').check();
    await form.locator('button[type="submit"]').click();
    const error = page.locator('[data-testid="settings-error"]');
    await error.waitFor();
    assert.match(await error.textContent(), /sharedSecret/);
    assert.equal(await form.locator('label.invalid input[name="sharedSecret"]').count(), 1);

    await form.locator('input[name="sharedSecret"]').fill("long enough secret");
    await form.locator('button[type="submit"]').click();
    await toast("Saved").waitFor();
    const stored = await serve.call("GET", "/api/profile");
    assert.deepEqual(stored.skillGroups, [{ id: 2, name: "Support" }, { id: 9, name: "Robot", robot: true }, { id: 42, name: "VIP" }]);
    assert.deepEqual(stored.ratingScale, [{ id: "1", name: "Bad" }, { id: "good", name: "Good" }]);
    assert.deepEqual(stored.allowedSources, ["127.0.0.1", "10.0.0.0/8"]);
    assert.equal(stored.sharedSecret, "long enough secret");
    assert.equal(stored.strictContract, true);

    await page.reload();
    await page.click('[data-tab="settings"]');
    await eventually(async () => (await groups.locator("[data-row]").count()) === 3, { what: "the groups after a reload" });
    assert.deepEqual(await groups.locator('input[name="skillGroups.name"]').evaluateAll((els) => els.map((e) => e.value)), ["Support", "Robot", "VIP"]);
    assert.deepEqual(await scale.locator('input[name="ratingScale.id"]').evaluateAll((els) => els.map((e) => e.value)), ["1", "good"]);
    assert.equal(await form.locator('textarea[name="allowedSources"]').inputValue(), "127.0.0.1\n10.0.0.0/8");
    assert.equal(await form.locator('input[name="strictContract"]').isChecked(), true);

    await page.locator(".settings").evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await browser.screenshot("16-profile-form-end-light-en");
    await theme("dark");
    await language("zh");
    await browser.screenshot("17-profile-form-end-dark-zh");
  });

  test("the new-customer form offers the active profile's skill groups, free entry still possible", async () => {
    const skillGroups = [{ id: 2, name: "Support" }, { id: 9, name: "Robot", robot: true }, { id: 42, name: "VIP" }];
    await fresh({ changes: { skillGroups } });
    // The customer list, and its New customer button, show on the Chat view.
    await page.click('[data-tab="chat"]');
    await page.click('[data-testid="new-customer"]');
    const form = page.locator('[data-testid="new-customer-form"]');
    const choices = form.locator('[data-testid="skill-group-choices"] button');
    assert.deepEqual(await choices.evaluateAll((els) => els.map((b) => [b.dataset.group, b.textContent.trim()])), [
      ["2", "Support 2"],
      ["9", "Robot 9"],
      ["42", "VIP 42"],
    ]);
    const input = form.locator('input[name="skillGroup"]');
    assert.equal(await input.inputValue(), "2");
    await choices.filter({ hasText: "VIP" }).click();
    assert.equal(await input.inputValue(), "42");
    assert.equal(await choices.filter({ hasText: "VIP" }).getAttribute("aria-pressed"), "true");
    await browser.screenshot("18-new-customer-form");
    await input.fill("77");
    assert.equal(await form.locator('[data-testid="skill-group-choices"] button[aria-pressed="true"]').count(), 0);
    await form.locator('input[name="nickname"]').fill("Free Group");
    await form.locator('input[name="requestNow"]').uncheck();
    await form.locator('button[type="submit"]').click();
    await eventually(async () => (await serve.call("GET", "/api/customers")).some((c) => c.nickname === "Free Group" && c.skillGroup === 77), {
      what: "a customer in group 77",
    });
  });
});
