import { contentHash } from "../util/hash";
import { readJson } from "../util/fsx";

/**
 * An experiment grid: a base config plus axes. Each cell is the base with one value per axis set at
 * a dotted path (e.g. "ssl.batchSize"). Cells are identified by the content hash of their full
 * config, so the same experiment has the same id in every grid, shard and machine.
 */
export interface GridSpec {
  /** Grid name; results go to <resultsDir>/grids/<name>/. */
  name: string;
  /** Task kind, looked up in the task registry (lib/grid/tasks). */
  task: string;
  /** The config every cell starts from. */
  base: Record<string, unknown>;
  /** Dotted path → values. Cartesian product, in key order. Empty → a single cell. */
  axes: Record<string, unknown[]>;
  /** Optional replicate seeds; each becomes an extra axis "seed". */
  seeds?: number[];
}

/** One cell of a grid. */
export interface GridCell {
  /** Content hash of `config` (16 hex chars). */
  id: string;
  /** Axis path → value for this cell (what varies). */
  point: Record<string, unknown>;
  /** Full config: base with the point applied. */
  config: Record<string, unknown>;
}

/** Set a dotted path in a deep copy of `obj`. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const out = structuredClone(obj);
  const keys = path.split(".");
  let cur: Record<string, unknown> = out;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (next === undefined) cur[k] = {};
    else if (typeof next !== "object" || next === null || Array.isArray(next)) {
      throw new Error(`grid axis '${path}': '${k}' is not an object in the base config`);
    }
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = structuredClone(value);
  return out;
}

/** Read a dotted path (undefined when absent). */
export function getPath(obj: Record<string, unknown>, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Check a parsed grid file; throws naming the file and the field. */
export function validateGrid(g: unknown, source = "grid"): GridSpec {
  const o = g as Partial<GridSpec>;
  if (!o || typeof o !== "object") throw new Error(`${source}: not a JSON object`);
  // The name becomes a folder under --results: "." or ".." (or a leading dot) would put results and the
  // clean-up of temp files into the results root or its parent.
  if (typeof o.name !== "string" || !/^[\w-][\w.-]*$/.test(o.name) || o.name.length > 200) {
    throw new Error(`${source}: "name" must be a string of letters, digits, . _ - (not starting with '.', at most 200 characters), got ${JSON.stringify(o.name)}`);
  }
  if (typeof o.task !== "string") throw new Error(`${source}: "task" must be a string`);
  if (!o.base || typeof o.base !== "object") throw new Error(`${source}: "base" must be an object`);
  const axes = o.axes ?? {};
  for (const [k, v] of Object.entries(axes)) {
    if (!Array.isArray(v) || v.length === 0) throw new Error(`${source}: axis "${k}" must be a non-empty array`);
  }
  if (o.seeds !== undefined && (!Array.isArray(o.seeds) || o.seeds.some((s) => !Number.isInteger(s)))) {
    throw new Error(`${source}: "seeds" must be an array of integers`);
  }
  return { name: o.name, task: o.task, base: o.base, axes, seeds: o.seeds };
}

/** Most cells a grid may have: `grid run` and the per-cell `grid status` listing refuse more. */
export const MAX_GRID_CELLS = 100000;

/** Number of cells of a grid, computed from the axis lengths (nothing is expanded). */
export function gridSize(g: GridSpec): number {
  let n = 1;
  for (const v of Object.values(g.axes)) n *= v.length;
  return n * (g.seeds ? g.seeds.length : 1);
}

/** Load and validate a grid JSON file. */
export function loadGrid(file: string): GridSpec {
  return validateGrid(readJson(file), file);
}

/**
 * Expand a grid into its cells, in a deterministic order (axes in key order, last axis fastest).
 * @throws Error above {@link MAX_GRID_CELLS} cells (naming the size and the axes)
 */
export function expandGrid(g: GridSpec): GridCell[] {
  const size = gridSize(g);
  if (size > MAX_GRID_CELLS) {
    throw new Error(`grid ${g.name} has ${size.toLocaleString("en")} cells (${Object.entries(g.axes).map(([k, v]) => `${k}: ${v.length}`).join(" × ")}${g.seeds ? ` × ${g.seeds.length} seeds` : ""}); ` +
      `at most ${MAX_GRID_CELLS.toLocaleString("en")} are allowed: split it into smaller grids or drop axis values`);
  }
  const axes: [string, unknown[]][] = Object.entries(g.axes);
  if (g.seeds) axes.push(["seed", g.seeds]);
  let points: Record<string, unknown>[] = [{}];
  for (const [path, values] of axes) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [path]: v })));
  }
  const cells = points.map((point) => {
    let config: Record<string, unknown> = { task: g.task, ...structuredClone(g.base) };
    for (const [path, v] of Object.entries(point)) config = setPath(config, path, v);
    return { id: contentHash(config), point, config };
  });
  const seen = new Set<string>();
  for (const c of cells) {
    if (seen.has(c.id)) throw new Error(`grid ${g.name}: two cells have the same config (${JSON.stringify(c.point)}); an axis repeats a value`);
    seen.add(c.id);
  }
  return cells;
}
