/**
 * Helpers of the fault-injection suite (test/faults.*.spec.ts): run the real CLI in a child process,
 * signal it, and write small hand-made inputs.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn, type ChildProcess } from "child_process";
import sharp from "sharp";
import { Rng } from "../lib/util/rng";

export const root = path.join(__dirname, "..");
export const bin = path.join(root, "bin", "nanomorph");

/** A fresh temp folder. */
export function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `nm-fault-${tag}-`));
}

/** Outcome of a CLI run: exit code (128 + n when killed by a signal without handling it), streams. */
export interface CliRun { code: number; signal: NodeJS.Signals | null; out: string; err: string }

/** A running CLI process with its collected output. */
export interface CliProcess { child: ChildProcess; done: Promise<CliRun>; err(): string }

/** Start `nanomorph ARGS` (ci profile, quiet) in its own process. */
export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NANOMORPH_PROFILE: "ci", NANOMORPH_QUIET: "1", ...env } });
  let out = "", err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const done = new Promise<CliRun>((resolve) => child.on("close", (code, signal) => resolve({ code: code ?? -1, signal, out, err })));
  return { child, done, err: () => err };
}

/** Run `nanomorph ARGS` to the end. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return startCli(args, env).done;
}

/** Resolve once `cond()` holds (polled every 50 ms); reject after `limitMs` naming `what`. */
export function waitFor(cond: () => boolean, what: string, limitMs = 60000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const t = setInterval(() => {
      if (cond()) { clearInterval(t); resolve(); } else if (Date.now() - t0 > limitMs) { clearInterval(t); reject(new Error(`timed out waiting for ${what}`)); }
    }, 50);
  });
}

/** Write `perClass` seeded-noise RGB PNGs (side `px`) per class into `dir/<class>/i.png`. */
export async function writeClassFolder(dir: string, classes: string[], perClass: number, px = 40, seed = 5): Promise<void> {
  const rng = new Rng(seed);
  for (let c = 0; c < classes.length; c++) {
    fs.mkdirSync(path.join(dir, classes[c]), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const buf = Buffer.alloc(px * px * 3);
      for (let k = 0; k < buf.length; k++) buf[k] = Math.min(255, c * 60 + rng.int(100));
      await sharp(buf, { raw: { width: px, height: px, channels: 3 } }).png().toFile(path.join(dir, classes[c], `${i}.png`));
    }
  }
}

/** Write a grey PNG `w`×`h` with the given pixel values (row-major, length w·h). */
export async function writeGreyPng(file: string, w: number, h: number, values: (i: number) => number): Promise<void> {
  const buf = Buffer.alloc(w * h);
  for (let i = 0; i < buf.length; i++) buf[i] = values(i);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp(buf, { raw: { width: w, height: h, channels: 1 } }).png().toFile(file);
}

/**
 * Write a minimal uncompressed little-endian float32 grey TIFF (one strip), `values(i)` row-major
 * (NaN and ±Inf allowed): the kind some microscopes export.
 */
export function writeFloatTiff(file: string, w: number, h: number, values: (i: number) => number): void {
  const tags: Array<[number, number, number]> = [ // tag, type (3 SHORT, 4 LONG), value
    [256, 4, w], [257, 4, h], [258, 3, 32], [259, 3, 1], [262, 3, 1], [273, 4, 0], [277, 3, 1], [278, 4, h], [279, 4, w * h * 4], [339, 3, 3],
  ];
  const ifdSize = 2 + tags.length * 12 + 4;
  const dataOffset = 8 + ifdSize;
  const buf = Buffer.alloc(dataOffset + w * h * 4);
  buf.write("II", 0, "latin1");
  buf.writeUInt16LE(42, 2);
  buf.writeUInt32LE(8, 4);
  buf.writeUInt16LE(tags.length, 8);
  tags.forEach(([tag, type, value], k) => {
    const o = 10 + k * 12;
    buf.writeUInt16LE(tag, o);
    buf.writeUInt16LE(type, o + 2);
    buf.writeUInt32LE(1, o + 4);
    const v = tag === 273 ? dataOffset : value;
    if (type === 3) buf.writeUInt16LE(v, o + 8); else buf.writeUInt32LE(v, o + 8);
  });
  buf.writeUInt32LE(0, 10 + tags.length * 12);
  for (let i = 0; i < w * h; i++) buf.writeFloatLE(values(i), dataOffset + i * 4);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, buf);
}
