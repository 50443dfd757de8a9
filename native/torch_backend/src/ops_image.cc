// Image ops: CropAndResize (tf.image.cropAndResize), bit-identical to tfjs's cpu kernel on the CPU.
// (ResizeBilinear runs through the cpu fallback; its gradient is lib/backend/resize_bilinear_grad.ts.)
#include "common.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace nm {
namespace {

// CropAndResize on the CPU as one pass over the output, in double with the cpu backend's order of
// operations (so the values are bit-identical to it). The gather form below (any device) reads the
// image four times through index_select on C-float rows: for a SimCLR view batch (32x64x64x3, 2
// threads) it took 3.4 ms, this loop 0.4 ms (PyTorch's affine_grid + grid_sample: 0.7 + 1.1 ms).
// image [B, H, W, C] float contiguous, boxes [N, 4] float, boxInd [N] int -> [N, ch, cw, C].
at::Tensor cropAndResizeCpu(const at::Tensor& image, const at::Tensor& boxes, const at::Tensor& boxInd,
                            int64_t ch, int64_t cw, bool nearest, double extrapolation) {
  const at::Tensor img = image.contiguous(), bx = boxes.to(at::kFloat).contiguous(), bi = boxInd.to(at::kInt).contiguous();
  const int64_t B = img.size(0), H = img.size(1), W = img.size(2), C = img.size(3), N = bx.size(0);
  at::Tensor out = at::empty({N, ch, cw, C}, img.options());
  const float* src = img.data_ptr<float>();
  const float* box = bx.data_ptr<float>();
  const int* ind = bi.data_ptr<int>();
  float* dst = out.data_ptr<float>();
  const float fill = static_cast<float>(extrapolation);
  // Column tables per box (left/right pixel offsets, lerp weight; left < 0 marks extrapolation), built
  // once: floor/ceil are libm calls on baseline x86-64, too slow to repeat for every row.
  std::vector<int64_t> left(N * cw), right(N * cw);
  std::vector<double> lerp(N * cw);
  for (int64_t n = 0; n < N; ++n) {
    const double x1 = box[4 * n + 1], x2 = box[4 * n + 3];
    const double ws = cw > 1 ? (x2 - x1) * double(W - 1) / double(cw - 1) : 0;
    for (int64_t x = 0; x < cw; ++x) {
      const double xi = cw > 1 ? x1 * double(W - 1) + double(x) * ws : 0.5 * (x1 + x2) * double(W - 1);
      const int64_t k = n * cw + x;
      if (xi < 0 || xi > double(W - 1)) { left[k] = -1; continue; }
      const double lo = std::floor(xi);
      // nearest: JS Math.round (half up); xi >= 0 here, so std::round agrees.
      left[k] = static_cast<int64_t>(nearest ? std::round(xi) : lo) * C;
      right[k] = static_cast<int64_t>(std::ceil(xi)) * C;
      lerp[k] = xi - lo;
    }
  }
  at::parallel_for(0, N * ch, 16, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t n = row / ch, y = row % ch;
      const int64_t b = ind[n];
      float* o = dst + row * cw * C;
      if (b < 0 || b >= B) {  // an image index out of range gives 0, as the cpu backend
        std::fill(o, o + cw * C, 0.f);
        continue;
      }
      const double y1 = box[4 * n], y2 = box[4 * n + 2];
      const double hs = ch > 1 ? (y2 - y1) * double(H - 1) / double(ch - 1) : 0;
      const double yi = ch > 1 ? y1 * double(H - 1) + double(y) * hs : 0.5 * (y1 + y2) * double(H - 1);
      if (yi < 0 || yi > double(H - 1)) {
        for (int64_t k = 0; k < cw * C; ++k) o[k] = fill;
        continue;
      }
      const double top = std::floor(yi), yl = yi - top;
      const float* rowT = src + (b * H + static_cast<int64_t>(top)) * W * C;
      const float* rowB = src + (b * H + static_cast<int64_t>(std::ceil(yi))) * W * C;
      const float* rowN = src + (b * H + static_cast<int64_t>(std::round(yi))) * W * C;
      const int64_t* L = &left[n * cw];
      const int64_t* R = &right[n * cw];
      const double* XL = &lerp[n * cw];
      for (int64_t x = 0; x < cw; ++x, o += C) {
        const int64_t l = L[x], r = R[x];
        if (l < 0) {
          for (int64_t c = 0; c < C; ++c) o[c] = fill;
        } else if (nearest) {
          for (int64_t c = 0; c < C; ++c) o[c] = rowN[l + c];
        } else {
          const double xl = XL[x];
          for (int64_t c = 0; c < C; ++c) {
            const double t = double(rowT[l + c]) + (double(rowT[r + c]) - double(rowT[l + c])) * xl;
            const double u = double(rowB[l + c]) + (double(rowB[r + c]) - double(rowB[l + c])) * xl;
            o[c] = static_cast<float>(t + (u - t) * yl);
          }
        }
      }
    }
  });
  return out;
}

}  // namespace

