// tests/core/runtime/device_memory_test.cpp — a context created without device memory runs in the
// block its caller gives it (mirt_context_set_device_memory), on the CPU backend, where the
// backend's "device" memory is host memory.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

// x [1,4,5,5] -> Conv 3x3 pad 1 -> Sigmoid -> Neg -> y: two activations live in the arena.
plan_owner build_plan() {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {1, 4, 5, 5}, w_dims[] = {4, 4, 3, 3};
  const std::vector<float> weights = random_floats(4 * 4 * 9, 3);
  mirt_tensor *x, *w;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 4, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("w"), MIRT_DTYPE_FLOAT32, 4, w_dims, weights.data(), weights.size() * 4, &w));
  const std::vector<int64_t> pads = {1, 1, 1, 1};
  mirt_tensor* c = add_layer(net.p, "Conv", "conv", {x, w}, {ints_attr("pads", pads)});
  mirt_tensor* s = add_layer(net.p, "Sigmoid", "sig", {c}, {});
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Neg", "y", {s}, {})));
  return build_for_cpu(net.p);
}

}  // namespace

TEST_CASE("a context without device memory refuses to run, then runs in the caller's block") {
  plan_owner plan = build_plan();
  engine_owner engine;
  mirt_engine_options eo = MIRT_ENGINE_OPTIONS_INIT;
  eo.plan = plan.p;
  REQUIRE_OK(mirt_engine_create(&eo, &engine.p));
  const uint64_t need = mirt_engine_device_memory_size(engine.p);
  REQUIRE(need > 0);
  uint64_t for_profile = 0;
  REQUIRE_OK(mirt_engine_device_memory_size_for_profile(engine.p, 0, &for_profile));
  CHECK(for_profile == need);  // one profile: the engine's size is its size
  std::string message;
  EXPECT_FAILURE(mirt_engine_device_memory_size_for_profile(engine.p, 1, &for_profile), MIRT_STATUS_INVALID_ARGUMENT, message);
  CHECK(message.find("profile 1") != std::string::npos);

  // The reference: a context with its own memory.
  std::vector<float> xs = random_floats(100, 4), expected(100), ys(100);
  context_owner own;
  REQUIRE_OK(mirt_context_create(engine.p, nullptr, &own.p));
  bind_and_run(own.p, {{"x", xs.data()}, {"y", expected.data()}});

  context_owner user;
  mirt_context_options co = MIRT_CONTEXT_OPTIONS_INIT;
  co.user_device_memory = 1;
  REQUIRE_OK(mirt_context_create(engine.p, &co, &user.p));
  REQUIRE_OK(mirt_context_set_tensor_address(user.p, sv("x"), xs.data()));
  REQUIRE_OK(mirt_context_set_tensor_address(user.p, sv("y"), ys.data()));
  EXPECT_FAILURE(mirt_context_enqueue(user.p, nullptr), MIRT_STATUS_FAILED_PRECONDITION, message);
  CHECK(message.find("without device memory") != std::string::npos);
  CHECK(message.find(std::to_string(need) + " bytes") != std::string::npos);

  void* block = nullptr;
  REQUIRE_OK(mirt_engine_alloc_device_memory(engine.p, need + 64, &block));
  EXPECT_FAILURE(mirt_context_set_device_memory(user.p, block, need - 1), MIRT_STATUS_INVALID_ARGUMENT, message);
  CHECK(message.find(std::to_string(need - 1) + " bytes") != std::string::npos);
  CHECK(message.find("needs " + std::to_string(need)) != std::string::npos);
  EXPECT_FAILURE(mirt_context_set_device_memory(user.p, nullptr, need), MIRT_STATUS_INVALID_ARGUMENT, message);
  CHECK(message.find("NULL") != std::string::npos);
  EXPECT_FAILURE(mirt_context_set_device_memory(user.p, static_cast<char*>(block) + 4, need),
                 MIRT_STATUS_INVALID_ARGUMENT, message);
  CHECK(message.find("64-byte aligned") != std::string::npos);

  // Filled with NaN bit patterns: the run must write the activations it reads.
  std::memset(block, 0xFF, need);
  const std::vector<unsigned char> before(static_cast<unsigned char*>(block), static_cast<unsigned char*>(block) + need);
  REQUIRE_OK(mirt_context_set_device_memory(user.p, block, need));
  REQUIRE_OK(mirt_context_enqueue(user.p, nullptr));
  CHECK(ys == expected);
  CHECK(std::memcmp(before.data(), block, need) != 0);  // the activations went into the caller's block

  // A second block swaps in between runs; the first is no longer written.
  void* second = nullptr;
  REQUIRE_OK(mirt_engine_alloc_device_memory(engine.p, need, &second));
  std::memset(block, 0xFF, need);
  REQUIRE_OK(mirt_context_set_device_memory(user.p, second, need));
  std::fill(ys.begin(), ys.end(), 0.0f);
  REQUIRE_OK(mirt_context_enqueue(user.p, nullptr));
  CHECK(ys == expected);
  CHECK(std::memcmp(before.data(), block, need) == 0);
  mirt_context_destroy(user.p);
  user.p = nullptr;
  mirt_engine_free_device_memory(engine.p, second);
  mirt_engine_free_device_memory(engine.p, block);
}
