import type { CellRecord } from "./store";
export { toCsv } from "../util/csv";

/** One row of a collected grid table: axis values, the cell id, and scalar results. */
export type Row = Record<string, string | number | boolean | null>;

function scalar(v: unknown): v is string | number | boolean | null {
  return v === null || ["string", "number", "boolean"].includes(typeof v);
}

/**
 * Flatten finished cells into one table. A result's `rows` array (replicates, folds) gives one table
 * row each, with the cell's axis values and scalar results repeated; otherwise one row per cell.
 * Rows are in grid order, so the table does not depend on which shard ran which cell.
 */
export function collectRows(records: CellRecord[]): Row[] {
  const out: Row[] = [];
  for (const rec of records) {
    const base: Row = { cell: rec.id };
    for (const [k, v] of Object.entries(rec.point)) base[k] = scalar(v) ? v : JSON.stringify(v);
    for (const [k, v] of Object.entries(rec.result)) if (k !== "rows" && scalar(v)) base[k] = v;
    const rows = rec.result.rows;
    if (Array.isArray(rows) && rows.length > 0) {
      for (const r of rows as Record<string, unknown>[]) {
        const row: Row = { ...base };
        for (const [k, v] of Object.entries(r)) if (scalar(v)) row[k] = v;
        out.push(row);
      }
    } else out.push(base);
  }
  return out;
}
