import { strict as assert } from "assert";
import { makeMask } from "../lib/image/mask";
import { extractParticles } from "../lib/particles/extract";
import { instanceBoundaries, renderParticleOverlay, OVERLAY_COLOURS, OVERLAY_KIND } from "../lib/particles/overlay";
import { instanceIdMap, instanceIdOf } from "../lib/particles/instance_map";
import { renderDigits } from "../lib/plots/pixel_font";
import type { GreyImage } from "../lib/particles/grey_image";
import { pythonMissing, runPython } from "./python_oracle";

describe("particles/overlay", function () {
  this.timeout(30_000);
  const W = 120, H = 80;
  // Two touching discs (split by the watershed), a lone disc, a small disc (kept, too small to hold its
  // id), a speck (too small to keep), a disc cut by the border, and a disc under the scale-bar box.
  const mask = makeMask(W, H, (x, y) =>
    (x - 25) ** 2 + (y - 25) ** 2 < 100 || (x - 42) ** 2 + (y - 25) ** 2 < 100 || (x - 70) ** 2 + (y - 50) ** 2 < 64 ||
    (x === 95 && y >= 10 && y < 13) || (x - 1) ** 2 + (y - 60) ** 2 < 25 || (x - 100) ** 2 + (y - 70) ** 2 < 16 ||
    (x - 50) ** 2 + (y - 68) ** 2 < 9);
  const bar = { x0: 90, y0: 64, x1: 115, y1: 78 };
  const parts = extractParticles(mask, null, { exclude: [bar] });
  // A smooth grey ramp as the micrograph, so a pixel left alone is recognisable (R = G = B = its grey).
  const grey: GreyImage = { width: W, height: H, grey: Float32Array.from({ length: W * H }, (_, p) => 0.2 + 0.5 * (p % W) / W) };
  const g8 = (p: number): number => Math.round(grey.grey[p] * 255);

  it("has the cases it means to show", () => {
    assert.deepEqual(parts.dropped, { border: 1, tooSmall: 1, scaleBar: 1, notParticle: 0, found: 7, kept: 4 });
  });

  it("a 3×3 square's outline is its 8 ring pixels (hand-worked)", () => {
    const labels = new Int32Array(25).fill(-1);
    for (let y = 1; y < 4; y++) for (let x = 1; x < 4; x++) labels[y * 5 + x] = 0;
    const b = instanceBoundaries(labels, 5, 5);
    assert.deepEqual(Array.from(b), [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  });

  it("outlines kept particles exactly on their boundaries, marks dropped ones red and the scale-bar box blue, and leaves every other pixel grey", () => {
    const ov = renderParticleOverlay(grey, parts, [bar], { ids: false });
    const edge = instanceBoundaries(parts.instances.labels, W, H);
    const L = parts.instances.labels;
    const K = OVERLAY_KIND;
    const rgb = (p: number): number[] => Array.from(ov.image.data.subarray(3 * p, 3 * p + 3));
    const blend = (p: number, c: readonly number[]): number[] => c.map((v) => Math.round(0.6 * g8(p) + 0.4 * v));
    const inBar = (p: number): boolean => { const x = p % W, y = Math.floor(p / W); return x >= bar.x0 && x < bar.x1 && y >= bar.y0 && y < bar.y1; };
    const barEdge = (p: number): boolean => { const x = p % W, y = Math.floor(p / W); return inBar(p) && (x === bar.x0 || y === bar.y0 || x === bar.x1 - 1 || y === bar.y1 - 1); };
    let outlined = 0;
    for (let p = 0; p < W * H; p++) {
      const s = L[p] >= 0 ? parts.status[L[p]] : null;
      if (barEdge(p)) { assert.equal(ov.kinds[p], K.scaleBarEdge); assert.deepEqual(rgb(p), [...OVERLAY_COLOURS.scaleBar]); continue; }
      if (s === "scaleBar" || inBar(p)) {
        assert.equal(ov.kinds[p], edge[p] && s === "scaleBar" ? K.scaleBarEdge : K.scaleBar, `pixel ${p}`);
        assert.deepEqual(rgb(p), ov.kinds[p] === K.scaleBar ? blend(p, OVERLAY_COLOURS.scaleBar) : [...OVERLAY_COLOURS.scaleBar]);
      } else if (s === "kept") {
        assert.equal(ov.kinds[p], edge[p] ? K.keptOutline : K.image, `pixel ${p}`);
        if (edge[p]) { outlined++; assert.deepEqual(rgb(p), [...OVERLAY_COLOURS.kept[L[p] % OVERLAY_COLOURS.kept.length]]); }
        else assert.deepEqual(rgb(p), [g8(p), g8(p), g8(p)]);
      } else if (s === "border" || s === "tooSmall") {
        assert.equal(ov.kinds[p], edge[p] ? K.droppedOutline : K.droppedFill);
        assert.deepEqual(rgb(p), edge[p] ? [...OVERLAY_COLOURS.dropped] : blend(p, OVERLAY_COLOURS.dropped));
      } else {
        assert.equal(ov.kinds[p], K.image);
        assert.deepEqual(rgb(p), [g8(p), g8(p), g8(p)], `background pixel ${p} untouched`);
      }
    }
    assert.ok(outlined > 100, `${outlined} outline pixels`);
    // the split line between the touching discs is outlined on both sides
    const kept = parts.particles.map((m) => m.id);
    assert.ok(kept.some((id) => kept.some((j) => j !== id && Array.from(L).some((v, p) => v === id && (L[p + 1] === j)))), "two kept particles touch");
  });

  it("outline pixels equal scikit-image's find_boundaries(mode='inner') of the instance map (oracle)", function () {
    const why = pythonMissing(["numpy", "skimage"]);
    if (why) { console.log(`      (skipped: ${why})`); this.skip(); }
    const ov = renderParticleOverlay(grey, parts, [], { ids: false });
    const r = runPython<{ b: number[] }>(
      `import numpy as np\nfrom skimage.segmentation import find_boundaries\n` +
      `m = np.pad(np.array(inp["map"], dtype=np.int32).reshape(inp["h"], inp["w"]), 1)\n` +
      `b = find_boundaries(m, connectivity=1, mode="inner")[1:-1, 1:-1]\n` +
      `print(json.dumps({"b": b.ravel().astype(int).tolist()}))`,
      { map: Array.from(instanceIdMap(parts.instances)), w: W, h: H });
    const K = OVERLAY_KIND;
    for (let p = 0; p < W * H; p++) {
      const s = parts.instances.labels[p] >= 0 ? parts.status[parts.instances.labels[p]] : null;
      const outline = ov.kinds[p] === K.keptOutline || ov.kinds[p] === K.droppedOutline || ov.kinds[p] === K.scaleBarEdge;
      assert.equal(outline ? 1 : 0, r.b[p], `pixel (${p % W}, ${Math.floor(p / W)}) status ${s}`);
    }
  });

  it("writes each kept particle's instanceId in white on a dark rim, beside particles too small to hold it", () => {
    const ov = renderParticleOverlay(grey, parts, [bar]);
    const K = OVERLAY_KIND;
    let ink = 0;
    for (let p = 0; p < W * H; p++) {
      if (ov.kinds[p] === K.text) { ink++; assert.deepEqual(Array.from(ov.image.data.subarray(3 * p, 3 * p + 3)), [...OVERLAY_COLOURS.text]); }
      if (ov.kinds[p] === K.textShadow) assert.deepEqual(Array.from(ov.image.data.subarray(3 * p, 3 * p + 3)), [...OVERLAY_COLOURS.textShadow]);
    }
    // every kept particle's id and nothing else: total ink = the ink of their digits (no two overlap here)
    const want = parts.particles.reduce((n, m) => n + renderDigits(String(instanceIdOf(m.id))).on.reduce((a, v) => a + v, 0), 0);
    assert.equal(ink, want);
    const inkIn = (x0: number, x1: number, y0: number, y1: number): number => {
      let n = 0;
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) if (ov.kinds[y * W + x] === K.text) n++;
      return n;
    };
    // a 16-px disc holds a 5×7 digit: the lone disc's id sits inside its box
    const lone = parts.particles.find((m) => m.centroid[0] > 60 && m.centroid[0] < 80)!;
    assert.ok(inkIn(lone.bbox[0], lone.bbox[2], lone.bbox[1], lone.bbox[3]) > 5, "the id sits on the particle");
    // a 5-px disc does not: its id is just right of it and its outline stays whole
    const small = parts.particles.find((m) => m.areaPixels < 40)!;
    assert.equal(inkIn(small.bbox[0], small.bbox[2], small.bbox[1], small.bbox[3]), 0, "no ink on the small particle");
    assert.ok(inkIn(small.bbox[2] + 1, small.bbox[2] + 12, small.bbox[1] - 4, small.bbox[3] + 4) > 5, "its id is beside it");
  });

  it("refuses labels of another size than the image", () => {
    assert.throws(() => renderParticleOverlay({ width: 10, height: 10, grey: new Float32Array(100) }, parts), /image is 10x10 but its labels are 120x80/);
  });
});
