/**
 * The tag directories (IFDs) of a TIFF file, read straight from the bytes: classic TIFF and BigTIFF,
 * either byte order. Only the directories and the values asked for are read (a multi-gigabyte stack
 * costs a few kilobytes), and text tags keep their bytes' meaning: UTF-8 when the bytes are valid
 * UTF-8, else Latin-1 — microscope software writes "µm" as the single Latin-1 byte 0xB5 (Zeiss
 * CZ_SEM, DigitalMicrograph's 65003), which a UTF-8-only decoder turns into U+FFFD.
 */
import * as fs from "fs";
import { FormatError } from "./types";

/** A decoded tag value: text for ASCII tags, numbers for numeric ones (rationals as num/den), raw bytes for BYTE/UNDEFINED. */
export type TiffValue = string | number[] | Uint8Array;

/** One image file directory (page): its tags, decoded on demand. */
export interface TiffDirectory {
  /** 0-based page index in the main IFD chain. */
  index: number;
  /** Tag numbers present. */
  tags: number[];
  /** The tag's value, or undefined when absent (or larger than {@link MAX_TAG_BYTES}). */
  get(tag: number): TiffValue | undefined;
  /** An ASCII tag as text (trailing NULs removed), or undefined when absent or not text. */
  text(tag: number): string | undefined;
  /** The first number of a numeric tag, or undefined when absent or not numeric. */
  number(tag: number): number | undefined;
}

/** An open TIFF file's directory chain. Call {@link TiffTags.close} when done. */
export interface TiffTags {
  /** Pages (IFDs) in the main chain. */
  pages: number;
  /** Directory of page `i` (0-based). Throws {@link FormatError} for a page out of range. */
  directory(i: number): TiffDirectory;
  close(): void;
}

/** Values longer than this are not read (a tag holding a whole embedded file is not metadata we need). */
export const MAX_TAG_BYTES = 4 << 20;
/** Pages followed at most (a longer chain is counted up to here). */
const MAX_PAGES = 100000;

const TYPE_BYTES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };

interface Entry { type: number; count: number; at: number }

/** Text of ASCII bytes: UTF-8 when valid, else Latin-1; trailing NULs removed. */
export function bytesToText(bytes: Uint8Array): string {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  const b = bytes.subarray(0, end);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(b);
  } catch {
    return Buffer.from(b).toString("latin1");
  }
}

/**
 * Open `file` and walk its IFD chain. Throws {@link FormatError} naming the file when it is not a TIFF
 * or its header/directories are cut short.
 */
