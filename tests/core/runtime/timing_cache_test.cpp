// tests/core/runtime/timing_cache_test.cpp — the persistent timing cache on the CPU backend, whose
// Conv layouts are timed tactics: a build writes the winners, a build with the cache takes them
// untimed (the same cache gives the same tactics), the cache's entry decides the plan, other shapes
// miss it, and a damaged file fails the build naming the file.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

std::vector<std::string> log_lines;  // of the last build_conv

int count_lines(const std::string& needle) {
  int n = 0;
  for (const std::string& line : log_lines) n += line.find(needle) != std::string::npos;
  return n;
}

// Tactics of layer y timed in the last build (the builder logs "layer 'y': tactic T 0.12 ms").
int count_timed() {
  int n = 0;
  for (const std::string& line : log_lines)
    n += line.find("layer 'y': tactic") != std::string::npos && line.find(" ms") != std::string::npos;
  return n;
}

std::string temp_path(const char* name) {
  return (std::filesystem::temp_directory_path() / (std::string("mirt-") + std::to_string(getpid()) + "-" + name))
      .string();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// x [1,16,side,side] -> Conv 3x3 16->16, pad 1 -> "y" (three CPU layouts), built at level 3 with
// the cache at cache_path; returns the build's status message ("" on success) and the plan.
std::string build_conv(const std::string& cache_path, int64_t side, plan_owner& plan) {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  add_conv3x3_layer(net.p, side, random_floats(16 * 16 * 9, 41));
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("cpu");
  options.optimization_level = 3;
  options.timing_cache_path = mirt_string_view{cache_path.data(), cache_path.size()};
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  log_capture capture;
  const std::string message = take(mirt_builder_build(net.p, config.p, &plan.p));
  log_lines = capture.lines();
  return message;
}

// The tactic name the plan records for its only layer.
std::string chosen_tactic(const plan_owner& plan) {
  char* json = nullptr;
  REQUIRE_OK(mirt_plan_describe_json(plan.p, &json));
  const std::string d(json);
  mirt_string_free(json);
  const size_t tactic = d.find("\"tactic\"");
  REQUIRE(tactic != std::string::npos);
  const size_t name = d.find("\"name\"", tactic);
  const size_t open = d.find('"', d.find(':', name) + 1);
  return d.substr(open + 1, d.find('"', open + 1) - open - 1);
}

const char* const k_layouts[] = {"onednn_conv", "onednn_conv_nchw16c", "onednn_conv_nchw"};

}  // namespace

TEST_CASE("a build writes the timing cache and a build with it takes the same tactics untimed") {
  const std::string cache = temp_path("cache-roundtrip.txt");
  std::filesystem::remove(cache);

  plan_owner first;
  REQUIRE(build_conv(cache, 6, first).empty());
  CHECK(count_timed() == 3);  // timed: no cache file yet
  const std::string text = read_file(cache);
  CHECK(text.rfind("mirt timing cache 1\n", 0) == 0);
  CHECK(text.find("cpu ") != std::string::npos);          // the key names the backend,
  CHECK(text.find("Conv|float32[1x16x6x6]") != std::string::npos);  // the op, dtypes and shapes
  CHECK(text.find("pads=1,1,1,1,") != std::string::npos);  // and the attributes
  CHECK(text.find('\t' + chosen_tactic(first) + '\n') != std::string::npos);

  for (int build = 0; build < 2; ++build) {
    plan_owner again;
    REQUIRE(build_conv(cache, 6, again).empty());
    CHECK(count_timed() == 0);  // nothing timed
    CHECK(count_lines("from the timing cache") == 1);
    CHECK(chosen_tactic(again) == chosen_tactic(first));
  }
  CHECK(read_file(cache) == text);  // a cache that only served hits is not rewritten differently
  std::filesystem::remove(cache);
}

TEST_CASE("the timing cache's entry decides the plan, so one cache gives one plan") {
  const std::string cache = temp_path("cache-decides.txt");
  std::filesystem::remove(cache);
  plan_owner first;
  REQUIRE(build_conv(cache, 6, first).empty());
  std::string text = read_file(cache);
  // Forces each layout in turn through the cache: the builds follow the file, not a timing.
  for (const char* forced : k_layouts) {
    const size_t tab = text.find('\t');
    REQUIRE(tab != std::string::npos);
    text = text.substr(0, tab + 1) + forced + "\n";
    write_file(cache, text);
    plan_owner a, b;
    REQUIRE(build_conv(cache, 6, a).empty());
    REQUIRE(build_conv(cache, 6, b).empty());
    CHECK(chosen_tactic(a) == forced);
    CHECK(chosen_tactic(b) == forced);
    CHECK(count_timed() == 0);
  }
  std::filesystem::remove(cache);
}

TEST_CASE("another input shape misses the timing cache and is added to it") {
  const std::string cache = temp_path("cache-shapes.txt");
  std::filesystem::remove(cache);
  plan_owner a, b;
  REQUIRE(build_conv(cache, 6, a).empty());
  REQUIRE(build_conv(cache, 8, b).empty());
  CHECK(count_timed() == 3);  // timed again
  const std::string text = read_file(cache);
  CHECK(text.find("float32[1x16x6x6]") != std::string::npos);
  CHECK(text.find("float32[1x16x8x8]") != std::string::npos);
  std::filesystem::remove(cache);
}

TEST_CASE("a recorded tactic the backend no longer offers is timed again and replaced") {
  const std::string cache = temp_path("cache-stale.txt");
  std::filesystem::remove(cache);
  plan_owner a;
  REQUIRE(build_conv(cache, 6, a).empty());
  std::string text = read_file(cache);
  text = text.substr(0, text.find('\t') + 1) + "no_such_tactic\n";
  write_file(cache, text);
  plan_owner b;
  REQUIRE(build_conv(cache, 6, b).empty());
  CHECK(count_timed() == 3);
  CHECK(read_file(cache).find("no_such_tactic") == std::string::npos);
  std::filesystem::remove(cache);
}

TEST_CASE("a damaged timing cache fails the build with an error naming the file and line") {
  const std::string cache = temp_path("cache-damaged.txt");
  const std::vector<std::pair<std::string, std::string>> damaged = {
      {"\x89PNG not a cache\n", "line 1"},
      {"mirt timing cache 1\nkey without a tactic\n", "line 2"},
      {"mirt timing cache 1\ncpu Conv|x\tonednn_conv\nbad\\qescape\tonednn_conv\n", "line 3"},
  };
  for (const auto& [content, where] : damaged) {
    write_file(cache, content);
    plan_owner plan;
    const std::string message = build_conv(cache, 6, plan);
    INFO(message);
    CHECK(message.find(cache) != std::string::npos);
    CHECK(message.find(where) != std::string::npos);
    CHECK(message.find("timing cache") != std::string::npos);
    CHECK(plan.p == nullptr);
    CHECK(read_file(cache) == content);  // left as it was for the user to look at
  }
  std::filesystem::remove(cache);
}
