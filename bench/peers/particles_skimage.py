"""scikit-image peer of bench/workloads/particles.ts: the classic Otsu + distance-transform watershed recipe.

Usage: /usr/bin/python3 bench/peers/particles_skimage.py [--repeats K] [--warmup W] [--name WORKLOAD]
Reads .cache/bench/<WORKLOAD, default particles-otsu-50>/plan.json ({files, settings}) that the TS workload's
setup writes. One repetition = every file: read (PIL; colour averaged to grey in [0, 1] as nanomorph does),
Gaussian sigma 1, Otsu threshold, foreground = the side touching less of the image border, opening by
disk(3), holes filled, Euclidean distance transform, markers = labelled h-maxima (h 2) of the distance (--markers peak: peak_local_max
with min_distance 5 instead, the gallery recipe: another algorithm, so not the default),
watershed of -distance inside the mask, particles touching the border cleared, regions under 10 px
dropped, regionprops of the rest (area, equivalent diameter, Feret max, Crofton perimeter, solidity,
eccentricity, orientation, axes, centroid). Single process, numpy/scipy threads 2.
Prints one JSON line {"ms": median, "cpu_ms": median process CPU time (all threads), ...}.
"""
import os
os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
import argparse, json, statistics, sys, time
import numpy as np
from PIL import Image
from scipy import ndimage as ndi
import skimage
from skimage import filters, measure, morphology, segmentation
from skimage.feature import peak_local_max

PROPS = ("area", "equivalent_diameter_area", "feret_diameter_max", "perimeter_crofton", "solidity",
         "eccentricity", "orientation", "axis_major_length", "axis_minor_length", "centroid")


def grey(file):
    a = np.asarray(Image.open(file), dtype=np.float64)
    full = 65535.0 if a.max() > 255 else 255.0
    if a.ndim == 3:
        a = a[..., :3].mean(axis=2) if a.shape[2] >= 3 else a[..., 0]
    return a / full


def particles(file, s):
    g = filters.gaussian(grey(file), sigma=s["smooth"])
    fg = g > filters.threshold_otsu(g)
    edge = np.concatenate([fg[0, :], fg[-1, :], fg[1:-1, 0], fg[1:-1, -1]])
    if edge.sum() * 2 > edge.size or (edge.sum() * 2 == edge.size and fg.sum() * 2 > fg.size):
        fg = ~fg
    fg = morphology.binary_opening(fg, morphology.disk(s["open"]))
    fg = ndi.binary_fill_holes(fg)
    dist = ndi.distance_transform_edt(fg)
    if s.get("markers", "hmaxima") == "hmaxima":
        markers = measure.label(morphology.h_maxima(dist, s["h"]))
    else:  # the gallery recipe: one marker per local maximum at least 5 px apart, per connected component
        peaks = peak_local_max(dist, min_distance=5, labels=measure.label(fg))
        markers = np.zeros(dist.shape, dtype=np.int32)
        markers[tuple(peaks.T)] = np.arange(1, len(peaks) + 1)
    labels = segmentation.watershed(-dist, markers, mask=fg)
    if s["dropBorder"]:
        labels = segmentation.clear_border(labels)
    kept = [r for r in measure.regionprops(labels) if r.area >= s["minArea"]]
    return [{p: getattr(r, p) for p in PROPS} for r in kept]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--name", default="particles-otsu-50", help="workload whose cache folder holds plan.json")
    ap.add_argument("--markers", choices=["hmaxima", "peak"], default="hmaxima",
                    help="watershed markers: h-maxima of the distance (h from the plan: nanomorph's rule, the default) or peak_local_max(min_distance=5)")
    a = ap.parse_args()
    d = os.path.join(os.environ.get("NANOMORPH_CACHE", ".cache"), "bench", a.name)
    try:
        plan = json.load(open(os.path.join(d, "plan.json")))
    except OSError as e:
        print(f"particles_skimage.py: {e}; run the TS workload first (npm run bench -- --only {a.name})", file=sys.stderr)
        sys.exit(2)
    files, s = plan["files"], dict(plan["settings"], markers=a.markers)
    times, cpu, kept = [], [], 0
    for i in range(a.warmup + a.repeats):
        t, c = time.perf_counter(), time.process_time()
        kept = sum(len(particles(f, s)) for f in files)
        if i >= a.warmup:
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
    print(json.dumps({"ms": statistics.median(times), "all_ms": times, "cpu_ms": statistics.median(cpu), "repeats": len(times), "images": len(files),
                      "particlesKept": kept, "markers": a.markers, "data": plan.get("source"), "skimage": skimage.__version__}))


if __name__ == "__main__":
    main()
