// BLAS thread pinning (blas.h), looked up at run time with dlsym: the BLAS is whatever this libtorch
// was linked with.
#include "blas.h"

#include <dlfcn.h>

namespace nm {

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

}  // namespace nm
