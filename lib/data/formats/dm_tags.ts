/**
 * Gatan DigitalMicrograph tag-file parser (.dm3 version 3, .dm4 version 4), written from the published
 * description of the format. A file is a header then one tag group; a group holds labelled tags, each
 * either a group or data. Header and tag structure are big-endian; data values use the byte order the
 * header names. DM3 sizes and counts are 4 bytes, DM4's are 8 (and DM4 tags carry their byte size).
 *
 * Data tags are typed by an "info" array: `[type]` for a simple value, `[15, nameLen, nFields,
 * (fieldNameLen, fieldType)…]` for a struct, `[20, elemType, length]` for an array (or `[20, 15, <struct
 * def>, length]` for an array of structs). Arrays are not decoded here, only located (`offset`,
 * `length`), so a 4k×4k image costs nothing until its samples are wanted.
 */
import { FormatError } from "./types";

/** A located (not decoded) array: `length` elements of simple type `elemType` at byte `offset`. */
export interface DmArray {
  kind: "array";
  /** DM simple type code of each element (2 int16, 3 int32, 4 uint16, 5 uint32, 6 float32, 7 float64, 8 bool, 9 char, 10 int8, 11 int64, 12 uint64); 15 for an array of structs. */
  elemType: number;
  length: number;
  /** Byte offset of element 0 in the file. */
  offset: number;
  /** Bytes per element. */
  elemBytes: number;
}

/** A tag group: entries in file order (labels may be empty, e.g. in ImageList). */
export interface DmGroup {
  kind: "group";
  entries: { label: string; value: DmValue }[];
}

/** A tag value: a number, a struct (array of numbers), a located array or a group. */
export type DmValue = number | number[] | DmArray | DmGroup;

/** A parsed tag file. */
export interface DmFile {
  /** 3 or 4. */
  version: 3 | 4;
  /** Byte order of data values. */
  littleEndian: boolean;
  root: DmGroup;
  /** The whole file (arrays point into it). */
  buf: Buffer;
  /** Byte offset just after the root group. */
  end: number;
}

/** Bytes of each DM simple type. */
const SIMPLE_BYTES: Record<number, number> = { 2: 2, 3: 4, 4: 2, 5: 4, 6: 4, 7: 8, 8: 1, 9: 1, 10: 1, 11: 8, 12: 8 };

/**
 * Parse a DM3/DM4 tag file held in `buf` (`file` names it in errors). Throws {@link FormatError} for a
 * file that is not DM3/DM4, and "truncated at byte N" for one cut short.
 */
