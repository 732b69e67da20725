// tests/core/runtime/shape_tensor_test.cpp — shape tensor inputs through the C ABI: profile value
// ranges, the engine reporting them, contexts reading their values on the host and re-inferring
// the shapes that depend on them, and the errors for bad values.
#include <algorithm>
#include <filesystem>

#include "mirt/mirt.hpp"
#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

using built = loaded_network;

// A cpu builder config with one profile giving `values_input` the min/opt/max values.
void values_config(config_owner& config, const char* values_input, const std::vector<int64_t>& lo,
                   const std::vector<int64_t>& opt, const std::vector<int64_t>& hi) {
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("cpu");
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  size_t profile = 0;
  REQUIRE_OK(mirt_builder_config_add_profile(config.p, &profile));
  REQUIRE_OK(mirt_builder_config_set_profile_shape_values(config.p, profile, sv(values_input), opt.size(), lo.data(),
                                                          opt.data(), hi.data()));
}

// Builds net for the cpu backend with values_config(), then loads it.
void build(const network_owner& net, const char* values_input, const std::vector<int64_t>& lo,
           const std::vector<int64_t>& opt, const std::vector<int64_t>& hi, built& out) {
  config_owner config;
  values_config(config, values_input, lo, opt, hi);
  out.build(net.p, config.p);
}

std::vector<int64_t> shape_of(mirt_context* context, const char* name) {
  size_t rank = 0;
  int64_t dims[MIRT_MAX_RANK];
  REQUIRE_OK(mirt_context_get_tensor_shape(context, sv(name), &rank, dims));
  return {dims, dims + rank};
}

// y = Relu(Reshape(x, shape)), x: float32 [2, 3, 4], shape: int64 [3] (a shape tensor input).
void reshape_network(network_owner& net) {
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {2, 3, 4}, shape_dims[] = {3};
  mirt_tensor *x, *shape;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 3, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_input(net.p, sv("shape"), MIRT_DTYPE_INT64, 1, shape_dims, nullptr, &shape));
  mirt_tensor* reshaped = add_layer(net.p, "Reshape", "reshape", {x, shape});
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Relu", "y", {reshaped})));
}

std::vector<double> relu(const std::vector<float>& x) {
  std::vector<double> y;
  for (float v : x) y.push_back(std::max(double(v), 0.0));
  return y;
}

}  // namespace

TEST_CASE("a Reshape fed by a shape tensor input takes each run's values, and the output shape follows them") {
  network_owner net;
  reshape_network(net);
  built b;
  // The corners [-1,-1,-1] and [24,24,24] are no valid shape; only opt must be.
  build(net, "shape", {-1, -1, -1}, {6, 4, 1}, {24, 24, 24}, b);
  int32_t is_shape = -1;
  REQUIRE_OK(mirt_engine_is_shape_tensor(b.engine.p, sv("shape"), &is_shape));
  CHECK(is_shape == 1);
  REQUIRE_OK(mirt_engine_is_shape_tensor(b.engine.p, sv("x"), &is_shape));
  CHECK(is_shape == 0);
  int64_t values[3];
  size_t count = 0;
  REQUIRE_OK(mirt_engine_get_profile_shape_values(b.engine.p, 0, sv("shape"), MIRT_PROFILE_SELECTOR_MAX, 3, values,
                                                  &count));
  CHECK(count == 3);
  CHECK(values[2] == 24);

  std::vector<float> x = random_floats(24, 7);
  int64_t shape[3] = {4, 6, 1};
  REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("x"), x.data()));
  REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("shape"), shape));
  for (std::vector<int64_t> want : {std::vector<int64_t>{4, 6, 1}, {3, -1, 2}, {0, 12, -1}}) {
    std::copy(want.begin(), want.end(), shape);  // the context reads the values again on each call
    std::vector<int64_t> expected = want;
    if (want[0] == 3) expected = {3, 4, 2};
    if (want[0] == 0) expected = {2, 12, 1};  // 0 copies x's dim
    CHECK(shape_of(b.context.p, "y") == expected);
    std::vector<float> y(24, -1.0f);
    REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("y"), y.data()));
    REQUIRE_OK(mirt_context_enqueue(b.context.p, nullptr));
    CHECK(max_relative_error(y, relu(x)) == 0);
  }
}

