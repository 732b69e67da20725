// core/registry/registry.hpp — finds modules by their manifests, loads them on first use, checks ABI.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "core/base/status.hpp"
#include "mirt/module.h"

namespace mirt {

// A module library that is loaded. Objects made by a module hold this, which keeps the library
// mapped for as long as they live.
struct loaded_module {
  boost::dll::shared_library library;
  const mirt_module_desc* desc = nullptr;
  std::string path;

  const void* vtable() const { return desc->vtable; }
};
using module_handle = std::shared_ptr<const loaded_module>;

// What the registry knows of one module, loaded or not.
struct module_record {
  std::string name;
  std::string version;
  std::string description;
  mirt_module_kind kind = MIRT_MODULE_KIND_UNDEFINED;
  uint32_t abi_version = 0;
  std::string library_path;
  std::string manifest_path;  // empty for libraries loaded by path
  // Environment defaults the module needs set before it loads (e.g. OMP_WAIT_POLICY for oneDNN's
  // OpenMP runtime); a variable the user has set is left alone.
  std::vector<std::pair<std::string, std::string>> environment;
  module_handle loaded;       // null until first use
};

class registry {
 public:
  // The process-wide registry; scans the install folder and MIRT_MODULE_PATH on first call.
  static registry& instance();

  // Adds a folder and lists its modules (see mirt_registry_add_search_path).
  status add_search_path(const std::string& folder);
  // Loads a library now and registers its module (see mirt_registry_load_library).
  status load_library(const std::string& path);

  // The module of this kind and name, loading it on first use. NOT_FOUND names the module and
  // lists the folders searched; INCOMPATIBLE_VERSION names both ABI versions.
  result<module_handle> acquire(mirt_module_kind kind, const std::string& name);
  // The compatible module of this kind with the highest score (modules are loaded to ask).
  result<module_handle> acquire_best(mirt_module_kind kind);

  std::vector<module_record> list() const;
  bool is_loaded(mirt_module_kind kind, const std::string& name) const;
  std::vector<std::string> search_paths() const;

 private:
  registry();
  status scan_folder_locked(const std::string& folder);
  status load_library_locked(const std::string& path, module_handle& out_module);
  result<module_handle> load_locked(module_record& record);
  std::string searched_locked() const;

  mutable std::mutex mutex_;
  std::vector<module_record> modules_;
  std::vector<std::string> folders_;
};

// The table of host services handed to every module's entry point.
const mirt_host_api* host_api();

// Parses the kind names used in manifests ("backend", "parser", ...).
mirt_module_kind module_kind_from_name(const std::string& name);

}  // namespace mirt
