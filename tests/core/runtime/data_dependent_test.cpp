// tests/core/runtime/data_dependent_test.cpp — outputs with data-dependent shapes through the C ABI:
// the engine reporting them, output allocators taking their buffers and shapes run after run, the
// runtime sizing layers downstream of a data-dependent tensor, and the errors for missing or failing
// allocators.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <tuple>
#include <string>

#include "mirt/mirt.hpp"
#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

// y = Relu(Gather(x, NonZero(x))), x float32 [6]: y is [1, count of non-zero x].
void nonzero_gather_network(network_owner& net) {
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {6};
  mirt_tensor* x;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 1, x_dims, nullptr, &x));
  mirt_tensor* nz = add_layer(net.p, "NonZero", "nz", {x});
  mirt_tensor* picked = add_layer(net.p, "Gather", "picked", {x, nz});
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Relu", "y", {picked})));
}

// The reference: Relu of x's non-zero elements, in order.
std::vector<float> relu_of_nonzero(const std::vector<float>& x) {
  std::vector<float> y;
  for (float v : x)
    if (v != 0) y.push_back(std::max(v, 0.0f));
  return y;
}

}  // namespace

TEST_CASE("NonZero feeding a Gather: the runtime sizes the Gather at run time and the allocator gets each run's shape") {
  network_owner net;
  nonzero_gather_network(net);
  loaded_network b;
  b.build(net.p);

  int32_t dd = -1;
  REQUIRE_OK(mirt_engine_is_data_dependent(b.engine.p, sv("y"), &dd));
  CHECK(dd == 1);
  REQUIRE_OK(mirt_engine_is_data_dependent(b.engine.p, sv("x"), &dd));
  CHECK(dd == 0);
  mirt_tensor_info info = MIRT_TENSOR_INFO_INIT;
  REQUIRE_OK(mirt_engine_find_io_tensor(b.engine.p, sv("y"), &info));
  REQUIRE(info.rank == 2);
  CHECK(info.dims[1] == -1);
  size_t rank = 0;
  int64_t dims[MIRT_MAX_RANK];
  REQUIRE_OK(mirt_context_get_tensor_shape(b.context.p, sv("y"), &rank, dims));
  REQUIRE(rank == 2);
  CHECK(dims[0] == 1);
  CHECK(dims[1] == -1);  // known only while the network runs

  std::vector<float> x = {0, -2, 3, 0, 5, -1};
  REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("x"), x.data()));
  std::string message;
  EXPECT_FAILURE(mirt_context_enqueue(b.context.p, nullptr), MIRT_STATUS_FAILED_PRECONDITION, message);
  CHECK(message.find("'y'") != std::string::npos);
  CHECK(message.find("mirt_context_set_output_allocator") != std::string::npos);

  recording_allocator y;
  const mirt_output_allocator table = y.table();
  REQUIRE_OK(mirt_context_set_output_allocator(b.context.p, sv("y"), &table));
  for (const std::vector<float>& run : {x, std::vector<float>{1, 0, 0, 0, 0, 2}, std::vector<float>(6, 0.0f),
                                        std::vector<float>{-1, -2, 3, 4, 5, 6}}) {
    x = run;
    REQUIRE_OK(mirt_context_enqueue(b.context.p, nullptr));
    const std::vector<float> want = relu_of_nonzero(x);
    CHECK(y.name == "y");
    CHECK(y.shape == std::vector<int64_t>{1, int64_t(want.size())});
    CHECK(y.last_size == want.size() * sizeof(float));
    CHECK(y.values<float>() == want);
  }
  CHECK(y.reallocations == 4);
}

TEST_CASE("an output allocator that returns NULL fails the run with a message naming the output") {
  network_owner net;
  nonzero_gather_network(net);
  loaded_network b;
  b.build(net.p);
  std::vector<float> x = {1, 2, 0, 0, 0, 0};
  REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("x"), x.data()));
  recording_allocator y;
  y.fail = true;
  const mirt_output_allocator table = y.table();
  REQUIRE_OK(mirt_context_set_output_allocator(b.context.p, sv("y"), &table));
  std::string message;
  EXPECT_FAILURE(mirt_context_enqueue(b.context.p, nullptr), MIRT_STATUS_OUT_OF_MEMORY, message);
  CHECK(message.find("output 'y'") != std::string::npos);
  CHECK(message.find("NULL") != std::string::npos);
  CHECK(message.find("8 bytes") != std::string::npos);

  // Bad calls name what is wrong.
  EXPECT_FAILURE(mirt_context_set_output_allocator(b.context.p, sv("x"), &table), MIRT_STATUS_NOT_FOUND, message);
  CHECK(message.find("'x'") != std::string::npos);
  mirt_output_allocator empty = MIRT_OUTPUT_ALLOCATOR_INIT;
  EXPECT_FAILURE(mirt_context_set_output_allocator(b.context.p, sv("y"), &empty), MIRT_STATUS_INVALID_ARGUMENT, message);
  CHECK(message.find("reallocate") != std::string::npos);
}

