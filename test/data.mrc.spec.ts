// The MRC reader (lib/data/formats/mrc.ts) on files written by mrcfile (Debian python3-mrcfile), which
// also reads them back as the oracle: samples, byte order, voxel size (Å), stacks, truncation.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readMrc } from "../lib/data/formats/mrc";
import { FormatError } from "../lib/data/formats/types";
import { readCalibration } from "../lib/data/calibration";
import { pythonMissing, runPython } from "./python_oracle";

interface Ref { shape: number[]; dtype: string; voxel: [number, number]; slices: number[][]; byteorder: string }

const WRITE = `
import numpy as np, mrcfile, os
out = {}
rng = np.random.default_rng(3)
cases = {
  "i16.mrc": (rng.integers(-3000, 3000, size=(7, 5)).astype("<i2"), (1.5, 2.5, 1.0)),
  "u16stack.mrc": (rng.integers(0, 65535, size=(3, 4, 6)).astype("<u2"), (0.8, 0.8, 4.0)),
  "f32.mrc": (rng.normal(size=(6, 9)).astype("<f4"), (3.25, 3.25, 1.0)),
  "f32be.mrc": (rng.normal(size=(4, 4)).astype(">f4"), (2.0, 1.0, 1.0)),
  "i8.mrc": (rng.integers(-128, 127, size=(3, 3)).astype("i1"), (0.0, 0.0, 0.0)),
}
for name, (a, vox) in cases.items():
    p = os.path.join(inp["dir"], name)
    with mrcfile.new(p, overwrite=True) as m:
        m.set_data(a)
        m.voxel_size = vox
    with mrcfile.open(p) as m:
        d = m.data if m.data.ndim == 3 else m.data[None]
        out[name] = {"shape": list(m.data.shape), "dtype": str(m.data.dtype.newbyteorder("=")), "voxel": [float(m.voxel_size.x), float(m.voxel_size.y)],
                     "slices": [[float(v) for v in s.ravel()] for s in d], "byteorder": m.header.mode.dtype.byteorder}
print(json.dumps(out))
`;

describe("data/formats: MRC reader against mrcfile", function () {
  this.timeout(60000);
  let dir = "";
  let ref: Record<string, Ref> = {};
  before(function () {
    const missing = pythonMissing(["mrcfile", "numpy"]);
    if (missing) { console.log(`      (skipped: ${missing}; apt-get install python3-mrcfile)`); this.skip(); }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-mrc-"));
    ref = runPython<Record<string, Ref>>(WRITE, { dir });
  });
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  for (const name of ["i16.mrc", "f32.mrc", "f32be.mrc", "i8.mrc"]) {
    it(`${name}: samples, dtype and voxel size as mrcfile reads them`, async () => {
      const r = ref[name];
      const m = readMrc(path.join(dir, name));
      assert.deepEqual([m.height, m.width], r.shape);
      assert.equal(m.dtype, r.dtype);
      if (name === "f32be.mrc") assert.equal(r.byteorder, ">", "mrcfile wrote this one big-endian");
      assert.deepEqual(Array.from(m.data), r.slices[0]);
      const cal = await readCalibration(path.join(dir, name));
      if (r.voxel[0] > 0) {
        assert.deepEqual([m.x?.scale, m.y?.scale, m.x?.unit], [r.voxel[0], r.voxel[1], "Å"]);
        assert.ok(cal && Math.abs(cal.nmPerPxX - r.voxel[0] / 10) < 1e-12 && Math.abs(cal.nmPerPxY - r.voxel[1] / 10) < 1e-12);
      } else {
        assert.equal(m.x, null, "a zero cell means no calibration");
        assert.equal(cal, null);
      }
    });
  }

  it("reads each slice of a stack only when asked", () => {
    const f = path.join(dir, "u16stack.mrc");
    assert.throws(() => readMrc(f), (e: Error) => e instanceof FormatError && e.message.includes(f) && /stack of 3/.test(e.message) && /--stack-slice/.test(e.message));
    for (let s = 0; s < 3; s++) assert.deepEqual(Array.from(readMrc(f, { stackSlice: s }).data), ref["u16stack.mrc"].slices[s]);
    assert.equal(readMrc(f, { stackSlice: 0 }).slices, 3);
  });

  it("fails with a FormatError naming the file for truncated copies and non-MRC files", () => {
    const buf = fs.readFileSync(path.join(dir, "f32.mrc"));
    for (const n of [0, 100, 1023, 1024, 1024 + 10, buf.length - 1]) {
      const f = path.join(dir, `cut${n}.mrc`);
      fs.writeFileSync(f, buf.subarray(0, n));
      assert.throws(() => readMrc(f), (e: Error) => e instanceof FormatError && e.message.startsWith(f) && /truncated/.test(e.message), `cut at ${n}`);
    }
    const junk = path.join(dir, "junk.mrc");
    fs.writeFileSync(junk, Buffer.alloc(2048, 0xff));
    assert.throws(() => readMrc(junk), /not an MRC file/);
  });
});
