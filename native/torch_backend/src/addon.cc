// nanomorph native backend: ATen tensors behind integer handles, and the ops the TensorFlow.js
// kernels in lib/backend/native_*.ts call. One translation unit on purpose: ATen's headers are slow
// to compile and memory-hungry, so the build runs a single compiler job.
//
// Layout convention: every handle holds a tensor whose logical shape is the tfjs shape (NHWC for
// images, HWIO for conv filters). Convolutions and pools view NHWC as ATen's channels-last NCHW
// (a permute, no copy), so oneDNN runs on the data as it lies, like PyTorch with channels_last.
#include <napi.h>
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/CPUAllocator.h>

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <limits>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#ifndef NM_TORCH_VERSION
#define NM_TORCH_VERSION "unknown"
#endif
#ifndef NM_TORCH_MAJOR
#define NM_TORCH_MAJOR 1
#endif

namespace {

using Tensors = std::vector<at::Tensor>;
using Ints = std::vector<int64_t>;

std::unordered_map<int64_t, at::Tensor> g_tensors;
int64_t g_next = 1;
at::Device g_device(at::kCPU);
int g_threads = 0;
std::string g_blas;

// Debian's libtorch runs at::matmul through OpenBLAS, whose pthreads build keeps a thread pool of its
// own next to ATen's OpenMP workers. With as many threads as cores, every BLAS call then waits for its
// helper thread while an OpenMP worker spins on the other core: measured on 2 cores, a 512x32 . 32x64
// product took 1.4 ms inside a training step against 0.03 ms alone, and the resnet8 SimCLR step spent
// 29 of its 118 ms in such products (3.4 ms with OpenBLAS on one thread). So a pthreads OpenBLAS runs
// on the calling thread; ATen's OpenMP (oneDNN convolutions, elementwise ops) keeps every core.
// OpenMP builds of OpenBLAS and MKL share ATen's pool and are left alone. Looked up at run time: the
// BLAS is whatever this libtorch was linked with.
std::string pinPthreadBlas() {
  using GetParallel = int (*)();
  using SetThreads = void (*)(int);
  auto parallel = reinterpret_cast<GetParallel>(dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
  auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (!parallel || !set) return "not OpenBLAS, untouched";
  if (parallel() != 1) return "OpenBLAS OpenMP/serial build, untouched";
  set(1);
  return "OpenBLAS pthreads build, pinned to 1 thread";
}

#if NM_TORCH_MAJOR < 2
// A CPU allocator that keeps freed large blocks (>= 64 KiB) for reuse by exact size, up to a byte
// cap. A tfjs training step makes many more full-size temporaries than PyTorch's fused kernels, and
// glibc returns large blocks to the kernel (mmap/munmap), so every fresh temporary page-faults its
// whole size back in (measured: ~1,600 faults per 16 MB multiply). Shapes repeat step after step, so
// exact-size reuse hits nearly always. Only for libtorch 1.x, whose Allocator interface this matches
// (2.x changed it); elsewhere ATen's default allocator is used.
class CachingCpuAllocator final : public at::Allocator {
 public:
  static constexpr size_t kMin = 64 << 10;
  static constexpr size_t kHeader = 64;  // keeps the size in front of the block; also the alignment
  size_t limit = size_t(2048) << 20;
  mutable std::mutex mu;
  mutable std::unordered_map<size_t, std::vector<void*>> pool;
  mutable size_t cached = 0;

  at::DataPtr allocate(size_t n) const override {
    // Every block carries its (rounded) size in a 64-byte header in front of the data, so one
    // deleter taking the data pointer serves both DataPtr and raw_deallocate (oneDNN uses the latter).
    const size_t size = n < kMin ? n : (n + 4095) & ~size_t(4095);
    void* base = nullptr;
    if (size >= kMin) {
      std::lock_guard<std::mutex> g(mu);
      auto it = pool.find(size);
      if (it != pool.end() && !it->second.empty()) {
        base = it->second.back();
        it->second.pop_back();
        cached -= size;
      }
    }
    if (!base && posix_memalign(&base, kHeader, size + kHeader) != 0) throw std::bad_alloc();
    *static_cast<size_t*>(base) = size;
    void* data = static_cast<uint8_t*>(base) + kHeader;
    return {data, data, &release, at::Device(at::kCPU)};
  }
  at::DeleterFnPtr raw_deleter() const override { return &release; }

  static void release(void* data);
  /** Return every cached block to the system. */
  void trim() {
    std::lock_guard<std::mutex> g(mu);
    for (auto& kv : pool) for (void* b : kv.second) std::free(b);
    pool.clear();
    cached = 0;
  }
};

CachingCpuAllocator g_alloc;

void CachingCpuAllocator::release(void* data) {
  if (!data) return;
  void* base = static_cast<uint8_t*>(data) - kHeader;
  const size_t size = *static_cast<size_t*>(base);
  if (size >= kMin) {
    std::lock_guard<std::mutex> g(g_alloc.mu);
    if (g_alloc.cached + size <= g_alloc.limit) {
      g_alloc.pool[size].push_back(base);
      g_alloc.cached += size;
      return;
    }
  }
  std::free(base);
}
#define NM_CACHING 1
#else
#define NM_CACHING 0
#endif

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

// tfjs dtype codes shared with lib/backend/native_addon.ts.
at::ScalarType scalarOf(int code) {
  switch (code) {
    case 0: return at::kFloat;
    case 1: return at::kInt;
    case 2: return at::kBool;
  }
  throw std::runtime_error("native backend: unknown dtype code " + std::to_string(code));
}

int codeOf(at::ScalarType s) {
  if (s == at::kFloat) return 0;
  if (s == at::kInt) return 1;
  if (s == at::kBool) return 2;
  throw std::runtime_error(std::string("native backend: tensor has unsupported dtype ") + c10::toString(s));
}

int64_t put(at::Tensor t) {
  const int64_t id = g_next++;
  g_tensors.emplace(id, std::move(t));
  return id;
}

const at::Tensor& get(int64_t id) {
  auto it = g_tensors.find(id);
  if (it == g_tensors.end()) throw std::runtime_error("native backend: unknown tensor handle " + std::to_string(id));
  return it->second;
}

// Attribute access on the plain JS object each op receives.
struct Attrs {
  Napi::Object o;
  bool has(const char* k) const { return o.Has(k) && !o.Get(k).IsUndefined() && !o.Get(k).IsNull(); }
  Napi::Value v(const char* k) const {
    if (!has(k)) throw std::runtime_error(std::string("native backend: missing attribute '") + k + "'");
    return o.Get(k);
  }
  int64_t i(const char* k) const { return v(k).As<Napi::Number>().Int64Value(); }
  double f(const char* k) const { return v(k).As<Napi::Number>().DoubleValue(); }
  bool b(const char* k) const { return v(k).ToBoolean().Value(); }
  std::string s(const char* k) const { return v(k).As<Napi::String>().Utf8Value(); }
  Ints ints(const char* k) const {
    Napi::Array a = v(k).As<Napi::Array>();
    Ints r(a.Length());
    for (uint32_t j = 0; j < a.Length(); ++j) r[j] = a.Get(j).As<Napi::Number>().Int64Value();
    return r;
  }
};

using OpFn = std::function<Tensors(const Tensors&, const Attrs&)>;

// NHWC (contiguous) -> NCHW view in channels-last memory, and back.
at::Tensor toNchw(const at::Tensor& x) { return x.contiguous().permute({0, 3, 1, 2}); }
at::Tensor toNhwc(const at::Tensor& y) { return y.permute({0, 2, 3, 1}).contiguous(); }
// HWIO filter -> OIHW, in channels-last memory so ATen picks the same oneDNN path as PyTorch's peer.
// A training step converts each filter up to four times (forward of two views, two data gradients)
// and the filters change only between steps, so conversions are kept per source tensor: a weak
// reference tells when the source is gone (its entry is dropped at the next sweep), the version
// counter when it was written in place.
struct FilterEntry {
  c10::weak_intrusive_ptr<c10::TensorImpl> source;
  int64_t version;
  at::Tensor oihw;
};
std::unordered_map<const c10::TensorImpl*, FilterEntry> g_filters;
size_t g_filterInserts = 0;

at::Tensor filterOihw(const at::Tensor& w) {
  const c10::TensorImpl* key = w.unsafeGetTensorImpl();
  auto it = g_filters.find(key);
  if (it != g_filters.end() && !it->second.source.expired() && it->second.version == static_cast<int64_t>(w._version())) {
    return it->second.oihw;
  }
  at::Tensor oihw = w.permute({3, 2, 0, 1}).contiguous(at::MemoryFormat::ChannelsLast);
  if (++g_filterInserts % 16 == 0) {
    for (auto e = g_filters.begin(); e != g_filters.end();) e = e->second.source.expired() ? g_filters.erase(e) : std::next(e);
  }
  g_filters.insert_or_assign(key, FilterEntry{c10::weak_intrusive_ptr<c10::TensorImpl>(w.getIntrusivePtr()), static_cast<int64_t>(w._version()), oihw});
  return oihw;
}

struct Window {
  int64_t kh, kw, sh, sw, dh, dw, pt, pb, pl, pr;
  explicit Window(const Attrs& a)
      : kh(a.i("kh")), kw(a.i("kw")), sh(a.i("sh")), sw(a.i("sw")),
        dh(a.has("dh") ? a.i("dh") : 1), dw(a.has("dw") ? a.i("dw") : 1),
        pt(a.i("pt")), pb(a.i("pb")), pl(a.i("pl")), pr(a.i("pr")) {}
  bool symmetric() const { return pt == pb && pl == pr; }
};

// Pad NHWC spatially (H by top/bottom, W by left/right) with `value`.
at::Tensor padNhwc(const at::Tensor& x, const Window& w, double value) {
  return at::constant_pad_nd(x, {0, 0, w.pl, w.pr, w.pt, w.pb}, value);
}

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

at::Tensor activate(const at::Tensor& y, const Attrs& a, const at::Tensor* prelu) {
  const std::string act = a.has("activation") ? a.s("activation") : "linear";
  if (act == "linear") return y;
  if (act == "relu") return at::relu(y);
  if (act == "relu6") return at::clamp(y, 0, 6);
  if (act == "elu") return at::elu(y);
  if (act == "sigmoid") return at::sigmoid(y);
  if (act == "leakyrelu") return at::leaky_relu(y, a.has("leakyreluAlpha") ? a.f("leakyreluAlpha") : 0.2);
  if (act == "prelu") {
    if (!prelu) throw std::runtime_error("native backend: prelu activation without weights");
    return at::where(y > 0, y, y * *prelu);
  }
  throw std::runtime_error("native backend: unknown fused activation '" + act + "'");
}

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

Ints dimsOrAll(const Attrs& a, const char* k, int64_t rank) {
  Ints d = a.ints(k);
  for (auto& v : d) if (v < 0) v += rank;
  return d;
}

at::Tensor asFloat(const at::Tensor& t) { return t.scalar_type() == at::kFloat ? t : t.to(at::kFloat); }

std::unordered_map<std::string, OpFn>& ops() {
  static std::unordered_map<std::string, OpFn> m;
  if (!m.empty()) return m;
  // ---- elementwise binary (numpy broadcasting, as in tfjs)
  auto bin = [&](const char* name, std::function<at::Tensor(const at::Tensor&, const at::Tensor&)> f) {
    m[name] = [f](const Tensors& in, const Attrs&) { return Tensors{f(in[0], in[1])}; };
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
  bin("Prelu", [](const at::Tensor& x, const at::Tensor& al) { return at::where(x > 0, x, x * al); });
  // ---- elementwise unary
  auto un = [&](const char* name, std::function<at::Tensor(const at::Tensor&)> f) {
    m[name] = [f](const Tensors& in, const Attrs&) { return Tensors{f(in[0])}; };
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
  m["Step"] = [](const Tensors& in, const Attrs& a) { return Tensors{stepKernel(in[0], a.f("alpha"))}; };
  m["LeakyRelu"] = [](const Tensors& in, const Attrs& a) { return Tensors{at::where(in[0] > 0, in[0], in[0] * a.f("alpha"))}; };
  m["ClipByValue"] = [](const Tensors& in, const Attrs& a) { return Tensors{at::clamp(in[0], a.f("clipValueMin"), a.f("clipValueMax"))}; };
  m["Cast"] = [](const Tensors& in, const Attrs& a) { return Tensors{in[0].to(scalarOf(static_cast<int>(a.i("dtype"))))}; };
  m["AddN"] = [](const Tensors& in, const Attrs&) {
    at::Tensor s = in[0].clone();
    for (size_t j = 1; j < in.size(); ++j) s.add_(in[j]);
    return Tensors{s};
  };
  m["Select"] = [](const Tensors& in, const Attrs&) {
    at::Tensor c = in[0];
    // tfjs allows a rank-1 condition selecting whole rows.
    if (c.dim() == 1 && in[1].dim() > 1) {
      Ints shape(in[1].dim(), 1);
      shape[0] = c.size(0);
      c = c.reshape(shape);
    }
    return Tensors{at::where(c.to(at::kBool), in[1], in[2])};
  };
  // ---- reductions (empty axis list = identity, as in tfjs)
  auto red = [&](const char* name, std::function<at::Tensor(const at::Tensor&, const Ints&, bool)> f) {
    m[name] = [f](const Tensors& in, const Attrs& a) {
      const Ints d = dimsOrAll(a, "axes", in[0].dim());
      if (d.empty()) return Tensors{in[0].clone()};
      return Tensors{f(in[0], d, a.b("keepDims"))};
    };
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
  m["ArgMax"] = [](const Tensors& in, const Attrs& a) { return Tensors{at::argmax(in[0], a.i("axis"), false)}; };
  m["ArgMin"] = [](const Tensors& in, const Attrs& a) { return Tensors{at::argmin(in[0], a.i("axis"), false)}; };
  m["Softmax"] = [](const Tensors& in, const Attrs&) { return Tensors{at::softmax(in[0], -1)}; };
  // ---- shape and data movement
  m["Reshape"] = [](const Tensors& in, const Attrs& a) { return Tensors{in[0].reshape(a.ints("shape"))}; };  // view when contiguous
  m["Transpose"] = [](const Tensors& in, const Attrs& a) { return Tensors{in[0].permute(a.ints("perm")).contiguous()}; };
  m["Fill"] = [](const Tensors&, const Attrs& a) {
    return Tensors{at::full(a.ints("shape"), a.f("value"), at::TensorOptions().dtype(scalarOf(static_cast<int>(a.i("dtype")))).device(g_device))};
  };
  // Range with the cpu backend's rules, so the values match it bit for bit: empty when start == stop or
  // the step points away from stop (a step of exactly 1 on a falling range turns into -1), length
  // |ceil((stop - start) / step)|, and each value the previous one plus step, rounded to the dtype
  // (float32 accumulates its rounding, as a Float32Array does; ATen's arange multiplies instead).
  m["Range"] = [](const Tensors&, const Attrs& a) {
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
      throw std::runtime_error("native backend: Range of dtype " + std::string(c10::toString(dtype)));
    }
    return Tensors{out.to(g_device)};
  };
  m["Concat"] = [](const Tensors& in, const Attrs& a) { return Tensors{at::cat(in, a.i("axis"))}; };
  m["Pack"] = [](const Tensors& in, const Attrs& a) { return Tensors{at::stack(in, a.i("axis"))}; };
  m["Unpack"] = [](const Tensors& in, const Attrs& a) {
    Tensors r;
    for (auto& t : at::unbind(in[0], a.i("axis"))) r.push_back(t.contiguous());
    return r;
  };
  m["SplitV"] = [](const Tensors& in, const Attrs& a) {
    Tensors r;
    for (auto& t : at::split_with_sizes(in[0], a.ints("sizes"), a.i("axis"))) r.push_back(t.contiguous());
    return r;
  };
  m["Slice"] = [](const Tensors& in, const Attrs& a) {
    const Ints b = a.ints("begin"), s = a.ints("size");
    at::Tensor t = in[0];
    for (size_t d = 0; d < b.size(); ++d) t = t.narrow(static_cast<int64_t>(d), b[d], s[d]);
    return Tensors{t.contiguous()};
  };
  m["PadV2"] = [](const Tensors& in, const Attrs& a) {
    const Ints p = a.ints("paddings");  // [before0, after0, before1, after1, ...]
    Ints q;
    for (size_t d = p.size() / 2; d-- > 0;) { q.push_back(p[2 * d]); q.push_back(p[2 * d + 1]); }
    return Tensors{at::constant_pad_nd(in[0], q, a.f("value"))};
  };
  m["Tile"] = [](const Tensors& in, const Attrs& a) { return Tensors{in[0].repeat(a.ints("reps"))}; };
  m["Reverse"] = [](const Tensors& in, const Attrs& a) { return Tensors{at::flip(in[0], dimsOrAll(a, "dims", in[0].dim()))}; };
  m["GatherV2"] = [](const Tensors& in, const Attrs& a) {
    const int64_t axis = a.i("axis");
    at::Tensor idx = in[1].to(at::kLong);
    at::Tensor r = at::index_select(in[0], axis, idx.reshape({-1}));
    Ints shape(in[0].sizes().begin(), in[0].sizes().begin() + axis);
    for (auto s : in[1].sizes()) shape.push_back(s);
    for (int64_t d = axis + 1; d < in[0].dim(); ++d) shape.push_back(in[0].size(d));
    return Tensors{r.reshape(shape)};
  };
  m["OneHot"] = [](const Tensors& in, const Attrs& a) {
    const int64_t depth = a.i("depth");
    const auto opts = at::TensorOptions().dtype(scalarOf(static_cast<int>(a.i("dtype")))).device(g_device);
    at::Tensor hit = at::eq(in[0].to(at::kLong).unsqueeze(-1), at::arange(depth, at::TensorOptions().dtype(at::kLong).device(g_device)));
    return Tensors{at::where(hit, at::full({}, a.f("onValue"), opts), at::full({}, a.f("offValue"), opts))};
  };
  // ---- linear algebra
  m["BatchMatMul"] = [](const Tensors& in, const Attrs& a) {
    at::Tensor x = a.b("transposeA") ? in[0].transpose(-1, -2) : in[0];
    at::Tensor y = a.b("transposeB") ? in[1].transpose(-1, -2) : in[1];
    return Tensors{at::matmul(x, y)};
  };
  m["_FusedMatMul"] = [](const Tensors& in, const Attrs& a) {
    at::Tensor x = a.b("transposeA") ? in[0].transpose(-1, -2) : in[0];
    at::Tensor y = a.b("transposeB") ? in[1].transpose(-1, -2) : in[1];
    at::Tensor r = at::matmul(x, y);
    const int64_t bias = a.has("bias") ? a.i("bias") : -1, prelu = a.has("prelu") ? a.i("prelu") : -1;
    if (bias >= 0) r = r + in[bias];
    return Tensors{activate(r, a, prelu >= 0 ? &in[prelu] : nullptr)};
  };
  // ---- convolutions and pooling (NHWC in, NHWC out)
  m["Conv2D"] = [](const Tensors& in, const Attrs& a) { return Tensors{conv(in[0], in[1], c10::nullopt, a).contiguous()}; };
  m["FusedConv2D"] = [](const Tensors& in, const Attrs& a) {
    const int64_t bias = a.has("bias") ? a.i("bias") : -1, prelu = a.has("prelu") ? a.i("prelu") : -1;
    // A 1-D bias goes into the convolution itself (oneDNN adds it in the same pass).
    const bool inner = bias >= 0 && in[bias].dim() == 1;
    at::Tensor y = conv(in[0], in[1], inner ? c10::optional<at::Tensor>(in[bias]) : c10::nullopt, a);
    if (bias >= 0 && !inner) y = y + in[bias];
    return Tensors{activate(y, a, prelu >= 0 ? &in[prelu] : nullptr).contiguous()};
  };
  m["Conv2DBackpropInput"] = [](const Tensors& in, const Attrs& a) { return Tensors{convGrad(in[0], nullptr, &in[1], a.ints("inShape"), true, a)}; };
  m["Conv2DBackpropFilter"] = [](const Tensors& in, const Attrs& a) { return Tensors{convGrad(in[1], &in[0], nullptr, a.ints("filterShape"), false, a)}; };
  m["MaxPool"] = [](const Tensors& in, const Attrs& a) { return Tensors{toNhwc(maxPool(in[0], Window(a), false).out)}; };
  m["MaxPoolGrad"] = [](const Tensors& in, const Attrs& a) {
    const Window win(a);
    Pooled p = maxPool(in[1], win, true);
    at::Tensor g = at::max_pool2d_with_indices_backward(toNchw(in[0]), p.input, {win.kh, win.kw}, {win.sh, win.sw}, p.pad, {1, 1}, false, p.indices);
    if (p.pad[0] != win.pt || p.pad[1] != win.pl || !win.symmetric()) {
      g = g.narrow(2, win.pt, in[1].size(1)).narrow(3, win.pl, in[1].size(2));
    }
    return Tensors{toNhwc(g)};
  };
  m["AvgPool"] = [](const Tensors& in, const Attrs& a) { return Tensors{avgPool(in[0], Window(a))}; };
  m["AvgPoolGrad"] = [](const Tensors& in, const Attrs& a) {
    // tfjs's AvgPoolGrad divides by the full window size even where the forward pass excluded
    // padding (cpu and webgl backends alike); match it: count_include_pad in the backward pass.
    const Window win(a);
    const bool implicit = win.symmetric() && win.pt * 2 <= win.kh && win.pl * 2 <= win.kw;
    at::Tensor x = implicit ? in[1] : padNhwc(in[1].contiguous(), win, 0.0);
    const Ints pad = implicit ? Ints{win.pt, win.pl} : Ints{0, 0};
    at::Tensor g = at::avg_pool2d_backward(toNchw(in[0]), toNchw(x), {win.kh, win.kw}, {win.sh, win.sw}, pad, false, true, c10::nullopt);
    if (!implicit) g = g.narrow(2, win.pt, in[1].size(1)).narrow(3, win.pl, in[1].size(2));
    return Tensors{toNhwc(g)};
  };
  m["FusedBatchNorm"] = [](const Tensors& in, const Attrs& a) {
    // inputs: x, mean, variance, then offset / scale at the indices given (absent: -1).
    const int64_t off = a.i("offset"), sc = a.i("scale");
    at::Tensor inv = at::rsqrt(in[2] + a.f("eps"));
    if (sc >= 0) inv = inv * in[sc];
    at::Tensor y = (in[0] - in[1]) * inv;
    if (off >= 0) y = y + in[off];
    return Tensors{y};
  };
  // tf.image.cropAndResize, as tfjs's cpu kernel (TensorFlow's crop_and_resize_op): sample positions in
  // double, corner-aligned (y1·(H−1) + i·(y2−y1)(H−1)/(cropH−1)); bilinear lerps or nearest (JS
  // Math.round: half up); positions outside the image give extrapolationValue; a box whose image index
  // is out of range stays 0. Gathers from the [B·H·W, C] rows, so it runs on any device.
  m["CropAndResize"] = [](const Tensors& in, const Attrs& a) {
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
  };
  // Training-mode batch norm over the last axis: ATen's fused kernels instead of a dozen elementwise
  // passes, on the channels-last view of bnView. The biased variance comes back from ATen's saved
  // 1/sqrt(var + eps), in double: relative error ~1e-7 of var + eps, for the moving averages.
  m["BatchNormTrain"] = [](const Tensors& in, const Attrs& a) {
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
  };
  m["BatchNormTrainGrad"] = [](const Tensors& in, const Attrs& a) {
    // inputs: dy, x (both [..., C]), gamma, mean, variance [C], with relu also the forward's output;
    // outputs: dx, dgamma, dbeta, and with relu dz = dy where the output is > 0, else 0 (the
    // gradient at the pre-ReLU sum, also the residual's): one pass, as PyTorch's ReLU backward.
    const double eps = a.f("eps");
    const bool relu = a.b("relu");
    const at::Tensor dz = relu ? at::threshold_backward(in[0], in[5].reshape(in[0].sizes()), 0) : in[0];
    at::Tensor invstd = at::rsqrt(in[4].to(at::kDouble) + eps).to(at::kFloat);
    auto g = at::native_batch_norm_backward(bnView(dz), bnView(in[1]), in[2], at::Tensor(), at::Tensor(), in[3], invstd,
                                            /*train=*/true, eps, {true, true, true});
    Tensors out{bnUnview(std::get<0>(g), in[1]), std::get<1>(g), std::get<2>(g)};
    if (relu) out.push_back(dz);
    return out;
  };
  return m;
}

Napi::Value Throw(Napi::Env env, const std::exception& e) {
  Napi::Error::New(env, e.what()).ThrowAsJavaScriptException();
  return env.Undefined();
}

#define GUARD_BEGIN try {
#define GUARD_END } catch (const c10::Error& e) { return Throw(info.Env(), std::runtime_error(e.what_without_backtrace())); } \
  catch (const std::exception& e) { return Throw(info.Env(), e); }

// fromTyped(typedArray, shape: number[], dtypeCode) -> handle
Napi::Value FromTyped(const Napi::CallbackInfo& info) {
  GUARD_BEGIN
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  Napi::Array sh = info[1].As<Napi::Array>();
  Ints shape(sh.Length());
  for (uint32_t j = 0; j < sh.Length(); ++j) shape[j] = sh.Get(j).As<Napi::Number>().Int64Value();
  const at::ScalarType st = scalarOf(info[2].As<Napi::Number>().Int32Value());
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(st));
  const size_t bytes = t.nbytes();
  if (ta.ByteLength() != bytes) {
    throw std::runtime_error("native backend: typed array has " + std::to_string(ta.ByteLength()) + " bytes, shape needs " + std::to_string(bytes));
  }
  if (bytes) std::memcpy(t.data_ptr(), static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), bytes);
  if (g_device != at::Device(at::kCPU)) t = t.to(g_device);
  return Napi::Number::New(info.Env(), static_cast<double>(put(std::move(t))));
  GUARD_END
}

// toTyped(handle) -> Float32Array | Int32Array | Uint8Array (bool), a copy in row-major order
Napi::Value ToTyped(const Napi::CallbackInfo& info) {
  GUARD_BEGIN
  at::Tensor t = get(info[0].As<Napi::Number>().Int64Value()).to(at::kCPU).contiguous();
  const int code = codeOf(t.scalar_type());
  const size_t n = static_cast<size_t>(t.numel());
  Napi::Env env = info.Env();
  if (code == 0) { auto a = Napi::Float32Array::New(env, n); if (n) std::memcpy(a.Data(), t.data_ptr(), n * 4); return a; }
  if (code == 1) { auto a = Napi::Int32Array::New(env, n); if (n) std::memcpy(a.Data(), t.data_ptr(), n * 4); return a; }
  auto a = Napi::Uint8Array::New(env, n);
  if (n) std::memcpy(a.Data(), t.data_ptr(), n);
  return a;
  GUARD_END
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  g_tensors.erase(info[0].As<Napi::Number>().Int64Value());
  return info.Env().Undefined();
}

// op(name, handles[], attrs, outDtypeCode | -1) -> [n, id1, rank1, dims1..., id2, ...]
Napi::Value Op(const Napi::CallbackInfo& info) {
  GUARD_BEGIN
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  auto& table = ops();
  auto it = table.find(name);
  if (it == table.end()) throw std::runtime_error("native backend: no native op '" + name + "'");
  Napi::Array ids = info[1].As<Napi::Array>();
  Tensors in;
  in.reserve(ids.Length());
  for (uint32_t j = 0; j < ids.Length(); ++j) in.push_back(get(ids.Get(j).As<Napi::Number>().Int64Value()));
  Attrs attrs{info[2].IsObject() ? info[2].As<Napi::Object>() : Napi::Object::New(info.Env())};
  const int out = info.Length() > 3 ? info[3].As<Napi::Number>().Int32Value() : -1;
  Tensors res = it->second(in, attrs);
  std::vector<double> flat{static_cast<double>(res.size())};
  for (auto& r : res) {
    if (out >= 0 && r.scalar_type() != scalarOf(out)) r = r.to(scalarOf(out));
    else if (out < 0 && r.scalar_type() == at::kLong) r = r.to(at::kInt);
    flat.push_back(static_cast<double>(r.dim()));
    for (auto s : r.sizes()) flat.push_back(static_cast<double>(s));
  }
  Napi::Array result = Napi::Array::New(info.Env(), flat.size() + res.size());
  uint32_t k = 0;
  result.Set(k++, flat[0]);
  size_t f = 1;
  for (auto& r : res) {
    result.Set(k++, static_cast<double>(put(r)));
    const size_t rank = static_cast<size_t>(flat[f]);
    for (size_t j = 0; j <= rank; ++j) result.Set(k++, flat[f + j]);
    f += rank + 1;
  }
  return result;
  GUARD_END
}

// stats() -> {tensors, bytes}: live handles and the bytes of their distinct storages.
Napi::Value Stats(const Napi::CallbackInfo& info) {
  std::unordered_set<const void*> seen;
  double bytes = 0;
  for (auto& kv : g_tensors) {
    const auto& st = kv.second.storage();
    if (!st) continue;
    if (seen.insert(st.unsafeGetStorageImpl()).second) bytes += static_cast<double>(st.nbytes());
  }
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("tensors", static_cast<double>(g_tensors.size()));
  o.Set("bytes", bytes);
#if NM_CACHING
  {
    std::lock_guard<std::mutex> g(g_alloc.mu);
    o.Set("cachedBytes", static_cast<double>(g_alloc.cached));
  }
#else
  o.Set("cachedBytes", 0.0);
#endif
  return o;
}

// init({device: "cpu"|"cuda"|"mps", threads}) -> info object. Threads are set once per process.
Napi::Value Init(const Napi::CallbackInfo& info) {
  GUARD_BEGIN
  Napi::Object opt = info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(info.Env());
  const std::string dev = opt.Has("device") ? opt.Get("device").As<Napi::String>().Utf8Value() : "cpu";
  if (dev == "cuda") {
    if (!at::hasCUDA()) throw std::runtime_error("native backend: this libtorch has no usable CUDA device");
    g_device = at::Device(at::kCUDA, 0);
  } else if (dev == "mps") {
    if (!at::hasMPS()) throw std::runtime_error("native backend: this libtorch has no usable MPS device");
    g_device = at::Device(at::kMPS, 0);
  } else if (dev == "cpu") {
    g_device = at::Device(at::kCPU);
  } else {
    throw std::runtime_error("native backend: unknown device '" + dev + "'");
  }
#if NM_CACHING
  static bool allocatorSet = false;
  if (!allocatorSet) {
    allocatorSet = true;
    if (opt.Has("cacheMb")) g_alloc.limit = static_cast<size_t>(opt.Get("cacheMb").As<Napi::Number>().Int64Value()) << 20;
    if (g_alloc.limit > 0) c10::SetCPUAllocator(&g_alloc, 10);
  }
#endif
  if (opt.Has("threads") && g_threads == 0) {
    g_threads = opt.Get("threads").As<Napi::Number>().Int32Value();
    if (g_threads > 0) at::set_num_threads(g_threads);
  }
  static const bool blasPinned = (g_blas = pinPthreadBlas(), true);
  (void)blasPinned;
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("torch", NM_TORCH_VERSION);
  o.Set("device", g_device.str());
  o.Set("threads", at::get_num_threads());
  o.Set("blas", g_blas);
  o.Set("cuda", at::hasCUDA());
  o.Set("cudaDevices", static_cast<double>(at::hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0));
  o.Set("mps", at::hasMPS());
  o.Set("mkldnn", at::hasMKLDNN());
  o.Set("cachingAllocator", NM_CACHING == 1);
  Napi::Array names = Napi::Array::New(info.Env());
  uint32_t k = 0;
  for (auto& kv : ops()) names.Set(k++, kv.first);
  o.Set("ops", names);
  return o;
  GUARD_END
}

// trim(): drop the filter conversions and hand the allocator's cached blocks back to the system.
Napi::Value Trim(const Napi::CallbackInfo& info) {
  g_filters.clear();
#if NM_CACHING
  g_alloc.trim();
#endif
  return info.Env().Undefined();
}

// sync(): wait for queued device work (CUDA) so timings and reads are complete.
Napi::Value Sync(const Napi::CallbackInfo& info) {
  GUARD_BEGIN
  if (g_device.is_cuda()) at::detail::getCUDAHooks().deviceSynchronize(0);
  return info.Env().Undefined();
  GUARD_END
}

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New(env, Init));
  exports.Set("fromTyped", Napi::Function::New(env, FromTyped));
  exports.Set("toTyped", Napi::Function::New(env, ToTyped));
  exports.Set("free", Napi::Function::New(env, Free));
  exports.Set("op", Napi::Function::New(env, Op));
  exports.Set("stats", Napi::Function::New(env, Stats));
  exports.Set("sync", Napi::Function::New(env, Sync));
  exports.Set("trim", Napi::Function::New(env, Trim));
  return exports;
}

}  // namespace

NODE_API_MODULE(nanomorph_torch, InitModule)
