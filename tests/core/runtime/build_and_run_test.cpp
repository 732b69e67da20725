// tests/core/runtime/build_and_run_test.cpp — networks built through the C ABI, run on the CPU
// backend, checked against float64 references computed here.
#include <cstring>
#include <filesystem>
#include <thread>

#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

// y = relu(x @ W + b) + x @ W, with x: [batch, 4] (batch dynamic, symbol "batch"), W: [4, 3].
struct mlp {
  network_owner net;
  std::vector<float> w = random_floats(12, 1);
  std::vector<float> b = random_floats(3, 2);

  mlp() {
    REQUIRE_OK(mirt_network_create(nullptr, &net.p));
    const int64_t x_dims[] = {-1, 4};
    const mirt_string_view names[] = {sv("batch"), sv("")};
    mirt_tensor *x, *wt, *bt;
    REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 2, x_dims, names, &x));
    const int64_t w_dims[] = {4, 3}, b_dims[] = {3};
    REQUIRE_OK(mirt_network_add_constant(net.p, sv("W"), MIRT_DTYPE_FLOAT32, 2, w_dims, w.data(), w.size() * 4, &wt));
    REQUIRE_OK(mirt_network_add_constant(net.p, sv("b"), MIRT_DTYPE_FLOAT32, 1, b_dims, b.data(), b.size() * 4, &bt));
    mirt_tensor* xw = add_layer(net.p, "MatMul", "fc/matmul", {x, wt});
    mirt_tensor* biased = add_layer(net.p, "Add", "fc/bias", {xw, bt});
    mirt_tensor* act = add_layer(net.p, "Relu", "fc/relu", {biased});
    mirt_tensor* y = add_layer(net.p, "Add", "residual", {act, xw});
    REQUIRE_OK(mirt_network_mark_output(net.p, y));
  }

  std::vector<double> reference(const std::vector<float>& x, int64_t batch) const {
    std::vector<double> y(batch * 3);
    for (int64_t r = 0; r < batch; ++r)
      for (int c = 0; c < 3; ++c) {
        double xw = 0;
        for (int k = 0; k < 4; ++k) xw += double(x[r * 4 + k]) * w[k * 3 + c];
        y[r * 3 + c] = std::max(xw + b[c], 0.0) + xw;
      }
    return y;
  }
};

plan_owner build_with_batch_profile(const mlp& model, int64_t min_batch, int64_t opt_batch, int64_t max_batch) {
  return build_for_cpu_with_profile(model.net.p, {{"x", {min_batch, 4}, {opt_batch, 4}, {max_batch, 4}}});
}

std::vector<float> run(mirt_context* context, std::vector<float> x, int64_t batch) {
  const int64_t dims[] = {batch, 4};
  REQUIRE_OK(mirt_context_set_input_shape(context, sv("x"), 2, dims));
  size_t rank = 0;
  int64_t out_dims[MIRT_MAX_RANK];
  REQUIRE_OK(mirt_context_get_tensor_shape(context, sv("residual"), &rank, out_dims));
  REQUIRE(rank == 2);
  CHECK(out_dims[0] == batch);
  CHECK(out_dims[1] == 3);
  std::vector<float> y(batch * 3, std::nanf(""));
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("x"), x.data()));
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("residual"), y.data()));
  REQUIRE_OK(mirt_context_enqueue(context, nullptr));
  return y;
}

}  // namespace

TEST_CASE("a small MLP built through the C ABI matches a float64 reference") {
  mlp model;
  plan_owner plan = build_with_batch_profile(model, 1, 4, 8);
  running_plan session(plan.p);
  mirt_context* context = session.context.p;
  for (int64_t batch : {1, 5, 8}) {
    std::vector<float> x = random_floats(batch * 4, 10 + uint32_t(batch));
    CHECK(max_relative_error(run(context, x, batch), model.reference(x, batch)) < 1e-5);
  }
}

