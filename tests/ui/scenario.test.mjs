// Save as scenario from the UI: a conversation's transcript in History saves it as one
// `wxsim run` scenario file, its media inside it and the agent's replies expected as
// chosen; the downloaded file replays green with `wxsim run`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ROOT, TOKEN, addChattingCustomer, eventually, openBrowser, png, startServe } from "./harness.mjs";

const BIN = process.env.WXSIM_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "wxsim");

describe("save as scenario", () => {
  let serve, browser, page, dir;
  const agentLines = () => page.locator('[data-testid="messages"] [data-direction="in"]').count();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "wxsim-ui-scenario-"));
    serve = await startServe();
    browser = await openBrowser();
    page = browser.page;
    await page.goto(serve.url);
    await addChattingCustomer(page, "Sam Saver");
    await eventually(async () => (await agentLines()) >= 1, { what: "the greeting" });
    await page.fill('[data-testid="text-input"]', "my order 20261129 has not arrived");
    await page.press('[data-testid="text-input"]', "Enter");
    await eventually(async () => (await agentLines()) >= 2, { what: "the answer to the text" });

    const customer = (await serve.call("GET", "/api/customers")).find((c) => c.nickname === "Sam Saver");
    const uploaded = await fetch(`${serve.api}/api/media?kind=image&name=red%20dot.png`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: png(8, 8, [200, 30, 30]),
    }).then((r) => r.json());
    await serve.call("POST", `/api/customers/${customer.id}/messages`, {
      msgType: "image",
      content: { mediaId: uploaded.mediaId },
    });
    await eventually(async () => (await agentLines()) >= 3, { what: "the answer to the picture" });
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("History's transcript saves the conversation as a scenario that replays green", async () => {
    await page.click('[data-tab="history"]');
    await page.locator('[data-testid="conversation-list"] button').first().click();
    await page.waitForSelector('[data-testid="transcript"]');
    await page.waitForSelector('[data-testid="messages"] [data-direction="in"]');
    await page.selectOption('[data-testid="scenario-expect"]', "exact");
    await browser.screenshot("scenario-save");

    const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="save-scenario"]')]);
    const name = download.suggestedFilename();
    assert.match(name, /^conversation-\d+\.toml$/);
    const scenario = readFileSync(await download.path(), "utf8");
    const stem = name.replace(/\.toml$/, "");
    assert.match(scenario, /^nickname = "Sam Saver"$/m);
    assert.match(scenario, /^text = "my order 20261129 has not arrived"$/m);
    assert.match(scenario, new RegExp(`^image = "${stem}-1-red_dot.png"$`, "m"));
    assert.match(scenario, new RegExp(`^\\[media\\]`, "m"), "the picture travels inside the one file");
    assert.equal(scenario.match(/^exact = /gm)?.length, 3, scenario);
    await page.locator('[data-testid="toasts"] .toast', { hasText: `Export downloaded as ${name}` }).waitFor();

    const file = join(dir, name);
    writeFileSync(file, scenario);
    const run = spawnSync(BIN, ["run", file], { encoding: "utf8", env: { ...process.env, RUST_LOG: "warn" } });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /1 of 1 scenarios passed/);
    assert.deepEqual(browser.errors, []);
  });
});