export function openTiffTags(file: string): TiffTags {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    throw new FormatError(file, `cannot read TIFF tags: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const size = fs.fstatSync(fd).size;
  const read = (at: number, n: number): Buffer => {
    if (at < 0 || at + n > size) throw new FormatError(file, `cannot read TIFF tags: truncated (needs bytes ${at}…${at + n}, the file has ${size})`);
    const b = Buffer.alloc(n);
    fs.readSync(fd, b, 0, n, at);
    return b;
  };
  try {
    const head = read(0, Math.min(16, Math.max(size, 8)));
    const order = head.toString("latin1", 0, 2);
    if (order !== "II" && order !== "MM") throw new FormatError(file, "cannot read TIFF tags: not a TIFF file (no II/MM byte-order mark)");
    const le = order === "II";
    const u16 = (b: Buffer, o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const u64 = (b: Buffer, o: number): number => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
    const magic = u16(head, 2);
    if (magic !== 42 && magic !== 43) throw new FormatError(file, `cannot read TIFF tags: not a TIFF file (version ${magic}, expected 42 or 43)`);
    const big = magic === 43;
    if (big && head.length < 16) throw new FormatError(file, "cannot read TIFF tags: truncated BigTIFF header");
    const entrySize = big ? 20 : 12, countSize = big ? 8 : 2, offSize = big ? 8 : 4;
    const offsets: number[] = [];
    const seen = new Set<number>();
    let next = big ? u64(head, 8) : u32(head, 4);
    while (next !== 0 && offsets.length < MAX_PAGES) {
      if (seen.has(next)) break; // a loop in the chain: stop at the pages seen
      seen.add(next);
      offsets.push(next);
      const c = read(next, countSize);
      const n = big ? u64(c, 0) : u16(c, 0);
      next = (big ? u64 : u32)(read(next + countSize + n * entrySize, offSize), 0);
    }
    if (offsets.length === 0) throw new FormatError(file, "cannot read TIFF tags: the file has no image directory");
    const parse = (at: number): Map<number, Entry> => {
      const c = read(at, countSize);
      const n = big ? u64(c, 0) : u16(c, 0);
      const raw = read(at + countSize, n * entrySize);
      const m = new Map<number, Entry>();
      for (let i = 0; i < n; i++) {
        const o = i * entrySize;
        const tag = u16(raw, o), type = u16(raw, o + 2);
        const count = big ? u64(raw, o + 4) : u32(raw, o + 4);
        const bytes = (TYPE_BYTES[type] ?? 1) * count;
        const inline = bytes <= offSize;
        const valueAt = at + countSize + o + (big ? 12 : 8);
        m.set(tag, { type, count, at: inline ? valueAt : (big ? u64(raw, o + 12) : u32(raw, o + 8)) });
      }
      return m;
    };
    const decode = (e: Entry): TiffValue | undefined => {
      const w = TYPE_BYTES[e.type];
      if (w === undefined || e.count * w > MAX_TAG_BYTES) return undefined;
      const b = read(e.at, e.count * w);
      if (e.type === 2) return bytesToText(b);
      if (e.type === 1 || e.type === 7) return new Uint8Array(b);
      const out: number[] = [];
      for (let i = 0; i < e.count; i++) {
        const o = i * w;
        switch (e.type) {
          case 3: out.push(u16(b, o)); break;
          case 4: case 13: out.push(u32(b, o)); break;
          case 5: { const d = u32(b, o + 4); out.push(d ? u32(b, o) / d : NaN); break; }
          case 6: out.push(b.readInt8(o)); break;
          case 8: out.push(le ? b.readInt16LE(o) : b.readInt16BE(o)); break;
          case 9: out.push(le ? b.readInt32LE(o) : b.readInt32BE(o)); break;
          case 10: { const d = le ? b.readInt32LE(o + 4) : b.readInt32BE(o + 4); out.push(d ? (le ? b.readInt32LE(o) : b.readInt32BE(o)) / d : NaN); break; }
          case 11: out.push(le ? b.readFloatLE(o) : b.readFloatBE(o)); break;
          case 12: out.push(le ? b.readDoubleLE(o) : b.readDoubleBE(o)); break;
          case 17: out.push(Number(le ? b.readBigInt64LE(o) : b.readBigInt64BE(o))); break;
          default: out.push(u64(b, o));
        }
      }
      return out;
    };
    return {
      pages: offsets.length,
      directory(i: number): TiffDirectory {
        if (!(Number.isInteger(i) && i >= 0 && i < offsets.length)) throw new FormatError(file, `TIFF page ${i} is out of range: the file has ${offsets.length} page(s) (0…${offsets.length - 1})`);
        const entries = parse(offsets[i]);
        const cache = new Map<number, TiffValue | undefined>();
        const get = (tag: number): TiffValue | undefined => {
          if (!cache.has(tag)) { const e = entries.get(tag); cache.set(tag, e ? decode(e) : undefined); }
          return cache.get(tag);
        };
        return {
          index: i,
          tags: [...entries.keys()],
          get,
          text: (tag) => { const v = get(tag); return typeof v === "string" ? v : undefined; },
          number: (tag) => { const v = get(tag); return Array.isArray(v) && v.length ? v[0] : undefined; },
        };
      },
      close: () => fs.closeSync(fd),
    };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}
