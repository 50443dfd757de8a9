/**
 * Classification metrics as in sklearn: accuracy, support-weighted precision/recall/F1
 * (`average="weighted"`, `zero_division=0`), and the confusion matrix (rows = true, cols = predicted).
 */

/** Metrics of one set of predictions. */
export interface ClassificationMetrics {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** confusion[t][p] = number of rows of true class t predicted as p. */
  confusion: number[][];
}

/** Confusion matrix [numClasses][numClasses] (rows true, columns predicted). Throws on out-of-range labels or length mismatch. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): number[][] {
  if (yTrue.length !== yPred.length) throw new Error(`confusionMatrix: ${yTrue.length} true labels vs ${yPred.length} predictions`);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i], p = yPred[i];
    if (!(t >= 0 && t < numClasses && p >= 0 && p < numClasses)) throw new Error(`confusionMatrix: label pair (${t}, ${p}) at ${i} not in [0, ${numClasses})`);
    m[t][p]++;
  }
  return m;
}

/**
 * Accuracy and weighted precision/recall/F1 (weights = true-class support; a class never predicted
 * has precision 0, like sklearn's zero_division=0). Classes absent from yTrue get weight 0.
 */
export function classificationMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): ClassificationMetrics {
  const confusion = confusionMatrix(yTrue, yPred, numClasses);
  const n = yTrue.length;
  if (n === 0) throw new Error("classificationMetrics: no samples");
  let correct = 0, P = 0, R = 0, F = 0;
  for (let c = 0; c < numClasses; c++) {
    const tp = confusion[c][c];
    correct += tp;
    let support = 0, predicted = 0;
    for (let k = 0; k < numClasses; k++) { support += confusion[c][k]; predicted += confusion[k][c]; }
    const prec = predicted > 0 ? tp / predicted : 0;
    const rec = support > 0 ? tp / support : 0;
    const f1 = prec + rec > 0 ? (2 * prec * rec) / (prec + rec) : 0;
    const w = support / n;
    P += w * prec; R += w * rec; F += w * f1;
  }
  return { accuracy: correct / n, precision: P, recall: R, f1: F, confusion };
}
