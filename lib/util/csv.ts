/** One CSV cell: strings as they are, numbers as written (NaN and null/undefined empty), objects as JSON; RFC 4180 quoting. */
export function csvCell(v: unknown): string {
  let s: string;
  if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) s = "";
  else if (typeof v === "string") s = v;
  else if (typeof v === "number" || typeof v === "boolean") s = String(v);
  else s = JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * CSV text of records: a header line, then one line per record. Columns default to the union of the
 * records' keys in first-seen order; a record without a column gets an empty cell.
 */
export function toCsv<T extends object>(rows: readonly T[], columns?: readonly string[]): string {
  const cols: string[] = columns ? [...columns] : [];
  if (!columns) for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
  const lines = [cols.map(csvCell).join(","), ...rows.map((r) => cols.map((c) => csvCell((r as Record<string, unknown>)[c])).join(","))];
  return lines.join("\n") + "\n";
}