TEST_CASE("the engine describes its I/O tensors and profile ranges") {
  mlp model;
  plan_owner plan = build_with_batch_profile(model, 2, 4, 16);
  engine_owner engine;
  mirt_engine_options options = MIRT_ENGINE_OPTIONS_INIT;
  options.plan = plan.p;
  REQUIRE_OK(mirt_engine_create(&options, &engine.p));
  REQUIRE(mirt_engine_num_io_tensors(engine.p) == 2);
  mirt_tensor_info info = MIRT_TENSOR_INFO_INIT;
  REQUIRE_OK(mirt_engine_get_io_tensor(engine.p, 0, &info));
  CHECK(std::string(info.name.data, info.name.length) == "x");
  CHECK(info.is_input == 1);
  CHECK(info.dtype == MIRT_DTYPE_FLOAT32);
  CHECK(info.rank == 2);
  CHECK(info.dims[0] == -1);
  CHECK(info.dims[1] == 4);
  REQUIRE_OK(mirt_engine_find_io_tensor(engine.p, sv("residual"), &info));
  CHECK(info.is_input == 0);
  CHECK(info.location == MIRT_TENSOR_LOCATION_HOST);
  CHECK(mirt_engine_num_profiles(engine.p) == 1);
  size_t rank = 0;
  int64_t dims[MIRT_MAX_RANK];
  REQUIRE_OK(mirt_engine_get_profile_shape(engine.p, 0, sv("x"), MIRT_PROFILE_SELECTOR_MAX, &rank, dims));
  CHECK(rank == 2);
  CHECK(dims[0] == 16);
  REQUIRE_OK(mirt_engine_get_profile_shape(engine.p, 0, sv("x"), MIRT_PROFILE_SELECTOR_MIN, &rank, dims));
  CHECK(dims[0] == 2);
  CHECK(mirt_engine_device_memory_size(engine.p) > 0);
  mirt_string_view backend = mirt_engine_backend_name(engine.p);
  CHECK(std::string(backend.data, backend.length) == "cpu");
}

TEST_CASE("two contexts on one engine run at once from two threads with their own shapes") {
  mlp model;
  plan_owner plan = build_with_batch_profile(model, 1, 4, 8);
  engine_owner engine;
  mirt_engine_options options = MIRT_ENGINE_OPTIONS_INIT;
  options.plan = plan.p;
  REQUIRE_OK(mirt_engine_create(&options, &engine.p));
  context_owner first, second;
  REQUIRE_OK(mirt_context_create(engine.p, nullptr, &first.p));
  REQUIRE_OK(mirt_context_create(engine.p, nullptr, &second.p));
  std::vector<float> x3 = random_floats(3 * 4, 31), x7 = random_floats(7 * 4, 37);
  std::vector<float> y3, y7;
  // doctest assertions are not thread-safe, so the threads only run; checks happen after join.
  auto runner = [](mirt_context* c, const std::vector<float>* x, int64_t batch, std::vector<float>* y, bool* ok) {
    *ok = true;
    for (int i = 0; i < 50 && *ok; ++i) {
      std::vector<float> in = *x;
      y->assign(batch * 3, 0.f);
      const int64_t dims[] = {batch, 4};
      *ok = mirt_context_set_input_shape(c, mirt_string_view_of("x"), 2, dims) == nullptr &&
            mirt_context_set_tensor_address(c, mirt_string_view_of("x"), in.data()) == nullptr &&
            mirt_context_set_tensor_address(c, mirt_string_view_of("residual"), y->data()) == nullptr &&
            mirt_context_enqueue(c, nullptr) == nullptr;
    }
  };
  bool ok3 = false, ok7 = false;
  std::thread t3(runner, first.p, &x3, 3, &y3, &ok3), t7(runner, second.p, &x7, 7, &y7, &ok7);
  t3.join();
  t7.join();
  REQUIRE(ok3);
  REQUIRE(ok7);
  CHECK(max_relative_error(y3, model.reference(x3, 3)) < 1e-5);
  CHECK(max_relative_error(y7, model.reference(x7, 7)) < 1e-5);
}