TEST_CASE("a NonZero output's allocator is asked again when the count outgrows its buffer, and gets NULL first") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {2, 3};
  mirt_tensor* x;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_INT32, 2, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "NonZero", "nz", {x})));
  loaded_network b;
  b.build(net.p);
  std::vector<int32_t> x_data = {0, 7, 0, 0, 0, 1};
  REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("x"), x_data.data()));
  recording_allocator nz;
  const mirt_output_allocator table = nz.table();
  REQUIRE_OK(mirt_context_set_output_allocator(b.context.p, sv("nz"), &table));
  REQUIRE_OK(mirt_context_enqueue(b.context.p, nullptr));
  CHECK(nz.shape == std::vector<int64_t>{2, 2});
  CHECK(nz.values<int64_t>() == std::vector<int64_t>{0, 1, 1, 2});  // rows: dim 0, dim 1 of (0,1), (1,2)
  x_data = {1, 1, 1, 1, 1, 1};
  REQUIRE_OK(mirt_context_enqueue(b.context.p, nullptr));
  CHECK(nz.shape == std::vector<int64_t>{2, 6});
  CHECK(nz.values<int64_t>() == std::vector<int64_t>{0, 0, 0, 1, 1, 1, 0, 1, 2, 0, 1, 2});
}

TEST_CASE("a Range whose float operands are inputs is sized at run time from their values") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  mirt_tensor *start, *limit, *delta;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("start"), MIRT_DTYPE_FLOAT32, 0, nullptr, nullptr, &start));
  REQUIRE_OK(mirt_network_add_input(net.p, sv("limit"), MIRT_DTYPE_FLOAT32, 0, nullptr, nullptr, &limit));
  REQUIRE_OK(mirt_network_add_input(net.p, sv("delta"), MIRT_DTYPE_FLOAT32, 0, nullptr, nullptr, &delta));
  mirt_tensor* r = add_layer(net.p, "Range", "r", {start, limit, delta});
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Neg", "y", {r})));
  loaded_network b;
  b.build(net.p);
  int32_t dd = 0;
  REQUIRE_OK(mirt_engine_is_data_dependent(b.engine.p, sv("y"), &dd));
  CHECK(dd == 1);
  float s = 0, l = 0, d = 0;
  REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("start"), &s));
  REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("limit"), &l));
  REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("delta"), &d));
  recording_allocator y;
  const mirt_output_allocator table = y.table();
  REQUIRE_OK(mirt_context_set_output_allocator(b.context.p, sv("y"), &table));
  for (auto [s_, l_, d_] : {std::tuple{1.0f, 4.5f, 0.5f}, std::tuple{10.0f, 0.0f, -3.0f}}) {
    s = s_, l = l_, d = d_;
    REQUIRE_OK(mirt_context_enqueue(b.context.p, nullptr));
    std::vector<float> want;
    for (int64_t i = 0; i < int64_t(std::ceil((l - s) / d)); ++i) want.push_back(-(s + float(i) * d));
    CHECK(y.shape == std::vector<int64_t>{int64_t(want.size())});
    CHECK(y.values<float>() == want);
  }
}

TEST_CASE("mirt.hpp reports data-dependent outputs and sets output allocators") {
  network_owner net;
  nonzero_gather_network(net);
  loaded_network b;
  b.build(net.p);
  mirt_context_destroy(b.context.p);  // contexts go before their engine, which the wrapper now owns
  b.context.p = nullptr;
  mirt::engine engine(b.engine.p);
  b.engine.p = nullptr;
  mirt::context context(engine);
  CHECK(engine.is_data_dependent("y"));
  CHECK_FALSE(engine.is_data_dependent("x"));
  std::vector<float> x = {0, 0, 4, 0, 0, 0};
  context.set_tensor_address("x", x.data());
  CHECK_THROWS_AS(context.enqueue(), mirt::error);
  recording_allocator y;
  const mirt_output_allocator table = y.table();
  context.set_output_allocator("y", &table);
  context.enqueue();
  CHECK(y.shape == std::vector<int64_t>{1, 1});
  CHECK(y.values<float>() == std::vector<float>{4});
  context.set_output_allocator("y", nullptr);
  CHECK_THROWS_AS(context.enqueue(), mirt::error);
  CHECK_THROWS_AS(context.set_output_allocator("nope", &table), mirt::error);
}

