// core/registry/registry.cpp — module discovery (manifests), lazy loading (Boost.DLL), ABI checks.
#define BOOST_DLL_USE_STD_FS
#include "core/registry/registry.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/base/log.hpp"
#include "core/plugin/plugin_registry.hpp"

namespace fs = std::filesystem;

namespace mirt {

namespace {

constexpr const char* manifest_suffix = ".mirt-module.json";

// The folder holding libmirt.so, found from the address of a function inside it.
std::string library_folder() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&host_api), &info) == 0 || !info.dli_fname) return {};
  return fs::path(info.dli_fname).parent_path().string();
}

result<module_record> read_manifest(const fs::path& manifest) {
  std::ifstream in(manifest);
  if (!in) return make_error(MIRT_STATUS_IO_ERROR, "cannot read module manifest ", manifest.string());
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
    module_record r;
    r.name = j.at("name").get<std::string>();
    r.kind = module_kind_from_name(j.at("kind").get<std::string>());
    r.version = j.at("version").get<std::string>();
    r.abi_version = j.at("abi_version").get<uint32_t>();
    r.description = j.value("description", "");
    r.library_path = (manifest.parent_path() / j.at("library").get<std::string>()).string();
    r.manifest_path = manifest.string();
    if (j.contains("environment"))
      for (const auto& [key, value] : j.at("environment").items()) r.environment.emplace_back(key, value.get<std::string>());
    if (r.kind == MIRT_MODULE_KIND_UNDEFINED)
      return make_error(MIRT_STATUS_CORRUPT_DATA, "module manifest ", manifest.string(), ": unknown kind '",
                        j.at("kind").get<std::string>(), "'");
    return r;
  } catch (const std::exception& e) {
    return make_error(MIRT_STATUS_CORRUPT_DATA, "module manifest ", manifest.string(), " is invalid: ", e.what());
  }
}

std::string abi_mismatch(const std::string& name, const std::string& path, uint32_t module_abi) {
  return cat("module '", name, "' (", path, ") was built for module ABI version ", module_abi,
             ", but this mirt ", MIRT_VERSION_STRING, " has module ABI version ", MIRT_ABI_VERSION,
             "; rebuild the module against this mirt");
}

}  // namespace

mirt_module_kind module_kind_from_name(const std::string& name) {
  for (mirt_module_kind k : {MIRT_MODULE_KIND_BACKEND, MIRT_MODULE_KIND_PARSER, MIRT_MODULE_KIND_PLUGIN_LIBRARY,
                             MIRT_MODULE_KIND_CALIBRATOR, MIRT_MODULE_KIND_REFITTER})
    if (name == mirt_module_kind_name(k)) return k;
  return MIRT_MODULE_KIND_UNDEFINED;
}

registry& registry::instance() {
  // Never destroyed: unloading modules at exit races with threads their libraries started.
  static registry* r = new registry();
  return *r;
}

registry::registry() {
  std::lock_guard lock(mutex_);
  std::string own = library_folder();
  if (!own.empty()) {
    fs::path installed = fs::path(own) / MIRT_MODULE_INSTALL_SUBDIR;
    std::error_code ec;
    if (fs::is_directory(installed, ec)) (void)scan_folder_locked(installed.string());
    else folders_.push_back(installed.string());  // listed in "searched" messages all the same
  }
  if (const char* env = std::getenv("MIRT_MODULE_PATH")) {
    std::stringstream paths(env);
    std::string folder;
    while (std::getline(paths, folder, ':')) {
      if (folder.empty()) continue;
      status s = scan_folder_locked(folder);
      if (!s.ok()) log_warning("registry", "MIRT_MODULE_PATH: ", s.message());
    }
  }
}

