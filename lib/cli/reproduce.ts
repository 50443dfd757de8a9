import type { Command } from "./args";
import { parse, numberArg, UsageError } from "./args";
import { profileName, setProfile } from "../config/index";
import { projectRoot } from "../util/paths";
import { reproduce } from "../notebook/runner";
import { ParameterError, parseCliParameters, readParamsFile, type GivenParameters } from "../notebook/parameters";

const HELP = `usage: nanomorph reproduce [--profile ci|laptop|paper] [--only NN[,NN...]] [options]

Execute every notebooks/NN-*.ipynb in order through the real tslab Jupyter kernel (Debian
python3-nbclient), save the executed copies with outputs to notebooks/executed/, then render
figures/*.json to PNG + SVG. Registers the project-local kernelspec (.jupyter/kernels/tslab) and
rebuilds the notebooks from notebooks/src first. The profile reaches the notebooks as
NANOMORPH_PROFILE. Exits 1 naming the notebook, the cell and the error when a cell fails.

A notebook is reused without starting a kernel when nothing it may depend on changed since its last
passing run (lib/, configs/, the manifest, package-lock.json, the notebook, the profile, NANOMORPH_*
settings, real-data folders, an earlier notebook) and its executed copy and the files it wrote under
figures/ and results/ are unchanged; otherwise the line before it says what changed.

options:
  --profile P          ci (minutes on 2 cores), laptop (about half an hour on 2 cores), paper (the paper's settings; GPU)
  --only NN[,NN]       run only these notebooks (by number), e.g. --only 00,03
  -p, --param N=V      set parameter N of every running notebook that declares it (NN.N: notebook NN
                       only); repeatable. Lists are comma-separated (labelsPerClass=1,2,4), booleans
                       true/false. Each notebook's cell tagged 'parameters' lists its names, types and
                       defaults; an unknown name or a value of the wrong type exits 2 before anything runs.
  --params FILE        parameters from a .json or flat .yaml file ({"data": "/x", "03": {"seeds": [1]}});
                       -p values override it. Values go into a cell injected after the parameters cell,
                       the executed notebook's metadata, notebooks/executed/run.json and the cache key.
  --cell-timeout SEC   per-cell timeout (default: ci 600, laptop 7200, paper none; 0 = none)

Writes notebooks/executed/run.json: per notebook and cell the status, seconds and peak memory of the
kernel, the error and source of a failed cell, the parameters; before running it prints an estimate per
notebook from the last run's timings under the same profile.

  --keep-going         run the remaining notebooks after a failure (post-steps still skipped)
  --force              execute every notebook, even those whose inputs are unchanged
  --no-png             no inline PNG fallback in the notebooks (default on; env NANOMORPH_INLINE_PNG)
  --no-build           do not rebuild notebooks/*.ipynb from notebooks/src
  --no-figures         skip the post-steps (figure rendering, reports)

examples:
  npm run reproduce -- --profile ci
  npx nanomorph reproduce --only 00
  npx nanomorph reproduce --only 03 -p data=/path/to/class-folders -p labelsPerClass=1,2,4
  npx nanomorph reproduce --only 05 -p images=/path/images -p masks=/path/masks
  npx nanomorph reproduce --params run.yaml`;

/** `nanomorph reproduce`: run the notebooks headlessly, then the post-steps. */
export const command: Command = {
  name: "reproduce",
  summary: "execute all notebooks through Jupyter (tslab) and render the figures",
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const a = parse(argv, {
      profile: { type: "string" },
      only: { type: "string" },
      "cell-timeout": { type: "string" },
      "keep-going": { type: "boolean" },
      force: { type: "boolean" },
      "no-png": { type: "boolean" },
      "no-build": { type: "boolean" },
      "no-figures": { type: "boolean" },
      param: { type: "string", short: "p", multiple: true },
      params: { type: "string" },
    });
    let parameters: GivenParameters;
    try {
      const cliParams = (a.values.param as unknown as string[] | undefined) ?? [];
      parameters = {
        cli: parseCliParameters(cliParams),
        file: typeof a.values.params === "string" ? readParamsFile(a.values.params) : [],
      };
    } catch (e) {
      if (e instanceof ParameterError) throw new UsageError(e.message);
      throw e;
    }
    if (typeof a.values.profile === "string") setProfile(a.values.profile);
    const only = typeof a.values.only === "string" ? a.values.only.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
    if (only?.some((o) => !/^\d{1,2}$/.test(o))) throw new UsageError(`--only takes notebook numbers like 00,03, got '${a.values.only}'`);
    const cellTimeout = a.values["cell-timeout"] === undefined ? undefined : numberArg("cell-timeout", a.values["cell-timeout"] as string, 0);
    const t0 = Date.now();
    const res = await reproduce({
      parameters,
      root: projectRoot(),
      profile: profileName(),
      only,
      cellTimeoutSec: cellTimeout,
      keepGoing: !!a.values["keep-going"],
      force: !!a.values.force,
      inlinePng: a.values["no-png"] ? false : undefined,
      build: !a.values["no-build"],
      postSteps: a.values["no-figures"] ? [] : undefined,
    }).catch((e: unknown) => {
      if (e instanceof ParameterError) throw new UsageError(e.message);
      throw e;
    });
    const total = ((Date.now() - t0) / 1000).toFixed(1);
    if (!res.ok) {
      console.error(`\nnanomorph reproduce: FAILED after ${total} s\n  ${res.failure}`);
      return 1;
    }
    const reused = res.runs.filter((r) => r.cached).length;
    console.log(`\nnanomorph reproduce: all ${res.runs.length} notebook(s) passed in ${total} s${reused ? ` (${reused} reused unchanged)` : ""}`);
    return 0;
  },
};
