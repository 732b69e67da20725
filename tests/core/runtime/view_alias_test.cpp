// tests/core/runtime/view_alias_test.cpp — reshape-like layers (Reshape, Flatten, Identity) take the
// activation bytes of an input that dies at them: a chain of them adds no activation memory, and
// the results stay right (the copy finds source and destination at one address). Views of a
// network input read the input's own buffer, and no layer writes into that buffer.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

// x [2,3,4] -> Neg -> (views, when with_views: Reshape [4,6], Identity, Flatten axis 1) -> Transpose -> y.
mirt_plan* build(bool with_views) {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {2, 3, 4}, shape_dims[] = {2};
  const std::vector<int64_t> shape = {4, 6};
  mirt_tensor *x, *target;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 3, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("shape"), MIRT_DTYPE_INT64, 1, shape_dims, shape.data(), 16, &target));
  mirt_tensor* t = add_layer(net.p, "Neg", "neg", {x});
  std::vector<int64_t> perm = {2, 0, 1};
  if (with_views) {
    t = add_layer(net.p, "Reshape", "reshape", {t, target});
    t = add_layer(net.p, "Identity", "identity", {t});
    const int64_t axis = 1;
    t = add_layer(net.p, "Flatten", "flatten", {t}, {int_attr("axis", &axis)});
    perm = {1, 0};
  }
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Transpose", "y", {t}, {ints_attr("perm", perm)})));
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("cpu");
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  mirt_plan* plan = nullptr;
  REQUIRE_OK(mirt_builder_build(net.p, config.p, &plan));
  return plan;
}

enum class after_views { transpose, relu_transpose, none };

// x [2,3,4] -> (when with_views: Identity, Reshape [4,6]) -> (Relu) -> Transpose -> y; with
// after_views::none the Reshape's output is y itself (a view that is a network output).
mirt_plan* build_over_input(bool with_views, after_views then) {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {2, 3, 4}, shape_dims[] = {2};
  const std::vector<int64_t> shape = {4, 6};
  mirt_tensor *x, *target;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 3, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("shape"), MIRT_DTYPE_INT64, 1, shape_dims, shape.data(), 16, &target));
  mirt_tensor* t = x;
  std::vector<int64_t> perm = {2, 0, 1};
  if (with_views) {
    t = add_layer(net.p, "Identity", "identity", {t});
    t = add_layer(net.p, "Reshape", then == after_views::none ? "y" : "reshape", {t, target});
    perm = {1, 0};
  }
  if (then == after_views::relu_transpose) t = add_layer(net.p, "Relu", "relu", {t});
  if (then != after_views::none) t = add_layer(net.p, "Transpose", "y", {t}, {ints_attr("perm", perm)});
  REQUIRE_OK(mirt_network_mark_output(net.p, t));
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("cpu");
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  mirt_plan* plan = nullptr;
  REQUIRE_OK(mirt_builder_build(net.p, config.p, &plan));
  return plan;
}

}  // namespace

TEST_CASE("views of a network input read the input's buffer: no activation bytes, no copy, nothing written into it") {
  SUBCASE("Identity -> Reshape -> Transpose takes no more memory than Transpose alone") {
    plan_owner with{build_over_input(true, after_views::transpose)}, without{build_over_input(false, after_views::transpose)};
    running_plan views(with.p), plain(without.p);
    CHECK(mirt_engine_device_memory_size(views.engine.p) == mirt_engine_device_memory_size(plain.engine.p));
    std::vector<float> x = random_floats(24, 8), y(24, 0.f);
    bind_and_run(views.context.p, {{"x", x.data()}, {"y", y.data()}});
    for (int j = 0; j < 6; ++j)
      for (int i = 0; i < 4; ++i) CHECK(y[j * 4 + i] == x[i * 6 + j]);
  }
  SUBCASE("a Relu (which may run in place) after the views writes its own buffer, not the input") {
    plan_owner plan{build_over_input(true, after_views::relu_transpose)};
    running_plan run(plan.p);
    const std::vector<float> original = random_floats(24, 9);  // about half of them negative
    std::vector<float> x = original, y(24, 0.f);
    bind_and_run(run.context.p, {{"x", x.data()}, {"y", y.data()}});
    CHECK(x == original);
    for (int j = 0; j < 6; ++j)
      for (int i = 0; i < 4; ++i) CHECK(y[j * 4 + i] == std::max(0.f, x[i * 6 + j]));
    // A second run with the input at another address reads the new buffer.
    std::vector<float> x2 = random_floats(24, 10);
    bind_and_run(run.context.p, {{"x", x2.data()}});
    for (int j = 0; j < 6; ++j)
      for (int i = 0; i < 4; ++i) CHECK(y[j * 4 + i] == std::max(0.f, x2[i * 6 + j]));
  }
  SUBCASE("a view that is a network output is still copied into the output's buffer") {
    plan_owner plan{build_over_input(true, after_views::none)};
    running_plan run(plan.p);
    std::vector<float> x = random_floats(24, 11), y(24, 0.f);
    bind_and_run(run.context.p, {{"x", x.data()}, {"y", y.data()}});
    CHECK(y == x);
  }
}

TEST_CASE("a chain of Reshape, Identity and Flatten shares its input's activation bytes and computes the same values") {
  plan_owner with{build(true)}, without{build(false)};
  running_plan views(with.p), plain(without.p);
  // The Neg output and the three views are one buffer: no more memory than Neg -> Transpose alone.
  CHECK(mirt_engine_device_memory_size(views.engine.p) == mirt_engine_device_memory_size(plain.engine.p));

  std::vector<float> x = random_floats(24, 7), y(24, 0.f);
  bind_and_run(views.context.p, {{"x", x.data()}, {"y", y.data()}});
  // y [6,4] = transpose of -x read as [4,6].
  for (int j = 0; j < 6; ++j)
    for (int i = 0; i < 4; ++i) CHECK(y[j * 4 + i] == -x[i * 6 + j]);
}