export function parseDm(file: string, buf: Buffer): DmFile {
  let pos = 0;
  const need = (n: number): void => {
    if (pos + n > buf.length) throw new FormatError(file, `truncated: the DigitalMicrograph tag structure needs byte ${pos + n} but the file has ${buf.length} bytes`);
  };
  const u8 = (): number => { need(1); return buf[pos++]; };
  const u16be = (): number => { need(2); const v = buf.readUInt16BE(pos); pos += 2; return v; };
  const u32be = (): number => { need(4); const v = buf.readUInt32BE(pos); pos += 4; return v; };
  const u64be = (): number => { need(8); const v = Number(buf.readBigUInt64BE(pos)); pos += 8; return v; };
  if (buf.length < 16) throw new FormatError(file, `not a DigitalMicrograph file (only ${buf.length} bytes)`);
  const version = u32be();
  if (version !== 3 && version !== 4) throw new FormatError(file, `not a DigitalMicrograph .dm3/.dm4 file (header version ${version}, expected 3 or 4)`);
  const big = version === 4 ? u64be : u32be;
  big(); // root length: not needed, the tags are self-delimiting
  const order = u32be();
  if (order !== 0 && order !== 1) throw new FormatError(file, `not a DigitalMicrograph file (byte-order flag ${order})`);
  const le = order === 1;

  const simple = (t: number): number => {
    const n = SIMPLE_BYTES[t];
    if (n === undefined) throw new FormatError(file, `unknown DigitalMicrograph data type ${t} at byte ${pos}`);
    need(n);
    let v: number;
    switch (t) {
      case 2: v = le ? buf.readInt16LE(pos) : buf.readInt16BE(pos); break;
      case 3: v = le ? buf.readInt32LE(pos) : buf.readInt32BE(pos); break;
      case 4: v = le ? buf.readUInt16LE(pos) : buf.readUInt16BE(pos); break;
      case 5: v = le ? buf.readUInt32LE(pos) : buf.readUInt32BE(pos); break;
      case 6: v = le ? buf.readFloatLE(pos) : buf.readFloatBE(pos); break;
      case 7: v = le ? buf.readDoubleLE(pos) : buf.readDoubleBE(pos); break;
      case 8: case 9: v = buf[pos]; break;
      case 10: v = buf.readInt8(pos); break;
      case 11: v = Number(le ? buf.readBigInt64LE(pos) : buf.readBigInt64BE(pos)); break;
      default: v = Number(le ? buf.readBigUInt64LE(pos) : buf.readBigUInt64BE(pos));
    }
    pos += n;
    return v;
  };

  const data = (): DmValue => {
    need(4);
    if (buf.toString("latin1", pos, pos + 4) !== "%%%%") throw new FormatError(file, `corrupt DigitalMicrograph tag at byte ${pos} (no '%%%%' marker)`);
    pos += 4;
    const n = big();
    if (n < 1 || n > 1 << 20) throw new FormatError(file, `corrupt DigitalMicrograph tag at byte ${pos} (info length ${n})`);
    const info: number[] = [];
    for (let i = 0; i < n; i++) info.push(big());
    const t = info[0];
    if (t === 15) {
      const nf = info[2];
      const out: number[] = [];
      for (let f = 0; f < nf; f++) out.push(simple(info[4 + 2 * f]));
      return out;
    }
    if (t === 18) {
      // a string tag: info[1] UTF-16 code units (rare; DM writes most text as uint16 arrays)
      const len = info[1] * 2;
      need(len);
      pos += len;
      return [];
    }
    if (t === 20) {
      const et = info[1];
      let elemBytes: number;
      let length: number;
      if (et === 15) {
        const nf = info[3];
        elemBytes = 0;
        for (let f = 0; f < nf; f++) {
          const b = SIMPLE_BYTES[info[5 + 2 * f]];
          if (b === undefined) throw new FormatError(file, `unknown DigitalMicrograph struct field type ${info[5 + 2 * f]} at byte ${pos}`);
          elemBytes += b;
        }
        length = info[4 + 2 * nf];
      } else {
        const b = SIMPLE_BYTES[et];
        if (b === undefined) throw new FormatError(file, `unknown DigitalMicrograph array element type ${et} at byte ${pos}`);
        elemBytes = b;
        length = info[2];
      }
      const offset = pos;
      need(elemBytes * length);
      pos += elemBytes * length;
      return { kind: "array", elemType: et, length, offset, elemBytes };
    }
    return simple(t);
  };

  const group = (depth: number): DmGroup => {
    if (depth > 64) throw new FormatError(file, `corrupt DigitalMicrograph file: tag groups nested deeper than 64 at byte ${pos}`);
    u8(); // sorted
    u8(); // open
    const n = big();
    const entries: DmGroup["entries"] = [];
    for (let i = 0; i < n; i++) {
      const type = u8();
      const len = u16be();
      need(len);
      const label = buf.toString("latin1", pos, pos + len);
      pos += len;
      if (version === 4) big(); // total bytes of this tag
      if (type === 20) entries.push({ label, value: group(depth + 1) });
      else if (type === 21) entries.push({ label, value: data() });
      else throw new FormatError(file, `corrupt DigitalMicrograph tag '${label}' at byte ${pos} (type ${type}, expected 20 or 21)`);
    }
    return { kind: "group", entries };
  };

  const root = group(0);
  // DM files end with 8 zero bytes after the root group: their absence means the file was cut short
  // (possibly only in the padding, but a copy that lost bytes is not to be trusted)
  if (pos + 8 > buf.length) throw new FormatError(file, `truncated: the DigitalMicrograph end marker (8 bytes after byte ${pos}) is missing; the file has ${buf.length} bytes`);
  return { version, littleEndian: le, root, buf, end: pos };
}

/** The value under `path` ("ImageData/Calibrations/Dimension"), or undefined. Labels are matched exactly. */
export function dmGet(g: DmGroup, path: string): DmValue | undefined {
  let cur: DmValue | undefined = g;
  for (const part of path.split("/")) {
    if (!cur || typeof cur !== "object" || Array.isArray(cur) || cur.kind !== "group") return undefined;
    cur = cur.entries.find((e) => e.label === part)?.value;
  }
  return cur;
}

/** `v` as a group, or undefined. */
export function asGroup(v: DmValue | undefined): DmGroup | undefined {
  return v && typeof v === "object" && !Array.isArray(v) && v.kind === "group" ? v : undefined;
}

/** Text of a uint16/char array tag (DM stores units and names as UTF-16 code units), or "" when `v` is not one. */
export function dmText(f: DmFile, v: DmValue | undefined): string {
  if (!v || typeof v !== "object" || Array.isArray(v) || v.kind !== "array") return "";
  if (v.elemType === 4) {
    let s = "";
    for (let i = 0; i < v.length; i++) s += String.fromCharCode(f.littleEndian ? f.buf.readUInt16LE(v.offset + 2 * i) : f.buf.readUInt16BE(v.offset + 2 * i));
    return s;
  }
  if (v.elemType === 9 || v.elemType === 10) return f.buf.toString("latin1", v.offset, v.offset + v.length);
  return "";
}
