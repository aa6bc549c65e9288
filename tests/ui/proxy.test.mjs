// `wxsim proxy`'s page: a real pair (the simulator as webchat, a second `wxsim serve` as the
// hosting service) talks through the proxy, and the proxy's UI shows it live and read-only.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { eventually, openBrowser, startServe, startWxsim, TOKEN, UI_DIR } from "./harness.mjs";

/** A loopback port free right now. */
async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

describe("wxsim proxy in the browser", () => {
  let webchat, hosting, proxy, proxyDir, browser;

  before(async () => {
    const [listen, callback] = [await freePort(), await freePort()];
    webchat = await startWxsim(["webchat", "--listen", "127.0.0.1:0", "--ari", `http://127.0.0.1:${callback}`], "ari");
    hosting = await startServe({ args: ["--webchat-url", `http://127.0.0.1:${listen}/webchat`] });
    proxyDir = mkdtempSync(join(tmpdir(), "wxsim-ui-proxy-"));
    proxy = await startWxsim(
      [
        "proxy",
        ...["--webchat", webchat.lines.webchat, "--hosting", hosting.listener],
        ...["--listen", `127.0.0.1:${listen}`, "--callback-listen", `127.0.0.1:${callback}`],
        ...["--api-listen", "127.0.0.1:0", "--data-dir", proxyDir, "--token", TOKEN, "--ui-dir", UI_DIR],
      ],
      "token",
    );
    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
    await proxy?.stop();
    await hosting?.stop();
    await webchat?.stop();
    if (proxyDir) rmSync(proxyDir, { recursive: true, force: true });
  });

  test("the pair's chat shows live, and nothing can be sent from it", async () => {
    const { page, errors } = browser;
    await page.goto(`${proxy.lines.api}/#token=${TOKEN}`);
    await page.getByTestId("watching").waitFor();
    assert.equal(await page.getByTestId("new-customer").count(), 0, "no customer of its own");
    assert.equal(await page.getByTestId("new-customer-cta").count(), 0);
    await page.getByText("each appears when the hosting service asks webchat for a chat").waitFor();
    await page.keyboard.press("n");
    assert.equal(await page.getByTestId("new-customer-form").count(), 0, "N opens no customer form");

    // The hosting service plays a customer; the open page shows it as it happens.
    const customer = await hosting.call("POST", "/api/customers", { nickname: "Lin", skillGroup: 1 });
    await hosting.call("POST", `/api/customers/${customer.id}/request-chat`);
    await eventually(async () => (await hosting.call("GET", `/api/customers/${customer.id}`)).state === "chatting", {
      what: "the chat accepted",
      timeout: 20_000,
    });
    await hosting.call("POST", `/api/customers/${customer.id}/messages`, { msgType: "text", content: "Where is order 4711?" });
    await page.locator('[data-customer="Lin"]').click();
    await page.getByText("Where is order 4711?").waitFor();
    const reply = await eventually(
      async () => {
        const c = await hosting.call("GET", `/api/customers/${customer.id}`);
        const lines = await hosting.call("GET", `/api/conversations/${c.conversationId}/messages`);
        return lines.filter((m) => m.direction === "in").at(-1)?.text;
      },
      { what: "the agent's reply at the hosting service", timeout: 20_000 },
    );
    await page.getByText(reply.trim().slice(0, 20)).last().waitFor();

    // Read-only: a note where the composer would be, no close or transfer.
    await page.getByTestId("watching-note").waitFor();
    assert.equal(await page.locator("section.chat textarea").count(), 0, "no composer");
    assert.equal(await page.locator("[data-action]").count(), 0, "no request, close or transfer");
    await browser.screenshot("proxy-chat");

    // The wire inspector has the pair's exchanges, both ways.
    await page.locator('[data-tab="wire"]').click();
    const row = (operation) => page.locator(`[data-testid="exchanges"] tr[data-operation="${operation}"]`).first();
    await row("createcon.do").waitFor();
    await row("/ari/create").waitFor();
    await row("getmsg.do").waitFor();
    await browser.screenshot("proxy-wire");
    assert.deepEqual(errors, []);
  });
});
