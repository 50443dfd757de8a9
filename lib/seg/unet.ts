import * as tf from "@tensorflow/tfjs";
import type { Encoder } from "../models/encoder";
import { Rng } from "../util/rng";
import { ParamStore } from "../nn/params";

/**
 * U-Net decoder over an encoder's 5 skip maps (strides 2, 4, 8, 16, 32), as in the paper:
 *   x = skip[stride 32]
 *   for each of 4 blocks: x = ReLU(BN(Conv2DTranspose(filters_i, k 4, s 2, no bias)(x))); x = concat(x, skip)
 *   out = sigmoid(Conv2DTranspose(1, k 4, s 2, with bias)(x))          → [N, H, W, 1]
 * The paper's filters are 1024/512/256/128 on ResNet50; by default smaller encoders use the channel
 * counts of the skip each block is concatenated with. 'same' padding, Glorot-uniform kernels (Keras
 * defaults), BN with Keras' momentum 0.99 and epsilon 1e-3, written out as (x−μ)·rsqrt(σ²+ε)·γ+β
 * (the fused BN gradient is slow on wasm, see docs/toolchain.md).
 */
export interface UNetConfig {
  /** Filters of the 4 decoder blocks, deepest first. Default [1024,512,256,128] for 2048-channel encoders (ResNet50), else the skip channels [c4,c3,c2,c1]. */
  filters?: number[];
  /** Transposed-convolution kernel size. Default 4 (paper). */
  kernel?: number;
  /**
   * Train the encoder too (fine-tuning). Default false: frozen, as in the paper. Porting note: the
   * encoder's BN layers keep using their moving statistics while fine-tuning (the encoder runs in
   * inference mode); only the decoder's BN uses batch statistics.
   */
  trainEncoder?: boolean;
  /** BN moving-average momentum. Default 0.99 (Keras). */
  bnMomentum?: number;
  /** BN epsilon. Default 1e-3 (Keras). */
  bnEpsilon?: number;
  /** Seed of the decoder initialisation. Default 0. */
  seed?: number;
}

/**
 * Decoder weight names in {@link UNet.params} (block i = 0..3, deepest first):
 * `up{i}/kernel` [k,k,filters_i,in_i], `up{i}/bn/gamma|beta` (trainable) and `up{i}/bn/moving_mean|moving_var`
 * (state) [filters_i], `out/kernel` [k,k,1,in_out], `out/bias` [1].
 */
interface BnVars {
  gamma: tf.Variable;
  beta: tf.Variable;
  movingMean: tf.Variable;
  movingVar: tf.Variable;
}

/** Default decoder filters for an encoder's skip channels (see UNetConfig.filters). */
export function defaultFilters(skipChannels: number[]): number[] {
  if (skipChannels.length !== 5) throw new Error(`defaultFilters: need 5 skip channel counts, got ${skipChannels.length}`);
  return skipChannels[4] >= 2048 ? [1024, 512, 256, 128] : [skipChannels[3], skipChannels[2], skipChannels[1], skipChannels[0]];
}

/** A U-Net: encoder (frozen unless configured) + trainable decoder. Call `dispose()`; it does not dispose the encoder. */
export class UNet {
  readonly filters: number[];
  readonly kernel: number;
  readonly trainEncoder: boolean;
  /** BN epsilon of the decoder (needed to apply a saved model as it was trained). */
  readonly bnEpsilon: number;
  /**
   * The decoder's variables by name (see the names above): what a saved segment model stores and
   * restores (`lib/seg/model_file.ts`). Not the encoder's (`encoder.params`).
   */
  readonly params: ParamStore;
  private readonly kernels: tf.Variable[] = [];
  private readonly bns: BnVars[] = [];
  private readonly outKernel: tf.Variable;
  private readonly outBias: tf.Variable;
  private readonly momentum: number;
  /** Batch moments captured by a training forward, applied by `updateMovingStats`. */
  private pendingMoments: Array<{ mean: tf.Tensor; variance: tf.Tensor }> = [];

  constructor(readonly encoder: Encoder, cfg: UNetConfig = {}) {
    const sc = encoder.skipChannels;
    this.filters = cfg.filters ?? defaultFilters(sc);
    if (this.filters.length !== 4 || this.filters.some((f) => !(Number.isInteger(f) && f > 0))) {
      throw new Error(`UNet: filters must be 4 positive integers, got [${this.filters}]`);
    }
    this.kernel = cfg.kernel ?? 4;
    this.trainEncoder = cfg.trainEncoder ?? false;
    this.momentum = cfg.bnMomentum ?? 0.99;
    this.bnEpsilon = cfg.bnEpsilon ?? 1e-3;
    if (!(this.bnEpsilon > 0)) throw new Error(`UNet: bnEpsilon must be > 0, got ${this.bnEpsilon}`);
    const rng = new Rng(cfg.seed ?? 0).fork("unet");
    const k = this.kernel;
    // ParamStore gives every variable a process-unique tfjs name.
    const p = new ParamStore("unet");
    this.params = p;
    // Inside tidy so the initial-value tensors are freed (variables are kept by tidy).
    let outKernel: tf.Variable | null = null, outBias: tf.Variable | null = null;
    tf.tidy(() => {
      let inC = sc[4];
      for (let i = 0; i < 4; i++) {
        const out = this.filters[i];
        this.kernels.push(p.add(`up${i}/kernel`, glorot([k, k, out, inC], rng.seedInt())));
        this.bns.push({
          gamma: p.add(`up${i}/bn/gamma`, tf.ones([out])),
          beta: p.add(`up${i}/bn/beta`, tf.zeros([out])),
          movingMean: p.add(`up${i}/bn/moving_mean`, tf.zeros([out]), "state"),
          movingVar: p.add(`up${i}/bn/moving_var`, tf.ones([out]), "state"),
        });
        inC = out + sc[3 - i];
      }
      outKernel = p.add("out/kernel", glorot([k, k, 1, inC], rng.seedInt()));
      outBias = p.add("out/bias", tf.zeros([1]));
    });
    this.outKernel = outKernel!;
    this.outBias = outBias!;
  }

