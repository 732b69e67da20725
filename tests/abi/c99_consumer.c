/* tests/abi/c99_consumer.c — a plain C99 user of the public C ABI, end to end on the CPU backend.
 *
 * Built with -std=c99 -pedantic -Wall -Wextra -Werror against libmirt and mirt/mirt.h only. It checks
 * the versions, builds a small network through the generic layer call (Gemm with transB and alpha,
 * Relu, Concat, Reshape by an int64 constant, Softmax axis=-1), builds a plan with a batch profile for
 * the "cpu" backend, saves and reloads it, runs two contexts of one engine with different batch sizes
 * against a float64 reference computed here, and checks error codes and messages.
 *
 * MIRT_TEST_TMP_DIR (set by tests/abi/meson.build) is a folder the test may write its plan file to.
 * Exit status: 0 when every check passed, 1 otherwise.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mirt/mirt.h"

#ifndef MIRT_TEST_TMP_DIR
#define MIRT_TEST_TMP_DIR "."
#endif

/* ---- Checks ------------------------------------------------------------------------------------ */

static int g_passed = 0;
static int g_failed = 0;

static int check(int ok, const char* what) {
  if (ok) {
    ++g_passed;
  } else {
    ++g_failed;
    printf("FAIL: %s\n", what);
  }
  return ok;
}

/* Passes when status is NULL (success); otherwise prints its code and message. Destroys status. */
static int check_ok(mirt_status status, const char* what) {
  if (status != NULL) {
    printf("FAIL: %s: %s: %s\n", what, mirt_status_code_name(mirt_status_get_code(status)),
           mirt_status_get_message(status));
    mirt_status_destroy(status);
    ++g_failed;
    return 0;
  }
  ++g_passed;
  return 1;
}

/* Passes when status carries code and its message contains needle (NULL: any message). */
static int check_error(mirt_status status, mirt_status_code code, const char* needle, const char* what) {
  int ok = status != NULL && mirt_status_get_code(status) == code &&
           (needle == NULL || strstr(mirt_status_get_message(status), needle) != NULL);
  if (!ok)
    printf("FAIL: %s: expected %s with \"%s\", got %s: \"%s\"\n", what, mirt_status_code_name(code),
           needle ? needle : "", mirt_status_code_name(mirt_status_get_code(status)), mirt_status_get_message(status));
  mirt_status_destroy(status);
  return check(ok, what) ? 1 : 0;
}

static mirt_string_view sv(const char* s) { return mirt_string_view_of(s); }

static int sv_equals(mirt_string_view a, const char* b) {
  return a.length == strlen(b) && (a.length == 0 || memcmp(a.data, b, a.length) == 0);
}

/* ---- The model ----------------------------------------------------------------------------------
 *
 *   features [batch, 4] --Gemm(W [3, 4], b [3]; transB=1, alpha=0.5)--> fc [batch, 3]
 *   fc --Relu--> act [batch, 3]                                   (output 2)
 *   (act, fc) --Concat(axis=1)--> joined [batch, 6]
 *   joined --Reshape(shape = int64 {-1, 2, 3})--> rows [batch, 2, 3]
 *   rows --Softmax(axis=-1)--> probs [batch, 2, 3]                (output 1)
 */

enum { K_IN = 4, K_HIDDEN = 3, K_MIN_BATCH = 1, K_OPT_BATCH = 4, K_MAX_BATCH = 8 };
static const float k_alpha = 0.5f;

static float g_w[K_HIDDEN * K_IN];
static float g_b[K_HIDDEN];

/* Deterministic values in [-1, 1). */
static void fill(float* out, size_t n, unsigned seed) {
  unsigned long state = 2463534242ul + seed;
  size_t i;
  for (i = 0; i < n; ++i) {
    state = (state * 1103515245ul + 12345ul) & 0x7FFFFFFFul;
    out[i] = (float)((double)state / 1073741824.0 - 1.0);
  }
}

