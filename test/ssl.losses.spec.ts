import { strict as assert } from "assert";
import * as fs from "fs";
import { spawnSync } from "child_process";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import { simclrLoss } from "../lib/ssl/simclr_loss";
import { ntXentLoss } from "../lib/ssl/ntxent_loss";
import { barlowLoss } from "../lib/ssl/barlow_loss";
import { barlowOriginalLoss } from "../lib/ssl/barlow_original_loss";

const PY = "/usr/bin/python3";
const val = (t: tf.Scalar): number => { const v = t.dataSync()[0]; t.dispose(); return v; };
const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

describe("ssl: losses (closed forms)", () => {
  before(async () => { await initBackend(); });

  it("SimCLR (paper) of identical embeddings = log N; NT-Xent of identical embeddings = log(2N − 1)", () => {
    // All logits equal → uniform softmax over N (paper: cross-view only) or 2N − 1 (standard) candidates.
    const z = tf.ones([6, 5]) as tf.Tensor2D;
    close(val(simclrLoss(z, z)), Math.log(6), 1e-5, "simclr");
    close(val(ntXentLoss(z, z)), Math.log(11), 1e-5, "ntxent");
    z.dispose();
  });

  it("SimCLR (paper) of matching orthonormal rows = log(1 + (N−1)e^{−1/T}); scale-invariant", () => {
    // S = I/T: each of the 2N rows has CE = −log(e^{1/T} / (e^{1/T} + N − 1)).
    const z = tf.eye(4, 6) as tf.Tensor2D;
    const z3 = tf.mul(z, 3) as tf.Tensor2D;
    for (const T of [0.1, 0.5]) close(val(simclrLoss(z, z3, { temperature: T })), Math.log(1 + 3 * Math.exp(-1 / T)), 1e-5, `T=${T}`);
    assert.throws(() => simclrLoss(z, tf.zeros([3, 6]) as tf.Tensor2D), /simclrLoss/);
    [z, z3].forEach((t) => t.dispose());
  });

  it("Barlow: C = I → ≈0; z2 = −z1 → (1+c)² (paper), D(1+c)² (original); swapped columns → 1 + λc² (paper), 2 + 2λc² (original)", () => {
    // Columns a = (1,−1,1,−1), b = (1,1,−1,−1): mean 0, biased variance 1, orthogonal → C = I/(1+eps).
    const z = tf.tensor2d([[1, 1], [-1, 1], [1, -1], [-1, -1]]);
    const eps = 1e-5;
    const cii = 1 / (1 + eps);
    close(val(barlowLoss(z, z)), (1 - cii) ** 2, 1e-9, "barlow C=I");
    const neg = tf.neg(z) as tf.Tensor2D;
    // C = −I/(1+eps): diagonal terms (1 + cii)².
    close(val(barlowLoss(z, neg)), (1 + cii) ** 2, 1e-5, "paper, z2 = −z1");
    close(val(barlowOriginalLoss(z, neg)), 2 * (1 + cii) ** 2, 1e-5, "original, z2 = −z1");
    // Swapped columns: C = [[0, c],[c, 0]] → paper: 1 + 0.005·c²; original: 2 + 5e-3·2c².
    const sw = tf.reverse(z, 1) as tf.Tensor2D;
    close(val(barlowLoss(z, sw)), 1 + 0.005 * cii ** 2, 1e-6, "paper swapped");
    close(val(barlowOriginalLoss(z, sw)), 2 + 5e-3 * 2 * cii ** 2, 1e-6, "original swapped");
    close(val(barlowLoss(z, sw, { lambda: 1 })), 1 + cii ** 2, 1e-6, "paper swapped λ=1");
    [z, neg, sw].forEach((t) => t.dispose());
  });
});

