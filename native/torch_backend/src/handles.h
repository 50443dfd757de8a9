// The one piece of process state the JS side sees: the table of ATen tensors behind integer
// handles (tfjs-node's model: the JS KernelBackend owns dataIds and reference counts, the addon only
// maps ids to tensors), the device new tensors go to, and the dtype codes shared with
// lib/backend/native_addon.ts (float32 0, int32 1, bool 2).
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>

namespace nm {

// Store `t` under a fresh positive handle.
int64_t putTensor(at::Tensor t);
// The tensor behind `id`. @throws std::runtime_error "unknown tensor handle N" (freed or never made).
const at::Tensor& getTensor(int64_t id);
// Drop a handle (the storage goes when no view shares it); unknown ids are ignored.
void freeTensor(int64_t id);

// Live handles and the bytes of their distinct storages.
struct TableStats {
  double tensors;
  double bytes;
};
TableStats tableStats();

// The device of new tensors (init's `device`); CPU until set.
at::Device currentDevice();
void setCurrentDevice(at::Device d);

// Dtype code -> ATen type. @throws std::runtime_error on a code other than 0, 1, 2.
at::ScalarType scalarOf(int code);
// ATen type -> dtype code. @throws std::runtime_error for types tfjs has no code for (e.g. double).
int codeOf(at::ScalarType s);
// The tfjs name of an ATen type ("float32", "int32", "bool"), else ATen's own name ("Long", ...).
std::string dtypeName(at::ScalarType s);

}  // namespace nm