TEST_CASE("a shape tensor value outside the profile, a wrong count or no address is refused, naming the input") {
  network_owner net;
  reshape_network(net);
  built b;
  build(net, "shape", {-1, -1, -1}, {6, 4, 1}, {24, 24, 24}, b);
  std::vector<float> x(24), y(24);
  REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("x"), x.data()));
  REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("y"), y.data()));
  size_t rank = 0;
  int64_t dims[MIRT_MAX_RANK];
  std::string message;
  EXPECT_FAILURE(mirt_context_get_tensor_shape(b.context.p, sv("y"), &rank, dims), MIRT_STATUS_FAILED_PRECONDITION,
                 message);
  CHECK(message.find("shape tensor input 'shape'") != std::string::npos);

  int64_t shape[3] = {2, 3, 25};
  REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("shape"), shape));
  EXPECT_FAILURE(mirt_context_enqueue(b.context.p, nullptr), MIRT_STATUS_INVALID_SHAPE, message);
  CHECK(message.find("'shape': value 2 is 25, outside the range [-1, 24]") != std::string::npos);

  // In range but no valid reshape of 24 elements: the layer's own check names it.
  shape[2] = 5;
  EXPECT_FAILURE(mirt_context_get_tensor_shape(b.context.p, sv("y"), &rank, dims), MIRT_STATUS_INVALID_SHAPE, message);
  CHECK(message.find("reshape") != std::string::npos);

  // Values fixed again: the context recovers.
  shape[2] = 4;
  REQUIRE_OK(mirt_context_enqueue(b.context.p, nullptr));

  config_owner config;
  REQUIRE_OK(mirt_builder_config_create(nullptr, &config.p));
  size_t profile = 0;
  REQUIRE_OK(mirt_builder_config_add_profile(config.p, &profile));
  const int64_t two[] = {1, 1};
  REQUIRE_OK(mirt_builder_config_set_profile_shape_values(config.p, profile, sv("shape"), 2, two, two, two));
  plan_owner plan;
  EXPECT_FAILURE(mirt_builder_build(net.p, config.p, &plan.p), MIRT_STATUS_INVALID_SHAPE, message);
  CHECK(message.find("shape tensor input 'shape' has 3 elements") != std::string::npos);

  const int64_t lo[] = {1, 1, 1}, opt[] = {2, 1, 1}, hi[] = {1, 1, 1};
  EXPECT_FAILURE(mirt_builder_config_set_profile_shape_values(config.p, profile, sv("shape"), 3, lo, opt, hi),
                 MIRT_STATUS_INVALID_SHAPE, message);
  CHECK(message.find("'shape' value 0 needs min <= opt <= max") != std::string::npos);

  config_owner floats;
  REQUIRE_OK(mirt_builder_config_create(nullptr, &floats.p));
  REQUIRE_OK(mirt_builder_config_add_profile(floats.p, &profile));
  std::vector<int64_t> v(24, 0);
  REQUIRE_OK(mirt_builder_config_set_profile_shape_values(floats.p, profile, sv("x"), 24, v.data(), v.data(), v.data()));
  EXPECT_FAILURE(mirt_builder_build(net.p, floats.p, &plan.p), MIRT_STATUS_INVALID_ARGUMENT, message);
  CHECK(message.find("input 'x' is float32") != std::string::npos);
}

TEST_CASE("a Slice whose starts grow past the planned bytes gets memory of its own and stays correct") {
  // y = Relu(Slice(x, starts, [10])), x: [10]; the arena is planned at the max starts (1 element).
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {10}, one[] = {1}, end = 10;
  mirt_tensor *x, *starts, *ends;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 1, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_input(net.p, sv("starts"), MIRT_DTYPE_INT64, 1, one, nullptr, &starts));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("ends"), MIRT_DTYPE_INT64, 1, one, &end, 8, &ends));
  mirt_tensor* sliced = add_layer(net.p, "Slice", "slice", {x, starts, ends});
  mirt_tensor* doubled = add_layer(net.p, "Add", "double", {sliced, sliced});
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Relu", "y", {doubled})));
  built b;
  build(net, "starts", {0}, {5}, {9}, b);
  std::vector<float> xs = random_floats(10, 3);
  REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("x"), xs.data()));
  int64_t start = 0;
  REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("starts"), &start));
  for (int64_t s : {9, 0, 4}) {
    start = s;
    CHECK(shape_of(b.context.p, "y") == std::vector<int64_t>{10 - s});
    std::vector<float> y(static_cast<size_t>(10 - s), -1.0f);
    REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("y"), y.data()));
    REQUIRE_OK(mirt_context_enqueue(b.context.p, nullptr));
    std::vector<double> want;
    for (int64_t i = s; i < 10; ++i) want.push_back(std::max(2.0 * xs[i], 0.0));
    CHECK(max_relative_error(y, want) < 1e-6);
  }
}

