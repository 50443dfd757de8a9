// Matrix products: BatchMatMul (transposes, batch broadcasting through at::matmul) and _FusedMatMul
// (bias and activation at attribute-given input indices).
#include "common.h"

namespace nm {

void registerMatMulOps(OpTable& t) {
  t.add("BatchMatMul", {"a", "b"}, [](const Tensors& in, const Attrs& a) {
    at::Tensor x = a.b("transposeA") ? in[0].transpose(-1, -2) : in[0];
    at::Tensor y = a.b("transposeB") ? in[1].transpose(-1, -2) : in[1];
    return Tensors{at::matmul(x, y)};
  });
  t.add("_FusedMatMul", {"a", "b"}, [](const Tensors& in, const Attrs& a) {
    at::Tensor x = a.b("transposeA") ? in[0].transpose(-1, -2) : in[0];
    at::Tensor y = a.b("transposeB") ? in[1].transpose(-1, -2) : in[1];
    at::Tensor r = at::matmul(x, y);
    const at::Tensor* bias = optionalInput(in, a, "bias");
    if (bias) r = r + *bias;
    return Tensors{activate(r, a, optionalInput(in, a, "prelu"))};
  });
}

}  // namespace nm
