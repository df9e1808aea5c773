// The platform overview (a Prometheus console template) in headless Debian chromium, as a
// person opens it: through the TLS ingress by name, with the Prometheus login. Waits until
// every graph is drawn, checks there is one per area, takes a screenshot. Prints one JSON
// line with what it saw and exits non-zero on the first failure.
//
//   OVERVIEW_URL=https://metrics.cdaprod.local/consoles/platform.html INGRESS_IP=10.89.0.9 \
//   PROMETHEUS_USER=admin PROMETHEUS_PASSWORD=... OUT_DIR=artifacts/platform \
//   node platform_overview.mjs
//
// The certificate is not checked here (chromium would need the CA in an NSS database); the
// platform tests check the ingress's chain with the platform's CA on every other request.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
};
const url = new URL(env("OVERVIEW_URL"));
const outDir = env("OUT_DIR");
const areas = ["hosts", "airflow", "archive", "gateway"];
mkdirSync(outDir, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "overview-chromium-"));
const seen = { ok: false, areas: {} };

const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  ignoreHTTPSErrors: true,
  httpCredentials: { username: env("PROMETHEUS_USER"), password: env("PROMETHEUS_PASSWORD") },
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
    `--host-resolver-rules=MAP ${url.hostname} ${env("INGRESS_IP")}`,
  ],
  viewport: { width: 1280, height: 900 },
});
const page = context.pages()[0] || (await context.newPage());
// Script errors fail the check; the console's other errors (a library file that Debian's
// prom.lib names but the package leaves out answers 404) are reported only.
const problems = [];
const consoleErrors = [];
page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
page.on("console", (msg) => { if (msg.type() === "error") consoleErrors.push(msg.text()); });

try {
  const response = await page.goto(url.href);
  seen.status = response.status();
  if (seen.status !== 200) throw new Error(`the overview answered ${seen.status}`);
  seen.title = await page.locator("h1").first().textContent();
  // A graph is done when it has drawn its lines (an SVG path) or said why not: "No
  // timeseries returned" for a query without data, "Error loading data" for a failed one.
  await page.waitForFunction(() => Array.from(document.querySelectorAll(".platform-graph"))
    .every((graph) => graph.querySelector("svg path, .prom_graph_error")), null,
    { timeout: 60000 });
  for (const area of areas) {
    seen.areas[area] = await page.locator(`section#${area} .platform-graph svg path`).count();
  }
  seen.errors = await page.locator(".prom_graph_error").allTextContents();
  if (seen.errors.some((text) => text.includes("Error"))) problems.push("a graph failed to load");
  seen.now = await page.locator("#platform-now td").allTextContents();
  await page.screenshot({ path: join(outDir, "overview.png"), fullPage: true });
  seen.problems = problems;
  seen.consoleErrors = consoleErrors;
  seen.ok = problems.length === 0 && areas.every((area) => seen.areas[area] > 0);
} catch (error) {
  seen.error = String(error);
  seen.problems = problems;
  seen.consoleErrors = consoleErrors;
  await page.screenshot({ path: join(outDir, "overview-failed.png"), fullPage: true }).catch(() => {});
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(seen));
process.exit(seen.ok ? 0 : 1);
