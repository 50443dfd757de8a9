import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { command as particles } from "../lib/cli/particles";
import { writeSizedParticleSet } from "../lib/data/synth/sized_particles";
import { readJson } from "../lib/util/fsx";
import { imageOutputNames } from "../lib/particles/outputs";
import { tableCell } from "../lib/particles/html_report";
import { CHROMIUM_FLAGS, findChromium } from "../lib/plots/render";
import { empsDir } from "../lib/data/external";
import { OVERLAY_COLOURS } from "../lib/particles/overlay";
import { parseCsv } from "./csv_reader";

/** The cells of `<table id="particles">` (header and body rows), HTML entities decoded. */
function htmlTable(html: string): { header: string[]; rows: string[][] } {
  const m = /<table id="particles">([\s\S]*?)<\/table>/.exec(html);
  assert.ok(m, "the page has the particles table");
  const un = (s: string): string => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
  const header = [...m[1].matchAll(/<th>([\s\S]*?)<\/th>/g)].map((c) => un(c[1]));
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(m[1])![1];
  const rows = [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1].matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => un(c[1])));
  return { header, rows };
}

interface OutReport {
  images: Array<{ file: string; width: number; height: number; outputs: { instances: string; overlay: string };
    calibration: { source: string } | null; dropped: { scaleBar: number };
    droppedInstances: Array<{ instanceId: number; reason: string }>; particles: Array<Record<string, number>> }>;
}

