import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { command as particles } from "../lib/cli/particles";
import { calibrateImage as calibrateImageFile, parseScaleBarArg } from "../lib/particles/calibrate";
import { renderSynthBar, synthBackground } from "../lib/data/scalebar/synth_bar";
import { encodeGreyPng } from "../lib/data/synth/png";
import { Rng } from "../lib/util/rng";
import { analyseFolder } from "../lib/particles/analyse_folder";
import { imageRecord, summariseImages } from "../lib/particles/records";
import { command as segment } from "../lib/cli/segment";
import * as tf from "@tensorflow/tfjs";
import { UsageError } from "../lib/cli/args";
import { writeSizedParticleSet } from "../lib/data/synth/sized_particles";
import { readJson } from "../lib/util/fsx";
import sharp from "sharp";
import { makeMask } from "../lib/image/mask";
import { extractParticles } from "../lib/particles/extract";
import { parseCsv } from "./csv_reader";

/** Run a command with console.log captured; returns exit code and stdout text. */
async function capture(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.map(String).join(" ")); };
  try {
    return { code: await run(), out: lines.join("\n") };
  } finally {
    console.log = orig;
  }
}

interface Report {
  images: Array<{ file: string; class: string; nmPerPx: number | null; unit: string; calibration: { source: string } | null; calibrationFrom: string; dropped: { found: number; kept: number; border: number; tooSmall: number; scaleBar: number; notParticle: number }; particles: Array<Record<string, number>> }>;
  summary: { perClass: Record<string, { particles: number; stats: Record<string, { count: number; median: number }> }>; overall: { particles: number } };
}

