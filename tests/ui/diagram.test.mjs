// The integration, drawn: the open conversation's exchanges as a live sequence diagram (the
// server's SVG), an arrow opening its exchange in the wire inspector, SVG and PNG exports,
// hostile words kept as text, and the view in both themes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { eventually, openChat } from "./harness.mjs";

describe("diagram", () => {
  let chat, page, serve, browser, conversation;
  const diagram = '[data-testid="diagram"]';
  const arrows = () => page.locator(`${diagram} svg [data-exchange-id]`);
  const drawnIds = async () =>
    new Set((await arrows().evaluateAll((gs) => gs.map((g) => g.getAttribute("data-exchange-id")))).map(Number));
  const stored = () => serve.call("GET", `/api/exchanges?conversationId=${conversation.id}&limit=1000`);

  before(async () => {
    chat = await openChat("Dee Diagram");
    ({ page, serve, browser } = chat);
    const [customer] = await serve.call("GET", "/api/customers");
    conversation = await serve.call("GET", `/api/conversations/${customer.conversationId}`);
  });

  after(async () => {
    await chat?.close();
  });

  test("every exchange of the conversation is an arrow, and new ones appear live", async () => {
    await page.click('[data-testid="diagram-toggle"]');
    await page.waitForSelector(`${diagram} svg [data-exchange-id]`);
    const before = await stored();
    await eventually(async () => {
      const drawn = await drawnIds();
      return before.every((e) => drawn.has(e.id));
    }, { what: "an arrow for each stored exchange" });
    // The request: the customer's action, then createcon.do with its result and duration.
    const create = before.find((e) => e.operation === "createcon.do");
    const arrow = page.locator(`${diagram} [data-exchange-id="${create.id}"]`);
    assert.match(await arrow.textContent(), /createcon\.do/);
    assert.match(await arrow.textContent(), /1 SUCCESS/);
    assert.match(await arrow.textContent(), new RegExp(`${(create.durationUs / 1000).toFixed(1).replace(".", "\\.")} ms`));
    assert.match(await page.locator(`${diagram} .sd-step.sd-user`).first().textContent(), /requests a chat/);

    const count = await arrows().count();
    await page.fill('[data-testid="text-input"]', "draw this one, please");
    await page.press('[data-testid="text-input"]', "Enter");
    const sent = page.locator(`${diagram} svg [data-operation="getmsg.do"]`);
    await sent.first().waitFor();
    const said = page.locator(`${diagram} .sd-step.sd-user`, { hasText: "draw this one, please" });
    await said.waitFor();
    // The customer's words come right before the call that carried them.
    assert.equal(
      await said.evaluate((g) => g.nextElementSibling?.getAttribute("data-operation")),
      "getmsg.do",
    );
    // The agent's reply: the agent's words, then the /ari/msg that brought them.
    await eventually(async () => (await arrows().count()) >= count + 2, { what: "the reply's arrows" });
    const reply = page.locator(`${diagram} .sd-step.sd-agent`).last();
    assert.equal(await reply.evaluate((g) => g.nextElementSibling?.getAttribute("data-operation")), "/ari/msg");
    await browser.screenshot("diagram-live");
  });

  test("an agent message with markup stays text in the diagram", async () => {
    await serve.sim("/sim/agent/say", {
      sessionId: conversation.sessionId,
      html: "&lt;/text&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt; and <b>bold</b>",
    });
    const hostile = page.locator(`${diagram} .sd-step.sd-agent`, { hasText: "</text><script>window.__pwned=1</script>" });
    await hostile.waitFor();
    assert.equal(await page.locator(`${diagram} script`).count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
  });

  test("clicking an arrow opens its exchange in the wire inspector", async () => {
    const [sent] = (await stored()).filter((e) => e.operation === "getmsg.do");
    await page.locator(`${diagram} [data-exchange-id="${sent.id}"]`).click();
    const detail = page.locator('[data-testid="exchange-detail"]');
    await detail.waitFor();
    assert.match(await detail.locator(".path").textContent(), /getmsg\.do$/);
    assert.match(await detail.textContent(), /draw this one, please/);
    await page.waitForSelector(`[data-testid="exchanges"] tr.selected[data-exchange="${sent.id}"]`);
    // From the keyboard too: an arrow takes focus, Enter opens it.
    await page.click('[data-tab="chat"]');
    const [create] = (await stored()).filter((e) => e.operation === "createcon.do");
    await page.locator(`${diagram} [data-exchange-id="${create.id}"]`).focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector(`[data-testid="exchanges"] tr.selected[data-exchange="${create.id}"]`);
    assert.match(await page.locator('[data-testid="exchange-detail"] .path').textContent(), /createcon\.do$/);
    await page.click('[data-tab="chat"]');
    await page.waitForSelector(`${diagram} svg [data-exchange-id]`);
  });

  test("a refused callback and a finding show on their arrows; what was not stored is not drawn", async () => {
    await serve.call("PUT", "/api/faults", [
      { path: "/ari/msg", action: { kind: "result", code: -100 }, remaining: 1, share: null },
    ]);
    await serve.sim("/sim/agent/say", { sessionId: conversation.sessionId, html: "this one meets the fault" });
    const refused = page.locator(`${diagram} svg [data-operation="/ari/msg"][data-outcome="rejected"]`);
    await refused.waitFor();
    assert.match(await refused.textContent(), /-100 INTERNAL_ERROR/);
    // The fault answered instead of storing the message: no agent words drawn for it.
    assert.equal(await page.locator(`${diagram} .sd-step.sd-agent`, { hasText: "meets the fault" }).count(), 0);

    const profile = await serve.call("GET", "/api/profile");
    await serve.callback("/ari/msg", {
      sessionId: conversation.sessionId,
      agentId: conversation.agentId,
      openId: conversation.openId,
      epid: profile.epid,
      msgTime: Math.floor(Date.now() / 1000),
      content: "sent with msgTime in seconds",
    });
    const finding = page.locator(`${diagram} svg [data-operation="/ari/msg"] .sd-finding[data-severity="warning"]`);
    await finding.waitFor();
    assert.match(await finding.textContent(), /timestamp/);
  });

  test("light and dark, English and Chinese, at 1366×768", async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    const shoot = async (name) => {
      await page.waitForSelector(`${diagram} svg [data-exchange-id]`);
      await browser.screenshot(name);
    };
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    if ((await theme()) !== "light") await page.click('[data-testid="theme"]');
    await page.locator(`${diagram} [data-testid="diagram-canvas"]`).evaluate((c) => (c.scrollTop = 0));
    await shoot("diagram-light");
    await page.click('[data-testid="theme"]');
    assert.equal(await theme(), "dark");
    await page.locator(`${diagram} [data-testid="diagram-canvas"]`).evaluate((c) => (c.scrollTop = c.scrollHeight));
    await page.locator(`${diagram} .head.stuck svg`).waitFor({ state: "attached" });
    await shoot("diagram-dark");
    await page.click('[data-testid="lang"]');
    await page.locator(`${diagram} svg .sd-lane-title`, { hasText: "微信用户" }).first().waitFor();
    await shoot("diagram-dark-zh");
    await page.click('[data-testid="lang"]');
    await page.click('[data-testid="theme"]');
  });

  test("the diagram downloads as SVG and as PNG", async () => {
    // A pulse may come meanwhile: the file has every exchange stored before, and none unknown.
    const before = await stored();
    const [svgDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.click(`${diagram} [data-testid="export"] [data-format="svg"]`),
    ]);
    assert.equal(svgDownload.suggestedFilename(), `conversation-${conversation.id}.svg`);
    const svg = readFileSync(await svgDownload.path(), "utf8");
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const ids = new Set([...svg.matchAll(/data-exchange-id="(\d+)"/g)].map((m) => Number(m[1])));
    const after = new Set((await stored()).map((e) => e.id));
    assert.ok(before.every((e) => ids.has(e.id)), "every exchange stored before is drawn");
    assert.ok([...ids].every((id) => after.has(id)), "every arrow is a stored exchange");
    assert.ok(svg.includes("&lt;/text&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;"), "the hostile words escaped");
    assert.ok(!/<script/i.test(svg));

    const [pngDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.click(`${diagram} [data-testid="export"] [data-format="png"]`),
    ]);
    assert.equal(pngDownload.suggestedFilename(), `conversation-${conversation.id}.png`);
    const png = readFileSync(await pngDownload.path());
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    const [, w, h] = /width="([\d.]+)" height="([\d.]+)"/.exec(svg).map(Number);
    assert.deepEqual([width, height], [w * 2, h * 2], "drawn at twice the SVG's size");
    assert.deepEqual(browser.errors, []);
  });
});
