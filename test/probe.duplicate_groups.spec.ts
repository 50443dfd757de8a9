import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { Rng } from "../lib/util/rng";
import { groupThumbs, transformThumb, dihedralDistance, standardiseThumb, duplicateGroups, groupSummary, type Thumb } from "../lib/probe/duplicate_groups";
import { groupedStratifiedSplit, stratifiedSplit } from "../lib/stats/splits";

/** A smooth random grey field (sum of a few blobs), n×n in [0,1]: no symmetry of its own. */
function blobs(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const centres = Array.from({ length: 6 }, () => [rng.uniform(0, n), rng.uniform(0, n), rng.uniform(n / 12, n / 4), rng.uniform(0.2, 1)]);
  const out = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
    let v = 0;
    for (const [y, x, s, a] of centres) v += a * Math.exp(-((r - y) ** 2 + (c - x) ** 2) / (2 * s * s));
    out[r * n + c] = v;
  }
  const max = Math.max(...out);
  return out.map((v) => v / max);
}

describe("probe/duplicate_groups: rotated and flipped copies by content", () => {
  it("the 8 transforms form D4: four rotations by 90° are the identity, a flip twice is the identity", () => {
    const t: Thumb = { size: 5, data: Float64Array.from({ length: 25 }, (_, i) => i) };
    let r = t;
    for (let k = 0; k < 4; k++) r = transformThumb(r, 1);
    assert.deepEqual(Array.from(r.data), Array.from(t.data));
    assert.deepEqual(Array.from(transformThumb(transformThumb(t, 4), 4).data), Array.from(t.data));
    assert.deepEqual(Array.from(transformThumb(transformThumb(t, 1), 1).data), Array.from(transformThumb(t, 2).data), "90° twice = 180°");
    // transform 1 turns 90° counter-clockwise: the first row of the result is the last column, top-down
    assert.deepEqual(Array.from(transformThumb(t, 1).data.slice(0, 5)), [4, 9, 14, 19, 24]);
    const distinct = new Set(Array.from({ length: 8 }, (_, k) => Array.from(transformThumb(t, k).data).join(",")));
    assert.equal(distinct.size, 8, "eight different transforms of an asymmetric grid");
  });

  it("dihedralDistance is 0 for any transform of an image and large for unrelated ones", () => {
    const a = standardiseThumb({ size: 16, data: blobs(16, 1) });
    for (let k = 0; k < 8; k++) assert.ok(dihedralDistance(a, transformThumb(a, k)) < 1e-12, `transform ${k}`);
    const b = standardiseThumb({ size: 16, data: blobs(16, 2) });
    assert.ok(dihedralDistance(a, b) > 0.5, String(dihedralDistance(a, b)));
  });

  it("groups originals with their rotations and flips (as the authors' singular class), unrelated images apart", () => {
    // 12 originals; originals 0..3 get their 90/180/270° rotations, 4..5 a left-right flip, the rest none
    const thumbs: Thumb[] = [];
    const truth: number[] = [];
    for (let o = 0; o < 12; o++) {
      const base = { size: 16, data: blobs(16, 100 + o) };
      thumbs.push(base); truth.push(o);
      const copies = o < 4 ? [1, 2, 3] : o < 6 ? [4] : [];
      for (const k of copies) {
        const noisy = transformThumb(base, k);
        const rng = new Rng(o * 10 + k);
        thumbs.push({ size: 16, data: noisy.data.map((v) => v * 0.9 + 0.05 + rng.uniform(-0.01, 0.01)) }); // contrast change + noise
        truth.push(o);
      }
    }
    const g = groupThumbs(thumbs);
    // same partition as the truth (ids may differ)
    for (let i = 0; i < g.length; i++) for (let j = 0; j < g.length; j++) assert.equal(g[i] === g[j], truth[i] === truth[j], `rows ${i}, ${j}`);
    assert.deepEqual(groupSummary(g), { images: 26, groups: 12, largest: 4, inGroups: 20 });
  });

  it("reads files: PNG rotations and a re-encoded JPEG flip of one image join its group (sharp writes them)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-dups-"));
    try {
      const n = 96;
      const grey = (seed: number) => Buffer.from(blobs(n, seed).map((v) => Math.round(v * 255)));
      const names: string[] = [];
      const write = async (name: string, img: ReturnType<typeof sharp>) => { await img.toFile(path.join(dir, name)); names.push(path.join(dir, name)); };
      const raw = (seed: number) => sharp(grey(seed), { raw: { width: n, height: n, channels: 1 } });
      await write("a.png", raw(7).png());
      await write("a_r90.png", raw(7).rotate(90).png());
      await write("a_r270.png", raw(7).rotate(270).png());
      await write("a_flop.jpg", raw(7).flop().jpeg({ quality: 85 }));
      await write("b.png", raw(8).png());
      await write("c.jpg", raw(9).jpeg({ quality: 85 }));
      const g = await duplicateGroups(names);
      assert.deepEqual(g, [0, 0, 0, 0, 1, 2]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("probe/splits: groupedStratifiedSplit", () => {
  // 2 classes: class 0 = 10 originals × 4 rotations (the authors' singular layout), class 1 = 30 singletons
  const labels = [...Array(40).fill(0), ...Array(30).fill(1)];
  const groups = [...Array.from({ length: 40 }, (_, i) => Math.floor(i / 4)), ...Array.from({ length: 30 }, (_, i) => 10 + i)];

  it("never splits a group, keeps about the test fraction per class, and is seeded", () => {
    for (const seed of [42, 43, 44, 45]) {
      const s = groupedStratifiedSplit(labels, groups, seed, 0.2);
      const testGroups = new Set(s.test.map((i) => groups[i]));
      assert.ok(s.train.every((i) => !testGroups.has(groups[i])), `seed ${seed}: a group is on both sides`);
      assert.equal(s.train.length + s.test.length, 70);
      assert.equal(s.test.filter((i) => labels[i] === 0).length, 8, "class 0: 2 groups of 4 = 0.2·40");
      assert.equal(s.test.filter((i) => labels[i] === 1).length, 6, "class 1: 0.2·30");
      assert.deepEqual(groupedStratifiedSplit(labels, groups, seed, 0.2), s);
    }
    assert.notDeepEqual(groupedStratifiedSplit(labels, groups, 1).test, groupedStratifiedSplit(labels, groups, 2).test);
  });

  it("the plain stratified split leaks: rotated copies of test images land in training", () => {
    let leaks = 0;
    for (const seed of [42, 43, 44, 45]) {
      const s = stratifiedSplit(labels, seed, 0.2);
      const testGroups = new Set(s.test.map((i) => groups[i]));
      leaks += s.train.filter((i) => testGroups.has(groups[i])).length;
    }
    assert.ok(leaks > 0, "expected the ungrouped split to put copies on both sides");
  });

  it("rejects mismatched lengths and a bad fraction", () => {
    assert.throws(() => groupedStratifiedSplit([0, 1], [0], 1), /1 group ids for 2 labels/);
    assert.throws(() => groupedStratifiedSplit([0, 1], [0, 1], 1, 1), /testFraction/);
  });
});