status registry::scan_folder_locked(const std::string& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    return make_error(MIRT_STATUS_NOT_FOUND, "module folder '", folder, "' does not exist");
  if (std::find(folders_.begin(), folders_.end(), folder) == folders_.end()) folders_.push_back(folder);
  std::vector<fs::path> manifests;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec)) {
    std::string file = entry.path().filename().string();
    if (file.size() > std::strlen(manifest_suffix) &&
        file.compare(file.size() - std::strlen(manifest_suffix), std::string::npos, manifest_suffix) == 0)
      manifests.push_back(entry.path());
  }
  std::sort(manifests.begin(), manifests.end());
  status first_error;
  for (const fs::path& manifest : manifests) {
    result<module_record> record = read_manifest(manifest);
    if (!record.ok()) {
      log_warning("registry", record.error().message());
      if (first_error.ok()) first_error = record.error();
      continue;
    }
    auto same = std::find_if(modules_.begin(), modules_.end(), [&](const module_record& m) {
      return m.kind == record->kind && m.name == record->name;
    });
    if (same != modules_.end()) {
      if (same->library_path == record->library_path) continue;
      status dup = make_error(MIRT_STATUS_ALREADY_EXISTS, "two modules are named '", record->name, "': ",
                              same->library_path, " and ", record->library_path, "; the first one is used");
      log_warning("registry", dup.message());
      if (first_error.ok()) first_error = dup;
      continue;
    }
    log_verbose("registry", "found module '", record->name, "' ", record->version, " at ", record->library_path);
    modules_.push_back(std::move(record).value());
  }
  return first_error;
}

status registry::add_search_path(const std::string& folder) {
  std::lock_guard lock(mutex_);
  return scan_folder_locked(folder);
}

