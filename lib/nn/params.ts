/**
 * A named store of model variables: the one representation of weights used by encoders, heads,
 * checkpoints and the `.h5` importer. Names follow tf.keras (`conv2_block1_1_conv/kernel`,
 * `conv2_block1_1_bn/moving_mean`), so they line up with Keras weight files.
 */
import * as tf from "@tensorflow/tfjs";

/** A variable's role: trained by the optimiser, or state updated otherwise (BN moving statistics). */
export type ParamKind = "trainable" | "state";

/** Ordered map from tf.keras-style weight name to a tf.Variable. */
export class ParamStore {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly kinds = new Map<string, ParamKind>();

  /** @param owner used in error messages (e.g. "resnet50") */
  constructor(readonly owner: string) {}

  /**
   * Add a variable holding `value` (the store takes ownership of `value`'s data via tf.variable; the
   * caller may dispose `value` afterwards). Throws when the name exists.
   */
  add(name: string, value: tf.Tensor, kind: ParamKind = "trainable"): tf.Variable {
    if (this.vars.has(name)) throw new Error(`ParamStore(${this.owner}).add: duplicate weight name '${name}'`);
    const v = tf.variable(value, kind === "trainable", `${this.owner}/${name}/${nextId++}`);
    this.vars.set(name, v);
    this.kinds.set(name, kind);
    return v;
  }

  /** The variable called `name`; throws naming the store and the missing weight. */
  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`ParamStore(${this.owner}): no weight named '${name}'`);
    return v;
  }

  /** True when a weight of that name exists. */
  has(name: string): boolean {
    return this.vars.has(name);
  }

  /** All weight names, in insertion order. */
  names(): string[] {
    return [...this.vars.keys()];
  }

  /** The kind of weight `name`. */
  kind(name: string): ParamKind {
    const k = this.kinds.get(name);
    if (!k) throw new Error(`ParamStore(${this.owner}): no weight named '${name}'`);
    return k;
  }

  /** Trainable variables, in insertion order. */
  trainable(): tf.Variable[] {
    return this.names().filter((n) => this.kinds.get(n) === "trainable").map((n) => this.vars.get(n)!);
  }

  /** [name, variable] pairs in insertion order. */
  entries(): [string, tf.Variable][] {
    return [...this.vars.entries()];
  }

  /** Total number of scalars held. */
  size(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  /**
   * Overwrite weight `name` with `value` (same shape required; the caller keeps ownership of `value`).
   * @throws when the weight is unknown or the shape differs
   */
  assign(name: string, value: tf.Tensor): void {
    const v = this.get(name);
    if (!tf.util.arraysEqual(v.shape, value.shape)) {
      throw new Error(`ParamStore(${this.owner}).assign: '${name}' has shape [${v.shape}], value has [${value.shape}]`);
    }
    v.assign(value.dtype === v.dtype ? value : tf.cast(value, v.dtype));
  }

  /** Dispose every variable. */
  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
    this.kinds.clear();
  }
}

let nextId = 0;