  /** Decoder variables (plus the encoder's when `trainEncoder`). */
  get trainableVariables(): tf.Variable[] {
    const dec = [...this.kernels, ...this.bns.flatMap((b) => [b.gamma, b.beta]), this.outKernel, this.outBias];
    return this.trainEncoder ? [...dec, ...this.encoder.trainableVariables] : dec;
  }

  /** Number of decoder parameters (trainable and moving statistics). */
  get decoderParamCount(): number {
    return this.params.size();
  }

  /** Skip maps of images [N,H,W,3] (H, W divisible by 32). Caller disposes. */
  skips(x: tf.Tensor4D): tf.Tensor4D[] {
    if (x.shape[1] % 32 || x.shape[2] % 32) throw new Error(`UNet: input ${x.shape[1]}×${x.shape[2]} must be divisible by 32`);
    return this.encoder.skips(x);
  }

  /**
   * Decoder on precomputed skip maps → probabilities [N,H,W,1]. With `training`, BN uses batch moments
   * and remembers them for `updateMovingStats`. Never disposes the skips.
   */
  decode(skips: tf.Tensor4D[], training = false): tf.Tensor4D {
    if (skips.length !== 5) throw new Error(`UNet.decode: need 5 skip maps, got ${skips.length}`);
    if (training) this.discardMoments();
    return tf.tidy(() => {
      let x: tf.Tensor4D = skips[4];
      for (let i = 0; i < 4; i++) {
        const target = skips[3 - i];
        x = this.up(x, this.kernels[i], this.filters[i], target.shape[1], target.shape[2]);
        x = this.bn(x, this.bns[i], training);
        x = tf.relu(x);
        x = tf.concat([x, target], 3);
      }
      const y = tf.add(this.up(x, this.outKernel, 1, 2 * x.shape[1], 2 * x.shape[2]), this.outBias) as tf.Tensor4D;
      return tf.sigmoid(y);
    });
  }

  /** Full forward: images [N,H,W,3] in [0,1] → probabilities [N,H,W,1]. */
  predict(x: tf.Tensor4D, training = false): tf.Tensor4D {
    return tf.tidy(() => this.decode(this.skips(x), training));
  }

  /** Fold the batch moments of the last training forward into the moving statistics, then forget them. */
  updateMovingStats(): void {
    if (!this.pendingMoments.length) return;
    tf.tidy(() => {
      this.pendingMoments.forEach((m, i) => {
        const b = this.bns[i];
        b.movingMean.assign(tf.add(tf.mul(b.movingMean, this.momentum), tf.mul(m.mean, 1 - this.momentum)));
        b.movingVar.assign(tf.add(tf.mul(b.movingVar, this.momentum), tf.mul(m.variance, 1 - this.momentum)));
      });
    });
    this.discardMoments();
  }

  /** Drop captured batch moments without using them. */
  discardMoments(): void {
    for (const m of this.pendingMoments) { m.mean.dispose(); m.variance.dispose(); }
    this.pendingMoments = [];
  }

  /** Free the decoder's variables (not the encoder's). */
  dispose(): void {
    this.discardMoments();
    this.params.dispose();
  }

  private up(x: tf.Tensor4D, kernel: tf.Variable, outC: number, outH: number, outW: number): tf.Tensor4D {
    return tf.conv2dTranspose(x, kernel as unknown as tf.Tensor4D, [x.shape[0], outH, outW, outC], 2, "same");
  }

  private bn(x: tf.Tensor4D, v: BnVars, training: boolean): tf.Tensor4D {
    let mean: tf.Tensor, variance: tf.Tensor;
    if (training) {
      const m = tf.moments(x, [0, 1, 2]);
      mean = m.mean; variance = m.variance;
      this.pendingMoments.push({ mean: tf.keep(tf.clone(mean)), variance: tf.keep(tf.clone(variance)) });
    } else {
      mean = v.movingMean; variance = v.movingVar;
    }
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.bnEpsilon))), v.gamma), v.beta) as tf.Tensor4D;
  }
}

/** Glorot-uniform initial kernel (a plain tensor; the store makes the variable). */
function glorot(shape: [number, number, number, number], seed: number): tf.Tensor {
  const [k1, k2, out, inC] = shape;
  const limit = Math.sqrt(6 / (k1 * k2 * out + k1 * k2 * inC));
  return tf.randomUniform(shape, -limit, limit, "float32", seed);
}
