/* mirt/plugin.h — layer plugins: ops that mirt does not know, supplied by a shared library.
 *
 * A plugin library is a module (mirt/module.h) of kind MIRT_MODULE_KIND_PLUGIN_LIBRARY: it exports
 * mirt_module_entry, whose descriptor's vtable is a mirt_plugin_library_vtable listing its creators.
 * docs/plugins.md walks through writing one in C or C++ against this header only.
 *
 * A creator (mirt_plugin_creator) makes plugin objects for one op: name (the op type), namespace
 * (the ONNX domain or the layer desc's domain) and version. Its field list tells tools what the op
 * takes; the fields a creator receives are a layer's attributes (mirt_attribute).
 *
 * A plugin object (mirt_plugin) is split by capability, as TensorRT's IPluginV3:
 *   - core:    name, version, namespace, clone, destroy;
 *   - build:   output count, dtypes and shapes for given input shapes (or shapes as expressions
 *              over the input dims), supported dtypes, workspace size, configure;
 *   - runtime: tactics and kernels through the same kernel interface backends implement
 *              (mirt/backend.h, DESIGN.md §4), so a plugin may offer several tactics that the builder
 *              times, and the fields it wants serialized into the plan.
 *
 * Versioning: every struct starts with struct_size; the host reads only the members that fit in it,
 * so a plugin built against an older header (fewer members) still loads. Members marked (optional)
 * may be NULL. Members are appended at the end under a "since x.y" comment, never changed.
 *
 * Errors: calls return a mirt_status made through the host api handed to mirt_module_entry
 * (host->status_create); the message should name what is wrong. mirt catches C++ exceptions that
 * escape a plugin call and reports them naming the plugin, but plugins should not throw.
 *
 * Threading: creators may be called from several threads at once. One plugin object is used by one
 * thread at a time. kernel_execute follows mirt/backend.h: it may run concurrently on one kernel.
 */
#ifndef MIRT_PLUGIN_H
#define MIRT_PLUGIN_H

#include "mirt/backend.h"
#include "mirt/base.h"
#include "mirt/module.h"
#include "mirt/network.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Fields --------------------------------------------------------------------------------- */

/* One field a creator takes: a layer attribute of this name and type. */
typedef struct mirt_plugin_field_spec {
  const char* name;
  mirt_attribute_type type;
  size_t length;    /* number of values a list field must hold; 0 for any (and for scalars) */
  int32_t required; /* 1 when a layer must give it */
} mirt_plugin_field_spec;

/* ---- The plugin object ---------------------------------------------------------------------- */

typedef struct mirt_plugin mirt_plugin;

/* Core capability. self is mirt_plugin::self. */
typedef struct mirt_plugin_core_vtable {
  uint32_t struct_size;
  /* since 0.1 */
  /* Name, version and namespace; equal to the creator's. Static storage or owned by self. */
  const char* (*name)(const void* self);
  const char* (*version)(const void* self);
  const char* (*plugin_namespace)(const void* self);
  /* Fills out_clone (struct_size set by the host) with an independent copy of self. */
  mirt_status (*clone)(const void* self, mirt_plugin* out_clone);
  /* Frees self. Called once per plugin object, after every kernel it created is destroyed. */
  void (*destroy)(void* self);
} mirt_plugin_core_vtable;

/* ---- Output shapes as expressions ------------------------------------------------------------ */

/* One output dimension as an expression over the layer's input dims: a constant, an input's dim,
 * or an operation on two expressions. Made by a mirt_dim_expr_builder, which owns it; valid during
 * the get_output_shape_exprs call that received the builder. */
typedef struct mirt_dim_expr mirt_dim_expr;

