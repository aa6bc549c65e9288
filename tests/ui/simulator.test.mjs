// The Simulator view against a real `wxsim serve` and its embedded webchat simulator: the
// groups, agents, queue and clock it shows, and its controls taking effect on customers
// played from the Chat view — a slow agent and a held request, a cancel, the last agent
// leaving (status 5), auto-reply, the agent's own words, rating prompt and close, refusals,
// queue timeouts and failed routings. Every wait is a deadline poll.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TOKEN, eventually, openBrowser, png, startServe, waitForStatus, openTab } from "./harness.mjs";

describe("simulator", () => {
  let serve, browser, page;
  const group = (id) => `[data-testid="sim-groups"] [data-group="${id}"]`;
  const place = (id, position) => `${group(id)} [data-testid="sim-queue"] li[data-position="${position}"]`;
  /** The simulator's live state, read through the API as the view reads it. */
  const simState = () => serve.call("GET", "/api/simulator/state?live=true");
  const simGroup = async (id) => (await simState()).groups.find((g) => g.id === id);

  /** Sets a number field of the view the way a tester does: type, then Enter. */
  async function setNumber(selector, value) {
    await page.fill(selector, String(value));
    await page.press(selector, "Enter");
  }

  /** Adds a customer through the Chat view's form, which also requests the chat. */
  async function newCustomer(nickname, skillGroup) {
    await openTab(page, "chat");
    await page.click('[data-testid="new-customer"]');
    await page.fill('[data-testid="new-customer-form"] input[name="nickname"]', nickname);
    await page.fill('[data-testid="new-customer-form"] input[name="skillGroup"]', String(skillGroup));
    await page.click('[data-testid="new-customer-form"] button[type="submit"]');
    await page.waitForSelector(`[data-customer="${nickname}"]`);
  }

  async function openCustomer(nickname) {
    await openTab(page, "chat");
    await page.click(`[data-customer="${nickname}"]`);
    await page.waitForSelector(`[data-testid="conversation-status"]`);
  }

  /** The open conversation's status line reads `pattern`. */
  async function statusReads(pattern) {
    await eventually(async () => pattern.test(await page.textContent('[data-testid="conversation-status"]')), {
      what: `the conversation status to read ${pattern}`,
    });
  }

  before(async () => {
    serve = await startServe();
    browser = await openBrowser();
    page = browser.page;
    await page.goto(serve.url);
    await page.waitForSelector('[data-testid="customers"]');
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("the Simulator tab shows the skill groups, their agents and the clock", async () => {
    await openTab(page, "simulator");
    await page.waitForSelector(`${group(1)} [data-agent="A001"][data-online="true"]`);
    await page.waitForSelector(`${group(2)} [data-agent="A002"]`);
    await page.waitForSelector(`${group(9)} [data-agent="BOT"]`);
    assert.match(await page.textContent(`${group(1)} h3`), /Sales/);
    assert.match(await page.textContent('[data-testid="sim-clock-local"]'), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.equal(await page.locator(`${group(1)} [data-testid="sim-queue"] li.none`).count(), 1);
  });

  test("a slow agent and a held request keep customers queued, in order, with their places", async () => {
    await setNumber('[data-testid="sim-accept-delay"]', 600000);
    await eventually(async () => (await simState()).settings.acceptDelayMs === 600000, { what: "the accept delay set" });

    await page.selectOption('[data-testid="sim-next-status"]', "0");
    await page.selectOption('[data-testid="sim-next-group"]', "1");
    await page.click('[data-testid="sim-next-request"] button[data-action="plan"]');
    await page.waitForSelector('[data-testid="sim-planned"] li[data-status="0"]');

    await newCustomer("Ann Lee", 1);
    await newCustomer("Bo Chen", 1);
    await openTab(page, "simulator");
    await page.waitForSelector(`${place(1, 0)}[data-held="true"]:has-text("Ann Lee")`);
    await page.waitForSelector(`${place(1, 1)}:has-text("Bo Chen")`);
    assert.match(await page.textContent(`${group(1)} [data-testid="sim-waiting"]`), /2 waiting/);
    assert.equal((await simGroup(1)).queue.length, 2);
    // The planned status was used up by Ann's request.
    await page.waitForSelector('[data-testid="sim-planned"] li.none');
    await browser.screenshot("simulator-queue-en");
    await page.click('[data-testid="lang"]');
    await page.waitForSelector(`${group(1)} [data-testid="sim-waiting"]:has-text("2 人排队")`);
    await browser.screenshot("simulator-queue-zh");
    await page.click('[data-testid="lang"]');
    await page.waitForSelector(`${group(1)} [data-testid="sim-waiting"]:has-text("2 waiting")`);
  });

  test("a customer cancels from the Chat view and the queue moves up", async () => {
    await openCustomer("Ann Lee");
    await waitForStatus(page, serve, "queued");
    const cancel = page.locator('button[data-action="cancel"]');
    await cancel.hover();
    await cancel.click({ delay: 120 });
    await waitForStatus(page, serve, "canceled");

    await openTab(page, "simulator");
    // Bo is first now, and the agent (who takes ten minutes) is looking at his request.
    await page.waitForSelector(`${place(1, 0)}[data-held="false"]:has-text("Bo Chen")`);
    await page.waitForSelector(`${place(1, 0)} .looking:has-text("Alice")`);
    assert.equal(await page.locator(`${group(1)} [data-testid="sim-queue"] li[data-request]`).count(), 1);
    await page.waitForSelector(`${group(1)} [data-agent="A001"] [data-testid="sim-agent-load"]:has-text("1")`);
  });

  test("taking the last agent offline ends the queued request with status 5", async () => {
    const online = `${group(1)} [data-agent="A001"] [data-testid="sim-agent-online"]`;
    await page.uncheck(online);
    await page.waitForSelector(`${group(1)} [data-agent="A001"][data-online="false"]`);
    await page.waitForSelector(`${group(1)} [data-testid="sim-queue"] li.none`);
    assert.equal((await simGroup(1)).agents[0].online, false);

    await openCustomer("Bo Chen");
    await waitForStatus(page, serve, "failed");
    await statusReads(/requestStatus 5/);

    await openTab(page, "simulator");
    await page.check(online);
    await page.waitForSelector(`${group(1)} [data-agent="A001"][data-online="true"]`);
  });

  test("auto-reply is switched off and on again", async () => {
    const autoReply = '[data-testid="sim-auto-reply"]';
    assert.equal(await page.isChecked(autoReply), true);
    await page.click(`[data-testid="sim-settings"] label:has(${autoReply})`);
    await eventually(async () => (await simState()).settings.autoReply === false, { what: "auto-reply off" });
    await eventually(async () => !(await page.isChecked(autoReply)), { what: "the switch shown off" });
    await page.click(`[data-testid="sim-settings"] label:has(${autoReply})`);
    await eventually(async () => (await simState()).settings.autoReply === true, { what: "auto-reply on" });
    await eventually(() => page.isChecked(autoReply), { what: "the switch shown on" });
  });

  test("the agent speaks, asks for a rating and ends a live chat", async () => {
    await setNumber('[data-testid="sim-accept-delay"]', 0);
    await eventually(async () => (await simState()).settings.acceptDelayMs === 0, { what: "a quick agent again" });
    await newCustomer("Cai Wen", 2);
    await waitForStatus(page, serve, "chatting");

    await openTab(page, "simulator");
    const row = '[data-testid="sim-sessions"] tr[data-session]:has-text("Cai Wen")';
    await page.waitForSelector(row);
    await page.fill(`${row} [data-testid="sim-say"]`, "Your parcel left our warehouse today.");
    await page.click(`${row} button[data-action="say"]`);
    await eventually(async () => (await page.inputValue(`${row} [data-testid="sim-say"]`)) === "", { what: "the words sent" });
    await page.locator(row).scrollIntoViewIfNeeded();
    await browser.screenshot("simulator-chats-en");
    await page.click('[data-testid="lang"]');
    await page.waitForSelector('[data-testid="sim-sessions"] th:has-text("客户")');
    await browser.screenshot("simulator-chats-zh");
    await page.click('[data-testid="lang"]');
    await page.waitForSelector('[data-testid="sim-sessions"] th:has-text("Customer")');

    await openCustomer("Cai Wen");
    await page.waitForSelector('[data-direction="in"] .agent-html:has-text("Your parcel left our warehouse today.")');

    await openTab(page, "simulator");
    await page.click(`${row} button[data-action="push-rating"]`);
    await openCustomer("Cai Wen");
    await page.waitForSelector('[data-testid="rating-prompt"]');

    await openTab(page, "simulator");
    await page.click(`${row} button[data-action="agent-close"]`);
    await page.waitForSelector(`[data-testid="sim-sessions"] td.none`);
    await openCustomer("Cai Wen");
    await waitForStatus(page, serve, "closed");
  });

  test("the wire view still shows the size and sha256 of what the simulator fetched", async () => {
    await newCustomer("Dan Wu", 2);
    await waitForStatus(page, serve, "chatting");
    const customer = (await serve.call("GET", "/api/customers")).find((c) => c.nickname === "Dan Wu");
    const image = png(20, 10, [200, 30, 30]);
    const upload = await fetch(`${serve.api}/api/media?kind=image&name=red.png`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/octet-stream" },
      body: image,
    });
    assert.equal(upload.status, 200);
    const { mediaId } = await upload.json();
    await serve.call("POST", `/api/customers/${customer.id}/messages`, { msgType: "image", content: { mediaId } });
    await page.waitForSelector('[data-direction="in"] .agent-html:has-text("received your picture")');

    await openTab(page, "wire");
    const download = page.locator('[data-testid="exchanges"] tr[data-operation="/wechat/"]').first();
    await download.waitFor();
    await download.click();
    const detail = page.locator('[data-testid="exchange-detail"]');
    await eventually(async () => new RegExp(`${image.length} bytes of image/png, sha256 [0-9a-f]{8}`).test(await detail.textContent()), {
      what: "the download's size and hash in the exchange",
    });
    await serve.call("POST", `/api/customers/${customer.id}/close`);
  });

  test("refusals, the queue timeout and a failed routing are set from the view", async () => {
    await openTab(page, "simulator");
    await setNumber(`${group(2)} [data-testid="sim-refuse-next"]`, 1);
    await eventually(async () => (await simGroup(2)).refuseNext === 1, { what: "one refusal planned" });
    await newCustomer("Eve Sun", 2);
    await waitForStatus(page, serve, "failed");
    await statusReads(/requestStatus 2/);

    await openTab(page, "simulator");
    await setNumber('[data-testid="sim-accept-delay"]', 600000);
    await eventually(async () => (await simState()).settings.acceptDelayMs === 600000, { what: "a slow agent" });
    await setNumber(`${group(2)} [data-testid="sim-queue-timeout"]`, 1500);
    await eventually(async () => (await simGroup(2)).queueTimeoutMs === 1500, { what: "the queue timeout set" });
    await newCustomer("Fay He", 2);
    await waitForStatus(page, serve, "failed");
    await statusReads(/requestStatus 3/);

    await openTab(page, "simulator");
    await setNumber('[data-testid="sim-accept-delay"]', 0);
    await eventually(async () => (await simState()).settings.acceptDelayMs === 0, { what: "a quick agent" });
    await page.selectOption('[data-testid="sim-routing-failure"] select[name="result"]', "-1");
    await page.selectOption('[data-testid="sim-routing-failure"] select[name="group"]', "1");
    await page.click('[data-testid="sim-routing-failure"] button[data-action="fail"]');
    await page.waitForSelector('[data-testid="sim-failures"] li[data-result="-1"]');
    await newCustomer("Gu Yan", 1);
    await waitForStatus(page, serve, "failed");
    await statusReads(/result -1/);

    await openTab(page, "simulator");
    await page.waitForSelector('[data-testid="sim-failures"] li.none');
    await page.click('button[data-action="restore"]');
    await eventually(async () => {
      const g = await simGroup(2);
      return g.queueTimeoutMs === null && g.refuseNext === 0;
    }, { what: "the simulator restored" });
    await eventually(async () => (await page.inputValue(`${group(2)} [data-testid="sim-queue-timeout"]`)) === "", {
      what: "the view showing no timeout",
    });
    assert.deepEqual(browser.errors, []);
  });
});
