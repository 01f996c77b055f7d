// Browser test of the MineRefine search page.
// Usage: node tests/browser/page.test.mjs <base-url>
// Needs /usr/bin/chromium (Debian package) and playwright-core (tests/browser/setup.sh installs both).
// Exits non-zero on any failed check; saves a screenshot to tests/browser/artifacts/page.png.
import { chromium } from "playwright-core";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const base = process.argv[2];
if (!base) { console.error("usage: node page.test.mjs <base-url>"); process.exit(2); }
const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const artifacts = join(here, "artifacts");
mkdirSync(artifacts, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "mr-chromium-"));

const failures = [];
const check = (ok, what) => { console.log(`${ok ? "ok  " : "FAIL"} ${what}`); if (!ok) failures.push(what); };

const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1100, height: 900 },
});
try {
  const page = context.pages()[0] ?? await context.newPage();
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  const offOrigin = [];
  page.on("request", (r) => { if (!r.url().startsWith(base)) offOrigin.push(r.url()); });

  const resp = await page.goto(base + "/", { waitUntil: "load" });
  check(resp?.status() === 200, "page served with 200");
  check((await page.title()) === "MineRefine search", "page title");
  await page.waitForFunction(() => !document.getElementById("engine").textContent.startsWith("Loading"), null, { timeout: 20000 });
  check((await page.textContent("#engine")).includes("products"), "engine info shown");

  await page.getByLabel("Query").fill("cordless drill");
  await page.getByRole("radio", { name: "Hybrid" }).check();
  await page.getByLabel("Results (k)").fill("6");
  await page.getByRole("button", { name: "Search" }).click();
  await page.waitForSelector("#results li", { timeout: 20000 });

  const items = await page.$$eval("#results li", (lis) => lis.map((li) => ({
    title: li.querySelector(".title")?.textContent ?? "",
    category: li.querySelector(".category")?.textContent ?? "",
    badge: li.querySelector(".badge")?.textContent ?? "",
    badgeClass: li.querySelector(".badge")?.className ?? "",
    scores: li.querySelector(".scores")?.textContent ?? "",
  })));
  check(items.length === 6, `6 results rendered (got ${items.length})`);
  check(items.every((i) => ["exact", "partial", "irrelevant"].includes(i.badge)), "every result has a tier badge");
  check(items.every((i) => i.badgeClass.includes(`tier-${i.badge}`)), "badge colour class matches its tier");
  check(items.some((i) => i.badge === "exact") && items.some((i) => i.badge === "irrelevant"), "several tiers shown");
  check(items[0].title === "Cordless drill 18V", `first title (got "${items[0]?.title}")`);
  check(items[0].category.includes("Power tools"), "category path shown");
  check(items.every((i) => i.scores.includes("dense") && i.scores.includes("bm25") && i.scores.includes("fused")), "dense/bm25/fused scores shown");
  const bars = await page.$$eval("#chart svg rect", (rs) => rs.map((r) => r.getAttribute("class")));
  check(bars.length > 0 && bars.every((c) => /^tier-/.test(c)), `histogram bars coloured by tier (${bars.length} bars)`);
  check((await page.$$("#chart .threshold")).length === 2, "threshold lines drawn");
  check((await page.getAttribute("#chart svg", "aria-label"))?.startsWith("Histogram of 6 dense scores"), "chart has an accessible label");
  check((await page.textContent("#status")).includes("6 results"), "status line");

  await page.screenshot({ path: join(artifacts, "page.png"), fullPage: true });

  // Exact-only filter and a validation error coming back as a problem document.
  await page.getByLabel("Minimum grade").selectOption("2");
  await page.getByRole("button", { name: "Search" }).click();
  await page.waitForFunction(() => document.getElementById("status").textContent.includes("2 results"), null, { timeout: 20000 });
  const badges = await page.$$eval("#results .badge", (b) => b.map((x) => x.textContent));
  check(badges.length === 2 && badges.every((b) => b === "exact"), "minGrade=2 keeps exact results only");

  await page.getByLabel("Results (k)").fill("999");
  await page.getByRole("button", { name: "Search" }).click();
  await page.waitForSelector("#error:not([hidden])", { timeout: 20000 });
  check((await page.textContent("#error")).includes("k: must be between 1 and 200"), "400 problem shown with its field");

  check(consoleErrors.filter((e) => !e.includes("400")).length === 0, `no console errors (${consoleErrors.join(" | ")})`);
  check(offOrigin.length === 0, `no requests off the origin (${offOrigin.join(", ")})`);
} catch (e) {
  failures.push(String(e?.stack ?? e));
  console.error(e);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
if (failures.length) { console.error(`${failures.length} check(s) failed`); process.exit(1); }
console.log("all browser checks passed; screenshot: tests/browser/artifacts/page.png");