describe("cli particles", function () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-particles-cli-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  before(async () => {
    await writeSizedParticleSet(dir, [
      { name: "small", spec: { size: 128, count: 8, medianDiameter: 12, sigmaLog: 0.1 } },
      { name: "large", spec: { size: 128, count: 5, medianDiameter: 24, sigmaLog: 0.1 } },
    ], 2, 31);
  });

  it("writes JSON and CSV in nm with the masks, and the CSV round-trips the JSON", async () => {
    const out = path.join(dir, "out-nm");
    const r = await capture(() => particles.run(["--images", path.join(dir, "images"), "--masks", path.join(dir, "masks"), "--nm-per-px", "0.5", "--out", out, "--json"]));
    assert.equal(r.code, 0);
    const rep = JSON.parse(r.out) as Report;
    assert.deepEqual(rep, readJson<Report>(path.join(out, "particles.json")));
    assert.equal(rep.images.length, 4);
    for (const im of rep.images) {
      assert.equal(im.nmPerPx, 0.5);
      assert.equal(im.unit, "nm");
      assert.equal(im.calibration?.source, "user");
      assert.equal(im.calibrationFrom, "user: --nm-per-px");
      assert.equal(im.dropped.found, im.dropped.kept + im.dropped.border + im.dropped.tooSmall);
      for (const p of im.particles) assert.ok("equivalentDiameterNm" in p && "feretMaxNm" in p && "feretMinNm" in p && "aspectRatio" in p && !("equivalentDiameterPx" in p));
    }
    // the class of the small particles has the smaller median diameter (12 vs 24 px drawn = 6 vs 12 nm)
    const med = (c: string): number => rep.summary.perClass[c].stats.equivalentDiameterNm.median;
    assert.ok(Math.abs(med("small") - 6) < 1 && Math.abs(med("large") - 12) < 1.5, `medians ${med("small")}, ${med("large")}`);
    const rows = parseCsv(fs.readFileSync(path.join(out, "particles.csv"), "utf8")).rows;
    const all = rep.images.flatMap((im) => im.particles.map((p) => ({ file: im.file, p })));
    assert.equal(rows.length, all.length);
    rows.forEach((row, i) => {
      assert.equal(row.file, all[i].file);
      assert.equal(row.unit, "nm");
      // every row says where its nm/px came from
      assert.deepEqual([Number(row.nmPerPx), row.calibrationSource, row.calibrationFrom], [0.5, "user", "user: --nm-per-px"]);
      for (const k of ["equivalentDiameterNm", "feretMaxNm", "areaNm2", "circularity", "solidity"]) assert.equal(Number(row[k]), all[i].p[k], `${k} row ${i}`);
    });
    const sum = parseCsv(fs.readFileSync(path.join(out, "particles_summary.csv"), "utf8")).rows;
    const cls = sum.find((s) => s.level === "class" && s.group === "small" && s.quantity === "equivalentDiameterNm");
    assert.ok(cls && Number(cls.median) === med("small"));
  });

  it("thresholds with Otsu and reports pixels with px-suffixed names when uncalibrated", async () => {
    const r = await capture(() => particles.run(["--images", path.join(dir, "images"), "--otsu", "--json"]));
    const rep = JSON.parse(r.out) as Report;
    for (const im of rep.images) {
      assert.equal(im.nmPerPx, null);
      assert.equal(im.unit, "px");
      assert.ok(im.particles.length > 0);
      for (const p of im.particles) assert.ok("equivalentDiameterPx" in p && "areaPx2" in p && !("areaNm2" in p));
    }
    const text = await capture(() => particles.run(["--images", path.join(dir, "images")]));
    assert.match(text.out, /class small: 2 image\(s\), \d+ particle\(s\) kept; dropped \d+ at the border, \d+ under 10 px, \d+ as not particles/);
  });

  it("runs the bundled object filter with Otsu by default, not with masks, and --filter none turns it off", async () => {
    type Filtered = Report & { settings: { objectFilter: { filter: string; threshold: number } | null; objectJudge: { judge: string; threshold: number } | null; growEdges: number | null; edgeLevel: number | null; edgeRefiner: string | null } };
    const run = async (args: string[]): Promise<Filtered> => JSON.parse((await capture(() => particles.run(["--images", path.join(dir, "images"), ...args, "--json"]))).out) as Filtered;
    const def = await run([]), none = await run(["--filter", "none"]), masks = await run(["--masks", path.join(dir, "masks")]);
    assert.equal(def.settings.objectFilter?.filter, "bundled");
    // The default route grows its kept particles to their edges; --grow-edges 0 keeps Otsu's outlines, the same particles.
    const flat = await run(["--grow-edges", "0"]);
    assert.deepEqual([def.settings.growEdges, flat.settings.growEdges, none.settings.growEdges, masks.settings.growEdges], [4, 0, null, null]);
    const areas = (r: Report): number[] => r.images.flatMap((im) => im.particles.map((p) => p.areaPx2));
    assert.equal(areas(def).length, areas(flat).length);
    assert.ok(areas(def).every((a, i) => a >= areas(flat)[i]) && areas(def).some((a, i) => a > areas(flat)[i]), "grown particles are larger");
    // A higher edge level (nearer the half level of the blur) grows less.
    const half = await run(["--edge-level", "0.5"]);
    assert.deepEqual([def.settings.edgeLevel, half.settings.edgeLevel, flat.settings.edgeLevel], [0.15, 0.5, null]);
    assert.ok(areas(half).every((a, i) => a <= areas(def)[i] && a >= areas(flat)[i]));
    // After the growth, the bundled outline refiner grows on (never shrinks); --edge-refiner none stops at the edge level.
    const unrefined = await run(["--edge-refiner", "none"]);
    assert.deepEqual([def.settings.edgeRefiner, unrefined.settings.edgeRefiner, flat.settings.edgeRefiner, masks.settings.edgeRefiner], ["bundled", null, null, null]);
    assert.ok(areas(def).every((a, i) => a >= areas(unrefined)[i]) && areas(unrefined).every((a, i) => a >= areas(flat)[i]));
    await assert.rejects(particles.run(["--images", path.join(dir, "images"), "--grow-edges", "0", "--edge-refiner", "bundled"]),
      (e: Error) => e instanceof UsageError && /--edge-refiner grows the particles on after --grow-edges/.test(e.message));
    await assert.rejects(particles.run(["--images", path.join(dir, "images"), "--edge-refiner", path.join(dir, "no-refiner.json")]),
      (e: Error) => e instanceof UsageError && /--edge-refiner: outline refiner .*no-refiner.json does not exist/.test(e.message));
    await assert.rejects(particles.run(["--images", path.join(dir, "images"), "--masks", path.join(dir, "masks"), "--grow-edges", "2"]),
      (e: Error) => e instanceof UsageError && /--grow-edges sets how the particles of the default route .* grow to their edges; leave it out with --masks/.test(e.message));
    assert.ok(def.settings.objectFilter!.threshold > 0 && def.settings.objectFilter!.threshold < 1);
    assert.equal(none.settings.objectFilter, null);
    assert.equal(masks.settings.objectFilter, null);
    const found = (r: Report): number => r.images.reduce((a, im) => a + im.dropped.found, 0);
    const kept = (r: Report): number => r.images.reduce((a, im) => a + im.dropped.kept, 0);
    const notParticle = (r: Report): number => r.images.reduce((a, im) => a + im.dropped.notParticle, 0);
    // --judge none: the filter's one segmentation, where the filter only drops.
    const filterOnly = await run(["--judge", "none"]);
    assert.equal(found(filterOnly), found(none), "the same objects are found; the filter only drops");
    assert.equal(kept(filterOnly) + notParticle(filterOnly), kept(none));
    assert.equal(notParticle(none), 0);
    // clean generated particles are particles: the filter keeps nearly all of them
    assert.ok(kept(filterOnly) >= 0.9 * kept(none), `kept ${kept(filterOnly)} of ${kept(none)}`);
    // By default the judge picks among its segmentations; the base segmentation's objects it turned down are reported as notParticle.
    assert.deepEqual([def.settings.objectJudge?.judge, filterOnly.settings.objectJudge, none.settings.objectJudge, masks.settings.objectJudge], ["bundled", null, null, null]);
    assert.ok(notParticle(def) <= 0.1 * kept(def), `the judge turned down ${notParticle(def)} and kept ${kept(def)} of these clean particles`);
    assert.ok(def.images.every((im) => im.dropped.kept + im.dropped.notParticle + im.dropped.border + im.dropped.tooSmall + im.dropped.scaleBar === im.dropped.found));
    assert.ok(Math.abs(kept(def) - kept(filterOnly)) <= 0.1 * kept(filterOnly), `the judge kept ${kept(def)}, the filter ${kept(filterOnly)} of these clean particles`);
    await assert.rejects(particles.run(["--images", path.join(dir, "images"), "--filter", "none", "--judge", "bundled"]),
      (e: Error) => e instanceof UsageError && /--judge picks the default route's particles/.test(e.message));
    await assert.rejects(particles.run(["--images", path.join(dir, "images"), "--judge", path.join(dir, "no-judge.json")]),
      (e: Error) => e instanceof UsageError && /--judge: object judge .*no-judge.json does not exist/.test(e.message));
    await assert.rejects(particles.run(["--images", path.join(dir, "images"), "--filter", path.join(dir, "no-filter.json")]),
      (e: Error) => e instanceof UsageError && /--filter: object filter .*no-filter.json does not exist/.test(e.message));
  });

  it("applies the bundled particle model with --model bundled (no watershed; same report shape)", async () => {
    const r = await capture(() => particles.run(["--images", path.join(dir, "images"), "--model", "bundled", "--json"]));
    const rep = JSON.parse(r.out) as Report & { settings: { model: { model: string; design: string } | null; threshold: string | null } };
    assert.deepEqual(rep.settings.model, { model: "bundled", design: "distance" });
    assert.equal(rep.settings.threshold, null);
    for (const im of rep.images) assert.ok(im.dropped.found >= im.dropped.kept && im.particles.length === im.dropped.kept);
  });

  it("rejects bad options before any work, naming the option", async () => {
    const img = path.join(dir, "images");
    const file = path.join(dir, "a-file");
    fs.writeFileSync(file, "x");
    await assert.rejects(particles.run(["--images", img, "--out", file]), (e: Error) => e instanceof UsageError && /--out .* is a file/.test(e.message));
    await assert.rejects(particles.run(["--images", img, "--nm-per-px", "0"]), /--nm-per-px must be a positive number/);
    // outside the physical range 1e-6…1e9 nm/px (1e308 used to print null lengths)
    for (const v of ["1e308", "1e-9", "abc"]) await assert.rejects(particles.run(["--images", img, "--nm-per-px", v]), (e: Error) => e instanceof UsageError && /--nm-per-px must be a positive number of nm per pixel in 1e-6…1e9 nm\/px, got/.test(e.message), v);
    // --threshold is a probability everywhere (segment's too): here only for a --segment model's output
    await assert.rejects(particles.run(["--images", img, "--threshold", "mean"]), /--threshold must be a number in \(0, 1\), got 'mean'/);
    await assert.rejects(particles.run(["--images", img, "--threshold", "0.4"]), /--threshold P is the probability threshold of a --segment model's output/);
    await assert.rejects(particles.run(["--images", img, "--masks", path.join(dir, "masks"), "--otsu"]), /one of --otsu, --model M, --masks DIR or --segment MODEL, not --masks and --otsu/);
    await assert.rejects(particles.run(["--images", img, "--masks", path.join(dir, "masks"), "--segment", dir]), /not --masks and --segment/);
    await assert.rejects(particles.run(["--images", path.join(dir, "nope")]), /--images .* is not a folder/);
    await assert.rejects(particles.run(["--images", img, "--model", path.join(dir, "no-model")]), (e: Error) => e instanceof UsageError && /--model: particle model .*no-model does not exist/.test(e.message));
    await assert.rejects(particles.run(["--images", img, "--model", path.join(dir, "masks")]), /--model: .* is not a particle model: it has no manifest.json/);
    await assert.rejects(particles.run(["--images", img, "--model", "bundled", "--h", "3"]), /the particle model separates particles itself/);
    await assert.rejects(particles.run(["--images", img, "--model", "bundled", "--otsu"]), /not --model and --otsu/);
    await assert.rejects(particles.run(["--images", img, "--segment", path.join(dir, "no-model")]),
      (e: Error) => e instanceof UsageError && /--segment: segment model .*no-model does not exist/.test(e.message));
    await assert.rejects(particles.run(["--images", img, "--segment", path.join(dir, "masks")]),
      (e: Error) => e instanceof UsageError && /holds no segment model/.test(e.message));
    const partial = path.join(dir, "partial-masks");
    fs.mkdirSync(partial);
    fs.copyFileSync(path.join(dir, "masks", "small", "small_000.png"), path.join(partial, "small_000_pred.png"));
    await assert.rejects(particles.run(["--images", img, "--masks", partial]), /no mask in .* for .*large_000\.png \(and 2 more images\)/);
  });
});

describe("cli particles --segment (the model `segment --out` saves)", function () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-particles-seg-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  before(async () => {
    await writeSizedParticleSet(dir, [{ name: "p", spec: { size: 96, count: 7, medianDiameter: 16, sigmaLog: 0.1 } }], 5, 77);
  });

  it("segment --out DIR saves DIR/model; particles --segment DIR (or DIR/model) finds the particles of the held-out masks segment wrote", async () => {
    const seg = path.join(dir, "seg");
    const r = await capture(() => segment.run(["--images", path.join(dir, "images", "p"), "--masks", path.join(dir, "masks", "p"), "--encoder", "resnet8",
      "--train", "3", "--size", "96", "--epochs", "15", "--out", seg, "--json"]));
    assert.equal(r.code, 0);
    const rep = JSON.parse(r.out) as { model: string; images: Array<{ image: string }> };
    assert.equal(rep.model, path.join(seg, "model"));
    assert.ok(fs.existsSync(path.join(seg, "model", "manifest.json")));
    // the held-out images alone, so the _pred.png masks segment wrote pair with every one
    const held = path.join(dir, "held-out");
    fs.mkdirSync(held);
    for (const im of rep.images) fs.copyFileSync(path.join(dir, "images", "p", im.image), path.join(held, im.image));
    const n0 = tf.memory().numTensors;
    const viaModel = JSON.parse((await capture(() => particles.run(["--images", held, "--segment", seg, "--json"]))).out) as Report & { settings: { segment: { model: string; threshold: number } } };
    assert.equal(tf.memory().numTensors, n0, "the model is disposed after the folder");
    const viaSubdir = JSON.parse((await capture(() => particles.run(["--images", held, "--segment", path.join(seg, "model"), "--json"]))).out) as Report;
    const viaMasks = JSON.parse((await capture(() => particles.run(["--images", held, "--masks", seg, "--json"]))).out) as Report;
    assert.equal(viaModel.settings.segment.model, path.join(seg, "model"));
    assert.equal(viaModel.settings.segment.threshold, 0.5);
    assert.equal(viaModel.images.length, 2);
    const rows = viaModel.images.flatMap((im) => im.particles);
    assert.ok(rows.length > 0, "the trained model finds particles");
    for (const p of rows) assert.ok(p.equivalentDiameterPx > 0 && p.areaPx2 > 0);
    // the same network and path as segment's own held-out predictions: the same particles
    assert.deepEqual(viaModel.images.map((im) => im.particles), viaMasks.images.map((im) => im.particles));
    assert.deepEqual(viaSubdir.images.map((im) => im.particles), viaModel.images.map((im) => im.particles));
  });
});

