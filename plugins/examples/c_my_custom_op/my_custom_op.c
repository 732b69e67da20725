/* plugins/examples/c_my_custom_op/my_custom_op.c — a layer plugin in plain C99, against the public
 * headers only: op `MyCustomOp` in namespace `com.example`, version 1,
 *
 *     y = alpha * tanh(x) + beta        (float32, any shape)
 *
 * with fields alpha (float, required) and beta (float, default 0). It offers two tactics on the CPU
 * backend (a plain loop and a 4-way unrolled one) that the builder times. docs/plugins.md explains
 * each part. Build: cc -shared -fPIC $(pkg-config --cflags mirt) my_custom_op.c -o libmy_custom_op.so -lm
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mirt/plugin.h"

static const mirt_host_api* g_host; /* set by mirt_module_entry: makes statuses */

static mirt_string_view sv(const char* s) {
  mirt_string_view v;
  v.data = s;
  v.length = strlen(s);
  return v;
}

static mirt_status fail(mirt_status_code code, const char* message) {
  return g_host->status_create(code, sv(message));
}

/* ---- The plugin object: its fields, and the storage serialize_fields hands out ------------------ */

typedef struct my_op {
  float alpha, beta;
  float saved[2];
  mirt_attribute fields[2];
} my_op;

static const char* op_name(const void* self) { (void)self; return "MyCustomOp"; }
static const char* op_version(const void* self) { (void)self; return "1"; }
static const char* op_namespace(const void* self) { (void)self; return "com.example"; }

static const mirt_plugin_core_vtable core_table;
static const mirt_plugin_build_vtable build_table;
static const mirt_plugin_runtime_vtable runtime_table;

static mirt_status make(float alpha, float beta, mirt_plugin* out) {
  my_op* op = (my_op*)calloc(1, sizeof(my_op));
  if (!op) return fail(MIRT_STATUS_OUT_OF_MEMORY, "MyCustomOp: out of memory");
  op->alpha = alpha;
  op->beta = beta;
  out->self = op;
  out->core = &core_table;
  out->build = &build_table;
  out->runtime = &runtime_table;
  return NULL;
}

static mirt_status op_clone(const void* self, mirt_plugin* out) {
  const my_op* op = (const my_op*)self;
  return make(op->alpha, op->beta, out);
}

static void op_destroy(void* self) { free(self); }

static const mirt_plugin_core_vtable core_table = {sizeof(mirt_plugin_core_vtable), op_name, op_version,
                                                   op_namespace, op_clone, op_destroy};

/* ---- Build: one float32 output shaped like the input --------------------------------------------- */

static size_t num_outputs(const void* self) { (void)self; return 1; }

static mirt_status output_dtypes(const void* self, const mirt_dtype* in, size_t num_in, mirt_dtype* out, size_t num_out) {
  (void)self;
  if (num_in != 1 || num_out != 1) return fail(MIRT_STATUS_INVALID_GRAPH, "MyCustomOp takes one input and one output");
  out[0] = in[0];
  return NULL;
}

static mirt_status output_shapes(const void* self, const mirt_tensor_desc* in, size_t num_in, mirt_tensor_desc* out,
                                 size_t num_out) {
  (void)self;
  (void)num_in;
  (void)num_out;
  out[0].rank = in[0].rank;
  memcpy(out[0].dims, in[0].dims, sizeof(in[0].dims));
  return NULL;
}

static int32_t supports_dtypes(const void* self, const mirt_dtype* in, size_t num_in, const mirt_dtype* out,
                               size_t num_out) {
  (void)self;
  return num_in == 1 && num_out == 1 && in[0] == MIRT_DTYPE_FLOAT32 && out[0] == MIRT_DTYPE_FLOAT32;
}

static const mirt_plugin_build_vtable build_table = {
    sizeof(mirt_plugin_build_vtable), num_outputs, output_dtypes, output_shapes, supports_dtypes, NULL, NULL};

/* ---- Runtime: two tactics through the backend kernel interface ----------------------------------- */

enum { TACTIC_LOOP = 1, TACTIC_UNROLLED = 2 };

typedef struct my_kernel {
  float alpha, beta;
  int unrolled;
} my_kernel;

static mirt_status get_tactics(const void* self, mirt_string_view backend, const mirt_node_info* node,
                               mirt_tactic_info* out, uint32_t capacity, uint32_t* out_count) {
  (void)self;
  (void)node;
  *out_count = 0;
  if (backend.length != 3 || memcmp(backend.data, "cpu", 3) != 0)
    return fail(MIRT_STATUS_UNSUPPORTED, "MyCustomOp has kernels for the cpu backend only");
  if (capacity >= 2) {
    memset(out, 0, 2 * sizeof(*out));
    out[0].id = TACTIC_UNROLLED;
    strcpy(out[0].name, "my_custom_op_unrolled4");
    out[1].id = TACTIC_LOOP;
    strcpy(out[1].name, "my_custom_op_loop");
  }
  *out_count = 2;
  return NULL;
}