static mirt_attribute int_attr(const char* name, const int64_t* value) {
  mirt_attribute a;
  memset(&a, 0, sizeof a);
  a.name = sv(name);
  a.type = MIRT_ATTRIBUTE_TYPE_INT;
  a.count = 1;
  a.ints = value;
  return a;
}

static mirt_attribute float_attr(const char* name, const float* value) {
  mirt_attribute a;
  memset(&a, 0, sizeof a);
  a.name = sv(name);
  a.type = MIRT_ATTRIBUTE_TYPE_FLOAT;
  a.count = 1;
  a.floats = value;
  return a;
}

/* Adds one layer with one output (named after the layer); returns the output or NULL. */
static mirt_tensor* add_layer(mirt_network* net, const char* op, const char* name, size_t num_inputs,
                              mirt_tensor* const* inputs, size_t num_attributes, const mirt_attribute* attributes) {
  mirt_layer_desc desc = MIRT_LAYER_DESC_INIT;
  mirt_tensor* out = NULL;
  char what[128];
  desc.op_type = sv(op);
  desc.name = sv(name);
  desc.num_inputs = num_inputs;
  desc.inputs = inputs;
  desc.num_attributes = num_attributes;
  desc.attributes = attributes;
  snprintf(what, sizeof what, "add layer %s '%s'", op, name);
  check_ok(mirt_network_add_layer(net, &desc, &out), what);
  return out;
}

static mirt_network* make_network(void) {
  mirt_network_options options = MIRT_NETWORK_OPTIONS_INIT;
  mirt_network* net = NULL;
  mirt_tensor *x = NULL, *w = NULL, *b = NULL, *shape = NULL, *fc, *act, *joined, *rows, *probs;
  const int64_t x_dims[2] = {MIRT_DYNAMIC_DIM, K_IN};
  mirt_string_view dim_names[2];
  const int64_t w_dims[2] = {K_HIDDEN, K_IN}, b_dims[1] = {K_HIDDEN}, shape_dims[1] = {3};
  const int64_t shape_values[3] = {-1, 2, K_HIDDEN};
  const int64_t one = 1, axis_1 = 1, axis_last = -1;
  mirt_attribute gemm_attrs[2], concat_attr, softmax_attr;
  mirt_tensor* gemm_in[3];
  mirt_tensor* concat_in[2];
  mirt_tensor* reshape_in[2];

  options.name = sv("c99_consumer");
  if (!check_ok(mirt_network_create(&options, &net), "mirt_network_create")) return NULL;
  dim_names[0] = sv("batch");
  dim_names[1] = sv("");
  fill(g_w, K_HIDDEN * K_IN, 1);
  fill(g_b, K_HIDDEN, 2);
  check_ok(mirt_network_add_input(net, sv("features"), MIRT_DTYPE_FLOAT32, 2, x_dims, dim_names, &x), "add input");
  check_ok(mirt_network_add_constant(net, sv("W"), MIRT_DTYPE_FLOAT32, 2, w_dims, g_w, sizeof g_w, &w), "add W");
  check_ok(mirt_network_add_constant(net, sv("b"), MIRT_DTYPE_FLOAT32, 1, b_dims, g_b, sizeof g_b, &b), "add b");
  check_ok(mirt_network_add_constant(net, sv("rows_shape"), MIRT_DTYPE_INT64, 1, shape_dims, shape_values,
                                     sizeof shape_values, &shape),
           "add shape constant");

  gemm_attrs[0] = int_attr("transB", &one);
  gemm_attrs[1] = float_attr("alpha", &k_alpha);
  gemm_in[0] = x;
  gemm_in[1] = w;
  gemm_in[2] = b;
  fc = add_layer(net, "Gemm", "fc", 3, gemm_in, 2, gemm_attrs);
  act = add_layer(net, "Relu", "act", 1, &fc, 0, NULL);
  concat_attr = int_attr("axis", &axis_1);
  concat_in[0] = act;
  concat_in[1] = fc;
  joined = add_layer(net, "Concat", "joined", 2, concat_in, 1, &concat_attr);
  reshape_in[0] = joined;
  reshape_in[1] = shape;
  rows = add_layer(net, "Reshape", "rows", 2, reshape_in, 0, NULL);
  softmax_attr = int_attr("axis", &axis_last);
  probs = add_layer(net, "Softmax", "probs", 1, &rows, 1, &softmax_attr);
  check_ok(mirt_network_mark_output(net, probs), "mark probs");
  check_ok(mirt_network_mark_output(net, act), "mark act");

  check(mirt_network_num_inputs(net) == 1, "network has 1 input");
  check(mirt_network_num_outputs(net) == 2, "network has 2 outputs");
  check(mirt_network_num_layers(net) == 5, "network has 5 layers");
  {
    int64_t dims[MIRT_MAX_RANK];
    mirt_tensor* found = NULL;
    check(mirt_tensor_get_dims(x, dims) == 2 && dims[0] == -1 && dims[1] == K_IN, "input dims read back as -1 x 4");
    check(mirt_tensor_get_dtype(x) == MIRT_DTYPE_FLOAT32, "input dtype reads back");
    check(sv_equals(mirt_tensor_get_name(probs), "probs"), "a one-output layer's output is named after the layer");
    check_ok(mirt_network_find_tensor(net, sv("joined"), &found), "find tensor 'joined'");
    check(found == joined, "find_tensor returns the same handle");
    check(mirt_network_get_output(net, 1) == act, "outputs are in mark order");
    check(mirt_network_get_output(net, 2) == NULL, "an output index out of range gives NULL");
  }
  return net;
}

