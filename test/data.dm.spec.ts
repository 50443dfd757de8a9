// The DigitalMicrograph reader on files written by test/dm_writer.ts: round trips of values and
// calibration in DM3 and DM4, both byte orders; image choice (thumbnail first); structs and arrays of
// structs skipped correctly; clear errors for spectra, 4-D data, complex data, non-DM and cut files.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readDm } from "../lib/data/formats/dm";
import { parseDm, dmGet, dmText } from "../lib/data/formats/dm_tags";
import { FormatError } from "../lib/data/formats/types";
import { dmImage, group, num, text, writeDm, Node } from "./dm_writer";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-dm-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function save(name: string, buf: Buffer): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, buf);
  return f;
}

/** A DM file: an RGB thumbnail first, then other tags with structs, then the main image. */
function file(main: Node, extraImages: Node[] = []): Node {
  const thumb = dmImage([4, 3], 23, 5, Array.from({ length: 12 }, (_, i) => 0xff000000 + i), [{ scale: 1, units: "", origin: 0 }, { scale: 1, units: "", origin: 0 }]);
  return group([
    ["ApplicationBounds", { kind: "struct", ts: [3, 3, 3, 3], vs: [0, 0, 1024, 768] }],
    ["DocumentObjectList", group([["", group([["AnnotationType", num(3, 20)], ["Rect", { kind: "structarr", ts: [6, 6, 7], rows: [[1, 2, 3], [4, 5, 6]] }]])]])],
    ["ImageList", group([["", thumb], ...extraImages.map((n) => ["", n] as [string, Node]), ["", main]])],
    ["Thumbnails", group([["", group([["ImageIndex", num(3, 0)]])]])],
  ]);
}

