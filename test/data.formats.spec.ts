// The microscope readers (lib/data/formats) on the real files in ../shared/data/formats, against
// reference readers: python3-hyperspy (pixels, axes), mrcfile (MRC voxel size), h5py (Velox pixels).
// Also: truncated copies of each file (in a temp folder) must fail with an error naming the file.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readMicroscopeImage, FormatError, MicroscopeImage, detectMicroscopeFormat } from "../lib/data/formats/index";
import { readCalibration } from "../lib/data/calibration";
import { inspectDir, formatInspectReport } from "../lib/data/inspect";
import { pythonMissing, runPython } from "./python_oracle";

const DIR = path.resolve(__dirname, "..", "..", "shared", "data", "formats");

interface Ref {
  shape: number[];
  dtype: string;
  /** Sum of the 2-D image (or of slice `slice` of a stack), float64. */
  sum: number;
  /** [flat index, value] samples of that image. */
  samples: [number, number][];
  axes: { name: string; size: number; scale: number; units: string }[];
}

const CASES: { file: string; slice?: number }[] = [
  { file: "dmTest_float32_nonSquare_diffPixelSize.dm3" },
  { file: "dmTest_float32_nonSquare_diffPixelSize.dm4" },
  { file: "dmTest_3D_int16_64,65,66.dm4", slice: 0 },
  { file: "dmTest_3D_int16_64,65,66.dm4", slice: 37 },
  { file: "16_STOimage.emi" },
  { file: "Camera Ceta Imaging Micro.emd" },
  { file: "temp.mrc", slice: 2 },
];

// hyperspy loads the whole signal; take slice s of a stack, then a few samples spread over the image
const HYPERSPY = `
import warnings, logging
warnings.filterwarnings("ignore"); logging.disable(logging.WARNING)
import numpy as np, hyperspy.api as hs
out = []
for c in inp:
    s = hs.load(c["path"])
    d = np.asarray(s.data)
    img = d[c["slice"]] if c.get("slice") is not None else d
    flat = img.reshape(-1).astype(np.float64)
    idx = sorted(set([0, 1, img.shape[-1], flat.size // 2 + 7, flat.size - 1]))
    out.append({"shape": list(d.shape), "dtype": str(d.dtype), "sum": float(flat.sum()),
                "samples": [[i, float(flat[i])] for i in idx],
                "axes": [{"name": str(a.name), "size": int(a.size), "scale": float(a.scale), "units": str(a.units)} for a in s.axes_manager._axes]})
print(json.dumps(out))
`;

function sum(m: MicroscopeImage): number {
  let s = 0;
  for (let i = 0; i < m.data.length; i++) s += m.data[i];
  return s;
}

