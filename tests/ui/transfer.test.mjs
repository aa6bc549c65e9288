// Transfer to a human where the profile's reading of transferCon.do offers it, with a reason
// field whose text is what goes on the wire as transferInfo.
import assert from "node:assert/strict";
import { test } from "node:test";
import { addChattingCustomer, eventually, openChat, waitForStatus } from "./harness.mjs";

/** The newest transferCon.do body sent. */
async function lastTransfer(serve) {
  const [exchange] = await serve.call("GET", "/api/exchanges?operation=transferCon.do&limit=1");
  return exchange ? JSON.parse(exchange.requestBody) : null;
}

/** Opens a customer created through the API (in `skillGroup`), on the Chat view. */
async function openCustomer(page, serve, nickname, skillGroup) {
  const customer = await serve.call("POST", "/api/customers", { nickname, skillGroup });
  try {
    await page.click(`button.row[data-customer=${JSON.stringify(nickname)}]`, { timeout: 5000 });
  } catch (e) {
    const seen = await page.evaluate(() => ({
      rows: [...document.querySelectorAll("button.row")].map((b) => b.getAttribute("data-customer")),
      tab: document.querySelector("[data-tab][aria-selected=true], [data-tab].active")?.getAttribute("data-tab"),
      body: document.body.innerText.slice(0, 400),
    }));
    throw new Error(`${e.message}\n${JSON.stringify(seen)}`);
  }
  await page.waitForSelector(`button.row.selected[data-customer=${JSON.stringify(nickname)}]`);
  return customer;
}

test("a robot chat offers a transfer, a human chat does not, and the reason goes as transferInfo", async () => {
  const { serve, page, browser, close } = await openChat();
  try {
    await addChattingCustomer(page, "Hu Human");
    assert.equal(await page.locator('[data-action="transfer"]').count(), 0, "no transfer on a human chat");

    const robot = await openCustomer(page, serve, "Ro Robot", 9);
    await serve.call("POST", `/api/customers/${robot.id}/request-chat`);
    await waitForStatus(page, serve, "chatting");
    await page.click('[data-action="transfer"]');
    const send = page.locator('[data-action="send-transfer"]');
    assert.equal(await send.isDisabled(), true, "no transfer without a reason");
    await page.fill('[data-testid="transfer-form"] textarea[name="transferInfo"]', "wants to talk to a person");
    await browser.screenshot("transfer-reason");
    await send.click();
    await eventually(async () => (await lastTransfer(serve))?.transferInfo === "wants to talk to a person", {
      what: "transferCon.do carrying the typed reason",
    });
    await eventually(
      async () => {
        const { conversationId } = await serve.call("GET", `/api/customers/${robot.id}`);
        const c = await serve.call("GET", `/api/conversations/${conversationId}`);
        return c.state === "chatting" && c.agentId !== "BOT" ? c : null;
      },
      { what: "a human agent after the transfer", timeout: 15_000 },
    );
    assert.equal(await page.locator('[data-testid="transfer-form"]').count(), 0, "the form goes once sent");
    await eventually(async () => (await page.locator('[data-action="transfer"]').count()) === 0, {
      what: "no second transfer once a human has the robot's chat",
    });
    // Each agent bubble names its writer: the robot's greeting, then the human's.
    const names = await eventually(
      async () => {
        const seen = (await page.locator('[data-testid="agent-name"]').allInnerTexts()).map((n) => n.trim());
        return seen.includes("Robot") && seen.some((n) => n !== "Robot") ? seen : null;
      },
      { what: "agent bubbles named by their writers" },
    );
    assert.equal(names[0], "Robot", String(names));
    await browser.screenshot("agents-named");
  } finally {
    await close();
  }
});

test("with the hand-over reading, a customer without a chat is handed over by transferCon.do", async () => {
  const { serve, page, close } = await openChat();
  try {
    const profile = await serve.call("GET", "/api/profile");
    await serve.call("PUT", "/api/profile", { ...profile, transferReading: "hand_over" });
    await openCustomer(page, serve, "Qi Handover", 1);
    await eventually(async () => (await page.locator('[data-action="transfer"]').count()) === 1, {
      what: "the hand-over offered to a customer without a chat",
    });
    await page.click('[data-action="transfer"]');
    await page.fill('[data-testid="transfer-form"] textarea[name="transferInfo"]', "robot: hi / customer: a person please");
    await page.click('[data-action="send-transfer"]');
    await waitForStatus(page, serve, "chatting");
    const body = await lastTransfer(serve);
    assert.equal(body.sessionId, 0, "no webchat session yet");
    assert.equal(body.transferInfo, "robot: hi / customer: a person please");
    assert.equal(await page.locator('[data-action="transfer"]').count(), 0, "no hand-over while chatting");
  } finally {
    await close();
  }
});
