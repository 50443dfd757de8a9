import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Rng } from "../lib/util/rng";
import { encodeGreyPng } from "../lib/data/synth/png";
import { findBarCandidates } from "../lib/data/scalebar/find_bar";
import type { GreyImage } from "../lib/data/scalebar/find_bar";
import { isRoundLength, parseLabel, parseLabels } from "../lib/data/scalebar/parse_label";
import { createLabelReader, ocrWorkerSettings } from "../lib/data/scalebar/read_label";
import type { LabelReader } from "../lib/data/scalebar/read_label";
import { findScaleBar } from "../lib/data/scalebar/find_scale_bar";
import { blankRegions, excludeRegionMask } from "../lib/data/scalebar/mask";
import { readScaleBar, scaleBarCalibration } from "../lib/data/scalebar/calibrate";
import { formatScaleBarReport } from "../lib/data/scalebar/report";
import { renderSynthBar, synthBackground } from "../lib/data/scalebar/synth_bar";
import { command as dataCommand } from "../lib/cli/data";
import { UsageError } from "../lib/cli/args";
import type { SynthBarSpec } from "../lib/data/scalebar/synth_bar";

const SIZE = 384;

function spec(over: Partial<SynthBarSpec>): SynthBarSpec {
  return {
    lengthPx: 100, thicknessPx: 5, barNm: 100, text: "100 nm", font: "DejaVu Sans", bold: false, fontPx: 24,
    corner: "bottom-right", labelSide: "above", ink: 255, panel: null, ...over,
  };
}

async function synth(seed: number, s: SynthBarSpec | null): Promise<GreyImage> {
  const bg = synthBackground(new Rng(seed), SIZE);
  return s ? (await renderSynthBar(bg, s)).image : bg;
}

describe("data.scalebar: parse_label", () => {
  it("reads the usual spellings as nanometres", () => {
    // Expected values: the unit definitions (1 µm = 1000 nm, 1 Å = 0.1 nm).
    const cases: [string, number, string][] = [
      ["100 nm", 100, "nm"], ["0.5 µm", 500, "µm"], ["200nm", 200, "nm"], ["1 μm", 1000, "µm"], ["50 Å", 5, "Å"],
      ["2 um", 2000, "µm"], ["Scale: 20 nm", 20, "nm"],
    ];
    for (const [text, nm, unit] of cases) {
      const p = parseLabel(text);
      assert.ok(p, `no label in '${text}'`);
      assert.equal(p.unit, unit, text);
      assert.ok(Math.abs(p.nm - nm) < 1e-9 * nm, `${text}: ${p.nm} nm`);
      assert.equal(p.corrected, false, text);
    }
  });

  it("corrects OCR confusions and flags them", () => {
    // tesseract's eng model has no µ: DejaVu Serif "2 µm" came back as "2 Am" (measured).
    const a = parseLabel("2 Am");
    assert.ok(a && a.nm === 2000 && a.corrected);
    const b = parseLabel("l00 nm");
    assert.ok(b && b.nm === 100 && b.corrected);
    const c = parseLabel("5,0 nm");
    assert.ok(c && c.nm === 5 && c.corrected);
  });

  it("reads the look-alikes tesseract returns for real serif and blurred labels, flagged corrected", () => {
    // Each seen on the real figure crops / EMPS images (test/fixtures/real_scalebars.json).
    const cases: [string, number][] = [["lum", 1000], ["Sum", 5000], ["100'nm", 100], ["200nM", 200], ["2 HM", 2000], ["1pm", 1000]];
    for (const [text, nm] of cases) {
      const p = parseLabel(text);
      assert.ok(p && Math.abs(p.nm - nm) < 1e-9 * nm, `${text}: ${p?.nm}`);
    }
    for (const t of ["lum", "Sum", "200nM", "1pm"]) assert.equal(parseLabel(t)?.corrected, true, t);
    assert.equal(parseLabel("100'nm")?.corrected, false);
    // "T" is read for a "1" as often as for a "7": parsed as 1 but marked guessedDigit (callers never let it
    // count alone); every other reading has real digits. Two look-alikes are never a number.
    const t = parseLabel("Tum");
    assert.ok(t && t.nm === 1000 && t.guessedDigit && t.corrected, JSON.stringify(t));
    for (const x of ["1um", "lum", "Sum", "200 nm", "1pm"]) assert.equal(parseLabel(x)?.guessedDigit, false, x);
    for (const x of ["EHT nm", "Tl nm", "TT um", "SO nm", "Il nm"]) assert.deepEqual(parseLabels(x), [], x);
  });

  it("finds nothing in text without a number and a length unit", () => {
    for (const t of ["nm", "100", "eV 300", "10 | 0 nm", "", "x1/nm", "Oo nm", "050 nm"]) assert.deepEqual(parseLabels(t), [], t);
  });

  it("knows the round lengths bars use", () => {
    for (const v of [1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 0.5, 70]) assert.ok(isRoundLength(v), `${v}`);
    for (const v of [190, 209, 13, 0, -5]) assert.ok(!isRoundLength(v), `${v}`);
  });
});

