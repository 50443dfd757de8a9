// The handle table, the current device and the dtype codes (handles.h).
#include "handles.h"

#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace nm {
namespace {

std::unordered_map<int64_t, at::Tensor> g_tensors;
int64_t g_next = 1;
at::Device g_device(at::kCPU);

}  // namespace

int64_t putTensor(at::Tensor t) {
  const int64_t id = g_next++;
  g_tensors.emplace(id, std::move(t));
  return id;
}

const at::Tensor& getTensor(int64_t id) {
  auto it = g_tensors.find(id);
  if (it == g_tensors.end()) throw std::runtime_error("unknown tensor handle " + std::to_string(id) + " (freed, or not made by this addon)");
  return it->second;
}

void freeTensor(int64_t id) { g_tensors.erase(id); }

TableStats tableStats() {
  std::unordered_set<const void*> seen;
  double bytes = 0;
  for (auto& kv : g_tensors) {
    const auto& st = kv.second.storage();
    if (!st) continue;
    if (seen.insert(st.unsafeGetStorageImpl()).second) bytes += static_cast<double>(st.nbytes());
  }
  return {static_cast<double>(g_tensors.size()), bytes};
}

at::Device currentDevice() { return g_device; }
void setCurrentDevice(at::Device d) { g_device = d; }

at::ScalarType scalarOf(int code) {
  switch (code) {
    case 0: return at::kFloat;
    case 1: return at::kInt;
    case 2: return at::kBool;
  }
  throw std::runtime_error("unknown dtype code " + std::to_string(code) + " (float32 0, int32 1, bool 2)");
}

int codeOf(at::ScalarType s) {
  if (s == at::kFloat) return 0;
  if (s == at::kInt) return 1;
  if (s == at::kBool) return 2;
  throw std::runtime_error(std::string("tensor has unsupported dtype ") + c10::toString(s) + " (float32, int32 and bool have codes)");
}

std::string dtypeName(at::ScalarType s) {
  if (s == at::kFloat) return "float32";
  if (s == at::kInt) return "int32";
  if (s == at::kBool) return "bool";
  return c10::toString(s);
}

}  // namespace nm
