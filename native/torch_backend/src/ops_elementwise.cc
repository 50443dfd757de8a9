// Elementwise ops: binary with numpy broadcasting (as tfjs), unary, Step, LeakyRelu, ClipByValue,
// Cast, AddN, Select; and the fused activations that FusedConv2D and _FusedMatMul apply.
#include "common.h"
#include "handles.h"

#include <ATen/Parallel.h>

namespace nm {
namespace {

// out = x > 0 ? 1 : (x is NaN ? NaN : alpha), one pass (tfjs Step; the ReLU gradient's mask).
at::Tensor stepKernel(const at::Tensor& x0, double alpha) {
  if (x0.scalar_type() != at::kFloat || !x0.device().is_cpu()) {
    at::Tensor one = at::ones({}, x0.options()), a = at::full({}, alpha, x0.options());
    return at::where(at::isnan(x0), x0, at::where(x0 > 0, one, a));
  }
  at::Tensor x = x0.contiguous();
  at::Tensor out = at::empty_like(x);
  const float* src = x.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  const float al = static_cast<float>(alpha);
  at::parallel_for(0, x.numel(), 1 << 15, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const float v = src[i];
      const float r = v > 0.f ? 1.f : al;
      dst[i] = v == v ? r : v;
    }
  });
  return out;
}

}  // namespace

at::Tensor activate(const at::Tensor& y, const Attrs& a, const at::Tensor* prelu) {
  const std::string act = a.has("activation") ? a.s("activation") : "linear";
  if (act == "linear") return y;
  if (act == "relu") return at::relu(y);
  if (act == "relu6") return at::clamp(y, 0, 6);
  if (act == "elu") return at::elu(y);
  if (act == "sigmoid") return at::sigmoid(y);
  if (act == "leakyrelu") return at::leaky_relu(y, a.has("leakyreluAlpha") ? a.f("leakyreluAlpha") : 0.2);
  if (act == "prelu") {
    if (!prelu) throw std::runtime_error("prelu activation without weights");
    return at::where(y > 0, y, y * *prelu);
  }
  throw std::runtime_error("unknown fused activation '" + act + "'");
}

