import { initBackend } from "../lib/backend/index";
// Microscope files through the common decoder and the loaders (lib/data/decode.ts, folders, images,
// inspect, the CLI's --stack-slice): 8/16-bit kept, other types stretched min→max to 16 bits, resizing
// identical to a 16-bit PNG of the same pixels, stacks only with a slice.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import * as tf from "@tensorflow/tfjs";
import { decodeImage, imageInfo, ImageDecodeError } from "../lib/data/decode";
import { listClassFolder, isImageFile } from "../lib/data/folders";
import { loadImages } from "../lib/data/images";
import { inspectDir, formatInspectReport } from "../lib/data/inspect";
import { main } from "../lib/cli/main";
import { dmImage, group, writeDm } from "./dm_writer";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-decfmt-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const W = 12, H = 9;
const floats = Array.from({ length: W * H }, (_, i) => Math.sin(i / 5) * 3.5 - 1);
const cal = [{ scale: 0.5, units: "nm", origin: 0 }, { scale: 0.5, units: "nm", origin: 0 }];
function dmFile(name: string, dims: number[], dataType: number, elemType: number, values: number[]): string {
  const f = path.join(tmp, name);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  const c = dims.length === 3 ? [...cal, { scale: 1, units: "nm", origin: 0 }] : cal;
  fs.writeFileSync(f, writeDm(group([["ImageList", group([["", dmImage(dims, dataType, elemType, values, c)]])]]), 4, true));
  return f;
}

/** The expected 16-bit stretch: min → 0, max → 65535, rounded. */
function stretch(v: number[]): number[] {
  const lo = Math.min(...v), hi = Math.max(...v);
  return v.map((x) => Math.round(((x - lo) / (hi - lo)) * 65535));
}

