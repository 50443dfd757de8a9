import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { suggestRows } from "../lib/probe/suggest";
import { kMedoids } from "../lib/probe/kmedoids";
import { pcaSpace, distanceMatrix } from "../lib/probe/pca_space";
import { listUnlabelledImages } from "../lib/probe/unlabelled";
import { featureMatrix, type FeatureMatrix } from "../lib/linalg/matrix";
import { Rng } from "../lib/util/rng";
import { main } from "../lib/cli/main";

/** Gaussian clusters: `sizes[c]` points around centre c (±spread·N(0,1) per dim) in `dim` dimensions. */
function clusters(sizes: number[], dim: number, sep: number, spread: number, seed: number): { X: FeatureMatrix; y: number[] } {
  const rng = new Rng(seed);
  const centres = sizes.map(() => Array.from({ length: dim }, () => rng.normal(0, sep)));
  const data: number[] = [], y: number[] = [];
  sizes.forEach((n, c) => { for (let i = 0; i < n; i++) { for (let d = 0; d < dim; d++) data.push(centres[c][d] + rng.normal(0, spread)); y.push(c); } });
  return { X: featureMatrix(data, y.length, dim), y };
}

/** Capture console.log output of an async call. */
async function captureStdout(f: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.map(String).join(" ")); };
  try { return { code: await f(), out: lines.join("\n") }; } finally { console.log = orig; }
}

describe("probe/kmedoids", () => {
  it("finds the hand-worked medoids of two groups on a line (points 0,1,2 and 10,11,12: medoids 1 and 11, cost 4)", () => {
    const xs = [0, 1, 2, 10, 11, 12], n = xs.length;
    const Dm = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Dm[i * n + j] = Math.abs(xs[i] - xs[j]);
    const r = kMedoids(Dm, n, 2, { seed: 3 });
    assert.deepEqual(r.medoids.slice().sort((a, b) => a - b), [1, 4]);
    assert.equal(r.cost, 4);
    assert.deepEqual(r.sizes, [3, 3]);
    assert.throws(() => kMedoids(Dm, n, 7), /k must be an integer in \[1, 6\], got 7/);
  });
});

describe("probe/pca_space", () => {
  it("keeps the standardised pairwise distances when every component is kept (rank n−1 ≥ D)", () => {
    const { X } = clusters([6, 6], 5, 3, 1, 1);
    const s = pcaSpace(X, undefined, { dims: 5, seed: 2 });
    assert.equal(s.dims, 5);
    const Dm = distanceMatrix(s);
    // Reference: distances of the z-scored features (population std), computed directly.
    const n = X.rows, D = X.cols, mean = new Array(D).fill(0), sd = new Array(D).fill(0);
    for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) mean[d] += X.data[i * D + d] / n;
    for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) sd[d] += (X.data[i * D + d] - mean[d]) ** 2 / n;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let t = 0;
      for (let d = 0; d < D; d++) t += ((X.data[i * D + d] - X.data[j * D + d]) / Math.sqrt(sd[d])) ** 2;
      assert.ok(Math.abs(Dm[i * n + j] - Math.sqrt(t)) < 1e-6, `distance ${i},${j}: ${Dm[i * n + j]} vs ${Math.sqrt(t)}`);
    }
    for (let c = 1; c < 5; c++) assert.ok(s.variance[c] <= s.variance[c - 1] + 1e-9, "variances descend");
  });
});

