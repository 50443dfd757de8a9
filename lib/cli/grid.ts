import * as fs from "fs";
import * as path from "path";
import { type Command, parse, UsageError } from "./args";
import { loadGrid, parseShard, runGrid, gridStatus, gridCounts, gridSize, MAX_GRID_CELLS, gridRecords, collectRows, toCsv, gridDir } from "../grid/index";
import { writeFileAtomic, writeJsonAtomic } from "../util/fsx";
import { initBackend } from "../backend/index";
import { cacheDir } from "../util/paths";
import { removeStaleTemps } from "../util/stale_tmp";

const HELP = `usage: nanomorph grid <run|status|collect> FILE [options]

Run an experiment grid (a base config plus axes, JSON; see configs/grids/) with one result file per
finished cell, so a killed run resumes where it stopped and N processes or machines can share the work.

  run FILE [--shard i/N] [--results DIR] [--tasks MODULE] [--fail-fast]
        run this shard's unfinished cells (default: all). Shards are disjoint and cover the grid.
  status FILE [--results DIR] [--json]
        done / running / failed / pending per cell
  collect FILE [--results DIR] [--out FILE.csv] [--json]
        merge finished cells into one table (CSV, or JSON with --json)

  --results DIR   results root shared by all shards (default results/grids); the grid uses DIR/<name>
  --tasks MODULE  a JS/TS module that calls registerTask(name, fn) from lib/grid, for your own task kinds

Slurm job array (4 tasks, shared results dir):
  #SBATCH --array=0-3
  npx nanomorph grid run configs/grids/example-simclr-batchsize.json --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT --results /shared/nanomorph
then: npx nanomorph grid collect configs/grids/example-simclr-batchsize.json --results /shared/nanomorph --out table.csv`;

const OPTIONS = {
  shard: { type: "string" },
  results: { type: "string" },
  tasks: { type: "string" },
  out: { type: "string" },
  json: { type: "boolean" },
  "fail-fast": { type: "boolean" },
} as const;

/** Load a --tasks module, turning a missing or failing module into one clear line. */
function loadTaskModule(spec: string): void {
  const file = path.resolve(spec);
  if (!fs.existsSync(file)) throw new UsageError(`grid run: --tasks ${spec}: no such file (${file}); give the path of a .js/.ts module that calls registerTask`);
  try {
    require(file);
  } catch (e) {
    const first = String((e as Error).message).split("\n")[0];
    throw new Error(`grid run: --tasks ${file} failed to load: ${first}`);
  }
}

export const command: Command = {
  name: "grid",
  summary: "run, inspect and collect experiment grids (shardable across processes and machines)",
  help: HELP,
  async run(argv) {
    const { values, positionals } = parse(argv, OPTIONS, true);
    const [sub, file] = positionals;
    if (!sub || !["run", "status", "collect"].includes(sub)) throw new UsageError(`grid: expected run|status|collect\n\n${HELP}`);
    if (!file) throw new UsageError(`grid ${sub}: missing grid FILE`);
    const g = loadGrid(file);
    const resultsRoot = values.results as string | undefined;
    if (sub === "run") {
      if (values.tasks) loadTaskModule(values.tasks as string);
      // Temp files of an earlier, killed run (SIGKILL leaves no chance to clean up) go first.
      const stale = [...removeStaleTemps(cacheDir("stages")), ...removeStaleTemps(gridDir(g, resultsRoot), 0)];
      if (stale.length) console.error(`grid: removed ${stale.length} temp file(s) left by a killed run`);
      await initBackend();
      const shard = values.shard ? parseShard(values.shard as string) : undefined;
      const s = await runGrid(g, { shard, resultsRoot, failFast: !!values["fail-fast"] });
      console.error(`grid ${g.name}${shard ? ` shard ${shard.index}/${shard.count}` : ""}: ran ${s.ran.length}, skipped ${s.skipped.length}, failed ${s.failed.length}`);
      for (const f of s.failed) console.error(`  failed ${f.id}: ${f.message}`);
      return s.failed.length ? 1 : 0;
    }
    if (sub === "status") {
      if (gridSize(g) > MAX_GRID_CELLS) {
        // Too many cells to list (or to expand in memory): counts from the results folder only.
        const c = gridCounts(g, resultsRoot);
        if (values.json) console.log(JSON.stringify(c, null, 2));
        else console.log(`${g.name}: ${c.cells.toLocaleString("en")} cells (too many to list; grid run refuses more than ${MAX_GRID_CELLS.toLocaleString("en")}): ` +
          `${c.done} done, ${c.running} running, ${c.failed} failed, ${c.pending.toLocaleString("en")} pending`);
        return 0;
      }
      const st = gridStatus(g, resultsRoot);
      if (values.json) {
        console.log(JSON.stringify(st.map((s) => ({ id: s.cell.id, point: s.cell.point, state: s.state, error: s.error })), null, 2));
      } else {
        for (const s of st) console.log(`${s.cell.id}  ${s.state.padEnd(8)} ${JSON.stringify(s.cell.point)}${s.error ? `  ${s.error}` : ""}`);
        const counts: Record<string, number> = { done: 0, running: 0, failed: 0, pending: 0 };
        for (const s of st) counts[s.state]++;
        console.log(`${g.name}: ${st.length} cells: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(", ")}`);
      }
      return 0;
    }
    const rows = collectRows(gridRecords(g, resultsRoot));
    const text = values.json ? JSON.stringify(rows, null, 2) + "\n" : toCsv(rows);
    if (values.out) {
      const out = values.out as string;
      if (values.json) writeJsonAtomic(out, rows); else writeFileAtomic(out, text);
      console.error(`wrote ${rows.length} rows to ${out} (from ${gridDir(g, resultsRoot)})`);
    } else process.stdout.write(text);
    return 0;
  },
};
