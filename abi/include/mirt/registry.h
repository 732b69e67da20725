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
/* Loads the library at path now and registers its module (the `--plugins` use case).
 * NOT_FOUND for a missing file; MODULE_ERROR with the loader's message; INCOMPATIBLE_VERSION naming
 * both ABI versions; ALREADY_EXISTS naming both paths when the name is taken. */
MIRT_API mirt_status mirt_registry_load_library(mirt_string_view path);
/* Number of known modules (does not load any). */
MIRT_API size_t mirt_registry_num_modules(void);
/* Describes module `index`. out_info must be initialized with MIRT_MODULE_INFO_INIT. */
MIRT_API mirt_status mirt_registry_get_module(size_t index, mirt_module_info* out_info);
/* Whether the module of this kind and name is loaded (1) or not (0, also when unknown). */
MIRT_API int32_t mirt_registry_is_loaded(mirt_module_kind kind, mirt_string_view name);
/* The folders searched so far, '\n'-separated. Free with mirt_string_free(). */
MIRT_API mirt_status mirt_registry_search_paths(char** out_paths);

#ifdef __cplusplus
}
#endif

#endif /* MIRT_REGISTRY_H */
