// core/runtime/memory_needs.hpp — what one context of each optimization profile needs: the bytes
// each tensor may take and the kernels' workspace, at the profile's max shapes.
#pragma once

#include <cstdint>
#include <vector>

#include "core/base/status.hpp"

namespace mirt {

class engine;

struct profile_memory {
  std::vector<uint64_t> planned_bytes;  // per tensor, at the max shapes
  size_t workspace = 0;                 // the largest kernel workspace at the max shapes
  uint64_t arena = 0;                   // the memory plan's activation bytes
  // The workspace starts this far into a block that holds both (256-byte aligned).
  uint64_t workspace_offset() const { return (arena + 255) / 256 * 256; }
  // Bytes of the one block a user gives a context (mirt_context_set_device_memory).
  uint64_t total() const { return workspace ? workspace_offset() + workspace : arena; }
};

// Sizes for profile p of engine e (its kernels must exist).
result<profile_memory> measure_profile_memory(const engine& e, uint32_t p);

}  // namespace mirt