typedef enum mirt_dim_op {
  MIRT_DIM_OP_SUM = 0,       /* a + b */
  MIRT_DIM_OP_SUB = 1,       /* a - b */
  MIRT_DIM_OP_PROD = 2,      /* a * b */
  MIRT_DIM_OP_FLOOR_DIV = 3, /* floor(a / b) */
  MIRT_DIM_OP_CEIL_DIV = 4,  /* ceil(a / b) */
  MIRT_DIM_OP_MAX = 5,
  MIRT_DIM_OP_MIN = 6,
  MIRT_DIM_OP_FORCE32 = 0x7FFFFFFF
} mirt_dim_op;

/* Makes dim expressions during one get_output_shape_exprs call; owned by mirt. Each function
 * returns NULL for arguments it cannot take (an input or axis the layer does not have, a NULL
 * operand, an unknown op); mirt then fails the layer with a message naming the first such call,
 * so a plugin may pass the NULL on without checking. Not thread-safe: used by the calling thread. */
typedef struct mirt_dim_expr_builder {
  uint32_t struct_size;
  /* since 0.1 */
  void* self; /* pass to every function */
  const mirt_dim_expr* (*constant)(void* self, int64_t value);
  /* Dim `axis` of input `input` (the layer's input order). */
  const mirt_dim_expr* (*input_dim)(void* self, uint32_t input, uint32_t axis);
  const mirt_dim_expr* (*operation)(void* self, mirt_dim_op op, const mirt_dim_expr* a, const mirt_dim_expr* b);
} mirt_dim_expr_builder;

/* The shape of one output: rank expressions. */
typedef struct mirt_output_shape_expr {
  uint32_t rank;
  const mirt_dim_expr* dims[MIRT_MAX_RANK];
} mirt_output_shape_expr;

/* Build capability. Shapes use mirt_tensor_desc: dims are -1 where unknown. The core calls
 * get_output_shapes for every shape it needs: the declared (symbolic) shapes, each profile's
 * min/opt/max at build time, and the actual shapes at run time. */
typedef struct mirt_plugin_build_vtable {
  uint32_t struct_size;
  /* since 0.1 */
  /* Number of outputs the op has. */
  size_t (*num_outputs)(const void* self);
  /* Output dtypes for these input dtypes (UNDEFINED marks an omitted optional input). */
  mirt_status (*get_output_dtypes)(const void* self, const mirt_dtype* inputs, size_t num_inputs, mirt_dtype* outputs,
                                   size_t num_outputs);
  /* Output ranks and dims for these input shapes. Where an input dim is -1 an output dim may be -1;
   * with all input dims known every output dim must be known. Dtypes in outputs are already set. */
  mirt_status (*get_output_shapes)(const void* self, const mirt_tensor_desc* inputs, size_t num_inputs,
                                   mirt_tensor_desc* outputs, size_t num_outputs);
  /* (optional) 1 when the plugin runs with these input and output dtypes, else 0. Default: 1. */
  int32_t (*supports_dtypes)(const void* self, const mirt_dtype* inputs, size_t num_inputs, const mirt_dtype* outputs,
                             size_t num_outputs);
  /* (optional) Workspace bytes at these (largest) shapes. The builder refuses a plugin that asks for
   * more than the builder config's memory limit. Default: 0. What a context allocates is what the
   * runtime table's kernel_workspace_size returns: answer both alike. */
  size_t (*workspace_size)(const void* self, const mirt_tensor_desc* inputs, size_t num_inputs,
                           const mirt_tensor_desc* outputs, size_t num_outputs);
  /* (optional) Tells the plugin the types and shapes it will see (-1 for dims that vary). */
  mirt_status (*configure)(void* self, const mirt_tensor_desc* inputs, size_t num_inputs,
                           const mirt_tensor_desc* outputs, size_t num_outputs);
  /* since 0.1, appended (a plugin built before these members still loads) */
  /* (optional) Output ranks and dims as expressions over the input dims (what TensorRT's
   * IPluginV3 getOutputShapes answers with IExprBuilder). inputs give the dtypes, ranks and the dims
   * known at this point (-1 where dynamic); build the same expressions whatever the dims are. mirt
   * evaluates them wherever it needs shapes: symbolically over dynamic dims at build time (an output
   * dim then carries a symbol made of the input dims' names, e.g. "(((samples-400)/160)+1)", that
   * equal expressions share), at each profile point, and with the actual dims at each run. An
   * expression whose value is negative, or divides by zero, at the shapes given fails the layer
   * naming the output, the dim and the expression. When set, mirt calls it instead of
   * get_output_shapes, which may then be NULL. */
  mirt_status (*get_output_shape_exprs)(const void* self, const mirt_tensor_desc* inputs, size_t num_inputs,
                                        mirt_dim_expr_builder* exprs, mirt_output_shape_expr* outputs,
                                        size_t num_outputs);
} mirt_plugin_build_vtable;

