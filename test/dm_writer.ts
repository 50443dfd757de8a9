// A minimal DigitalMicrograph tag-file writer for the reader's tests (DM3 and DM4, either data byte
// order), written from the same format description as lib/data/formats/dm_tags.ts.

/** A tag tree node to write. */
export type Node =
  | { kind: "group"; entries: [string, Node][] }
  | { kind: "num"; t: number; v: number }
  | { kind: "arr"; t: number; values: ArrayLike<number> }
  | { kind: "struct"; ts: number[]; vs: number[] }
  | { kind: "structarr"; ts: number[]; rows: number[][] };

const BYTES: Record<number, number> = { 2: 2, 3: 4, 4: 2, 5: 4, 6: 4, 7: 8, 8: 1, 9: 1, 10: 1, 11: 8, 12: 8 };

export const group = (entries: [string, Node][]): Node => ({ kind: "group", entries });
export const num = (t: number, v: number): Node => ({ kind: "num", t, v });
export const text = (s: string): Node => ({ kind: "arr", t: 4, values: Array.from(s, (c) => c.charCodeAt(0)) });

function value(t: number, v: number, le: boolean): Buffer {
  const b = Buffer.alloc(BYTES[t]);
  const w = {
    2: () => (le ? b.writeInt16LE(v) : b.writeInt16BE(v)),
    3: () => (le ? b.writeInt32LE(v) : b.writeInt32BE(v)),
    4: () => (le ? b.writeUInt16LE(v) : b.writeUInt16BE(v)),
    5: () => (le ? b.writeUInt32LE(v) : b.writeUInt32BE(v)),
    6: () => (le ? b.writeFloatLE(v) : b.writeFloatBE(v)),
    7: () => (le ? b.writeDoubleLE(v) : b.writeDoubleBE(v)),
    8: () => b.writeUInt8(v),
    9: () => b.writeUInt8(v),
    10: () => b.writeInt8(v),
    11: () => (le ? b.writeBigInt64LE(BigInt(v)) : b.writeBigInt64BE(BigInt(v))),
    12: () => (le ? b.writeBigUInt64LE(BigInt(v)) : b.writeBigUInt64BE(BigInt(v))),
  } as Record<number, () => void>;
  w[t]();
  return b;
}

/** Serialise `root` as a DM`version` file with data in the given byte order. */
export function writeDm(root: Node, version: 3 | 4, littleEndian: boolean): Buffer {
  const big = (n: number): Buffer => {
    const b = Buffer.alloc(version === 4 ? 8 : 4);
    if (version === 4) b.writeBigUInt64BE(BigInt(n));
    else b.writeUInt32BE(n);
    return b;
  };
  const data = (n: Node): Buffer => {
    let info: number[];
    let payload: Buffer[];
    if (n.kind === "num") { info = [n.t]; payload = [value(n.t, n.v, littleEndian)]; }
    else if (n.kind === "arr") { info = [20, n.t, n.values.length]; payload = Array.from(n.values, (v) => value(n.t, v, littleEndian)); }
    else if (n.kind === "struct") { info = [15, 0, n.ts.length, ...n.ts.flatMap((t) => [0, t])]; payload = n.vs.map((v, i) => value(n.ts[i], v, littleEndian)); }
    else if (n.kind === "structarr") { info = [20, 15, 0, n.ts.length, ...n.ts.flatMap((t) => [0, t]), n.rows.length]; payload = n.rows.flatMap((r) => r.map((v, i) => value(n.ts[i], v, littleEndian))); }
    else throw new Error("group is not data");
    return Buffer.concat([Buffer.from("%%%%", "latin1"), big(info.length), ...info.map(big), ...payload]);
  };
  const grp = (g: Node): Buffer => {
    if (g.kind !== "group") throw new Error("not a group");
    const parts: Buffer[] = [Buffer.from([0, 1]), big(g.entries.length)];
    for (const [label, child] of g.entries) {
      const body = child.kind === "group" ? grp(child) : data(child);
      const lab = Buffer.from(label, "latin1");
      const len = Buffer.alloc(2);
      len.writeUInt16BE(lab.length);
      parts.push(Buffer.from([child.kind === "group" ? 20 : 21]), len, lab);
      if (version === 4) parts.push(big(body.length));
      parts.push(body);
    }
    return Buffer.concat(parts);
  };
  const body = grp(root);
  const head = Buffer.concat([(() => { const b = Buffer.alloc(4); b.writeUInt32BE(version); return b; })(), big(body.length), (() => { const b = Buffer.alloc(4); b.writeUInt32BE(littleEndian ? 1 : 0); return b; })()]);
  return Buffer.concat([head, body, Buffer.alloc(8)]);
}

/** One ImageList entry: `dims` (x first), DM `dataType`, array element type `elemType`, samples, per-axis calibration. */
export function dmImage(dims: number[], dataType: number, elemType: number, values: ArrayLike<number>, cal: { scale: number; units: string; origin: number }[]): Node {
  return group([
    ["ImageData", group([
      ["Calibrations", group([
        ["Brightness", group([["Scale", num(6, 1)], ["Units", text("counts")]])],
        ["Dimension", group(cal.map((c) => ["", group([["Origin", num(6, c.origin)], ["Scale", num(6, c.scale)], ["Units", text(c.units)]])] as [string, Node]))],
      ])],
      ["Data", { kind: "arr", t: elemType, values }],
      ["DataType", num(3, dataType)],
      ["Dimensions", group(dims.map((d) => ["", num(5, d)] as [string, Node]))],
      ["PixelDepth", num(3, BYTES[elemType])],
    ])],
    ["Name", text("test")],
  ]);
}
