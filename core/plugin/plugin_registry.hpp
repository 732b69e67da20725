// core/plugin/plugin_registry.hpp — the process-wide table of layer plugin creators (mirt/plugin.h):
// registration with duplicate refusal, lookup by namespace/name/version, and discovery of plugin
// libraries (plugin modules, MIRT_PLUGIN_PATH, a plan's library name) when a lookup misses.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/base/status.hpp"
#include "core/graph/op_schema.hpp"
#include "mirt/plugin.h"

namespace mirt {

// One registered creator. Records never move or die once added.
struct plugin_creator_record {
  const mirt_plugin_creator* creator = nullptr;
  std::string name, version, plugin_namespace, description;
  std::vector<mirt_plugin_field_spec> fields;  // names point into the library's static storage
  std::string library_path;                    // "" when the application registered it
  std::shared_ptr<const void> keep_alive;      // the library's module handle
  op_schema schema;                            // arity, fields and inference for the graph code

  // "com.example::MyCustomOp version 1"
  std::string label() const;
};

class plugin_registry {
 public:
  static plugin_registry& instance();

  // Registers creator (see mirt_registry_register_plugin_creator). library is "" for the application.
  status add(const mirt_plugin_creator* creator, const std::string& library, std::shared_ptr<const void> keep_alive);
  // Registers every creator of a loaded plugin library module, once per library.
  status add_library(const std::string& path, const void* vtable, std::shared_ptr<const void> keep_alive);

  // The creator of namespace::name at version (empty: the newest), or nullptr. On a miss, loads the
  // plugin libraries that can be found first (once per process).
  const plugin_creator_record* find(std::string_view plugin_namespace, std::string_view name,
                                    std::string_view version);
  // As find, for a plan: also looks for a library file named `library` in the search folders.
  // NOT_FOUND names the plugin, the version, the library and every folder searched.
  result<const plugin_creator_record*> find_for_plan(const std::string& plugin_namespace, const std::string& name,
                                                     const std::string& version, const std::string& library);

  // Every creator, after loading the plugin libraries that can be found.
  std::vector<const plugin_creator_record*> list();

  // Folders searched for plugin libraries: MIRT_PLUGIN_PATH, then the module folders.
  std::vector<std::string> search_folders() const;

 private:
  plugin_registry() = default;
  const plugin_creator_record* find_locked(std::string_view plugin_namespace, std::string_view name,
                                           std::string_view version) const;
  void discover();

  mutable std::mutex mutex_;     // guards records_ and libraries_
  std::mutex discover_mutex_;    // held while loading libraries (taken before the module registry's lock)
  std::deque<plugin_creator_record> records_;
  std::set<std::string> libraries_;
  bool discovered_ = false;
};

}  // namespace mirt
