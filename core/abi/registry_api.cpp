// core/abi/registry_api.cpp — the C ABI of mirt/registry.h.
#include <cstring>

#include "core/base/buffers.hpp"
#include "core/base/c_status.hpp"
#include "core/registry/registry.hpp"
#include "mirt/registry.h"

using mirt::to_c_status;
using mirt::to_view;

namespace {

// Strings handed out by mirt_registry_get_module stay valid until the next call that adds modules.
struct listing {
  std::mutex mutex;
  std::vector<mirt::module_record> records;
};

listing& last_listing() {
  static listing l;
  return l;
}

}  // namespace

extern "C" {

MIRT_EXPORT const char* mirt_module_kind_name(mirt_module_kind kind) {
  switch (kind) {
    case MIRT_MODULE_KIND_BACKEND: return "backend";
    case MIRT_MODULE_KIND_PARSER: return "parser";
    case MIRT_MODULE_KIND_PLUGIN_LIBRARY: return "plugin_library";
    case MIRT_MODULE_KIND_CALIBRATOR: return "calibrator";
    case MIRT_MODULE_KIND_REFITTER: return "refitter";
    default: return "undefined";
  }
}

MIRT_EXPORT mirt_status mirt_registry_add_search_path(mirt_string_view folder) {
  MIRT_C_GUARD_BEGIN
  return to_c_status(mirt::registry::instance().add_search_path(std::string(to_view(folder))));
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_registry_load_library(mirt_string_view path) {
  MIRT_C_GUARD_BEGIN
  return to_c_status(mirt::registry::instance().load_library(std::string(to_view(path))));
  MIRT_C_GUARD_END
}

MIRT_EXPORT size_t mirt_registry_num_modules(void) {
  try {
    return mirt::registry::instance().list().size();
  } catch (...) {
    return 0;
  }
}

MIRT_EXPORT mirt_status mirt_registry_get_module(size_t index, mirt_module_info* out_info) {
  MIRT_C_GUARD_BEGIN
  if (!out_info || out_info->struct_size < sizeof(mirt_module_info))
    return to_c_status({MIRT_STATUS_INVALID_ARGUMENT, "mirt_registry_get_module: initialize out_info with MIRT_MODULE_INFO_INIT"});
  listing& l = last_listing();
  std::lock_guard lock(l.mutex);
  std::vector<mirt::module_record> now = mirt::registry::instance().list();
  if (index >= now.size())
    return to_c_status({MIRT_STATUS_INVALID_ARGUMENT,
                        mirt::cat("mirt_registry_get_module: index ", index, " is out of range; ", now.size(),
                                  " modules are known")});
  if (now.size() != l.records.size()) l.records = std::move(now);
  else
    for (size_t i = 0; i < now.size(); ++i) l.records[i].loaded = now[i].loaded;
  const mirt::module_record& r = l.records[index];
  mirt_module_info info = MIRT_MODULE_INFO_INIT;
  info.name = mirt::to_c_view(r.name);
  info.version = mirt::to_c_view(r.version);
  info.description = mirt::to_c_view(r.description);
  info.path = mirt::to_c_view(r.library_path);
  info.kind = r.kind;
  info.abi_version = r.abi_version;
  info.compatible = r.abi_version == MIRT_ABI_VERSION ? 1 : 0;
  info.loaded = r.loaded ? 1 : 0;
  *out_info = info;
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT int32_t mirt_registry_is_loaded(mirt_module_kind kind, mirt_string_view name) {
  try {
    return mirt::registry::instance().is_loaded(kind, std::string(to_view(name))) ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

MIRT_EXPORT mirt_status mirt_registry_search_paths(char** out_paths) {
  MIRT_C_GUARD_BEGIN
  if (!out_paths) return to_c_status({MIRT_STATUS_INVALID_ARGUMENT, "mirt_registry_search_paths: out_paths is NULL"});
  std::string joined;
  for (const std::string& f : mirt::registry::instance().search_paths()) joined += (joined.empty() ? "" : "\n") + f;
  char* out = mirt::malloc_c_string(joined);
  if (!out) return to_c_status({MIRT_STATUS_OUT_OF_MEMORY, "cannot allocate the search path list"});
  *out_paths = out;
  return nullptr;
  MIRT_C_GUARD_END
}

}  // extern "C"
