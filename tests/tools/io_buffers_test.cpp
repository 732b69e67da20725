// tests/tools/io_buffers_test.cpp — exec's device I/O path (allocate, upload, run, download) on any
// backend: buffers are forced onto the device, which is host memory on the CPU backend.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "io_buffers.hpp"
#include "mirt/mirt.hpp"

using namespace mirt::cli;

namespace {

// x (2x3) -> Relu -> "y".
mirt::plan make_relu_plan() {
  mirt::network net("io_buffers");
  mirt::tensor x = net.add_input("x", MIRT_DTYPE_FLOAT32, {2, 3});
  mirt::layer_options opts;
  opts.output_names = {"y"};
  net.mark_output(net.add_layer("Relu", {x}, {}, opts).at(0));
  mirt::builder_config config;
  return mirt::build(net, config);
}

std::vector<io_binding> bind_all(const mirt::engine& eng, mirt::context& ctx, bool on_device) {
  std::vector<io_binding> io(eng.num_io_tensors());
  for (size_t i = 0; i < io.size(); ++i) {
    io[i].info = eng.io_tensor(i);
    io[i].shape = io[i].info.dims;
    allocate_buffers(eng, io[i], on_device);
    ctx.set_tensor_address(io[i].info.name, io[i].address());
  }
  return io;
}

}  // namespace

TEST_CASE("allocate_buffers sizes host and device buffers from the shape and dtype") {
  mirt::engine eng(make_relu_plan());
  mirt::context ctx(eng);
  std::vector<io_binding> io = bind_all(eng, ctx, true);
  REQUIRE(io.size() == 2);
  for (const io_binding& b : io) {
    CHECK(b.count == 6);
    CHECK(b.bytes == 24);
    CHECK(b.host->size() == 24);
    CHECK(b.on_device());
    CHECK(b.device.size() == 24);
    CHECK(b.address() == b.device.get());
  }
  CHECK(any_on_device(io));
}

TEST_CASE("device I/O: inputs go up once, runs reuse them, outputs come back") {
  mirt::engine eng(make_relu_plan());
  mirt::context ctx(eng);
  std::vector<io_binding> io = bind_all(eng, ctx, true);
  const float x[6] = {-1, 2, -3, 4, -5, 6};
  std::memcpy(io[0].host->data(), x, sizeof x);
  CHECK(upload_inputs(eng, io) >= 0);
  std::memset(io[0].host->data(), 0, sizeof x);  // the run must read the device copy
  for (int run = 0; run < 3; ++run) {
    ctx.enqueue(nullptr);
    eng.synchronize(nullptr);
  }
  std::memset(io[1].host->data(), 0xFF, 24);
  CHECK(download_outputs(eng, io) >= 0);
  std::vector<float> y(6);
  std::memcpy(y.data(), io[1].host->data(), 24);
  CHECK(y == std::vector<float>{0, 2, 0, 4, 0, 6});
  // The host input stayed as cleared: download copies outputs only.
  CHECK(static_cast<const float*>(io[0].host->data())[1] == 0);
}

TEST_CASE("host I/O binds the host buffers and copies nothing") {
  mirt::engine eng(make_relu_plan());
  mirt::context ctx(eng);
  std::vector<io_binding> io = bind_all(eng, ctx, false);
  CHECK_FALSE(any_on_device(io));
  CHECK(io[0].address() == io[0].host->data());
  CHECK(upload_inputs(eng, io) == 0);
  CHECK(download_outputs(eng, io) == 0);
  const float x[6] = {1, -2, 3, -4, 5, -6};
  std::memcpy(io[0].host->data(), x, sizeof x);
  ctx.enqueue(nullptr);
  eng.synchronize(nullptr);
  CHECK(static_cast<const float*>(io[1].host->data())[4] == 5);
  CHECK(static_cast<const float*>(io[1].host->data())[5] == 0);
}
