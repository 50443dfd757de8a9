/**
 * A floor under the bench CNN's times (bench/models/small_resnet.ts): only its convolutions, with the
 * same shapes, on the selected backend, next to the same PyTorch peer as the whole model. Their ratio
 * is the best the whole model could reach on this backend if everything else (batch norm, ReLU,
 * pooling, adds, the optimizer, tape bookkeeping) cost nothing.
 *  - forward: the 12 fused convs of inference (BN folded: conv + bias + ReLU);
 *  - train: per conv, the forward conv, the input gradient (not for the stem) and the filter gradient,
 *    through the kernels registered for training (lib/backend: composed Conv2DBackpropFilter/Input).
 */
import * as tf from "@tensorflow/tfjs";
import { Workload, WorkloadRunner, PeerSpec } from "../workload";
import { STAGE_CHANNELS } from "../models/small_resnet";
import { torchUnavailable } from "./small_resnet";
import { conv2dFilterGrad, conv2dInputGrad } from "../../lib/backend/index";

const BATCH = 32;

/** One conv of the bench CNN: input size, kernel, channels. */
interface ConvShape { size: number; k: number; cin: number; cout: number }

/** The convs of the bench CNN in forward order (stem, then per stage a, b and the 1×1 projection). */
export function smallResNetConvs(): ConvShape[] {
  const out: ConvShape[] = [{ size: 64, k: 3, cin: 3, cout: STAGE_CHANNELS[0] }];
  let cin = STAGE_CHANNELS[0], size = 64;
  STAGE_CHANNELS.forEach((c, i) => {
    if (i > 0) size /= 2;
    out.push({ size, k: 3, cin, cout: c }, { size, k: 3, cin: c, cout: c });
    if (cin !== c) out.push({ size, k: 1, cin, cout: c });
    cin = c;
  });
  return out;
}

interface Prepared { x: tf.Tensor4D; w: tf.Tensor4D; b: tf.Tensor1D; dy: tf.Tensor4D; s: ConvShape }

function prepare(): Prepared[] {
  // No tidy needed: every tensor made here is kept and freed by disposeAll.
  return smallResNetConvs().map((s, i) => ({
    s,
    x: tf.randomNormal([BATCH, s.size, s.size, s.cin], 0, 1, "float32", 3 * i) as tf.Tensor4D,
    w: tf.randomNormal([s.k, s.k, s.cin, s.cout], 0, 0.1, "float32", 3 * i + 1) as tf.Tensor4D,
    b: tf.zeros([s.cout]) as tf.Tensor1D,
    dy: tf.randomNormal([BATCH, s.size, s.size, s.cout], 0, 1, "float32", 3 * i + 2) as tf.Tensor4D,
  }));
}

function peer(mode: "train" | "forward"): PeerSpec {
  return {
    name: "pytorch-cpu-2threads (whole model)",
    command: ["/usr/bin/python3", "bench/peers/small_resnet.py", "--mode", mode, "--threads", "2", "--batch", String(BATCH)],
    unavailable: torchUnavailable,
    warmup: 8,
  };
}

function disposeAll(p: Prepared[]): void {
  tf.dispose(p.flatMap((q) => [q.x, q.w, q.b, q.dy]));
}

/** The two workloads of this module. */
export const workloads: Workload[] = [
  {
    name: "small-resnet-forward-convs-only",
    description: `the 12 fused convs (conv + bias + ReLU) of the bench CNN's inference pass alone, batch ${BATCH}; peer: PyTorch's whole forward`,
    setup(): WorkloadRunner {
      const p = prepare();
      return {
        run() {
          const outs = p.map((q) => tf.fused.conv2d({ x: q.x, filter: q.w, strides: 1, pad: "same", bias: q.b, activation: "relu" }));
          outs[outs.length - 1].dataSync(); // wasm and tfjs-node run ops synchronously: the others are done too
          tf.dispose(outs);
        },
        dispose() { disposeAll(p); },
      };
    },
    peer: peer("forward"),
  },
  {
    name: "small-resnet-train-convs-only",
    description: `the bench CNN's convs in a training step alone (forward, input and filter gradients), batch ${BATCH}; peer: PyTorch's whole step`,
    setup(): WorkloadRunner {
      const p = prepare();
      return {
        run() {
          const outs = p.flatMap((q, i) => {
            const y = tf.conv2d(q.x, q.w, 1, "same");
            const dw = conv2dFilterGrad(q.x, q.dy, { strides: 1, pad: "same", dataFormat: "NHWC", filterShape: q.w.shape });
            const dx = i === 0 ? [] : [conv2dInputGrad(q.dy, q.w, { strides: 1, pad: "same", dataFormat: "NHWC", inputShape: q.x.shape })];
            return [y, dw, ...dx];
          });
          outs[outs.length - 1].dataSync(); // wasm and tfjs-node run ops synchronously: the others are done too
          tf.dispose(outs);
        },
        dispose() { disposeAll(p); },
      };
    },
    peer: peer("train"),
  },
];
