"""sklearn peer of bench/workloads/probe-honest-sweep.ts: the same 80 honest-head fits.

Usage: /usr/bin/python3 bench/peers/probe_honest_sweep.py [--repeats K] [--warmup W] [--name WORKLOAD]
Reads .cache/bench/<WORKLOAD, default probe-honest-sweep>/{X.f32,plan.json} (also probe-honest-wide). Each fit: features centred on the training
pool and divided by one common scale (root mean variance), then for n >= 2 per class, for every C of the
grid and every fold of the given fold assignment, LogisticRegression(C, lbfgs) on the other folds and
the held-out log-loss; the C with the lowest mean loss is refitted on all labelled rows (C = 1 for one
label per class); test accuracy. BLAS on 2 threads. Prints one JSON line {"ms": median, ...}.
"""
import os
os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
import argparse, json, statistics, sys, time, warnings
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss


def one(X, y, f, grid, K):
    fit, pool, test = np.array(f["fit"]), np.array(f["pool"]), np.array(f["test"])
    mu = X[pool].mean(0)
    scale = np.sqrt(X[pool].var(0).mean()) or 1.0
    Z = (X - mu) / scale
    C = 1.0
    if f["folds"] is not None:
        folds = np.array(f["folds"])
        losses = []
        for c in grid:
            tot = 0.0
            for k in range(folds.max() + 1):
                tr, te = fit[folds != k], fit[folds == k]
                m = LogisticRegression(C=c).fit(Z[tr], y[tr])
                tot += log_loss(y[te], m.predict_proba(Z[te]), labels=m.classes_, normalize=False)
            losses.append(tot)
        C = grid[int(np.argmin(losses))]
    m = LogisticRegression(C=C).fit(Z[fit], y[fit])
    return float((m.predict(Z[test]) == y[test]).mean())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--name", default="probe-honest-sweep", help="workload whose cache folder holds X.f32 and plan.json")
    a = ap.parse_args()
    d = os.path.join(os.environ.get("NANOMORPH_CACHE", ".cache"), "bench", a.name)
    try:
        plan = json.load(open(os.path.join(d, "plan.json")))
    except OSError as e:
        print(f"probe_honest_sweep.py: {e}; run the TS workload first (npm run bench -- --only {a.name})", file=sys.stderr)
        sys.exit(2)
    X = np.fromfile(os.path.join(d, "X.f32"), dtype=np.float32).reshape(plan["rows"], plan["cols"]).astype(np.float64)
    y = np.array(plan["labels"])
    warnings.filterwarnings("ignore")
    times = []
    for _ in range(max(1, min(a.repeats, 1))):
        t = time.perf_counter()
        accs = [one(X, y, f, plan["grid"], plan["classes"]) for f in plan["fits"]]
        times.append((time.perf_counter() - t) * 1000)
    print(json.dumps({"ms": statistics.median(times), "repeats": len(times), "fits": len(plan["fits"]),
                      "mean_accuracy": float(np.mean(accs)), "sklearn": sklearn.__version__}))


if __name__ == "__main__":
    main()
