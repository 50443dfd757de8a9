import { strict as assert } from "assert";
import { tsne, knnPreservation, conditionalAffinities, squaredDistances } from "../lib/probe/tsne";
import { featureMatrix } from "../lib/linalg/matrix";
import { Rng } from "../lib/util/rng";

function clusters(perCluster: number, C: number, D: number, sep: number, seed: number) {
  const r = new Rng(seed);
  const centres = Array.from({ length: C }, () => Array.from({ length: D }, () => r.normal() * sep));
  const data = new Float32Array(perCluster * C * D);
  const labels: number[] = [];
  for (let i = 0; i < perCluster * C; i++) {
    const c = i % C; labels.push(c);
    for (let d = 0; d < D; d++) data[i * D + d] = centres[c][d] + r.normal();
  }
  return { X: featureMatrix(data, perCluster * C, D), labels };
}

describe("probe/tsne", () => {
  it("calibrates every row's affinities to the requested perplexity (entropy = log perplexity)", () => {
    const { X } = clusters(10, 3, 5, 2, 1);
    const N = X.rows;
    const P = conditionalAffinities(squaredDistances(X), N, 7);
    for (let i = 0; i < N; i++) {
      let H = 0, s = 0;
      for (let j = 0; j < N; j++) { const p = P[i * N + j]; s += p; if (p > 0) H -= p * Math.log(p); }
      assert.ok(Math.abs(s - 1) < 1e-9);
      assert.ok(Math.abs(Math.exp(H) - 7) < 1e-3, `row ${i}: perplexity ${Math.exp(H)}`);
    }
  });

  it("keeps well-separated clusters apart, preserves neighbourhoods and is reproducible per seed", () => {
    const { X, labels } = clusters(25, 4, 50, 3, 2);
    const a = tsne(X, { perplexity: 15, iterations: 500, seed: 3 });
    const b = tsne(X, { perplexity: 15, iterations: 500, seed: 3 });
    assert.deepEqual(a.Y, b.Y);
    const N = X.rows;
    // Every point's 5 nearest embedded neighbours share its cluster.
    let same = 0;
    for (let i = 0; i < N; i++) {
      const nn = Array.from({ length: N }, (_, j) => j).filter((j) => j !== i)
        .sort((p, q) => Math.hypot(a.Y[2 * i] - a.Y[2 * p], a.Y[2 * i + 1] - a.Y[2 * p + 1]) - Math.hypot(a.Y[2 * i] - a.Y[2 * q], a.Y[2 * i + 1] - a.Y[2 * q + 1])).slice(0, 5);
      same += nn.filter((j) => labels[j] === labels[i]).length;
    }
    assert.ok(same / (5 * N) > 0.98, `same-cluster neighbour fraction ${same / (5 * N)}`);
    // Neighbourhood preservation well above chance (random 2-D layout: k/N ≈ 0.1).
    const kp = knnPreservation(X, a.Y, 10);
    assert.ok(kp > 0.3, `kNN preservation ${kp}`);
    const shuffled = Float64Array.from(a.Y); new Rng(1).shuffle(Array.from({ length: N }, (_, i) => i)).forEach((j, i) => { shuffled[2 * i] = a.Y[2 * j]; shuffled[2 * i + 1] = a.Y[2 * j + 1]; });
    assert.ok(knnPreservation(X, shuffled, 10) < 0.2, "a shuffled layout must score near chance");
    assert.ok(Number.isFinite(a.kl) && a.kl > 0);
  });
});
