/**
 * A folder of finished work items for resuming a long run: one gzipped JSON file per item, keyed by
 * the caller, under a stamp of the run's settings. Why: a folder run that is stopped (Ctrl-C, a
 * cluster's time limit, a full disk) keeps what it had finished, and the same command continues from
 * there; a run with other settings starts over (its stamp differs and the folder is emptied).
 * Values keep typed arrays (Int32Array label maps …) and non-finite numbers exactly.
 */
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { contentHash } from "./hash";
import { writeFileAtomic, writeJsonAtomic } from "./fsx";

const STAMP = "settings.json";
type Typed = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;
const TYPED: Record<string, new (b: ArrayBuffer) => Typed> = { Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array };

/** JSON text of `value` with typed arrays as `{ $typed, data: base64 }` and NaN/±Infinity as `{ $num }`. */
export function encodeValue(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === "number" && !Number.isFinite(v)) return { $num: String(v) };
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const name = v.constructor.name;
      if (!(name in TYPED)) throw new Error(`encodeValue: cannot store a ${name}`);
      return { $typed: name, data: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
    }
    return v;
  });
}

/** Inverse of {@link encodeValue}. */
export function decodeValue<T>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o.$num === "string" && Object.keys(o).length === 1) return Number(o.$num);
      if (typeof o.$typed === "string" && typeof o.data === "string" && Object.keys(o).length === 2) {
        const Ctor = TYPED[o.$typed];
        if (!Ctor) throw new Error(`decodeValue: unknown typed array ${o.$typed}`);
        const bytes = Buffer.from(o.data, "base64");
        const buf = new ArrayBuffer(bytes.byteLength);
        new Uint8Array(buf).set(bytes);
        return new Ctor(buf);
      }
    }
    return v;
  }) as T;
}

/** Finished items of one run, stored in `dir` (see the file's header). */
export class ResumeStore<T> {
  private failed = false;
  private constructor(readonly dir: string, readonly resumed: number, private readonly onFailure?: (e: Error) => void) {}

  /**
   * Open `dir` for a run with `settings` (any JSON value): items stored under the same settings are
   * kept, anything else in the folder is removed. Creates the folder. `resumed` counts the kept items.
   * `onFailure` hears of the first item that could not be stored (see {@link put}). Throws when the
   * folder or its stamp cannot be written (e.g. a full disk): the caller may then go on without one.
   */
  static open<T>(dir: string, settings: unknown, onFailure?: (e: Error) => void): ResumeStore<T> {
    const stamp = contentHash(settings);
    const stampFile = path.join(dir, STAMP);
    let same = false;
    try {
      same = (JSON.parse(fs.readFileSync(stampFile, "utf8")) as { stamp?: string }).stamp === stamp;
    } catch {
      same = false; // absent or unreadable: start over
    }
    if (!same) fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    if (!same) writeJsonAtomic(stampFile, { stamp });
    const items = fs.readdirSync(dir).filter((n) => n.endsWith(".json.gz")).length;
    return new ResumeStore<T>(dir, items, onFailure);
  }

  private file(key: unknown): string {
    return path.join(this.dir, `${contentHash(key)}.json.gz`);
  }

  /** The item stored under `key`, or undefined (absent, or unreadable: it is then computed again). */
  get(key: unknown): T | undefined {
    if (this.failed) return undefined;
    try {
      const stored = decodeValue<{ key: string; value: T }>(zlib.gunzipSync(fs.readFileSync(this.file(key))).toString("utf8"));
      return stored.key === encodeValue(key) ? stored.value : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Store `value` under `key` (atomically: a stop mid-write leaves the item absent, never half). Keeping
   * items only saves work, so a write that fails (a full disk) does not stop the run: the store gives
   * up, removes its folder to free the space, and tells `onFailure` once.
   */
  put(key: unknown, value: T): void {
    if (this.failed) return;
    try {
      writeFileAtomic(this.file(key), zlib.gzipSync(encodeValue({ key: encodeValue(key), value })));
    } catch (e) {
      this.failed = true;
      this.remove();
      this.onFailure?.(e as Error);
    }
  }

  /** False once an item could not be stored (the folder is then gone). */
  get usable(): boolean {
    return !this.failed;
  }

  /** Remove the folder (the run finished). */
  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
