// Page weight as a reader's browser sees it: each page of the built site served over HTTP from 127.0.0.1 with a
// cold cache, opened at 1280x720 in headless Chromium without scrolling; every response until load + 3 s is
// counted, text (HTML, JS, CSS, JSON, SVG) at its gzip level-6 size, as a static host serves it, and the rest as
// sent. Prints one line per page and the budget (2 MB per chapter page to first show); exits 1 over budget.
//
// usage: node site/page-weight.mjs _build/html   (make bench runs it when the site is built)
import { chromium } from "playwright-core";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import zlib from "node:zlib";

const [root = "_build/html"] = process.argv.slice(2);
const site = path.resolve(root);
const BUDGET = 2 * 1000 * 1000;
const TEXT = /\.(html|js|css|json|svg|map|txt)$/;
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png",
  ".webp": "image/webp", ".svg": "image/svg+xml", ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf",
  ".json": "application/json" };

const server = http.createServer((req, res) => {
  const file = path.join(site, decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (!file.startsWith(site) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) return res.writeHead(404).end();
  res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });

const pages = fs.readdirSync(path.join(site, "notebooks")).filter((f) => f.endsWith(".html")).sort()
  .map((f) => `notebooks/${f}`).concat(["index.html"].filter((f) => fs.existsSync(path.join(site, f))));
let over = 0;
console.log("page                                  requests   bytes (gzip)  of which images  largest");
for (const rel of pages) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const seen = [];
  page.on("response", (res) => seen.push(res.url()));
  await page.goto(`${base}/${rel}`, { waitUntil: "load" });
  await page.waitForTimeout(3000);
  await context.close();
  let total = 0, images = 0, largest = ["", 0];
  for (const url of new Set(seen)) {
    if (!url.startsWith(base)) continue;
    const file = path.join(site, decodeURIComponent(new URL(url).pathname));
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) continue;
    const raw = fs.readFileSync(file);
    const size = TEXT.test(file) ? zlib.gzipSync(raw, { level: 6 }).length : raw.length;
    total += size;
    if (/\.(png|webp|jpg|svg)$/.test(file)) images += size;
    if (size > largest[1]) largest = [path.basename(file), size];
  }
  const mb = (n) => (n / 1e6).toFixed(2) + " MB";
  const flag = rel.startsWith("notebooks/") && total > BUDGET ? "  OVER BUDGET" : "";
  if (flag) over += 1;
  console.log(`${rel.padEnd(38)}${String(new Set(seen).size).padStart(8)}   ${mb(total).padStart(10)}  ` +
    `${mb(images).padStart(14)}  ${largest[0]} ${mb(largest[1])}${flag}`);
}
await browser.close();
server.close();
console.log(`budget: ${(BUDGET / 1e6).toFixed(1)} MB per chapter page to first show; ${over} over`);
process.exit(over ? 1 : 0);
