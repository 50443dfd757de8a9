import { strict as assert } from "assert";
import sharp from "sharp";
import {
  violinBoxByGroup, lineWithBands, scatterPlot, heatmap, confusionMatrix, histogram, imageGrid, matrixToImage, imagesFromTensor, withAlpha,
} from "../lib/plots/index";
import type { Figure } from "../lib/plots/index";
import { wrapTitle } from "../lib/plots/layout";
import { logTicks } from "../lib/plots/lines";

type Trace = Record<string, unknown>;
const traces = (f: Figure) => f.data as unknown as Trace[];
const titleText = (f: Figure) => (f.layout.title as { text?: string } | undefined)?.text;

describe("plots builders", () => {
  it("violinBoxByGroup: one violin(+box) trace per group, values kept, numeric x sorted, separators between x", () => {
    const rows = [8, 1, 2].flatMap((x) => ["SimCLR", "Barlow"].flatMap((g) => [0.5, 0.7].map((v) => ({ x, group: g, value: v + x / 100 }))));
    const f = violinBoxByGroup(rows, { title: "acc" });
    const t = traces(f);
    assert.equal(t.length, 2);
    assert.deepEqual(t.map((d) => d.name), ["SimCLR", "Barlow"]);
    assert.ok(t.every((d) => d.type === "violin" && (d.box as { visible: boolean }).visible));
    assert.deepEqual(t[0].y, [8, 8, 1, 1, 2, 2].map((x, i) => (i % 2 ? 0.7 : 0.5) + x / 100)); // input order kept
    assert.deepEqual((f.layout.xaxis as { categoryarray: string[] }).categoryarray, ["1", "2", "8"]);
    assert.equal(f.layout.violinmode, "group");
    assert.equal((f.layout.shapes ?? []).length, 2); // 3 categories -> 2 separators at 0.5, 1.5
    assert.deepEqual((f.layout.shapes ?? []).map((s) => s.x0), [0.5, 1.5]);
    assert.equal(titleText(f), "acc"); // plotly v4 needs {text}
  });

  it("violinBoxByGroup: rejects empty input and non-finite values (naming group and x)", () => {
    assert.throws(() => violinBoxByGroup([]), /no values/);
    assert.throws(() => violinBoxByGroup([{ x: 4, group: "g", value: NaN }]), /group 'g', x 4/);
  });

  it("lineWithBands: band polygon is upper forward then lower reversed, drawn before its line", () => {
    const f = lineWithBands([{ name: "m", x: [1, 2, 3], y: [2, 3, 4], lower: [1, 2, 3], upper: [3, 4, 5] }], { logX: true });
    const [band, line] = traces(f);
    assert.deepEqual(band.x, [1, 2, 3, 3, 2, 1]);
    assert.deepEqual(band.y, [3, 4, 5, 3, 2, 1]);
    assert.equal(band.fill, "toself");
    assert.equal(band.showlegend, false);
    assert.deepEqual(line.y, [2, 3, 4]);
    assert.equal((f.layout.xaxis as { type: string }).type, "log");
    assert.throws(() => lineWithBands([{ name: "bad", x: [1, 2], y: [1] }]), /'bad' has 2 x but 1 y/);
    assert.throws(() => lineWithBands([{ name: "half", x: [1], y: [1], lower: [0] }]), /both lower and upper/);
  });

  it("scatterPlot: one marker trace per series", () => {
    const f = scatterPlot([{ name: "a", x: [0, 1], y: [1, 0] }, { name: "b", x: [2], y: [2] }]);
    assert.deepEqual(traces(f).map((t) => [t.name, t.mode]), [["a", "markers"], ["b", "markers"]]);
  });

  it("confusionMatrix: rows normalised to sum 1, labels on both axes, annotated with 2 decimals", () => {
    const f = confusionMatrix([[3, 1], [0, 4]], ["wire", "particle"]);
    const t = traces(f)[0];
    assert.deepEqual(t.z, [[0.75, 0.25], [0, 1]]);
    assert.deepEqual(t.x, ["wire", "particle"]);
    assert.deepEqual(t.text, [["0.75", "0.25"], ["0.00", "1.00"]]);
    assert.equal(t.zmin, 0);
    assert.equal(t.zmax, 1);
    assert.equal((f.layout.yaxis as { autorange: string }).autorange, "reversed");
    const raw = traces(confusionMatrix([[3, 1], [0, 4]], ["a", "b"], { normalize: false }))[0];
    assert.deepEqual(raw.z, [[3, 1], [0, 4]]);
    assert.throws(() => confusionMatrix([[1, 2]], ["a"]), /not square/);
    assert.throws(() => confusionMatrix([[1, 0], [0, 1]], ["a"]), /1 class names for 2 classes/);
  });

  it("heatmap: rejects ragged rows and label mismatches", () => {
    assert.throws(() => heatmap([[1, 2], [3]]), /row 1 has 1 values/);
    assert.throws(() => heatmap([[1, 2]], { xLabels: ["a"] }), /1x1 labels for a 1x2 matrix/);
  });

  it("histogram: one trace per series with the requested bins", () => {
    const f = histogram([{ name: "d", values: new Float32Array([0.1, 0.2]) }], { binSize: 0.05, binStart: 0, histnorm: "probability" });
    const t = traces(f)[0];
    assert.deepEqual(t.x, [Float32Array.from([0.1])[0], Float32Array.from([0.2])[0]]);
    assert.deepEqual(t.xbins, { size: 0.05, start: 0 });
    assert.equal(t.histnorm, "probability");
    assert.throws(() => histogram([{ name: "e", values: [] }]), /'e' is empty/);
  });

  it("imageGrid: one image trace per image on its own axes; the embedded PNG decodes to the input pixels", async () => {
    const a = { width: 3, height: 2, channels: 1 as const, data: new Uint8Array([0, 50, 100, 150, 200, 250]) };
    const f = imageGrid([a, a, a, a], { cols: 3, captions: ["1", "2", "3", "4"], title: "tiles" });
    const t = traces(f);
    assert.equal(t.length, 4);
    assert.deepEqual(t.map((d) => d.xaxis), ["x", "x2", "x3", "x4"]);
    const lay = f.layout as Record<string, unknown>;
    assert.ok(lay.xaxis4 && lay.yaxis4, "4th subplot axes exist");
    assert.equal((f.layout.annotations ?? []).length, 4);
    const png = Buffer.from(String(t[0].source).split(",")[1], "base64");
    // grey PNG: sharp's raw output is sRGB with R = G = B, so channel 0 holds the grey values
    const { data, info } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width, 3);
    assert.deepEqual([...data], [0, 50, 100, 150, 200, 250]);
    assert.throws(() => imageGrid([a], { captions: [] }), /0 captions for 1 images/);
    assert.throws(() => imageGrid([{ ...a, width: 4 }]), /image 0: data has 6 values/);
  });

  it("imagesFromTensor splits [N,H,W,C] into HWC images and keeps [H,W,C] as one", () => {
    const data = Float32Array.from({ length: 2 * 2 * 3 * 1 }, (_, i) => i / 10);
    const imgs = imagesFromTensor({ shape: [2, 2, 3, 1], dataSync: () => data });
    assert.equal(imgs.length, 2);
    assert.deepEqual([imgs[1].width, imgs[1].height, imgs[1].channels], [3, 2, 1]);
    assert.deepEqual([...imgs[1].data].map((v) => Math.round(v * 10)), [6, 7, 8, 9, 10, 11]);
    assert.equal(imagesFromTensor({ shape: [2, 3, 1], dataSync: () => data.slice(0, 6) }).length, 1);
    assert.throws(() => imagesFromTensor({ shape: [2, 3, 2], dataSync: () => data }), /channels must be 1, 3 or 4, got 2/);
    assert.throws(() => imagesFromTensor({ shape: [6], dataSync: () => data }), /got shape \[6\]/);
  });

  it("matrixToImage scales min..max to 0..1", () => {
    assert.deepEqual([...matrixToImage([[2, 4], [6, 10]]).data], [0, 0.25, 0.5, 1]);
  });

  it("withAlpha converts #rrggbb to rgba", () => {
    assert.equal(withAlpha("#1f77b4", 0.5), "rgba(31,119,180,0.5)");
    assert.throws(() => withAlpha("red", 1), /expected #rrggbb/);
  });
});

