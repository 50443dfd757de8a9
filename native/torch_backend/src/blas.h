// Keeping the BLAS under at::matmul from fighting ATen's OpenMP pool for the cores (blas.cc).
#pragma once

#include <string>

namespace nm {

// Pin a pthreads build of OpenBLAS to the calling thread; leave OpenMP builds and other BLAS alone.
// Returns what it did, in words (init reports it as `blas`). Call once per process.
std::string pinPthreadBlas();

}  // namespace nm
