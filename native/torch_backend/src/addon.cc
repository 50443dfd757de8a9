// nanomorph native backend, the N-API module: the JS entry points over the handle table (handles.h)
// and the op table (common.h). Every C++ exception becomes a JS Error: ops name themselves and their
// inputs (ops.cc runOp), the other entry points name themselves ("native fromTyped: ...").
// Built as one translation unit with every other .cc file of this folder (unity.cc; build.js).
#include "allocator.h"
#include "blas.h"
#include "common.h"
#include "handles.h"
#include "layout.h"

#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>

#include <cstring>

#ifndef NM_TORCH_VERSION
#define NM_TORCH_VERSION "unknown"
#endif

namespace nm {
namespace {

Napi::Value Throw(Napi::Env env, const char* entry, const std::string& what) {
  // runOp's messages already start with "native op ..."
  const std::string msg = what.rfind("native op ", 0) == 0 ? what : std::string("native ") + entry + ": " + what;
  Napi::Error::New(env, msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

#define GUARD_BEGIN try {
#define GUARD_END(entry) } catch (const c10::Error& e) { return Throw(info.Env(), entry, e.what_without_backtrace()); } \
  catch (const std::exception& e) { return Throw(info.Env(), entry, e.what()); }

// fromTyped(typedArray, shape: number[], dtypeCode) -> handle
Napi::Value FromTyped(const Napi::CallbackInfo& info) {
  GUARD_BEGIN
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  Napi::Array sh = info[1].As<Napi::Array>();
  Ints shape(sh.Length());
  for (uint32_t j = 0; j < sh.Length(); ++j) shape[j] = sh.Get(j).As<Napi::Number>().Int64Value();
  const at::ScalarType st = scalarOf(info[2].As<Napi::Number>().Int32Value());
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(st));
  const size_t bytes = t.nbytes();
  if (ta.ByteLength() != bytes) {
    throw std::runtime_error("typed array has " + std::to_string(ta.ByteLength()) + " bytes, shape needs " + std::to_string(bytes));
  }
  if (bytes) std::memcpy(t.data_ptr(), static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), bytes);
  if (currentDevice() != at::Device(at::kCPU)) t = t.to(currentDevice());
  return Napi::Number::New(info.Env(), static_cast<double>(putTensor(std::move(t))));
  GUARD_END("fromTyped")
}

// toTyped(handle) -> Float32Array | Int32Array | Uint8Array (bool), a copy in row-major order
Napi::Value ToTyped(const Napi::CallbackInfo& info) {
  GUARD_BEGIN
  at::Tensor t = getTensor(info[0].As<Napi::Number>().Int64Value()).to(at::kCPU).contiguous();
  const int code = codeOf(t.scalar_type());
  const size_t n = static_cast<size_t>(t.numel());
  Napi::Env env = info.Env();
  if (code == 0) { auto a = Napi::Float32Array::New(env, n); if (n) std::memcpy(a.Data(), t.data_ptr(), n * 4); return a; }
  if (code == 1) { auto a = Napi::Int32Array::New(env, n); if (n) std::memcpy(a.Data(), t.data_ptr(), n * 4); return a; }
  auto a = Napi::Uint8Array::New(env, n);
  if (n) std::memcpy(a.Data(), t.data_ptr(), n);
  return a;
  GUARD_END("toTyped")
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  freeTensor(info[0].As<Napi::Number>().Int64Value());
  return info.Env().Undefined();
}

// op(name, handles[], attrs, outDtypeCode | -1) -> [n, id1, rank1, dims1..., id2, ...]
Napi::Value Op(const Napi::CallbackInfo& info) {
  GUARD_BEGIN
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  Napi::Array ids = info[1].As<Napi::Array>();
  Tensors in;
  in.reserve(ids.Length());
  for (uint32_t j = 0; j < ids.Length(); ++j) {
    try {
      in.push_back(getTensor(ids.Get(j).As<Napi::Number>().Int64Value()));
    } catch (const std::exception& e) {
      throw std::runtime_error("native op " + name + ": input " + std::to_string(j) + ": " + e.what());
    }
  }
  Attrs attrs{info[2].IsObject() ? info[2].As<Napi::Object>() : Napi::Object::New(info.Env())};
  const int out = info.Length() > 3 ? info[3].As<Napi::Number>().Int32Value() : -1;
  Tensors res = runOp(name, in, attrs, out);
  uint32_t size = 1;
  for (auto& r : res) size += 2 + static_cast<uint32_t>(r.dim());
  Napi::Array result = Napi::Array::New(info.Env(), size);
  uint32_t k = 0;
  result.Set(k++, static_cast<double>(res.size()));
  for (auto& r : res) {
    result.Set(k++, static_cast<double>(putTensor(r)));
    result.Set(k++, static_cast<double>(r.dim()));
    for (auto s : r.sizes()) result.Set(k++, static_cast<double>(s));
  }
  return result;
  GUARD_END("op")
}

// stats() -> {tensors, bytes, cachedBytes}: live handles, the bytes of their distinct storages, and
// the bytes the caching allocator holds for reuse.
Napi::Value Stats(const Napi::CallbackInfo& info) {
  const TableStats s = tableStats();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("tensors", s.tensors);
  o.Set("bytes", s.bytes);
  o.Set("cachedBytes", static_cast<double>(cachedBytes()));
  return o;
}

// init({device: "cpu"|"cuda"|"mps", threads, cacheMb}) -> info object. Threads, the allocator and the
// BLAS pinning are set once per process.
Napi::Value Init(const Napi::CallbackInfo& info) {
  GUARD_BEGIN
  Napi::Object opt = info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(info.Env());
  const std::string dev = opt.Has("device") ? opt.Get("device").As<Napi::String>().Utf8Value() : "cpu";
  if (dev == "cuda") {
    if (!at::hasCUDA()) throw std::runtime_error("this libtorch has no usable CUDA device");
    setCurrentDevice(at::Device(at::kCUDA, 0));
  } else if (dev == "mps") {
    if (!at::hasMPS()) throw std::runtime_error("this libtorch has no usable MPS device");
    setCurrentDevice(at::Device(at::kMPS, 0));
  } else if (dev == "cpu") {
    setCurrentDevice(at::Device(at::kCPU));
  } else {
    throw std::runtime_error("unknown device '" + dev + "' (cpu, cuda or mps)");
  }
  installCachingAllocator(opt.Has("cacheMb") ? opt.Get("cacheMb").As<Napi::Number>().Int64Value() : -1);
  static int threads = 0;
  if (opt.Has("threads") && threads == 0) {
    threads = opt.Get("threads").As<Napi::Number>().Int32Value();
    if (threads > 0) at::set_num_threads(threads);
  }
  static const std::string blas = pinPthreadBlas();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("torch", NM_TORCH_VERSION);
  o.Set("device", currentDevice().str());
  o.Set("threads", at::get_num_threads());
  o.Set("blas", blas);
  o.Set("cuda", at::hasCUDA());
  o.Set("cudaDevices", static_cast<double>(at::hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0));
  o.Set("mps", at::hasMPS());
  o.Set("mkldnn", at::hasMKLDNN());
  o.Set("cachingAllocator", cachingAllocatorBuilt());
  Napi::Array names = Napi::Array::New(info.Env());
  uint32_t k = 0;
  for (auto& n : ops().names()) names.Set(k++, n);
  o.Set("ops", names);
  return o;
  GUARD_END("init")
}

// trim(): drop the filter conversions and hand the allocator's cached blocks back to the system.
Napi::Value Trim(const Napi::CallbackInfo& info) {
  clearFilterCache();
  trimAllocator();
  return info.Env().Undefined();
}

// sync(): wait for queued device work (CUDA) so timings and reads are complete.
Napi::Value Sync(const Napi::CallbackInfo& info) {
  GUARD_BEGIN
  if (currentDevice().is_cuda()) at::detail::getCUDAHooks().deviceSynchronize(0);
  return info.Env().Undefined();
  GUARD_END("sync")
}

}  // namespace

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New(env, Init));
  exports.Set("fromTyped", Napi::Function::New(env, FromTyped));
  exports.Set("toTyped", Napi::Function::New(env, ToTyped));
  exports.Set("free", Napi::Function::New(env, Free));
  exports.Set("op", Napi::Function::New(env, Op));
  exports.Set("stats", Napi::Function::New(env, Stats));
  exports.Set("sync", Napi::Function::New(env, Sync));
  exports.Set("trim", Napi::Function::New(env, Trim));
  return exports;
}

}  // namespace nm

using nm::InitModule;  // NODE_API_MODULE pastes the name into an identifier: no '::' there
NODE_API_MODULE(nanomorph_torch, InitModule)