describe("data/formats: DigitalMicrograph reader on synthetic DM3/DM4", () => {
  const w = 5, h = 3;
  const vals = Array.from({ length: w * h }, (_, i) => (i - 7) * 1.25);
  const cal = [{ scale: 0.5, units: "nm", origin: 2 }, { scale: 3, units: "Å", origin: -1 }];

  for (const version of [3, 4] as const) {
    for (const le of [true, false]) {
      it(`round-trips a float32 image and its per-axis calibration (DM${version}, ${le ? "little" : "big"}-endian data)`, () => {
        const f = save(`rt${version}${le}.dm${version}`, writeDm(file(dmImage([w, h], 2, 6, vals, cal)), version, le));
        const m = readDm(f);
        assert.equal(m.format, `dm${version}`);
        assert.deepEqual([m.width, m.height, m.dtype, m.slices], [w, h, "float32", 1]);
        assert.deepEqual(Array.from(m.data), vals);
        assert.deepEqual(m.x, { scale: 0.5, unit: "nm", origin: -1 });
        assert.deepEqual(m.y, { scale: 3, unit: "Å", origin: 3 });
        assert.match(m.detail, /ImageList\[1\]/);
      });
    }
  }

  it("reads each integer type with its sign and width", () => {
    const types: [number, number, string, number[]][] = [
      [1, 2, "int16", [-32768, -1, 0, 1, 32767, 7]],
      [10, 4, "uint16", [0, 1, 65535, 40000, 2, 3]],
      [7, 3, "int32", [-2147483648, -5, 0, 5, 2147483647, 9]],
      [11, 5, "uint32", [0, 4294967295, 1, 2, 3, 4]],
      [6, 8, "uint8", [0, 255, 128, 1, 2, 3]],
      [9, 10, "int8", [-128, 127, -1, 0, 1, 2]],
      [12, 7, "float64", [1e-300, -2.5, Math.PI, 0, 1, 2]],
    ];
    for (const [dt, et, name, v] of types) {
      const f = save(`t${dt}.dm4`, writeDm(file(dmImage([3, 2], dt, et, v, cal)), 4, true));
      const m = readDm(f);
      assert.equal(m.dtype, name);
      assert.deepEqual(Array.from(m.data), v, name);
    }
  });

  it("picks the largest image after the first (thumbnail) entry, the last on ties", () => {
    const small = dmImage([2, 2], 2, 6, [9, 9, 9, 9], cal);
    const f = save("pick.dm3", writeDm(file(dmImage([w, h], 2, 6, vals, cal), [small]), 3, true));
    assert.equal(readDm(f).width, w);
    const tieA = dmImage([w, h], 2, 6, vals.map(() => 1), cal);
    const g = save("tie.dm3", writeDm(file(dmImage([w, h], 2, 6, vals, cal), [tieA]), 3, true));
    assert.deepEqual(Array.from(readDm(g).data), vals);
    // a single-entry list is read even though it is the first entry
    const single = save("single.dm4", writeDm(group([["ImageList", group([["", dmImage([w, h], 2, 6, vals, cal)]])]]), 4, true));
    assert.deepEqual(Array.from(readDm(single).data), vals);
  });

  it("reads a slice of a 3-D stack only when asked, with the slice's samples", () => {
    const d = 4;
    const v = Array.from({ length: w * h * d }, (_, i) => i - 20);
    const f = save("vol.dm4", writeDm(file(dmImage([w, h, d], 1, 2, v, [...cal, { scale: 4, units: "µm", origin: 0 }])), 4, false));
    assert.throws(() => readDm(f), (e: Error) => e instanceof FormatError && e.message.includes(f) && /stack of 4/.test(e.message) && /--stack-slice/.test(e.message));
    for (let s = 0; s < d; s++) assert.deepEqual(Array.from(readDm(f, { stackSlice: s }).data), v.slice(s * w * h, (s + 1) * w * h));
    assert.throws(() => readDm(f, { stackSlice: 4 }), /out of range/);
    assert.equal(readDm(f, { stackSlice: 1, headerOnly: true }).data.length, 0);
  });

  it("squeezes length-1 axes: a 2048×1 spectrum is rejected as a spectrum, a 5×3×1 volume is an image", () => {
    const spec = save("spec.dm3", writeDm(file(dmImage([6, 1], 2, 6, [1, 2, 3, 4, 5, 6], [{ scale: 0.1, units: "eV", origin: 0 }, { scale: 1, units: "", origin: 0 }])), 3, true));
    assert.throws(() => readDm(spec), (e: Error) => e.message.includes(spec) && /1-D signal \(6 × 0\.1 eV/.test(e.message) && /spectrum/.test(e.message));
    const flat = save("flat.dm3", writeDm(file(dmImage([w, h, 1], 2, 6, vals, [...cal, { scale: 1, units: "", origin: 0 }])), 3, true));
    assert.deepEqual([readDm(flat).width, readDm(flat).height], [w, h]);
  });

  it("rejects 4-D data, complex data and a size mismatch with what the file holds", () => {
    const four = save("4d.dm4", writeDm(file(dmImage([2, 2, 2, 2], 2, 6, new Array(16).fill(0), [...cal, ...cal])), 4, true));
    assert.throws(() => readDm(four), /4-D dataset \(2×2×2×2/);
    const cplx = save("c.dm4", writeDm(file(dmImage([2, 2], 3, 6, new Array(8).fill(0), cal)), 4, true));
    assert.throws(() => readDm(cplx), /complex64 is not supported/);
    const short = save("short.dm3", writeDm(file(dmImage([w, h], 2, 6, vals.slice(1), cal)), 3, true));
    assert.throws(() => readDm(short), /needs 60/);
  });

  it("rejects a file that is not DigitalMicrograph, naming it", () => {
    const png = save("x.dm3", Buffer.from("\x89PNG\r\n\x1a\n0000000000000000", "latin1"));
    assert.throws(() => readDm(png), (e: Error) => e.message.includes(png) && /not a DigitalMicrograph/.test(e.message));
    const noList = save("nolist.dm3", writeDm(group([["Other", num(3, 1)]]), 3, true));
    assert.throws(() => readDm(noList), /without an ImageList/);
  });

  it("fails with a FormatError naming the file for every truncation of a DM3 and a DM4 file", () => {
    for (const version of [3, 4] as const) {
      const buf = writeDm(file(dmImage([w, h], 2, 6, vals, cal)), version, true);
      // every prefix through the parser (in memory), a few through the file reader
      for (let n = 0; n < buf.length; n++) {
        assert.throws(() => parseDm("mem.dm", buf.subarray(0, n)), (e: Error) => e instanceof FormatError && e.message.startsWith("mem.dm: "), `DM${version} cut at ${n} of ${buf.length}`);
      }
      for (const n of [0, 10, buf.length >> 1, buf.length - 1]) {
        const f = save(`cut.dm${version}`, buf.subarray(0, n));
        assert.throws(() => readDm(f), (e: Error) => e instanceof FormatError && e.message.startsWith(f) && /truncated|not a DigitalMicrograph/.test(e.message), `DM${version} cut at ${n}`);
      }
      readDm(save(`whole.dm${version}`, buf));
    }
  });

  it("exposes the tag tree: structs, text and nested groups", () => {
    const buf = writeDm(group([["A", group([["B", { kind: "struct", ts: [2, 7], vs: [-3, 0.25] }], ["T", text("µm")]])], ["N", num(12, 2 ** 40)]]), 4, false);
    const t = parseDm("mem", buf);
    assert.deepEqual(dmGet(t.root, "A/B"), [-3, 0.25]);
    assert.equal(dmText(t, dmGet(t.root, "A/T")), "µm");
    assert.equal(dmGet(t.root, "N"), 2 ** 40);
    assert.equal(dmGet(t.root, "A/missing"), undefined);
  });
});
