/**
 * An independent RFC 4180 reader for tests that read back the CSV files the product writes (quoted
 * cells may hold commas and doubled quotes; one record per line). Kept apart from lib/util/csv.ts, the
 * writer, so a round trip does not check the writer against itself.
 */
export function parseCsv(text: string): { header: string[]; rows: Array<Record<string, string>> } {
  const lines = text.trim().split("\n").map((line) => {
    const cells: string[] = [];
    let cur = "", q = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (q) { if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') q = false; else cur += c; }
      else if (c === '"') q = true;
      else if (c === ",") { cells.push(cur); cur = ""; }
      else cur += c;
    }
    cells.push(cur);
    return cells;
  });
  return { header: lines[0], rows: lines.slice(1).map((r) => Object.fromEntries(lines[0].map((h, i) => [h, r[i]]))) };
}
