import * as tf from "@tensorflow/tfjs";
import { ParamStore } from "../nn/params";
import { batchNormTrain, batchNormInfer, updateMovingStats, BN_EPSILON } from "../nn/batchnorm";
import { Rng } from "../util/rng";

/**
 * The particle network: a small U-Net trained from scratch on grey micrographs at native resolution.
 *   level l = 0..L-1: two (3×3 conv, no bias → BN → ReLU) at width `widths[l]`, then 2×2 max-pool (not after the last)
 *   decoder: nearest ×2 upsample (reshape + tile, native kernels), concat with the encoder map of that level, two conv-BN-ReLU at `widths[l]`
 *   head: 1×1 conv with bias → `outputs` logits per pixel.
 * Input [N,H,W,1] grey in [0,1] (H, W divisible by 2^(L−1)); it is standardised per image inside
 * (zero mean, unit sd) so brightness and contrast of a figure do not matter. Output [N,H,W,outputs].
 * Channels of the particle model (see heads.ts): 0..2 = background / interior / boundary logits,
 * 3 = distance-to-background logit (sigmoid → distance / instance's largest distance, in [0,1]).
 * BN: Keras momentum 0.99, epsilon 1e-3 (lib/nn/batchnorm).
 */
export interface ParticleNetConfig {
  /** Widths per level, finest first. Default [8, 16, 32, 64, 64] (5 levels, receptive field ≈ 200 px; sized for CPU training). */
  widths?: number[];
  /** Output channels. Default 4. */
  outputs?: number;
  /** Seed of the initial weights. Default 0. */
  seed?: number;
}

/** Resolved architecture (what a model file records). */
export interface ParticleNetArch {
  widths: number[];
  outputs: number;
}

/** Resolve defaults; throws on widths that are not positive integers or fewer than 2 levels. */
export function resolveArch(cfg: ParticleNetConfig = {}): ParticleNetArch {
  const widths = cfg.widths ?? [8, 16, 32, 64, 64];
  const outputs = cfg.outputs ?? 4;
  if (widths.length < 2 || !widths.every((w) => Number.isInteger(w) && w > 0)) throw new Error(`ParticleNet: widths must be ≥ 2 positive integers, got [${widths}]`);
  if (!(Number.isInteger(outputs) && outputs > 0)) throw new Error(`ParticleNet: outputs must be a positive integer, got ${outputs}`);
  return { widths, outputs };
}

/** Convs of the network in order: [name, inChannels, outChannels, kernel]. Names are the weight prefixes. */
function convList(a: ParticleNetArch): Array<[string, number, number, number]> {
  const out: Array<[string, number, number, number]> = [];
  const L = a.widths.length;
  let c = 1;
  for (let l = 0; l < L; l++) {
    out.push([`enc${l}_a`, c, a.widths[l], 3], [`enc${l}_b`, a.widths[l], a.widths[l], 3]);
    c = a.widths[l];
  }
  for (let l = L - 2; l >= 0; l--) {
    out.push([`dec${l}_a`, c + a.widths[l], a.widths[l], 3], [`dec${l}_b`, a.widths[l], a.widths[l], 3]);
    c = a.widths[l];
  }
  return out;
}

/** A U-Net for particle instances. State: its {@link ParamStore}; call `dispose()`. */
export class ParticleNet {
  readonly arch: ParticleNetArch;
  readonly params: ParamStore;
  /** Input sides must be multiples of this. */
  readonly multiple: number;
  private pending: Array<{ name: string; mean: tf.Tensor; variance: tf.Tensor }> = [];

  constructor(cfg: ParticleNetConfig = {}) {
    this.arch = resolveArch(cfg);
    this.multiple = 2 ** (this.arch.widths.length - 1);
    this.params = new ParamStore("particle-net");
    const rng = new Rng(cfg.seed ?? 0).fork("particle-net-init");
    tf.tidy(() => {
      for (const [name, cin, cout, k] of convList(this.arch)) {
        // He-normal (ReLU follows), as a truncated-free normal.
        this.params.add(`${name}/kernel`, tf.randomNormal([k, k, cin, cout], 0, Math.sqrt(2 / (k * k * cin)), "float32", rng.seedInt()));
        this.params.add(`${name}/bn/gamma`, tf.ones([cout]));
        this.params.add(`${name}/bn/beta`, tf.zeros([cout]));
        this.params.add(`${name}/bn/moving_mean`, tf.zeros([cout]), "state");
        this.params.add(`${name}/bn/moving_var`, tf.ones([cout]), "state");
      }
      const w0 = this.arch.widths[0];
      this.params.add("head/kernel", tf.randomNormal([1, 1, w0, this.arch.outputs], 0, Math.sqrt(1 / w0), "float32", rng.seedInt()));
      this.params.add("head/bias", tf.zeros([this.arch.outputs]));
    });
  }

