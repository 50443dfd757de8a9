import { strict as assert } from "assert";
import { Rng } from "../lib/util/rng";
import { makeMask, type Mask } from "../lib/image/mask";
import { dbscan, dbscanMask } from "../lib/quantify/dbscan";
import { percolation } from "../lib/quantify/percolation";
import { drawBar, drawArc } from "../lib/quantify/draw";
import { pythonMissing, runPython } from "./python_oracle";

// Oracle: sklearn.cluster.DBSCAN on np.argwhere(mask) (row-major (row, col) points), and on raw point
// clouds. Our labels are compared for exact equality (same numbering), which is stronger than "equal
// up to renaming": sklearn numbers clusters by their first core point in index order, and so do we.
const SK_MASKS = `
import numpy as np
from sklearn.cluster import DBSCAN
out = []
for m in payload["masks"]:
    a = np.array(m["data"], dtype=np.uint8).reshape(m["h"], m["w"])
    X = np.argwhere(a)
    out.append(DBSCAN(eps=payload["eps"], min_samples=payload["min_samples"]).fit(X).labels_.tolist() if len(X) else [])
print(json.dumps(out))
`;
const SK_POINTS = `
import numpy as np
from sklearn.cluster import DBSCAN
out = []
for c in payload["clouds"]:
    X = np.column_stack([c["xs"], c["ys"]])
    d = DBSCAN(eps=c["eps"], min_samples=c["min_samples"]).fit(X)
    out.append({"labels": d.labels_.tolist(), "core": sorted(d.core_sample_indices_.tolist())})
print(json.dumps(out))
`;

function randomMask(rng: Rng, w: number, h: number, p: number): Mask {
  return makeMask(w, h, () => rng.bernoulli(p));
}

function structuredMask(rng: Rng, size: number, wires: number): Mask {
  const m = makeMask(size, size);
  for (let i = 0; i < wires; i++) {
    if (rng.bernoulli(0.5)) drawBar(m, rng.uniform(0, size), rng.uniform(0, size), rng.uniform(10, size), rng.uniform(1, 5), rng.uniform(0, 180));
    else { const a0 = rng.uniform(0, 300); drawArc(m, rng.uniform(0, size), rng.uniform(0, size), rng.uniform(5, 40), a0, a0 + rng.uniform(20, 200), rng.uniform(1, 4)); }
  }
  // Sprinkle isolated specks and 1-px gaps so noise and eps=2 bridging are exercised.
  for (let i = 0; i < size; i++) m.data[rng.int(size * size)] = rng.bernoulli(0.5) ? 1 : 0;
  return m;
}

