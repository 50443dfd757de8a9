import { UsageError } from "./args";
import { nmPerPxProblem, NM_PER_PX_RANGE } from "../data/pixel_size";

/**
 * The value of `--nm-per-px X` (nanometres per pixel, square pixels), or undefined when the option
 * is absent. Throws {@link UsageError} (exit 2) naming the option when `X` is not a number, not > 0,
 * or outside the physical range of lib/data/calibration's {@link NM_PER_PX_RANGE} (e.g. 1e308).
 */
export function nmPerPxOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim() === "" ? NaN : Number(value);
  const problem = nmPerPxProblem(v);
  if (problem) {
    throw new UsageError(`--nm-per-px must be a positive number of nm per pixel in ${NM_PER_PX_RANGE.text}, got '${value}'${Number.isNaN(v) ? " (not a number)" : `: ${problem}`}`);
  }
  return v;
}
