import type { GridCell } from "./spec";

/** A shard: this process takes part `index` of `count` (0-based, like $SLURM_ARRAY_TASK_ID with --array=0-(N-1)). */
export interface Shard {
  index: number;
  count: number;
}

/** Parse "i/N" (0 ≤ i < N). Throws naming the text. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`--shard must look like i/N (e.g. 0/4), got '${text}'`);
  const index = Number(m[1]), count = Number(m[2]);
  if (count < 1 || index >= count) throw new Error(`--shard ${text}: need 0 ≤ i < N`);
  return { index, count };
}

/**
 * The cells of one shard. Cells are ordered by id (a content hash, so the order does not depend on
 * how the grid file lists its axes) and dealt round-robin: shards are disjoint, cover the grid, and
 * differ in size by at most one cell.
 */
export function shardCells(cells: GridCell[], shard: Shard): GridCell[] {
  const sorted = cells.slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sorted.filter((_, i) => i % shard.count === shard.index);
}
