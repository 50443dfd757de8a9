/**
 * The logistic head's two matrix products on WebAssembly SIMD (source and build:
 * native/probe_simd/): logits = Z_rows·Wᵀ and gradient += Gᵀ·Z_rows, in float64, 2.5–2.7× the
 * plain-JavaScript loops ({@link JsWorkspace}, the fallback) on the same core. A workspace holds one fit's
 * basis Z in the module's memory; every objective evaluation of that fit (CV folds included) copies
 * only the weights in and the gradient out.
 *
 * Numbers differ from the JavaScript loops' in the last bits (another summation order), and are the
 * same on every machine (WebAssembly float64 arithmetic is IEEE without fused multiply-add).
 */
import { LOGISTIC_KERNELS_WASM } from "./logistic_kernels_wasm";

/**
 * The slice of the WebAssembly API used here, typed locally: tslab compiles with lib es2022 only,
 * which has no WebAssembly types (docs/ARCHITECTURE.md, tslab rules).
 */
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
/** A compiled module (opaque here). */
export type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (mod: WasmModule, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  memory: WasmMemory;
  logits(Z: number, rs: number, rows: number, nrows: number, W: number, P: number, out: number): void;
  gradient(Z: number, rs: number, rows: number, nrows: number, G: number, P: number, grad: number): void;
}

let compiled: WasmModule | null | undefined;

/** The compiled module, or null where this runtime has no WebAssembly SIMD (compiled once per thread). */
export function simdModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = new wasm.Module(Buffer.from(LOGISTIC_KERNELS_WASM, "base64"));
    } catch {
      compiled = null; // no SIMD (e.g. a CPU without SSE4.1): the JavaScript loops run instead
    }
  }
  return compiled;
}

/** Round up to a multiple of m. */
function roundUp(v: number, m: number): number {
  return Math.ceil(v / m) * m;
}

/**
 * One fit's basis Z with buffers for the two products every objective evaluation needs, in one
 * layout for both implementations ({@link LogisticWorkspace} on SIMD, {@link JsWorkspace} in plain
 * JavaScript), so the objective does not know which one runs.
 */
export interface ProductWorkspace {
  /** Row stride of Z, W and grad (r rounded up to even). */
  readonly rs: number;
  /** Classes in W, out, G and grad (P rounded up to even). */
  readonly Pp: number;
  /** Weights, Pp × rs: class c's weights at c·rs. Write the first P rows' first r entries. */
  readonly W: Float64Array;
  /** Logits of the last `logits` call, row q at q·Pp. */
  readonly out: Float64Array;
  /** Residuals for `gradient`, row q at q·Pp; entries past P stay 0. */
  readonly G: Float64Array;
  /** Gradient of the last `gradient` call, Pp × rs. */
  readonly grad: Float64Array;
  /** Load the row list of the next products; returns their row count (idx.length rounded up to 4, extra rows repeat idx[0]). */
  setRows(idx: ArrayLike<number>): number;
  /** out[q·Pp + c] = Σ_t Z[rows[q]]_t · W[c]_t for the m rows of setRows. */
  logits(m: number): void;
  /** grad = Σ_q G[q]·Z[rows[q]] (overwrites grad) for the m rows of setRows. */
  gradient(m: number): void;
}

/** Write rows idx (padded to a multiple of 4 with idx[0]) into `rows`; returns the padded count. */
function fillRows(rows: Int32Array, idx: ArrayLike<number>): number {
  const m = roundUp(idx.length, 4);
  for (let q = 0; q < m; q++) rows[q] = idx[q < idx.length ? q : 0];
  return m;
}

/**
 * One fit's basis in WebAssembly memory. Z's row stride `rs` and the class count `Pp` are rounded up
 * to even and the row count of a product to a multiple of 4 (the kernels' block sizes); the padding is
 * zero, so it adds nothing to any product.
 */
