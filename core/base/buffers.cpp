// core/base/buffers.cpp — aligned byte buffers and C strings for out parameters.
#include "core/base/buffers.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

namespace mirt {

namespace {
constexpr std::align_val_t alignment{64};
}

std::shared_ptr<std::byte[]> allocate_aligned(size_t size) {
  auto* raw = static_cast<std::byte*>(::operator new[](size ? size : 1, alignment));
  return std::shared_ptr<std::byte[]>(raw, [](std::byte* p) { ::operator delete[](p, alignment); });
}

std::shared_ptr<std::byte[]> copy_aligned(const void* data, size_t size) {
  std::shared_ptr<std::byte[]> out = allocate_aligned(size);
  if (size) std::memcpy(out.get(), data, size);
  return out;
}

char* malloc_c_string(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out) std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}

}  // namespace mirt