/* probs [batch, 2, 3] and act [batch, 3] in float64. */
static void reference(const float* x, int batch, double* probs, double* act) {
  int r, c, k, half;
  for (r = 0; r < batch; ++r) {
    double fc[K_HIDDEN], joined[2 * K_HIDDEN];
    for (c = 0; c < K_HIDDEN; ++c) {
      double dot = 0.0;
      for (k = 0; k < K_IN; ++k) dot += (double)x[r * K_IN + k] * (double)g_w[c * K_IN + k]; /* x @ W^T */
      fc[c] = (double)k_alpha * dot + (double)g_b[c];
      act[r * K_HIDDEN + c] = fc[c] > 0.0 ? fc[c] : 0.0;
      joined[c] = act[r * K_HIDDEN + c];
      joined[K_HIDDEN + c] = fc[c];
    }
    for (half = 0; half < 2; ++half) {
      const double* in = joined + half * K_HIDDEN;
      double* out = probs + (r * 2 + half) * K_HIDDEN;
      double top = in[0], sum = 0.0;
      for (c = 1; c < K_HIDDEN; ++c) top = in[c] > top ? in[c] : top;
      for (c = 0; c < K_HIDDEN; ++c) sum += exp(in[c] - top);
      for (c = 0; c < K_HIDDEN; ++c) out[c] = exp(in[c] - top) / sum;
    }
  }
}

/* Largest |a - b| / max(|b|, 1e-3). */
static double max_relative_error(const float* actual, const double* expected, size_t n) {
  double worst = 0.0;
  size_t i;
  for (i = 0; i < n; ++i) {
    double scale = fabs(expected[i]) > 1e-3 ? fabs(expected[i]) : 1e-3;
    double e = fabs((double)actual[i] - expected[i]) / scale;
    if (e != e) e = 1e30; /* NaN */
    worst = e > worst ? e : worst;
  }
  return worst;
}

/* ---- Sections ---------------------------------------------------------------------------------- */