describe("particles/calibrate", () => {
  it("uses the user's nm/px when given, else none, and names the option for a bad value", async () => {
    const { calibrationFor } = await import("../lib/particles/calibrate");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "particles-cal-"));
    const png = path.join(dir, "plain.png");
    await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 90, g: 90, b: 90 } } }).png().toFile(png);
    assert.equal(await calibrationFor(png, { scaleBars: false }), null);
    assert.equal(await calibrationFor(png), null, "no metadata and no bar: no calibration");
    const c = await calibrationFor(png, { nmPerPx: 0.25, scaleBars: false });
    assert.deepEqual([c?.nmPerPxX, c?.nmPerPxY, c?.source], [0.25, 0.25, "user"]);
    await assert.rejects(calibrationFor(png, { nmPerPx: -2, scaleBars: false }), /--nm-per-px must be a positive number/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const real = path.join(__dirname, "..", "..", "shared", "data", "nanowire-examples", "bundle.png");
  it("falls back to the burnt-in scale bar of a real crop, and returns its box for exclusion", async function () {
    if (!fs.existsSync(real)) { console.log(`      (skipped: ${real} not found)`); this.skip(); }
    this.timeout(60_000);
    const { calibrateImage } = await import("../lib/particles/calibrate");
    const r = await calibrateImage(real);
    assert.equal(r.calibration?.source, "scalebar");
    assert.ok(Math.abs(r.calibration!.nmPerPxX - 1.336) / 1.336 < 0.03, `nm/px ${r.calibration?.nmPerPxX}`);
    assert.equal(r.exclude.length, 1);
    const u = await calibrateImage(real, { nmPerPx: 2 });
    assert.equal(u.calibration?.source, "user", "the user's value wins over the bar");
    assert.equal(u.exclude.length, 1, "the bar is excluded whatever calibrated the image");
  });

  it("drops particles touching an excluded box and counts them", () => {
    const m = makeMask(40, 20, (x, y) => (x - 10) ** 2 + (y - 10) ** 2 < 16 || (x - 30) ** 2 + (y - 10) ** 2 < 16);
    const r = extractParticles(m, null, { exclude: [{ x0: 25, y0: 0, x1: 40, y1: 20 }] });
    assert.deepEqual(r.dropped, { border: 0, tooSmall: 0, scaleBar: 1, notParticle: 0, found: 2, kept: 1 });
    // Beside the box counts as touching it (a route that leaves the box out cuts a particle at its edge); one pixel off does not.
    const rightmost = Math.max(...Array.from({ length: 40 }, (_, x) => x).filter((x) => m.data[10 * 40 + x]));
    assert.equal(extractParticles(m, null, { exclude: [{ x0: rightmost + 1, y0: 0, x1: 40, y1: 20 }] }).dropped.scaleBar, 1);
    assert.equal(extractParticles(m, null, { exclude: [{ x0: rightmost + 2, y0: 0, x1: 40, y1: 20 }] }).dropped.scaleBar, 0);
  });
});