TEST_CASE("a plan saved to a file loads into an engine that gives the same results") {
  mlp model;
  plan_owner plan = build_with_batch_profile(model, 1, 2, 4);
  std::string path = (std::filesystem::temp_directory_path() / "mirt_test_saved.mirt").string();
  REQUIRE_OK(mirt_plan_save(plan.p, sv(path.c_str())));
  plan_owner loaded;
  REQUIRE_OK(mirt_plan_load(sv(path.c_str()), &loaded.p));
  REQUIRE(mirt_plan_size(loaded.p) == mirt_plan_size(plan.p));
  CHECK(std::memcmp(mirt_plan_data(loaded.p), mirt_plan_data(plan.p), mirt_plan_size(plan.p)) == 0);
  running_plan session(loaded.p);
  mirt_context* context = session.context.p;
  std::vector<float> x = random_floats(4 * 4, 99);
  CHECK(max_relative_error(run(context, x, 4), model.reference(x, 4)) < 1e-5);
  std::filesystem::remove(path);
}

TEST_CASE("constant subgraphs are folded and the plan still computes the same values") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t dims[] = {2, 3};
  std::vector<float> a = random_floats(6, 5), c = random_floats(6, 6);
  mirt_tensor *x, *ca, *cc;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 2, dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("a"), MIRT_DTYPE_FLOAT32, 2, dims, a.data(), 24, &ca));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("c"), MIRT_DTYPE_FLOAT32, 2, dims, c.data(), 24, &cc));
  mirt_tensor* folded = add_layer(net.p, "Mul", "const_mul", {ca, cc});  // constant * constant
  mirt_tensor* y = add_layer(net.p, "Add", "y", {x, folded});
  REQUIRE_OK(mirt_network_mark_output(net.p, y));
  plan_owner plan;
  REQUIRE_OK(mirt_builder_build(net.p, nullptr, &plan.p));
  const std::string description = describe_plan(plan.p);
  CHECK(description.find("\"op\": \"Mul\"") == std::string::npos);  // the layer is gone from the plan
  CHECK(description.find("\"op\": \"Add\"") != std::string::npos);
  running_plan session(plan.p);
  mirt_context* context = session.context.p;
  std::vector<float> xv = random_floats(6, 7), out(6);
  bind_and_run(context, {{"x", xv.data()}, {"y", out.data()}});
  std::vector<double> expected(6);
  for (int i = 0; i < 6; ++i) expected[i] = double(xv[i]) + double(a[i]) * c[i];
  CHECK(max_relative_error(out, expected) < 1e-6);
}

TEST_CASE("a BatchNormalization after a Conv is folded into it and the results stay the same") {
  // x [1,2,3,3] -> Conv 1x1 (W [3,2,1,1], b [3]) -> BatchNormalization -> y [1,3,3,3]
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {1, 2, 3, 3}, w_dims[] = {3, 2, 1, 1}, c_dims[] = {3};
  std::vector<float> w = random_floats(6, 11), b = random_floats(3, 12), scale = random_floats(3, 13),
                     shift = random_floats(3, 14), mean = random_floats(3, 15), var = random_floats(3, 16);
  for (float& v : var) v = std::abs(v) + 0.5f;
  mirt_tensor *x, *wt, *bt, *st, *sh, *mt, *vt;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 4, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("w"), MIRT_DTYPE_FLOAT32, 4, w_dims, w.data(), 24, &wt));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("b"), MIRT_DTYPE_FLOAT32, 1, c_dims, b.data(), 12, &bt));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("scale"), MIRT_DTYPE_FLOAT32, 1, c_dims, scale.data(), 12, &st));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("shift"), MIRT_DTYPE_FLOAT32, 1, c_dims, shift.data(), 12, &sh));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("mean"), MIRT_DTYPE_FLOAT32, 1, c_dims, mean.data(), 12, &mt));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("var"), MIRT_DTYPE_FLOAT32, 1, c_dims, var.data(), 12, &vt));
  mirt_tensor* conv = add_layer(net.p, "Conv", "conv", {x, wt, bt});
  const float epsilon = 1e-3f;
  mirt_attribute eps{sv("epsilon"), MIRT_ATTRIBUTE_TYPE_FLOAT, 1, nullptr, &epsilon, nullptr};
  mirt_tensor* y = add_layer(net.p, "BatchNormalization", "bn", {conv, st, sh, mt, vt}, {eps});
  REQUIRE_OK(mirt_network_mark_output(net.p, y));
  plan_owner plan;
  REQUIRE_OK(mirt_builder_build(net.p, nullptr, &plan.p));
  const std::string description = describe_plan(plan.p);
  CHECK(description.find("\"op\": \"BatchNormalization\"") == std::string::npos);
  CHECK(description.find("\"op\": \"Conv\"") != std::string::npos);

  running_plan session(plan.p);
  mirt_context* context = session.context.p;
  std::vector<float> xv = random_floats(18, 17), out(27);
  bind_and_run(context, {{"x", xv.data()}, {"bn", out.data()}});
  std::vector<double> expected(27);
  for (int c = 0; c < 3; ++c)
    for (int p = 0; p < 9; ++p) {
      double conv_value = b[c];
      for (int k = 0; k < 2; ++k) conv_value += double(w[c * 2 + k]) * xv[k * 9 + p];
      expected[c * 9 + p] = (conv_value - mean[c]) / std::sqrt(double(var[c]) + epsilon) * scale[c] + shift[c];
    }
  CHECK(max_relative_error(out, expected) < 1e-5);
}

