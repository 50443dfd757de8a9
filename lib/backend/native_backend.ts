/**
 * The `native` TensorFlow.js backend: tensor data lives in ATen tensors held by the libtorch addon
 * (one integer handle per tfjs dataId, ref-counted like the cpu backend). String tensors stay in JS
 * (no ATen dtype); kernels that take them run through the cpu fallback.
 */
import * as tf from "@tensorflow/tfjs";
import { DTYPE_CODE, NativeAddon, NativeInfo } from "./native_addon";

type Values = tf.backend_util.BackendValues;

/** One dataId's record. */
interface NativeData {
  /** Addon handle; 0 for string tensors. */
  handle: number;
  dtype: tf.DataType;
  shape: number[];
  refCount: number;
  /** Encoded values of a string tensor. */
  strings?: Uint8Array[];
}

/** A tfjs input/output of an addon op. */
export type Info = tf.TensorInfo;

function typed(values: Values | null, dtype: tf.DataType, size: number): Float32Array | Int32Array | Uint8Array {
  if (values === null || values === undefined) {
    return dtype === "float32" ? new Float32Array(size) : dtype === "int32" ? new Int32Array(size) : new Uint8Array(size);
  }
  if (dtype === "float32") return values instanceof Float32Array ? values : new Float32Array(values as ArrayLike<number>);
  if (dtype === "int32") return values instanceof Int32Array ? values : new Int32Array(values as ArrayLike<number>);
  return values instanceof Uint8Array ? values : new Uint8Array(values as ArrayLike<number>);
}

/** tfjs `KernelBackend` over the addon. Construct through `initNative` (native_init.ts). */
export class NativeBackend extends tf.KernelBackend {
  readonly data: tf.DataStorage<NativeData>;
  private ids = 0;

  constructor(readonly addon: NativeAddon, readonly info: NativeInfo) {
    super();
    this.data = new tf.DataStorage(this, tf.engine());
  }

  /** Store `values` and return a new dataId. @throws for complex64 */
  override write(values: Values | null, shape: number[], dtype: tf.DataType): tf.DataId {
    const dataId = { id: this.ids++ };
    this.data.set(dataId, this.record(values, shape, dtype, 1));
    return dataId;
  }

  private record(values: Values | null, shape: number[], dtype: tf.DataType, refCount: number): NativeData {
    if (dtype === "string") return { handle: 0, dtype, shape, refCount, strings: (values ?? []) as Uint8Array[] };
    const code = DTYPE_CODE[dtype];
    if (code === undefined) throw new Error(`lib/backend/native_backend.ts: dtype ${dtype} is not supported by the native backend`);
    const size = shape.reduce((a, b) => a * b, 1);
    return { handle: this.addon.fromTyped(typed(values, dtype, size), shape, code), dtype, shape, refCount };
  }

  override move(dataId: tf.DataId, values: Values, shape: number[], dtype: tf.DataType, refCount: number): void {
    this.data.set(dataId, this.record(values, shape, dtype, refCount));
  }

  /** Wrap an addon handle (owned from now on) as a new dataId. */
  adopt(handle: number, shape: number[], dtype: tf.DataType): Info {
    const dataId = { id: this.ids++ };
    this.data.set(dataId, { handle, dtype, shape, refCount: 1 });
    return { dataId, shape, dtype };
  }

  /** The addon handle behind `t`. @throws for string tensors */
  handle(t: Info): number {
    const d = this.data.get(t.dataId);
    if (!d.handle) throw new Error(`lib/backend/native_backend.ts: a ${d.dtype} tensor has no ATen handle`);
    return d.handle;
  }

  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Values | string[]): Info {
    const v = dtype === "string" && values && values.length && typeof values[0] === "string"
      ? (values as string[]).map((s) => tf.util.encodeString(s)) : (values as Values | undefined) ?? null;
    return { dataId: this.write(v, shape, dtype), shape, dtype };
  }

  override refCount(dataId: tf.DataId): number {
    return this.data.has(dataId) ? this.data.get(dataId).refCount : 0;
  }

  override incRef(dataId: tf.DataId): void {
    this.data.get(dataId).refCount++;
  }

  decRef(dataId: tf.DataId): void {
    if (this.data.has(dataId)) this.data.get(dataId).refCount--;
  }

  override numDataIds(): number {
    return this.data.numDataIds();
  }

  override readSync(dataId: tf.DataId): Values {
    const d = this.data.get(dataId);
    if (d.dtype === "string") return d.strings ?? [];
    return this.addon.toTyped(d.handle);
  }

  override async read(dataId: tf.DataId): Promise<Values> {
    return this.readSync(dataId);
  }

  override disposeData(dataId: tf.DataId, force = false): boolean {
    if (!this.data.has(dataId)) return true;
    const d = this.data.get(dataId);
    d.refCount--;
    if (!force && d.refCount > 0) return false;
    if (d.handle) this.addon.free(d.handle);
    this.data.delete(dataId);
    return true;
  }

  disposeIntermediateTensorInfo(t: Info): void {
    this.disposeData(t.dataId);
  }

  override async time(f: () => void): Promise<tf.BackendTimingInfo> {
    const t0 = tf.util.now();
    f();
    this.addon.sync();
    return { kernelMs: tf.util.now() - t0 };
  }

  /** tfjs memory info plus the addon's live handle count and bytes (distinct ATen storages). */
  override memory(): { unreliable: boolean; reasons?: string[]; nativeTensors: number; nativeBytes: number } {
    const s = this.addon.stats();
    return { unreliable: false, nativeTensors: s.tensors, nativeBytes: s.bytes };
  }

  override floatPrecision(): 16 | 32 {
    return 32;
  }

  override dispose(): void {
    // Handles are freed tensor by tensor; the process owns the rest.
  }
}
