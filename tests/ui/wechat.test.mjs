// The WeChat view: the open customer's chat as their phone shows it, written to from the
// phone's own input bar, with the engine storing what it sends.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { HOSTILE, eventually, mediaFiles, openChat, setLook, wav } from "./harness.mjs";

const GREEN = "rgb(149, 236, 105)";
const WHITE = "rgb(255, 255, 255)";
const SIZES = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
];

describe("wechat view", () => {
  let chat, serve, browser, page;
  const files = mediaFiles();
  const longVoice = join(dirname(files.voice), "five.wav");
  writeFileSync(longVoice, wav(5));
  const phone = () => page.locator('[data-testid="wechat-phone"]');
  const rows = (side) => phone().locator(`[data-wx-side="${side}"]`);

  /** The conversation as the engine stored it. */
  async function stored() {
    const [customer] = await serve.call("GET", "/api/customers");
    const conversation = await serve.call("GET", `/api/conversations/${customer.conversationId}`);
    return { conversation, messages: await serve.call("GET", `/api/conversations/${conversation.id}/messages`) };
  }

  /** The customer's newest row of `kind` once the engine has delivered it. */
  async function delivered(kind) {
    const row = phone().locator(`[data-wx-side="customer"][data-kind="${kind}"][data-delivery="sent"]`).last();
    await row.waitFor({ timeout: 10_000 });
    return row;
  }

  /** Opens the + panel's `tile` (or the bar's own button `open`) and waits for its form. */
  async function openSheet(name, { tile = true } = {}) {
    if (tile) await phone().locator('[data-wx-open="more"]').click();
    await phone().locator(tile ? `[data-wx-tile="${name}"]` : `[data-wx-open="${name}"]`).click();
    await phone().locator(`[data-testid="wechat-sheet"][data-sheet="${name}"]`).waitFor();
    return phone().locator('[data-testid="wechat-sheet"]');
  }

  const background = (locator) => locator.evaluate((el) => getComputedStyle(el).backgroundColor);
  const loaded = (img) => img.evaluate((el) => el.complete && el.naturalWidth > 0);

  before(async () => {
    chat = await openChat("Wang Fang");
    ({ serve, browser, page } = chat);
  });

  after(() => chat?.close());

  test("the toggle shows the chat in a phone: the agent's greeting on the left, white, its emoji inline", async () => {
    await page.click('[data-testid="wechat-toggle"]');
    await phone().waitFor();
    assert.equal(await page.locator('[data-testid="messages"]').count(), 0, "the console's list gives way to the phone");
    const greeting = rows("agent").first();
    await greeting.waitFor();
    const bubble = greeting.locator(".wx-bubble");
    assert.equal(await background(bubble), WHITE);
    const emoji = bubble.locator('img[alt="[smile]"]');
    await eventually(() => loaded(emoji), { what: "the greeting's emoji" });
    const [avatar, box, smile] = await Promise.all([greeting.locator(".avatar").boundingBox(), bubble.boundingBox(), emoji.boundingBox()]);
    assert.ok(avatar.x + avatar.width <= box.x, "the agent's avatar is left of the bubble");
    assert.ok(smile.height <= 30, `the emoji sits in the line (${smile.height}px high)`);
    // The chat's events, as the customer would be told them: no endpoints, ids or status numbers.
    const lines = await rows("system").allTextContents();
    assert.ok(lines.some((l) => l.includes("Alice is now serving you")), lines.join(" | "));
    assert.ok(!lines.some((l) => /\.do\b|session \d|request status \d/.test(l)), lines.join(" | "));
    assert.ok((await phone().locator('[data-testid="wx-stamp"]').count()) > 0, "a time line over the first message");
  });

  test("text typed in the phone goes out, the engine stores it, and it shows green on the right", async () => {
    await phone().locator('[data-testid="wechat-text"]').fill("Where is my order?");
    await phone().locator('[data-testid="wechat-text"]').press("Enter");
    const row = await delivered("text");
    assert.equal((await row.locator(".wx-bubble").textContent()).trim(), "Where is my order?");
    assert.equal(await background(row.locator(".wx-bubble")), GREEN);
    const [avatar, box] = await Promise.all([row.locator(".avatar").boundingBox(), row.locator(".wx-bubble").boundingBox()]);
    assert.ok(box.x + box.width <= avatar.x, "the customer's avatar is right of the bubble");

    await phone().locator('[data-testid="wechat-text"]').fill("好的，谢谢！");
    await phone().locator('[data-testid="wechat-send"]').click();
    await phone().locator('[data-wx-side="customer"][data-delivery="sent"]', { hasText: "好的，谢谢！" }).waitFor();
    const texts = (await stored()).messages.filter((m) => m.direction === "out").map((m) => m.content);
    assert.deepEqual(texts, [
      { msgType: "text", content: "Where is my order?" },
      { msgType: "text", content: "好的，谢谢！" },
    ]);
  });

  test("a photo, voices, a video, a link and a location go out from the phone and show as WeChat shows them", async () => {
    // No scripted answers in between: the screenshots show the customer's messages together.
    await serve.sim("/sim/config", { autoReply: false });
    let sheet = await openSheet("image");
    await sheet.locator('input[name="file"]').setInputFiles(files.image);
    await sheet.locator('button[type="submit"]').click();
    const image = (await delivered("image")).locator('[data-testid="wx-image"] img');
    await eventually(() => loaded(image), { what: "the photo's thumbnail" });

    sheet = await openSheet("voice", { tile: false });
    await sheet.locator('input[name="file"]').setInputFiles(longVoice);
    await sheet.locator('input[name="recognition"]').fill("I need help with my order");
    await sheet.locator('button[type="submit"]').click();
    await delivered("voice");
    // By its length: the newest voice row is another one once the 1″ voice is sent.
    const five = phone().locator('[data-testid="wx-voice"][data-seconds="5"]');
    await five.waitFor({ timeout: 10_000 });
    assert.equal((await five.textContent()).trim(), "5″");
    assert.match(await phone().locator('[data-testid="wx-recognition"]').last().textContent(), /I need help with my order/);
    sheet = await openSheet("voice", { tile: false });
    await sheet.locator('input[name="file"]').setInputFiles(files.voice);
    await sheet.locator('button[type="submit"]').click();
    await eventually(() => phone().locator('[data-testid="wx-voice"][data-seconds="1"]').count(), { what: "a 1″ voice" });
    // WeChat's own AMR (here: bytes no browser decodes) has no length the page can read: none is made up.
    sheet = await openSheet("voice", { tile: false });
    await sheet.locator('input[name="file"]').setInputFiles({ name: "note.amr", mimeType: "audio/amr", buffer: Buffer.from("#!AMR\n" + "\0".repeat(64)) });
    await sheet.locator('button[type="submit"]').click();
    const amr = phone().locator('[data-testid="wx-voice"][data-seconds="unknown"]');
    await amr.waitFor({ timeout: 10_000 });
    assert.ok(!(await amr.textContent()).includes("″"));
    const [short, long] = await Promise.all([
      phone().locator('[data-testid="wx-voice"][data-seconds="1"]').boundingBox(),
      five.boundingBox(),
    ]);
    assert.ok(long.width > short.width + 20, `5″ (${long.width}px) is wider than 1″ (${short.width}px)`);

    sheet = await openSheet("video");
    await sheet.locator('input[name="file"]').setInputFiles(files.video);
    await sheet.locator('input[name="thumb"]').setInputFiles(files.thumb);
    await sheet.locator('button[type="submit"]').click();
    const poster = (await delivered("video")).locator('[data-testid="wx-video"] img');
    await eventually(() => loaded(poster), { what: "the video's poster" });

    sheet = await openSheet("link");
    await sheet.locator('input[name="url"]').fill("https://shop.example.com/order/42");
    await sheet.locator('input[name="title"]').fill("Order 42");
    await sheet.locator('input[name="description"]').fill("Two mugs, one teapot");
    await sheet.locator('button[type="submit"]').click();
    const link = (await delivered("link")).locator('[data-testid="wx-link"]');
    assert.match(await link.textContent(), /Order 42\s*Two mugs, one teapot\s*S\s*shop\.example\.com/);
    assert.equal(await background(link.locator("..")), WHITE, "a link card is white, even the customer's");

    sheet = await openSheet("location");
    await sheet.locator('input[name="label"]').fill("People's Square");
    await sheet.locator('button[type="submit"]').click();
    const location = (await delivered("location")).locator('[data-testid="wx-location"]');
    assert.match(await location.textContent(), /People's Square\s*31\.2304° N, 121\.4737° E/);
    assert.equal(await location.locator("svg.map").count(), 1);

    const kinds = (await stored()).messages.filter((m) => m.direction === "out").map((m) => m.content.msgType);
    assert.deepEqual(kinds, ["text", "text", "image", "voice", "voice", "voice", "video", "link", "location"]);
  });

  test("an agent's reply with an emoji and a picture shows them inline in the phone", async () => {
    const { conversation } = await stored();
    await serve.sim("/sim/agent/say", {
      sessionId: conversation.sessionId,
      html: '<p>Here it is <img src="/webchat/emoji/heart.png" alt="[heart]"> <img src="/webchat/pictures/sample.png" alt="picture"></p>',
    });
    const bubble = rows("agent").filter({ hasText: "Here it is" }).locator(".wx-bubble");
    await bubble.waitFor();
    const heart = bubble.locator('img[alt="[heart]"]');
    const picture = bubble.locator('img[alt="picture"]');
    await eventually(async () => (await loaded(heart)) && (await loaded(picture)), { what: "the reply's pictures" });
    assert.ok((await heart.boundingBox()).height <= 30, "the emoji is inline");
    assert.ok((await picture.boundingBox()).height > 30, "the picture is shown, not shrunk to a glyph");
  });

  test("screenshots: light and dark, English and Chinese, 1366×768 and 1920×1080", async () => {
    const list = page.locator('[data-testid="wechat-messages"]');
    const atBottom = () => list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 2);
    for (const size of SIZES) {
      for (const lang of ["en", "zh"]) {
        for (const theme of ["light", "dark"]) {
          await setLook(page, { size, lang, theme });
          await eventually(atBottom, { what: "the newest message in view" });
          await browser.screenshot(`wechat-${size.width}x${size.height}-${lang}-${theme}`);
        }
      }
    }
    await setLook(page, { lang: "en", theme: "light" });
  });
  test("hostile agent HTML stays inert in the phone", async () => {
    const { conversation } = await stored();
    await serve.sim("/sim/agent/say", { sessionId: conversation.sessionId, html: HOSTILE });
    const message = rows("agent").filter({ hasText: "cover" });
    await message.waitFor();
    const link = message.locator("a", { hasText: "x" });
    if ((await link.count()) > 0) await link.click().catch(() => {});
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(await message.locator(".wx-html").locator("iframe, script, svg, object, embed").count(), 0);
    const fixed = await message.evaluate((root) =>
      [root, ...root.querySelectorAll("*")].filter((el) => getComputedStyle(el).position === "fixed").length,
    );
    assert.equal(fixed, 0);
    for (const href of await message.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))) {
      assert.ok(!/^javascript:/i.test(href ?? ""), href);
    }
    assert.deepEqual(browser.requests.filter((u) => u.includes("example.invalid")), []);
    assert.deepEqual(browser.errors, []);
  });
});
