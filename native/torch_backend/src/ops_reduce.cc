// Reductions over an axis list (an empty list is the identity, as in tfjs), ArgMax/ArgMin, Softmax.
#include "common.h"

#include <algorithm>

namespace nm {

void registerReduceOps(OpTable& t) {
  // ---- reductions (empty axis list = identity, as in tfjs)
  auto red = [&](const char* name, std::function<at::Tensor(const at::Tensor&, const Ints&, bool)> f) {
    t.add(name, {"x"}, [f](const Tensors& in, const Attrs& a) {
      const Ints d = dimsOrAll(a, "axes", in[0].dim());
      if (d.empty()) return Tensors{in[0].clone()};
      return Tensors{f(in[0], d, a.b("keepDims"))};
    });
  };
  red("Sum", [](const at::Tensor& x, const Ints& d, bool k) { return at::sum(x, d, k); });
  red("Mean", [](const at::Tensor& x, const Ints& d, bool k) { return at::mean(asFloat(x), d, k); });
  red("Max", [](const at::Tensor& x, const Ints& d, bool k) { return at::amax(x, d, k); });
  red("Min", [](const at::Tensor& x, const Ints& d, bool k) { return at::amin(x, d, k); });
  red("All", [](const at::Tensor& x, const Ints& d, bool k) {
    at::Tensor r = x.to(at::kBool);
    for (auto it = d.rbegin(); it != d.rend(); ++it) r = at::all(r, *it, k);
    return r;
  });
  red("Any", [](const at::Tensor& x, const Ints& d, bool k) {
    at::Tensor r = x.to(at::kBool);
    Ints s = d;
    std::sort(s.begin(), s.end());
    for (auto it = s.rbegin(); it != s.rend(); ++it) r = at::any(r, *it, k);
    return r;
  });
  red("Prod", [](const at::Tensor& x, const Ints& d, bool k) {
    at::Tensor r = x;
    Ints s = d;
    std::sort(s.begin(), s.end());
    for (auto it = s.rbegin(); it != s.rend(); ++it) r = at::prod(r, *it, k);
    return r;
  });
  t.add("ArgMax", {"x"}, [](const Tensors& in, const Attrs& a) { return Tensors{at::argmax(in[0], a.i("axis"), false)}; });
  t.add("ArgMin", {"x"}, [](const Tensors& in, const Attrs& a) { return Tensors{at::argmin(in[0], a.i("axis"), false)}; });
  t.add("Softmax", {"logits"}, [](const Tensors& in, const Attrs&) { return Tensors{at::softmax(in[0], -1)}; });
}

}  // namespace nm