void registerImageOps(OpTable& t) {
  // tf.image.cropAndResize, as tfjs's cpu kernel (TensorFlow's crop_and_resize_op): sample positions in
  // double, corner-aligned (y1·(H−1) + i·(y2−y1)(H−1)/(cropH−1)); bilinear lerps or nearest (JS
  // Math.round: half up); positions outside the image give extrapolationValue; a box whose image index
  // is out of range stays 0. Gathers from the [B·H·W, C] rows, so it runs on any device.
  t.add("CropAndResize", {"image", "boxes", "boxInd"}, [](const Tensors& in, const Attrs& a) {
    // inputs: image [B, H, W, C], boxes [N, 4] (y1, x1, y2, x2 normalised), boxInd [N]; output [N, ch, cw, C]
    const at::Tensor img = in[0].to(at::kFloat).contiguous();
    const int64_t B = img.size(0), H = img.size(1), W = img.size(2), C = img.size(3), N = in[1].size(0);
    const int64_t ch = a.i("cropHeight"), cw = a.i("cropWidth");
    if (B == 0 || N == 0 || H == 0 || W == 0) return Tensors{at::zeros({N, ch, cw, C}, img.options())};
    // `gatherForm` (tests only) runs the any-device form on the CPU too.
    if (img.device().is_cpu() && !a.has("gatherForm")) return Tensors{cropAndResizeCpu(img, in[1], in[2], ch, cw, a.b("nearest"), a.f("extrapolationValue"))};
    const auto dopt = at::TensorOptions().dtype(at::kDouble).device(img.device());
    const at::Tensor bx = in[1].to(at::kDouble);
    auto positions = [&](int64_t lo, int64_t hi, int64_t size, int64_t n) {
      const at::Tensor l = bx.select(1, lo), h = bx.select(1, hi);
      if (n > 1) return l.unsqueeze(1) * double(size - 1) + at::arange(n, dopt).unsqueeze(0) * ((h - l) * double(size - 1) / double(n - 1)).unsqueeze(1);
      return ((l + h) * (0.5 * double(size - 1))).unsqueeze(1);
    };
    const at::Tensor yi = positions(0, 2, H, ch), xi = positions(1, 3, W, cw);  // [N, ch], [N, cw]
    const at::Tensor bi = in[2].to(at::kLong);
    const at::Tensor boxOk = (bi >= 0) & (bi < B);
    const at::Tensor base = bi.clamp(0, std::max<int64_t>(B - 1, 0)).view({N, 1, 1}) * (H * W);
    const at::Tensor rowsOf = img.reshape({B * H * W, C});
    auto gather = [&](const at::Tensor& yy, const at::Tensor& xx) {  // long [N, ch], [N, cw] -> [N, ch, cw, C]
      at::Tensor flat = base + yy.unsqueeze(2) * W + xx.unsqueeze(1);
      return at::index_select(rowsOf, 0, flat.reshape({-1})).view({N, ch, cw, C});
    };
    auto clampL = [](const at::Tensor& t, int64_t size) { return t.clamp(0, double(size - 1)).to(at::kLong); };
    at::Tensor out;
    if (a.b("nearest")) {
      out = gather(clampL(at::floor(yi + 0.5), H), clampL(at::floor(xi + 0.5), W));
    } else {
      const at::Tensor yf = at::floor(yi), xf = at::floor(xi);
      const at::Tensor top = clampL(yf, H), bottom = clampL(at::ceil(yi), H), left = clampL(xf, W), right = clampL(at::ceil(xi), W);
      const at::Tensor yl = (yi - yf).to(at::kFloat).view({N, ch, 1, 1}), xl = (xi - xf).to(at::kFloat).view({N, 1, cw, 1});
      const at::Tensor tl = gather(top, left), tr = gather(top, right), bl = gather(bottom, left), br = gather(bottom, right);
      const at::Tensor upper = tl + (tr - tl) * xl, lower = bl + (br - bl) * xl;
      out = upper + (lower - upper) * yl;
    }
    const at::Tensor inside = ((yi >= 0) & (yi <= double(H - 1))).view({N, ch, 1, 1}) & ((xi >= 0) & (xi <= double(W - 1))).view({N, 1, cw, 1});
    out = at::where(inside, out, at::full({}, a.f("extrapolationValue"), out.options()));
    return Tensors{at::where(boxOk.view({N, 1, 1, 1}), out, at::zeros({}, out.options())).contiguous()};
  });
}

}  // namespace nm
