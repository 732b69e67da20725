/* run_example.c — picks a backend by name through the C ABI (mirt_builder_options.backend).
 *
 * Builds one small network (MatMul, Add, Relu, Mul, Gemm, Softmax over a dynamic batch) for the
 * "example" backend and for "cpu", runs both at two batch sizes and compares them; then shows the
 * error a network with an op the example backend lacks gets. Exit status 0 when all of that holds.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <mirt/mirt.h>

#define BACKEND "example"
#define IN 8
#define HIDDEN 6
#define OUT 4
#define MAX_BATCH 16

/* Prints a failed status (and frees it); returns 1 for failure, 0 for success. */
static int failed(mirt_status status, const char* what) {
  if (status == NULL) return 0;
  fprintf(stderr, "%s: %s: %s\n", what, mirt_status_code_name(mirt_status_get_code(status)),
          mirt_status_get_message(status));
  mirt_status_destroy(status);
  return 1;
}

static mirt_status constant(mirt_network* net, const char* name, size_t rank, const int64_t* dims, const float* data,
                            size_t count, mirt_tensor** out) {
  return mirt_network_add_constant(net, mirt_string_view_of(name), MIRT_DTYPE_FLOAT32, rank, dims, data,
                                   count * sizeof(float), out);
}

/* One layer with up to three inputs and one output, which is called like the layer. */
static mirt_status layer(mirt_network* net, const char* op, mirt_tensor* a, mirt_tensor* b, mirt_tensor* c,
                         const mirt_attribute* attributes, size_t num_attributes, mirt_tensor** out) {
  mirt_tensor* inputs[3] = {a, b, c};
  mirt_layer_desc desc = MIRT_LAYER_DESC_INIT;
  desc.name = mirt_string_view_of(op);
  desc.op_type = mirt_string_view_of(op);
  desc.num_inputs = c != NULL ? 3 : b != NULL ? 2 : 1;
  desc.inputs = inputs;
  desc.attributes = attributes;
  desc.num_attributes = num_attributes;
  desc.num_outputs = 1;
  return mirt_network_add_layer(net, &desc, out);
}

/* y = Softmax(Gemm(Relu(x W1 + b1) * s, W2, c2; transB, alpha 0.5, beta 2)), x of shape (batch, IN). */
static mirt_status make_network(mirt_network** out_net) {
  static float w1[IN * HIDDEN], b1[HIDDEN], s[HIDDEN], w2[OUT * HIDDEN], c2[OUT];
  const int64_t x_dims[2] = {-1, IN}, w1_dims[2] = {IN, HIDDEN}, h_dims[1] = {HIDDEN}, w2_dims[2] = {OUT, HIDDEN},
                c2_dims[1] = {OUT};
  for (int i = 0; i < IN * HIDDEN; ++i) w1[i] = (float)sin(0.7 * i) * 0.5f;
  for (int i = 0; i < HIDDEN; ++i) b1[i] = 0.1f * (float)(i - 2), s[i] = 1.0f + 0.25f * (float)i;
  for (int i = 0; i < OUT * HIDDEN; ++i) w2[i] = (float)cos(0.3 * i) * 0.4f;
  for (int i = 0; i < OUT; ++i) c2[i] = 0.05f * (float)i;
  const int64_t trans_b = 1, last_axis = -1;
  const float alpha = 0.5f, beta = 2.0f;
  const mirt_attribute gemm_attributes[3] = {
      {{"transB", 6}, MIRT_ATTRIBUTE_TYPE_INT, 1, &trans_b, NULL, NULL},
      {{"alpha", 5}, MIRT_ATTRIBUTE_TYPE_FLOAT, 1, NULL, &alpha, NULL},
      {{"beta", 4}, MIRT_ATTRIBUTE_TYPE_FLOAT, 1, NULL, &beta, NULL},
  };
  const mirt_attribute softmax_axis = {{"axis", 4}, MIRT_ATTRIBUTE_TYPE_INT, 1, &last_axis, NULL, NULL};

  mirt_network* net = NULL;
  mirt_tensor *x, *tw1, *tb1, *ts, *tw2, *tc2, *t, *y;
  mirt_status st = mirt_network_create(NULL, &net);
  if (!st) st = mirt_network_add_input(net, mirt_string_view_of("x"), MIRT_DTYPE_FLOAT32, 2, x_dims, NULL, &x);
  if (!st) st = constant(net, "w1", 2, w1_dims, w1, IN * HIDDEN, &tw1);
  if (!st) st = constant(net, "b1", 1, h_dims, b1, HIDDEN, &tb1);
  if (!st) st = constant(net, "s", 1, h_dims, s, HIDDEN, &ts);
  if (!st) st = constant(net, "w2", 2, w2_dims, w2, OUT * HIDDEN, &tw2);
  if (!st) st = constant(net, "c2", 1, c2_dims, c2, OUT, &tc2);
  if (!st) st = layer(net, "MatMul", x, tw1, NULL, NULL, 0, &t);
  if (!st) st = layer(net, "Add", t, tb1, NULL, NULL, 0, &t);
  if (!st) st = layer(net, "Relu", t, NULL, NULL, NULL, 0, &t);
  if (!st) st = layer(net, "Mul", t, ts, NULL, NULL, 0, &t);
  if (!st) st = layer(net, "Gemm", t, tw2, tc2, gemm_attributes, 3, &t);
  if (!st) st = layer(net, "Softmax", t, NULL, NULL, &softmax_axis, 1, &y); /* its output: "Softmax" */
  if (!st) st = mirt_network_mark_output(net, y);
  if (st) {
    mirt_network_destroy(net);
    return st;
  }
  *out_net = net;
  return NULL;
}

