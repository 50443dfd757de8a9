import * as fs from "fs";
import * as path from "path";
import { contentHash } from "../util/hash";
import { writeFileAtomic } from "../util/fsx";

/**
 * Notebooks are written as percent-format TypeScript (`notebooks/src/NN-name.ts`, cells split by
 * `// %%` lines, markdown cells by `// %% [markdown]` with every line prefixed `// `) and built into
 * `notebooks/NN-name.ipynb` (nbformat 4.5, no outputs, stable cell ids). Sources diff well; the
 * .ipynb files are what Jupyter and `reproduce` run. A test checks the two are in sync.
 * A code marker may carry cell tags as jupytext writes them, `// %% tags=["parameters"]`: they go to
 * the cell's `metadata.tags` (the papermill-style parameters cell, see parameters.ts).
 */
export interface Cell {
  cell_type: "code" | "markdown";
  id: string;
  metadata: { tags?: string[] };
  source: string[];
  execution_count?: null;
  outputs?: unknown[];
}

/** Split percent-format source into cells. */
export function parsePercent(text: string): { type: "code" | "markdown"; lines: string[]; tags?: string[] }[] {
  const cells: { type: "code" | "markdown"; lines: string[]; tags?: string[] }[] = [];
  for (const line of text.replace(/\r\n/g, "\n").split("\n")) {
    const m = /^\/\/ %%( \[markdown\])?(?: tags=(\[.*\]))?\s*$/.exec(line);
    if (m) {
      const cell: { type: "code" | "markdown"; lines: string[]; tags?: string[] } = { type: m[1] ? "markdown" : "code", lines: [] };
      if (m[2]) {
        let tags: unknown;
        try { tags = JSON.parse(m[2]); } catch { tags = null; }
        if (!Array.isArray(tags) || !tags.every((t) => typeof t === "string")) throw new Error(`cell marker tags must be a JSON list of strings: '${line}'`);
        cell.tags = tags as string[];
      }
      cells.push(cell);
    }
    else if (cells.length) cells[cells.length - 1].lines.push(line);
    else if (line.trim() !== "") throw new Error(`text before the first '// %%' cell marker: '${line}'`);
  }
  for (const c of cells) {
    while (c.lines.length && c.lines[c.lines.length - 1].trim() === "") c.lines.pop();
    while (c.lines.length && c.lines[0].trim() === "") c.lines.shift();
    if (c.type === "markdown") c.lines = c.lines.map((l) => l.replace(/^\/\/ ?/, ""));
  }
  return cells.filter((c) => c.lines.length > 0);
}

/** Build an nbformat 4.5 notebook object from percent-format source. */
export function buildNotebook(text: string, name: string): object {
  const cells: Cell[] = parsePercent(text).map((c, i) => {
    const source = c.lines.map((l, j) => (j < c.lines.length - 1 ? l + "\n" : l));
    const id = contentHash(`${name}/${i}`, 12);
    const metadata = c.tags ? { tags: c.tags } : {};
    return c.type === "code"
      ? { cell_type: "code", id, metadata, source, execution_count: null, outputs: [] }
      : { cell_type: "markdown", id, metadata, source };
  });
  return {
    cells,
    metadata: {
      kernelspec: { display_name: "TypeScript", language: "typescript", name: "tslab" },
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript", codemirror_mode: { mode: "typescript", name: "javascript", typescript: true } },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/**
 * Build every `notebooks/src/*.ts` (or those whose name passes `include`) into `notebooks/*.ipynb`;
 * returns the files written.
 */
export function buildAll(notebooksDir: string, include: (name: string) => boolean = () => true): string[] {
  const srcDir = path.join(notebooksDir, "src");
  const out: string[] = [];
  for (const f of fs.readdirSync(srcDir).filter((f) => f.endsWith(".ts")).sort()) {
    const name = f.replace(/\.ts$/, "");
    if (!include(name)) continue;
    const nb = buildNotebook(fs.readFileSync(path.join(srcDir, f), "utf8"), name);
    const target = path.join(notebooksDir, `${name}.ipynb`);
    writeFileAtomic(target, JSON.stringify(nb, null, 1) + "\n");
    out.push(target);
  }
  return out;
}

if (require.main === module) {
  const dir = process.argv[2] ?? path.join(__dirname, "..", "..", "notebooks");
  for (const f of buildAll(dir)) console.log(`built ${path.relative(process.cwd(), f)}`);
}