namespace {

struct progress_log {
  std::vector<std::string> phases;
  std::vector<uint64_t> select_done;
  uint64_t select_total = 0;
  std::string cancel_at;  // cancel when this phase is reported

  static int record(void* user, const char* phase, uint64_t done, uint64_t total) {
    auto* self = static_cast<progress_log*>(user);
    self->phases.push_back(phase);
    if (std::string(phase) == "select kernels") {
      self->select_done.push_back(done);
      self->select_total = total;
    }
    return !self->cancel_at.empty() && self->cancel_at == phase;
  }
};

}  // namespace

TEST_CASE("the builder reports progress per pass and per layer while choosing kernels, and can be cancelled") {
  mlp model;
  progress_log log;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.progress = progress_log::record;
  options.progress_user_data = &log;
  config_owner config;
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  size_t profile = 0;
  REQUIRE_OK(mirt_builder_config_add_profile(config.p, &profile));
  const int64_t lo[] = {1, 4}, hi[] = {8, 4};
  REQUIRE_OK(mirt_builder_config_set_profile_shape(config.p, profile, sv("x"), 2, lo, lo, hi));
  {
    plan_owner plan;
    REQUIRE_OK(mirt_builder_build(model.net.p, config.p, &plan.p));
  }
  CHECK(log.phases.front() == "validate");
  CHECK(log.phases.back() == "done");
  CHECK(log.select_total == 4);  // MatMul, Add, Relu, Add
  // The pass's own report (its index among the passes), then one per layer.
  REQUIRE(log.select_done.size() == 5);
  CHECK(std::vector<uint64_t>(log.select_done.begin() + 1, log.select_done.end()) == std::vector<uint64_t>{0, 1, 2, 3});

  log.cancel_at = "select kernels";
  plan_owner cancelled;
  std::string message;
  EXPECT_FAILURE(mirt_builder_build(model.net.p, config.p, &cancelled.p), MIRT_STATUS_FAILED_PRECONDITION, message);
  CHECK(message.find("cancelled") != std::string::npos);
  CHECK(message.find("select kernels") != std::string::npos);
  CHECK(cancelled.p == nullptr);
}

// x float32 [0, 3] (a graph input with no elements, bound to no buffer) -> Pad one row before and
// after with the constant 5 -> y [2, 3]: the Pad kernel gets x as present (float32, empty), not as
// an omitted input, and fills y with the constant.
TEST_CASE("an empty graph input reaches its layer as present: Pad of [0, 3] gives two rows of the constant") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {0, 3}, pads_dims[] = {4};
  static const int64_t pads[] = {1, 0, 1, 0};
  static const float five = 5;
  mirt_tensor *x, *p, *c;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 2, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("pads"), MIRT_DTYPE_INT64, 1, pads_dims, pads, sizeof(pads), &p));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("value"), MIRT_DTYPE_FLOAT32, 0, nullptr, &five, sizeof(five), &c));
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Pad", "y", {x, p, c})));
  loaded_network b;
  b.build(net.p);
  std::vector<float> y(6, -1);
  bind_and_run(b.context.p, {{"y", y.data()}});
  CHECK(y == std::vector<float>(6, 5.0f));
}
