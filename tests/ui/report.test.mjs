// The conformance report as a partner opens it: `wxsim report` over a database real traffic
// filled (a chat, a getmsg.do the simulator was told to answer with an unknown code, and a
// callback whose bad field quotes hostile HTML) is one HTML file that opens offline in
// Chromium without a console error, shows the same counts as `--format json`, and shows the
// hostile text as text.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import { ROOT, SCREENSHOTS, eventually, openBrowser, startServe } from "./harness.mjs";

const BIN = process.env.WXSIM_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "wxsim");
const HOSTILE = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;

function wxsim(...args) {
  const run = spawnSync(BIN, args, { encoding: "utf8", env: { ...process.env, RUST_LOG: "warn" } });
  assert.equal(run.status, 0, `wxsim ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

describe("conformance report", () => {
  let serve, browser, dir, json;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "wxsim-ui-report-"));
    serve = await startServe();
    const customer = await serve.call("POST", "/api/customers", { nickname: "Rae Report", skillGroup: 1 });
    await serve.call("POST", `/api/customers/${customer.id}/request-chat`);
    await eventually(async () => (await serve.call("GET", `/api/customers/${customer.id}`)).state === "chatting", {
      what: "chatting",
    });
    await serve.call("POST", `/api/customers/${customer.id}/messages`, { msgType: "text", content: "hello there" });
    await serve.call("POST", "/api/simulator/faults", { endpoint: "getmsg.do", result: 42 });
    await assert.rejects(
      serve.call("POST", `/api/customers/${customer.id}/messages`, { msgType: "text", content: "and again" }),
      /422/,
    );
    const refused = await fetch(`${serve.listener}/ari/updateRequestStatus`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ requestId: "R1", requestStatus: 0, openId: "nobody", queueLength: HOSTILE }),
    });
    assert.equal(refused.status, 400, "the listener refuses the bad field");
    wxsim("report", "--data-dir", serve.dataDir, "--out", join(dir, "report.html"));
    json = JSON.parse(wxsim("report", "--data-dir", serve.dataDir, "--format", "json"));
    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("report.html opens offline, shows the JSON's counts and quotes hostile text as text", async () => {
    const check = (rule) => json.checks.find((c) => c.rule === rule);
    assert.equal(check("code").failed, 1, "the unknown result 42");
    assert.equal(check("type").failed, 1, "the hostile queueLength");

    const { page, errors, requests } = browser;
    await page.goto(pathToFileURL(join(dir, "report.html")).href);
    const shown = await page.evaluate(() => ({
      exchanges: Number(document.querySelector('[data-count="exchanges"]').textContent),
      withFindings: Number(document.querySelector('[data-count="exchanges-with-findings"]').textContent),
      offending: document.querySelectorAll("article.exchange").length,
      rules: Object.fromEntries(
        [...document.querySelectorAll("tr[data-rule]")].map((tr) => [
          tr.dataset.rule,
          [tr.dataset.checked, tr.dataset.passed, tr.dataset.failed].map(Number),
        ]),
      ),
      getmsg42: document.querySelector('.codes tr[data-operation="getmsg.do"][data-code="42"]')?.dataset.count,
      typeFinding: document.querySelector('.finding[data-rule="type"]')?.textContent,
      pwned: window.__pwned,
      images: document.images.length,
      scripts: document.scripts.length,
    }));
    assert.equal(shown.exchanges, json.exchanges);
    assert.equal(shown.withFindings, json.exchangesWithFindings);
    assert.equal(shown.offending, json.details.length);
    assert.deepEqual(
      shown.rules,
      Object.fromEntries(json.checks.map((c) => [c.rule, [c.checked, c.passed, c.failed]])),
    );
    assert.equal(shown.getmsg42, "1");
    assert.ok(shown.typeFinding.includes('<img src=x onerror=\\"window.__pwned=1\\">'), shown.typeFinding);
    assert.equal(shown.pwned, undefined, "nothing the report quotes runs");
    assert.deepEqual([shown.images, shown.scripts], [0, 0]);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      requests.filter((url) => !url.startsWith("file:")),
      [],
      "the report loads nothing from anywhere",
    );
    await page.screenshot({ path: join(SCREENSHOTS, "report.png"), fullPage: true });
  });
});
