// tests/core/registry/registry_test.cpp — module discovery and the refusals that name the culprit.
#include <string>

#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

const mirt_module_info* find_module(const char* name, mirt_module_info* storage) {
  for (size_t i = 0; i < mirt_registry_num_modules(); ++i) {
    *storage = MIRT_MODULE_INFO_INIT;
    REQUIRE_OK(mirt_registry_get_module(i, storage));
    if (std::string(storage->name.data, storage->name.length) == name) return storage;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the in-tree CPU backend is discovered from MIRT_MODULE_PATH without being loaded") {
  mirt_module_info info;
  REQUIRE(find_module("cpu", &info) != nullptr);
  CHECK(info.kind == MIRT_MODULE_KIND_BACKEND);
  CHECK(info.abi_version == MIRT_ABI_VERSION);
  CHECK(info.compatible == 1);
  CHECK(std::string(info.path.data, info.path.length).find("libmirt_backend_cpu.so") != std::string::npos);
  char* paths = nullptr;
  REQUIRE_OK(mirt_registry_search_paths(&paths));
  CHECK(std::string(paths).find("backends/cpu") != std::string::npos);
  mirt_string_free(paths);
}

TEST_CASE("a module folder that does not exist is reported by name") {
  std::string message;
  EXPECT_FAILURE(mirt_registry_add_search_path(sv("/no/such/mirt/modules")), MIRT_STATUS_NOT_FOUND, message);
  CHECK(contains(message, "/no/such/mirt/modules"));
  EXPECT_FAILURE(mirt_registry_load_library(sv("/no/such/libmirt_x.so")), MIRT_STATUS_NOT_FOUND, message);
  CHECK(contains(message, "/no/such/libmirt_x.so"));
}

TEST_CASE("a module built for another ABI version is refused, naming both versions") {
  REQUIRE_OK(mirt_registry_add_search_path(sv(WRONG_ABI_DIR)));
  mirt_module_info info;
  REQUIRE(find_module("wrongabi", &info) != nullptr);
  CHECK(info.compatible == 0);
  CHECK(info.loaded == 0);

  // Building for it goes through the registry and is refused before the library is touched.
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t dims[] = {2};
  mirt_tensor* x;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 1, dims, nullptr, &x));
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Relu", "r", {x})));
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("wrongabi");
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  plan_owner plan;
  std::string message;
  EXPECT_FAILURE(mirt_builder_build(net.p, config.p, &plan.p), MIRT_STATUS_INCOMPATIBLE_VERSION, message);
  CHECK(contains(message, "999"));
  CHECK(contains(message, "module ABI version " + std::to_string(MIRT_ABI_VERSION)));

  // Loading the library by path reads the version from its descriptor and refuses it too.
  EXPECT_FAILURE(mirt_registry_load_library(sv(WRONG_ABI_DIR "/libfake_wrong_abi.so")),
                 MIRT_STATUS_INCOMPATIBLE_VERSION, message);
  CHECK(contains(message, "999"));
  CHECK(contains(message, std::to_string(MIRT_ABI_VERSION)));
}

TEST_CASE("two modules with the same name are refused, naming both libraries") {
  REQUIRE_OK(mirt_registry_add_search_path(sv(DUP_A_DIR)));
  std::string message;
  EXPECT_FAILURE(mirt_registry_add_search_path(sv(DUP_B_DIR)), MIRT_STATUS_ALREADY_EXISTS, message);
  CHECK(contains(message, "'dupe'"));
  CHECK(contains(message, "libdupe_dup_a.so"));
  CHECK(contains(message, "libdupe_dup_b.so"));
}

TEST_CASE("a library without the entry symbol is refused as not a mirt module") {
  std::string message;
  EXPECT_FAILURE(mirt_registry_load_library(sv(NO_ENTRY_LIBRARY)), MIRT_STATUS_MODULE_ERROR, message);
  CHECK(contains(message, "mirt_module_entry"));
  CHECK(contains(message, "libnot_a_module.so"));
}

TEST_CASE("a build for a backend that is not installed names it and the folders searched") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t dims[] = {2};
  mirt_tensor* x;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 1, dims, nullptr, &x));
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Relu", "r", {x})));
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("tpu9000");
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  plan_owner plan;
  std::string message;
  EXPECT_FAILURE(mirt_builder_build(net.p, config.p, &plan.p), MIRT_STATUS_NOT_FOUND, message);
  CHECK(contains(message, "'tpu9000'"));
  CHECK(contains(message, "backends/cpu"));  // one of the folders searched
  CHECK(contains(message, "MIRT_MODULE_PATH"));
}
