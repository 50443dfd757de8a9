/**
 * Epochs per number of labelled images per class, as in the paper: {80:20, 32:30, 16:40, 8:60,
 * 4:120, 2:120, 1:120}. An n between table entries takes the entry of the largest key ≤ n (fewer
 * labels → more epochs); an n below every key takes the smallest key's value.
 */
export type EpochSchedule = Record<string, number>;

/** The paper's schedule. */
export const PAPER_EPOCHS: EpochSchedule = { 80: 20, 32: 30, 16: 40, 8: 60, 4: 120, 2: 120, 1: 120 };

/** Epochs for n labelled images per class under a schedule. Throws on an empty or invalid schedule. */
export function epochsFor(n: number, schedule: EpochSchedule = PAPER_EPOCHS): number {
  const keys = Object.keys(schedule).map(Number).filter((k) => Number.isFinite(k)).sort((a, b) => a - b);
  if (!keys.length) throw new Error("epochsFor: empty epoch schedule");
  let pick = keys[0];
  for (const k of keys) if (k <= n) pick = k;
  const e = schedule[String(pick)];
  if (!(Number.isInteger(e) && e >= 1)) throw new Error(`epochsFor: schedule entry ${pick} → ${e} is not a positive integer`);
  return e;
}