static void check_versions(void) {
  check(strcmp(mirt_version(), MIRT_VERSION_STRING) == 0, "mirt_version() equals MIRT_VERSION_STRING");
  check(mirt_version_number() == MIRT_VERSION_NUMBER, "mirt_version_number() equals MIRT_VERSION_NUMBER");
  check(mirt_abi_version() == MIRT_ABI_VERSION, "mirt_abi_version() equals MIRT_ABI_VERSION");
  check(MIRT_VERSION_NUMBER == MIRT_VERSION_MAJOR * 1000000 + MIRT_VERSION_MINOR * 1000 + MIRT_VERSION_PATCH,
        "MIRT_VERSION_NUMBER is MAJOR*1e6 + MINOR*1e3 + PATCH");
  check(mirt_dtype_size(MIRT_DTYPE_FLOAT32) == 4 && mirt_dtype_size(MIRT_DTYPE_INT64) == 8 &&
            mirt_dtype_size(MIRT_DTYPE_UNDEFINED) == 0,
        "mirt_dtype_size");
  check(strcmp(mirt_dtype_name(MIRT_DTYPE_FLOAT32), "float32") == 0, "mirt_dtype_name");
  check(strcmp(mirt_attribute_type_name(MIRT_ATTRIBUTE_TYPE_FLOATS), "floats") == 0 &&
            strcmp(mirt_attribute_type_name((mirt_attribute_type)99), "undefined") == 0,
        "mirt_attribute_type_name");
  check(strcmp(mirt_status_code_name(MIRT_STATUS_INVALID_SHAPE), "INVALID_SHAPE") == 0, "mirt_status_code_name");
  check(strcmp(mirt_module_kind_name(MIRT_MODULE_KIND_BACKEND), "backend") == 0, "mirt_module_kind_name");
  check(mirt_string_view_of(NULL).length == 0, "mirt_string_view_of(NULL) is empty");
}

static void check_status_objects(void) {
  mirt_status s = mirt_status_create(MIRT_STATUS_OK, sv("ignored"));
  check(s == NULL, "mirt_status_create(OK) returns NULL");
  check(mirt_status_get_code(NULL) == MIRT_STATUS_OK, "the code of NULL is OK");
  check(strcmp(mirt_status_get_message(NULL), "") == 0, "the message of NULL is \"\"");
  s = mirt_status_create(MIRT_STATUS_NOT_FOUND, sv("tensor 'q' is missing"));
  check(mirt_status_get_code(s) == MIRT_STATUS_NOT_FOUND, "a created status keeps its code");
  check(strcmp(mirt_status_get_message(s), "tensor 'q' is missing") == 0, "a created status keeps its message");
  mirt_status_destroy(s);
}

static void check_destroy_null(void) {
  mirt_status_destroy(NULL);
  mirt_string_free(NULL);
  mirt_network_destroy(NULL);
  mirt_builder_config_destroy(NULL);
  mirt_plan_destroy(NULL);
  mirt_engine_destroy(NULL);
  mirt_context_destroy(NULL);
  check(1, "every *_destroy(NULL) is a no-op");
}

static void check_registry(void) {
  size_t i, n = mirt_registry_num_modules();
  int found_cpu = 0;
  for (i = 0; i < n; ++i) {
    mirt_module_info info = MIRT_MODULE_INFO_INIT;
    if (!check_ok(mirt_registry_get_module(i, &info), "mirt_registry_get_module")) continue;
    if (info.kind == MIRT_MODULE_KIND_BACKEND && sv_equals(info.name, "cpu")) {
      found_cpu = 1;
      check(info.compatible == 1 && info.abi_version == MIRT_ABI_VERSION, "the cpu module is compatible");
    }
  }
  check(found_cpu, "the registry lists the cpu backend (MIRT_MODULE_PATH)");
}

static mirt_plan* build_plan(const mirt_network* net) {
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  mirt_builder_config* config = NULL;
  mirt_plan* plan = NULL;
  size_t profile = 99;
  const int64_t lo[2] = {K_MIN_BATCH, K_IN}, opt[2] = {K_OPT_BATCH, K_IN}, hi[2] = {K_MAX_BATCH, K_IN};
  options.backend = sv("cpu");
  if (!check_ok(mirt_builder_config_create(&options, &config), "mirt_builder_config_create")) return NULL;
  check_ok(mirt_builder_config_add_profile(config, &profile), "add profile");
  check(profile == 0, "the first profile has index 0");
  check_ok(mirt_builder_config_set_profile_shape(config, profile, sv("features"), 2, lo, opt, hi), "set profile shape");
  check_ok(mirt_builder_build(net, config, &plan), "mirt_builder_build");
  mirt_builder_config_destroy(config);
  return plan;
}

