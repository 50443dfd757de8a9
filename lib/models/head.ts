/**
 * Projection head of the paper's SSL models: Dense 128 → ReLU → BN → Dense 64 → ReLU → BN → Dense 1024 → BN
 * (BN epsilon 1e-3, Keras defaults), sizes configurable. Weights live in a {@link ParamStore} named like
 * Keras layers (`proj_dense_1/kernel`, `proj_bn_1/gamma`, …).
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../util/rng";
import { batchNormInfer, batchNormTrain, updateMovingStats, BN_EPSILON, BN_MOMENTUM } from "../nn/batchnorm";
import { ParamStore } from "../nn/params";

/** Configuration of a {@link ProjectionHead}. */
export interface ProjectionHeadConfig {
  /** Input feature size (the encoder's featureDim). */
  inputDim: number;
  /** Output sizes of the dense layers (default [128, 64, 1024], the paper's). */
  sizes?: number[];
  /** BatchNorm epsilon (default 1e-3, the paper's). */
  bnEpsilon?: number;
}

/** Dense → (ReLU → BN between layers) … → BN after the last dense layer (no ReLU there). */
export class ProjectionHead {
  readonly sizes: number[];
  readonly inputDim: number;
  readonly bnEpsilon: number;
  readonly params: ParamStore;

  /**
   * @param seed seeds the Glorot-uniform kernels (Keras' Dense default)
   * @throws when a size is not a positive integer
   */
  constructor(config: ProjectionHeadConfig, seed: number) {
    this.sizes = (config.sizes ?? [128, 64, 1024]).slice();
    this.inputDim = config.inputDim;
    this.bnEpsilon = config.bnEpsilon ?? BN_EPSILON;
    for (const s of [this.inputDim, ...this.sizes]) {
      if (!Number.isInteger(s) || s < 1) throw new Error(`ProjectionHead: sizes must be positive integers, got input ${this.inputDim}, sizes [${this.sizes}]`);
    }
    const rng = new Rng(seed).fork("projection-head");
    this.params = new ParamStore("projection");
    let fanIn = this.inputDim;
    this.sizes.forEach((units, i) => {
      const limit = Math.sqrt(6 / (fanIn + units));
      const k = tf.randomUniform([fanIn, units], -limit, limit, "float32", rng.seedInt());
      const add = (name: string, v: tf.Tensor, kind: "trainable" | "state" = "trainable"): void => { this.params.add(name, v, kind); v.dispose(); };
      add(`proj_dense_${i + 1}/kernel`, k);
      add(`proj_dense_${i + 1}/bias`, tf.zeros([units]));
      add(`proj_bn_${i + 1}/gamma`, tf.ones([units]));
      add(`proj_bn_${i + 1}/beta`, tf.zeros([units]));
      add(`proj_bn_${i + 1}/moving_mean`, tf.zeros([units]), "state");
      add(`proj_bn_${i + 1}/moving_variance`, tf.ones([units]), "state");
      fanIn = units;
    });
  }

  /** Output size (last entry of `sizes`). */
  get outputDim(): number {
    return this.sizes[this.sizes.length - 1];
  }

  /** Trainable variables (dense kernels/biases, BN gamma/beta). */
  get trainableVariables(): tf.Variable[] {
    return this.params.trainable();
  }

  /**
   * Project features [N, inputDim] → [N, outputDim]. With `training`, BN uses batch statistics and
   * updates its moving averages (momentum 0.99). Never disposes `h`.
   * @throws when `h` is not [N, inputDim]
   */
  apply(h: tf.Tensor2D, training: boolean): tf.Tensor2D {
    if (h.rank !== 2 || h.shape[1] !== this.inputDim) {
      throw new Error(`ProjectionHead.apply: input must be [N,${this.inputDim}], got [${h.shape}]`);
    }
    return tf.tidy(() => {
      let z: tf.Tensor2D = h;
      this.sizes.forEach((_, i) => {
        const p = (n: string): tf.Variable => this.params.get(n);
        z = tf.add(tf.matMul(z, p(`proj_dense_${i + 1}/kernel`) as unknown as tf.Tensor2D), p(`proj_dense_${i + 1}/bias`));
        if (i < this.sizes.length - 1) z = tf.relu(z);
        const g = p(`proj_bn_${i + 1}/gamma`) as unknown as tf.Tensor1D;
        const b = p(`proj_bn_${i + 1}/beta`) as unknown as tf.Tensor1D;
        const mm = p(`proj_bn_${i + 1}/moving_mean`);
        const mv = p(`proj_bn_${i + 1}/moving_variance`);
        if (training) {
          const r = batchNormTrain(z, g, b, this.bnEpsilon);
          updateMovingStats(mm, mv, r.mean, r.variance, { momentum: BN_MOMENTUM });
          z = r.y;
        } else {
          z = batchNormInfer(z, mm as unknown as tf.Tensor1D, mv as unknown as tf.Tensor1D, g, b, this.bnEpsilon);
        }
      });
      return z;
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}
