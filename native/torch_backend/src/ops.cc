// The op table: registration by family, lookup, and running an op so that every failure names the
// op and its inputs (common.h).
#include "common.h"
#include "handles.h"

#include <algorithm>

namespace nm {

void OpTable::add(const std::string& name, std::vector<std::string> inputs, OpFn fn) {
  OpDef def{std::move(fn), {}, 0};
  bool optional = false;
  for (auto& n : inputs) {
    const bool q = !n.empty() && n.back() == '?';
    if (q) n.pop_back();
    else if (optional) throw std::logic_error("native op " + name + ": required input '" + n + "' after an optional one");
    optional = optional || q;
    if (!optional) ++def.required;
    def.inputs.push_back(n);
  }
  if (!ops_.emplace(name, std::move(def)).second) throw std::logic_error("native op " + name + " is registered twice");
}

const OpDef* OpTable::find(const std::string& name) const {
  auto it = ops_.find(name);
  return it == ops_.end() ? nullptr : &it->second;
}

std::vector<std::string> OpTable::names() const {
  std::vector<std::string> r;
  r.reserve(ops_.size());
  for (auto& kv : ops_) r.push_back(kv.first);
  std::sort(r.begin(), r.end());
  return r;
}

const OpTable& ops() {
  static const OpTable table = [] {
    OpTable t;
    registerElementwiseOps(t);
    registerReduceOps(t);
    registerShapeOps(t);
    registerIndexOps(t);
    registerMatMulOps(t);
    registerConvOps(t);
    registerPoolOps(t);
    registerNormOps(t);
    registerImageOps(t);
    return t;
  }();
  return table;
}

std::string describeCall(const std::string& name, const OpDef* def, const Tensors& in) {
  std::string s = name + "(";
  for (size_t j = 0; j < in.size(); ++j) {
    if (j) s += ", ";
    if (def && j < def->inputs.size()) s += def->inputs[j] + " ";
    const at::Tensor& t = in[j];
    if (!t.defined()) { s += "undefined"; continue; }
    s += dtypeName(t.scalar_type()) + "[";
    for (int64_t d = 0; d < t.dim(); ++d) s += (d ? "," : "") + std::to_string(t.size(d));
    s += "]";
    if (!t.device().is_cpu()) s += " on " + t.device().str();
  }
  return s + ")";
}

Tensors runOp(const std::string& name, const Tensors& in, const Attrs& a, int outCode) {
  const OpTable& table = ops();
  const OpDef* def = table.find(name);
  if (!def) {
    throw std::runtime_error("native op " + name + ": no such op among the addon's " + std::to_string(table.size()) +
                             " (a kernel in lib/backend/native_kernels.ts names an op that no ops_*.cc registers, or the addon is older than"
                             " the JS: rebuild with node native/torch_backend/build.js)");
  }
  auto fail = [&](const std::string& why) { return std::runtime_error("native op " + describeCall(name, def, in) + ": " + why); };
  if (in.size() < def->required) {
    throw fail("needs " + std::to_string(def->required) + " inputs, got " + std::to_string(in.size()));
  }
  try {
    Tensors res = def->fn(in, a);
    // Outputs in a dtype tfjs has: the one the kernel asked for, else int64 (ATen's index type) as int32.
    for (auto& r : res) {
      if (outCode >= 0 && r.scalar_type() != scalarOf(outCode)) r = r.to(scalarOf(outCode));
      else if (outCode < 0 && r.scalar_type() == at::kLong) r = r.to(at::kInt);
    }
    return res;
  } catch (const c10::Error& e) {
    throw fail(e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw fail(e.what());
  }
}

}  // namespace nm
