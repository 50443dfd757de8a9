// Layout helpers of the convolution and pooling families. Every handle holds a tensor in the tfjs
// shape (NHWC images, HWIO filters); ATen's NCHW ops see NHWC as channels-last NCHW (a permute, no
// copy), so oneDNN runs on the data as it lies, like PyTorch with channels_last.
#pragma once

#include "common.h"

namespace nm {

// NHWC (made contiguous) -> NCHW view in channels-last memory.
inline at::Tensor toNchw(const at::Tensor& x) { return x.contiguous().permute({0, 3, 1, 2}); }
// NCHW (any memory format) -> contiguous NHWC.
inline at::Tensor toNhwc(const at::Tensor& y) { return y.permute({0, 2, 3, 1}).contiguous(); }

// HWIO filter -> OIHW in channels-last memory, cached per source tensor (layout.cc).
at::Tensor filterOihw(const at::Tensor& w);
// Drop every cached filter conversion (trim()).
void clearFilterCache();

// A conv/pool window from the attributes lib/backend/native_kernels.ts sends: kernel kh×kw, strides
// sh, sw, dilations dh, dw (default 1), explicit pads top/bottom/left/right (tfjs's own SAME/VALID
// arithmetic, done on the JS side). @throws "missing attribute" when one is absent.
struct Window {
  int64_t kh, kw, sh, sw, dh, dw, pt, pb, pl, pr;
  explicit Window(const Attrs& a)
      : kh(a.i("kh")), kw(a.i("kw")), sh(a.i("sh")), sw(a.i("sw")),
        dh(a.has("dh") ? a.i("dh") : 1), dw(a.has("dw") ? a.i("dw") : 1),
        pt(a.i("pt")), pb(a.i("pb")), pl(a.i("pl")), pr(a.i("pr")) {}
  bool symmetric() const { return pt == pb && pl == pr; }
};

// Pad NHWC spatially (H by top/bottom, W by left/right) with `value`.
inline at::Tensor padNhwc(const at::Tensor& x, const Window& w, double value) {
  return at::constant_pad_nd(x, {0, 0, w.pl, w.pr, w.pt, w.pb}, value);
}

}  // namespace nm