describe("plots/layout: titles that fit, log axes whose labels do not collide", () => {
  it("wrapTitle keeps short titles, breaks long ones at spaces within the width estimate", () => {
    assert.deepEqual(wrapTitle("Short", 600), { text: "Short", lines: 1 });
    const long = "One image per class — synthetic stand-in data (the paper's nanowire images are absent)";
    const w = wrapTitle(long, 620); // 4 tiles of 150 px + 20: 55 characters a line at 10.5 px
    assert.equal(w.lines, 2);
    assert.equal(w.text.replace("<br>", " "), long, "only a space became a break");
    for (const line of w.text.split("<br>")) assert.ok(line.length <= Math.floor((620 - 40) / 10.5), line);
  });

  it("imageGrid with a long title: wrapped, first line near the top, top margin and height grow by a line", () => {
    const img = { width: 4, height: 4, channels: 1 as const, data: new Float32Array(16) };
    const short = imageGrid([img, img], { title: "Two", tile: 150 });
    const long = imageGrid([img, img], { title: "A title that is far too long to fit above two tiles of one hundred and fifty px", tile: 150 });
    assert.equal(short.layout.margin?.t, 50);
    assert.equal(long.layout.margin?.t, 50 + 22 * 3, "four lines of at most 26 characters at 320 px");
    assert.equal((long.layout.height as number) - (short.layout.height as number), 66);
    assert.match(titleText(long) ?? "", /<br>/);
    assert.equal((long.layout.title as { yanchor?: string }).yanchor, "middle");
  });

  it("logTicks: powers of ten over more than 1.5 decades, 1-2-5 over less, Plotly's default over < 0.3", () => {
    assert.deepEqual(logTicks([0.5, 2, 300]), { dtick: 1 });
    assert.deepEqual(logTicks([2.1, 4.8]), { dtick: "D2" });
    assert.deepEqual(logTicks([3.9, 4.1]), {});
    assert.deepEqual(logTicks([0, -1, 5]), {}, "non-positive values are ignored");
    const f = lineWithBands([{ name: "simclr", x: [1, 2, 3], y: [4.2, 3.1, 2.4] }, { name: "barlow", x: [1, 2, 3], y: [900, 120, 60] }], { logY: true });
    assert.equal((f.layout.yaxis as { dtick?: unknown }).dtick, 1, "the 02 loss plot spans 2.4 decades");
  });
});

describe("plots/heatmap: class names are never cut at the edges", () => {
  it("confusion matrices let long tick labels widen the margins (automargin on both axes)", () => {
    const f = confusionMatrix([[1, 0], [0, 1]], ["spiky_round", "enveloped"]);
    assert.equal((f.layout.xaxis as { automargin?: boolean }).automargin, true);
    assert.equal((f.layout.yaxis as { automargin?: boolean }).automargin, true);
  });
});
