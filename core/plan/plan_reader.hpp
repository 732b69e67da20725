// core/plan/plan_reader.hpp — restores a plan_model from plan bytes, refusing damaged plans.
#pragma once

#include <cstddef>
#include <memory>

#include "core/base/status.hpp"
#include "core/plan/plan_model.hpp"

namespace mirt {

// Reads the plan of size bytes at bytes (as written by write_plan) into a plan_model.
//
// Zero copy: every constant_buffer of the result aliases the weights section of bytes (shared_ptr's
// aliasing constructor), so the constants keep the plan buffer alive and nothing is copied. Pass a
// 64-byte aligned buffer (operator new with std::align_val_t(64), or a memory-mapped file) so
// constants stay 64-byte aligned; a misaligned buffer is copied once into aligned memory first.
// The constants' memory must not be written through (constant_buffer holds non-const bytes only
// for historical reasons).
//
// Never reads outside [bytes, bytes + size), whatever the content. Checks, in this order:
//   CORRUPT_DATA         size < 64 ("plan is truncated: N bytes, the header alone needs 64");
//   CORRUPT_DATA         magic is not "MIRTPLAN";
//   INCOMPATIBLE_VERSION the plan was written by another mirt version (both are named);
//   INCOMPATIBLE_VERSION another plan format version;
//   CORRUPT_DATA         header size, total size ("plan is truncated at byte N of M"), section
//                        offsets and sizes;
//   CORRUPT_DATA         checksum mismatch (stored and computed values are named);
//   CORRUPT_DATA         FlatBuffers verification of the metadata;
//   CORRUPT_DATA         constants outside the weights section, then validate_plan_model
//                        (core/plan/plan_validate.hpp), naming the tensor, node or profile.
// INVALID_ARGUMENT when bytes is null and size is not 0; OUT_OF_MEMORY when an allocation fails.
result<plan_model> read_plan(std::shared_ptr<const std::byte[]> bytes, size_t size);

}  // namespace mirt
