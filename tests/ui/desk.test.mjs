// The agent desk against a real `wxsim serve` and its embedded simulator: a person takes
// Alice's seat on the desk's own page (`#/desk`, behind the token) while the customer is
// played in the customer console in another tab, and every step shows on both sides — the
// request waiting for the person, accept, the customer's words (unread until looked at),
// the reply with bold text, a link, an emoji and a picture, hostile HTML staying inert, a
// refusal and a request taken out of turn, the rating prompt, a transfer and the close.
// The emoji must be the very HTML the scripted agents send. Every wait is a deadline poll.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { SCREENSHOTS, TOKEN, eventually, openBrowser, png, startServe, waitForStatus, openTab } from "./harness.mjs";

describe("agent desk", () => {
  let serve, browser, customer, desk;
  const deskErrors = [];
  const simState = () => serve.call("GET", "/api/simulator/state?live=true");
  const simSession = async (nickname) => (await simState()).sessions.find((s) => s.nickname === nickname);

  const offered = (name) => `[data-testid="desk-queues"] li[data-nickname="${name}"]`;
  const sessionRow = (name) => `[data-testid="desk-sessions"] button[data-nickname="${name}"]`;
  const chatOf = (name) => `[data-testid="desk-chat"][data-nickname="${name}"]`;
  const editor = '[data-testid="desk-editor"]';

  /** Adds a customer through the console's form (which also requests the chat). */
  async function newCustomer(nickname, skillGroup) {
    await openTab(customer, "chat");
    await customer.click('[data-testid="new-customer"]');
    await customer.fill('[data-testid="new-customer-form"] input[name="nickname"]', nickname);
    await customer.fill('[data-testid="new-customer-form"] input[name="skillGroup"]', String(skillGroup));
    await customer.click('[data-testid="new-customer-form"] button[type="submit"]');
    await customer.waitForSelector('[data-testid="new-customer-form"]', { state: "detached" });
    await customer.waitForSelector(`button.row.selected[data-customer="${nickname}"]`);
  }

  async function openCustomer(nickname) {
    await openTab(customer, "chat");
    await customer.click(`[data-customer="${nickname}"]`);
    await customer.waitForSelector(`button.row.selected[data-customer="${nickname}"]`);
  }

  /** Writes `words`, then `bold` in bold, then the emoji `emoji` from the picker (all eight there). */
  async function writeReply(words, bold, emoji) {
    await desk.click(editor);
    await desk.keyboard.type(words);
    await desk.click('[data-action="bold"]');
    await desk.keyboard.type(bold);
    await desk.click('[data-action="bold"]');
    await desk.keyboard.type(" ");
    await desk.click('[data-action="emoji"]');
    await desk.waitForSelector(`[data-testid="desk-emoji-picker"] [data-emoji="${emoji}"]`);
    assert.equal(await desk.locator('[data-testid="desk-emoji-picker"] [data-emoji]').count(), 8);
    await desk.click(`[data-testid="desk-emoji-picker"] [data-emoji="${emoji}"]`);
  }

  /** The customer console's agent bubbles, as rendered HTML. */
  const agentBubbles = () => customer.locator('[data-direction="in"] .agent-html').evaluateAll((all) => all.map((b) => b.innerHTML));

  async function customerSees(what, check) {
    return eventually(async () => (await agentBubbles()).find(check), { what: `the customer to see ${what}` });
  }

  before(async () => {
    serve = await startServe();
    browser = await openBrowser();
    customer = browser.page;
    await customer.goto(serve.url);
    await customer.waitForSelector('[data-testid="customers"]');
    desk = await customer.context().newPage();
    desk.on("console", (m) => m.type() === "error" && deskErrors.push(m.text()));
    desk.on("pageerror", (e) => deskErrors.push(String(e)));
    await desk.setViewportSize({ width: 1366, height: 768 });
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("the desk is a top tab beside the console, and a page of its own behind the same token", async () => {
    await openTab(customer, "desk");
    await customer.waitForSelector('[data-testid="desk"] [data-testid="desk-seat-agent"] option[value="A001"]', { state: "attached" });
    assert.equal(await customer.locator('[data-action="open-desk-window"]').count(), 1);
    await browser.screenshot("desk-tab-en");

    await desk.goto(`${serve.api}/#/desk`);
    await desk.waitForSelector("form.prompt");
    assert.equal(await desk.locator('[data-testid="desk"]').count(), 0, "nothing without the token");
    await desk.fill("form.prompt input", TOKEN);
    await desk.click("form.prompt button[type=submit]");
    await desk.waitForSelector('[data-testid="desk"] [data-testid="desk-seat-agent"] option[value="A002"]', { state: "attached" });
    assert.equal(new URL(desk.url()).hash, "#/desk");
    assert.equal(await desk.locator('[data-action="open-desk-window"]').count(), 0, "it is the window's page");
    assert.equal(await desk.locator('[data-testid="tabs"]').count(), 0);
  });

  test("a person takes Alice's seat and a request waits for them, with its place, wait and details", async () => {
    await desk.selectOption('[data-testid="desk-seat-agent"]', "A001");
    await desk.click('[data-action="take-seat"]');
    await desk.waitForSelector('[data-testid="desk-seat"][data-holding="true"]:has-text("Alice")');

    await newCustomer("Ann Lee", 1);
    await desk.waitForSelector(`[data-testid="desk-queues"] [data-group="1"] li[data-nickname="Ann Lee"][data-offered="true"][data-position="0"]`);
    assert.match(await desk.textContent(`${offered("Ann Lee")} [data-testid="desk-wait"]`), /^\d+:\d\d$/);
    await desk.click(`${offered("Ann Lee")} button.who`);
    const details = await desk.textContent(`${offered("Ann Lee")} [data-testid="desk-customer-details"]`);
    const ann = (await serve.call("GET", "/api/customers")).find((c) => c.nickname === "Ann Lee");
    assert.ok(details.includes(ann.openId), details);
    // The Simulator view says so too: Alice's seat is held, and the request waits for her there.
    await openTab(customer, "simulator");
    await customer.waitForSelector('[data-testid="sim-groups"] [data-group="1"] [data-agent="A001"][data-held="true"]');
    await customer.waitForSelector('[data-testid="sim-groups"] [data-group="1"] [data-testid="sim-queue"] li:has-text("waits for Alice at the desk")');
    // Bob is scripted: his customer, who came later, chats while Ann waits for the person.
    await newCustomer("Cai Wen", 2);
    await waitForStatus(customer, serve, "chatting");
    await openCustomer("Ann Lee");
    await waitForStatus(customer, serve, "queued");
  });

  test("accepting opens the chat on both sides, and the customer's words reach the desk", async () => {
    await desk.click(`${offered("Ann Lee")} button[data-action="accept"]`);
    await desk.waitForSelector(`${sessionRow("Ann Lee")}[data-state="chatting"]`);
    await desk.waitForSelector(chatOf("Ann Lee"));
    await waitForStatus(customer, serve, "chatting");
    assert.equal(await desk.locator(offered("Ann Lee")).count(), 0, "out of the queue");

    await customer.fill('[data-testid="text-input"]', "Where is my parcel?");
    await customer.press('[data-testid="text-input"]', "Enter");
    await desk.waitForSelector(`${chatOf("Ann Lee")} [data-from="customer"]:has-text("Where is my parcel?")`);
  });

  test("the reply carries bold text, an emoji, a link and a picture, and the customer sees each", async () => {
    await writeReply("Your parcel ships ", "today", "smile");
    await desk.press(editor, "Enter");
    await eventually(async () => (await desk.textContent(editor)) === "", { what: "the editor emptied" });

    const line = await customerSees("the bold words and the emoji", (h) => h.includes("today"));
    assert.match(line, /<b>today<\/b>/);
    await customer.waitForFunction(() => {
      const img = [...document.querySelectorAll('[data-direction="in"] .agent-html img[alt="[smile]"]')].at(-1);
      return img?.complete && img.naturalWidth > 0 && img.src.endsWith("/webchat/emoji/smile.png");
    });
    // Exactly the HTML the scripted agents write for it: Bob greets with the same emoji.
    const sent = (await simSession("Ann Lee")).sent;
    assert.equal(sent.at(-1).html, '<p>Your parcel ships <b>today</b> <img src="/webchat/emoji/smile.png" alt="[smile]"></p>');
    // No greeting, no scripted reply: the person's is the chat's one agent line, on both sides.
    assert.equal(sent.length, 1, JSON.stringify(sent));
    assert.equal((await agentBubbles()).length, 1);
    assert.equal(await desk.locator(`${chatOf("Ann Lee")} [data-from="agent"]`).count(), 1);
    const greeting = (await simSession("Cai Wen")).sent[0].html;
    assert.ok(greeting.includes('<img src="/webchat/emoji/smile.png" alt="[smile]">'), greeting);

    const picture = join(tmpdir(), `desk-picture-${process.pid}.png`);
    writeFileSync(picture, png(48, 32, [230, 90, 40]));
    await desk.click(editor);
    await desk.keyboard.type("A photo of it: ");
    await desk.setInputFiles('[data-testid="desk-picture-file"]', picture);
    await desk.waitForSelector(`${editor} img.picture`);
    await desk.keyboard.type(" tracking ");
    await desk.click('[data-action="link"]');
    await desk.fill('[data-testid="desk-link-url"]', "https://example.com/track?id=1");
    await desk.click('[data-action="insert-link"]');
    await desk.click('[data-action="desk-send"]');

    await openCustomer("Ann Lee");
    await customerSees("the picture and the link", (h) => h.includes("/webchat/uploads/") && h.includes("example.com/track"));
    await customer.waitForFunction(() => {
      const img = [...document.querySelectorAll('[data-direction="in"] .agent-html img')].find((i) => i.src.includes("/webchat/uploads/"));
      return img?.complete && img.naturalWidth === 48;
    });
    const link = customer.locator('[data-direction="in"] .agent-html a[href="https://example.com/track?id=1"]');
    assert.equal(await link.getAttribute("rel"), "noopener noreferrer nofollow");
    // The desk shows what it sent as the customer does.
    await desk.waitForFunction(() => {
      const img = [...document.querySelectorAll('[data-testid="desk-transcript"] img')].find((i) => i.src.includes("/webchat/uploads/"));
      return img?.complete && img.naturalWidth === 48;
    });
  });

  test("hostile HTML typed at the desk is as inert on the customer side as any agent HTML", async () => {
    await desk.click(sessionRow("Ann Lee"));
    await desk.click(editor);
    await desk.keyboard.type('<img src=x onerror="window.__pwned=1"> typed');
    await desk.press(editor, "Enter");
    await customerSees("the typed markup as words", (h) => h.includes("typed") && h.includes("&lt;img"));

    await desk.check('[data-testid="desk-source"]');
    await desk.fill(
      '[data-testid="desk-html-source"]',
      '<p>raw-marker</p><script>window.__pwned=2</script><img src=x onerror="window.__pwned=3">' +
        '<a href="javascript:window.__pwned=4">x</a><iframe src="javascript:window.__pwned=5"></iframe><svg onload="window.__pwned=6"></svg>',
    );
    await desk.press('[data-testid="desk-html-source"]', "Enter");
    const line = await customerSees("the raw line", (h) => h.includes("raw-marker"));
    for (const bad of ["<script", "onerror", "javascript:", "<iframe", "onload"]) assert.ok(!line.includes(bad), `${bad} in ${line}`);
    await desk.waitForSelector(`${chatOf("Ann Lee")} [data-from="agent"]:has-text("raw-marker")`);
    assert.equal(await customer.evaluate(() => window.__pwned), undefined);
    assert.equal(await desk.evaluate(() => window.__pwned), undefined);
    await desk.uncheck('[data-testid="desk-source"]');
  });

  test("a refused request stays queued with nobody else free; taken out of turn it chats", async () => {
    await newCustomer("Bo Chen", 1);
    await desk.waitForSelector(`${offered("Bo Chen")}[data-offered="true"]`);
    await desk.click(`${offered("Bo Chen")} button[data-action="refuse"]`);
    await desk.waitForSelector(`${offered("Bo Chen")}[data-offered="false"]:has-text("You refused it")`);
    await openCustomer("Bo Chen");
    await waitForStatus(customer, serve, "queued");
    await desk.click(`${offered("Bo Chen")} button[data-action="take"]`);
    await desk.waitForSelector(sessionRow("Bo Chen"));
    await waitForStatus(customer, serve, "chatting");
  });

  test("what a customer writes while another chat is shown is counted unread until looked at", async () => {
    await desk.click(sessionRow("Bo Chen"));
    await desk.waitForSelector(chatOf("Bo Chen"));
    await openCustomer("Ann Lee");
    await customer.fill('[data-testid="text-input"]', "Are you still there?");
    await customer.press('[data-testid="text-input"]', "Enter");
    await desk.waitForSelector(`${sessionRow("Ann Lee")} [data-testid="desk-unread"]:has-text("1")`);
    await desk.click(sessionRow("Ann Lee"));
    await desk.waitForSelector(`${chatOf("Ann Lee")} [data-from="customer"]:has-text("Are you still there?")`);
    await desk.waitForSelector(`${sessionRow("Ann Lee")} [data-testid="desk-unread"]`, { state: "detached" });
  });

  test("the person asks for a rating, transfers one chat and closes the other; the customer rates", async () => {
    await desk.click(`${chatOf("Ann Lee")} [data-action="desk-push-rating"]`);
    await customer.waitForSelector('[data-testid="rating-prompt"]');

    await desk.click(sessionRow("Bo Chen"));
    await desk.selectOption(`${chatOf("Bo Chen")} [data-testid="desk-transfer-group"]`, "2");
    await desk.click(`${chatOf("Bo Chen")} [data-action="desk-transfer"]`);
    await desk.waitForSelector(sessionRow("Bo Chen"), { state: "detached" });
    await openCustomer("Bo Chen");
    await customerSees("Bob's greeting", (h) => h.includes("<b>Bob</b>"));

    await desk.click(sessionRow("Ann Lee"));
    await desk.click(`${chatOf("Ann Lee")} [data-action="desk-close"]`);
    await desk.waitForSelector(`${sessionRow("Ann Lee")}[data-state="closedByAgent"]`);
    await openCustomer("Ann Lee");
    await waitForStatus(customer, serve, "closed");
    await customer.click('[data-testid="rating-prompt"] [data-rating="1"]');
    await customer.click('[data-testid="rating-prompt"] button[type="submit"]');
    await desk.waitForSelector(`${chatOf("Ann Lee")} [data-testid="desk-rating"]:has-text("1")`);
  });

  test("screenshots of the desk: light and dark, English and Chinese, at 1366×768", async () => {
    await newCustomer("Dan Wu", 1);
    await newCustomer("Eve Sun", 1);
    await desk.click(`${offered("Dan Wu")} button[data-action="accept"]`);
    await desk.waitForSelector(`${offered("Eve Sun")}[data-offered="true"]`);
    await openCustomer("Dan Wu");
    await waitForStatus(customer, serve, "chatting");
    await customer.fill('[data-testid="text-input"]', "Hi, my order 20251129 has not arrived yet.");
    await customer.press('[data-testid="text-input"]', "Enter");
    await desk.click(sessionRow("Dan Wu"));
    await desk.waitForSelector(`${chatOf("Dan Wu")} [data-from="customer"]`);
    await writeReply("Sorry for the wait! It arrives ", "tomorrow", "heart");
    await desk.press(editor, "Enter");
    await desk.waitForSelector(`${chatOf("Dan Wu")} [data-from="agent"]:has-text("tomorrow")`);
    await desk.click(editor);
    await desk.keyboard.type("Anything else I can do for you?");
    mkdirSync(SCREENSHOTS, { recursive: true });
    const shot = (name) => desk.screenshot({ path: join(SCREENSHOTS, `desk-${name}.png`), animations: "disabled" });
    await shot("en-light");
    await desk.click('[data-testid="theme"]');
    await desk.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    await shot("en-dark");
    await desk.click('[data-testid="lang"]');
    await desk.waitForSelector('[data-testid="desk-queues"] h2:has-text("排队")');
    await shot("zh-dark");
    await desk.click('[data-testid="theme"]');
    await desk.waitForFunction(() => document.documentElement.dataset.theme !== "dark");
    await shot("zh-light");
    await desk.click('[data-testid="lang"]');
    // The hostile lines' `src=x` pictures fail to load (404), as they should: nothing else may fail.
    assert.deepEqual(browser.errors.filter((e) => !e.includes("404")), []);
    assert.deepEqual(deskErrors.filter((e) => !e.includes("404")), []);
  });
});
