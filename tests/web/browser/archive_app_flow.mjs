// The archive app (Streamlit) in headless Debian chromium, with the archive beside it:
// without the ingress's user header the app refuses; log in to the archive; with the header
// (as the ingress adds it after asking the archive who the person is) ask a question, see
// its cited clip play from the cited time, and browse the results. Screenshots go to
// OUT_DIR. Prints one JSON line with what it saw; exits non-zero on the first failed step.
//
//   ARCHIVE_URL=http://127.0.0.1:8700 APP_URL=http://127.0.0.1:8501 ARCHIVE_USER=alice \
//   ARCHIVE_PASSWORD=... USER_HEADER=X-Archive-User QUESTION="Who waves at the ferry?" \
//   OUT_DIR=artifacts/archive-app node archive_app_flow.mjs
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
};
const archive = env("ARCHIVE_URL");
const app = env("APP_URL");
const outDir = env("OUT_DIR");
mkdirSync(outDir, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "archive-app-chromium-"));
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
  viewport: { width: 1400, height: 1000 },
});
const page = context.pages()[0] || (await context.newPage());
const shot = (name) => page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });

try {
  // 1. No user header (no ingress in front, or the archive did not know the person): refused.
  await page.goto(app);
  await page.getByText("Sign in to the archive first").waitFor({ timeout: 30000 });
  step("refused without the ingress's header");
  await shot("01-refused");

  // 2. Log in to the archive: the browser now has the archive's session for its media.
  await page.goto(`${archive}/login`);
  await page.fill('input[name="username"]', env("ARCHIVE_USER"));
  await page.fill('input[name="password"]', env("ARCHIVE_PASSWORD"));
  await Promise.all([page.waitForURL(`${archive}/`), page.click('button[type="submit"]')]);
  step("logged in to the archive");

  // 3. Through the ingress (which sets the header), ask a question.
  await context.setExtraHTTPHeaders({ [env("USER_HEADER")]: env("ARCHIVE_USER") });
  await page.goto(app);
  await page.getByText(`Signed in as ${env("ARCHIVE_USER")}`).waitFor({ timeout: 30000 });
  const input = page.locator('[data-testid="stChatInputTextArea"]');
  await input.fill(env("QUESTION"));
  await input.press("Enter");
  const cited = page.getByText(/\[1\] asset \d+ ·/).first();
  await cited.waitFor({ timeout: 60000 });
  const citation = await cited.innerText();
  step("answered", { citation });
  const video = page.locator("video").first();
  await video.waitFor();
  const playback = await page.evaluate(async () => {
    const v = document.querySelector("video");
    v.muted = true;
    await v.play();
    const start = v.currentTime;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    return { start, after: v.currentTime, error: v.error && v.error.code, src: v.currentSrc };
  });
  step("played the cited clip", playback);
  await shot("02-answered-and-playing");
  if (playback.error || !(playback.after > playback.start)) {
    throw new Error(`the cited clip did not play: ${JSON.stringify(playback)}`);
  }
  // The visible answer's posters load (the hidden browse tab's images load when it opens).
  const postersLoaded = () => {
    const imgs = Array.from(document.querySelectorAll("img"))
      .filter((img) => img.src.includes("/media/poster") && img.offsetParent !== null);
    return imgs.length > 0 && imgs.every((img) => img.complete && img.naturalWidth > 0)
      ? imgs.length : 0;
  };
  await page.waitForFunction(postersLoaded, null, { timeout: 20000 });
  const posters = await page.evaluate(postersLoaded);
  step("posters", { posters });

  // 4. Browse: results and the tag chart.
  await page.getByRole("tab", { name: "Browse" }).click();
  await page.getByText(/\d+ videos/).waitFor({ timeout: 30000 });
  const count = await page.getByText(/\d+ videos/).first().innerText();
  await page.getByText(/^asset \d+ · [\d.]+ s ·/).first().waitFor({ timeout: 30000 });
  const cards = await page.getByText(/^asset \d+ · [\d.]+ s ·/).count();
  await page.getByText("videos on this page").first().waitFor({ timeout: 30000 });  // the tag chart
  step("browsed", { count, cards });
  if (cards < 1) throw new Error("the browse page shows no videos");
  await shot("03-browse");
  console.log(JSON.stringify({ ok: true, ...seen }));
} catch (error) {
  await shot("99-failure").catch(() => {});
  console.log(JSON.stringify({ ok: false, error: String(error.message || error), ...seen }));
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
