/**
 * Learning-rate schedules. The paper: SGD with cosine decay from 0.2 over 1000 steps
 * (Keras `CosineDecay(0.2, decay_steps=1000)`, alpha 0): after 1000 steps the rate stays at 0, which with
 * 13 steps per epoch happens near epoch 77 of 200. `spanRun` stretches the decay over the whole run instead.
 */

/** Cosine-decay settings. */
export interface CosineDecayConfig {
  /** Initial learning rate (default 0.2, the paper's). */
  initial?: number;
  /** Steps over which the rate decays (default 1000, the paper's). Ignored with `spanRun`. */
  decaySteps?: number;
  /** Final rate as a fraction of the initial one (default 0, Keras' alpha). */
  alpha?: number;
  /** Decay over the total number of steps of the run instead of `decaySteps` (default false, as the paper). */
  spanRun?: boolean;
}

/**
 * Learning rate at optimiser step `step` (0-based): initial · ((1 − α)·½(1 + cos(π·min(step, T)/T)) + α).
 * @param totalSteps steps of the whole run (used with `spanRun`)
 * @throws when the decay length is not positive
 */
export function cosineDecay(step: number, cfg: CosineDecayConfig = {}, totalSteps?: number): number {
  const initial = cfg.initial ?? 0.2;
  const alpha = cfg.alpha ?? 0;
  const T = cfg.spanRun ? totalSteps ?? NaN : cfg.decaySteps ?? 1000;
  if (!(T > 0)) throw new Error(`cosineDecay: decay length must be > 0 (decaySteps, or totalSteps with spanRun), got ${T}`);
  const p = Math.min(Math.max(step, 0), T) / T;
  return initial * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * p)) + alpha);
}