result<module_handle> registry::load_locked(module_record& record) {
  if (record.loaded) return record.loaded;
  if (record.abi_version != MIRT_ABI_VERSION)
    return make_error(MIRT_STATUS_INCOMPATIBLE_VERSION, abi_mismatch(record.name, record.library_path, record.abi_version));
  for (const auto& [key, value] : record.environment) setenv(key.c_str(), value.c_str(), /*overwrite=*/0);
  auto module = std::make_shared<loaded_module>();
  module->path = record.library_path;
  try {
    module->library.load(record.library_path, boost::dll::load_mode::rtld_lazy | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    return make_error(MIRT_STATUS_MODULE_ERROR, "cannot load module '", record.name, "' from ", record.library_path,
                      ": ", e.what());
  }
  if (!module->library.has(MIRT_MODULE_ENTRY_SYMBOL))
    return make_error(MIRT_STATUS_MODULE_ERROR, "library ", record.library_path, " has no '", MIRT_MODULE_ENTRY_SYMBOL,
                      "' symbol, so it is not a mirt module");
  auto entry = module->library.get<const mirt_module_desc*(uint32_t, const mirt_host_api*)>(MIRT_MODULE_ENTRY_SYMBOL);
  const mirt_module_desc* desc = nullptr;
  try {
    desc = entry(MIRT_ABI_VERSION, host_api());
  } catch (...) {
    return make_error(MIRT_STATUS_MODULE_ERROR, "module at ", record.library_path, " threw from its entry point");
  }
  if (!desc)
    return make_error(MIRT_STATUS_INCOMPATIBLE_VERSION, "module at ", record.library_path,
                      " refused this mirt's module ABI version ", MIRT_ABI_VERSION);
  if (desc->struct_size < sizeof(mirt_module_desc) || !desc->name || !desc->version || !desc->vtable)
    return make_error(MIRT_STATUS_MODULE_ERROR, "module at ", record.library_path, " returned an incomplete descriptor");
  if (desc->abi_version != MIRT_ABI_VERSION)
    return make_error(MIRT_STATUS_INCOMPATIBLE_VERSION, abi_mismatch(desc->name, record.library_path, desc->abi_version));
  if (!record.manifest_path.empty() && (record.name != desc->name || record.kind != desc->kind))
    return make_error(MIRT_STATUS_MODULE_ERROR, "module at ", record.library_path, " calls itself '", desc->name,
                      "' (", mirt_module_kind_name(desc->kind), ") but its manifest ", record.manifest_path, " says '",
                      record.name, "' (", mirt_module_kind_name(record.kind), ")");
  module->desc = desc;
  log_info("registry", "loaded module '", desc->name, "' ", desc->version, " from ", record.library_path);
  record.loaded = module;
  return module_handle(module);
}

status registry::load_library(const std::string& path) {
  module_handle module;
  MIRT_RETURN_IF_ERROR(load_library_locked(path, module));
  // A plugin library's creators join the plugin registry (outside this registry's lock).
  if (module && module->desc->kind == MIRT_MODULE_KIND_PLUGIN_LIBRARY)
    return plugin_registry::instance().add_library(module->path, module->vtable(), module);
  return {};
}

status registry::load_library_locked(const std::string& path, module_handle& out_module) {
  std::lock_guard lock(mutex_);
  std::error_code ec;
  if (!fs::exists(path, ec)) return make_error(MIRT_STATUS_NOT_FOUND, "module library '", path, "' does not exist");
  module_record probe;
  probe.library_path = fs::absolute(path, ec).string();
  probe.abi_version = MIRT_ABI_VERSION;  // checked against the descriptor once loaded
  probe.name = probe.library_path;
  MIRT_ASSIGN_OR_RETURN(module_handle module, load_locked(probe));
  out_module = module;
  for (const module_record& m : modules_) {
    if (m.kind == module->desc->kind && m.name == module->desc->name) {
      if (m.library_path == probe.library_path) return {};
      return make_error(MIRT_STATUS_ALREADY_EXISTS, "a module named '", m.name, "' is already registered from ",
                        m.library_path, "; not loading ", probe.library_path);
    }
  }
  probe.name = module->desc->name;
  probe.version = module->desc->version;
  probe.kind = module->desc->kind;
  probe.description = module->desc->description ? module->desc->description : "";
  modules_.push_back(std::move(probe));
  return {};
}

std::string registry::searched_locked() const {
  std::string out;
  for (const std::string& f : folders_) out += (out.empty() ? "" : ", ") + f;
  if (out.empty()) out = "(no folders; set MIRT_MODULE_PATH)";
  return out;
}

result<module_handle> registry::acquire(mirt_module_kind kind, const std::string& name) {
  std::lock_guard lock(mutex_);
  for (module_record& m : modules_)
    if (m.kind == kind && m.name == name) return load_locked(m);
  return make_error(MIRT_STATUS_NOT_FOUND, "no ", mirt_module_kind_name(kind), " module named '", name,
                    "' is installed; searched: ", searched_locked(), " (set MIRT_MODULE_PATH to add folders)");
}

result<module_handle> registry::acquire_best(mirt_module_kind kind) {
  std::lock_guard lock(mutex_);
  module_handle best;
  int32_t best_score = 0;
  std::string reasons;
  for (module_record& m : modules_) {
    if (m.kind != kind) continue;
    result<module_handle> module = load_locked(m);
    if (!module.ok()) {
      reasons += "; " + module.error().message();
      continue;
    }
    int32_t score = (*module)->desc->score ? (*module)->desc->score() : 1;
    if (score > best_score) {
      best_score = score;
      best = *module;
    }
  }
  if (!best)
    return make_error(MIRT_STATUS_NOT_FOUND, "no usable ", mirt_module_kind_name(kind), " module; searched: ",
                      searched_locked(), reasons);
  return best;
}

std::vector<module_record> registry::list() const {
  std::lock_guard lock(mutex_);
  return modules_;
}

bool registry::is_loaded(mirt_module_kind kind, const std::string& name) const {
  std::lock_guard lock(mutex_);
  for (const module_record& m : modules_)
    if (m.kind == kind && m.name == name) return m.loaded != nullptr;
  return false;
}

std::vector<std::string> registry::search_paths() const {
  std::lock_guard lock(mutex_);
  return folders_;
}

}  // namespace mirt
