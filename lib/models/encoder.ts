/**
 * The `Encoder` contract (docs/ARCHITECTURE.md) and its ResNet implementation.
 */
import * as tf from "@tensorflow/tfjs";
import { ParamStore } from "../nn/params";
import { planResNet, type ResNetArch, type ResNetPlan } from "./resnet_arch";
import { resnetForward, type ResNetForwardOptions, type ResNetForwardResult } from "./resnet";
import { preprocess, type PreprocessMode } from "./preprocess";

/** An image encoder: [N,H,W,3] images in [0,1] → features, plus multi-scale skip maps for the U-Net. */
export interface Encoder {
  readonly name: string;
  /** Length of the `embed` vectors. */
  readonly featureDim: number;
  /** Nominal input side in pixels (the encoder accepts other sizes divisible by 32). */
  readonly inputSize: number;
  /** What `embed`/`skips` do to their [0,1] input before the network (part of feature cache keys). */
  readonly preprocessMode?: PreprocessMode;
  /** [N,H,W,3] in [0,1] → [N,featureDim] (inference-mode BN, global average pooling). Never disposes x. */
  embed(x: tf.Tensor4D): tf.Tensor2D;
  /**
   * 5 maps at strides 2, 4, 8, 16, 32 (ResNet50: conv1_relu, conv2_block3_out, conv3_block4_out,
   * conv4_block6_out, conv5_block3_out). Never disposes x; the caller disposes the maps.
   */
  skips(x: tf.Tensor4D): tf.Tensor4D[];
  /** Channels of the 5 skip maps. */
  readonly skipChannels: number[];
  /** Variables an optimiser should update (conv kernels/biases, BN gamma/beta; not moving statistics). */
  readonly trainableVariables: tf.Variable[];
  dispose(): void;
}

/** Options of {@link ResNetEncoder}. */
export interface ResNetEncoderOptions {
  /** Input preprocessing (default "unit", the paper's [0,1] input). */
  preprocess?: PreprocessMode;
  /** Nominal input size (default 224). */
  inputSize?: number;
  /** Name reported by the encoder (default the architecture name). */
  name?: string;
}

/** A ResNet encoder over a named weight store; also exposes a training-mode forward for SSL. */
export class ResNetEncoder implements Encoder {
  readonly name: string;
  readonly featureDim: number;
  readonly inputSize: number;
  readonly skipChannels: number[];
  /** tf.keras names of the skip maps. */
  readonly skipNames: string[];
  readonly preprocessMode: PreprocessMode;
  private readonly plan: ResNetPlan;

  constructor(readonly arch: ResNetArch, readonly params: ParamStore, opts: ResNetEncoderOptions = {}) {
    this.plan = planResNet(arch);
    this.name = opts.name ?? arch.name;
    this.featureDim = this.plan.featureDim;
    this.inputSize = opts.inputSize ?? 224;
    this.skipChannels = this.plan.skipChannels.slice();
    this.skipNames = this.plan.skipNames.slice();
    this.preprocessMode = opts.preprocess ?? "unit";
  }

  get trainableVariables(): tf.Variable[] {
    return this.params.trainable();
  }

  /**
   * Preprocess and run the network with explicit options (BN training mode, skips, …). Used by the SSL
   * trainer and fine-tuning. Never disposes x.
   */
  forward(x: tf.Tensor4D, opts: ResNetForwardOptions = {}): ResNetForwardResult {
    this.check(x, "forward");
    const p = preprocess(x, this.preprocessMode);
    try {
      return resnetForward(this.params, this.arch, p, opts, this.plan);
    } finally {
      p.dispose();
    }
  }

  embed(x: tf.Tensor4D): tf.Tensor2D {
    return this.forward(x, { training: false }).features!;
  }

  skips(x: tf.Tensor4D): tf.Tensor4D[] {
    const r = this.forward(x, { training: false, skips: true });
    r.features?.dispose();
    return r.skips;
  }

  dispose(): void {
    this.params.dispose();
  }

  private check(x: tf.Tensor4D, fn: string): void {
    if (x.rank !== 4 || x.shape[3] !== 3) throw new Error(`${this.name}.${fn}: input must be [N,H,W,3], got [${x.shape}]`);
    if (x.shape[1] < 32 || x.shape[2] < 32) throw new Error(`${this.name}.${fn}: input ${x.shape[1]}×${x.shape[2]} is smaller than 32×32`);
  }
}

/**
 * Embed many images in batches (inference mode), returning [N, featureDim]. Never disposes `x`.
 * @param batchSize images per forward pass (default 32)
 */
export function embedInBatches(encoder: Encoder, x: tf.Tensor4D, batchSize = 32): tf.Tensor2D {
  const n = x.shape[0];
  if (n === 0) return tf.zeros([0, encoder.featureDim]);
  const parts: tf.Tensor2D[] = [];
  try {
    for (let i = 0; i < n; i += batchSize) {
      const b = Math.min(batchSize, n - i);
      parts.push(tf.tidy(() => encoder.embed(tf.slice(x, [i, 0, 0, 0], [b, -1, -1, -1]))));
    }
    return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
  } finally {
    if (parts.length > 1) parts.forEach((p) => p.dispose());
  }
}
