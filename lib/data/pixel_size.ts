// A module of its own, with no imports, so option tables can check pixel sizes without loading the decoders.

/**
 * The physical range of a pixel size, nm per pixel: 1e-6 nm (a femtometre) to 1e9 nm (a metre).
 * Anything outside is a wrong unit or a corrupt field, never a micrograph. THE one place this rule
 * lives: file metadata, sidecars, scale bars and `--nm-per-px` are all checked against it.
 */
export const NM_PER_PX_RANGE = { min: 1e-6, max: 1e9, text: "1e-6…1e9 nm/px" } as const;

/**
 * Why `nmPerPx` cannot be a pixel size (not a finite number > 0, or outside {@link NM_PER_PX_RANGE}),
 * or null when it can.
 */
export function nmPerPxProblem(nmPerPx: number): string | null {
  if (!Number.isFinite(nmPerPx) || nmPerPx <= 0) return `${nmPerPx} nm/px is not a positive number`;
  if (nmPerPx < NM_PER_PX_RANGE.min || nmPerPx > NM_PER_PX_RANGE.max) {
    return `${nmPerPx} nm/px is outside the physical range ${NM_PER_PX_RANGE.text} (a wrong unit?)`;
  }
  return null;
}
