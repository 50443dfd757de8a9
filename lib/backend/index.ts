/**
 * Backend selection: `initBackend()` picks native (libtorch addon) on CUDA/MPS > tfjs-node-gpu >
 * native on CPU > tfjs-node > wasm (threaded) > cpu once per process, registers the training kernels,
 * and logs the choice and reason once to stderr (silence with NANOMORPH_QUIET=1).
 * `NANOMORPH_BACKEND=native|native-cuda|native-mps|native-cpu|node-gpu|node|wasm|cpu` forces one (the
 * CLI's `--backend` sets it); `NANOMORPH_THREADS=n` sets ATen threads on native (default: cores); `NANOMORPH_WASM_THREADS=n` sets wasm threads (default: cores; 1 disables);
 * `NANOMORPH_WASM_INIT_TIMEOUT_MS` bounds the threaded init (default 60000, then one thread).
 */
export * from "./types";
export { initBackend, backendOrder } from "./init";
export { backendReport, BackendReport } from "./report";
export { registerTrainingKernels, KernelRegistration } from "./training_kernels";
export { conv2dFilterGrad, ConvFilterGradAttrs } from "./conv_backprop_filter";
export { conv2dInputGrad, ConvInputGradAttrs } from "./conv_backprop_input";
export { wantedWasmThreads } from "./wasm_init";
export { WASM_SHIM_VERSION } from "./wasm_threads";
export { nativeStatus, NativeStatus } from "./native_status";
export { kernelUse, KernelUse } from "./kernel_use";
