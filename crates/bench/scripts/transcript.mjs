// Transcript first paint in the real UI (headless Debian Chromium via playwright-core)
// against `wxsim serve`: click a conversation in History, and time until the frame after
// its transcript is in the DOM. Then scroll the long transcript and time the frames.
// Usage: node transcript.mjs API_URL TOKEN BIG_ID EMPTY_ID
// Prints: RESULT big_ms empty_ms bubbles scroll_p95_frame_ms scroll_max_frame_ms
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const { chromium } = createRequire(join(root, "ui/package.json"))("playwright-core");
const [api, token, bigId, emptyId] = process.argv.slice(2);
const RUNS = 3;

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });

/** Opens the UI afresh, then times clicking conversation `id` until its transcript painted. */
async function firstPaint(id, withMessages) {
  await page.goto(`${api}/#token=${token}`);
  await page.click('[data-tab="history"]');
  await page.waitForSelector(`[data-conversation="${id}"]`);
  return page.evaluate(
    ({ id, withMessages }) =>
      new Promise((done) => {
        const start = performance.now();
        document.querySelector(`[data-conversation="${id}"]`).click();
        const check = () => {
          const ready =
            document.querySelector('[data-testid="transcript"]') &&
            document.querySelector('[data-testid="messages"]') &&
            (!withMessages || document.querySelector('[data-testid="messages"] [data-direction]'));
          if (ready) requestAnimationFrame(() => setTimeout(() => done(performance.now() - start), 0));
          else requestAnimationFrame(check);
        };
        check();
      }),
    { id: Number(id), withMessages },
  );
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const big = [];
const empty = [];
for (let i = 0; i < RUNS; i++) {
  empty.push(await firstPaint(emptyId, false));
  big.push(await firstPaint(bigId, true));
}
const bubbles = await page.locator('[data-testid="messages"] [data-direction]').count();
const frames = await page.evaluate(
  () =>
    new Promise((done) => {
      const list = document.querySelector('[data-testid="messages"]');
      const times = [];
      let last = performance.now();
      let steps = 60;
      const step = () => {
        const now = performance.now();
        times.push(now - last);
        last = now;
        if (steps-- === 0) return done(times.slice(1));
        list.scrollTop -= 1500;
        requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    }),
);
frames.sort((a, b) => a - b);
const p95 = frames[Math.floor(frames.length * 0.95)];
console.log(`first paint ms: ${big.map((x) => x.toFixed(0))} (10k), ${empty.map((x) => x.toFixed(0))} (empty)`);
console.log(`RESULT ${median(big).toFixed(1)} ${median(empty).toFixed(1)} ${bubbles} ${p95.toFixed(1)} ${frames.at(-1).toFixed(1)}`);
await browser.close();
