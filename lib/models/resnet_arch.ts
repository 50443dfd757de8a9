/**
 * ResNet architecture descriptions and the tf.keras weight names they produce.
 *
 * Layer names follow `tf.keras.applications.ResNet50` (`conv1_conv`, `conv1_bn`, `conv{s}_block{b}_{k}_conv`,
 * `conv{s}_block{b}_{k}_bn`, with `k = 0` for the projection shortcut), so authors' `.h5` files and the
 * U-Net skip names (`conv1_relu`, `conv2_block3_out`, … `conv5_block3_out`) match.
 */

/** Residual block type: bottleneck (1×1, 3×3, 1×1; ResNet50) or basic (3×3, 3×3; ResNet18). */
export type BlockType = "bottleneck" | "basic";

/** A ResNet, described by stage widths and block counts. Stages are named conv2 … conv5. */
export interface ResNetArch {
  /** Short name, also the encoder name. */
  name: string;
  block: BlockType;
  /** Stem: conv kernel size (7 for ResNet50/18, 3 for the narrow CI net). */
  stemKernel: number;
  /** Stem conv output channels. */
  stemWidth: number;
  /** Max-pool 3×3/2 after the stem (true for ResNet50/18). Without it, stage conv2 strides by 2 itself. */
  stemPool: boolean;
  /** Inner width of each of the 4 stages. */
  widths: [number, number, number, number];
  /** Number of blocks per stage. */
  blocks: [number, number, number, number];
  /** Output channels = width × expansion (4 for bottleneck, 1 for basic). */
  expansion: number;
  /** Convolutions carry a bias (true in Keras ResNet50; false for the small nets, which BN follows). */
  convBias: boolean;
  /** BatchNorm epsilon (tf.keras ResNet50: 1.001e-5). */
  bnEpsilon: number;
}

/** Keras ResNet50 (include_top=False): bottleneck blocks [3, 4, 6, 3], output 2048 channels. */
export const RESNET50: ResNetArch = {
  name: "resnet50", block: "bottleneck", stemKernel: 7, stemWidth: 64, stemPool: true,
  widths: [64, 128, 256, 512], blocks: [3, 4, 6, 3], expansion: 4, convBias: true, bnEpsilon: 1.001e-5,
};

/** ResNet-18 (He et al. 2016): basic blocks [2, 2, 2, 2], output 512 channels. */
export const RESNET18: ResNetArch = {
  name: "resnet18", block: "basic", stemKernel: 7, stemWidth: 64, stemPool: true,
  widths: [64, 128, 256, 512], blocks: [2, 2, 2, 2], expansion: 1, convBias: false, bnEpsilon: 1e-3,
};

/**
 * Narrow ResNet for CPU/CI runs: 3×3 stem (16 channels, stride 2), no max-pool, one basic block per stage
 * (16/32/64/128 channels, each stage strides by 2). 9 convolutions + 3 projection shortcuts; output 128.
 */
export const RESNET8: ResNetArch = {
  name: "resnet8", block: "basic", stemKernel: 3, stemWidth: 16, stemPool: false,
  widths: [16, 32, 64, 128], blocks: [1, 1, 1, 1], expansion: 1, convBias: false, bnEpsilon: 1e-3,
};

/** Architectures by name. */
export const ARCHS: Readonly<Record<string, ResNetArch>> = { resnet50: RESNET50, resnet18: RESNET18, resnet8: RESNET8 };

/** One convolution (+ its BN) in the network. */
export interface ConvSpec {
  /** Layer name prefix, e.g. `conv3_block1_1` (weights `<prefix>_conv/kernel`, `<prefix>_bn/gamma` …). */
  prefix: string;
  kernel: number;
  stride: number;
  inChannels: number;
  outChannels: number;
}

/** One residual block: its convs in order and the optional projection shortcut. */
export interface BlockSpec {
  /** e.g. `conv3_block1`; its output is named `<name>_out`. */
  name: string;
  convs: ConvSpec[];
  shortcut: ConvSpec | null;
}

/** The full layer plan of an architecture. */
export interface ResNetPlan {
  stem: ConvSpec;
  /** 4 stages of blocks. */
  stages: BlockSpec[][];
  /** Channels of the 5 skip maps (stem, conv2 … conv5 outputs). */
  skipChannels: number[];
  /** Names of the 5 skip maps (tf.keras layer names). */
  skipNames: string[];
  featureDim: number;
}

/** Expand an architecture into its layer plan (names, kernels, strides, channels). */
export function planResNet(arch: ResNetArch): ResNetPlan {
  const stem: ConvSpec = { prefix: "conv1", kernel: arch.stemKernel, stride: 2, inChannels: 3, outChannels: arch.stemWidth };
  const stages: BlockSpec[][] = [];
  const skipNames = ["conv1_relu"];
  const skipChannels = [arch.stemWidth];
  let cin = arch.stemWidth;
  for (let s = 0; s < 4; s++) {
    const width = arch.widths[s];
    const cout = width * arch.expansion;
    const blocks: BlockSpec[] = [];
    for (let b = 0; b < arch.blocks[s]; b++) {
      const name = `conv${s + 2}_block${b + 1}`;
      // The first block of a stage downsamples (stage conv2 only when there is no max-pool).
      const stride = b === 0 && (s > 0 || !arch.stemPool) ? 2 : 1;
      const convs: ConvSpec[] = arch.block === "bottleneck"
        ? [
          { prefix: `${name}_1`, kernel: 1, stride, inChannels: cin, outChannels: width },
          { prefix: `${name}_2`, kernel: 3, stride: 1, inChannels: width, outChannels: width },
          { prefix: `${name}_3`, kernel: 1, stride: 1, inChannels: width, outChannels: cout },
        ]
        : [
          { prefix: `${name}_1`, kernel: 3, stride, inChannels: cin, outChannels: width },
          { prefix: `${name}_2`, kernel: 3, stride: 1, inChannels: width, outChannels: cout },
        ];
      const shortcut = b === 0 && (stride !== 1 || cin !== cout)
        ? { prefix: `${name}_0`, kernel: 1, stride, inChannels: cin, outChannels: cout }
        : null;
      blocks.push({ name, convs, shortcut });
      cin = cout;
    }
    stages.push(blocks);
    skipNames.push(`conv${s + 2}_block${arch.blocks[s]}_out`);
    skipChannels.push(cin);
  }
  return { stem, stages, skipChannels, skipNames, featureDim: cin };
}

/** Every conv spec of a plan, stem first, in forward order (shortcut before the block's convs). */
export function allConvs(plan: ResNetPlan): ConvSpec[] {
  const out = [plan.stem];
  for (const stage of plan.stages) {
    for (const b of stage) {
      if (b.shortcut) out.push(b.shortcut);
      out.push(...b.convs);
    }
  }
  return out;
}
