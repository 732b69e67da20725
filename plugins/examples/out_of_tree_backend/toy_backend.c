/* plugins/examples/out_of_tree_backend/toy_backend.c — a whole kernel backend outside the mirt tree,
 * in C99 against the installed headers only (pkg-config mirt), selected with `--backend toy`.
 *
 * It runs float32 Relu, Add, Sub and Mul (same-shape operands, or a scalar second operand) on host
 * memory: enough to show that a backend is swapped without touching the core. Build and install:
 *
 *   cc -std=c99 -shared -fPIC $(pkg-config --cflags mirt) toy_backend.c -o libmirt_backend_toy.so
 *   cp libmirt_backend_toy.so toy.mirt-module.json <a folder on MIRT_MODULE_PATH>
 *   mirt exec --onnx model.onnx --backend toy
 */
#define _POSIX_C_SOURCE 200112L /* posix_memalign */
#include <stdlib.h>
#include <string.h>

#include "mirt/backend.h"
#include "mirt/module.h"

static const mirt_host_api* g_host;

static mirt_status fail(mirt_status_code code, const char* message) {
  mirt_string_view v;
  v.data = message;
  v.length = strlen(message);
  return g_host->status_create(code, v);
}

static int is(mirt_string_view s, const char* text) { return s.length == strlen(text) && memcmp(s.data, text, s.length) == 0; }

typedef enum toy_op { TOY_RELU = 1, TOY_ADD, TOY_SUB, TOY_MUL } toy_op;

static toy_op op_of(const mirt_node_info* node) {
  if (node->domain.length != 0 && !is(node->domain, "ai.onnx")) return 0;
  if (is(node->op_type, "Relu")) return TOY_RELU;
  if (is(node->op_type, "Add")) return TOY_ADD;
  if (is(node->op_type, "Sub")) return TOY_SUB;
  if (is(node->op_type, "Mul")) return TOY_MUL;
  return 0;
}

static size_t count(const mirt_tensor_desc* d) {
  size_t n = 1;
  uint32_t i;
  for (i = 0; i < d->rank; ++i) n *= (size_t)(d->dims[i] < 0 ? 0 : d->dims[i]);
  return n;
}

/* Whether the second operand is the first's shape (dims may be -1 while building) or one element. */
static int operands_fit(const mirt_node_info* node) {
  const mirt_tensor_desc *a = &node->inputs[0], *b = &node->inputs[1];
  uint32_t i;
  if (count(b) == 1 && b->rank <= a->rank) {
    for (i = 0; i < b->rank; ++i)
      if (b->dims[i] != 1) return 0;
    return 1;
  }
  if (a->rank != b->rank) return 0;
  for (i = 0; i < a->rank; ++i)
    if (a->dims[i] != b->dims[i]) return 0;
  return 1;
}

static mirt_status get_tactics(const mirt_node_info* node, mirt_tactic_info* out, uint32_t capacity, uint32_t* out_count) {
  toy_op op = op_of(node);
  size_t i;
  *out_count = 0;
  if (!op) return fail(MIRT_STATUS_UNSUPPORTED, "the toy backend runs only Relu, Add, Sub and Mul");
  for (i = 0; i < node->num_inputs; ++i)
    if (node->inputs[i].dtype != MIRT_DTYPE_FLOAT32) return fail(MIRT_STATUS_UNSUPPORTED, "the toy backend runs float32 only");
  if (op != TOY_RELU && !operands_fit(node))
    return fail(MIRT_STATUS_UNSUPPORTED, "the toy backend's binary ops need equal shapes or a scalar second operand");
  if (capacity > 0) {
    memset(out, 0, sizeof(*out));
    out[0].id = (uint64_t)op;
    strcpy(out[0].name, "toy_loop");
  }
  *out_count = 1;
  return NULL;
}

static mirt_status kernel_create(const mirt_node_info* node, uint64_t tactic, mirt_kernel** out_kernel) {
  toy_op* k;
  if (tactic != (uint64_t)op_of(node)) return fail(MIRT_STATUS_NOT_FOUND, "unknown toy tactic; rebuild the plan");
  k = (toy_op*)malloc(sizeof(toy_op));
  if (!k) return fail(MIRT_STATUS_OUT_OF_MEMORY, "toy backend: out of memory");
  *k = (toy_op)tactic;
  *out_kernel = (mirt_kernel*)k;
  return NULL;
}

static mirt_status kernel_execute(const mirt_kernel* kernel, const mirt_kernel_io* io) {
  const toy_op op = *(const toy_op*)kernel;
  const float* a = (const float*)io->input_data[0];
  const float* b = op == TOY_RELU ? NULL : (const float*)io->input_data[1];
  const size_t step = b && count(&io->inputs[1]) == 1 ? 0 : 1;
  float* y = (float*)io->output_data[0];
  size_t i, n = count(&io->outputs[0]);
  for (i = 0; i < n; ++i) {
    switch (op) {
      case TOY_RELU: y[i] = a[i] > 0 ? a[i] : 0; break;
      case TOY_ADD: y[i] = a[i] + b[i * step]; break;
      case TOY_SUB: y[i] = a[i] - b[i * step]; break;
      default: y[i] = a[i] * b[i * step]; break;
    }
  }
  return NULL;
}

static void kernel_destroy(mirt_kernel* kernel) { free(kernel); }

static mirt_status memory_alloc(size_t size, void** out_ptr) {
  void* p = NULL;
  if (posix_memalign(&p, 64, size ? size : 64) != 0) return fail(MIRT_STATUS_OUT_OF_MEMORY, "toy backend: out of host memory");
  *out_ptr = p;
  return NULL;
}

static void memory_free(void* ptr) { free(ptr); }

static mirt_status memory_copy(void* dst, const void* src, size_t size, mirt_copy_kind kind, void* stream) {
  (void)kind;
  (void)stream;
  if (size) memmove(dst, src, size);
  return NULL;
}

static const char* device_signature(void) { return "host"; }

static const mirt_backend_vtable vtable = {sizeof(mirt_backend_vtable), device_signature, get_tactics, kernel_create,
                                           NULL, kernel_execute, kernel_destroy, memory_alloc, memory_free, memory_copy,
                                           NULL, MIRT_TENSOR_LOCATION_HOST};
static const mirt_module_desc descriptor = {sizeof(mirt_module_desc), MIRT_ABI_VERSION, "toy", "0.1.0",
                                            MIRT_MODULE_KIND_BACKEND, "out-of-tree example backend (Relu, Add, Sub, Mul)",
                                            NULL, &vtable};

MIRT_EXPORT const mirt_module_desc* mirt_module_entry(uint32_t host_abi_version, const mirt_host_api* host) {
  if (host_abi_version != MIRT_ABI_VERSION || host == NULL) return NULL;
  g_host = host;
  return &descriptor;
}
