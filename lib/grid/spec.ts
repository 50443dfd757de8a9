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
  if (typeof o.name !== "string" || !/^[\w.-]+$/.test(o.name)) throw new Error(`${source}: "name" must be a string of letters, digits, . _ -`);
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

/** Load and validate a grid JSON file. */
export function loadGrid(file: string): GridSpec {
  return validateGrid(readJson(file), file);
}

/** Expand a grid into its cells, in a deterministic order (axes in key order, last axis fastest). */
export function expandGrid(g: GridSpec): GridCell[] {
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
