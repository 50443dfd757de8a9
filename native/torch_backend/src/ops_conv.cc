// Convolutions on NHWC with HWIO filters (tfjs layouts) through ATen's channels-last convolution
// (oneDNN on the CPU): Conv2D, depthwise through the `depthwise` attribute, FusedConv2D (bias, fused
// activation), and the input and filter gradients through at::convolution_backward (the kernels
// PyTorch's autograd calls). Asymmetric SAME padding is applied explicitly first.
#include "common.h"
#include "layout.h"

namespace nm {
namespace {

// Conv2D / DepthwiseConv2dNative forward on NHWC with an HWIO (or HW,C,mult) filter.
at::Tensor conv(const at::Tensor& x0, const at::Tensor& w, const c10::optional<at::Tensor>& bias, const Attrs& a) {
  const Window win(a);
  const bool depthwise = a.has("depthwise") && a.b("depthwise");
  at::Tensor x = win.symmetric() ? x0 : padNhwc(x0.contiguous(), win, 0.0);
  const Ints pad = win.symmetric() ? Ints{win.pt, win.pl} : Ints{0, 0};
  at::Tensor weight;
  int64_t groups = 1;
  if (depthwise) {  // [kh,kw,C,m] -> [C*m,1,kh,kw]
    const int64_t c = w.size(2), m = w.size(3);
    weight = w.reshape({w.size(0), w.size(1), 1, c * m}).permute({3, 2, 0, 1}).contiguous(at::MemoryFormat::ChannelsLast);
    groups = c;
  } else {
    weight = filterOihw(w);
  }
  at::Tensor y = at::convolution(toNchw(x), weight, bias, {win.sh, win.sw}, pad, {win.dh, win.dw}, false, {0, 0}, groups);
  return y.permute({0, 2, 3, 1});
}

// Gradient of conv wrt its input (shape `inShape`, NHWC) or filter (HWIO).
at::Tensor convGrad(const at::Tensor& dy, const at::Tensor* x0, const at::Tensor* w, const Ints& shape, bool wantInput, const Attrs& a) {
  const Window win(a);
  const Ints pad = win.symmetric() ? Ints{win.pt, win.pl} : Ints{0, 0};
  const auto opts = dy.options();
  at::Tensor input, weight;
  if (wantInput) {
    // Only the shape of the input matters for the data gradient.
    const int64_t hp = shape[1] + (win.symmetric() ? 0 : win.pt + win.pb);
    const int64_t wp = shape[2] + (win.symmetric() ? 0 : win.pl + win.pr);
    input = at::empty({shape[0], shape[3], hp, wp}, opts.memory_format(at::MemoryFormat::ChannelsLast));
    weight = filterOihw(*w);
  } else {
    at::Tensor x = win.symmetric() ? *x0 : padNhwc(x0->contiguous(), win, 0.0);
    input = toNchw(x);
    weight = at::empty({shape[3], shape[2], shape[0], shape[1]}, opts.memory_format(at::MemoryFormat::ChannelsLast));
  }
  auto r = at::convolution_backward(toNchw(dy), input, weight, c10::nullopt, {win.sh, win.sw}, pad, {win.dh, win.dw},
                                    false, {0, 0}, 1, {wantInput, !wantInput, false});
  if (!wantInput) return std::get<1>(r).permute({2, 3, 1, 0}).contiguous();
  at::Tensor dx = std::get<0>(r);
  if (!win.symmetric()) dx = dx.narrow(2, win.pt, shape[1]).narrow(3, win.pl, shape[2]);
  return toNhwc(dx);
}

}  // namespace

void registerConvOps(OpTable& t) {
  t.add("Conv2D", {"x", "filter"}, [](const Tensors& in, const Attrs& a) { return Tensors{conv(in[0], in[1], c10::nullopt, a).contiguous()}; });
  t.add("FusedConv2D", {"x", "filter"}, [](const Tensors& in, const Attrs& a) {
    const at::Tensor* bias = optionalInput(in, a, "bias");
    // A 1-D bias goes into the convolution itself (oneDNN adds it in the same pass).
    const bool inner = bias && bias->dim() == 1;
    at::Tensor y = conv(in[0], in[1], inner ? c10::optional<at::Tensor>(*bias) : c10::nullopt, a);
    if (bias && !inner) y = y + *bias;
    return Tensors{activate(y, a, optionalInput(in, a, "prelu")).contiguous()};
  });
  t.add("Conv2DBackpropInput", {"dy", "filter"}, [](const Tensors& in, const Attrs& a) { return Tensors{convGrad(in[0], nullptr, &in[1], a.ints("inShape"), true, a)}; });
  t.add("Conv2DBackpropFilter", {"x", "dy"}, [](const Tensors& in, const Attrs& a) { return Tensors{convGrad(in[1], &in[0], nullptr, a.ints("filterShape"), false, a)}; });
}

}  // namespace nm
