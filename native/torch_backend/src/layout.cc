// The filter layout cache (layout.h).
#include "layout.h"

#include <unordered_map>

namespace nm {
namespace {

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

}  // namespace

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

void clearFilterCache() { g_filters.clear(); }

}  // namespace nm
