import type { ProfileName } from "../config/index";
import { figuresDir } from "../util/paths";
import * as path from "path";
import { renderFigureDir } from "../plots/render_all";
import { writeReport } from "../report/report";

/** What a post-step gets: the run's settings and every notebook result. */
export interface PostStepContext {
  root: string;
  profile: ProfileName;
  /** Notebook runs of this reproduce (all passed; post-steps do not run after a failure). */
  runs: readonly { notebook: string; output: string; ok: boolean; wallSec: number }[];
  log: (line: string) => void;
}

/** One step `reproduce` runs after all notebooks passed, in list order. Throwing fails reproduce. */
export interface PostStep {
  /** Short name, printed with its wall time. */
  name: string;
  run(ctx: PostStepContext): Promise<void>;
}

/** Render every figures/*.json to PNG + SVG (Chromium). Fails when any figure fails to render. */
export const renderFiguresStep: PostStep = {
  name: "figures",
  async run(ctx) {
    const res = await renderFigureDir(figuresDir(), { log: ctx.log });
    const rendered = res.filter((r) => r.status === "rendered").length;
    const fresh = res.filter((r) => r.status === "up-to-date").length;
    const failed = res.filter((r) => r.status === "failed");
    ctx.log(`figures: ${rendered} rendered, ${fresh} up to date, ${failed.length} failed (${figuresDir()})`);
    if (failed.length) throw new Error(`figure rendering failed:\n  ${failed.map((f) => f.error).join("\n  ")}`);
  },
};

/**
 * Write figures/REPORT.md: every figure with its paper counterpart, and the paper's medians beside the
 * reproduced ones (from the summaries the notebooks recorded). Links the authors' figures when
 * `$NANOMORPH_PAPER_FIGURES` names a folder of them (never required).
 */
export const reportStep: PostStep = {
  name: "report",
  async run(ctx) {
    const figures = process.env.NANOMORPH_PAPER_FIGURES;
    const file = writeReport({ paperFigures: figures ? path.resolve(ctx.root, figures) : path.join(ctx.root, "data", "reference-figures") });
    ctx.log(`report: ${path.relative(ctx.root, file)}`);
  },
};

/** The steps `nanomorph reproduce` runs after the notebooks, in order (extend with `addPostStep`). */
export const POST_STEPS: PostStep[] = [renderFiguresStep, reportStep];

/** Append a post-step (replacing one with the same name). */
export function addPostStep(step: PostStep): void {
  const i = POST_STEPS.findIndex((s) => s.name === step.name);
  if (i >= 0) POST_STEPS[i] = step;
  else POST_STEPS.push(step);
}