describe("particles: scale bars in calibrateImage", () => {
  it("rejects a --scale-bar that is not a length before any work, naming the option", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-sbarg-"));
    await assert.rejects(particles.run(["--images", dir, "--otsu", "--scale-bar", "100"]), (e: Error) => e instanceof UsageError && /--scale-bar '100' is not a length such as 100nm/.test(e.message));
  });

  it("parses --scale-bar lengths and refuses text that is not one", () => {
    assert.equal(parseScaleBarArg("100nm").nm, 100);
    assert.equal(parseScaleBarArg("0.5 µm").nm, 500);
    assert.equal(parseScaleBarArg("2um").nm, 2000);
    assert.throws(() => parseScaleBarArg("100"), /--scale-bar '100' is not a length/);
    assert.throws(() => parseScaleBarArg("big"), /--scale-bar 'big'/);
  });

  it("excludes a bar whose label is unreadable, and measures it when --scale-bar states the label", async function () {
    this.timeout(120000);
    const size = 384;
    // A 120-px bar with no label text: found, never read.
    const spec = { lengthPx: 120, thicknessPx: 6, barNm: 200, text: " ", font: "DejaVu Sans", bold: false, fontPx: 24, corner: "bottom-right" as const, labelSide: "above" as const, ink: 255, panel: null };
    const { image, truth } = await renderSynthBar(synthBackground(new Rng(3), size), spec);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-cal-"));
    const png = path.join(dir, "bar.png");
    fs.writeFileSync(png, await encodeGreyPng(image.data, size, size));
    const plain = await calibrateImageFile(png);
    assert.equal(plain.calibration, null);
    assert.match(plain.why ?? "", /no scale bar found/);
    assert.equal(plain.exclude.length, 1, "an unread bar is still excluded");
    const e = plain.exclude[0];
    assert.ok(e.x0 <= truth.bar.x0 && e.x1 >= truth.bar.x1 && e.y0 <= truth.bar.y0 && e.y1 >= truth.bar.y1, JSON.stringify({ e, bar: truth.bar }));
    const stated = await calibrateImageFile(png, { scaleBarLabel: parseScaleBarArg("200nm") });
    assert.ok(stated.calibration);
    assert.equal(stated.calibration.source, "scalebar");
    assert.ok(Math.abs(stated.calibration.nmPerPxX - 200 / 120) / (200 / 120) < 0.01, `${stated.calibration.nmPerPxX}`);
    assert.match(stated.calibration.detail, /--scale-bar 200 nm/);
    // The same bar with a grey blob joined to its right end: its length is unsure, so no --scale-bar either.
    for (let y = truth.bar.y0; y < truth.bar.y1; y++) for (let x = truth.bar.x1; x < truth.bar.x1 + 12; x++) image.data[y * size + x] = 205;
    const blobbed = path.join(dir, "blob.png");
    fs.writeFileSync(blobbed, await encodeGreyPng(image.data, size, size));
    const unsure = await calibrateImageFile(blobbed, { scaleBarLabel: parseScaleBarArg("200nm") });
    assert.equal(unsure.calibration, null);
    assert.match(unsure.why ?? "", /the bar's ends are unclear/);
    // Nor one that runs into the image's edge (it may have been cut with the figure).
    for (let y = truth.bar.y0; y < truth.bar.y1; y++) for (let x = truth.bar.x1; x < size; x++) image.data[y * size + x] = 255;
    const edged = path.join(dir, "edge.png");
    fs.writeFileSync(edged, await encodeGreyPng(image.data, size, size));
    const cut = await calibrateImageFile(edged, { scaleBarLabel: parseScaleBarArg("200nm") });
    assert.equal(cut.calibration, null);
    assert.match(cut.why ?? "", /the bar's ends are unclear/);
  });

  it("measures a short unlabelled bar (24 px) for --scale-bar when its length is known to 2 %, and refuses it blurred", async function () {
    this.timeout(120000);
    const size = 256;
    const spec = { lengthPx: 24, thicknessPx: 3, barNm: 20, text: " ", font: "DejaVu Sans", bold: false, fontPx: 14, corner: "bottom-right" as const, labelSide: "above" as const, ink: 10, panel: 255 };
    const { image } = await renderSynthBar(synthBackground(new Rng(8), size), spec);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-short-"));
    const png = path.join(dir, "short.png");
    fs.writeFileSync(png, await encodeGreyPng(image.data, size, size));
    const ok = await calibrateImageFile(png, { scaleBarLabel: parseScaleBarArg("20nm") });
    assert.ok(ok.calibration, ok.why ?? "");
    assert.ok(Math.abs(ok.calibration.nmPerPxX - 20 / 24) <= 0.02 * (20 / 24), `${ok.calibration.nmPerPxX}`);
    // Blurred σ 1.6 with noise: the same bar's length is not known to 2 %, so no stated label is measured over it.
    const raw = await sharp(Buffer.from(image.data), { raw: { width: size, height: size, channels: 1 } }).blur(1.6).raw().toBuffer({ resolveWithObject: true });
    const rng = new Rng(9);
    const blurred = Uint8Array.from({ length: size * size }, (_, i) => Math.max(0, Math.min(255, raw.data[i * raw.info.channels] + Math.round(rng.uniform(-12, 12)))));
    const png2 = path.join(dir, "short_blurred.png");
    fs.writeFileSync(png2, await encodeGreyPng(blurred, size, size));
    const refused = await calibrateImageFile(png2, { scaleBarLabel: parseScaleBarArg("20nm") });
    assert.equal(refused.calibration, null);
    assert.match(refused.why ?? "", /--scale-bar 20 nm given but (the bar's length [0-9.]+ px is known to ±|the [0-9.]+-px bar's length cannot be bounded|the bar's ends are unclear)/);
  });
});

describe("particles: mixed calibration is said out loud", () => {
  it("names the uncalibrated image and why, and keeps its px statistics apart from the nm ones", async function () {
    this.timeout(120000);
    const size = 384;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-mixed-"));
    // One image with a readable bar ('100 nm' over 100 px, as in data.scalebar's synthetic tests), one without.
    const spec = { lengthPx: 100, thicknessPx: 5, barNm: 100, text: "100 nm", font: "DejaVu Sans", bold: false, fontPx: 24, corner: "bottom-right" as const, labelSide: "above" as const, ink: 255, panel: null };
    const withBar = await renderSynthBar(synthBackground(new Rng(11), size), spec);
    fs.writeFileSync(path.join(dir, "a_bar.png"), await encodeGreyPng(withBar.image.data, size, size));
    fs.writeFileSync(path.join(dir, "b_plain.png"), await encodeGreyPng(synthBackground(new Rng(12), size).data, size, size));
    const lines: string[] = [];
    const out = await analyseFolder(dir, { progress: false, warn: (l) => lines.push(l) });
    const records = out.map(imageRecord);
    assert.deepEqual(records.map((r) => [path.basename(r.file), r.unit]), [["a_bar.png", "nm"], ["b_plain.png", "px"]]);
    assert.ok(Math.abs((records[0].nmPerPx as number) - 1) < 0.02, `nm/px ${records[0].nmPerPx}`);
    const text = lines.join("\n");
    assert.match(text, /1 of 2 images have no calibration/);
    assert.match(text, /b_plain\.png: no calibration metadata in b_plain\.png .*; no scale bar found/);
    assert.doesNotMatch(text, /a_bar\.png/);
    const summary = summariseImages(records);
    const keys = Object.keys(summary.overall.stats);
    assert.ok(keys.includes("equivalentDiameterNm") && keys.includes("equivalentDiameterPx"), keys.join(","));
  });
});

describe("particles: a file that is not a readable image does not undo the folder's work", () => {
  it("skips it, names it with the reason on stderr, stdout and in particles.json, and analyses the rest", async function () {
    this.timeout(120000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-unreadable-"));
    try {
      await writeSizedParticleSet(dir, [{ name: "a", spec: { size: 128, count: 6, medianDiameter: 14, sigmaLog: 0.1 } }], 2, 5);
      const imgs = path.join(dir, "images");
      const good = fs.readdirSync(path.join(imgs, "a")).sort();
      // A PNG cut short (a copy stopped by a full disk) and a TIFF that is text.
      fs.writeFileSync(path.join(imgs, "a", "cut.png"), fs.readFileSync(path.join(imgs, "a", good[0])).subarray(0, 60));
      fs.writeFileSync(path.join(imgs, "a", "notes.tif"), "not an image\n");
      // Without a taker the library throws, naming the file.
      await assert.rejects(analyseFolder(imgs, { progress: false, warn: () => {} }), (e: Error) => /cannot decode image .*cut\.png/.test(e.message));
      const out = path.join(dir, "out");
      const errs: string[] = [];
      const err = console.error;
      console.error = (...a: unknown[]) => { errs.push(a.map(String).join(" ")); };
      let r: { code: number; out: string };
      try {
        r = await capture(() => particles.run(["--images", imgs, "--nm-per-px", "1", "--out", out]));
      } finally {
        console.error = err;
      }
      assert.equal(r.code, 0);
      const rep = readJson<Report & { skipped: Array<{ file: string; reason: string }> }>(path.join(out, "particles.json"));
      assert.deepEqual(rep.images.map((i) => path.basename(i.file)).sort(), good);
      assert.deepEqual(rep.skipped.map((s) => s.file).sort(), [path.join("a", "cut.png"), path.join("a", "notes.tif")]);
      assert.ok(rep.skipped.every((s) => s.reason.length > 0 && !s.reason.startsWith("cannot decode")), JSON.stringify(rep.skipped));
      assert.match(r.out, /2 file\(s\) skipped, not readable as images: a\/cut\.png, a\/notes\.tif|2 file\(s\) skipped, not readable as images: a\/notes\.tif, a\/cut\.png/);
      assert.match(errs.join("\n"), /skipped 2 file\(s\) that are not readable images/);
      assert.match(errs.join("\n"), /a\/cut\.png: /);
      assert.match(fs.readFileSync(path.join(out, "particles.html"), "utf8"), /2 file\(s\) skipped<\/b>, not readable as images:<\/p>\n<ul><li>a\/(cut\.png|notes\.tif): /);
      // A folder where nothing is an image is an error, not an empty result.
      const bad = path.join(dir, "bad");
      fs.mkdirSync(bad);
      fs.copyFileSync(path.join(imgs, "a", "notes.tif"), path.join(bad, "notes.tif"));
      console.error = () => {};
      try {
        await assert.rejects(particles.run(["--images", bad, "--nm-per-px", "1"]), (e: Error) => e instanceof UsageError && /no file could be read as an image \(1 skipped/.test(e.message));
      } finally {
        console.error = err;
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
