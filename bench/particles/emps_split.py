"""Make the fixed EMPS split of the bundled particle model (models/particles-emps/split.json).

EMPS (Yildirim & Cole 2021) has no per-paper source labels, so a "source" for the few-label experiment is
a look-alike group: k-means (k 8, random_state 0) on seven per-image descriptors (grey mean, sd, 5th/95th
percentile; log median true particle diameter; log particle count; foreground fraction), standardised.
The group "source" (36 images: bright-field TEM, small dark particles, light background) is held out of
the bundled model's training entirely. The other images are shuffled with numpy's default_rng(0):
20 % validation (never trained on, never used to choose settings), 8 % tuning (choices: design,
thresholds), the rest training.

usage: /usr/bin/python3 bench/particles/emps_split.py EMPS_TRAIN_DIR OUT_JSON
"""
import json, os, sys
import numpy as np
from PIL import Image
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

root, out = sys.argv[1], sys.argv[2]
ids = sorted(f[:-4] for f in os.listdir(os.path.join(root, "segmaps")) if f.endswith(".png"))
feats = []
for i in ids:
    g = np.asarray(Image.open(os.path.join(root, "images", i + ".jpg")).convert("L"), float) / 255
    s = np.array(Image.open(os.path.join(root, "segmaps", i + ".png")))
    _, c = np.unique(s[s > 0], return_counts=True)
    d = np.median(2 * np.sqrt(c / np.pi)) if len(c) else 1.0
    feats.append([g.mean(), g.std(), np.log(d), np.log(len(c) + 1), (s > 0).mean(), np.percentile(g, 5), np.percentile(g, 95)])
X = StandardScaler().fit_transform(np.array(feats))
km = KMeans(8, n_init=10, random_state=0).fit(X)
# The cluster of small dark particles on a light background (largest mean grey, smallest diameter).
F = np.array(feats)
means = [(F[km.labels_ == k, 0].mean() - F[km.labels_ == k, 2].mean() / 10, k) for k in range(8)]
src = max(means)[1]
source = [i for i, l in zip(ids, km.labels_) if l == src]
rest = [i for i, l in zip(ids, km.labels_) if l != src]
perm = np.random.default_rng(0).permutation(len(rest))
rest = [rest[j] for j in perm]
nv, nt = round(0.2 * len(rest)), round(0.08 * len(rest))
split = {
    "dataset": "EMPS training images (Yildirim & Cole 2021, doi:10.1021/acs.jcim.0c01455, MIT), 366 ids",
    "made_by": "bench/particles/emps_split.py",
    "validation": sorted(rest[:nv]), "tune": sorted(rest[nv:nv + nt]), "train": sorted(rest[nv + nt:]),
    "source": sorted(source),
    "source_description": "look-alike group held out of training: bright-field TEM, small dark particles on a light background (k-means on image descriptors)",
}
with open(out, "w") as f:
    json.dump(split, f, indent=1)
print({k: len(v) for k, v in split.items() if isinstance(v, list)})
