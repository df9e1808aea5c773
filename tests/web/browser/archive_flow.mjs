// One user journey through the video archive in headless Debian chromium:
// log in, search, open a video, play it (currentTime must advance), add a tag, find the
// video by that tag. Screenshots go to OUT_DIR. Prints one JSON line with what it saw and
// exits non-zero on the first step that fails.
//
//   BASE_URL=http://127.0.0.1:8700 ARCHIVE_USER=alice ARCHIVE_PASSWORD=... \
//   OUT_DIR=artifacts/browser QUERY="lisbon tram" NEW_TAG=seen-in-browser node archive_flow.mjs
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
};
const base = env("BASE_URL");
const outDir = env("OUT_DIR");
const query = env("QUERY");
const newTag = env("NEW_TAG");
mkdirSync(outDir, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "archive-chromium-"));
const seen = { steps: [] };
const step = (name, data = {}) => seen.steps.push({ name, ...data });

const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
  ],
  viewport: { width: 1280, height: 900 },
});
const page = context.pages()[0] || (await context.newPage());
const problems = [];
page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
page.on("console", (msg) => { if (msg.type() === "error") problems.push(`console: ${msg.text()}`); });
const shot = (name) => page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });

try {
  // 1. Everything but the login page needs a session.
  await page.goto(`${base}/`);
  if (!page.url().includes("/login")) throw new Error(`expected the login page, got ${page.url()}`);
  await shot("01-login");
  await page.fill('input[name="username"]', env("ARCHIVE_USER"));
  await page.fill('input[name="password"]', env("ARCHIVE_PASSWORD"));
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type="submit"]')]);
  const tiles = await page.locator(".tile").count();
  if (tiles === 0) throw new Error("the first page shows no videos");
  // Every poster on the first page loads (they come from the catalog by id).
  await page.waitForFunction(() => Array.from(document.querySelectorAll(".tile img"))
    .every((img) => img.complete && img.naturalWidth > 0), null, { timeout: 15000 });
  const posters = await page.locator(".tile img").count();
  step("logged in", { tiles, posters });
  if (posters === 0) throw new Error("no poster on the first page");
  await shot("02-grid");

  // 2. Search.
  await page.fill('input[name="q"]', query);
  await Promise.all([page.waitForURL(/\?q=/), page.click('.searchrow button[type="submit"]')]);
  const results = await page.locator(".tile").count();
  const count = await page.textContent("#result-count");
  step("searched", { query, results, count: count.trim() });
  if (results < 1) throw new Error(`no result for ${query}`);
  await shot("03-search");

  // 3. Open the first result and play it.
  await Promise.all([page.waitForURL(/\/videos\/\d+/), page.locator(".tile").first().click()]);
  const video = page.locator("#player");
  await video.waitFor();
  const playback = await page.evaluate(async () => {
    const v = document.getElementById("player");
    v.muted = true;
    await v.play();
    const start = v.currentTime;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return { start, after: v.currentTime, paused: v.paused, error: v.error && v.error.code,
             duration: v.duration, src: v.currentSrc };
  });
  step("played", playback);
  await shot("04-video-playing");
  if (!(playback.after > playback.start + 0.3)) {
    throw new Error(`video did not advance: ${JSON.stringify(playback)}`);
  }
  // The scene strip and the sprite scrubber seek the player.
  await page.evaluate(() => document.getElementById("player").pause());
  const scrubber = page.locator("#scrubber");
  if (await scrubber.count()) {
    const box = await scrubber.boundingBox();
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2);
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height / 2);
    const t = await page.evaluate(() => document.getElementById("player").currentTime);
    step("scrubbed", { currentTime: t });
    if (!(t > 0.5)) throw new Error(`clicking the scrubber did not seek (currentTime ${t})`);
    await shot("05-scrubbed");
  }

  // 4. Add a tag.
  const videoUrl = page.url();
  const tagsField = page.locator("#tags");
  const before = await tagsField.inputValue();
  await tagsField.fill(before ? `${before}, ${newTag}` : newTag);
  await Promise.all([page.waitForURL(/saved=1/), page.click('#edit-form button[type="submit"]')]);
  const after = await page.locator("#tags").inputValue();
  step("tagged", { before, after });
  if (!after.split(",").map((t) => t.trim()).includes(newTag)) throw new Error(`tag not saved: ${after}`);
  await shot("06-tagged");

  // 5. Find the video by its new tag.
  await page.goto(`${base}/`);
  await page.fill('input[name="q"]', newTag);
  await Promise.all([page.waitForURL(/\?q=/), page.click('.searchrow button[type="submit"]')]);
  const hrefs = await page.locator(".tile").evaluateAll((els) => els.map((e) => e.getAttribute("href")));
  step("found by tag", { hrefs });
  await shot("07-found-by-tag");
  const videoPath = new URL(videoUrl).pathname;
  if (hrefs[0] !== videoPath) throw new Error(`expected ${videoPath} first, got ${hrefs}`);

  // 6. The sources page lists the quarantine.
  await page.goto(`${base}/sources`);
  const quarantined = await page.locator("#quarantine tbody tr").count();
  step("sources", { quarantined });
  await shot("08-sources");
  if (problems.length) throw new Error(`browser reported problems: ${problems.join(" | ")}`);
  console.log(JSON.stringify({ ok: true, ...seen }));
} catch (error) {
  await shot("99-failure").catch(() => {});
  console.log(JSON.stringify({ ok: false, error: String(error.message || error), problems, ...seen }));
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