export class LogisticWorkspace implements ProductWorkspace {
  // Fields as documented on ProductWorkspace.
  readonly rs: number;
  readonly Pp: number;
  readonly W: Float64Array;
  readonly out: Float64Array;
  readonly G: Float64Array;
  readonly grad: Float64Array;
  private readonly rows: Int32Array;
  private readonly ex: KernelExports;
  private readonly at: { Z: number; W: number; out: number; G: number; grad: number; rows: number };

  /**
   * Copy Z (n × r, row-major) into a new module instance sized for products over up to n rows and
   * P classes. @throws RangeError when that exceeds what a WebAssembly memory can hold (4 GiB; use
   * {@link tryWorkspace} to fall back instead)
   */
  constructor(mod: WasmModule, Z: Float64Array, n: number, r: number, P: number) {
    this.ex = new wasm.Instance(mod, {}).exports as KernelExports;
    const rs = this.rs = roundUp(Math.max(1, r), 2), Pp = this.Pp = roundUp(P, 2), nr = roundUp(Math.max(1, n), 4);
    // Regions 16-byte aligned (v128 loads), in bytes.
    const sizes = { Z: n * rs * 8, W: Pp * rs * 8, out: nr * Pp * 8, G: nr * Pp * 8, grad: Pp * rs * 8, rows: nr * 4 };
    let off = 0;
    const at = {} as Record<keyof typeof sizes, number>;
    for (const k of Object.keys(sizes) as (keyof typeof sizes)[]) { at[k] = off; off = roundUp(off + sizes[k], 16); }
    this.at = at;
    const mem = this.ex.memory;
    const need = Math.ceil(off / 65536) - mem.buffer.byteLength / 65536;
    if (need > 0) mem.grow(need);
    const buf = mem.buffer;
    const Zw = new Float64Array(buf, at.Z, n * rs);
    for (let i = 0; i < n; i++) Zw.set(Z.subarray(i * r, i * r + r), i * rs);
    this.W = new Float64Array(buf, at.W, Pp * rs);
    this.out = new Float64Array(buf, at.out, nr * Pp);
    this.G = new Float64Array(buf, at.G, nr * Pp);
    this.grad = new Float64Array(buf, at.grad, Pp * rs);
    this.rows = new Int32Array(buf, at.rows, nr);
  }

  setRows(idx: ArrayLike<number>): number {
    return fillRows(this.rows, idx);
  }

  logits(m: number): void {
    this.ex.logits(this.at.Z, this.rs, this.at.rows, m, this.at.W, this.Pp, this.at.out);
  }

  gradient(m: number): void {
    this.grad.fill(0);
    this.ex.gradient(this.at.Z, this.rs, this.at.rows, m, this.at.G, this.Pp, this.at.grad);
  }
}

/**
 * The same products in plain JavaScript (where WebAssembly SIMD is missing, a fit is too large for a
 * WebAssembly memory, or `kernels: "js"` asks for it): blocks of 4 rows, so each weight or gradient
 * element loaded feeds 4 products.
 */
export class JsWorkspace implements ProductWorkspace {
  readonly rs: number;
  readonly Pp: number;
  readonly W: Float64Array;
  readonly out: Float64Array;
  readonly G: Float64Array;
  readonly grad: Float64Array;
  private readonly Z: Float64Array;
  private readonly rows: Int32Array;
  private readonly P: number;

  /** Copy Z (n × r, row-major) for products over up to n rows and P classes. */
  constructor(Z: Float64Array, n: number, r: number, P: number) {
    const rs = this.rs = roundUp(Math.max(1, r), 2), Pp = this.Pp = roundUp(P, 2), nr = roundUp(Math.max(1, n), 4);
    this.P = P;
    this.Z = new Float64Array(n * rs);
    for (let i = 0; i < n; i++) this.Z.set(Z.subarray(i * r, i * r + r), i * rs);
    this.W = new Float64Array(Pp * rs);
    this.out = new Float64Array(nr * Pp);
    this.G = new Float64Array(nr * Pp);
    this.grad = new Float64Array(Pp * rs);
    this.rows = new Int32Array(nr);
  }

