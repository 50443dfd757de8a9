/**
 * `tf.variableGrads` with PyTorch's memory behaviour: the backward pass frees what it has used.
 *
 * Why: tfjs-core's backprop (tape.ts `backpropagateGradients`) keeps every intermediate gradient and
 * every tensor a tape entry saved for its backward pass until the whole backward pass ends, so a step
 * peaks at all forward activations plus all their gradients. Measured on a ResNet50 SimCLR step
 * (224², native backend): ~236 MB per image against PyTorch's ~82 MB; batch 32 needed ~16 GB. Here the
 * tape is walked the same way (reverse order, same gradient functions, same accumulation order, so the
 * numbers are bit-identical: test/nn.variable_grads.spec.ts), but once a tape entry's gradient has run,
 * the gradients of its outputs (complete by then: every consumer comes later on the tape) and its saved
 * tensors are released. The peak becomes the forward activations plus a few gradients in flight.
 *
 * It drives tfjs's engine through members that are public in JavaScript but undocumented (`state`,
 * `startTape`, `endTape`, `scopedRun`, `tidy`, tape nodes' `gradient`/`saved`; tfjs 4.x). Nested
 * gradients (a tape already recording) fall back to `tf.variableGrads`.
 */
import * as tf from "@tensorflow/tfjs";

/** The parts of a tfjs-core tape node this walk uses. */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

/** The parts of tfjs-core's Engine this walk uses. */
interface EngineInternals {
  state: { gradientDepth: number; activeTape: TapeNode[] | null };
  startTape(): void;
  endTape(): void;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  tidy<T extends tf.TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T;
}

/**
 * The tape entries on a path from one of `xs` to `y`, in tape order, with inputs not depending on any
 * x pruned (they get no gradient), as tfjs-core's getFilteredNodesXToY.
 */
function nodesFromXToY(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodeFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      for (const o of node.outputs) fromX.add(o.id);
      nodeFromX.add(node.id);
    }
  }
  const toY = new Set<number>([y.id]);
  const nodeToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((o) => toY.has(o.id))) {
      for (const t of Object.values(node.inputs)) toY.add(t.id);
      nodeToY.add(node.id);
    }
  }
  const out: TapeNode[] = [];
  for (const node of tape) {
    if (!nodeFromX.has(node.id) || !nodeToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(node.inputs)) if (fromX.has(t.id)) inputs[name] = t;
    out.push({ ...node, inputs });
  }
  return out;
}

/**
 * Loss value and gradients of `f` (a scalar) with respect to the trainable variables in `varList`
 * (default: all trainable variables), as `tf.variableGrads`, freeing memory during the backward pass.
 * @returns `{ value, grads }`, grads keyed by variable name; variables `f` does not depend on are absent
 * @throws when `f` does not return a scalar, or a gradient has the wrong dtype or shape (tfjs's messages)
 */
export function variableGrads(f: () => tf.Scalar, varList?: tf.Variable[]): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.state.gradientDepth > 0) return tf.variableGrads(f, varList);
  const vars = (varList ?? Object.values((tf.engine() as unknown as { registeredVariables: Record<string, tf.Variable> }).registeredVariables))
    .filter((v) => v.trainable);
  if (vars.length === 0) throw new Error("lib/nn/variable_grads.ts: no trainable variables to differentiate (all are frozen or the list is empty)");
  const y = engine.scopedRun(() => engine.startTape(), () => engine.endTape(), () => engine.tidy("forward", f));
  if (!(y instanceof tf.Tensor) || y.rank !== 0) {
    throw new Error(`lib/nn/variable_grads.ts: f must return a scalar tensor, got ${y instanceof tf.Tensor ? `rank ${(y as tf.Tensor).rank}` : typeof y}`);
  }
  const tape = engine.state.activeTape ?? [];
  const nodes = nodesFromXToY(tape, vars, y);
  const result = engine.tidy("backward", () => {
    const acc = new Map<number, tf.Tensor>([[y.id, tf.onesLike(y)]]);
    const wanted = new Set(vars.map((v) => v.id));
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      if (!node.gradient) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
      const dys = node.outputs.map((o) => acc.get(o.id) ?? null);
      const inputGrads = node.gradient(dys);
      const made: tf.Tensor[] = [];
      for (const name of Object.keys(node.inputs)) {
        if (!(name in inputGrads)) throw new Error(`Cannot backprop through input ${name}. Available gradients found: ${Object.keys(inputGrads)}.`);
        const dx = engine.tidy(() => inputGrads[name]());
        const x = node.inputs[name];
        if (dx.dtype !== "float32") throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`);
        if (!tf.util.arraysEqual(dx.shape, x.shape)) throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`);
        made.push(dx);
        const cur = acc.get(x.id);
        if (cur === undefined) acc.set(x.id, dx);
        else {
          acc.set(x.id, tf.add(cur, dx));
          cur.dispose();
        }
      }
      // This entry's output gradients are complete and now used; its saved tensors too.
      for (const o of node.outputs) {
        const g = acc.get(o.id);
        if (g === undefined || wanted.has(o.id)) continue;
        acc.delete(o.id);
        // A gradient function may hand its dy through unchanged: then it lives on as an input's gradient.
        if (![...acc.values()].includes(g) && !made.includes(g)) g.dispose();
      }
      for (const t of node.saved ?? []) t.dispose();
    }
    const grads: tf.NamedTensorMap = {};
    for (const v of vars) {
      const g = acc.get(v.id);
      if (g) grads[v.name] = g;
    }
    return { value: y, grads };
  });
  // As tfjs: with no outer tape, release every entry's saved tensors (those off the x→y paths too).
  if (engine.state.gradientDepth === 0 && engine.state.activeTape) {
    for (const node of engine.state.activeTape) for (const t of node.saved ?? []) t.dispose();
    engine.state.activeTape = null;
  }
  return result as { value: tf.Scalar; grads: tf.NamedTensorMap };
}
