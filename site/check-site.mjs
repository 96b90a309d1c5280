// make check-site: open every page of the built book in headless Chromium, as a reader would, with no network.
//
// Fails on: a console error or an uncaught page error; a request that fails or leaves the machine; a chapter page
// (notebooks/*.html) without figures or without rendered widgets; a control that does not change the shown frame
// when moved; fewer than five self-check questions, or one whose feedback does not follow a right and a wrong answer. Every page is opened from file:// and chapter pages also over HTTP from 127.0.0.1. A screenshot of
// every page goes to the screenshot folder.
//
// usage: node site/check-site.mjs _build/html _build/screenshots
import { chromium } from "playwright-core";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [root = "_build/html", shots = "_build/screenshots"] = process.argv.slice(2);
const site = path.resolve(root);
fs.mkdirSync(shots, { recursive: true });

function pages(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith("_") ? [] : pages(full);
    return entry.name.endsWith(".html") ? [full] : [];
  });
}

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png",
  ".svg": "image/svg+xml", ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".json": "application/json" };

function serve() {
  const server = http.createServer((req, res) => {
    const file = path.join(site, decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (!file.startsWith(site) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const failures = [];
const fail = (page, what) => failures.push(`${page}: ${what}`);

async function visibleFrame(panel) {
  // The image a reader sees in a panel: the visible <img> (a Stack shows one child), loaded on demand.
  for (let i = 0; i < 40; i++) {
    const shown = await panel.evaluate((el) => {
      const img = [...el.querySelectorAll("img")].find((i) => i.offsetParent !== null);
      if (!img) return null;
      return { src: img.src, alt: img.alt, loaded: img.complete && img.naturalWidth > 0 };
    });
    if (shown && shown.loaded) return shown.src.slice(-64) + ":" + shown.src.length;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

// The frame shown must be the one the controls select: its alt text names every control's shown value.
async function frameMatchesControls(panel) {
  return panel.evaluate((el) => {
    const img = [...el.querySelectorAll("img")].find((i) => i.offsetParent !== null);
    const values = [...el.querySelectorAll(".widget-readout")].map((r) => r.textContent.trim())
      .concat([...el.querySelectorAll(".widget-toggle-buttons button.mod-active")].map((b) => b.textContent.trim()));
    const alt = img?.alt || "";
    const missing = values.filter((v) => !alt.includes("=" + v));
    return missing.length ? `alt "${img?.alt}" does not name ${missing.join(", ")}` : null;
  });
}

async function checkControls(page, name) {
  const outer = await page.$$(".gosim-panel"); // gosim.widgets marks each panel's outer box
  let moved = 0;
  for (const panel of outer) {
    await panel.scrollIntoViewIfNeeded(); // frames load on demand, as the reader reaches them
    const before = await visibleFrame(panel);
    if (!before) {
      fail(name, "a panel shows no image");
      continue;
    }
    for (const handle of await panel.$$(".noUi-handle")) {
      const start = await visibleFrame(panel);
      await handle.focus();
      await page.keyboard.press("ArrowRight");
      await page.keyboard.press("ArrowRight");
      await page.waitForTimeout(150);
      const after = await visibleFrame(panel);
      if (after === start) fail(name, "moving a slider did not change the shown frame");
      else moved += 1;
      const wrong = await frameMatchesControls(panel);
      if (wrong) fail(name, `after moving a slider, the frame is not the one selected: ${wrong}`);
    }
    for (const group of await panel.$$(".widget-toggle-buttons")) {
      // press the first button that is not already selected, in every group of buttons
      for (const button of await group.$$("button")) {
        if ((await button.getAttribute("class")).includes("mod-active")) continue;
        const start = await visibleFrame(panel);
        await button.click();
        await page.waitForTimeout(150);
        const after = await visibleFrame(panel);
        if (after === start) fail(name, "pressing a control button did not change the shown frame");
        else moved += 1;
        const wrong = await frameMatchesControls(panel);
        if (wrong) fail(name, `after pressing a button, the frame is not the one selected: ${wrong}`);
        break;
      }
    }
  }
  return { panels: outer.length, moved };
}

// The self-check questions (gosim.exercises.quiz): answer one right and one wrong, and see the feedback change.
async function checkQuizzes(page, name) {
  const quizzes = await page.$$(".gosim-quiz");
  if (quizzes.length < 5) fail(name, `only ${quizzes.length} self-check questions (at least 5 per chapter)`);
  const answer = async (quiz, right) => {
    const q = JSON.parse(await quiz.$eval("script.gosim-quiz-data", (s) => s.textContent));
    let typed;
    if (q.kind === "choice") {
      const wrong = await quiz.$$eval("input[type=radio]", (els, a) => els.map((e) => e.value)
        .find((v) => v.trim().toLowerCase() !== String(a).trim().toLowerCase()), q.answer);
      typed = right ? q.answer : wrong;
      const radio = await quiz.$(`input[type=radio][value="${String(typed).replaceAll('"', '\\"')}"]`);
      await radio.check();
    } else {
      if (right) typed = q.kind === "order" ? q.answer.join("\n") : `${q.answer}`;
      else if (q.wrong.length) typed = q.kind === "order" ? [].concat(q.wrong[0][0]).join("\n") : `${q.wrong[0][0]}`;
      else typed = q.kind === "order" ? [...q.answer].reverse().join("\n") : `${q.answer * 2 + 1}`;
      await quiz.$eval(".gosim-quiz-input", (el, v) => { el.value = v; }, typed);
    }
    await (await quiz.$(".gosim-quiz-check")).click();
    return quiz.$eval(".gosim-quiz-feedback", (el) => ({ cls: el.className, text: el.textContent }));
  };
  let driven = 0;
  for (const [i, quiz] of quizzes.entries()) {
    const right = i % 2 === 0; // alternate, so every page answers at least one right and one wrong
    const fb = await answer(quiz, right);
    const want = right ? "correct" : "wrong";
    if (!fb.cls.split(" ").includes(want)) {
      fail(name, `self-check question ${i + 1}: a ${right ? "right" : "wrong"} answer got "${fb.text}"`);
    } else driven += 1;
    const again = await answer(quiz, !right);
    if (again.text === fb.text) fail(name, `self-check question ${i + 1}: the feedback did not change`);
  }
  return { quizzes: quizzes.length, quizzesDriven: driven };
}

async function visit(browser, url, name, { chapter, shot }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await context.route("**/*", (route) => {
    const u = route.request().url();
    if (u.startsWith("file:") || u.startsWith("http://127.0.0.1") || u.startsWith("data:")) return route.continue();
    fail(name, `request leaves the machine: ${u}`);
    return route.abort();
  });
  page.on("console", (msg) => { if (msg.type() === "error") fail(name, `console error: ${msg.text()}`); });
  page.on("pageerror", (err) => fail(name, `page error: ${err.message}`));
  page.on("requestfailed", (req) => fail(name, `request failed: ${req.url()} (${req.failure()?.errorText})`));
  page.on("response", (res) => { if (res.status() >= 400) fail(name, `HTTP ${res.status()} for ${res.url()}`); });
  await page.goto(url, { waitUntil: "load" });
  await page.waitForTimeout(chapter ? 1000 : 300);
  const report = { name };
  if (chapter) {
    // The widget bundle loads when a widget comes near the viewport (site/widgets-config.js): scroll to the
    // first one, as a reader would, and wait for the panels to render.
    report.bundleBeforeScroll = await page.evaluate(() =>
      performance.getEntriesByType("resource").some((r) => r.name.includes("embed-amd.js")));
    await page.evaluate(() => document.querySelector(
      'script[type="application/vnd.jupyter.widget-view+json"]')?.parentElement?.scrollIntoView());
    try {
      await page.waitForSelector(".gosim-panel", { timeout: 20000 });
      await page.waitForTimeout(1500);
    } catch {
      fail(name, "no panel rendered after scrolling to the first widget");
    }
    report.figures = await page.$$eval("img", (imgs) => imgs.filter((i) => i.naturalWidth > 0).length);
    report.widgets = await page.$$eval(".jupyter-widgets", (els) => els.length);
    report.placeholders = await page.$$eval("script[type='application/vnd.jupyter.widget-view+json']",
      (els) => els.filter((e) => !e.previousElementSibling?.classList?.contains("jupyter-widgets")).length);
    if (report.figures === 0) fail(name, "chapter page without figures");
    if (report.widgets === 0) fail(name, "chapter page without rendered widgets");
    Object.assign(report, await checkControls(page, name));
    Object.assign(report, await checkQuizzes(page, name));
    if (report.panels === 0) fail(name, "chapter page without an interactive panel");
  }
  if (shot) await page.screenshot({ path: path.join(shots, shot), fullPage: true });
  await context.close();
  return report;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync", "--disable-quic"],
});
const server = await serve();
const base = `http://127.0.0.1:${server.address().port}`;
const reports = [];
for (const file of pages(site).sort()) {
  const rel = path.relative(site, file);
  const chapter = rel.startsWith("notebooks" + path.sep);
  const shot = rel.replaceAll(path.sep, "__").replace(/\.html$/, ".png");
  reports.push(await visit(browser, pathToFileURL(file).href, `file:${rel}`, { chapter, shot }));
  if (chapter) reports.push(await visit(browser, `${base}/${rel}`, `http:${rel}`, { chapter, shot: null }));
}
await browser.close();
server.close();

for (const r of reports) {
  const extra = "figures" in r ? ` figures=${r.figures} widgets=${r.widgets} panels=${r.panels} controls-moved=${r.moved} quizzes=${r.quizzes}` : "";
  console.log(`checked ${r.name}${extra}`);
}
console.log(`screenshots in ${shots}`);
if (failures.length) {
  console.error(`\n${failures.length} problem(s):\n` + [...new Set(failures)].map((f) => "  " + f).join("\n"));
  process.exit(1);
}
console.log(`check-site: ${reports.length} page visits, no problems`);
