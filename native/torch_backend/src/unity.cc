// The addon's one translation unit: ATen's headers are slow to compile and memory-hungry (about
// 0.6 GB and most of the compile time per file), so build.js runs a single compiler job on this file
// rather than one per source. Every file here also compiles on its own (each includes what it uses).
// A new source file is added to this list.
#include "handles.cc"
#include "allocator.cc"
#include "blas.cc"
#include "layout.cc"
#include "ops.cc"
#include "ops_elementwise.cc"
#include "ops_reduce.cc"
#include "ops_shape.cc"
#include "ops_index.cc"
#include "ops_matmul.cc"
#include "ops_conv.cc"
#include "ops_pool.cc"
#include "ops_norm.cc"
#include "ops_image.cc"
#include "addon.cc"
