// make check-lab: the JupyterLab reading, checked in headless Chromium as a reader uses it.
//
// Starts JupyterLab from .venv on a free local port (a token, no browser, a config folder of its own in which
// jupytext opens the chapters' .md files as notebooks), then for every chapter: opens it, runs all cells, fails
// on any error output, moves every panel's controls (each slider two steps, each button group once) and checks
// that the figure changes and that its cell did not become the active one, timing each move from the key press or
// click to the new image shown. Prints the latencies (median, p90 per chapter and overall) and leaves a screenshot
// per chapter.
//
// usage: node site/check-lab.mjs [notebooks/01-bootstrap.md ...]   (from the repository root)
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const VENV = path.join(ROOT, ".venv", "bin");
const SHOTS = path.join(ROOT, "_build", "lab-screenshots");
const chapters = process.argv.slice(2).length ? process.argv.slice(2)
  : fs.readdirSync(path.join(ROOT, "notebooks")).filter((f) => /^\d\d-.*\.md$/.test(f)).sort()
    .map((f) => `notebooks/${f}`);
const CELL_TIMEOUT = 600_000; // a whole chapter's run, cold caches included
fs.mkdirSync(SHOTS, { recursive: true });

const failures = [];
const fail = (where, what) => { failures.push(`${where}: ${what}`); console.error(`  FAIL ${where}: ${what}`); };

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function startLab() {
  const config = fs.mkdtempSync(path.join(os.tmpdir(), "gosim-lab-"));
  const env = { ...process.env, JUPYTER_CONFIG_DIR: config, GOSIM_STATIC_WIDGETS: "" };
  execFileSync(path.join(VENV, "jupytext-config"), ["set-default-viewer", "python", "markdown", "myst"], { env });
  // No autosave: jupytext would write the notebook back to its .md. The chapters are also opened from a copy.
  const overrides = path.join(config, "labconfig", "default_setting_overrides.json");
  const settings = JSON.parse(fs.readFileSync(overrides, "utf8"));
  const docs = "@jupyterlab/docmanager-extension:plugin";
  settings[docs] = { ...(settings[docs] || {}), autosave: false };
  // JupyterLab's windowing mode: WINDOWING=none puts every cell on the page and lays all of them out
  settings["@jupyterlab/notebook-extension:tracker"] = { windowingMode: process.env.WINDOWING || "contentVisibility" };
  settings["@jupyterlab/apputils-extension:notification"] = { fetchNews: "false", checkForUpdates: false };
  fs.writeFileSync(overrides, JSON.stringify(settings, null, 2));
  const work = path.join(config, "book");
  fs.cpSync(path.join(ROOT, "notebooks"), path.join(work, "notebooks"), { recursive: true });
  const port = await freePort();
  const token = Math.random().toString(36).slice(2);
  const args = ["lab", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, `--IdentityProvider.token=${token}`,
    "--LabApp.expose_app_in_browser=True", `--ServerApp.root_dir=${work}`];
  if (process.getuid && process.getuid() === 0) args.push("--allow-root");
  const lab = spawn(path.join(VENV, "jupyter"), args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let log = "";
  lab.stdout.on("data", (d) => { log += d; });
  lab.stderr.on("data", (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    try {
      const r = await fetch(`${base}/api/status?token=${token}`);
      if (r.ok) return { lab, base, token, config, log: () => log };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`JupyterLab did not start:\n${log}`);
}

function stopLab(server) {
  try { process.kill(-server.lab.pid, "SIGTERM"); } catch { /* gone */ }
  fs.rmSync(server.config, { recursive: true, force: true });
}

// Run all cells through JupyterLab's own command, wait until the kernel is idle and no cell is queued.
async function pendingCell(page) {
  return page.evaluate(() => {
    const nb = window.jupyterapp.shell.currentWidget;
    const cells = nb.content.model.cells;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells.get(i);
      if (cell.type === "code" && cell.executionCount == null) {
        return `cell ${i + 1} (kernel ${nb.sessionContext.session?.kernel?.status}): ` +
          cell.sharedModel.getSource().split("\n").slice(0, 3).join(" / ").slice(0, 200);
      }
    }
    return `none (kernel ${nb.sessionContext.session?.kernel?.status})`;
  });
}

async function runAll(page) {
  await page.evaluate(() => window.jupyterapp.commands.execute("notebook:run-all-cells"));
  // Done when every code cell has an execution count and the kernel is idle (between two cells it is idle for
  // a moment, so idleness alone is not enough).
  await page.waitForFunction(() => {
    const nb = window.jupyterapp.shell.currentWidget;
    const kernel = nb?.sessionContext?.session?.kernel;
    const cells = nb.content.model.cells;
    let failed = false;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells.get(i);
      if (cell.type !== "code") continue;
      if ((cell.toJSON().outputs || []).some((o) => o.output_type === "error")) failed = true;
      else if (cell.executionCount == null && !failed) return false;
    }
    // after an error JupyterLab runs nothing more: done (the error is reported)
    return kernel && kernel.status === "idle";
  }, null, { timeout: CELL_TIMEOUT, polling: 500 }).catch(async (err) => {
    throw new Error(`the chapter did not finish running within ${CELL_TIMEOUT / 1000} s; waiting on ` +
      `${await pendingCell(page).catch(() => "?")}: ${err.message.split("\n")[0]}`);
  });
}

async function errors(page) {
  return page.evaluate(() => {
    const nb = window.jupyterapp.shell.currentWidget.content;
    const found = [];
    for (let i = 0; i < nb.model.cells.length; i++) {
      const cell = nb.model.cells.get(i);
      if (cell.type !== "code") continue;
      for (const out of cell.toJSON().outputs || []) {
        if (out.output_type === "error") found.push(`cell ${i + 1}: ${out.ename}: ${String(out.evalue).slice(0, 200)}`);
      }
    }
    return found;
  });
}

// The image a panel shows, and a promise that resolves with the time when it changes and has loaded.
async function frameId(panel) {
  return panel.evaluate((el) => {
    const img = [...el.querySelectorAll("img")].find((i) => i.offsetParent !== null);
    return img ? img.src : null;
  });
}

// A reader looks at each new figure before moving a control again: THINK_MS (default 1000) between moves.
const THINK_MS = Number(process.env.THINK_MS ?? 1000);

async function timeChange(page, panel, act) {
  await page.waitForTimeout(THINK_MS);
  // Armed before the action: polls (every 5 ms) for a visible image whose src differs from before and which has
  // loaded, then waits one animation frame (the figure painted). Null after 10 s.
  const before = await frameId(panel);
  // (evaluate would wait for a returned promise: keep it on window and collect it after the action)
  await panel.evaluate((el, before) => { window.__gosimMsgs = []; window.__gosimChange = new Promise((resolve) => {
    // The clock starts at the reader's input (the key or the button press reaching the page), not when the
    // test harness begins its action.
    let start = null;
    const armed = performance.now();
    const input = (e) => { if (start === null) { start = e.timeStamp; window.__gosimInputEpoch = Date.now(); } };
    for (const type of ["keydown", "pointerdown", "mousedown"]) el.addEventListener(type, input, { capture: true, once: true });
    const poll = () => {
      const img = [...el.querySelectorAll("img")].find((i) => i.offsetParent !== null);
      if (start !== null && img && img.src !== before && !window.__gosimSrcAt) window.__gosimSrcAt = performance.now();
      if (start !== null && img && img.src !== before && img.complete && img.naturalWidth > 0) {
        const loaded = performance.now();
        requestAnimationFrame(() => {
          const end = performance.now();
          // the stages of this move (make check-lab TRACE=1): times from the input, in ms
          const rel = (t) => (t - start).toFixed(0);
          window.__gosimStages = { msgs: window.__gosimMsgs.map(([t, d, type]) => `${d}${type}@${rel(t)}`).join(" "),
            long: (window.__gosimLong || []).filter(([s, d]) => s + d > start).map(([s, d]) => `${rel(s)}+${d.toFixed(0)}`).join(" "),
            src: rel(window.__gosimSrcAt), loaded: rel(loaded), painted: rel(end) };
          window.__gosimSrcAt = null;
          resolve(end - start);
        });
      } else if (performance.now() - armed > 10000) resolve(null);
      else setTimeout(poll, 5);
    };
    poll();
  }); }, before);
  if (process.env.DEBUG) console.log("act", Date.now());
  await act();
  const ms = await page.evaluate(() => window.__gosimChange);
  if (process.env.TRACE) console.log(`  move ${ms?.toFixed(0)} ms:`, JSON.stringify(await page.evaluate(() => window.__gosimStages)));
  if (process.env.DEBUG) console.log("input", await page.evaluate(() => window.__gosimInputEpoch), "shown", Date.now());
  return ms;
}

async function movePanels(page, where) {
  const latencies = [];
  const panels = await page.$$(".gosim-panel");
  const active = () => page.evaluate(() => window.jupyterapp.shell.currentWidget.content.activeCellIndex);
  for (const [n, panel] of panels.entries()) {
    await panel.scrollIntoViewIfNeeded();
    // A panel's controls must not make their cell the active one (gosim.widgets.lab's CellGuard): activating a
    // cell in a long notebook took 80-250 ms (JupyterLab resets every other code cell's editor).
    const before = await active();
    for (const handle of await panel.$$(".noUi-handle")) {
      for (let k = 0; k < 2; k++) {
        // step towards the end that has room (a slider may start at its last value)
        const key = await handle.evaluate((h) =>
          Number(h.getAttribute("aria-valuenow")) >= Number(h.getAttribute("aria-valuemax")) ? "ArrowLeft" : "ArrowRight");
        const ms = await timeChange(page, panel, async () => { await handle.focus(); await page.keyboard.press(key); });
        if (process.env.DEBUG) console.log("slider", key, ms, await frameId(panel));
        if (ms === null) fail(where, `panel ${n + 1}: moving a slider did not change the figure within 10 s`);
        else latencies.push(ms);
      }
    }
    for (const group of await panel.$$(".widget-toggle-buttons")) {
      const buttons = await group.$$("button");
      const target = [];
      for (const b of buttons) if (!(await b.getAttribute("class")).includes("mod-active")) target.push(b);
      if (!target.length) continue;
      const ms = await timeChange(page, panel, () => target[0].click());
      if (process.env.DEBUG) console.log("button", ms, await frameId(panel));
      if (ms === null) fail(where, `panel ${n + 1}: pressing a button did not change the figure within 10 s`);
      else latencies.push(ms);
    }
    const after = await active();
    if (after !== before) fail(where, `panel ${n + 1}: moving its controls made cell ${after + 1} active (was ${before + 1}): the CellGuard did not stop the events`);
  }
  return { panels: panels.length, latencies };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.max(0, Math.ceil(p * s.length) - 1)]; // nearest rank
  return s.length ? { median: (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2, p90: q(0.9), n: s.length } : null;
};

const server = await startLab();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
const all = [];
try {
  for (const chapter of chapters) {
    const where = path.basename(chapter);
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.on("pageerror", (err) => fail(where, `page error: ${err.message}`));
    if (process.env.DEBUG) page.on("console", (m) => console.log("console:", m.type(), m.text().slice(0, 300)));
    if (!process.env.NOROUTE) await context.route("**/*", (route) => {
      const u = route.request().url();
      if (u.startsWith(server.base) || u.startsWith("data:") || u.startsWith("blob:")) return route.continue();
      if (process.env.DEBUG) console.log("aborted:", u);
      return route.abort(); // JupyterLab's news, extension manager: nothing leaves the machine
    });
    const t0 = Date.now();
    // A workspace of its own per chapter, reset: JupyterLab otherwise restores the tabs of the chapters opened
    // before (the default workspace is saved on the server), each starting a kernel, and the chapter to check
    // may not be the current tab. Seen: five kernels started for chapter 5, nothing ran.
    const workspace = `gosim-check-${where.replace(/\W+/g, "-")}`;
    await page.goto(`${server.base}/lab/workspaces/${workspace}/tree/${chapter}?reset&token=${server.token}`,
      { waitUntil: "load" });
    await page.waitForFunction(() => window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel,
      null, { timeout: 120000 });
    const opened = await page.evaluate(() => window.jupyterapp.shell.currentWidget.context.path);
    if (opened !== chapter) throw new Error(`${where}: JupyterLab shows ${opened}, not ${chapter}`);
    const kernels = await (await fetch(`${server.base}/api/sessions?token=${server.token}`)).json();
    if (kernels.length !== 1) {
      throw new Error(`${where}: ${kernels.length} notebook sessions open (${kernels.map((k) => k.path).join(", ")}), expected 1`);
    }
    await page.waitForSelector(".jp-Notebook .jp-Cell", { state: "attached", timeout: 60000 });
    // TRACE=1: every kernel message of a move, sent (>) or received (<), with its time (the stages of a move)
    if (process.env.TRACE) await page.evaluate(() => {
      window.__gosimMsgs = [];
      window.__gosimLong = [];  // the main thread's long tasks (over 50 ms)
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__gosimLong.push([e.startTime, e.duration]); })
        .observe({ type: "longtask" });
      window.jupyterapp.shell.currentWidget.content.activeCellChanged.connect(() => window.__gosimMsgs.push([performance.now(), "!", "activeCell"]));
      window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.anyMessage.connect((_, a) => {
        const m = a.msg; const type = m.header.msg_type;
        const what = type === "status" ? m.content.execution_state : type === "comm_msg" ? `comm(${m.content.data?.method}${m.buffers?.length ? `,${m.buffers.reduce((s, b) => s + (b.byteLength || 0), 0)}B` : ""})` : type;
        window.__gosimMsgs.push([performance.now(), a.direction === "send" ? ">" : "<", what]);
      });
    });
    await runAll(page);
    const ran = ((Date.now() - t0) / 1000).toFixed(0);
    for (const e of await errors(page)) fail(where, `error output: ${e}`);
    const { panels, latencies } = await movePanels(page, where);
    if (!panels) fail(where, "no panel rendered");
    all.push(...latencies);
    const s = stats(latencies);
    console.log(`checked ${where}: ran in ${ran} s, panels=${panels}, moves=${latencies.length}` +
      (s ? `, click-to-figure median ${s.median.toFixed(0)} ms, p90 ${s.p90.toFixed(0)} ms` : ""));
    await page.screenshot({ path: path.join(SHOTS, where.replace(/\.md$/, ".png")) });
    await context.close();
    // shut the chapter's kernel down before the next one starts (2 cores)
    const sessions = await (await fetch(`${server.base}/api/sessions?token=${server.token}`)).json();
    for (const s of sessions) await fetch(`${server.base}/api/sessions/${s.id}?token=${server.token}`, { method: "DELETE" });
  }
} finally {
  await browser.close();
  stopLab(server);
}
const s = stats(all);
if (s) console.log(`click-to-figure over all chapters: median ${s.median.toFixed(0)} ms, p90 ${s.p90.toFixed(0)} ms (n=${s.n})`);
console.log(`screenshots in ${path.relative(ROOT, SHOTS)}`);
if (failures.length) {
  console.error(`\n${failures.length} problem(s):\n` + failures.map((f) => "  " + f).join("\n"));
  process.exit(1);
}
console.log(`check-lab: ${chapters.length} chapters, no problems`);
