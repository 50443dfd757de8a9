/**
 * Plain SGD with optional (heavy-ball) momentum, Keras semantics: v ← m·v − lr·g; w ← w + v
 * (m = 0: w ← w − lr·g). The paper uses Keras `SGD` (momentum 0). Velocities live in a ParamStore so they
 * are checkpointed with the model for an exact resume.
 */
import * as tf from "@tensorflow/tfjs";
import { ParamStore } from "../nn/params";

/** Options of {@link Sgd}. */
export interface SgdOptions {
  /** Momentum (default 0, Keras' SGD default and the paper's). */
  momentum?: number;
}

/** SGD over a fixed list of named variables. */
export class Sgd {
  readonly momentum: number;
  /** Optimiser state (velocities, named like the variables); empty when momentum = 0. */
  readonly state: ParamStore;

  /**
   * @param vars the variables to update, by a stable name (used for the state and checkpoints)
   * @throws when momentum is outside [0, 1)
   */
  constructor(private readonly vars: Map<string, tf.Variable>, opts: SgdOptions = {}) {
    this.momentum = opts.momentum ?? 0;
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new Error(`Sgd: momentum must be in [0, 1), got ${this.momentum}`);
    this.state = new ParamStore("sgd");
    if (this.momentum > 0) {
      for (const [name, v] of vars) {
        const z = tf.zerosLike(v);
        this.state.add(name, z, "state");
        z.dispose();
      }
    }
  }

  /**
   * Apply one update with learning rate `lr`. `grads` maps variable names (as given to the constructor)
   * to gradients; a variable without a gradient is left as is. Does not dispose `grads`.
   */
  apply(grads: Map<string, tf.Tensor>, lr: number): void {
    tf.tidy(() => {
      for (const [name, v] of this.vars) {
        const g = grads.get(name);
        if (!g) continue;
        if (this.momentum > 0) {
          const vel = this.state.get(name);
          vel.assign(tf.sub(tf.mul(vel, this.momentum), tf.mul(g, lr)));
          v.assign(tf.add(v, vel));
        } else {
          v.assign(tf.sub(v, tf.mul(g, lr)));
        }
      }
    });
  }

  dispose(): void {
    this.state.dispose();
  }
}
