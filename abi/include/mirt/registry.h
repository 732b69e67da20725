/* mirt/registry.h — the process-wide module registry.
 *
 * Modules are found, without being loaded, in the install's module folder (<libdir>/mirt/modules)
 * and then in each folder of the MIRT_MODULE_PATH environment variable (':'-separated), read when
 * the registry is first used. A module is loaded on first use and stays loaded while any object it
 * created lives; in 0.1 a loaded module stays loaded until the process ends. All calls here are
 * thread-safe.
 */
#ifndef MIRT_REGISTRY_H
#define MIRT_REGISTRY_H

#include "mirt/base.h"
#include "mirt/module.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mirt_module_info {
  uint32_t struct_size;
  mirt_string_view name;        /* valid until the next call that adds modules */
  mirt_string_view version;
  mirt_string_view description;
  mirt_string_view path;        /* the shared library */
  mirt_module_kind kind;
  uint32_t abi_version;
  int32_t compatible;           /* 1 when abi_version matches this mirt */
  int32_t loaded;               /* 1 once loaded */
} mirt_module_info;
#define MIRT_MODULE_INFO_INIT {sizeof(mirt_module_info), {NULL, 0}, {NULL, 0}, {NULL, 0}, {NULL, 0}, MIRT_MODULE_KIND_UNDEFINED, 0, 0, 0}

/* Adds a folder to search (after those already known) and lists its modules without loading them.
 * NOT_FOUND names the folder when it does not exist; ALREADY_EXISTS names both libraries when a
 * module in it has the name of one already known (the others are still added). */
MIRT_API mirt_status mirt_registry_add_search_path(mirt_string_view folder);
/* Loads the library at path now and registers its module (the `--plugins` use case). For a plugin
 * library (mirt/plugin.h) this also registers its plugin creators.
 * NOT_FOUND for a missing file; MODULE_ERROR with the loader's message (also for a library without
 * the mirt_module_entry symbol); INCOMPATIBLE_VERSION naming both ABI versions, or naming a creator
 * built against a header too old to use; ALREADY_EXISTS naming both paths when the name is taken,
 * or naming a plugin creator whose name, version and namespace another creator has (the library's
 * other creators are registered). */
MIRT_API mirt_status mirt_registry_load_library(mirt_string_view path);
/* Number of known modules (does not load any). */
MIRT_API size_t mirt_registry_num_modules(void);
/* Describes module `index`. out_info must be initialized with MIRT_MODULE_INFO_INIT. */
MIRT_API mirt_status mirt_registry_get_module(size_t index, mirt_module_info* out_info);
/* Whether the module of this kind and name is loaded (1) or not (0, also when unknown). */
MIRT_API int32_t mirt_registry_is_loaded(mirt_module_kind kind, mirt_string_view name);
/* The folders searched so far, '\n'-separated. Free with mirt_string_free(). */
MIRT_API mirt_status mirt_registry_search_paths(char** out_paths);

/* ---- Layer plugin creators (mirt/plugin.h) ---------------------------------------------------- *
 * Creators come from plugin libraries: those loaded with mirt_registry_load_library, plugin library
 * modules in the module folders, and every shared library in the folders of the MIRT_PLUGIN_PATH
 * environment variable (':'-separated). Libraries of the last two kinds are loaded the first time a
 * plugin op is looked up and not found, or when creators are listed. */

typedef struct mirt_plugin_creator_info {
  uint32_t struct_size;
  const struct mirt_plugin_creator* creator; /* valid for the life of the process */
  mirt_string_view library_path;             /* "" for creators the application registered */
} mirt_plugin_creator_info;
#define MIRT_PLUGIN_CREATOR_INFO_INIT {sizeof(mirt_plugin_creator_info), NULL, {NULL, 0}}

/* Registers a creator of the application itself. creator is not copied and must stay valid for the
 * life of the process. ALREADY_EXISTS when a creator of the same name, version and namespace is
 * registered; INVALID_ARGUMENT naming what is missing (name, version, namespace, create). */
MIRT_API mirt_status mirt_registry_register_plugin_creator(const struct mirt_plugin_creator* creator);
/* Number of registered creators, after loading every plugin library that can be found (see above).
 * Libraries that fail to load are logged as warnings. */
MIRT_API size_t mirt_registry_num_plugin_creators(void);
/* Describes creator `index` (in registration order). out_info must be initialized with
 * MIRT_PLUGIN_CREATOR_INFO_INIT; its strings stay valid for the life of the process. */
MIRT_API mirt_status mirt_registry_get_plugin_creator(size_t index, mirt_plugin_creator_info* out_info);

#ifdef __cplusplus
}
#endif

#endif /* MIRT_REGISTRY_H */