describe("ssl: losses against PyTorch (/usr/bin/python3 torch)", () => {
  const why = ((): string | null => {
    if (!fs.existsSync(PY)) return `${PY} not found`;
    const r = spawnSync(PY, ["-c", "import torch"], { encoding: "utf8" });
    return r.status === 0 ? null : "python3 torch not importable";
  })();
  before(async function () {
    if (why) { console.log(`      (skipped: ${why})`); this.skip(); }
    await initBackend();
  });

  it("values and gradients w.r.t. z1 of all four losses match an independent torch implementation", () => {
    const n = 8;
    const d = 16;
    const z1 = tf.randomNormal([n, d], 0, 1, "float32", 11) as tf.Tensor2D;
    const z2 = tf.add(z1, tf.randomNormal([n, d], 0, 0.7, "float32", 12)) as tf.Tensor2D;
    // Independent torch code: paper SimCLR via F.cross_entropy on [S; Sᵀ]; NT-Xent with masked self-similarity;
    // Barlow with F.batch_norm(affine=False) standardisation (biased var, eps 1e-5).
    const script = `
import json, sys, torch, torch.nn.functional as F
torch.set_default_dtype(torch.float64)
d = json.load(sys.stdin)
out = {}
def simclr(a, b, T=0.1):
    a, b = F.normalize(a, dim=1), F.normalize(b, dim=1)
    s = a @ b.T / T
    y = torch.arange(a.shape[0])
    return F.cross_entropy(torch.cat([s, s.T]), torch.cat([y, y]))
def ntxent(a, b, T=0.1):
    n = a.shape[0]
    z = F.normalize(torch.cat([a, b]), dim=1)
    s = z @ z.T / T
    s = s.masked_fill(torch.eye(2*n, dtype=torch.bool), float("-inf"))
    y = torch.cat([torch.arange(n, 2*n), torch.arange(0, n)])
    return F.cross_entropy(s, y)
def bn(z): return F.batch_norm(z, None, None, training=True, eps=1e-5)
def barlow_paper(a, b, lam=0.005):
    c = bn(a).T @ bn(b) / a.shape[0]
    on = ((1 - torch.diagonal(c))**2).mean()
    off = (c - torch.diag(torch.diagonal(c)))**2
    D = c.shape[0]
    return on + lam * off.sum() / (D*(D-1))
def barlow_orig(a, b, lam=5e-3):
    c = bn(a).T @ bn(b) / a.shape[0]
    on = ((1 - torch.diagonal(c))**2).sum()
    off = ((c - torch.diag(torch.diagonal(c)))**2).sum()
    return on + lam * off
for name, f in [("simclr", simclr), ("ntxent", ntxent), ("barlow", barlow_paper), ("barlow_orig", barlow_orig)]:
    a = torch.tensor(d["z1"], requires_grad=True)
    b = torch.tensor(d["z2"])
    l = f(a, b)
    l.backward()
    out[name] = {"loss": l.item(), "grad": a.grad.flatten().tolist()}
print(json.dumps(out))
`;
    const r = spawnSync(PY, ["-c", script], { input: JSON.stringify({ z1: z1.arraySync(), z2: z2.arraySync() }), encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const ref = JSON.parse(r.stdout) as Record<string, { loss: number; grad: number[] }>;
    const fns: Record<string, (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Scalar> = {
      simclr: (a, b) => simclrLoss(a, b), ntxent: (a, b) => ntXentLoss(a, b),
      barlow: (a, b) => barlowLoss(a, b), barlow_orig: (a, b) => barlowOriginalLoss(a, b),
    };
    for (const [name, f] of Object.entries(fns)) {
      const { value, grad } = tf.valueAndGrad((a: tf.Tensor) => f(a as tf.Tensor2D, z2))(z1);
      close(value.dataSync()[0], ref[name].loss, 1e-5, `${name} loss`);
      const g = grad.dataSync();
      const gmax = Math.max(...ref[name].grad.map(Math.abs));
      ref[name].grad.forEach((e, i) => assert.ok(Math.abs(g[i] - e) <= 1e-4 * Math.max(gmax, 1e-3), `${name} grad[${i}]: ${g[i]} vs ${e}`));
      value.dispose(); grad.dispose();
    }
    [z1, z2].forEach((t) => t.dispose());
  });
});