describe("probe/suggest", () => {
  // Four well separated clusters of very unequal size (60, 25, 10, 5 points) in 64 dimensions.
  const { X, y } = clusters([60, 25, 10, 5], 64, 4, 1, 11);
  const pool = Array.from({ length: X.rows }, (_, i) => i);

  it("covers every cluster with one pick each at budget 4 (medoid and typical, 10 seeds), where random picks usually miss one", () => {
    // (kcenter is left out on purpose: its density weighting passes over a 5-point cluster.)
    for (const method of ["medoid", "typical"] as const) {
      for (let seed = 0; seed < 10; seed++) {
        const picks = suggestRows(X, pool, 4, { seed, method });
        assert.equal(picks.length, 4);
        assert.deepEqual(picks.map((p) => y[p.row]).sort(), [0, 1, 2, 3], `${method} seed ${seed}`);
        for (const p of picks) assert.ok(p.reason.length > 10);
      }
    }
    // The contrast that makes the pick worth having: P(4 random points hit all 4 clusters) ≈ 0.05 here.
    let randomCovers = 0;
    for (let seed = 0; seed < 20; seed++) if (new Set(new Rng(seed).sample(pool, 4).map((r) => y[r])).size === 4) randomCovers++;
    assert.ok(randomCovers <= 5, `random covered all clusters in ${randomCovers}/20 draws`);
  });

  it("ranks the largest cluster first and is deterministic for a seed", () => {
    const a = suggestRows(X, pool, 4, { seed: 5, method: "medoid" });
    const b = suggestRows(X, pool, 4, { seed: 5, method: "medoid" });
    assert.deepEqual(a, b);
    assert.deepEqual(a.map((p) => y[p.row]), [0, 1, 2, 3]);
    assert.match(a[0].reason, /medoid of feature cluster 1 of 4 \(60 images, 60% of the pool\)/);
  });

  it("picks distinct rows of the given pool only (a sub-pool stays a sub-pool)", () => {
    const sub = pool.filter((r) => r % 3 !== 0);
    const picks = suggestRows(X, sub, 3, { seed: 1 });
    for (const p of picks) assert.ok(sub.includes(p.row));
    assert.equal(new Set(picks.map((p) => p.row)).size, 3);
  });

  it("an active-learning round picks uncertain images near the boundary, spread out rather than one clump", () => {
    // Two classes along axis 0 (±4). Labelled: 10 per class near the centres. Pool: 40 confident
    // points near the centres, a clump of 15 near-identical boundary points at (0, 2), and 6 boundary
    // points spread along axis 1 (y = −3 … 2).
    const rng = new Rng(4), rows: number[][] = [];
    const add = (x0: number, x1: number, s: number, s1 = s): void => { rows.push([x0 + rng.normal(0, s), x1 + rng.normal(0, s1), rng.normal(0, Math.min(s, 0.3)), rng.normal(0, Math.min(s, 0.3))]); };
    for (let i = 0; i < 20; i++) { add(-4, 0, 0.7, 2); add(4, 0, 0.7, 2); }
    for (let i = 0; i < 15; i++) add(0, 2, 0.02);
    for (let i = 0; i < 6; i++) add(0, -3 + i, 0.05);
    for (let i = 0; i < 10; i++) { add(-4, 0, 0.5, 2); add(4, 0, 0.5, 2); }
    const M = featureMatrix(rows.flat(), rows.length, 4);
    const P = 61, labelledRows = Array.from({ length: 20 }, (_, i) => P + i), labels = labelledRows.map((_, i) => i % 2);
    const picks = suggestRows(M, Array.from({ length: P }, (_, i) => i), 4, { seed: 0, labelled: { rows: labelledRows, labels }, classNames: ["left", "right"] });
    assert.equal(picks.length, 4);
    for (const p of picks) assert.ok(p.row >= 40, `pick ${p.row} is a confident point near a class centre`);
    const fromClump = picks.filter((p) => p.row < 55).length;
    assert.ok(fromClump <= 2, `${fromClump} of 4 picks are copies from the same clump`);
    assert.match(picks[0].reason, /uncertain: the model gives (left|right) 0\.\d\d vs (left|right) 0\.\d\d/);
    for (let i = 1; i < 4; i++) assert.ok((picks[i].score as number) <= (picks[i - 1].score as number), "most uncertain first");
  });

  it("with labels of one class only, asks for images of clusters holding no labelled image", () => {
    const labelled = pool.filter((r) => y[r] === 0).slice(0, 5);
    const rest = pool.filter((r) => !labelled.includes(r));
    const picks = suggestRows(X, rest, 3, { seed: 2, labelled: { rows: labelled, labels: labelled.map(() => 0) }, K: 2 });
    assert.deepEqual(picks.map((p) => y[p.row]).sort(), [1, 2, 3]);
    // One label per class of two classes is still "too few": a coverage round, not an uncertainty one.
    const two = [pool.find((r) => y[r] === 0) as number, pool.find((r) => y[r] === 1) as number];
    const more = suggestRows(X, pool.filter((r) => !two.includes(r)), 2, { seed: 2, labelled: { rows: two, labels: [0, 1] } });
    assert.deepEqual(more.map((p) => y[p.row]).sort(), [2, 3]);
    assert.match(more[0].reason, /no labelled image/);
  });

  it("rejects a budget larger than the pool, an empty pool and a bad budget, naming the value", () => {
    assert.throws(() => suggestRows(X, [0, 1, 2], 5, { seed: 0 }), /budget 5 is larger than the pool of 3 images; ask for at most 3/);
    assert.throws(() => suggestRows(X, [], 1, { seed: 0 }), /pool is empty/);
    assert.throws(() => suggestRows(X, pool, 2.5, { seed: 0 }), /budget must be a positive integer, got 2.5/);
    assert.throws(() => suggestRows(X, [0, 0], 1, { seed: 0 }), /pool row 0 is listed twice/);
    assert.throws(() => suggestRows(X, [0, 1], 1, { seed: 0, labelled: { rows: [2, 3], labels: [0, 5] }, K: 2 }), /labelled label 5 is not in \[0, 2\)/);
    assert.throws(() => suggestRows(X, [0, 1], 1, { seed: 0, labelled: { rows: [1, 3], labels: [0, 1] } }), /labelled row 1 is also in the pool/);
  });
});

