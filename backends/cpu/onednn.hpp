// backends/cpu/onednn.hpp — the process-wide oneDNN engine and small helpers shared by its kernels.
#pragma once

#include <dnnl.hpp>
#include <unordered_map>

#include "backends/cpu/tensor.hpp"

namespace mirt::cpu {

// One CPU engine for the process (engines are thread-safe to share).
const dnnl::engine& onednn_engine();

// Runs a primitive on a fresh stream and waits. Scratchpad memory is allocated per call (attrs use
// user scratchpad mode), so concurrent executions of one primitive never share scratch.
void onednn_execute(const dnnl::primitive& prim, const dnnl::primitive_desc_base& pd,
                    std::unordered_map<int, dnnl::memory> args);

// A memory desc for a dense row-major fp32 tensor.
dnnl::memory::desc plain_desc(const dims& shape);

// Attributes every mirt primitive starts from.
dnnl::primitive_attr base_attr();

// Turns a oneDNN failure into a backend error naming what was being done.
[[noreturn]] void onednn_fail(const dnnl::error& e, const char* doing);

}  // namespace mirt::cpu
