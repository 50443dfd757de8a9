// Shape and data movement: Reshape, Transpose, Concat, Pack/Unpack, SplitV, Slice, PadV2, Tile,
// Reverse, and the makers Fill and Range.
#include "common.h"
#include "handles.h"

#include <cmath>

namespace nm {

void registerShapeOps(OpTable& t) {
  t.add("Reshape", {"x"}, [](const Tensors& in, const Attrs& a) { return Tensors{in[0].reshape(a.ints("shape"))}; });  // view when contiguous
  t.add("Transpose", {"x"}, [](const Tensors& in, const Attrs& a) { return Tensors{in[0].permute(a.ints("perm")).contiguous()}; });
  t.add("Fill", {}, [](const Tensors&, const Attrs& a) {
    return Tensors{at::full(a.ints("shape"), a.f("value"), at::TensorOptions().dtype(scalarOf(static_cast<int>(a.i("dtype")))).device(currentDevice()))};
  });
  // Range with the cpu backend's rules, so the values match it bit for bit: empty when start == stop or
  // the step points away from stop (a step of exactly 1 on a falling range turns into -1), length
  // |ceil((stop - start) / step)|, and each value the previous one plus step, rounded to the dtype
  // (float32 accumulates its rounding, as a Float32Array does; ATen's arange multiplies instead).
  t.add("Range", {}, [](const Tensors&, const Attrs& a) {
    const double start = a.f("start"), stop = a.f("stop");
    double step = a.f("step");
    const at::ScalarType dtype = scalarOf(static_cast<int>(a.i("dtype")));
    const bool empty = start == stop || (start < stop && step < 0) || (stop < start && step > 1);
    const int64_t n = empty ? 0 : static_cast<int64_t>(std::fabs(std::ceil((stop - start) / step)));
    if (stop < start && step == 1) step = -1;
    at::Tensor out = at::empty({n}, at::TensorOptions().dtype(dtype));
    if (dtype == at::kFloat) {
      float* o = out.data_ptr<float>();
      float v = static_cast<float>(start);
      for (int64_t i = 0; i < n; ++i, v = static_cast<float>(static_cast<double>(v) + step)) o[i] = v;
    } else if (dtype == at::kInt) {
      int* o = out.data_ptr<int>();
      double v = static_cast<double>(static_cast<int>(start));
      for (int64_t i = 0; i < n; ++i, v = static_cast<double>(static_cast<int>(v + step))) o[i] = static_cast<int>(v);
    } else {
      throw std::runtime_error("Range of dtype " + std::string(c10::toString(dtype)));
    }
    return Tensors{out.to(currentDevice())};
  });
  t.add("Concat", {}, [](const Tensors& in, const Attrs& a) { return Tensors{at::cat(in, a.i("axis"))}; });
  t.add("Pack", {}, [](const Tensors& in, const Attrs& a) { return Tensors{at::stack(in, a.i("axis"))}; });
  t.add("Unpack", {"x"}, [](const Tensors& in, const Attrs& a) {
    Tensors r;
    for (auto& part : at::unbind(in[0], a.i("axis"))) r.push_back(part.contiguous());
    return r;
  });
  t.add("SplitV", {"x"}, [](const Tensors& in, const Attrs& a) {
    Tensors r;
    for (auto& part : at::split_with_sizes(in[0], a.ints("sizes"), a.i("axis"))) r.push_back(part.contiguous());
    return r;
  });
  t.add("Slice", {"x"}, [](const Tensors& in, const Attrs& a) {
    const Ints b = a.ints("begin"), s = a.ints("size");
    at::Tensor x = in[0];
    for (size_t d = 0; d < b.size(); ++d) x = x.narrow(static_cast<int64_t>(d), b[d], s[d]);
    return Tensors{x.contiguous()};
  });
  t.add("PadV2", {"x"}, [](const Tensors& in, const Attrs& a) {
    const Ints p = a.ints("paddings");  // [before0, after0, before1, after1, ...]
    Ints q;
    for (size_t d = p.size() / 2; d-- > 0;) { q.push_back(p[2 * d]); q.push_back(p[2 * d + 1]); }
    return Tensors{at::constant_pad_nd(in[0], q, a.f("value"))};
  });
  t.add("Tile", {"x"}, [](const Tensors& in, const Attrs& a) { return Tensors{in[0].repeat(a.ints("reps"))}; });
  t.add("Reverse", {"x"}, [](const Tensors& in, const Attrs& a) { return Tensors{at::flip(in[0], dimsOrAll(a, "dims", in[0].dim()))}; });
}

}  // namespace nm
