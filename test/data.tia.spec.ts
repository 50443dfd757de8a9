// The TIA .ser reader (lib/data/formats/tia.ts) on series written here from the SER layout: both
// header versions (4- and 8-byte offsets), the bottom-row-first storage (hyperspy's orientation is
// checked on the real file in data.formats.spec.ts), series needing a slice, spectra and complex data
// rejected, and every truncation failing with the file named.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readSer } from "../lib/data/formats/tia";
import { FormatError } from "../lib/data/formats/types";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-ser-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Frame { w: number; h: number; code: number; values: number[]; cal: [number, number, number, number, number, number] }

const WRITE: Record<number, (b: Buffer, v: number, o: number) => void> = {
  1: (b, v, o) => b.writeUInt8(v, o), 2: (b, v, o) => b.writeUInt16LE(v, o), 3: (b, v, o) => b.writeUInt32LE(v, o),
  4: (b, v, o) => b.writeInt8(v, o), 5: (b, v, o) => b.writeInt16LE(v, o), 6: (b, v, o) => b.writeInt32LE(v, o),
  7: (b, v, o) => b.writeFloatLE(v, o), 8: (b, v, o) => b.writeDoubleLE(v, o), 9: (b, v, o) => b.writeFloatLE(v, o),
};
const SIZE: Record<number, number> = { 1: 1, 2: 2, 3: 4, 4: 1, 5: 2, 6: 4, 7: 4, 8: 8, 9: 8 };

/** A SER file holding `frames` (the first `valid` of `total` written), version 0x0210 or 0x0220. */
function ser(frames: Frame[], version: 0x210 | 0x220, opts: { valid?: number; dataType?: number } = {}): Buffer {
  const wide = version === 0x220;
  const ow = wide ? 8 : 4;
  const total = frames.length;
  const units = Buffer.from("Number", "latin1");
  const head = Buffer.alloc(wide ? 34 : 30);
  head.writeUInt16LE(0x4949, 0); head.writeUInt16LE(0x0197, 2); head.writeUInt16LE(version, 4);
  head.writeUInt32LE(opts.dataType ?? 0x4122, 6); head.writeUInt32LE(0x4152, 10);
  head.writeUInt32LE(total, 14); head.writeUInt32LE(opts.valid ?? total, 18);
  const dim = Buffer.alloc(4 + 8 + 8 + 4 + 4 + 4 + units.length);
  dim.writeUInt32LE(total, 0); dim.writeDoubleLE(0, 4); dim.writeDoubleLE(1, 12); dim.writeUInt32LE(0, 20); dim.writeUInt32LE(0, 24); dim.writeUInt32LE(units.length, 28); units.copy(dim, 32);
  const nd = Buffer.alloc(4); nd.writeUInt32LE(1, 0);
  const offArray = head.length + 4 + dim.length;
  if (wide) head.writeBigUInt64LE(BigInt(offArray), 22); else head.writeUInt32LE(offArray, 22);
  const table = Buffer.alloc(2 * ow * total);
  const bodies: Buffer[] = [];
  let at = offArray + table.length;
  frames.forEach((f, k) => {
    const b = Buffer.alloc(50 + f.w * f.h * SIZE[f.code]);
    b.writeDoubleLE(f.cal[0], 0); b.writeDoubleLE(f.cal[1], 8); b.writeInt32LE(f.cal[2], 16);
    b.writeDoubleLE(f.cal[3], 20); b.writeDoubleLE(f.cal[4], 28); b.writeInt32LE(f.cal[5], 36);
    b.writeInt16LE(f.code, 40); b.writeInt32LE(f.w, 42); b.writeInt32LE(f.h, 46);
    f.values.forEach((v, i) => WRITE[f.code](b, v, 50 + i * SIZE[f.code]));
    if (wide) table.writeBigUInt64LE(BigInt(at), ow * k); else table.writeUInt32LE(at, ow * k);
    bodies.push(b);
    at += b.length;
  });
  frames.forEach((_, k) => {
    const t = Buffer.alloc(6);
    t.writeUInt16LE(0x4152, 0); t.writeUInt32LE(1000 + k, 2);
    if (wide) table.writeBigUInt64LE(BigInt(at), ow * (total + k)); else table.writeUInt32LE(at, ow * (total + k));
    bodies.push(t);
    at += 6;
  });
  return Buffer.concat([head, nd, dim, table, ...bodies]);
}