static mirt_plan* save_and_reload(const mirt_plan* plan) {
  const char* path = MIRT_TEST_TMP_DIR "/abi_c99_consumer.mirt";
  mirt_plan* loaded = NULL;
  if (!check_ok(mirt_plan_save(plan, sv(path)), "mirt_plan_save")) return NULL;
  if (!check_ok(mirt_plan_load(sv(path), &loaded), "mirt_plan_load")) return NULL;
  check(mirt_plan_size(loaded) == mirt_plan_size(plan) &&
            memcmp(mirt_plan_data(loaded), mirt_plan_data(plan), mirt_plan_size(plan)) == 0,
        "the reloaded plan has the same bytes");
  remove(path);
  return loaded;
}

static void check_engine_io(const mirt_engine* engine) {
  mirt_tensor_info info = MIRT_TENSOR_INFO_INIT;
  size_t rank = 0;
  int64_t dims[MIRT_MAX_RANK];
  check(mirt_engine_num_io_tensors(engine) == 3, "the engine has 3 I/O tensors");
  if (check_ok(mirt_engine_get_io_tensor(engine, 0, &info), "get I/O tensor 0")) {
    check(sv_equals(info.name, "features") && info.is_input == 1, "I/O tensor 0 is the input 'features'");
    check(info.dtype == MIRT_DTYPE_FLOAT32, "input dtype is float32");
    check(info.rank == 2 && info.dims[0] == -1 && info.dims[1] == K_IN, "input shape is [-1, 4]");
    check(info.location == MIRT_TENSOR_LOCATION_HOST, "cpu I/O lives in host memory");
  }
  if (check_ok(mirt_engine_find_io_tensor(engine, sv("probs"), &info), "find I/O tensor 'probs'")) {
    check(info.is_input == 0 && info.dtype == MIRT_DTYPE_FLOAT32, "'probs' is a float32 output");
    check(info.rank == 3 && info.dims[0] == -1 && info.dims[1] == 2 && info.dims[2] == K_HIDDEN,
          "'probs' has shape [-1, 2, 3]");
  }
  if (check_ok(mirt_engine_find_io_tensor(engine, sv("act"), &info), "find I/O tensor 'act'"))
    check(info.is_input == 0 && info.rank == 2 && info.dims[0] == -1 && info.dims[1] == K_HIDDEN,
          "'act' is an output of shape [-1, 3]");
  check(mirt_engine_num_profiles(engine) == 1, "the engine has 1 profile");
  if (check_ok(mirt_engine_get_profile_shape(engine, 0, sv("features"), MIRT_PROFILE_SELECTOR_MIN, &rank, dims), "min"))
    check(rank == 2 && dims[0] == K_MIN_BATCH && dims[1] == K_IN, "profile min is [1, 4]");
  if (check_ok(mirt_engine_get_profile_shape(engine, 0, sv("features"), MIRT_PROFILE_SELECTOR_OPT, &rank, dims), "opt"))
    check(rank == 2 && dims[0] == K_OPT_BATCH && dims[1] == K_IN, "profile opt is [4, 4]");
  if (check_ok(mirt_engine_get_profile_shape(engine, 0, sv("features"), MIRT_PROFILE_SELECTOR_MAX, &rank, dims), "max"))
    check(rank == 2 && dims[0] == K_MAX_BATCH && dims[1] == K_IN, "profile max is [8, 4]");
  check(sv_equals(mirt_engine_backend_name(engine), "cpu"), "the engine's backend is 'cpu'");
  check(mirt_engine_device_memory_size(engine) > 0, "the engine reports its activation memory");
  check(mirt_registry_is_loaded(MIRT_MODULE_KIND_BACKEND, sv("cpu")) == 1, "the cpu backend is loaded now");
}

