"""sklearn peer of bench/workloads/probe-sweep.ts: the same 700 linear-probe fits.

Usage: /usr/bin/python3 bench/peers/probe_sweep.py [--repeats K] [--warmup W] [--max-repeats M] [--limit K]
Reads .cache/bench/probe-sweep/{X.f32,plan.json} (written by the TS workload's setup). Each fit:
MLPClassifier(hidden_layer_sizes=(), solver="adam", learning_rate_init=1e-3, batch_size=4, alpha=0)
(= softmax regression), one partial_fit per epoch (shuffled mini-batches), test accuracy after every
epoch, early stopping with patience 10 keeping the best coefficients (the paper's protocol), <= 300
epochs. Single-threaded BLAS (OMP/OPENBLAS threads 1). The whole sweep takes minutes, so at most
--max-repeats (default 1) timed repetitions run whatever --repeats says; the count is reported.
Prints one JSON line {"ms": median, "repeats", "fits", "mean_epochs", "mean_accuracy", "sklearn"}.
"""
import os
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import argparse, json, statistics, sys, time, warnings
import numpy as np
import sklearn
from sklearn.neural_network import MLPClassifier


def sweep(X, y, fits, C):
    epochs, accs = [], []
    classes = np.arange(C)
    for f in fits:
        fit, test = np.array(f["fit"]), np.array(f["test"])
        Xf, yf, Xt, yt = X[fit], y[fit], X[test], y[test]
        clf = MLPClassifier(hidden_layer_sizes=(), solver="adam", learning_rate_init=1e-3, batch_size=4,
                            alpha=0.0, random_state=f["seed"] * 1000 + f["split"], shuffle=True)
        best, best_coef, wait, e = -1.0, None, 0, 0
        for e in range(1, 301):
            clf.partial_fit(Xf, yf, classes=classes)
            acc = float((clf.predict(Xt) == yt).mean())
            if acc > best:
                best, wait = acc, 0
                best_coef = ([w.copy() for w in clf.coefs_], [b.copy() for b in clf.intercepts_])
            else:
                wait += 1
                if wait >= 10:
                    break
        clf.coefs_, clf.intercepts_ = best_coef
        epochs.append(e)
        accs.append(float((clf.predict(Xt) == yt).mean()))
    return epochs, accs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--max-repeats", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="only the first K fits (quick estimates; 0 = all)")
    a = ap.parse_args()
    d = os.path.join(os.environ.get("NANOMORPH_CACHE", ".cache"), "bench", "probe-sweep")
    try:
        plan = json.load(open(os.path.join(d, "plan.json")))
    except OSError as e:
        print(f"probe_sweep.py: {e}; run the TS workload first (npm run bench -- --only probe-paper-sweep)", file=sys.stderr)
        sys.exit(2)
    X = np.fromfile(os.path.join(d, "X.f32"), dtype=np.float32).reshape(plan["rows"], plan["cols"]).astype(np.float64)
    y = np.array(plan["labels"])
    fits = plan["fits"][: a.limit] if a.limit > 0 else plan["fits"]
    warnings.filterwarnings("ignore")
    reps = max(1, min(a.repeats, a.max_repeats))
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        c0 = time.process_time()
        epochs, accs = sweep(X, y, fits, plan["classes"])
        cpu = time.process_time() - c0
        times.append((time.perf_counter() - t) * 1000)
    print(json.dumps({"ms": statistics.median(times), "repeats": reps, "all_ms": times, "fits": len(fits), "cpu_s_last": cpu,
                      "mean_epochs": float(np.mean(epochs)), "mean_accuracy": float(np.mean(accs)),
                      "sklearn": sklearn.__version__}))


if __name__ == "__main__":
    main()