describe("data.scalebar: mask", () => {
  it("marks the regions, rounding fractional edges outward and clipping to the image", () => {
    const m = excludeRegionMask(6, 4, [{ x0: 1.5, y0: 1, x1: 3.2, y1: 2 }, { x0: 5, y0: 3, x1: 9, y1: 9 }]);
    // Hand-worked: first box covers columns 1..3 of row 1; second is clipped to pixel (5,3).
    const want = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    assert.deepEqual(Array.from(m), want);
    assert.throws(() => excludeRegionMask(0, 4, []), /excludeRegionMask/);
  });

  it("blanks a region with the median of the ring around it", () => {
    const data = new Uint8Array(25).fill(90);
    data[12] = 255; // the 'bar' at (2,2)
    data[0] = 10; // ring outlier, does not move the median
    const out = blankRegions({ data, width: 5, height: 5 }, [{ x0: 2, y0: 2, x1: 3, y1: 3 }]);
    assert.equal(out[12], 90);
    assert.equal(data[12], 255, "input untouched");
    assert.equal(blankRegions({ data, width: 5, height: 5 }, [{ x0: 2, y0: 2, x1: 3, y1: 3 }], 7)[12], 7);
  });
});

describe("data.scalebar: find_bar", () => {
  it("finds crisp bars in every corner, bright and dark, with their exact pixel length", async function () {
    this.timeout(60000);
    const corners = ["top-left", "top-right", "bottom-left", "bottom-right"] as const;
    for (let i = 0; i < corners.length; i++) {
      for (const ink of [255, 0]) {
        const s = spec({ corner: corners[i], ink, lengthPx: 60 + 17 * i, labelSide: i % 2 ? "below" : "above" });
        const { image, truth } = await renderSynthBar(synthBackground(new Rng(i), SIZE), s);
        const c = findBarCandidates(image)[0];
        assert.ok(c, `${corners[i]} ink ${ink}: no candidate`);
        assert.equal(c.polarity, ink === 255 ? "bright" : "dark");
        // crispEdges rectangles: the truth box is exact, so length within 0.5 px.
        assert.ok(Math.abs(c.lengthPx - s.lengthPx) <= 0.5, `${corners[i]} ink ${ink}: ${c.lengthPx} vs ${s.lengthPx}`);
        assert.equal(c.box.x0, truth.bar.x0);
        assert.ok(c.box.y0 >= truth.bar.y0 && c.box.y1 <= truth.bar.y1, JSON.stringify(c.box));
      }
    }
  });

  it("measures a bar on a panel, not the panel", async () => {
    const s = spec({ ink: 255, panel: 0, lengthPx: 81, thicknessPx: 3, labelSide: "below" });
    const { image } = await renderSynthBar(synthBackground(new Rng(3), SIZE), s);
    const c = findBarCandidates(image)[0];
    assert.ok(Math.abs(c.lengthPx - 81) <= 0.5, `${c.lengthPx}`);
  });

  /** A 200×60 image of `bg` with a 6-row bar of `bar` over columns 50…149 and the given columns painted. */
  const barImage = (bg: number, bar: number, paint: Record<number, number>): GreyImage => {
    const w = 200, h = 60;
    const data = new Uint8Array(w * h).fill(bg);
    for (let y = 30; y < 36; y++) {
      for (let x = 50; x < 150; x++) data[y * w + x] = bar;
      for (const [x, v] of Object.entries(paint)) data[y * w + Number(x)] = v;
    }
    return { data, width: w, height: h };
  };

  it("measures a bar whose ends are blurred wider than the threshold's margin at its half-level crossings", () => {
    // Black core 50…149 with 4-px ramps (230, 170, 100, 40) out to the white surround at each end: the
    // darkest threshold's run is 100 px, the half level (127.5) is crossed at 47.607 and 151.393.
    const img = barImage(255, 0, { 46: 230, 47: 170, 48: 100, 49: 40, 150: 40, 151: 100, 152: 170, 153: 230 });
    const c = findBarCandidates(img)[0];
    assert.ok(c, "no candidate");
    assert.ok(Math.abs(c.lengthPx - (151.393 - 47.607)) < 0.01, `${c.lengthPx}`);
    assert.equal(c.endsUnclear, undefined);
  });

  it("says a bar's ends are unclear when the half level runs on into something bright beside it", () => {
    // White bar on black with a grey (200) blob of 10 columns joined to its right end: the half level
    // (137.5) would run 10 px on; the bar's own run is 100 px.
    const paint: Record<number, number> = {};
    for (let x = 150; x < 160; x++) paint[x] = 200;
    const img = barImage(20, 255, paint);
    const c = findBarCandidates(img)[0];
    assert.ok(c, "no candidate");
    assert.equal(c.endsUnclear, true);
    assert.equal(c.lengthPx, 100);
    // Without the blob the same bar is measured plainly.
    const plain = findBarCandidates(barImage(20, 255, {}))[0];
    assert.equal(plain.endsUnclear, undefined);
    assert.ok(Math.abs(plain.lengthPx - 100) <= 0.5, `${plain.lengthPx}`);
  });

  it("says the inside of an outlined bar has unclear ends (the bar meant is the frame's box), but not a bar on a panel", () => {
    // Grey 150 surround; a light (200) frame 2 px wide around a darker (110) inside over columns 50…149,
    // rows 30…31 (as on an EMPS image): the inside has its contrast against the frame, the surround
    // beyond it is back near the inside's grey.
    const w = 200, h = 60;
    const framed = new Uint8Array(w * h).fill(150);
    for (let y = 28; y < 34; y++) for (let x = 48; x < 152; x++) framed[y * w + x] = y < 30 || y >= 32 || x < 50 || x >= 150 ? 200 : 110;
    const c = findBarCandidates({ data: framed, width: w, height: h }).find((k) => k.polarity === "dark" && k.box.y0 >= 30 && k.box.y1 <= 32);
    assert.ok(c, "the inside is found as a bar");
    assert.equal(c.endsUnclear, true);
    // The same dark band on a white panel that reaches 2 px above it but 12 px below (where a label sits).
    const panel = new Uint8Array(w * h).fill(150);
    for (let y = 28; y < 48; y++) for (let x = 40; x < 160; x++) panel[y * w + x] = y >= 30 && y < 36 && x >= 50 && x < 150 ? 20 : 240;
    const p = findBarCandidates({ data: panel, width: w, height: h }).find((k) => k.polarity === "dark");
    assert.ok(p, "the bar on the panel is found");
    assert.equal(p.endsUnclear, undefined);
    assert.ok(Math.abs(p.lengthPx - 100) <= 0.5, `${p.lengthPx}`);
  });

  it("throws naming the function for a wrong-sized buffer", () => {
    assert.throws(() => findBarCandidates({ data: new Uint8Array(10), width: 4, height: 4 }), /findBarCandidates/);
  });
});

