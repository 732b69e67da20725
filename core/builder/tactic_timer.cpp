// core/builder/tactic_timer.cpp — the build phase's kernel timing (DESIGN.md §5, step 6).
#include "core/builder/tactic_timer.hpp"

#include <chrono>
#include <functional>
#include <limits>

#include "core/base/log.hpp"

namespace mirt {

namespace {

constexpr int warm_up_runs = 1;
constexpr int timed_runs = 3;
constexpr int device_rounds = 2, device_calls_per_round = 8;

// Device buffers for one timing: inputs filled (constants with their data, others with zeros).
struct timing_buffers {
  std::vector<std::shared_ptr<void>> owners;
  std::vector<const void*> inputs;
  std::vector<void*> outputs;
};

result<timing_buffers> make_buffers(const backend& target, const graph& g, const node& n, const mirt_node_info& info) {
  timing_buffers b;
  for (size_t i = 0; i < info.num_inputs; ++i) {
    if (info.inputs[i].dtype == MIRT_DTYPE_UNDEFINED) {
      b.inputs.push_back(nullptr);
      continue;
    }
    const size_t bytes = byte_size(info.inputs[i]);
    MIRT_ASSIGN_OR_RETURN(std::shared_ptr<void> buffer, target.allocate(bytes, "timing a tactic"));
    const int t = n.inputs[i];
    const tensor& x = g.tensors[t];
    std::vector<std::byte> zeros;
    const void* source = x.constant >= 0 ? g.constants[x.constant].data() : (zeros.resize(bytes), zeros.data());
    MIRT_RETURN_IF_ERROR(target.copy(buffer.get(), source, bytes, MIRT_COPY_KIND_HOST_TO_DEVICE, nullptr));
    b.inputs.push_back(buffer.get());
    b.owners.push_back(std::move(buffer));
  }
  for (size_t o = 0; o < info.num_outputs; ++o) {
    MIRT_ASSIGN_OR_RETURN(std::shared_ptr<void> buffer, target.allocate(byte_size(info.outputs[o]), "timing a tactic"));
    b.outputs.push_back(buffer.get());
    b.owners.push_back(std::move(buffer));
  }
  MIRT_RETURN_IF_ERROR(target.synchronize(nullptr));
  return b;
}

// Best time in seconds of one tactic, or an error when it cannot be created or run.
result<double> time_tactic(const backend& target, const kernel_source& source, const mirt_node_info& info,
                           const mirt_tactic_info& tactic, const timing_buffers& buffers, const std::string& layer) {
  MIRT_ASSIGN_OR_RETURN(std::unique_ptr<kernel> k, source.create_kernel(&info, tactic.id));
  const size_t workspace_size = k->workspace_size(info.inputs, info.outputs);
  std::shared_ptr<void> workspace;
  if (workspace_size) {
    MIRT_ASSIGN_OR_RETURN(workspace, target.allocate(workspace_size, "timing a tactic's workspace"));
  }
  const mirt_kernel_io io{sizeof(mirt_kernel_io), info.num_inputs, info.inputs, buffers.inputs.data(),
                          info.num_outputs, info.outputs, buffers.outputs.data(), workspace.get(), workspace_size,
                          nullptr};
  double best = std::numeric_limits<double>::infinity();
  if (target.has_device_timer()) {
    // By the device's clock, calls back to back: what a CUDA graph replay of the plan costs, without
    // the host's launch costs that the host clock would add (they dominate small layers).
    MIRT_RETURN_IF_ERROR(k->execute(io, layer));  // warm-up: the kernel's per-shape setup
    MIRT_RETURN_IF_ERROR(target.synchronize(nullptr));
    const std::function<status()> call = [&] { return k->execute(io, layer); };
    for (int round = 0; round < device_rounds; ++round) {
      MIRT_ASSIGN_OR_RETURN(double ms, target.time_calls(call, nullptr, device_calls_per_round));
      best = std::min(best, ms * 1e-3);
    }
    return best;
  }
  for (int run = 0; run < warm_up_runs + timed_runs; ++run) {
    const auto start = std::chrono::steady_clock::now();
    MIRT_RETURN_IF_ERROR(k->execute(io, layer));
    MIRT_RETURN_IF_ERROR(target.synchronize(nullptr));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (run >= warm_up_runs) best = std::min(best, seconds);
  }
  return best;
}

}  // namespace

tactic_choice fastest_tactic(const backend& target, const graph& g, const node& n, const std::vector<tensor_type>& types,
                             const std::vector<mirt_tactic_info>& tactics, uint32_t precision_flags,
                             const kernel_source* source) {
  if (tactics.size() < 2) return {};
  for (int t : n.inputs)
    if (t >= 0 && element_count(types[t].shape) < 0) return {};
  node_view view(g, n, types, precision_flags);
  result<timing_buffers> buffers = make_buffers(target, g, n, *view.info());
  if (!buffers.ok()) {
    log_verbose("builder", "layer '", n.name, "': not timed (", buffers.error().message(), ")");
    return {};
  }
  tactic_choice best;
  double best_seconds = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < tactics.size(); ++i) {
    result<double> seconds = time_tactic(target, source ? *source : target, *view.info(), tactics[i], *buffers, n.name);
    if (!seconds.ok()) {
      log_verbose("builder", "layer '", n.name, "': tactic ", tactics[i].name, " skipped: ", seconds.error().message());
      continue;
    }
    log_verbose("builder", "layer '", n.name, "': tactic ", tactics[i].name, " ", *seconds * 1e3, " ms");
    if (*seconds < best_seconds) {
      best_seconds = *seconds;
      best = {i, true};
    }
  }
  return best;
}

}  // namespace mirt