/* Builds net for backend; with a profile for input x of batch 1..MAX_BATCH when dynamic is set. */
static mirt_status build(const mirt_network* net, const char* backend, int dynamic, mirt_plan** out_plan) {
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = mirt_string_view_of(backend);
  mirt_builder_config* config = NULL;
  size_t profile = 0;
  const int64_t min[2] = {1, IN}, opt[2] = {4, IN}, max[2] = {MAX_BATCH, IN};
  mirt_status st = mirt_builder_config_create(&options, &config);
  if (!st && dynamic) st = mirt_builder_config_add_profile(config, &profile);
  if (!st && dynamic) st = mirt_builder_config_set_profile_shape(config, profile, mirt_string_view_of("x"), 2, min, opt, max);
  if (!st) st = mirt_builder_build(net, config, out_plan);
  mirt_builder_config_destroy(config);
  return st;
}

/* Runs plan on x (batch, IN) into its output y (batch, OUT). Host memory serves both backends here, which
 * keep their I/O in host memory (mirt_tensor_info.location). */
static mirt_status run(const mirt_plan* plan, int64_t batch, float* x, float* y) {
  mirt_engine_options options = MIRT_ENGINE_OPTIONS_INIT;
  options.plan = plan;
  mirt_engine* engine = NULL;
  mirt_context* context = NULL;
  const int64_t dims[2] = {batch, IN};
  mirt_status st = mirt_engine_create(&options, &engine);
  if (!st) st = mirt_context_create(engine, NULL, &context);
  if (!st) st = mirt_context_set_input_shape(context, mirt_string_view_of("x"), 2, dims);
  if (!st) st = mirt_context_set_tensor_address(context, mirt_string_view_of("x"), x);
  if (!st) st = mirt_context_set_tensor_address(context, mirt_string_view_of("Softmax"), y);
  if (!st) st = mirt_context_enqueue(context, NULL);
  mirt_context_destroy(context);
  mirt_engine_destroy(engine);
  return st;
}

/* The network for both backends at two batch sizes; 0 when they agree within 1e-5. */
static int compare_with_cpu(void) {
  static float x[MAX_BATCH * IN], y_example[MAX_BATCH * OUT], y_cpu[MAX_BATCH * OUT];
  const int64_t batches[2] = {3, 7};
  mirt_network* net = NULL;
  mirt_plan *plan_example = NULL, *plan_cpu = NULL;
  int bad = failed(make_network(&net), "making the network");
  if (!bad) bad = failed(build(net, BACKEND, 1, &plan_example), "building for " BACKEND);
  if (!bad) bad = failed(build(net, "cpu", 1, &plan_cpu), "building for cpu");
  for (int b = 0; b < 2 && !bad; ++b) {
    const int64_t batch = batches[b];
    for (int i = 0; i < batch * IN; ++i) x[i] = 2.0f * (float)sin(0.37 * i + (double)b);
    bad = failed(run(plan_example, batch, x, y_example), "running on " BACKEND) ||
          failed(run(plan_cpu, batch, x, y_cpu), "running on cpu");
    double worst = 0;
    for (int i = 0; i < batch * OUT && !bad; ++i) {
      const double error = fabs((double)y_example[i] - y_cpu[i]) / fmax(fabs((double)y_cpu[i]), 1e-6);
      if (!(error <= worst)) worst = error; /* a NaN counts as the worst */
    }
    if (!bad) printf("batch %d: " BACKEND " vs cpu, max relative error %.3g\n", (int)batch, worst);
    if (!bad && !(worst < 1e-5)) {
      fprintf(stderr, "batch %d: the " BACKEND " backend disagrees with cpu\n", (int)batch);
      bad = 1;
    }
  }
  mirt_plan_destroy(plan_example);
  mirt_plan_destroy(plan_cpu);
  mirt_network_destroy(net);
  return bad;
}

/* A network with Sigmoid, which the example backend lacks: the build fails with UNSUPPORTED and a
 * message that names the op. 0 when it does. */
static int unsupported_op_is_refused(void) {
  const int64_t dims[1] = {4};
  mirt_network* net = NULL;
  mirt_tensor *x, *y;
  mirt_plan* plan = NULL;
  int bad = failed(mirt_network_create(NULL, &net), "making the network");
  if (!bad)
    bad = failed(mirt_network_add_input(net, mirt_string_view_of("x"), MIRT_DTYPE_FLOAT32, 1, dims, NULL, &x), "input");
  if (!bad) bad = failed(layer(net, "Sigmoid", x, NULL, NULL, NULL, 0, &y), "Sigmoid") ||
                  failed(mirt_network_mark_output(net, y), "output");
  if (!bad) {
    mirt_status st = build(net, BACKEND, 0, &plan);
    const char* message = mirt_status_get_message(st);
    printf("Sigmoid on " BACKEND ": %s: %s\n", mirt_status_code_name(mirt_status_get_code(st)), message);
    bad = mirt_status_get_code(st) != MIRT_STATUS_UNSUPPORTED || strstr(message, "Sigmoid") == NULL;
    if (bad) fprintf(stderr, "expected UNSUPPORTED naming Sigmoid\n");
    mirt_status_destroy(st);
  }
  mirt_plan_destroy(plan);
  mirt_network_destroy(net);
  return bad;
}

int main(void) {
  const int bad = compare_with_cpu() | unsupported_op_is_refused();
  printf(bad ? "FAILED\n" : "PASSED\n");
  return bad;
}
