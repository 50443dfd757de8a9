import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { makeMask } from "../lib/image/mask";
import { extractParticles } from "../lib/particles/extract";
import { instancesFromLabelMap } from "../lib/particles/instances";
import { encodeInstancePng, instanceIdMap, instanceIdOf } from "../lib/particles/instance_map";
import { particleRecord } from "../lib/particles/records";
import { readInstanceMap } from "../lib/particles/truth";
import { pythonMissing, runPython } from "./python_oracle";

/** Read a 16-bit grey PNG back with sharp as raw unsigned shorts. */
async function readWithSharp(png: Buffer): Promise<{ width: number; height: number; values: Uint16Array }> {
  const { data, info } = await sharp(png).toColourspace("grey16").raw({ depth: "ushort" }).toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 1, "one grey channel");
  return { width: info.width, height: info.height, values: new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) };
}

describe("particles/instance_map", function () {
  this.timeout(30_000);
  // Four discs (two touching: the watershed splits them), one 3-px speck (dropped as too small), one at the border.
  const mask = makeMask(90, 60, (x, y) =>
    (x - 20) ** 2 + (y - 20) ** 2 < 64 || (x - 34) ** 2 + (y - 20) ** 2 < 64 || (x - 60) ** 2 + (y - 40) ** 2 < 36 ||
    (x === 75 && y >= 10 && y < 13) || (x - 2) ** 2 + (y - 50) ** 2 < 16);
  const parts = extractParticles(mask, null);

  it("maps instance id k to k + 1 and background to 0, dropped instances included", () => {
    const map = instanceIdMap(parts.instances);
    assert.equal(parts.instances.count, 5, "4 discs (2 split) + speck + border disc = 5 instances");
    assert.deepEqual(parts.dropped, { border: 1, tooSmall: 1, scaleBar: 0, notParticle: 0, found: 5, kept: 3 });
    for (let p = 0; p < map.length; p++) assert.equal(map[p], parts.instances.labels[p] < 0 ? 0 : parts.instances.labels[p] + 1);
    assert.equal(instanceIdOf(0), 1);
  });

  it("round-trips through a 16-bit PNG read by sharp, and every table row's instanceId labels exactly its pixels", async () => {
    const png = encodeInstancePng(parts.instances);
    const back = await readWithSharp(png);
    assert.deepEqual([back.width, back.height], [90, 60]);
    assert.deepEqual(Array.from(back.values), Array.from(instanceIdMap(parts.instances)));
    for (const m of parts.particles) {
      const row = particleRecord(m);
      let n = 0, sx = 0;
      back.values.forEach((v, p) => { if (v === row.instanceId) { n++; sx += p % 90; } });
      assert.equal(n, row.areaPixels, `pixels of instanceId ${row.instanceId}`);
      assert.ok(Math.abs(sx / n - (row.centroidXPx as number)) < 1e-9, "same centroid as the table");
    }
  });

  it("is read back by readInstanceMap (the ground-truth reader) as the same labelling", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-instmap-"));
    try {
      const file = path.join(dir, "x_instances.png");
      fs.writeFileSync(file, encodeInstancePng(parts.instances));
      const back = await readInstanceMap(file);
      assert.equal(back.count, parts.instances.count);
      assert.deepEqual(Array.from(back.labels), Array.from(parts.instances.labels), "ids renumbered in raster order = the watershed's own order");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps ids above 255 (a 16-bit map, not 8): 400 one-pixel instances", async () => {
    const vals = Uint16Array.from({ length: 40 * 20 }, (_, p) => (p < 400 ? 1000 + p : 0));
    const inst = instancesFromLabelMap(vals, 40, 20);
    assert.equal(inst.count, 400);
    const back = await readWithSharp(encodeInstancePng(inst));
    assert.deepEqual(Array.from(back.values), Array.from(vals, (v, p) => (v ? p + 1 : 0)), "ids 1…400 in raster order");
  });

  it("refuses more instances than a 16-bit map holds, saying what to change", () => {
    const inst = { width: 70000, height: 1, labels: Int32Array.from({ length: 70000 }, (_, i) => i), count: 70000 };
    assert.throws(() => instanceIdMap(inst), /70000 instances .* do not fit a 16-bit label map .*--min-area/);
  });

  it("reads back the same with PIL and scikit-image (oracle)", function () {
    const why = pythonMissing(["numpy", "PIL", "skimage"]);
    if (why) { console.log(`      (skipped: ${why})`); this.skip(); }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-instmap-"));
    try {
      const file = path.join(dir, "x_instances.png");
      fs.writeFileSync(file, encodeInstancePng(parts.instances));
      const r = runPython<{ pilMode: string; dtype: string; pil: number[]; sk: number[]; areas: Record<string, number> }>(
        `import numpy as np\nfrom PIL import Image\nimport skimage.io\n` +
        `im = Image.open(inp["file"]); a = np.array(im); b = skimage.io.imread(inp["file"])\n` +
        `u, c = np.unique(a[a > 0], return_counts=True)\n` +
        `print(json.dumps({"pilMode": im.mode, "dtype": str(b.dtype), "pil": a.ravel().tolist(), "sk": b.ravel().tolist(), "areas": {str(int(k)): int(v) for k, v in zip(u, c)}}))`,
        { file });
      assert.match(r.pilMode, /^I/, "PIL opens it as 16/32-bit integer, not 8-bit 'L'");
      assert.equal(r.dtype, "uint16");
      const expected = Array.from(instanceIdMap(parts.instances));
      assert.deepEqual(r.pil, expected);
      assert.deepEqual(r.sk, expected);
      for (const m of parts.particles) assert.equal(r.areas[String(particleRecord(m).instanceId)], m.areaPixels);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