void registerElementwiseOps(OpTable& t) {
  // ---- elementwise binary (numpy broadcasting, as in tfjs)
  auto bin = [&](const char* name, std::function<at::Tensor(const at::Tensor&, const at::Tensor&)> f) {
    t.add(name, {"a", "b"}, [f](const Tensors& in, const Attrs&) { return Tensors{f(in[0], in[1])}; });
  };
  bin("Add", [](const at::Tensor& a, const at::Tensor& b) { return at::add(a, b); });
  bin("Sub", [](const at::Tensor& a, const at::Tensor& b) { return at::sub(a, b); });
  bin("Multiply", [](const at::Tensor& a, const at::Tensor& b) { return at::mul(a, b); });
  bin("RealDiv", [](const at::Tensor& a, const at::Tensor& b) { return at::div(asFloat(a), asFloat(b)); });
  bin("FloorDiv", [](const at::Tensor& a, const at::Tensor& b) { return at::div(a, b, "floor"); });
  bin("Mod", [](const at::Tensor& a, const at::Tensor& b) { return at::remainder(a, b); });
  bin("Maximum", [](const at::Tensor& a, const at::Tensor& b) { return at::maximum(a, b); });
  bin("Minimum", [](const at::Tensor& a, const at::Tensor& b) { return at::minimum(a, b); });
  bin("Pow", [](const at::Tensor& a, const at::Tensor& b) { return at::pow(a, b); });
  bin("SquaredDifference", [](const at::Tensor& a, const at::Tensor& b) { auto d = at::sub(a, b); return d * d; });
  bin("Equal", [](const at::Tensor& a, const at::Tensor& b) { return at::eq(a, b); });
  bin("NotEqual", [](const at::Tensor& a, const at::Tensor& b) { return at::ne(a, b); });
  bin("Less", [](const at::Tensor& a, const at::Tensor& b) { return at::lt(a, b); });
  bin("LessEqual", [](const at::Tensor& a, const at::Tensor& b) { return at::le(a, b); });
  bin("Greater", [](const at::Tensor& a, const at::Tensor& b) { return at::gt(a, b); });
  bin("GreaterEqual", [](const at::Tensor& a, const at::Tensor& b) { return at::ge(a, b); });
  bin("LogicalAnd", [](const at::Tensor& a, const at::Tensor& b) { return at::logical_and(a, b); });
  bin("LogicalOr", [](const at::Tensor& a, const at::Tensor& b) { return at::logical_or(a, b); });
  bin("Atan2", [](const at::Tensor& a, const at::Tensor& b) { return at::atan2(asFloat(a), asFloat(b)); });
  t.add("Prelu", {"x", "alpha"}, [](const Tensors& in, const Attrs&) { return Tensors{at::where(in[0] > 0, in[0], in[0] * in[1])}; });
  // ---- elementwise unary
  auto un = [&](const char* name, std::function<at::Tensor(const at::Tensor&)> f) {
    t.add(name, {"x"}, [f](const Tensors& in, const Attrs&) { return Tensors{f(in[0])}; });
  };
  un("Neg", [](const at::Tensor& x) { return at::neg(x); });
  un("Abs", [](const at::Tensor& x) { return at::abs(x); });
  un("Square", [](const at::Tensor& x) { return x * x; });
  un("Sign", [](const at::Tensor& x) { return at::sign(x); });
  un("Relu", [](const at::Tensor& x) { return at::relu(x); });
  un("Relu6", [](const at::Tensor& x) { return at::clamp(x, 0, 6); });
  un("Exp", [](const at::Tensor& x) { return at::exp(asFloat(x)); });
  un("Expm1", [](const at::Tensor& x) { return at::expm1(asFloat(x)); });
  un("Log", [](const at::Tensor& x) { return at::log(asFloat(x)); });
  un("Log1p", [](const at::Tensor& x) { return at::log1p(asFloat(x)); });
  un("Sqrt", [](const at::Tensor& x) { return at::sqrt(asFloat(x)); });
  un("Rsqrt", [](const at::Tensor& x) { return at::rsqrt(asFloat(x)); });
  un("Reciprocal", [](const at::Tensor& x) { return at::reciprocal(asFloat(x)); });
  un("Sigmoid", [](const at::Tensor& x) { return at::sigmoid(asFloat(x)); });
  un("Tanh", [](const at::Tensor& x) { return at::tanh(asFloat(x)); });
  un("Softplus", [](const at::Tensor& x) { return at::softplus(asFloat(x)); });
  un("Elu", [](const at::Tensor& x) { return at::elu(asFloat(x)); });
  un("Selu", [](const at::Tensor& x) { return at::selu(asFloat(x)); });
  un("Erf", [](const at::Tensor& x) { return at::erf(asFloat(x)); });
  un("Sin", [](const at::Tensor& x) { return at::sin(asFloat(x)); });
  un("Cos", [](const at::Tensor& x) { return at::cos(asFloat(x)); });
  un("Floor", [](const at::Tensor& x) { return at::floor(x); });
  un("Ceil", [](const at::Tensor& x) { return at::ceil(x); });
  un("Round", [](const at::Tensor& x) { return at::round(x); });  // half to even, as tfjs
  un("IsNan", [](const at::Tensor& x) { return at::isnan(x); });
  un("LogicalNot", [](const at::Tensor& x) { return at::logical_not(x); });
  un("ZerosLike", [](const at::Tensor& x) { return at::zeros_like(x, at::MemoryFormat::Contiguous); });
  un("OnesLike", [](const at::Tensor& x) { return at::ones_like(x, at::MemoryFormat::Contiguous); });
  t.add("Step", {"x"}, [](const Tensors& in, const Attrs& a) { return Tensors{stepKernel(in[0], a.f("alpha"))}; });
  t.add("LeakyRelu", {"x"}, [](const Tensors& in, const Attrs& a) { return Tensors{at::where(in[0] > 0, in[0], in[0] * a.f("alpha"))}; });
  t.add("ClipByValue", {"x"}, [](const Tensors& in, const Attrs& a) { return Tensors{at::clamp(in[0], a.f("clipValueMin"), a.f("clipValueMax"))}; });
  t.add("Cast", {"x"}, [](const Tensors& in, const Attrs& a) { return Tensors{in[0].to(scalarOf(static_cast<int>(a.i("dtype"))))}; });
  t.add("AddN", {}, [](const Tensors& in, const Attrs&) {
    if (in.empty()) throw std::runtime_error("needs at least one input");
    at::Tensor s = in[0].clone();
    for (size_t j = 1; j < in.size(); ++j) s.add_(in[j]);
    return Tensors{s};
  });
  t.add("Select", {"condition", "t", "e"}, [](const Tensors& in, const Attrs&) {
    at::Tensor c = in[0];
    // tfjs allows a rank-1 condition selecting whole rows.
    if (c.dim() == 1 && in[1].dim() > 1) {
      Ints shape(in[1].dim(), 1);
      shape[0] = c.size(0);
      c = c.reshape(shape);
    }
    return Tensors{at::where(c.to(at::kBool), in[1], in[2])};
  });
}

}  // namespace nm