  /** Trainable variables (kernels, BN scale/shift, head bias). */
  get trainableVariables(): tf.Variable[] {
    return this.params.trainable();
  }

  /**
   * Logits [N,H,W,outputs] of grey images [N,H,W,1] in [0,1]. `training` uses batch statistics and
   * remembers them for {@link updateMovingStats}. Throws when H or W is not a multiple of `multiple`.
   */
  forward(x: tf.Tensor4D, training = false): tf.Tensor4D {
    const [, h, w, c] = x.shape;
    if (c !== 1) throw new Error(`ParticleNet: input must have 1 grey channel, got [${x.shape}]`);
    if (h % this.multiple || w % this.multiple) throw new Error(`ParticleNet: input ${h}×${w} must be a multiple of ${this.multiple} on both sides (pad it; see predict.ts)`);
    if (training) this.discardMoments();
    return tf.tidy(() => {
      const m = tf.moments(x, [1, 2, 3], true);
      let y: tf.Tensor4D = tf.div(tf.sub(x, m.mean), tf.add(tf.sqrt(m.variance), 1e-3));
      const L = this.arch.widths.length;
      const skips: tf.Tensor4D[] = [];
      for (let l = 0; l < L; l++) {
        y = this.block(this.block(y, `enc${l}_a`, training), `enc${l}_b`, training);
        if (l < L - 1) { skips.push(y); y = tf.maxPool(y, 2, 2, "valid"); }
      }
      for (let l = L - 2; l >= 0; l--) {
        const s = skips[l];
        y = upsample2(y);
        y = tf.concat([y, s], 3);
        y = this.block(this.block(y, `dec${l}_a`, training), `dec${l}_b`, training);
      }
      const k = this.params.get("head/kernel") as unknown as tf.Tensor4D;
      return tf.add(tf.conv2d(y, k, 1, "same"), this.params.get("head/bias")) as tf.Tensor4D;
    });
  }

  /** Fold the batch statistics of the last training forward into the moving statistics (momentum 0.99). */
  updateMovingStats(): void {
    for (const p of this.pending) {
      updateMovingStats(this.params.get(`${p.name}/bn/moving_mean`), this.params.get(`${p.name}/bn/moving_var`), p.mean, p.variance);
    }
    this.discardMoments();
  }

  /** Forget captured batch statistics. */
  discardMoments(): void {
    for (const p of this.pending) { p.mean.dispose(); p.variance.dispose(); }
    this.pending = [];
  }

  /** Free every variable. */
  dispose(): void {
    this.discardMoments();
    this.params.dispose();
  }

  private block(x: tf.Tensor4D, name: string, training: boolean): tf.Tensor4D {
    const k = this.params.get(`${name}/kernel`) as unknown as tf.Tensor4D;
    const z = tf.conv2d(x, k, 1, "same");
    const gamma = this.params.get(`${name}/bn/gamma`) as unknown as tf.Tensor1D;
    const beta = this.params.get(`${name}/bn/beta`) as unknown as tf.Tensor1D;
    if (training) {
      const r = batchNormTrain(z, gamma, beta, BN_EPSILON, { relu: true });
      this.pending.push({ name, mean: tf.keep(r.mean), variance: tf.keep(r.variance) });
      return r.y;
    }
    const mm = this.params.get(`${name}/bn/moving_mean`) as unknown as tf.Tensor1D;
    const mv = this.params.get(`${name}/bn/moving_var`) as unknown as tf.Tensor1D;
    return tf.relu(batchNormInfer(z, mm, mv, gamma, beta, BN_EPSILON));
  }
}

/** Nearest-neighbour ×2 upsampling [N,h,w,C] → [N,2h,2w,C] by reshape + tile (no resize kernel needed). */
export function upsample2(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  // Two rank-4 tiles (tfjs has no rank-5 tile gradient): columns, then rows.
  return tf.tidy(() => {
    const cols = tf.reshape(tf.tile(tf.reshape(x, [n * h, w, 1, c]), [1, 1, 2, 1]), [n, h, 1, 2 * w * c]);
    return tf.reshape(tf.tile(cols, [1, 1, 2, 1]), [n, 2 * h, 2 * w, c]) as tf.Tensor4D;
  });
}