describe("data/formats: real microscope files against hyperspy/mrcfile/h5py", function () {
  this.timeout(60000);
  let refs: Ref[] = [];
  before(function () {
    if (!fs.existsSync(DIR)) { console.log(`      (skipped: ${DIR} is absent)`); this.skip(); }
    const missing = pythonMissing(["hyperspy.api", "mrcfile", "h5py"]);
    if (missing) { console.log(`      (skipped: ${missing}; apt-get install python3-hyperspy python3-mrcfile python3-h5py)`); this.skip(); }
    refs = runPython<Ref[]>(HYPERSPY, CASES.map((c) => ({ path: path.join(DIR, c.file), slice: c.slice ?? null })));
  });

  CASES.forEach((c, k) => {
    it(`reads ${c.file}${c.slice !== undefined ? ` slice ${c.slice}` : ""}: pixels as hyperspy reads them`, async () => {
      const r = refs[k];
      const m = await readMicroscopeImage(path.join(DIR, c.file), { stackSlice: c.slice });
      const shape2d = r.shape.slice(-2);
      assert.deepEqual([m.height, m.width], shape2d);
      // hyperspy's Velox reader returns float64; the file stores int16 (h5py: see the Velox test below)
      if (!c.file.endsWith(".emd")) assert.equal(m.dtype, r.dtype);
      assert.equal(m.data.length, m.width * m.height);
      // integer and float32 sums: exact in float64 for these sizes up to rounding of float32 addition order
      assert.ok(Math.abs(sum(m) - r.sum) <= 1e-9 * Math.max(1, Math.abs(r.sum)), `sum ${sum(m)} vs hyperspy ${r.sum}`);
      for (const [i, v] of r.samples) assert.equal(m.data[i], v, `sample ${i}`);
      assert.equal(m.slices, r.shape.length === 3 ? r.shape[0] : 1);
    });
  });

  it("reads the axes' pixel size and unit as hyperspy does (DM, TIA, Velox)", async () => {
    for (const k of [0, 1, 2, 4, 5]) {
      const c = CASES[k];
      const m = await readMicroscopeImage(path.join(DIR, c.file), { stackSlice: c.slice, headerOnly: true });
      const ax = refs[k].axes;
      const x = ax.find((a) => a.name === "x")!, y = ax.find((a) => a.name === "y")!;
      const cal = await readCalibration(path.join(DIR, c.file));
      assert.ok(cal, c.file);
      // hyperspy converts TIA/Velox metres to nm; DM units are kept as written
      const toNm = (a: { scale: number; units: string }): number => a.scale * ({ nm: 1, A: 0.1, pm: 1e-3, um: 1e3 } as Record<string, number>)[a.units];
      assert.ok(Math.abs(cal.nmPerPxX - toNm(x)) <= 1e-9 * toNm(x), `${c.file} x ${cal.nmPerPxX} vs ${toNm(x)}`);
      assert.ok(Math.abs(cal.nmPerPxY - toNm(y)) <= 1e-9 * toNm(y), `${c.file} y ${cal.nmPerPxY} vs ${toNm(y)}`);
      assert.equal(cal.source, "file");
      if (m.format.startsWith("dm")) {
        assert.equal(m.x!.unit, x.units);
        assert.equal(m.y!.unit, y.units);
        assert.equal(m.x!.scale, x.scale);
      }
    }
  });

  it("reads the MRC voxel size as mrcfile does (Å; hyperspy 1.7.3 reports 10× too large)", async () => {
    const f = path.join(DIR, "temp.mrc");
    const ref = runPython<{ vx: number; vy: number; sum: number }>(
      `import warnings; warnings.filterwarnings("ignore")
import mrcfile
m = mrcfile.open(inp["f"], permissive=True)
print(json.dumps({"vx": float(m.voxel_size.x), "vy": float(m.voxel_size.y), "sum": float(m.data[1].astype("f8").sum())}))`, { f });
    const m = await readMicroscopeImage(f, { stackSlice: 1 });
    assert.equal(m.x!.unit, "Å");
    assert.equal(m.x!.scale, ref.vx);
    assert.equal(m.y!.scale, ref.vy);
    assert.ok(Math.abs(sum(m) - ref.sum) < 1e-6 * Math.abs(ref.sum));
    const cal = await readCalibration(f);
    assert.ok(cal);
    assert.ok(Math.abs(cal.nmPerPxX - ref.vx / 10) < 1e-12);
  });

  it("reads the Velox image as h5py reads /Data/Image/<id>/Data[:, :, 0]", async () => {
    const f = path.join(DIR, "Camera Ceta Imaging Micro.emd");
    const ref = runPython<{ dtype: string; sum: number; row3: number[] }>(
      `import h5py, numpy as np
g = h5py.File(inp["f"], "r")["Data/Image"]
d = g[list(g)[0]]["Data"][:, :, 0]
print(json.dumps({"dtype": str(d.dtype), "sum": float(d.astype("f8").sum()), "row3": [float(v) for v in d[3, :50]]}))`, { f });
    const m = await readMicroscopeImage(f);
    assert.equal(m.dtype, ref.dtype);
    assert.equal(sum(m), ref.sum);
    assert.deepEqual(Array.from(m.data.subarray(3 * m.width, 3 * m.width + 50)), ref.row3);
  });

  it("rejects the EELS spectrum naming the file, the spectrum and its eV axis", async () => {
    const f = path.join(DIR, "08_carbon.dm3");
    await assert.rejects(readMicroscopeImage(f), (e: Error) => e instanceof FormatError && e.message.includes(f) && /1-D signal/.test(e.message) && /2048/.test(e.message) && /eV/.test(e.message) && /spectrum/.test(e.message));
    await assert.rejects(readCalibration(f), /spectrum/);
  });

  it("rejects stacks unless a slice is chosen, naming --stack-slice and the slice range", async () => {
    for (const [file, n] of [["dmTest_3D_int16_64,65,66.dm4", 66], ["temp.mrc", 3]] as const) {
      const f = path.join(DIR, file);
      await assert.rejects(readMicroscopeImage(f), (e: Error) => e.message.includes(f) && e.message.includes("--stack-slice") && e.message.includes(`0…${n - 1}`) && e.message.includes(`stack of ${n}`));
      await assert.rejects(readMicroscopeImage(f, { stackSlice: n }), /out of range/);
    }
  });

  it("detects the format by magic bytes when the extension is wrong", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-fmt-"));
    try {
      const a = path.join(tmp, "a.mrc");
      fs.copyFileSync(path.join(DIR, "dmTest_float32_nonSquare_diffPixelSize.dm4"), path.join(tmp, "x.ser"));
      fs.copyFileSync(path.join(DIR, "16_STOimage_1.ser"), path.join(tmp, "y.dm3"));
      fs.copyFileSync(path.join(DIR, "temp.mrc"), a);
      assert.equal(detectMicroscopeFormat(path.join(tmp, "x.ser")), "dm");
      assert.equal(detectMicroscopeFormat(path.join(tmp, "y.dm3")), "ser");
      assert.equal(detectMicroscopeFormat(a), "mrc");
      assert.equal(detectMicroscopeFormat(path.join(tmp, "z.png")), null);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("gives a clear error naming the file for truncated copies of every format", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-trunc-"));
    try {
      const files = ["dmTest_float32_nonSquare_diffPixelSize.dm3", "dmTest_float32_nonSquare_diffPixelSize.dm4", "dmTest_3D_int16_64,65,66.dm4", "16_STOimage_1.ser", "Camera Ceta Imaging Micro.emd", "temp.mrc"];
      for (const file of files) {
        const buf = fs.readFileSync(path.join(DIR, file));
        // cut in the header, in the tag tree / metadata, in the pixels and one byte short
        // the last byte the format needs: the end for DM (end marker), MRC (pixels), HDF5 (superblock
        // end address); for SER the image's last byte (the file is padded after its tag)
        const last = file.endsWith(".ser") ? buf.readUInt32LE(buf.readUInt32LE(22)) + 50 + 2 * 1024 * 1024 : buf.length;
        for (const frac of [0.002, 0.05, 0.5, 0.9]) {
          for (const n of [Math.floor(buf.length * frac), last - 1]) {
            const f = path.join(tmp, `cut_${n}_${file}`);
            fs.writeFileSync(f, buf.subarray(0, n));
            await assert.rejects(readMicroscopeImage(f, { stackSlice: 0 }), (e: Error) => e instanceof FormatError && e.message.startsWith(f) && /truncated|not a|corrupt|no image|ImageList/.test(e.message), `${file} cut at ${n}`);
          }
        }
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("data inspect lists each file's calibration, the spectrum and the stacks as problems", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-insp-"));
    try {
      for (const f of fs.readdirSync(DIR)) fs.copyFileSync(path.join(DIR, f), path.join(tmp, f.replace(".dm4", "_v4.dm4")));
      const r = await inspectDir(tmp);
      const c = r.splits[""][0];
      assert.equal(c.count, 4, "dm3, dm4, ser, emd read; spectrum and two stacks are problems");
      assert.deepEqual(Object.keys(c.calibrations).sort(), ["16_STOimage_1.ser", "Camera Ceta Imaging Micro.emd", "dmTest_float32_nonSquare_diffPixelSize.dm3", "dmTest_float32_nonSquare_diffPixelSize_v4.dm4"]);
      const dm = c.calibrations["dmTest_float32_nonSquare_diffPixelSize_v4.dm4"];
      assert.ok(dm && dm.nmPerPxX === 1 && Math.abs(dm.nmPerPxY - 0.2) < 1e-12);
      const text = formatInspectReport(r);
      assert.match(text, /calibration Camera Ceta Imaging Micro\.emd: 3\.13884 nm\/px \(file: Velox/);
      assert.match(text, /calibration dmTest_float32_nonSquare_diffPixelSize\.dm3: x 1, y 0\.2 nm\/px \(file: dm3 .*file says x 1 nm, y 2 A\)/);
      const problems = r.problems.join("\n");
      assert.match(problems, /08_carbon\.dm3: unreadable: holds a 1-D signal/);
      assert.match(problems, /temp\.mrc: unreadable: .*--stack-slice/);
      assert.doesNotMatch(problems, /non-image file/, "the .emi beside its .ser is not a stray file");
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("names the missing .ser of an .emi", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-emi-"));
    try {
      const f = path.join(tmp, "lonely.emi");
      fs.copyFileSync(path.join(DIR, "16_STOimage.emi"), f);
      await assert.rejects(readMicroscopeImage(f), (e: Error) => e.message.includes(f) && e.message.includes("lonely_1.ser"));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