namespace {

// Reference greedy NMS for one batch and class, corner boxes [y1, x1, y2, x2]: kept box indices.
std::vector<int64_t> reference_nms(const std::vector<float>& boxes, const std::vector<float>& scores, double iou_limit,
                                   size_t max_out) {
  std::vector<int64_t> order(scores.size(), 0);
  for (size_t i = 0; i < order.size(); ++i) order[i] = int64_t(i);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return scores[a] > scores[b]; });
  auto iou = [&](int64_t a, int64_t b) {
    const float* p = &boxes[a * 4];
    const float* q = &boxes[b * 4];
    const double h = std::min(p[2], q[2]) - std::max(p[0], q[0]), w = std::min(p[3], q[3]) - std::max(p[1], q[1]);
    if (h <= 0 || w <= 0) return 0.0;
    const double area_p = (p[2] - p[0]) * (p[3] - p[1]), area_q = (q[2] - q[0]) * (q[3] - q[1]);
    return h * w / (area_p + area_q - h * w);
  };
  std::vector<int64_t> kept;
  for (int64_t i : order) {
    if (kept.size() == max_out) break;
    if (std::none_of(kept.begin(), kept.end(), [&](int64_t k) { return iou(k, i) > iou_limit; })) kept.push_back(i);
  }
  return kept;
}

}  // namespace

TEST_CASE("NonMaxSuppression keeps a different number of boxes in two runs, and the output follows") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t box_dims[] = {1, 4, 4}, score_dims[] = {1, 1, 4}, one[] = {1};
  mirt_tensor *boxes, *scores, *max_out, *iou;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("boxes"), MIRT_DTYPE_FLOAT32, 3, box_dims, nullptr, &boxes));
  REQUIRE_OK(mirt_network_add_input(net.p, sv("scores"), MIRT_DTYPE_FLOAT32, 3, score_dims, nullptr, &scores));
  const int64_t max_value = 3;
  const float iou_value = 0.5f;
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("max_out"), MIRT_DTYPE_INT64, 1, one, &max_value, 8, &max_out));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("iou"), MIRT_DTYPE_FLOAT32, 1, one, &iou_value, 4, &iou));
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "NonMaxSuppression", "selected", {boxes, scores, max_out, iou})));
  loaded_network b;
  b.build(net.p);
  int32_t dd = 0;
  REQUIRE_OK(mirt_engine_is_data_dependent(b.engine.p, sv("selected"), &dd));
  CHECK(dd == 1);
  std::vector<float> box_data, score_data;
  recording_allocator selected;
  const mirt_output_allocator table = selected.table();
  REQUIRE_OK(mirt_context_set_output_allocator(b.context.p, sv("selected"), &table));
  // Run 1: boxes 0, 1 and 3 overlap heavily, so one of them survives next to box 2.
  // Run 2: four disjoint boxes; the limit of 3 keeps the three best.
  const std::vector<std::vector<float>> runs_boxes = {
      {0, 0, 1, 1, 0, 0.05f, 1, 1.05f, 5, 5, 6, 6, 0.02f, 0, 1.02f, 1}, {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7}};
  const std::vector<std::vector<float>> runs_scores = {{0.9f, 0.95f, 0.5f, 0.3f}, {0.1f, 0.4f, 0.3f, 0.2f}};
  std::vector<int64_t> counts;
  for (size_t r = 0; r < 2; ++r) {
    box_data = runs_boxes[r];
    score_data = runs_scores[r];
    REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("boxes"), box_data.data()));
    REQUIRE_OK(mirt_context_set_tensor_address(b.context.p, sv("scores"), score_data.data()));
    REQUIRE_OK(mirt_context_enqueue(b.context.p, nullptr));
    const std::vector<int64_t> kept = reference_nms(box_data, score_data, iou_value, size_t(max_value));
    std::vector<int64_t> want;
    for (int64_t k : kept) want.insert(want.end(), {0, 0, k});
    CHECK(selected.shape == std::vector<int64_t>{int64_t(kept.size()), 3});
    CHECK(selected.values<int64_t>() == want);
    counts.push_back(int64_t(kept.size()));
  }
  CHECK(counts[0] != counts[1]);  // the runs really differ
}