/* One context's buffers for a batch size. */
typedef struct run_buffers {
  int batch;
  float x[K_MAX_BATCH * K_IN];
  float probs[K_MAX_BATCH * 2 * K_HIDDEN];
  float act[K_MAX_BATCH * K_HIDDEN];
} run_buffers;

static void bind(mirt_context* context, run_buffers* buffers, int batch, unsigned seed) {
  const int64_t dims[2] = {batch, K_IN};
  size_t rank = 0, i;
  int64_t out_dims[MIRT_MAX_RANK];
  buffers->batch = batch;
  fill(buffers->x, (size_t)batch * K_IN, seed);
  for (i = 0; i < sizeof buffers->probs / sizeof buffers->probs[0]; ++i) buffers->probs[i] = -1.0f;
  for (i = 0; i < sizeof buffers->act / sizeof buffers->act[0]; ++i) buffers->act[i] = -1.0f;
  check_ok(mirt_context_set_input_shape(context, sv("features"), 2, dims), "set input shape");
  if (check_ok(mirt_context_get_tensor_shape(context, sv("probs"), &rank, out_dims), "get output shape"))
    check(rank == 3 && out_dims[0] == batch && out_dims[1] == 2 && out_dims[2] == K_HIDDEN,
          "the output shape follows the input's batch");
  check_ok(mirt_context_set_tensor_address(context, sv("features"), buffers->x), "bind features");
  check_ok(mirt_context_set_tensor_address(context, sv("probs"), buffers->probs), "bind probs");
  check_ok(mirt_context_set_tensor_address(context, sv("act"), buffers->act), "bind act");
}

static void check_results(const run_buffers* buffers, const char* what) {
  double probs[K_MAX_BATCH * 2 * K_HIDDEN], act[K_MAX_BATCH * K_HIDDEN];
  double e_probs, e_act;
  char line[160];
  reference(buffers->x, buffers->batch, probs, act);
  e_probs = max_relative_error(buffers->probs, probs, (size_t)buffers->batch * 2 * K_HIDDEN);
  e_act = max_relative_error(buffers->act, act, (size_t)buffers->batch * K_HIDDEN);
  snprintf(line, sizeof line, "%s (batch %d): probs rel. error %.3g, act rel. error %.3g, both < 1e-5", what,
           buffers->batch, e_probs, e_act);
  if (check(e_probs < 1e-5 && e_act < 1e-5, line)) printf("ok: %s\n", line);
}