  setRows(idx: ArrayLike<number>): number {
    return fillRows(this.rows, idx);
  }

  logits(m: number): void {
    const { Z, W, out, rows, rs, Pp, P } = this;
    for (let q = 0; q < m; q += 4) {
      const o0 = rows[q] * rs, o1 = rows[q + 1] * rs, o2 = rows[q + 2] * rs, o3 = rows[q + 3] * rs;
      for (let c = 0; c < P; c++) {
        const wo = c * rs;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let t = 0; t < rs; t++) {
          const w = W[wo + t];
          s0 += Z[o0 + t] * w; s1 += Z[o1 + t] * w; s2 += Z[o2 + t] * w; s3 += Z[o3 + t] * w;
        }
        out[q * Pp + c] = s0; out[(q + 1) * Pp + c] = s1; out[(q + 2) * Pp + c] = s2; out[(q + 3) * Pp + c] = s3;
      }
    }
  }

  gradient(m: number): void {
    const { Z, G, grad, rows, rs, Pp, P } = this;
    grad.fill(0);
    for (let q = 0; q < m; q += 4) {
      const o0 = rows[q] * rs, o1 = rows[q + 1] * rs, o2 = rows[q + 2] * rs, o3 = rows[q + 3] * rs;
      for (let c = 0; c < P; c++) {
        const wo = c * rs, g0 = G[q * Pp + c], g1 = G[(q + 1) * Pp + c], g2 = G[(q + 2) * Pp + c], g3 = G[(q + 3) * Pp + c];
        for (let t = 0; t < rs; t++) grad[wo + t] += g0 * Z[o0 + t] + g1 * Z[o1 + t] + g2 * Z[o2 + t] + g3 * Z[o3 + t];
      }
    }
  }
}

/** The SIMD workspace when `simd` and it is available and fits, else the JavaScript one. */
export function productWorkspace(Z: Float64Array, n: number, r: number, P: number, simd: boolean): ProductWorkspace {
  return (simd && tryWorkspace(Z, n, r, P)) || new JsWorkspace(Z, n, r, P);
}

/** A workspace, or null where the module is unavailable or the sizes do not fit a WebAssembly memory. */
export function tryWorkspace(Z: Float64Array, n: number, r: number, P: number): LogisticWorkspace | null {
  const mod = simdModule();
  if (!mod) return null;
  try {
    return new LogisticWorkspace(mod, Z, n, r, P);
  } catch (e) {
    if (e instanceof RangeError) return null; // memory.grow refused: the JavaScript loops run instead
    throw e;
  }
}

/** A·Bᵀ (n × m, row-major) for row-major A (n × k) and B (m × k): B plays the weights of a workspace over A. */
function productTransB(ws: ProductWorkspace, n: number, k: number, B: Float64Array, m: number): Float64Array {
  for (let j = 0; j < m; j++) ws.W.set(B.subarray(j * k, j * k + k), j * ws.rs);
  ws.logits(ws.setRows(Array.from({ length: n }, (_, i) => i)));
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) out.set(ws.out.subarray(i * ws.Pp, i * ws.Pp + m), i * m);
  return out;
}

/**
 * A·Bᵀ on the SIMD kernels, or null where the module is unavailable or the operands do not fit its
 * memory. Memory: (n + m)·k + n·m float64.
 */
export function simdMatmulTransB(A: Float64Array, n: number, k: number, B: Float64Array, m: number): Float64Array | null {
  if (n === 0 || m === 0) return null;
  const ws = tryWorkspace(A, n, k, m);
  return ws ? productTransB(ws, n, k, B, m) : null;
}

/** A·Bᵀ on the SIMD kernels when `simd` and they can, else in plain JavaScript. */
export function matmulTransB(A: Float64Array, n: number, k: number, B: Float64Array, m: number, simd: boolean): Float64Array {
  if (n === 0 || m === 0) return new Float64Array(n * m);
  return productTransB(productWorkspace(A, n, k, m, simd), n, k, B, m);
}
