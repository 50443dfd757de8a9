/**
 * The scikit-learn baseline a Python user would write on the same frozen features: StandardScaler
 * fitted on the labelled images, `LogisticRegression()` (C = 1, lbfgs, default tolerance), scored on
 * the same test rows as our runs. Runs on Debian's `/usr/bin/python3` when it has scikit-learn
 * (`python3-sklearn`); it is a comparison, never a dependency: {@link sklearnAvailable} says why not.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planRun, resolveSweepConfig, type RunRecord, type SweepConfig, type SweepData } from "./sweep";
import { classificationMetrics } from "./metrics";

const PYTHON = process.env.NANOMORPH_PYTHON ?? "/usr/bin/python3";

/** null when the baseline can run here, else the reason it cannot (e.g. "python3-sklearn not installed"). */
export function sklearnAvailable(): string | null {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found (apt-get install python3-sklearn)`;
  const r = spawnSync(PYTHON, ["-c", "import sklearn, numpy"], { encoding: "utf8" });
  return r.status === 0 ? null : `${PYTHON} has no scikit-learn (apt-get install python3-sklearn)`;
}

const SCRIPT = `
import json, sys, numpy as np
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
inp = json.load(open(sys.argv[1]))
X = np.fromfile(sys.argv[2], dtype=np.float32).reshape(inp["rows"], inp["cols"]).astype(np.float64)
y = np.array(inp["labels"])
out = []
for fit, test in inp["plans"]:
    sc = StandardScaler().fit(X[fit])
    m = LogisticRegression().fit(sc.transform(X[fit]), y[fit])
    out.append(m.predict(sc.transform(X[test])).tolist())
print(json.dumps(out))
`;

/**
 * The baseline's records for every (feature set, split seed, n) of `config`, on the rows our honest
 * runs use (all labelled images to fit, the same test rows), as `protocol: "honest"` records with
 * encoder `<name> (sklearn)`. Throws with the reason when scikit-learn is not available.
 */
export function sklearnBaselineRuns(data: SweepData, config: SweepConfig = {}): RunRecord[] {
  const why = sklearnAvailable();
  if (why) throw new Error(`sklearn baseline: ${why}`);
  const cfg = resolveSweepConfig({ ...config, protocol: "honest" });
  const out: RunRecord[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-sklearn-"));
  try {
    for (const fs_ of data.featureSets) {
      const plans: { splitSeed: number; n: number; fit: number[]; test: number[] }[] = [];
      for (const splitSeed of cfg.splitSeeds) for (const n of cfg.labelsPerClass) {
        const p = planRun(data, splitSeed, n, cfg);
        plans.push({ splitSeed, n, fit: p.fit, test: p.test });
      }
      const bin = path.join(tmp, "X.f32"), meta = path.join(tmp, "in.json");
      fs.writeFileSync(bin, Float32Array.from(fs_.X.data));
      fs.writeFileSync(meta, JSON.stringify({ rows: fs_.X.rows, cols: fs_.X.cols, labels: Array.from(data.labels), plans: plans.map((p) => [p.fit, p.test]) }));
      const r = spawnSync(PYTHON, ["-c", SCRIPT, meta, bin], { encoding: "utf8", maxBuffer: 1 << 28 });
      if (r.status !== 0) throw new Error(`sklearn baseline failed (exit ${r.status}): ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
      const preds = JSON.parse(r.stdout) as number[][];
      plans.forEach((p, k) => {
        const m = classificationMetrics(p.test.map((i) => data.labels[i]), preds[k], data.classes.length);
        out.push({
          encoder: `${fs_.encoder} (sklearn)`, encoderSeed: fs_.seed, splitSeed: p.splitSeed, n: p.n, protocol: "honest",
          accuracy: m.accuracy, precision: m.precision, recall: m.recall, f1: m.f1, epochs: 0, bestEpoch: 0, C: 1,
          nFit: p.fit.length, nVal: 0, nTest: p.test.length, confusion: m.confusion,
        });
      });
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}
