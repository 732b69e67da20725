// tests/core/laziness/laziness_test.cpp — modules load only when a call needs them.
//
// Each check needs a process in which nothing has been loaded yet, so the test case re-runs this
// executable as a child for the "load a saved plan" step.
#define DOCTEST_CONFIG_IMPLEMENT
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

bool loaded(mirt_module_kind kind, const char* name) { return mirt_registry_is_loaded(kind, sv(name)) == 1; }

// Child mode: load the plan at path; exit 0 only if the CPU backend was unloaded before and
// loaded after the engine was created.
int child_load(const char* path) {
  if (loaded(MIRT_MODULE_KIND_BACKEND, "cpu")) return 2;
  mirt_plan* plan = nullptr;
  if (mirt_status s = mirt_plan_load(sv(path), &plan)) return mirt_status_destroy(s), 3;
  if (loaded(MIRT_MODULE_KIND_BACKEND, "cpu")) return 4;  // reading plan bytes loads nothing
  mirt_engine_options options = MIRT_ENGINE_OPTIONS_INIT;
  options.plan = plan;
  mirt_engine* engine = nullptr;
  mirt_status s = mirt_engine_create(&options, &engine);
  int rc = s ? 5 : loaded(MIRT_MODULE_KIND_BACKEND, "cpu") ? 0 : 6;
  if (loaded(MIRT_MODULE_KIND_PARSER, "onnx")) rc = 7;
  mirt_status_destroy(s);
  mirt_engine_destroy(engine);
  mirt_plan_destroy(plan);
  return rc;
}

std::string self_path;

}  // namespace

TEST_CASE("core-only calls load no module, a build loads only its backend, and so does loading a plan") {
  // Discovery lists modules without loading them.
  CHECK(mirt_registry_num_modules() >= 1);
  CHECK_FALSE(loaded(MIRT_MODULE_KIND_BACKEND, "cpu"));

  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t dims[] = {3};
  mirt_tensor* x;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 1, dims, nullptr, &x));
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Sigmoid", "s", {x})));
  config_owner config;
  REQUIRE_OK(mirt_builder_config_create(nullptr, &config.p));
  CHECK_FALSE(loaded(MIRT_MODULE_KIND_BACKEND, "cpu"));
  CHECK_FALSE(loaded(MIRT_MODULE_KIND_PARSER, "onnx"));

  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("cpu");
  config_owner cpu_config;
  REQUIRE_OK(mirt_builder_config_create(&options, &cpu_config.p));
  plan_owner plan;
  REQUIRE_OK(mirt_builder_build(net.p, cpu_config.p, &plan.p));
  CHECK(loaded(MIRT_MODULE_KIND_BACKEND, "cpu"));
  CHECK_FALSE(loaded(MIRT_MODULE_KIND_PARSER, "onnx"));

  std::string path = (std::filesystem::temp_directory_path() / "mirt_laziness_test.mirt").string();
  REQUIRE_OK(mirt_plan_save(plan.p, sv(path.c_str())));
  std::string command = "'" + self_path + "' --child-load '" + path + "'";
  int rc = std::system(command.c_str());
  CHECK(WIFEXITED(rc));
  CHECK(WEXITSTATUS(rc) == 0);  // see child_load for the meaning of other codes
  std::filesystem::remove(path);
}

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--child-load") == 0) return child_load(argv[2]);
  self_path = std::filesystem::canonical("/proc/self/exe").string();
  doctest::Context context(argc, argv);
  return context.run();
}