describe("particles/outputs (particles --out: instance maps, overlays, particles.html)", function () {
  this.timeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-particles-out-"));
  const out = path.join(dir, "out");
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  before(async () => {
    await writeSizedParticleSet(dir, [
      { name: "small", spec: { size: 128, count: 10, medianDiameter: 12, sigmaLog: 0.1 } },
      { name: "large", spec: { size: 128, count: 5, medianDiameter: 24, sigmaLog: 0.1 } },
    ], 2, 5);
    const log = console.log;
    console.log = () => undefined;
    try {
      assert.equal(await particles.run(["--images", path.join(dir, "images"), "--otsu", "--out", out]), 0);
    } finally {
      console.log = log;
    }
  });

  it("names outputs <stem>_instances.png / <stem>_overlay.png per class folder, keeping extensions only where stems collide", () => {
    assert.deepEqual(imageOutputNames(["a/x.png", "b/x.png", "y.png", "y.jpg", "z.tif"]).map((n) => n.overlay),
      ["a/x_overlay.png", "b/x_overlay.png", "y.png_overlay.png", "y.jpg_overlay.png", "z_overlay.png"]);
  });

  it("writes a 16-bit instance map per image whose non-zero values are exactly the table's instanceIds and the dropped ones", async () => {
    const rep = readJson<OutReport>(path.join(out, "particles.json"));
    assert.equal(rep.images.length, 4);
    for (const im of rep.images) {
      const file = path.join(out, im.outputs.instances);
      assert.ok(fs.existsSync(file), `${im.outputs.instances} written`);
      const { data, info } = await sharp(file).toColourspace("grey16").raw({ depth: "ushort" }).toBuffer({ resolveWithObject: true });
      assert.deepEqual([info.width, info.height, info.channels], [im.width, im.height, 1]);
      const v = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
      const area = new Map<number, number>();
      for (const x of v) if (x) area.set(x, (area.get(x) ?? 0) + 1);
      const ids = [...im.particles.map((p) => p.instanceId), ...im.droppedInstances.map((d) => d.instanceId)].sort((a, b) => a - b);
      assert.deepEqual([...area.keys()].sort((a, b) => a - b), ids, `${im.file}: map values = kept + dropped ids`);
      for (const p of im.particles) assert.equal(area.get(p.instanceId), p.areaPixels, `${im.file} instanceId ${p.instanceId}: area`);
      assert.ok(im.particles.length > 0);
    }
  });

  it("writes an RGB overlay per image at the micrograph's size", async () => {
    const rep = readJson<OutReport>(path.join(out, "particles.json"));
    for (const im of rep.images) {
      const meta = await sharp(path.join(out, im.outputs.overlay)).metadata();
      assert.deepEqual([meta.width, meta.height, meta.channels], [im.width, im.height, 3]);
    }
  });

  it("writes a self-contained particles.html whose table is particles.csv", () => {
    const html = fs.readFileSync(path.join(out, "particles.html"), "utf8");
    // nothing to fetch: no external script, stylesheet or image; plotly.js inlined
    assert.doesNotMatch(html, /<script[^>]*\bsrc\s*=/i, "no <script src=…>");
    assert.doesNotMatch(html, /<link[^>]*\bhref\s*=\s*["']?(https?:)?\/\//i, "no external stylesheet");
    assert.doesNotMatch(html, /<img[^>]*\bsrc\s*=\s*["']?(https?:)?\/\//i, "no remote image");
    const imgs = [...html.matchAll(/<img[^>]*\bsrc="([^"]*)"/g)].map((m) => m[1]);
    assert.equal(imgs.length, 4, "one thumbnail per image");
    for (const s of imgs) assert.match(s, /^data:image\/png;base64,/);
    assert.ok(html.includes("Plotly.newPlot") && html.length > 3_000_000, "plotly.js is inlined (≈4.8 MB) and draws the histogram");
    const figs = [...html.matchAll(/var fig=(\{[\s\S]*?\});var el=/g)].map((m) => JSON.parse(m[1]) as { data: Array<{ name: string; x: number[] }> });
    assert.equal(figs.length, 1, "one histogram (every image in px)");
    assert.deepEqual(figs[0].data.map((t) => t.name).sort(), ["large", "small"], "one series per class");
    const csv = parseCsv(fs.readFileSync(path.join(out, "particles.csv"), "utf8"));
    assert.equal(figs[0].data.reduce((n, t) => n + t.x.length, 0), csv.rows.length, "the histogram counts every particle of the table");
    const table = htmlTable(html);
    assert.deepEqual(table.header, csv.header);
    assert.equal(table.rows.length, csv.rows.length);
    assert.ok(csv.rows.length > 10);
    table.rows.forEach((cells, i) => {
      csv.header.forEach((h, j) => {
        const c = csv.rows[i][h];
        const num = Number(c);
        if (c !== "" && Number.isFinite(num)) assert.equal(cells[j], tableCell(num), `row ${i} ${h}: ${cells[j]} vs csv ${c}`);
        else assert.equal(cells[j], c, `row ${i} ${h}`);
      });
    });
    // the thumbnails link to the overlays beside the page
    for (const m of html.matchAll(/<a href="([^"]+)">/g)) assert.ok(fs.existsSync(path.join(out, decodeURI(m[1]))), `${m[1]} exists`);
  });

  it("renders offline in headless Chromium: the histogram draws, every thumbnail decodes, no network request", async function () {
    const exe = findChromium();
    if (!exe) { console.log("      (skipped: no Chromium; apt-get install chromium)"); this.skip(); }
    // Minimal structural types of the playwright-core calls used here.
    interface Page {
      route(url: string, h: (r: { request(): { url(): string }; abort(): Promise<void>; continue(): Promise<void> }) => Promise<void>): Promise<void>;
      on(ev: "pageerror", f: (e: Error) => void): void;
      goto(url: string): Promise<unknown>;
      waitForFunction(f: () => boolean, arg?: unknown, o?: { timeout: number }): Promise<unknown>;
      evaluate<R>(f: () => R): Promise<R>;
    }
    const { chromium } = require("playwright-core") as { chromium: { launch(o: object): Promise<{ newPage(): Promise<Page>; close(): Promise<void> }> } };
    const browser = await chromium.launch({ executablePath: exe, headless: true, args: [...CHROMIUM_FLAGS], handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
    try {
      const page = await browser.newPage();
      const requested: string[] = [], errors: string[] = [];
      await page.route("**/*", async (r) => {
        const u = r.request().url();
        if (/^(file|data):/.test(u)) await r.continue(); else { requested.push(u); await r.abort(); }
      });
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto("file://" + path.join(out, "particles.html"));
      await page.waitForFunction(() => document.querySelectorAll("#size-histogram-0 .main-svg").length > 0, undefined, { timeout: 30_000 });
      const state = await page.evaluate(() => ({
        bars: document.querySelectorAll("#size-histogram-0 .bars .point").length,
        images: Array.from(document.images).map((i) => i.complete && i.naturalWidth > 0),
      }));
      assert.deepEqual(requested, [], "the page asks for nothing outside itself");
      assert.deepEqual(errors, [], "no script error");
      assert.ok(state.bars > 0, "histogram bars drawn");
      assert.deepEqual(state.images, [true, true, true, true], "every thumbnail decodes");
    } finally {
      await browser.close();
    }
  });

  it("on real EMPS micrographs: the found scale bar is marked blue on the overlay and its particle is listed as dropped", async function () {
    const src = path.join(empsDir(), "images");
    const ids = ["00655d9628"]; // a TEM image with a boxed "200 nm" bar
    if (!ids.every((id) => fs.existsSync(path.join(src, `${id}.jpg`)))) { console.log(`      (skipped: ${src} lacks ${ids.join(", ")}; set NANOMORPH_EMPS_DIR)`); this.skip(); }
    const imgs = path.join(dir, "emps");
    fs.mkdirSync(imgs, { recursive: true });
    for (const id of ids) fs.copyFileSync(path.join(src, `${id}.jpg`), path.join(imgs, `${id}.jpg`));
    const o = path.join(dir, "emps-out");
    const log = console.log;
    console.log = () => undefined;
    try {
      assert.equal(await particles.run(["--images", imgs, "--out", o]), 0);
    } finally {
      console.log = log;
    }
    const rep = readJson<OutReport>(path.join(o, "particles.json"));
    const im = rep.images.find((r) => r.file.startsWith(ids[0]))!;
    assert.equal(im.calibration?.source, "scalebar");
    assert.equal(im.droppedInstances.filter((d) => d.reason === "scaleBar").length, im.dropped.scaleBar);
    const { data, info } = await sharp(path.join(o, im.outputs.overlay)).raw().toBuffer({ resolveWithObject: true });
    let edge = 0;
    for (let p = 0; p < info.width * info.height; p++) {
      const c = [data[p * info.channels], data[p * info.channels + 1], data[p * info.channels + 2]];
      if (c.every((v, k) => v === OVERLAY_COLOURS.scaleBar[k])) edge++;
    }
    assert.ok(edge >= 100, `${edge} pixels of the scale-bar box edge colour: the excluded box is drawn`);
  });
});
