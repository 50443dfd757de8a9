/**
 * Measure the scale-bar reader on synthetic images: detection rate and nm/px error on images with a bar,
 * false positives on images without one. Deterministic in the seed.
 */
import { Rng } from "../../util/rng";
import { findScaleBar } from "./find_scale_bar";
import { createLabelReader } from "./read_label";
import { randomSynthBarSpec, renderSynthBar, synthBackground } from "./synth_bar";
import type { SynthBarSpec } from "./synth_bar";

/** One synthetic image's outcome. */
export interface ScaleBarTrial {
  spec: SynthBarSpec | null;
  found: boolean;
  /** |found − true| / true nm/px, or null when not found / no bar. */
  relError: number | null;
  confidence: number | null;
  /** Label text read, or the reason for not finding one. */
  note: string;
}

/** Aggregate numbers of {@link evaluateScaleBars}. */
export interface ScaleBarEvaluation {
  withBar: number;
  detected: number;
  /** Detections with nm/px more than 5 % off (a wrong answer, not a refusal). */
  wrong: number;
  medianRelError: number;
  maxRelError: number;
  withoutBar: number;
  falsePositives: number;
  trials: ScaleBarTrial[];
}

/**
 * Render `nWith` images with a random bar and `nWithout` bar-less ones (`size` px square), run
 * findScaleBar on each with one shared OCR worker, and summarise. Throws as findScaleBar does.
 */
export async function evaluateScaleBars(nWith: number, nWithout: number, size: number, seed: number): Promise<ScaleBarEvaluation> {
  const rng = new Rng(seed);
  const reader = await createLabelReader();
  const trials: ScaleBarTrial[] = [];
  try {
    for (let i = 0; i < nWith + nWithout; i++) {
      const r = rng.fork(`img${i}`);
      const bg = synthBackground(r, size);
      let img = bg;
      let spec: SynthBarSpec | null = null;
      let truth = NaN;
      if (i < nWith) {
        spec = randomSynthBarSpec(r.fork("bar"), size);
        const out = await renderSynthBar(bg, spec);
        img = out.image;
        truth = out.truth.nmPerPx;
      }
      const res = await findScaleBar(img, { reader });
      trials.push({
        spec, found: res.found,
        relError: res.found && spec ? Math.abs(res.nmPerPx - truth) / truth : null,
        confidence: res.found ? res.confidence : null,
        note: res.found ? res.labelText : res.reason,
      });
    }
  } finally {
    await reader.terminate();
  }
  const withBar = trials.filter((t) => t.spec);
  const errs = withBar.filter((t) => t.found).map((t) => t.relError as number).sort((a, b) => a - b);
  return {
    withBar: withBar.length,
    detected: errs.length,
    wrong: errs.filter((e) => e > 0.05).length,
    medianRelError: errs.length ? errs[errs.length >> 1] : NaN,
    maxRelError: errs.length ? errs[errs.length - 1] : NaN,
    withoutBar: trials.length - withBar.length,
    falsePositives: trials.filter((t) => !t.spec && t.found).length,
    trials,
  };
}
