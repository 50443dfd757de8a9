import { UsageError } from "./args";
import { defineCommand, opt } from "./options";

/** `nanomorph reproduce`: run the notebooks headlessly, then the post-steps (lib/notebook/runner.ts). */
export const command = defineCommand({
  name: "reproduce",
  summary: "execute all notebooks through Jupyter (tslab) and render the figures",
  usage: "reproduce [--profile ci|laptop|quality|paper] [--only NN[,NN...]] [-p NAME=VALUE ...] [options]",
  description: `Execute every notebooks/NN-*.ipynb in order through the real tslab Jupyter kernel (Debian
python3-nbclient), save the executed copies with outputs to notebooks/executed/, then render figures/*.json to
PNG + SVG. Registers the project-local kernelspec (.jupyter/kernels/tslab) and rebuilds the notebooks from
notebooks/src first. The profile reaches the notebooks as NANOMORPH_PROFILE. Exits 1 naming the notebook, the
cell and the error when a cell fails; an interrupted or failed notebook keeps its last complete executed copy
(the partial one is written beside it, marked).

A notebook is reused without starting a kernel when nothing it may depend on changed since its last passing run
(lib/, configs/, the manifest, package-lock.json, the notebook, the profile, the NANOMORPH_* settings that affect
results, real-data folders, parameters, an earlier notebook) and its executed copy and the files it wrote under
figures/ and results/ are unchanged; otherwise the line before it says what changed.

Parameters: each notebook's cell tagged 'parameters' lists its names, types and defaults. -p NAME=VALUE sets
NAME in every running notebook that declares it (NN.NAME: notebook NN only); lists are comma-separated
(labelsPerClass=1,2,4), booleans true/false; --params FILE reads a .json or flat .yaml file ({"data": "/x",
"03": {"seeds": [1]}}), -p overrides it. An unknown name or a value of the wrong type exits 2 before anything
runs. Values go into a cell injected after the parameters cell, the executed notebook's metadata,
notebooks/executed/run.json (per notebook and cell: status, seconds, peak memory, a failed cell's error and
source, the parameters) and the cache key. Before running, it prints an estimate per notebook from the last
run's timings under the same profile.`,
  options: {
    only: opt.string({ placeholder: "NN[,NN]", description: "run only these notebooks (by number), e.g. --only 00,03" }),
    param: opt.strings({ short: "p", placeholder: "NAME=VALUE", description: "set a notebook parameter (repeatable; NN.NAME for one notebook)" }),
    params: opt.string({ placeholder: "FILE", description: "parameters from a .json or flat .yaml file" }),
    "cell-timeout": opt.number({ placeholder: "SEC", description: "per-cell timeout, 0 = none", min: 0, max: 1e7, defaultText: "ci 600, laptop 7200, paper none" }),
    "keep-going": opt.flag("run the remaining notebooks after a failure (post-steps still skipped)"),
    force: opt.flag("execute every notebook, even those whose inputs are unchanged"),
    "no-png": opt.flag("no inline PNG fallback in the notebooks (default on; env NANOMORPH_INLINE_PNG)"),
    "no-build": opt.flag("do not rebuild notebooks/*.ipynb from notebooks/src"),
    "no-figures": opt.flag("skip the post-steps (figure rendering, reports)"),
  },
  examples: [
    "npm run reproduce -- --profile ci",
    "npx nanomorph reproduce --only 03 -p data=/path/to/class-folders -p labelsPerClass=1,2,4",
    "npx nanomorph reproduce --only 05 -p images=/path/images -p masks=/path/masks",
    "npx nanomorph reproduce --params run.yaml",
  ],
}, async ({ values: v }) => {
  const only = v.only?.split(",").map((s) => s.trim()).filter(Boolean);
  if (only?.some((o) => !/^\d{1,2}$/.test(o))) throw new UsageError(`--only takes notebook numbers like 00,03, got '${v.only}'`);
  const { ParameterError, parseCliParameters, readParamsFile } = await import("../notebook/parameters");
  const { reproduce } = await import("../notebook/runner");
  const { profileName } = await import("../config/index");
  const { projectRoot } = await import("../util/paths");
  const asUsage = (e: unknown): never => {
    if (e instanceof ParameterError) throw new UsageError(e.message);
    throw e;
  };
  let parameters: import("../notebook/parameters").GivenParameters;
  try {
    parameters = { cli: parseCliParameters(v.param), file: v.params !== undefined ? readParamsFile(v.params) : [] };
  } catch (e) {
    asUsage(e);
    throw e;
  }
  const t0 = Date.now();
  const res = await reproduce({
    parameters, root: projectRoot(), profile: profileName(), only, cellTimeoutSec: v["cell-timeout"],
    keepGoing: v["keep-going"], force: v.force, inlinePng: v["no-png"] ? false : undefined, build: !v["no-build"],
    postSteps: v["no-figures"] ? [] : undefined,
  }).catch(asUsage);
  const total = ((Date.now() - t0) / 1000).toFixed(1);
  if (!res.ok) {
    console.error(`\nnanomorph reproduce: FAILED after ${total} s\n  ${res.failure}`);
    return 1;
  }
  const reused = res.runs.filter((r) => r.cached).length;
  console.log(`\nnanomorph reproduce: all ${res.runs.length} notebook(s) passed in ${total} s${reused ? ` (${reused} reused unchanged)` : ""}`);
  return 0;
});
