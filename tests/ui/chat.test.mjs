// A customer's whole conversation through the real UI: request, every message type,
// agents, close, rating.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { addChattingCustomer, eventually, mediaFiles, openBrowser, startServe, waitForStatus } from "./harness.mjs";

describe("chat", () => {
  let serve, browser, page;
  const files = mediaFiles();
  const outCount = (kind) => page.locator(`[data-direction="out"] [data-kind="${kind}"]`).count();
  const agentReplies = () => page.locator('[data-direction="in"]').count();

  /** Sends with `act`, then waits for the message to be delivered and answered by the agent. */
  async function sendAndSeeReply(kind, act) {
    const replies = await agentReplies();
    await act();
    await page.waitForSelector(`[data-direction="out"][data-delivery="sent"]:has([data-kind="${kind}"])`, { timeout: 10_000 });
    await eventually(async () => (await agentReplies()) > replies, { what: `agent reply to ${kind}` });
  }

  before(async () => {
    serve = await startServe();
    browser = await openBrowser();
    page = browser.page;
    await page.goto(serve.url);
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("the token leaves the address bar and the empty state shows", async () => {
    await page.waitForSelector('[data-testid="customer-list"]');
    assert.ok(!page.url().includes("token"), page.url());
    await browser.screenshot("01-empty");
  });

  test("a new customer gets queued, then chatting with an agent", async () => {
    await addChattingCustomer(page, "Li Lei");
    const status = await page.textContent('[data-testid="conversation-status"]');
    assert.match(status, /Chatting with Alice/);
    await page.waitForSelector('[data-direction="in"] .agent-html');
    await page.waitForSelector('[data-customer="Li Lei"] [data-state="chatting"]');
  });

  test("the agents panel shows the session's agents", async () => {
    await page.waitForSelector('[data-testid="agents-panel"] [data-agent="A001"]');
    assert.match(await page.textContent('[data-testid="agents-panel"]'), /Alice/);
  });

  test("text is sent with Enter, delivered and answered", async () => {
    await sendAndSeeReply("text", async () => {
      await page.fill('[data-testid="text-input"]', "Hello from the UI test");
      await page.press('[data-testid="text-input"]', "Enter");
    });
    const last = page.locator('[data-direction="in"] .agent-html').last();
    // The simulator's agent answers a greeting in the customer's language.
    assert.match(await last.innerHTML(), /Hello! What can I do for you\?/);
  });

  test("an image dropped on the conversation is uploaded, shown and answered", async () => {
    const bytes = readFileSync(files.image).toString("base64");
    const transfer = await page.evaluateHandle((b64) => {
      const dt = new DataTransfer();
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([data], "photo.png", { type: "image/png" }));
      return dt;
    }, bytes);
    await page.dispatchEvent("section.chat", "drop", { dataTransfer: transfer });
    await page.waitForSelector('[data-mode="image"][aria-selected="true"]');
    await sendAndSeeReply("image", () => page.click('[data-testid="media-form"] button[type="submit"]'));
    const img = page.locator('[data-direction="out"] [data-kind="image"] img').last();
    await eventually(() => img.evaluate((el) => el.complete && el.naturalWidth === 64), { what: "image preview loaded" });
  });

  test("a voice message carries its recognition text and format", async () => {
    await page.click('[data-mode="voice"]');
    await page.setInputFiles('[data-testid="media-form"] input[name="file"]', files.voice);
    await page.fill('input[name="recognition"]', "I need help with my order");
    await sendAndSeeReply("voice", () => page.click('[data-testid="media-form"] button[type="submit"]'));
    const bubble = page.locator('[data-direction="out"] [data-kind="voice"]').last();
    assert.match(await bubble.textContent(), /wav\s*I need help with my order/);
    assert.equal(await bubble.locator("audio").count(), 1);
    assert.match(await page.locator('[data-direction="in"] .agent-html').last().textContent(), /I need help with my order/);
  });

  test("a video goes with its thumbnail", async () => {
    await page.click('[data-mode="video"]');
    await page.setInputFiles('[data-testid="media-form"] input[name="file"]', files.video);
    await page.setInputFiles('[data-testid="media-form"] input[name="thumb"]', files.thumb);
    await sendAndSeeReply("video", () => page.click('[data-testid="media-form"] button[type="submit"]'));
    const video = page.locator('[data-direction="out"] [data-kind="video"] video').last();
    assert.match(await video.getAttribute("poster"), /\/api\/media\/.+\?token=/);
  });

  test("a link and a location are sent from their forms", async () => {
    await page.click('[data-mode="link"]');
    await page.fill('[data-testid="link-form"] input[name="url"]', "https://example.com/order/42");
    await page.fill('[data-testid="link-form"] input[name="title"]', "Order 42");
    await sendAndSeeReply("link", () => page.click('[data-testid="link-form"] button[type="submit"]'));
    await page.click('[data-mode="location"]');
    await page.fill('[data-testid="location-form"] input[name="label"]', "People's Square");
    await sendAndSeeReply("location", () => page.click('[data-testid="location-form"] button[type="submit"]'));
    for (const kind of ["text", "image", "voice", "video", "link", "location"]) {
      assert.ok((await outCount(kind)) >= 1, `a ${kind} bubble`);
    }
    await browser.screenshot("02-chat-all-types");
  });

  test("closing asks for a rating; submitting it marks the conversation rated", async () => {
    await page.click('[data-action="close"]');
    await waitForStatus(page, serve, "closed");
    await page.waitForSelector('[data-testid="rating-prompt"] [data-rating]');
    await browser.screenshot("03-rating-prompt");
    await page.click('[data-testid="rating-prompt"] [data-rating="1"]');
    await page.fill('[data-testid="rating-prompt"] input[name="comment"]', "quick and kind");
    await page.click('[data-testid="rating-prompt"] button[type="submit"]');
    await waitForStatus(page, serve, "rated");
    assert.equal(await page.locator('[data-testid="rating-prompt"]').count(), 0);
    const customers = await serve.call("GET", "/api/customers");
    const conv = await serve.call("GET", `/api/conversations/${customers[0].conversationId}`);
    assert.equal(conv.ratingId, "1");
    assert.equal(conv.ratingComment, "quick and kind");
  });

  test("Chinese labels and the dark theme switch", async () => {
    await page.click('[data-testid="lang"]');
    await page.click('[data-testid="theme"]');
    await eventually(async () => (await page.textContent('[data-testid="conversation-status"]')).includes("已评价"), {
      what: "Chinese state label",
    });
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
    await browser.screenshot("04-zh-dark");
    await page.click('[data-testid="lang"]');
    await page.click('[data-testid="theme"]');
  });

  test("Alt+Down switches customers and the page logged no errors", async () => {
    await addChattingCustomer(page, "Han Meimei");
    await page.keyboard.press("Alt+ArrowDown");
    await eventually(async () => (await page.locator(".row.selected").getAttribute("data-customer")) === "Li Lei", {
      what: "selection moved",
    });
    assert.deepEqual(browser.errors, []);
  });
});
