// Indexing: GatherV2 (gather along an axis, batchDims 0) and OneHot.
#include "common.h"
#include "handles.h"

namespace nm {

void registerIndexOps(OpTable& t) {
  t.add("GatherV2", {"x", "indices"}, [](const Tensors& in, const Attrs& a) {
    const int64_t axis = a.i("axis");
    at::Tensor idx = in[1].to(at::kLong);
    at::Tensor r = at::index_select(in[0], axis, idx.reshape({-1}));
    Ints shape(in[0].sizes().begin(), in[0].sizes().begin() + axis);
    for (auto s : in[1].sizes()) shape.push_back(s);
    for (int64_t d = axis + 1; d < in[0].dim(); ++d) shape.push_back(in[0].size(d));
    return Tensors{r.reshape(shape)};
  });
  t.add("OneHot", {"indices"}, [](const Tensors& in, const Attrs& a) {
    const int64_t depth = a.i("depth");
    const auto opts = at::TensorOptions().dtype(scalarOf(static_cast<int>(a.i("dtype")))).device(currentDevice());
    at::Tensor hit = at::eq(in[0].to(at::kLong).unsqueeze(-1), at::arange(depth, at::TensorOptions().dtype(at::kLong).device(currentDevice())));
    return Tensors{at::where(hit, at::full({}, a.f("onValue"), opts), at::full({}, a.f("offValue"), opts))};
  });
}

}  // namespace nm