describe("quantify/dbscan", function () {
  const missing = pythonMissing(["numpy", "sklearn"]);

  it("labels a hand-worked case: two 1-px-apart pixels join, a pixel 3 px away is noise (eps 2, min_samples 2)", () => {
    // Points (row-major): (0,0), (0,2), (0,5). Distances 2 (≤ eps → neighbours) and 3 (> eps).
    const m = makeMask(6, 1, [1, 0, 1, 0, 0, 1]);
    const r = dbscanMask(m);
    assert.deepEqual(Array.from(r.labels), [0, 0, -1]);
    assert.equal(r.nClusters, 1);
  });

  it("assigns a border point to the lowest-numbered cluster that reaches it (sklearn's expansion order)", () => {
    // eps 1, min_samples 4. Two plus-shaped groups: core centres cA = (0,0), cB = (2,0) each see 4
    // neighbours + self = 5 ≥ 4; arms see only their centre + self = 2 (border). b = (1,0) sees cA, cB and
    // itself = 3 < 4: a border point reached by both clusters; cA and cB are 2 apart, so two clusters.
    // sklearn expands the cluster of the lowest-index core first, and that cluster claims b.
    const A = { xs: [-1, 0, 0, 0], ys: [0, 1, -1, 0] };
    const B = { xs: [2, 2, 2, 3], ys: [1, -1, 0, 0] };
    const r = dbscan([...A.xs, ...B.xs, 1], [...A.ys, ...B.ys, 0], { eps: 1, minSamples: 4 });
    assert.deepEqual(Array.from(r.labels), [0, 0, 0, 0, 1, 1, 1, 1, 0]);
    assert.deepEqual(Array.from(r.isCore), [0, 0, 0, 1, 0, 0, 1, 0, 0]);
    // List B first: B's core now comes first, B is cluster 0 and claims b.
    const r2 = dbscan([...B.xs, ...A.xs, 1], [...B.ys, ...A.ys, 0], { eps: 1, minSamples: 4 });
    assert.deepEqual(Array.from(r2.labels), [0, 0, 0, 0, 1, 1, 1, 1, 0]);
  });

  it("matches sklearn's DBSCAN(eps=2, min_samples=2) exactly on random and structured masks", function () {
    if (missing) { console.log(`      skipped oracle: ${missing}`); this.skip(); }
    const rng = new Rng(6001);
    const masks: Mask[] = [];
    for (const p of [0.02, 0.08, 0.2, 0.5]) masks.push(randomMask(rng, 37, 29, p));
    for (let i = 0; i < 4; i++) masks.push(structuredMask(rng, 64, 3 + 3 * i));
    masks.push(makeMask(5, 5)); // empty
    for (const [eps, ms] of [[2, 2], [2, 4], [1.5, 3], [3, 7]] as const) {
      const sk = runPython<number[][]>(SK_MASKS, { eps, min_samples: ms, masks: masks.map((m) => ({ w: m.width, h: m.height, data: Array.from(m.data) })) });
      masks.forEach((m, i) => {
        const ours = dbscanMask(m, { eps, minSamples: ms });
        assert.deepEqual(Array.from(ours.labels), sk[i], `mask ${i}, eps ${eps}, min_samples ${ms}`);
      });
    }
  });

  it("matches sklearn on random point clouds where border points touch several clusters (labels and core set)", function () {
    if (missing) { console.log(`      skipped oracle: ${missing}`); this.skip(); }
    const rng = new Rng(6002);
    const clouds: Array<{ xs: number[]; ys: number[]; eps: number; min_samples: number }> = [];
    for (let c = 0; c < 12; c++) {
      const n = 100 + rng.int(400);
      const xs: number[] = [], ys: number[] = [];
      for (let i = 0; i < n; i++) { xs.push(rng.uniform(0, 30)); ys.push(rng.uniform(0, 30)); }
      clouds.push({ xs, ys, eps: rng.uniform(0.8, 2.2), min_samples: 3 + rng.int(5) });
    }
    const sk = runPython<Array<{ labels: number[]; core: number[] }>>(SK_POINTS, { clouds });
    let contested = 0;
    clouds.forEach((c, k) => {
      const r = dbscan(c.xs, c.ys, { eps: c.eps, minSamples: c.min_samples });
      assert.deepEqual(Array.from(r.labels), sk[k].labels, `cloud ${k}`);
      assert.deepEqual(Array.from(r.isCore).flatMap((v, i) => (v ? [i] : [])), sk[k].core, `cloud ${k} core set`);
      // Count border points with core neighbours in ≥ 2 clusters, to be sure the tie rule was tested.
      for (let i = 0; i < c.xs.length; i++) {
        if (r.isCore[i] || r.labels[i] < 0) continue;
        const seen = new Set<number>();
        for (let j = 0; j < c.xs.length; j++) {
          if (r.isCore[j] && Math.hypot(c.xs[i] - c.xs[j], c.ys[i] - c.ys[j]) <= c.eps) seen.add(r.labels[j]);
        }
        if (seen.size >= 2) contested++;
      }
    });
    assert.ok(contested >= 3, `only ${contested} contested border points: the clouds do not test the tie rule`);
  });

  it("does not go quadratic: a 1024² mask at 40% density (420k points) clusters within 10 s", () => {
    // A guard against an accidental O(n²) path (420k points; O(n²) would take minutes), not a benchmark.
    const rng = new Rng(6003);
    const m = randomMask(rng, 1024, 1024, 0.4);
    const t0 = Date.now();
    const r = dbscanMask(m);
    const dt = Date.now() - t0;
    assert.ok(r.nClusters > 0);
    assert.ok(dt < 10000, `took ${dt} ms`);
  });
});

describe("quantify/percolation", () => {
  it("a bar crossing the image in both directions percolates; a shorter one does not (margin 2)", () => {
    // A diagonal band from corner to corner spans size−1 in x and y; trimming 4 px off its length makes
    // the span ≈ size−1−4/√2 ≈ size−3.8 < size−2.
    const size = 64;
    const full = makeMask(size, size);
    drawBar(full, size / 2 - 0.5, size / 2 - 0.5, size * Math.SQRT2 + 2, 3, -45);
    const r = percolation(full);
    assert.equal(r.percolates, true);
    assert.ok(r.clusters[r.spanningLabel].spanX >= size - 2 && r.clusters[r.spanningLabel].spanY >= size - 2);
    const short = makeMask(size, size);
    drawBar(short, size / 2 - 0.5, size / 2 - 0.5, size * Math.SQRT2 - 6, 3, -45);
    assert.equal(percolation(short).percolates, false);
  });

  it("a horizontal and a vertical wire percolate only when connected within eps (a 4-px jump breaks it, a 2-px one does not)", () => {
    const size = 50;
    const cross = makeMask(size, size);
    drawBar(cross, 25, 25, 50, 3, 0); drawBar(cross, 25, 25, 50, 3, 90);
    assert.equal(percolation(cross).percolates, true);
    // An L-shaped pair: horizontal wire spans x; vertical wire spans y but stops 3 px short of it.
    const apart = makeMask(size, size);
    for (let x = 0; x < size; x++) apart.data[10 * size + x] = 1;
    for (let y = 14; y < size; y++) apart.data[y * size + 20] = 1; // gap rows 11..13 → distance 4 > eps
    for (let y = 0; y < 9; y++) apart.data[y * size + 20] = 1; // distance 2 from row 10 → joins the wire
    const r = percolation(apart);
    assert.equal(r.percolates, false);
    assert.equal(r.nClusters, 2);
    apart.data[12 * size + 20] = 1; // bridge: rows 10→12→14 are 2 apart, within eps
    assert.equal(percolation(apart).percolates, true);
  });
});