static void run_two_contexts(mirt_engine* engine) {
  mirt_context_options options = MIRT_CONTEXT_OPTIONS_INIT;
  mirt_context *a = NULL, *b = NULL;
  static run_buffers buf_a, buf_b;
  options.profile = 0;
  if (!check_ok(mirt_context_create(engine, &options, &a), "create context a")) return;
  if (!check_ok(mirt_context_create(engine, NULL, &b), "create context b")) {
    mirt_context_destroy(a);
    return;
  }
  /* Both contexts are set up before either runs: their shapes and addresses are their own. */
  bind(a, &buf_a, 3, 10);
  bind(b, &buf_b, 7, 20);
  check_ok(mirt_context_enqueue(a, NULL), "enqueue context a");
  check_ok(mirt_context_enqueue(b, NULL), "enqueue context b");
  check_results(&buf_a, "context a");
  check_results(&buf_b, "context b");
  /* Rerun a at the profile's extremes. */
  bind(a, &buf_a, K_MAX_BATCH, 30);
  check_ok(mirt_context_enqueue(a, NULL), "enqueue context a at max batch");
  check_results(&buf_a, "context a");
  bind(a, &buf_a, K_MIN_BATCH, 40);
  check_ok(mirt_context_enqueue(a, NULL), "enqueue context a at min batch");
  check_results(&buf_a, "context a");

  {
    const int64_t too_big[2] = {K_MAX_BATCH + 1, K_IN}, wrong_static[2] = {2, K_IN + 1};
    int64_t dims[MIRT_MAX_RANK];
    size_t rank = 0;
    mirt_context* fresh = NULL;
    check_error(mirt_context_set_input_shape(a, sv("features"), 2, too_big), MIRT_STATUS_INVALID_SHAPE, "'features'",
                "a batch above the profile's max is INVALID_SHAPE naming the input");
    check_error(mirt_context_set_input_shape(a, sv("features"), 2, wrong_static), MIRT_STATUS_INVALID_SHAPE,
                "'features'", "a wrong static dim is INVALID_SHAPE naming the input");
    check_error(mirt_context_get_tensor_shape(a, sv("probs"), NULL, dims), MIRT_STATUS_INVALID_ARGUMENT, NULL,
                "a NULL out_rank is INVALID_ARGUMENT");
    check_error(mirt_context_set_tensor_address(a, sv("nope"), buf_a.x), MIRT_STATUS_NOT_FOUND, "'nope'",
                "an unknown tensor name is NOT_FOUND naming it");
    if (check_ok(mirt_context_create(engine, NULL, &fresh), "create a third context")) {
      check_error(mirt_context_enqueue(fresh, NULL), MIRT_STATUS_FAILED_PRECONDITION, "'features'",
                  "running without an input shape is FAILED_PRECONDITION naming the input");
      check_error(mirt_context_get_tensor_shape(fresh, sv("probs"), &rank, dims), MIRT_STATUS_FAILED_PRECONDITION,
                  "features", "an output shape before the input's is FAILED_PRECONDITION naming the input");
      mirt_context_destroy(fresh);
    }
  }
  mirt_context_destroy(b);
  mirt_context_destroy(a);
}

