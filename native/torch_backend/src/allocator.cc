// A CPU allocator that keeps freed large blocks for reuse (allocator.h). Only for libtorch 1.x.
#include "allocator.h"

#include <ATen/ATen.h>
#include <c10/core/CPUAllocator.h>

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace nm {

#if NM_TORCH_MAJOR < 2
namespace {

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

}  // namespace

bool cachingAllocatorBuilt() { return true; }

void installCachingAllocator(int64_t cacheMb) {
  static bool installed = false;
  if (installed) return;
  installed = true;
  if (cacheMb >= 0) g_alloc.limit = static_cast<size_t>(cacheMb) << 20;
  if (g_alloc.limit > 0) c10::SetCPUAllocator(&g_alloc, 10);
}

size_t cachedBytes() {
  std::lock_guard<std::mutex> g(g_alloc.mu);
  return g_alloc.cached;
}

void trimAllocator() { g_alloc.trim(); }

#else

bool cachingAllocatorBuilt() { return false; }
void installCachingAllocator(int64_t) {}
size_t cachedBytes() { return 0; }
void trimAllocator() {}

#endif

}  // namespace nm
