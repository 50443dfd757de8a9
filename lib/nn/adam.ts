/**
 * Adam (Kingma & Ba 2015) with Keras defaults (β₁ 0.9, β₂ 0.999, ε 1e-7), its moments in a ParamStore
 * so they are checkpointed with the model and a resumed run continues exactly:
 *   m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  w ← w − lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε)
 * (the ε placement of tf.keras / tfjs `AdamOptimizer`). The step count t is the caller's to store.
 */
import * as tf from "@tensorflow/tfjs";
import { ParamStore } from "./params";

/** Options of {@link Adam}. Defaults are Keras': β₁ 0.9, β₂ 0.999, ε 1e-7. */
export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** Adam over a fixed list of named variables. */
export class Adam {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Moments `m/<name>` and `v/<name>` (kind "state"). */
  readonly state: ParamStore;
  /** Updates applied so far (restore it on resume). */
  step = 0;

  /** @throws when a β is outside [0, 1) or ε ≤ 0 */
  constructor(private readonly vars: Map<string, tf.Variable>, opts: AdamOptions = {}) {
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-7;
    for (const [k, b] of [["beta1", this.beta1], ["beta2", this.beta2]] as const) {
      if (!(b >= 0 && b < 1)) throw new Error(`Adam: ${k} must be in [0, 1), got ${b}`);
    }
    if (!(this.epsilon > 0)) throw new Error(`Adam: epsilon must be > 0, got ${this.epsilon}`);
    this.state = new ParamStore("adam");
    for (const [name, v] of vars) {
      const z = tf.zerosLike(v);
      this.state.add(`m/${name}`, z, "state");
      this.state.add(`v/${name}`, z, "state");
      z.dispose();
    }
  }

  /** One update with learning rate `lr`; `grads` by variable name (missing ones are skipped). Does not dispose `grads`. */
  apply(grads: Map<string, tf.Tensor>, lr: number): void {
    this.step++;
    const t = this.step;
    const alpha = (lr * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    tf.tidy(() => {
      for (const [name, w] of this.vars) {
        const g = grads.get(name);
        if (!g) continue;
        const m = this.state.get(`m/${name}`), v = this.state.get(`v/${name}`);
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        w.assign(tf.sub(w, tf.mul(tf.div(m, tf.add(tf.sqrt(v), this.epsilon)), alpha)));
      }
    });
  }

  dispose(): void {
    this.state.dispose();
  }
}