static void check_error_paths(mirt_network* net, const mirt_plan* plan, const mirt_engine* engine) {
  mirt_engine_options options = MIRT_ENGINE_OPTIONS_INIT;
  mirt_tensor_info info = MIRT_TENSOR_INFO_INIT;
  int sentinel = 0;
  mirt_engine* untouched = (mirt_engine*)(void*)&sentinel;
  mirt_plan* bad = NULL;
  char needle[64];

  check_error(mirt_network_create(NULL, NULL), MIRT_STATUS_INVALID_ARGUMENT, "out_network",
              "mirt_network_create with a NULL out_network is INVALID_ARGUMENT naming it");
  check_error(mirt_engine_create(&options, &untouched), MIRT_STATUS_INVALID_ARGUMENT, "plan",
              "mirt_engine_create without a plan is INVALID_ARGUMENT");
  check(untouched == (mirt_engine*)(void*)&sentinel, "a failed call leaves its out parameter untouched");
  options.plan = plan;
  check_error(mirt_engine_create(&options, NULL), MIRT_STATUS_INVALID_ARGUMENT, "out_engine",
              "mirt_engine_create with a NULL out_engine is INVALID_ARGUMENT naming it");
  check_error(mirt_engine_find_io_tensor(engine, sv("nope"), &info), MIRT_STATUS_NOT_FOUND, "'nope'",
              "an unknown I/O name is NOT_FOUND naming it");
  check_error(mirt_engine_get_io_tensor(engine, 3, &info), MIRT_STATUS_INVALID_ARGUMENT, "3",
              "an I/O index out of range is INVALID_ARGUMENT");
  info.struct_size = 0;
  check_error(mirt_engine_get_io_tensor(engine, 0, &info), MIRT_STATUS_INVALID_ARGUMENT, "MIRT_TENSOR_INFO_INIT",
              "an uninitialized mirt_tensor_info is refused, naming the _INIT macro");

  {
    const int64_t bogus_value = 1;
    mirt_attribute bogus = int_attr("not_an_attribute", &bogus_value);
    mirt_tensor* in = mirt_network_get_input(net, 0);
    mirt_layer_desc desc = MIRT_LAYER_DESC_INIT;
    desc.op_type = sv("Relu");
    desc.name = sv("bad_relu");
    desc.num_inputs = 1;
    desc.inputs = &in;
    desc.num_attributes = 1;
    desc.attributes = &bogus;
    check_error(mirt_network_add_layer(net, &desc, NULL), MIRT_STATUS_INVALID_GRAPH, "bad_relu",
                "an unknown attribute is INVALID_GRAPH naming the layer");
    desc.num_attributes = 0;
    desc.name = sv("act");
    check_error(mirt_network_add_layer(net, &desc, NULL), MIRT_STATUS_ALREADY_EXISTS, "act",
                "a taken layer name is ALREADY_EXISTS naming it");
  }

  /* A plan stamped with another mirt version is refused, naming both versions. */
  {
    size_t size = mirt_plan_size(plan);
    unsigned char* bytes = (unsigned char*)malloc(size);
    if (check(bytes != NULL, "allocate a plan copy")) {
      memcpy(bytes, mirt_plan_data(plan), size);
      bytes[20] = (unsigned char)(MIRT_VERSION_PATCH + 1); /* header byte 20: mirt_patch, little-endian */
      bytes[21] = 0;
      if (check_ok(mirt_plan_create_from_bytes(bytes, size, &bad), "wrap patched plan bytes")) {
        options.plan = bad;
        snprintf(needle, sizeof needle, "plan was built by mirt %d.%d.%d; this is mirt %s", MIRT_VERSION_MAJOR,
                 MIRT_VERSION_MINOR, MIRT_VERSION_PATCH + 1, MIRT_VERSION_STRING);
        check_error(mirt_engine_create(&options, &untouched), MIRT_STATUS_INCOMPATIBLE_VERSION, needle,
                    "a plan from another mirt version is INCOMPATIBLE_VERSION naming both versions");
        mirt_plan_destroy(bad);
        bad = NULL;
      }
      if (check_ok(mirt_plan_create_from_bytes(mirt_plan_data(plan), size / 2, &bad), "wrap half a plan")) {
        options.plan = bad;
        check_error(mirt_engine_create(&options, &untouched), MIRT_STATUS_CORRUPT_DATA, "truncated",
                    "a truncated plan is CORRUPT_DATA");
        mirt_plan_destroy(bad);
        bad = NULL;
      }
      free(bytes);
    }
    check(untouched == (mirt_engine*)(void*)&sentinel, "failed engine creations left out_engine untouched");
  }
  check_error(mirt_plan_load(sv(MIRT_TEST_TMP_DIR "/no_such_plan.mirt"), &bad), MIRT_STATUS_IO_ERROR,
              "no_such_plan.mirt", "loading a missing plan file is IO_ERROR naming the path");
  check(bad == NULL, "a failed load leaves out_plan untouched");
}

int main(void) {
  mirt_network* net;
  mirt_plan *plan = NULL, *loaded = NULL;
  mirt_engine* engine = NULL;
  mirt_engine_options options = MIRT_ENGINE_OPTIONS_INIT;

  printf("mirt %s (module ABI %u), header %s\n", mirt_version(), (unsigned)mirt_abi_version(), MIRT_VERSION_STRING);
  check_versions();
  check_status_objects();
  check_destroy_null();
  check_registry();

  net = make_network();
  if (net != NULL) plan = build_plan(net);
  if (plan != NULL) loaded = save_and_reload(plan);
  if (loaded != NULL) {
    options.plan = loaded;
    if (check_ok(mirt_engine_create(&options, &engine), "mirt_engine_create")) {
      check_engine_io(engine);
      run_two_contexts(engine);
      check_error_paths(net, loaded, engine);
    }
  }
  mirt_engine_destroy(engine);
  mirt_plan_destroy(loaded);
  mirt_plan_destroy(plan);
  mirt_network_destroy(net);

  if (engine == NULL) check(0, "the run got as far as an engine");
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
