// core/plugin/plugin_registry.cpp — creators by namespace/name/version, and where they come from.
#define BOOST_DLL_USE_STD_FS
#include "core/plugin/plugin_registry.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "core/base/c_status.hpp"
#include "core/base/log.hpp"
#include "core/plugin/plugin_instance.hpp"
#include "core/registry/registry.hpp"

namespace fs = std::filesystem;

namespace mirt {

namespace {

std::string text(const char* s) { return s ? s : ""; }

// Dotted versions compare part by part, numerically where both parts are numbers ("1.10" > "1.9").
bool version_less(const std::string& a, const std::string& b) {
  std::stringstream x(a), y(b);
  std::string p, q;
  while (true) {
    const bool more_x = static_cast<bool>(std::getline(x, p, '.'));
    const bool more_y = static_cast<bool>(std::getline(y, q, '.'));
    if (!more_x || !more_y) return !more_x && more_y;
    if (p == q) continue;
    char* end_p = nullptr;
    char* end_q = nullptr;
    const long long np = std::strtoll(p.c_str(), &end_p, 10), nq = std::strtoll(q.c_str(), &end_q, 10);
    if (*end_p == '\0' && *end_q == '\0' && !p.empty() && !q.empty()) return np < nq;
    return p < q;
  }
}

std::vector<std::string> plugin_path_folders() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("MIRT_PLUGIN_PATH")) {
    std::stringstream paths(env);
    std::string folder;
    while (std::getline(paths, folder, ':'))
      if (!folder.empty()) out.push_back(folder);
  }
  return out;
}

bool looks_like_shared_library(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.size() > 3 && (name.ends_with(".so") || name.find(".so.") != std::string::npos);
}

op_schema schema_for(const plugin_creator_record& r) {
  op_schema s;
  s.op_type = r.name;
  s.domain = r.plugin_namespace;
  s.min_inputs = 0;
  s.max_inputs = 1 << 16;
  s.min_outputs = 1;
  s.max_outputs = 1 << 16;
  for (const mirt_plugin_field_spec& f : r.fields) s.attributes.push_back({text(f.name), f.type, f.required != 0});
  const plugin_creator_record* record = &r;
  s.infer = [record](infer_context& ctx) -> status {
    MIRT_ASSIGN_OR_RETURN(std::shared_ptr<plugin_instance> plugin,
                          plugin_instance::create(*record, ctx.layer().attributes, ctx.layer().name));
    return plugin->infer(ctx);
  };
  return s;
}

}  // namespace

std::string plugin_creator_record::label() const {
  return cat(plugin_namespace, "::", name, " version ", version);
}

plugin_registry& plugin_registry::instance() {
  // Never destroyed, as the module registry: creators live in libraries that stay loaded.
  static plugin_registry* r = new plugin_registry();
  return *r;
}

status plugin_registry::add(const mirt_plugin_creator* creator, const std::string& library,
                            std::shared_ptr<const void> keep_alive) {
  const std::string from = library.empty() ? std::string("the application") : library;
  if (!creator) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "a plugin creator from ", from, " is NULL");
  const size_t needed = offsetof(mirt_plugin_creator, create) + sizeof(creator->create);
  if (creator->struct_size < needed)
    return make_error(MIRT_STATUS_INCOMPATIBLE_VERSION, "plugin creator '", text(creator->struct_size >= offsetof(mirt_plugin_creator, version) ? creator->name : nullptr),
                      "' from ", from, " has struct_size ", creator->struct_size, " but mirt ", MIRT_VERSION_STRING,
                      " needs at least ", needed, "; rebuild it against this mirt's mirt/plugin.h");
  plugin_creator_record r;
  r.creator = creator;
  r.name = text(creator->name);
  r.version = text(creator->version);
  r.plugin_namespace = text(creator->plugin_namespace);
  r.description = text(creator->description);
  r.library_path = library;
  r.keep_alive = std::move(keep_alive);
  if (r.name.empty() || r.version.empty() || !creator->create)
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "plugin creator '", r.name, "' from ", from,
                      " needs a name, a version and a create function");
  if (is_standard_domain(r.plugin_namespace))
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "plugin creator '", r.name, "' from ", from, " has namespace '",
                      r.plugin_namespace, "'; plugins need their own namespace (e.g. 'com.example'), not the standard one");
  if (creator->num_fields && !creator->fields)
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "plugin creator ", r.label(), " from ", from, " lists ",
                      creator->num_fields, " fields but no field array");
  for (size_t i = 0; i < creator->num_fields; ++i) {
    if (!creator->fields[i].name || !*creator->fields[i].name)
      return make_error(MIRT_STATUS_INVALID_ARGUMENT, "plugin creator ", r.label(), " from ", from, ": field ", i,
                        " has no name");
    r.fields.push_back(creator->fields[i]);
  }
  std::lock_guard lock(mutex_);
  if (const plugin_creator_record* same = find_locked(r.plugin_namespace, r.name, r.version);
      same && same->version == r.version)
    return make_error(MIRT_STATUS_ALREADY_EXISTS, "plugin ", r.label(), " is registered twice: by ",
                      same->library_path.empty() ? std::string("the application") : same->library_path, " and by ",
                      from, "; the first one is kept");
  plugin_creator_record& added = records_.emplace_back(std::move(r));
  added.schema = schema_for(added);
  log_verbose("registry", "registered plugin ", added.label(), " from ", from);
  return {};
}

