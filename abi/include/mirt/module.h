/* mirt/module.h — what a module (.so) exports, and what the host hands it.
 *
 * A module is a shared library that exports exactly one C symbol, mirt_module_entry, of type
 * mirt_module_entry_fn. It returns a descriptor in static storage: ABI version, name, semantic
 * version, kind, an optional score and the kind's vtable. The registry (mirt/registry.h) finds
 * modules through a manifest beside each library (docs/modules.md) without loading them, loads a
 * module on first use, refuses one whose ABI version differs (naming both), and keeps it loaded while
 * any object it created lives.
 *
 * Rules for every table in this header and in mirt/backend.h, mirt/parser.h:
 *   - Tables are append-only: new members go at the end under a "since x.y" comment, and the host
 *     reads only the members that fit in the table's struct_size.
 *   - Members marked (optional) may be NULL; the registry supplies the default.
 *   - No C++ exception may cross a table call; a module reports failure with a mirt_status made by
 *     host->status_create().
 */
#ifndef MIRT_MODULE_H
#define MIRT_MODULE_H

#include "mirt/base.h"
#include "mirt/network.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mirt_module_kind {
  MIRT_MODULE_KIND_UNDEFINED = 0,
  MIRT_MODULE_KIND_BACKEND = 1,        /* vtable: mirt_backend_vtable (mirt/backend.h) */
  MIRT_MODULE_KIND_PARSER = 2,         /* vtable: mirt_parser_vtable (mirt/parser.h) */
  MIRT_MODULE_KIND_PLUGIN_LIBRARY = 3, /* vtable: mirt_plugin_library_vtable (below; mirt/plugin.h) */
  MIRT_MODULE_KIND_CALIBRATOR = 4,     /* vtable: mirt_calibrator_vtable (reserved, see below) */
  MIRT_MODULE_KIND_REFITTER = 5,       /* vtable: mirt_refitter_vtable (reserved, see below) */
  MIRT_MODULE_KIND_FORCE32 = 0x7FFFFFFF
} mirt_module_kind;

/* Lower-case name of a kind ("backend"); "undefined" for unknown values. Static storage. */
MIRT_API const char* mirt_module_kind_name(mirt_module_kind kind);

/* Services the host offers a module. Valid for as long as the module is loaded. */
typedef struct mirt_host_api {
  uint32_t struct_size;
  uint32_t abi_version; /* MIRT_ABI_VERSION of the host */
  /* since 0.1 */
  mirt_status (*status_create)(mirt_status_code code, mirt_string_view message);
  void (*log)(mirt_log_level level, const char* source, const char* message);
  /* The network-definition calls of mirt/network.h, for parsers. */
  mirt_status (*network_add_input)(mirt_network* network, mirt_string_view name, mirt_dtype dtype, size_t rank,
                                   const int64_t* dims, const mirt_string_view* dim_names, mirt_tensor** out_tensor);
  mirt_status (*network_add_constant)(mirt_network* network, mirt_string_view name, mirt_dtype dtype, size_t rank,
                                      const int64_t* dims, const void* data, size_t data_size,
                                      mirt_tensor** out_tensor);
  mirt_status (*network_add_layer)(mirt_network* network, const mirt_layer_desc* desc, mirt_tensor** out_outputs);
  mirt_status (*network_mark_output)(mirt_network* network, mirt_tensor* tensor);
  mirt_status (*network_find_tensor)(const mirt_network* network, mirt_string_view name, mirt_tensor** out_tensor);
  /* Reading and releasing statuses the host returned (mirt/base.h). */
  mirt_status_code (*status_get_code)(mirt_status status);
  const char* (*status_get_message)(mirt_status status);
  void (*status_destroy)(mirt_status status);
  /* since 0.1 (control flow): bodies of control-flow layers (mirt/network.h). */
  mirt_status (*network_create_body)(mirt_network* parent, mirt_string_view name, mirt_network** out_body);
  mirt_status (*network_add_body_input)(mirt_network* body, mirt_string_view name, mirt_tensor** out_tensor);
  void (*network_destroy)(mirt_network* network);
  /* since 0.1 (output checks): inferred types of a network definition (mirt/network.h), so that a
   * parser can check the types and shapes its format declares for the outputs. */
  mirt_status (*network_infer_types)(mirt_network* network);
  mirt_dtype (*tensor_get_dtype)(const mirt_tensor* tensor);
  size_t (*tensor_get_dims)(const mirt_tensor* tensor, int64_t* out_dims);
} mirt_host_api;

/* What mirt_module_entry returns. Static storage in the module. */
typedef struct mirt_module_desc {
  uint32_t struct_size;
  uint32_t abi_version;    /* MIRT_ABI_VERSION the module was compiled against */
  const char* name;        /* unique among installed modules of its kind: "cpu", "onnx" */
  const char* version;     /* the module's own semantic version */
  mirt_module_kind kind;
  const char* description; /* one line for `mirt modules` */
  /* (optional) 0 when the module cannot work on this machine (no GPU, no driver); higher wins when
   * the user does not name a module. Must be cheap and must not create a device. Default: 1. */
  int32_t (*score)(void);
  const void* vtable; /* the kind's vtable, see mirt_module_kind */
} mirt_module_desc;

/* The one symbol a module exports. host_abi_version is the host's MIRT_ABI_VERSION; a module that
 * cannot serve it may return NULL (the registry then names both versions). */
typedef const mirt_module_desc* (*mirt_module_entry_fn)(uint32_t host_abi_version, const mirt_host_api* host);
#define MIRT_MODULE_ENTRY_SYMBOL "mirt_module_entry"

/* The table of a plugin library: its layer plugin creators (mirt/plugin.h). */
struct mirt_plugin_creator;
typedef struct mirt_plugin_library_vtable {
  uint32_t struct_size;
  /* since 0.1 */
  /* Writes the library's creators (static storage) and their count. Called once, when the
   * library is loaded; the registry refuses a creator whose name, version and namespace another
   * registered creator has. */
  mirt_status (*get_creators)(const struct mirt_plugin_creator* const** out_creators, size_t* out_count);
} mirt_plugin_library_vtable;

/* Reserved tables of the kinds filled by later releases. Their struct_size is checked already. */
typedef struct mirt_calibrator_vtable {
  uint32_t struct_size;
} mirt_calibrator_vtable;
typedef struct mirt_refitter_vtable {
  uint32_t struct_size;
} mirt_refitter_vtable;

#ifdef __cplusplus
}
#endif

#endif /* MIRT_MODULE_H */