TEST_CASE("ReduceSum with axes as a shape tensor input drops the axes each run names") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {2, 3, 4}, one[] = {1}, keep = 0;
  mirt_tensor *x, *axes;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 3, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_input(net.p, sv("axes"), MIRT_DTYPE_INT32, 1, one, nullptr, &axes));
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "ReduceSum", "y", {x, axes}, {int_attr("keepdims", &keep)})));
  built b;
  build(net, "axes", {-3}, {0}, {2}, b);
  std::vector<float> xs = random_floats(24, 11);
  REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("x"), xs.data()));
  int32_t axis = 0;
  REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("axes"), &axis));
  for (int32_t a : {1, -1, 0}) {
    axis = a;
    const int64_t dim = a < 0 ? a + 3 : a;
    std::vector<int64_t> expected = {2, 3, 4};
    expected.erase(expected.begin() + dim);
    CHECK(shape_of(b.context.p, "y") == expected);
    std::vector<float> y(static_cast<size_t>(expected[0] * expected[1]));
    REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("y"), y.data()));
    REQUIRE_OK(mirt_context_enqueue(b.context.p, nullptr));
    std::vector<double> want(y.size(), 0.0);
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 3; ++j)
        for (int64_t k = 0; k < 4; ++k) {
          const int64_t idx[] = {i, j, k};
          int64_t o = 0;
          for (int64_t d = 0; d < 3; ++d)
            if (d != dim) o = o * x_dims[d] + idx[d];
          want[o] += xs[(i * 3 + j) * 4 + k];
        }
    CHECK(max_relative_error(y, want) < 1e-5);
  }
}

TEST_CASE("values given for an input no shape depends on leave it an ordinary input") {
  // Gather's indices are data: the builder drops their values and the input is no shape tensor.
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {4}, i_dims[] = {2};
  mirt_tensor *x, *indices;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 1, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_input(net.p, sv("indices"), MIRT_DTYPE_INT64, 1, i_dims, nullptr, &indices));
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Gather", "y", {x, indices})));
  built b;
  build(net, "indices", {0, 0}, {1, 2}, {3, 3}, b);
  int32_t is_shape = -1;
  REQUIRE_OK(mirt_engine_is_shape_tensor(b.engine.p, sv("indices"), &is_shape));
  CHECK(is_shape == 0);
  size_t count = 0;
  std::string message;
  EXPECT_FAILURE(mirt_engine_get_profile_shape_values(b.engine.p, 0, sv("indices"), MIRT_PROFILE_SELECTOR_OPT, 0,
                                                      nullptr, &count),
                 MIRT_STATUS_INVALID_ARGUMENT, message);
  CHECK(message.find("not a shape tensor") != std::string::npos);
}