status plugin_registry::add_library(const std::string& path, const void* vtable, std::shared_ptr<const void> keep_alive) {
  {
    std::lock_guard lock(mutex_);
    if (!libraries_.insert(path).second) return {};
  }
  const auto* vt = static_cast<const mirt_plugin_library_vtable*>(vtable);
  const size_t needed = offsetof(mirt_plugin_library_vtable, get_creators) + sizeof(vt->get_creators);
  if (!vt || vt->struct_size < needed || !vt->get_creators)
    return make_error(MIRT_STATUS_INCOMPATIBLE_VERSION, "plugin library ", path, " has a plugin library table of ",
                      vt ? vt->struct_size : 0, " bytes without get_creators; rebuild it against this mirt's headers");
  const mirt_plugin_creator* const* creators = nullptr;
  size_t count = 0;
  try {
    status s = from_c_status(vt->get_creators(&creators, &count));
    if (!s.ok()) return s.with_context(cat("plugin library ", path, ": get_creators failed"));
  } catch (...) {
    return make_error(MIRT_STATUS_MODULE_ERROR, "plugin library ", path, " threw from get_creators");
  }
  if (count && !creators)
    return make_error(MIRT_STATUS_MODULE_ERROR, "plugin library ", path, " reported ", count,
                      " creators but gave no array");
  status first_error;
  for (size_t i = 0; i < count; ++i) {
    status s = add(creators[i], path, keep_alive);
    if (!s.ok()) {
      log_warning("registry", s.message());
      if (first_error.ok()) first_error = s;
    }
  }
  return first_error;
}

const plugin_creator_record* plugin_registry::find_locked(std::string_view plugin_namespace, std::string_view name,
                                                          std::string_view version) const {
  const plugin_creator_record* best = nullptr;
  for (const plugin_creator_record& r : records_) {
    if (r.plugin_namespace != plugin_namespace || r.name != name) continue;
    if (!version.empty()) {
      if (r.version == version) return &r;
      continue;
    }
    if (!best || version_less(best->version, r.version)) best = &r;
  }
  return best;
}

void plugin_registry::discover() {
  std::lock_guard discovering(discover_mutex_);
  if (discovered_) return;
  discovered_ = true;
  registry& modules = registry::instance();
  for (const module_record& m : modules.list()) {
    if (m.kind != MIRT_MODULE_KIND_PLUGIN_LIBRARY) continue;
    result<module_handle> module = modules.acquire(m.kind, m.name);
    status s = module.ok() ? add_library((*module)->path, (*module)->vtable(), *module) : module.error();
    if (!s.ok()) log_warning("registry", s.message());
  }
  for (const std::string& folder : plugin_path_folders()) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
      log_warning("registry", "MIRT_PLUGIN_PATH: folder '", folder, "' does not exist");
      continue;
    }
    std::vector<fs::path> libraries;
    for (const fs::directory_entry& e : fs::directory_iterator(folder, ec))
      if (e.is_regular_file(ec) && looks_like_shared_library(e.path())) libraries.push_back(e.path());
    std::sort(libraries.begin(), libraries.end());
    for (const fs::path& library : libraries) {
      status s = modules.load_library(library.string());
      if (!s.ok()) log_warning("registry", "MIRT_PLUGIN_PATH: ", s.message());
    }
  }
}

const plugin_creator_record* plugin_registry::find(std::string_view plugin_namespace, std::string_view name,
                                                   std::string_view version) {
  {
    std::lock_guard lock(mutex_);
    if (const plugin_creator_record* r = find_locked(plugin_namespace, name, version)) return r;
  }
  discover();
  std::lock_guard lock(mutex_);
  return find_locked(plugin_namespace, name, version);
}

std::vector<std::string> plugin_registry::search_folders() const {
  std::vector<std::string> folders = plugin_path_folders();
  for (const std::string& f : registry::instance().search_paths()) folders.push_back(f);
  return folders;
}

result<const plugin_creator_record*> plugin_registry::find_for_plan(const std::string& plugin_namespace,
                                                                   const std::string& name, const std::string& version,
                                                                   const std::string& library) {
  if (const plugin_creator_record* r = find(plugin_namespace, name, version)) return r;
  std::string searched, load_errors;
  const std::string file = fs::path(library).filename().string();
  for (const std::string& folder : search_folders()) {
    searched += (searched.empty() ? "" : ", ") + folder;
    if (file.empty()) continue;
    std::error_code ec;
    const fs::path candidate = fs::path(folder) / file;
    if (!fs::exists(candidate, ec)) continue;
    status s = registry::instance().load_library(candidate.string());
    if (!s.ok()) load_errors += "; " + s.message();
    if (const plugin_creator_record* r = find(plugin_namespace, name, version)) return r;
  }
  return make_error(MIRT_STATUS_NOT_FOUND, "the plan needs plugin ", plugin_namespace, "::", name, " version ",
                    version, ", which is not registered",
                    file.empty() ? std::string(" (the plan names no library: the application registered it)")
                                 : cat("; looked for its library ", file, " in: "),
                    file.empty() ? std::string() : (searched.empty() ? std::string("(no folders)") : searched),
                    load_errors, "; load it with mirt_registry_load_library or add its folder to MIRT_PLUGIN_PATH");
}

std::vector<const plugin_creator_record*> plugin_registry::list() {
  discover();
  std::lock_guard lock(mutex_);
  std::vector<const plugin_creator_record*> out;
  for (const plugin_creator_record& r : records_) out.push_back(&r);
  return out;
}

}  // namespace mirt
