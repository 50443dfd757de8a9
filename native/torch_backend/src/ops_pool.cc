// Max and average pooling on NHWC, and their gradients, through ATen's NCHW pools on the
// channels-last view. ATen pads implicitly only symmetrically and up to half the window; other pads
// are applied explicitly (-inf for max, 0 with a count of real pixels for average).
#include "common.h"
#include "layout.h"

#include <limits>

namespace nm {
namespace {

// Max pool on NHWC; returns the pooled NCHW (channels-last) result and the padded NCHW input/indices.
struct Pooled { at::Tensor out, input, indices; Ints pad; };

Pooled maxPool(const at::Tensor& x0, const Window& win, bool withIndices) {
  // ATen pads with -inf implicitly but only symmetrically and up to half the window.
  const bool implicit = win.symmetric() && win.pt * 2 <= win.kh && win.pl * 2 <= win.kw;
  at::Tensor x = implicit ? x0.contiguous() : padNhwc(x0.contiguous(), win, -std::numeric_limits<double>::infinity());
  const Ints pad = implicit ? Ints{win.pt, win.pl} : Ints{0, 0};
  at::Tensor in = toNchw(x);
  if (withIndices) {
    auto r = at::max_pool2d_with_indices(in, {win.kh, win.kw}, {win.sh, win.sw}, pad, {1, 1}, false);
    return {std::get<0>(r), in, std::get<1>(r), pad};
  }
  return {at::max_pool2d(in, {win.kh, win.kw}, {win.sh, win.sw}, pad, {1, 1}, false), in, at::Tensor(), pad};
}

at::Tensor avgPool(const at::Tensor& x0, const Window& win) {
  const bool implicit = win.symmetric() && win.pt * 2 <= win.kh && win.pl * 2 <= win.kw;
  if (implicit) {
    return toNhwc(at::avg_pool2d(toNchw(x0), {win.kh, win.kw}, {win.sh, win.sw}, {win.pt, win.pl}, false, false, c10::nullopt));
  }
  // Asymmetric padding: window sums over zero padding divided by the count of real pixels (tfjs
  // excludes padding from the average).
  at::Tensor x = toNchw(padNhwc(x0.contiguous(), win, 0.0));
  at::Tensor ones = at::ones({1, 1, x0.size(1), x0.size(2)}, x0.options());
  ones = at::constant_pad_nd(ones, {win.pl, win.pr, win.pt, win.pb}, 0.0);
  at::Tensor sums = at::avg_pool2d(x, {win.kh, win.kw}, {win.sh, win.sw}, {0, 0}, false, true, 1);
  at::Tensor counts = at::avg_pool2d(ones, {win.kh, win.kw}, {win.sh, win.sw}, {0, 0}, false, true, 1);
  return toNhwc(sums / counts);
}

}  // namespace

void registerPoolOps(OpTable& t) {
  t.add("MaxPool", {"x"}, [](const Tensors& in, const Attrs& a) { return Tensors{toNhwc(maxPool(in[0], Window(a), false).out)}; });
  t.add("MaxPoolGrad", {"dy", "x"}, [](const Tensors& in, const Attrs& a) {
    const Window win(a);
    Pooled p = maxPool(in[1], win, true);
    at::Tensor g = at::max_pool2d_with_indices_backward(toNchw(in[0]), p.input, {win.kh, win.kw}, {win.sh, win.sw}, p.pad, {1, 1}, false, p.indices);
    if (p.pad[0] != win.pt || p.pad[1] != win.pl || !win.symmetric()) {
      g = g.narrow(2, win.pt, in[1].size(1)).narrow(3, win.pl, in[1].size(2));
    }
    return Tensors{toNhwc(g)};
  });
  t.add("AvgPool", {"x"}, [](const Tensors& in, const Attrs& a) { return Tensors{avgPool(in[0], Window(a))}; });
  t.add("AvgPoolGrad", {"dy", "x"}, [](const Tensors& in, const Attrs& a) {
    // tfjs's AvgPoolGrad divides by the full window size even where the forward pass excluded
    // padding (cpu and webgl backends alike); match it: count_include_pad in the backward pass.
    const Window win(a);
    const bool implicit = win.symmetric() && win.pt * 2 <= win.kh && win.pl * 2 <= win.kw;
    at::Tensor x = implicit ? in[1] : padNhwc(in[1].contiguous(), win, 0.0);
    const Ints pad = implicit ? Ints{win.pt, win.pl} : Ints{0, 0};
    at::Tensor g = at::avg_pool2d_backward(toNchw(in[0]), toNchw(x), {win.kh, win.kw}, {win.sh, win.sw}, pad, false, true, c10::nullopt);
    if (!implicit) g = g.narrow(2, win.pt, in[1].size(1)).narrow(3, win.pl, in[1].size(2));
    return Tensors{toNhwc(g)};
  });
}

}  // namespace nm