TEST_CASE("a saved plan keeps its shape tensor inputs and their value ranges") {
  network_owner net;
  reshape_network(net);
  built b;
  build(net, "shape", {-1, -1, -1}, {6, 4, 1}, {24, 24, 24}, b);
  std::string path = (std::filesystem::temp_directory_path() / "mirt_shape_tensor_test.mirt").string();
  REQUIRE_OK(mirt_plan_save(b.plan.p, sv(path.c_str())));
  plan_owner loaded;
  REQUIRE_OK(mirt_plan_load(sv(path.c_str()), &loaded.p));
  std::filesystem::remove(path);
  engine_owner engine;
  mirt_engine_options eo = MIRT_ENGINE_OPTIONS_INIT;
  eo.plan = loaded.p;
  REQUIRE_OK(mirt_engine_create(&eo, &engine.p));
  int32_t is_shape = 0;
  REQUIRE_OK(mirt_engine_is_shape_tensor(engine.p, sv("shape"), &is_shape));
  CHECK(is_shape == 1);
  int64_t values[3];
  size_t count = 0;
  REQUIRE_OK(mirt_engine_get_profile_shape_values(engine.p, 0, sv("shape"), MIRT_PROFILE_SELECTOR_OPT, 3, values,
                                                  &count));
  CHECK(std::vector<int64_t>(values, values + count) == std::vector<int64_t>{6, 4, 1});
  const std::string description = describe_plan(loaded.p);
  CHECK(description.find("\"values\"") != std::string::npos);
}

TEST_CASE("mirt.hpp sets and reports shape tensor values") {
  network_owner net;
  reshape_network(net);
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("cpu");
  mirt::builder_config config(options);
  const size_t profile = config.add_profile();
  config.set_profile_shape_values(profile, "shape", {1, 1, 1}, {2, 12, 1}, {24, 24, 24});
  CHECK_THROWS_AS(config.set_profile_shape_values(profile, "shape", {1}, {2, 12, 1}, {24, 24, 24}), mirt::error);
  plan_owner plan;
  REQUIRE_OK(mirt_builder_build(net.p, config.get(), &plan.p));
  mirt_engine_options eo = MIRT_ENGINE_OPTIONS_INIT;
  eo.plan = plan.p;
  mirt_engine* raw = nullptr;
  REQUIRE_OK(mirt_engine_create(&eo, &raw));
  mirt::engine engine(raw);
  CHECK(engine.is_shape_tensor("shape"));
  CHECK_FALSE(engine.is_shape_tensor("x"));
  CHECK(engine.profile_shape_values(0, "shape", MIRT_PROFILE_SELECTOR_OPT) == std::vector<int64_t>{2, 12, 1});
  CHECK_THROWS_AS(engine.profile_shape_values(0, "x", MIRT_PROFILE_SELECTOR_OPT), mirt::error);
}

TEST_CASE("a shape tensor whose min and max values agree is a constant to the builder: a Squeeze without axes builds") {
  // y = Squeeze(ConstantOfShape(Concat(n, [1]))): which dims are 1 depends on n's value, so only a
  // profile that fixes n builds it; a range is refused naming the Squeeze.
  const auto make = [](network_owner& net) {
    REQUIRE_OK(mirt_network_create(nullptr, &net.p));
    const int64_t one_dim[] = {1}, one[] = {1};
    mirt_tensor *n, *ones;
    REQUIRE_OK(mirt_network_add_input(net.p, sv("n"), MIRT_DTYPE_INT64, 1, one_dim, nullptr, &n));
    REQUIRE_OK(mirt_network_add_constant(net.p, sv("one"), MIRT_DTYPE_INT64, 1, one_dim, one, sizeof(one), &ones));
    const int64_t axis = 0;
    mirt_tensor* shape = add_layer(net.p, "Concat", "shape", {n, ones}, {int_attr("axis", &axis)});
    mirt_tensor* zeros = add_layer(net.p, "ConstantOfShape", "zeros", {shape});
    REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Squeeze", "y", {zeros})));
  };
  network_owner fixed;
  make(fixed);
  built b;
  build(fixed, "n", {3}, {3}, {3}, b);
  int64_t n = 3;
  std::vector<float> y(3, -1.0f);
  REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("n"), &n));
  CHECK(shape_of(b.context.p, "y") == std::vector<int64_t>{3});
  REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("y"), y.data()));
  REQUIRE_OK(mirt_context_enqueue(b.context.p, nullptr));
  CHECK(y == std::vector<float>{0, 0, 0});
  network_owner ranged;
  make(ranged);
  config_owner config;
  values_config(config, "n", {1}, {1}, {4});
  plan_owner plan;
  std::string message;
  EXPECT_FAILURE(mirt_builder_build(ranged.p, config.p, &plan.p), MIRT_STATUS_UNSUPPORTED, message);
  CHECK(message.find("Squeeze 'y'") != std::string::npos);
}