describe("data.scalebar: OCR setup", () => {
  it("uses the traineddata shipped in @tesseract.js-data/eng, a local folder, never a URL", () => {
    const s = ocrWorkerSettings({ cachePath: fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-tess-")) });
    assert.ok(path.isAbsolute(s.langPath) && !/^[a-z]+:\/\//i.test(s.langPath), s.langPath);
    assert.ok(s.langPath.includes(path.join("@tesseract.js-data", "eng")), s.langPath);
    assert.ok(fs.statSync(path.join(s.langPath, "eng.traineddata.gz")).size > 1e6);
  });

  it("refuses a langPath without traineddata, naming the folder (no download fallback)", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-nolang-"));
    await assert.rejects(createLabelReader({ langPath: empty }), (e: Error) => e.message.includes(empty) && /eng\.traineddata\.gz/.test(e.message));
  });
});

describe("data.scalebar: findScaleBar", () => {
  let reader: LabelReader;
  before(async function () {
    this.timeout(60000);
    // A fresh cache folder: the data must come from the package's folder (there is no network here).
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-tess-"));
    reader = await createLabelReader({ cachePath: cache });
    // The worker starts on the first read only (a run the template reader decides never starts it).
    assert.ok(!fs.existsSync(path.join(cache, "eng.traineddata")));
    const white: GreyImage = { data: new Uint8Array(40 * 20).fill(255), width: 40, height: 20 };
    await reader.read(white, { x0: 0, y0: 0, x1: 40, y1: 20 }, { full: 0, none: 128 }, [], "line");
    // tesseract.js unpacks what it read from langPath into the cache: the model came from the package.
    assert.ok(fs.statSync(path.join(cache, "eng.traineddata")).size > 1e6);
  });
  after(async () => {
    await reader.terminate();
  });

  // Fonts, sizes, corners, contrasts (white on dark, black on light, on panels) and spellings.
  const positives: SynthBarSpec[] = [
    spec({}),
    spec({ corner: "top-left", ink: 20, text: "200nm", barNm: 200, font: "Liberation Sans", lengthPx: 90, labelSide: "below", fontPx: 26 }),
    spec({ corner: "bottom-left", ink: 10, panel: 255, text: "0.5 µm", barNm: 500, font: "DejaVu Serif", lengthPx: 110, fontPx: 24 }),
    spec({ corner: "top-right", ink: 240, text: "1 μm", barNm: 1000, font: "Liberation Serif", bold: true, lengthPx: 70, fontPx: 28, thicknessPx: 4 }),
    spec({ corner: "bottom-right", ink: 250, panel: 0, text: "50 nm", barNm: 50, font: "DejaVu Sans Mono", lengthPx: 120, fontPx: 22, labelSide: "below" }),
    spec({ corner: "top-left", ink: 15, text: "50 Å", barNm: 5, font: "DejaVu Sans", bold: true, lengthPx: 80, fontPx: 26 }),
  ];
  // Both ways: the template reader first with tesseract as fallback (the default), and tesseract alone.
  for (const [i, s] of positives.entries()) for (const fastReader of [true, false]) {
    it(`reads '${s.text}' (${s.font}${s.bold ? " bold" : ""}, ${s.corner}, ink ${s.ink}${s.panel !== null ? `, panel ${s.panel}` : ""})${fastReader ? "" : " with tesseract alone"}`, async function () {
      this.timeout(60000);
      const { image, truth } = await renderSynthBar(synthBackground(new Rng(100 + i), SIZE), s);
      const r = await findScaleBar(image, { reader, fastReader });
      if (r.found && !fastReader) assert.equal(r.readBy, "tesseract");
      assert.ok(r.found, r.found ? "" : r.reason);
      // Truth: the rendered bar's length and label (nm / px); 1 % covers the sub-pixel length estimate.
      assert.ok(Math.abs(r.nmPerPx - truth.nmPerPx) / truth.nmPerPx < 0.01, `${r.nmPerPx} vs ${truth.nmPerPx}`);
      assert.ok(r.confidence > 0.3 && r.confidence <= 0.95, `${r.confidence}`);
      const e = r.exclude;
      assert.ok(e.x0 <= truth.bar.x0 && e.x1 >= truth.bar.x1 && e.y0 <= truth.bar.y0 && e.y1 >= truth.bar.y1, "exclude covers the bar");
      assert.ok(r.labelBox.y1 <= truth.bar.y0 + 1 || r.labelBox.y0 >= truth.bar.y1 - 1, "label beside the bar");
      const m = excludeRegionMask(SIZE, SIZE, [r.exclude]);
      assert.equal(m[truth.bar.y0 * SIZE + truth.bar.x0 + 3], 1);
    });
  }

  it("says 'no scale bar found' for micrographs without a bar, a bar without a label, and a label without a bar", async function () {
    this.timeout(90000);
    const cases: [string, GreyImage][] = [
      ["plain micrograph", await synth(1, null)],
      ["plain micrograph 2", await synth(2, null)],
      ["bar, no label", await synth(3, spec({ text: " " }))],
      ["label, no bar", await synth(4, spec({ thicknessPx: 0 }))],
      // Millimetres: on microscope bars almost always a misread µm ("1µm" → "1mm"), refused either way.
      ["bar labelled 1 mm", await synth(5, spec({ text: "1 mm", barNm: 1e6, fontPx: 28, lengthPx: 250 }))],
    ];
    for (const [what, img] of cases) {
      const r = await findScaleBar(img, { reader });
      assert.equal(r.found, false, `${what}: ${r.found ? `read ${r.labelText} → ${r.nmPerPx} nm/px` : ""}`);
      if (!r.found) assert.match(r.reason, /^no scale bar found: /, what);
      if (!r.found && what === "bar labelled 1 mm") assert.match(r.reason, /'1 ?mm' may be a misread 'µm'/, r.reason);
    }
  });

  it("gives no reading from a bar whose ends are unclear (a grey blob joined to its end), naming why", async function () {
    this.timeout(60000);
    const s = spec({ lengthPx: 120, panel: 0 });
    const { image, truth } = await renderSynthBar(synthBackground(new Rng(21), SIZE), s);
    const plain = await findScaleBar(image, { reader });
    assert.ok(plain.found, plain.found ? "" : plain.reason);
    // A blob at 80 % of the bar's grey, 12 columns, on the bar's rows right after its end.
    for (let y = truth.bar.y0; y < truth.bar.y1; y++) for (let x = truth.bar.x1; x < truth.bar.x1 + 12; x++) image.data[y * SIZE + x] = 205;
    const r = await findScaleBar(image, { reader });
    assert.equal(r.found, false, r.found ? `read ${r.labelText} over ${r.lengthPx} px` : "");
    if (!r.found) assert.match(r.reason, /the bar's ends are unclear/);
  });

  it("gives no reading from a bar that runs into the image edge (it may have been cut with the figure)", async function () {
    this.timeout(60000);
    const s = spec({ lengthPx: 120, panel: 0 });
    const { image, truth } = await renderSynthBar(synthBackground(new Rng(21), SIZE), s);
    // The bar's rows continued in the bar's grey to the right edge.
    for (let y = truth.bar.y0; y < truth.bar.y1; y++) for (let x = truth.bar.x1; x < SIZE; x++) image.data[y * SIZE + x] = 255;
    const r = await findScaleBar(image, { reader });
    assert.equal(r.found, false, r.found ? `read ${r.labelText} over ${r.lengthPx} px` : "");
    if (!r.found) assert.match(r.reason, /runs into the image edge/);
  });

  it("gives a Calibration with source 'scalebar' for a PNG file, and null for a file without a bar", async function () {
    this.timeout(60000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-sb-"));
    const { image, truth } = await renderSynthBar(synthBackground(new Rng(9), SIZE), spec({ text: "100nm" }));
    const withBar = path.join(dir, "with.png");
    fs.writeFileSync(withBar, await encodeGreyPng(image.data, SIZE, SIZE));
    const c = await scaleBarCalibration(withBar, { reader });
    assert.ok(c);
    assert.equal(c.source, "scalebar");
    assert.equal(c.nmPerPxX, c.nmPerPxY);
    assert.ok(Math.abs(c.nmPerPxX - truth.nmPerPx) / truth.nmPerPx < 0.01);
    assert.match(c.detail, /100nm/);
    const without = path.join(dir, "without.png");
    fs.writeFileSync(without, await encodeGreyPng((await synth(5, null)).data, SIZE, SIZE));
    assert.equal(await scaleBarCalibration(without, { reader }), null);
    await assert.rejects(readScaleBar(path.join(dir, "missing.png"), { reader }), /missing\.png/);
  });

  // Four real 295×295 crops with burnt-in bars. Expected values, by eye and by pixel dump: each has a
  // large white label ("100 nm", "100 nm", "200 nm", "70 nm") above a white panel holding a 2-px black bar
  // with end caps; the bar's dark rows run over x = 220…293 (bundle), 219…292 (dispersed), 179…293
  // (network), 178…294 (singular), i.e. about 74, 74, 115 and 117 px (printed rows of
  // `sharp(...).raw()` values). 3 % covers the cap/anti-aliasing ambiguity of ±2 px.
  const REAL = path.join(__dirname, "..", "..", "shared", "data", "nanowire-examples");
  const expected: [string, number, number][] = [["bundle", 100, 74], ["dispersed", 100, 74], ["network", 200, 115], ["singular", 70, 117]];
  it("reads the bars of the real nanowire examples", async function () {
    this.timeout(90000);
    if (!fs.existsSync(REAL)) {
      console.log(`      (skipped: ${REAL} is absent)`);
      return;
    }
    for (const [name, nm, px] of expected) {
      const r = await readScaleBar(path.join(REAL, `${name}.png`), { reader });
      assert.ok(r.found, `${name}: ${r.found ? "" : r.reason}`);
      assert.equal(r.label.nm, nm, `${name}: read '${r.labelText}'`);
      assert.ok(Math.abs(r.nmPerPx - nm / px) / (nm / px) < 0.03, `${name}: ${r.nmPerPx} nm/px vs ${nm / px}`);
      assert.ok(r.exclude.y1 >= 285 && r.exclude.x1 >= 293, `${name}: exclude ${JSON.stringify(r.exclude)}`);
    }
  });
});

describe("data.scalebar: nanomorph data scalebar", () => {
  it("needs at least one file", async () => {
    await assert.rejects(dataCommand.run(["scalebar"]), (e: Error) => e instanceof UsageError && /image files/.test(e.message));
  });

  it("prints nm/px as JSON and exits 1 when a file has no bar or cannot be read", async function () {
    this.timeout(60000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-sbcli-"));
    const { image, truth } = await renderSynthBar(synthBackground(new Rng(11), SIZE), spec({ ink: 0, text: "200 nm", barNm: 200 }));
    const good = path.join(dir, "good.png");
    fs.writeFileSync(good, await encodeGreyPng(image.data, SIZE, SIZE));
    const log = console.log;
    const out: string[] = [];
    console.log = (...a: unknown[]): void => { out.push(a.join(" ")); };
    let rc0: number;
    let rc1: number;
    try {
      rc0 = await dataCommand.run(["scalebar", good, "--json"]);
      rc1 = await dataCommand.run(["scalebar", path.join(dir, "missing.png")]);
    } finally {
      console.log = log;
    }
    assert.equal(rc0, 0);
    const rows = JSON.parse(out[0]);
    assert.equal(rows.length, 1);
    assert.ok(rows[0].result.found);
    assert.ok(Math.abs(rows[0].result.nmPerPx - truth.nmPerPx) / truth.nmPerPx < 0.01);
    assert.equal(rc1, 1);
    assert.match(out[1], /missing\.png: error: cannot decode image .*missing\.png/);
    assert.match(formatScaleBarReport(rows), /good\.png: [0-9.]+ nm\/px from '200 nm' \(read by (templates|tesseract)\) over [0-9.]+ px, confidence 0\.[0-9]+; exclude x /);
  });
});