static mirt_status kernel_create(const void* self, mirt_string_view backend, const mirt_node_info* node,
                                 uint64_t tactic, mirt_kernel** out_kernel) {
  const my_op* op = (const my_op*)self;
  my_kernel* k;
  (void)backend;
  (void)node;
  if (tactic != TACTIC_LOOP && tactic != TACTIC_UNROLLED)
    return fail(MIRT_STATUS_NOT_FOUND, "MyCustomOp: unknown tactic; rebuild the plan");
  k = (my_kernel*)malloc(sizeof(my_kernel));
  if (!k) return fail(MIRT_STATUS_OUT_OF_MEMORY, "MyCustomOp: out of memory");
  k->alpha = op->alpha;
  k->beta = op->beta;
  k->unrolled = tactic == TACTIC_UNROLLED;
  *out_kernel = (mirt_kernel*)k;
  return NULL;
}

static mirt_status kernel_execute(const mirt_kernel* kernel, const mirt_kernel_io* io) {
  const my_kernel* k = (const my_kernel*)kernel;
  const float* x = (const float*)io->input_data[0];
  float* y = (float*)io->output_data[0];
  size_t n = 1, i = 0;
  uint32_t d;
  for (d = 0; d < io->inputs[0].rank; ++d) n *= (size_t)io->inputs[0].dims[d];
  if (k->unrolled)
    for (; i + 4 <= n; i += 4) {
      y[i] = k->alpha * tanhf(x[i]) + k->beta;
      y[i + 1] = k->alpha * tanhf(x[i + 1]) + k->beta;
      y[i + 2] = k->alpha * tanhf(x[i + 2]) + k->beta;
      y[i + 3] = k->alpha * tanhf(x[i + 3]) + k->beta;
    }
  for (; i < n; ++i) y[i] = k->alpha * tanhf(x[i]) + k->beta;
  return NULL;
}

static void kernel_destroy(mirt_kernel* kernel) { free(kernel); }

static mirt_status serialize_fields(const void* self, const mirt_attribute** out, size_t* count) {
  my_op* op = (my_op*)self; /* the storage is the plugin's own; the header allows writing it here */
  op->saved[0] = op->alpha;
  op->saved[1] = op->beta;
  memset(op->fields, 0, sizeof(op->fields));
  op->fields[0].name = sv("alpha");
  op->fields[1].name = sv("beta");
  op->fields[0].type = op->fields[1].type = MIRT_ATTRIBUTE_TYPE_FLOAT;
  op->fields[0].count = op->fields[1].count = 1;
  op->fields[0].floats = &op->saved[0];
  op->fields[1].floats = &op->saved[1];
  *out = op->fields;
  *count = 2;
  return NULL;
}

static const mirt_plugin_runtime_vtable runtime_table = {sizeof(mirt_plugin_runtime_vtable), get_tactics,
                                                         kernel_create, NULL, kernel_execute, kernel_destroy,
                                                         serialize_fields};

/* ---- The creator: field list and create ---------------------------------------------------------- */

static const mirt_plugin_field_spec fields[] = {
    {"alpha", MIRT_ATTRIBUTE_TYPE_FLOAT, 0, 1},
    {"beta", MIRT_ATTRIBUTE_TYPE_FLOAT, 0, 0},
};

static mirt_status create(const mirt_plugin_creator* creator, const mirt_attribute* given, size_t count,
                          mirt_plugin* out) {
  float alpha = 1.0f, beta = 0.0f;
  size_t i;
  (void)creator;
  for (i = 0; i < count; ++i) { /* mirt checked names and types against `fields` already */
    if (given[i].name.length == 5 && memcmp(given[i].name.data, "alpha", 5) == 0) alpha = given[i].floats[0];
    if (given[i].name.length == 4 && memcmp(given[i].name.data, "beta", 4) == 0) beta = given[i].floats[0];
  }
  return make(alpha, beta, out);
}

static const mirt_plugin_creator creator = {sizeof(mirt_plugin_creator), "MyCustomOp", "1", "com.example",
                                            "y = alpha * tanh(x) + beta (the C example plugin)", 2, fields, create,
                                            NULL};
static const mirt_plugin_creator* const creators[] = {&creator};

/* ---- The library: one exported symbol ------------------------------------------------------------ */

static mirt_status get_creators(const struct mirt_plugin_creator* const** out, size_t* count) {
  *out = creators;
  *count = 1;
  return NULL;
}

static const mirt_plugin_library_vtable library = {sizeof(mirt_plugin_library_vtable), get_creators};

/* The tests build copies of this file under another name or ABI version (tests/plugins). */
#ifndef MY_MODULE_NAME
#  define MY_MODULE_NAME "example_c_plugins"
#endif
#ifndef MY_MODULE_ABI
#  define MY_MODULE_ABI MIRT_ABI_VERSION
#endif
static const mirt_module_desc descriptor = {sizeof(mirt_module_desc), MY_MODULE_ABI, MY_MODULE_NAME, "1.0.0",
                                            MIRT_MODULE_KIND_PLUGIN_LIBRARY, "the C example plugin library", NULL,
                                            &library};

MIRT_EXPORT const mirt_module_desc* mirt_module_entry(uint32_t host_abi_version, const mirt_host_api* host) {
  if (host_abi_version != MIRT_ABI_VERSION || host == NULL) return NULL;
  g_host = host;
  return &descriptor;
}
