// The CPU caching allocator (libtorch 1.x only; allocator.cc says why it exists).
#pragma once

#include <cstddef>
#include <cstdint>

#ifndef NM_TORCH_MAJOR
#define NM_TORCH_MAJOR 1
#endif

namespace nm {

// Whether this build has the caching allocator (libtorch 1.x: its Allocator interface matches).
bool cachingAllocatorBuilt();
// Make it ATen's CPU allocator, once per process (later calls do nothing). `cacheMb` caps the bytes
// kept cached (negative: the default, 2048 MiB; 0: not installed). No-op without the allocator.
void installCachingAllocator(int64_t cacheMb);
// Bytes held in freed blocks kept for reuse (0 without the allocator).
size_t cachedBytes();
// Hand every cached block back to the system.
void trimAllocator();

}  // namespace nm
