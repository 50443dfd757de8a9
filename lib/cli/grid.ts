import * as fs from "fs";
import * as path from "path";
import { UsageError } from "./args";
import { defineCommand, opt } from "./options";

/** Load a --tasks module, turning a missing or failing module into one clear line. */
function loadTaskModule(spec: string): void {
  const file = path.resolve(spec);
  if (!fs.existsSync(file)) throw new UsageError(`grid run: --tasks ${spec}: no such file (${file}); give the path of a .js/.ts module that calls registerTask`);
  try {
    // A TypeScript task module needs a transpiler when the CLI runs compiled (dist/).
    if (/\.ts$/.test(file) && !require.extensions[".ts"]) require("ts-node").register({ transpileOnly: true });
    require(file);
  } catch (e) {
    const first = String((e as Error).message).split("\n")[0];
    throw new Error(`grid run: --tasks ${file} failed to load: ${first}`);
  }
}

/** `nanomorph grid`: experiment grids (lib/grid). */
export const command = defineCommand({
  name: "grid",
  summary: "run, inspect and collect experiment grids (shardable across processes and machines)",
  usage: "grid run|status|collect FILE [options]",
  description: `Run an experiment grid (a base config plus axes, JSON; see configs/grids/) with one result file per
finished cell, so a killed run resumes where it stopped and N processes or machines can share the work. run:
this shard's unfinished cells (default: all; shards are disjoint and cover the grid). status: done / running /
failed / pending per cell. collect: merge finished cells into one table (CSV, or JSON with --json).

Slurm job array (4 tasks, shared results dir): #SBATCH --array=0-3, then \`npx nanomorph grid run
configs/grids/example-simclr-batchsize.json --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT --results
/shared/nanomorph\`, then \`npx nanomorph grid collect configs/grids/example-simclr-batchsize.json --results
/shared/nanomorph --out table.csv\`.`,
  positionals: true,
  options: {
    shard: opt.string({ placeholder: "i/N", description: "run: this shard of N (0-based, like --array=0-N)" }),
    results: opt.string({ placeholder: "DIR", description: "results root shared by all shards; the grid uses DIR/<name>", defaultText: "results/grids" }),
    tasks: opt.string({ placeholder: "MODULE", description: "run: a JS/TS module that calls registerTask(name, fn) from lib/grid, for your own task kinds" }),
    out: opt.string({ placeholder: "FILE", description: "collect: write the table here instead of stdout" }),
    json: opt.flag("status, collect: JSON"),
    "fail-fast": opt.flag("run: stop at the first failed cell"),
  },
}, async ({ values, positionals }) => {
  const { loadGrid, parseShard, runGrid, gridStatus, gridCounts, gridSize, MAX_GRID_CELLS, gridRecords, collectRows, toCsv, gridDir } = await import("../grid/index");
  const [sub, file] = positionals;
  if (!sub || !["run", "status", "collect"].includes(sub)) throw new UsageError("grid: expected run|status|collect FILE");
  if (!file) throw new UsageError(`grid ${sub}: missing grid FILE`);
  const g = loadGrid(file);
  const resultsRoot = values.results;
  if (sub === "run") {
    if (values.tasks) loadTaskModule(values.tasks);
    const { cacheDir } = await import("../util/paths");
    const { removeStaleTemps } = await import("../util/stale_tmp");
    const { initBackend } = await import("../backend/index");
    // Temp files of an earlier, killed run (SIGKILL leaves no chance to clean up) go first.
    const stale = [...removeStaleTemps(cacheDir("stages")), ...removeStaleTemps(gridDir(g, resultsRoot), 0)];
    if (stale.length) console.error(`grid: removed ${stale.length} temp file(s) left by a killed run`);
    await initBackend();
    const shard = values.shard ? parseShard(values.shard) : undefined;
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
    const out = values.out;
    const { writeFileAtomic, writeJsonAtomic } = await import("../util/fsx");
    if (values.json) writeJsonAtomic(out, rows); else writeFileAtomic(out, text);
    console.error(`wrote ${rows.length} rows to ${out} (from ${gridDir(g, resultsRoot)})`);
  } else process.stdout.write(text);
  return 0;
});
