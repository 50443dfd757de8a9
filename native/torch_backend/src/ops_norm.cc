// Batch norm: inference (FusedBatchNorm, composed ATen ops) and training over the last axis
// (BatchNormTrain / BatchNormTrainGrad: at::native_batch_norm and its backward, with an optional
// fused residual add and ReLU), which lib/backend/batch_norm_train.ts exposes as tfjs kernels.
#include "common.h"

namespace nm {
namespace {

// Batch norm views: any [..., C] buffer as channels-last [1, C, rows, 1] (no copy). Measured with
// libtorch 1.13 on [4,112,112,64] (1 thread, CPU ms forward / backward): this view 1.1 / 1.6, the NHWC
// permute to [N, C, H, W] 2.1 / 2.1, a plain [rows, C] 1.2 / 4.6; var_mean over rows alone took 16.
at::Tensor bnView(const at::Tensor& t) {
  const int64_t ch = t.size(-1);
  return t.contiguous().reshape({1, ch ? t.numel() / ch : 0, 1, ch}).permute({0, 3, 1, 2});
}
// Back to the tfjs shape of `like` (no copy when ATen kept the channels-last layout).
at::Tensor bnUnview(const at::Tensor& y, const at::Tensor& like) {
  return y.permute({0, 2, 3, 1}).contiguous().reshape(like.sizes());
}

}  // namespace

void registerNormOps(OpTable& t) {
  t.add("FusedBatchNorm", {"x", "mean", "variance"}, [](const Tensors& in, const Attrs& a) {
    // inputs: x, mean, variance, then offset / scale at the indices given (absent: -1).
    const at::Tensor *off = optionalInput(in, a, "offset"), *sc = optionalInput(in, a, "scale");
    at::Tensor inv = at::rsqrt(in[2] + a.f("eps"));
    if (sc) inv = inv * *sc;
    at::Tensor y = (in[0] - in[1]) * inv;
    if (off) y = y + *off;
    return Tensors{y};
  });
  // Training-mode batch norm over the last axis: ATen's fused kernels instead of a dozen elementwise
  // passes, on the channels-last view of bnView. The biased variance comes back from ATen's saved
  // 1/sqrt(var + eps), in double: relative error ~1e-7 of var + eps, for the moving averages.
  t.add("BatchNormTrain", {"x", "gamma", "beta", "residual?"}, [](const Tensors& in, const Attrs& a) {
    // inputs: x [..., C], gamma [C], beta [C], optional residual (shape of x); attrs eps, relu;
    // outputs: y = relu?(bn(x) + residual?) (shape of x), mean [C], variance [C]. The tail runs in
    // place on the fresh output: no extra activation-sized temporaries.
    const double eps = a.f("eps");
    auto r = at::native_batch_norm(bnView(in[0]), in[1], in[2], at::Tensor(), at::Tensor(), /*training=*/true, 0.0, eps);
    at::Tensor var = (std::get<2>(r).to(at::kDouble).pow(-2) - eps).to(at::kFloat);
    at::Tensor y = bnUnview(std::get<0>(r), in[0]);
    if (in.size() > 3) y.add_(in[3].reshape(y.sizes()));
    if (a.b("relu")) y.relu_();
    return Tensors{y, std::get<1>(r), var};
  });
  t.add("BatchNormTrainGrad", {"dy", "x", "gamma", "mean", "variance", "y?"}, [](const Tensors& in, const Attrs& a) {
    // inputs: dy, x (both [..., C]), gamma, mean, variance [C], with relu also the forward's output;
    // outputs: dx, dgamma, dbeta, and with relu dz = dy where the output is > 0, else 0 (the
    // gradient at the pre-ReLU sum, also the residual's): one pass, as PyTorch's ReLU backward.
    const double eps = a.f("eps");
    const bool relu = a.b("relu");
    if (relu && in.size() < 6) throw std::runtime_error("relu needs the forward output y as input 5");
    const at::Tensor dz = relu ? at::threshold_backward(in[0], in[5].reshape(in[0].sizes()), 0) : in[0];
    at::Tensor invstd = at::rsqrt(in[4].to(at::kDouble) + eps).to(at::kFloat);
    auto g = at::native_batch_norm_backward(bnView(dz), bnView(in[1]), in[2], at::Tensor(), at::Tensor(), in[3], invstd,
                                            /*train=*/true, eps, {true, true, true});
    Tensors out{bnUnview(std::get<0>(g), in[1]), std::get<1>(g), std::get<2>(g)};
    if (relu) out.push_back(dz);
    return out;
  });
}

}  // namespace nm
