// core/base/buffers.hpp — the two kinds of memory core hands around: 64-byte aligned byte buffers
// (constants, plan copies) and C strings returned through char** out parameters.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace mirt {

// size bytes (at least one), 64-byte aligned, freed with the matching aligned delete.
std::shared_ptr<std::byte[]> allocate_aligned(size_t size);
// An aligned copy of size bytes at data.
std::shared_ptr<std::byte[]> copy_aligned(const void* data, size_t size);

// A malloc'd NUL-terminated copy of s, for the caller to free with mirt_string_free(); nullptr when
// memory runs out.
char* malloc_c_string(const std::string& s);

}  // namespace mirt