/* Runtime capability: the kernel half of mirt_backend_vtable (mirt/backend.h) with the plugin as
 * first argument of get_tactics and kernel_create. backend names the backend the plan is built for
 * ("cpu", "cuda"): buffers in mirt_kernel_io live in that backend's memory and stream is its stream.
 * A plugin that has no kernel for a backend returns UNSUPPORTED from get_tactics, saying so. The
 * node's attributes are the plugin's fields; kernels may keep pointers into self (the core destroys
 * every kernel before the plugin object that created it). */
typedef struct mirt_plugin_runtime_vtable {
  uint32_t struct_size;
  /* since 0.1 */
  mirt_status (*get_tactics)(const void* self, mirt_string_view backend, const mirt_node_info* node,
                             mirt_tactic_info* out_tactics, uint32_t capacity, uint32_t* out_count);
  mirt_status (*kernel_create)(const void* self, mirt_string_view backend, const mirt_node_info* node,
                               uint64_t tactic, mirt_kernel** out_kernel);
  /* (optional) as in mirt_backend_vtable. */
  size_t (*kernel_workspace_size)(const mirt_kernel* kernel, const mirt_tensor_desc* inputs,
                                  const mirt_tensor_desc* outputs);
  mirt_status (*kernel_execute)(const mirt_kernel* kernel, const mirt_kernel_io* io);
  void (*kernel_destroy)(mirt_kernel* kernel);
  /* The fields to record in the plan (as the layer's attributes); the creator given them back makes
   * an equal plugin. The array
   * and what it points to are owned by self and valid until the next call on self. */
  mirt_status (*serialize_fields)(const void* self, const mirt_attribute** out_fields, size_t* out_count);
} mirt_plugin_runtime_vtable;

/* A plugin object: the plugin's state and its capability tables. The host allocates it, sets
 * struct_size and zeroes the rest; the creator (or clone) fills what it knows. */
struct mirt_plugin {
  uint32_t struct_size;
  /* since 0.1 */
  void* self;
  const mirt_plugin_core_vtable* core;
  const mirt_plugin_build_vtable* build;
  const mirt_plugin_runtime_vtable* runtime;
};

/* ---- Creators ------------------------------------------------------------------------------- */

typedef struct mirt_plugin_creator mirt_plugin_creator;

/* Makes plugin objects of one op. Static storage in the library (or owned by the application that
 * registers it), valid while the library is loaded. */
struct mirt_plugin_creator {
  uint32_t struct_size;
  /* since 0.1 */
  const char* name;             /* the op type, e.g. "MyCustomOp" */
  const char* version;          /* e.g. "1" */
  const char* plugin_namespace; /* the op's domain, e.g. "com.example"; not "" or "ai.onnx" */
  const char* description;      /* one line for `mirt modules --plugins` */
  size_t num_fields;
  const mirt_plugin_field_spec* fields;
  /* Fills out_plugin (struct_size set by the host) for these fields, which the host has checked
   * against the field list. fields and what they point to are valid during the call only. */
  mirt_status (*create)(const mirt_plugin_creator* creator, const mirt_attribute* fields, size_t num_fields,
                        mirt_plugin* out_plugin);
  void* user_data; /* the creator's own; mirt never reads it */
};

#ifdef __cplusplus
}
#endif

#endif /* MIRT_PLUGIN_H */