describe("data: microscope files through decodeImage and the loaders", function () {
  this.timeout(60000);
  before(async () => { await initBackend(); }); // tf.memory() below needs a backend even when this file runs alone
  const fl = dmFile("cls/float.dm4", [W, H], 2, 6, floats);
  const u16v = Array.from({ length: W * H }, (_, i) => (i * 517) % 65536);
  const u16 = dmFile("cls/u16.dm4", [W, H], 10, 4, u16v);
  const u8v = Array.from({ length: W * H }, (_, i) => (i * 7) % 256);
  const u8 = dmFile("cls/u8.dm4", [W, H], 6, 8, u8v);
  const stackV = Array.from({ length: W * H * 3 }, (_, i) => (i % 97) - 40);
  const stack = dmFile("stk/stack.dm4", [W, H, 3], 1, 2, stackV);

  it("decodes float data stretched min→max to 16 bits, uint16 and uint8 unchanged", async () => {
    const f = await decodeImage(fl, { channels: "native" });
    assert.deepEqual([f.width, f.height, f.channels, f.depth, f.format], [W, H, 1, 16, "dm4"]);
    assert.deepEqual(Array.from(f.data), stretch(floats.map((x) => Math.fround(x))));
    const a = await decodeImage(u16, { channels: "native" });
    assert.deepEqual([a.depth, Array.from(a.data)], [16, u16v]);
    const b = await decodeImage(u8, { channels: "native" });
    assert.deepEqual([b.depth, Array.from(b.data)], [8, u8v]);
  });

  it("replicates grey to RGB by default and resizes exactly like a 16-bit PNG of the same pixels", async () => {
    const rgb = await decodeImage(fl);
    assert.equal(rgb.channels, 3);
    const grey = await decodeImage(fl, { channels: "native" });
    for (let i = 0; i < W * H; i++) assert.ok(rgb.data[3 * i] === grey.data[i] && rgb.data[3 * i + 2] === grey.data[i]);
    const png = path.join(tmp, "same.png");
    await sharp(new Uint16Array(grey.data), { raw: { width: W, height: H, channels: 1 } }).toColourspace("grey16").png().toFile(png);
    assert.equal((await imageInfo(png)).bits, 16);
    for (const size of [5, 16]) {
      const a = await decodeImage(fl, { size, channels: "native" });
      const b = await decodeImage(png, { size, channels: "native" });
      assert.deepEqual([a.width, a.height, a.depth], [size, size, 16]);
      assert.deepEqual(Array.from(a.data), Array.from(b.data), `size ${size}`);
    }
  });

  it("reports microscope headers in imageInfo", async () => {
    assert.deepEqual(await imageInfo(fl), { format: "dm4", width: W, height: H, channels: 1, bits: 32, space: "grey16" });
    assert.equal((await imageInfo(u8)).bits, 8);
  });

  it("rejects a stack unless a slice is chosen by option or NANOMORPH_STACK_SLICE", async () => {
    await assert.rejects(decodeImage(stack), (e: Error) => e instanceof ImageDecodeError && e.message.includes(stack) && /--stack-slice/.test(e.message));
    await assert.rejects(imageInfo(stack), /--stack-slice/);
    const s1 = await decodeImage(stack, { channels: "native", stackSlice: 1 });
    assert.deepEqual(Array.from(s1.data), stretch(stackV.slice(W * H, 2 * W * H)));
    process.env.NANOMORPH_STACK_SLICE = "2";
    try {
      const s2 = await decodeImage(stack, { channels: "native" });
      assert.deepEqual(Array.from(s2.data), stretch(stackV.slice(2 * W * H)));
      process.env.NANOMORPH_STACK_SLICE = "x";
      await assert.rejects(decodeImage(stack), /NANOMORPH_STACK_SLICE/);
    } finally {
      delete process.env.NANOMORPH_STACK_SLICE;
    }
  });

  it("lists microscope files as images (not the .emi companion) and loads them into a tensor", async () => {
    assert.ok([".dm3", ".dm4", ".ser", ".emd", ".mrc"].every((e) => isImageFile(`x${e}`)));
    assert.equal(isImageFile("x.emi"), false);
    const cf = listClassFolder(tmp);
    assert.deepEqual(cf.classes, ["cls", "stk"]);
    const before = tf.memory().numTensors;
    const t = await loadImages([fl, u8], 8, { cache: false });
    try {
      assert.deepEqual(t.shape, [2, 8, 8, 3]);
      const want = await decodeImage(fl, { size: 8 });
      const got = tf.tidy(() => t.slice([0, 0, 0, 0], [1, 8, 8, 3]).dataSync());
      for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - want.data[i] / 65535) < 1e-6);
      assert.ok(tf.tidy(() => t.max().dataSync()[0]) <= 1 && tf.tidy(() => t.min().dataSync()[0]) >= 0);
    } finally {
      t.dispose();
    }
    assert.equal(tf.memory().numTensors, before, "no tensor leaked");
  });

  it("data inspect shows each file's calibration and the stack error; --stack-slice reads the stack", async () => {
    const r = await inspectDir(tmp);
    const cls = r.splits[""].find((c) => c.name === "cls");
    assert.ok(cls);
    assert.equal(cls.count, 3);
    assert.equal(cls.calibrations["float.dm4"]?.nmPerPxX, 0.5);
    const text = formatInspectReport(r);
    assert.match(text, /calibration float\.dm4: 0\.5 nm\/px \(file: dm4 .*file says x 0\.5 nm, y 0\.5 nm\)/);
    assert.match(r.problems.join("\n"), /stack\.dm4: unreadable: .*--stack-slice/);
    const out: string[] = [];
    const orig = console.log;
    console.log = (...a: unknown[]) => { out.push(a.join(" ")); };
    try {
      // Exit 1 would only mean other problems are listed (inspect exits 1 on any); the stack must not be one.
      const code = await main(["data", "inspect", tmp, "--stack-slice", "1"]);
      const problems = out.join("\n").split("\n").filter((l) => / (unreadable|tiny image|non-image)/.test(l));
      assert.equal(code, problems.length ? 1 : 0, `exit code ${code} with problems: ${problems.join(" | ")}`);
      assert.ok(problems.every((l) => !/stack\.dm4: unreadable/.test(l)), problems.join(" | "));
    } finally {
      console.log = orig;
      delete process.env.NANOMORPH_STACK_SLICE;
    }
    assert.match(out.join("\n"), /calibration stack\.dm4: x 0\.5, y 0\.5 nm\/px|calibration stack\.dm4: 0\.5 nm\/px/);
    assert.doesNotMatch(out.join("\n"), /stack\.dm4: unreadable/);
  });

  it("the CLI rejects a --stack-slice that is not an index", async () => {
    const errs: string[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => { errs.push(a.join(" ")); };
    try {
      assert.notEqual(await main(["data", "inspect", tmp, "--stack-slice", "-1"]), 0);
    } finally {
      console.error = orig;
      delete process.env.NANOMORPH_STACK_SLICE;
    }
    assert.match(errs.join("\n"), /--stack-slice needs a slice index/);
  });
});