describe("suggest and audit CLIs", () => {
  let tmp = "", prevCache: string | undefined;
  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "suggest-cli-"));
    prevCache = process.env.NANOMORPH_CACHE;
    process.env.NANOMORPH_CACHE = path.join(tmp, "cache");
    // A tiny two-look set: dark noisy squares and bright striped ones, 5 each, in class folders.
    const rng = new Rng(9);
    for (const [cls, base, stripes] of [["dark", 40, false], ["bright", 200, true]] as const) {
      fs.mkdirSync(path.join(tmp, "set", cls), { recursive: true });
      for (let k = 0; k < 5; k++) {
        const px = Buffer.alloc(32 * 32 * 3);
        for (let i = 0; i < 32 * 32; i++) {
          const v = base + (stripes && (i % 32) % 8 < 4 ? -60 : 0) + rng.normal(0, 12);
          px[3 * i] = px[3 * i + 1] = px[3 * i + 2] = Math.max(0, Math.min(255, Math.round(v)));
        }
        await sharp(px, { raw: { width: 32, height: 32, channels: 3 } }).png().toFile(path.join(tmp, "set", cls, `${cls}_${k}.png`));
      }
    }
  });
  after(() => {
    if (prevCache === undefined) delete process.env.NANOMORPH_CACHE; else process.env.NANOMORPH_CACHE = prevCache;
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  const enc = ["--encoder", "resnet8", "--size", "64"];

  it("suggest --json prints { suggestions: [{ rank, file, reason, score }] } with distinct files of the folder", async () => {
    const { code, out } = await captureStdout(() => main(["suggest", "--data", path.join(tmp, "set"), "--budget", "3", ...enc, "--json"]));
    assert.equal(code, 0);
    const doc = JSON.parse(out);
    assert.deepEqual(Object.keys(doc), ["suggestions"]);
    assert.deepEqual(doc.suggestions.map((s: { rank: number }) => s.rank), [1, 2, 3]);
    for (const s of doc.suggestions) {
      assert.deepEqual(Object.keys(s), ["rank", "file", "reason", "score"]);
      assert.ok(fs.existsSync(s.file) && s.file.startsWith(path.join(tmp, "set")));
    }
    assert.equal(new Set(doc.suggestions.map((s: { file: string }) => s.file)).size, 3);
  });

  it("suggest --labelled leaves out images already labelled and runs an uncertainty round (3 labels per class)", async () => {
    const lab = path.join(tmp, "lab");
    for (const cls of ["dark", "bright"]) {
      fs.mkdirSync(path.join(lab, cls), { recursive: true });
      for (let k = 0; k < 3; k++) fs.copyFileSync(path.join(tmp, "set", cls, `${cls}_${k}.png`), path.join(lab, cls, `a${k}.png`));
    }
    const { code, out } = await captureStdout(() => main(["suggest", "--data", path.join(tmp, "set"), "--labelled", lab, "--budget", "2", ...enc, "--json"]));
    assert.equal(code, 0);
    const doc = JSON.parse(out);
    assert.equal(doc.suggestions.length, 2);
    for (const s of doc.suggestions) {
      assert.ok(!/_[012]\.png$/.test(s.file), `${s.file} is already labelled`);
      assert.match(s.reason, /^uncertain: the model gives (dark|bright)/);
    }
  });

  it("audit --json prints { images: [{ file, label, suggested, score, flagged }] } for every image, scores ascending within groups", async () => {
    const { code, out } = await captureStdout(() => main(["audit", "--data", path.join(tmp, "set"), "--folds", "2", ...enc, "--json"]));
    assert.equal(code, 0);
    const doc = JSON.parse(out);
    assert.deepEqual(Object.keys(doc), ["images"]);
    assert.equal(doc.images.length, 10);
    for (const i of doc.images) {
      assert.deepEqual(Object.keys(i), ["file", "label", "suggested", "score", "flagged"]);
      assert.ok(["dark", "bright"].includes(i.label) && ["dark", "bright"].includes(i.suggested));
      assert.ok(i.score >= 0 && i.score <= 1);
      assert.equal(path.basename(path.dirname(i.file)), i.label);
    }
  });

  it("names the option on bad input: budget over the pool, empty folder, a non-image file, missing --budget", async () => {
    const err: string[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => { err.push(a.map(String).join(" ")); };
    try {
      assert.equal(await main(["suggest", "--data", path.join(tmp, "set"), "--budget", "11", ...enc]), 2);
      assert.match(err.join("\n"), /--budget 11 is larger than the 10 unlabelled images in --data; ask for at most 10/);
      fs.mkdirSync(path.join(tmp, "empty"));
      assert.equal(await main(["suggest", "--data", path.join(tmp, "empty"), "--budget", "1", ...enc]), 1);
      assert.match(err.join("\n"), /--data .*empty holds no images/);
      fs.mkdirSync(path.join(tmp, "odd"));
      fs.writeFileSync(path.join(tmp, "odd", "scan.pdf"), "x");
      assert.equal(await main(["suggest", "--data", path.join(tmp, "odd"), "--budget", "1", ...enc]), 1);
      assert.match(err.join("\n"), /--data: .*scan\.pdf is not an image/);
      assert.equal(await main(["suggest", "--data", path.join(tmp, "set")]), 2);
      assert.match(err.join("\n"), /--budget K is required/);
    } finally { console.error = orig; }
    assert.deepEqual(listUnlabelledImages(path.join(tmp, "set")).length, 10);
  });
});
