// The Velox .emd reader (lib/data/formats/emd.ts, via h5wasm) on HDF5 files written by h5py in the
// Velox layout: /Data/Image/<id>/Data [rows, cols, frames] + per-frame JSON Metadata. Checks samples,
// x/y pixel sizes, frames needing a slice, the largest of several detectors, spectrum-only and
// Berkeley-EMD files rejected, truncation.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readEmd } from "../lib/data/formats/emd";
import { FormatError } from "../lib/data/formats/types";
import { readCalibration } from "../lib/data/calibration";
import { pythonMissing, runPython } from "./python_oracle";

const WRITE = `
import numpy as np, h5py, os
d = inp["dir"]
def meta(px, py, det):
    j = json.dumps({"BinaryResult": {"PixelSize": {"width": repr(px), "height": repr(py)}, "PixelUnitX": "m", "PixelUnitY": "m",
                    "Offset": {"x": "-1e-07", "y": "2e-07"}, "Detector": det}}).encode()
    return np.frombuffer(j.ljust(4000, b"\\0"), dtype=np.uint8)
out = {}
rng = np.random.default_rng(5)
# two frames, float32, rectangular pixels; a second, smaller detector image
a = rng.normal(size=(6, 8, 2)).astype("<f4")
small = rng.integers(0, 100, size=(3, 3, 1)).astype("<u2")
with h5py.File(os.path.join(d, "two.emd"), "w") as f:
    g = f.create_group("Data/Image/aaa")
    g["Data"] = small
    g["Metadata"] = meta(1e-9, 1e-9, "DF4")[:, None]
    g = f.create_group("Data/Image/bbb")
    g["Data"] = a
    g["Metadata"] = np.stack([meta(2.5e-10, 5e-10, "HAADF"), meta(2.5e-10, 5e-10, "HAADF")], axis=1)
out["two"] = [[float(v) for v in a[:, :, k].ravel()] for k in range(2)]
b = rng.integers(-500, 500, size=(5, 4, 1)).astype("<i2")
with h5py.File(os.path.join(d, "one.emd"), "w") as f:
    g = f.create_group("Data/Image/ccc")
    g.create_dataset("Data", data=b, chunks=(5, 4, 1), compression="gzip")
    g["Metadata"] = meta(3e-9, 3e-9, "BM-Ceta")[:, None]
out["one"] = [float(v) for v in b[:, :, 0].ravel()]
with h5py.File(os.path.join(d, "spec.emd"), "w") as f:
    f.create_group("Data/SpectrumStream/x")["Data"] = np.zeros((10,), dtype="<u4")
with h5py.File(os.path.join(d, "berkeley.emd"), "w") as f:
    f.create_group("data/image")["data"] = np.zeros((4, 4), dtype="<f4")
print(json.dumps(out))
`;

describe("data/formats: Velox .emd reader on h5py-written files", function () {
  this.timeout(60000);
  let dir = "";
  let ref: { two: number[][]; one: number[] } = { two: [], one: [] };
  before(function () {
    const missing = pythonMissing(["h5py", "numpy"]);
    if (missing) { console.log(`      (skipped: ${missing}; apt-get install python3-h5py)`); this.skip(); }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-emd-"));
    ref = runPython(WRITE, { dir });
  });
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  it("reads a gzip-chunked int16 image with its pixel size", async () => {
    const f = path.join(dir, "one.emd");
    const m = await readEmd(f);
    assert.deepEqual([m.width, m.height, m.dtype, m.slices], [4, 5, "int16", 1]);
    assert.deepEqual(Array.from(m.data), ref.one);
    assert.deepEqual(m.x, { scale: 3e-9, unit: "m", origin: -1e-7 });
    assert.match(m.detail, /BM-Ceta/);
  });

  it("picks the largest detector image, and each frame only when asked, with x and y pixel sizes", async () => {
    const f = path.join(dir, "two.emd");
    await assert.rejects(readEmd(f), (e: Error) => e instanceof FormatError && e.message.includes(f) && /2 frames/.test(e.message) && /--stack-slice/.test(e.message));
    for (const k of [0, 1]) {
      const m = await readEmd(f, { stackSlice: k });
      assert.deepEqual([m.width, m.height, m.dtype], [8, 6, "float32"]);
      assert.deepEqual(Array.from(m.data), ref.two[k]);
      assert.match(m.detail, /bbb \(HAADF\)/);
    }
    const c = await readCalibration(f);
    assert.ok(c && Math.abs(c.nmPerPxX - 0.25) < 1e-12 && Math.abs(c.nmPerPxY - 0.5) < 1e-12);
  });

  it("rejects spectrum-only, Berkeley EMD and non-HDF5 files, naming them", async () => {
    await assert.rejects(readEmd(path.join(dir, "spec.emd")), /holds spectra \(SpectrumStream\)/);
    await assert.rejects(readEmd(path.join(dir, "berkeley.emd")), /Berkeley EMD/);
    const junk = path.join(dir, "junk.emd");
    fs.writeFileSync(junk, "not hdf5 at all");
    await assert.rejects(readEmd(junk), (e: Error) => e.message.includes(junk) && /not an HDF5 file/.test(e.message));
  });

  it("fails with a FormatError naming the file for truncated copies", async () => {
    const buf = fs.readFileSync(path.join(dir, "one.emd"));
    for (const n of [8, 100, buf.length >> 1, buf.length - 1]) {
      const f = path.join(dir, `cut${n}.emd`);
      fs.writeFileSync(f, buf.subarray(0, n));
      await assert.rejects(readEmd(f), (e: Error) => e instanceof FormatError && e.message.startsWith(f) && /truncated/.test(e.message), `cut at ${n}`);
    }
  });
});
