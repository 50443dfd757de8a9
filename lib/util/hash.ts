import * as crypto from "crypto";

/** JSON with object keys sorted at every level, so equal values always serialise the same way. */
export function stableStringify(value: unknown): string {
  if (value === undefined) return "null";
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) return JSON.stringify(String(value));
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(",")}}`;
}

/** Short content hash (sha256, hex, first `length` chars) of any JSON-able value or bytes. */
export function contentHash(value: unknown, length = 16): string {
  const h = crypto.createHash("sha256");
  if (value instanceof Uint8Array) h.update(value);
  else h.update(stableStringify(value));
  return h.digest("hex").slice(0, length);
}