function save(name: string, b: Buffer): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, b);
  return f;
}

/** Rows of a row-major w×h array in reverse order. */
function flip(v: number[], w: number, h: number): number[] {
  const out: number[] = [];
  for (let r = h - 1; r >= 0; r--) out.push(...v.slice(r * w, (r + 1) * w));
  return out;
}

describe("data/formats: TIA .ser reader on written series", () => {
  const w = 4, h = 3;
  const vals = Array.from({ length: w * h }, (_, i) => i * 1.5 - 4);
  const cal: Frame["cal"] = [-2e-9, 2e-10, 0, 1e-9, 3e-10, 2];

  for (const version of [0x210, 0x220] as const) {
    it(`reads a float32 image, top row first, with its calibration in metres (version 0x${version.toString(16)})`, () => {
      const f = save(`one${version}.ser`, ser([{ w, h, code: 7, values: vals, cal }], version));
      const m = readSer(f);
      assert.deepEqual([m.width, m.height, m.dtype, m.slices, m.format], [w, h, "float32", 1, "ser"]);
      assert.deepEqual(Array.from(m.data), flip(vals, w, h));
      assert.deepEqual(m.x, { scale: 2e-10, unit: "m", origin: -2e-9 });
      assert.deepEqual(m.y, { scale: 3e-10, unit: "m", origin: 1e-9 - 2 * 3e-10 });
    });
  }

  it("reads each slice of a series only when asked, and only the valid elements", () => {
    const frames: Frame[] = [0, 1, 2].map((k) => ({ w, h, code: 2, values: vals.map((_, i) => 100 * k + i), cal }));
    const f = save("series.ser", ser(frames, 0x220, { valid: 2 }));
    assert.throws(() => readSer(f), (e: Error) => e instanceof FormatError && e.message.includes(f) && /stack of 2/.test(e.message) && /--stack-slice/.test(e.message));
    for (const k of [0, 1]) assert.deepEqual(Array.from(readSer(f, { stackSlice: k }).data), flip(frames[k].values, w, h));
    assert.throws(() => readSer(f, { stackSlice: 2 }), /out of range/);
  });

  it("reads integer types with their sign", () => {
    for (const [code, name, v] of [[4, "int8", -5], [5, "int16", -30000], [6, "int32", -2e9], [3, "uint32", 4e9], [1, "uint8", 200], [8, "float64", 1e-30]] as const) {
      const f = save(`t${code}.ser`, ser([{ w: 1, h: 1, code, values: [v], cal }], 0x210));
      const m = readSer(f);
      assert.equal(m.dtype, name);
      assert.equal(m.data[0], v);
    }
  });

  it("rejects spectra, complex data and a file that is not SER, naming the file", () => {
    const spec = save("spec.ser", ser([{ w, h, code: 7, values: vals, cal }], 0x210, { dataType: 0x4120 }));
    assert.throws(() => readSer(spec), (e: Error) => e.message.includes(spec) && /1-D spectra/.test(e.message));
    const cplx = save("cplx.ser", ser([{ w: 1, h: 1, code: 9, values: [0], cal }], 0x210));
    assert.throws(() => readSer(cplx), /complex/);
    const other = save("other.ser", Buffer.from("II*\u0000 this is a TIFF, not a series file", "latin1"));
    assert.throws(() => readSer(other), /not a TIA \.ser/);
  });

  it("fails with a FormatError naming the file for every truncation", () => {
    const buf = ser([{ w, h, code: 7, values: vals, cal }, { w, h, code: 7, values: vals, cal }], 0x220);
    for (let n = 0; n < buf.length; n++) {
      const f = save("cut.ser", buf.subarray(0, n));
      assert.throws(() => readSer(f, { stackSlice: 1 }), (e: Error) => e instanceof FormatError && e.message.startsWith(f) && /truncated|not a TIA/.test(e.message), `cut at ${n} of ${buf.length}`);
    }
    readSer(save("whole.ser", buf), { stackSlice: 1 });
  });

  it("finds the .ser of an .emi beside it", () => {
    save("pair_1.ser", ser([{ w, h, code: 7, values: vals, cal }], 0x210));
    const emi = save("pair.emi", Buffer.from("emi metadata"));
    assert.deepEqual(Array.from(readSer(emi).data), flip(vals, w, h));
  });
});
