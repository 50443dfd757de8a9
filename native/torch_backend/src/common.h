// What every op family shares: the inputs an op receives (ATen tensors in the tfjs shape, attributes
// on a plain JS object), the op table the families register into, and the declarations of each
// family's registration function. Included by every .cc file of the addon.
#pragma once

#include <napi.h>
#include <ATen/ATen.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace nm {

using Tensors = std::vector<at::Tensor>;
using Ints = std::vector<int64_t>;

// Attribute access on the plain JS object each op receives. Every getter throws std::runtime_error
// naming the attribute: "missing attribute 'k'" when the key is absent, undefined or null, "attribute
// 'k': <N-API message>" when it has the wrong type (runOp adds the op's name and input shapes).
struct Attrs {
  Napi::Object o;
  bool has(const char* k) const { return o.Has(k) && !o.Get(k).IsUndefined() && !o.Get(k).IsNull(); }
  Napi::Value v(const char* k) const {
    if (!has(k)) throw std::runtime_error(std::string("missing attribute '") + k + "'");
    return o.Get(k);
  }
  int64_t i(const char* k) const { return read(k, [&] { return v(k).As<Napi::Number>().Int64Value(); }); }
  double f(const char* k) const { return read(k, [&] { return v(k).As<Napi::Number>().DoubleValue(); }); }
  bool b(const char* k) const { return v(k).ToBoolean().Value(); }
  std::string s(const char* k) const { return read(k, [&] { return v(k).As<Napi::String>().Utf8Value(); }); }
  Ints ints(const char* k) const {
    return read(k, [&] {
      Napi::Array a = v(k).As<Napi::Array>();
      Ints r(a.Length());
      for (uint32_t j = 0; j < a.Length(); ++j) r[j] = a.Get(j).As<Napi::Number>().Int64Value();
      return r;
    });
  }

 private:
  // Run `get`, naming attribute `k` in a type error from N-API (a Napi::Error).
  template <typename F>
  static auto read(const char* k, F get) -> decltype(get()) {
    try {
      return get();
    } catch (const Napi::Error& e) {
      throw std::runtime_error(std::string("attribute '") + k + "': " + e.Message());
    }
  }
};

// An op: inputs in the order lib/backend/native_kernels.ts passes them, attributes, outputs. It may
// throw anything (c10::Error from ATen included); runOp adds the op's name and input shapes.
using OpFn = std::function<Tensors(const Tensors&, const Attrs&)>;

// A registered op. `inputs` names the leading inputs for error messages and sets how many are
// required: a name ending in '?' is optional; inputs past the list (variadic ops such as Concat, or
// bias/prelu at attribute-given indices) are printed without a name.
struct OpDef {
  OpFn fn;
  std::vector<std::string> inputs;
  size_t required = 0;
};

// The name -> op map that Op() in addon.cc looks names up in. Built once, on first use, by the
// family registration functions below.
class OpTable {
 public:
  // Register op `name`. @throws std::logic_error when two families register the same name.
  void add(const std::string& name, std::vector<std::string> inputs, OpFn fn);
  // The op, or nullptr when no family registered `name`.
  const OpDef* find(const std::string& name) const;
  // Every registered name, sorted.
  std::vector<std::string> names() const;
  size_t size() const { return ops_.size(); }

 private:
  std::unordered_map<std::string, OpDef> ops_;
};

// One registration function per family (ops_<family>.cc); ops.cc calls them all.
void registerElementwiseOps(OpTable& t);  // ops_elementwise.cc: binary, unary, Step, Cast, AddN, Select, ...
void registerReduceOps(OpTable& t);       // ops_reduce.cc: Sum, Mean, Max, ..., ArgMax, Softmax
void registerShapeOps(OpTable& t);        // ops_shape.cc: Reshape, Transpose, Concat, Slice, Pad, Fill, Range, ...
void registerIndexOps(OpTable& t);        // ops_index.cc: GatherV2, OneHot
void registerMatMulOps(OpTable& t);       // ops_matmul.cc: BatchMatMul, _FusedMatMul
void registerConvOps(OpTable& t);         // ops_conv.cc: Conv2D, FusedConv2D and their gradients
void registerPoolOps(OpTable& t);         // ops_pool.cc: MaxPool, AvgPool and their gradients
void registerNormOps(OpTable& t);         // ops_norm.cc: FusedBatchNorm, BatchNormTrain(Grad)
void registerImageOps(OpTable& t);        // ops_image.cc: CropAndResize

// The table of every op (ops.cc), built on the first call.
const OpTable& ops();

// "Name(a float32[2,3], b float32[4,5])": the op and its inputs (tfjs dtype names, shapes, the
// device when not the CPU), for error messages.
std::string describeCall(const std::string& name, const OpDef* def, const Tensors& in);

// Run op `name` on `in` and cast every output to dtype code `outCode` (handles.h; -1: keep, but
// int64 becomes int32). @throws std::runtime_error "native op Name(a float32[2,3], b float32[4,5]):
// what went wrong" for every failure: an unknown name, too few inputs, a missing or bad attribute,
// an ATen error (its message without the C++ backtrace).
Tensors runOp(const std::string& name, const Tensors& in, const Attrs& a, int outCode);

// ---- small helpers several families use

// The fused activation of FusedConv2D / _FusedMatMul (attribute `activation`, default linear);
// `prelu` holds the PReLU weights when the activation is prelu. ops_elementwise.cc.
at::Tensor activate(const at::Tensor& y, const Attrs& a, const at::Tensor* prelu);

// Axis list attribute `k` with negative axes counted from the end of a rank-`rank` tensor.
inline Ints dimsOrAll(const Attrs& a, const char* k, int64_t rank) {
  Ints d = a.ints(k);
  for (auto& v : d) if (v < 0) v += rank;
  return d;
}

// The input at the index held by attribute `k` (FusedConv2D / _FusedMatMul: bias, prelu), or nullptr
// when the attribute is absent or negative. @throws when the index is past the inputs.
inline const at::Tensor* optionalInput(const Tensors& in, const Attrs& a, const char* k) {
  const int64_t j = a.has(k) ? a.i(k) : -1;
  if (j < 0) return nullptr;
  if (j >= static_cast<int64_t>(in.size())) {
    throw std::runtime_error(std::string("attribute '") + k + "' names input " + std::to_string(j) + ", but the op got " + std::to_string(in.size()) + " inputs");
  }
  return &in[j];
}

inline at::Tensor asFloat(const at::Tensor& t) { return t.scalar_type() == at::kFloat ? t : t.to(at::kFloat); }

}  // namespace nm
