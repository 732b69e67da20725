// tests/plugins/plugin_registry_test.cpp — plugin libraries and creators through the C ABI:
// loading, listing, duplicates, bad libraries, thread safety.
#include <atomic>
#include <set>
#include <thread>

#include "tests/plugins/plugin_test_support.hpp"

using namespace plugin_test;

namespace {

const mirt_plugin_creator* find_creator(const std::string& ns, const std::string& name, std::string* library = nullptr) {
  const size_t n = mirt_registry_num_plugin_creators();
  for (size_t i = 0; i < n; ++i) {
    mirt_plugin_creator_info info = MIRT_PLUGIN_CREATOR_INFO_INIT;
    REQUIRE_OK(mirt_registry_get_plugin_creator(i, &info));
    if (ns == info.creator->plugin_namespace && name == info.creator->name) {
      if (library) *library = std::string(info.library_path.data, info.library_path.length);
      return info.creator;
    }
  }
  return nullptr;
}

mirt_status create_none(const mirt_plugin_creator*, const mirt_attribute*, size_t, mirt_plugin*) { return nullptr; }

}  // namespace

TEST_CASE("a plugin library loaded by path registers its creators with their fields") {
  REQUIRE_OK(mirt_registry_load_library(sv(EXAMPLE_C_PLUGIN)));
  REQUIRE_OK(mirt_registry_load_library(sv(EXAMPLE_C_PLUGIN)));  // again: nothing changes
  std::string library;
  const mirt_plugin_creator* c = find_creator("com.example", "MyCustomOp", &library);
  REQUIRE(c != nullptr);
  CHECK(std::string(c->version) == "1");
  CHECK(contains(library, "libmy_custom_op.so"));
  REQUIRE(c->num_fields == 2);
  CHECK(std::string(c->fields[0].name) == "alpha");
  CHECK(c->fields[0].type == MIRT_ATTRIBUTE_TYPE_FLOAT);
  CHECK(c->fields[0].required == 1);
  CHECK(std::string(c->fields[1].name) == "beta");
  CHECK(mirt_registry_is_loaded(MIRT_MODULE_KIND_PLUGIN_LIBRARY, sv("example_c_plugins")) == 1);
}

TEST_CASE("a second library with a creator of the same name, version and namespace is refused, naming both") {
  REQUIRE_OK(mirt_registry_load_library(sv(EXAMPLE_C_PLUGIN)));
  std::string message;
  EXPECT_FAILURE(mirt_registry_load_library(sv(DUP_PLUGIN)), MIRT_STATUS_ALREADY_EXISTS, message);
  INFO(message);
  CHECK(contains(message, "com.example::MyCustomOp version 1"));
  CHECK(contains(message, "libmy_custom_op.so"));
  CHECK(contains(message, "libdup_custom_op.so"));
  std::string library;
  REQUIRE(find_creator("com.example", "MyCustomOp", &library) != nullptr);
  CHECK(contains(library, "libmy_custom_op.so"));  // the first one is kept
}

TEST_CASE("a library without the entry symbol is refused, naming the library and the symbol") {
  std::string message;
  EXPECT_FAILURE(mirt_registry_load_library(sv(NO_ENTRY_LIBRARY)), MIRT_STATUS_MODULE_ERROR, message);
  INFO(message);
  CHECK(contains(message, NO_ENTRY_LIBRARY));
  CHECK(contains(message, "mirt_module_entry"));
}

TEST_CASE("a plugin library built for another ABI version is refused, naming both versions") {
  std::string message;
  EXPECT_FAILURE(mirt_registry_load_library(sv(WRONG_ABI_PLUGIN)), MIRT_STATUS_INCOMPATIBLE_VERSION, message);
  INFO(message);
  CHECK(contains(message, "999"));
  CHECK(contains(message, "module ABI version " + std::to_string(MIRT_ABI_VERSION)));
}

TEST_CASE("creators registered by the application: duplicates, old headers and missing parts are refused") {
  static const mirt_plugin_creator app = {sizeof(mirt_plugin_creator), "AppOp", "2", "test.app", "", 0, nullptr,
                                          create_none, nullptr};
  REQUIRE_OK(mirt_registry_register_plugin_creator(&app));
  std::string message;
  EXPECT_FAILURE(mirt_registry_register_plugin_creator(&app), MIRT_STATUS_ALREADY_EXISTS, message);
  CHECK(contains(message, "test.app::AppOp version 2"));
  static const mirt_plugin_creator other_version = {sizeof(mirt_plugin_creator), "AppOp", "3", "test.app", "", 0,
                                                    nullptr, create_none, nullptr};
  REQUIRE_OK(mirt_registry_register_plugin_creator(&other_version));  // another version is another creator

  mirt_plugin_creator old = app;
  old.name = "OldOp";
  old.struct_size = 16;  // a header that predates `create`
  EXPECT_FAILURE(mirt_registry_register_plugin_creator(&old), MIRT_STATUS_INCOMPATIBLE_VERSION, message);
  CHECK(contains(message, "struct_size 16"));
  mirt_plugin_creator standard = app;
  standard.name = "Relu2";
  standard.plugin_namespace = "";
  EXPECT_FAILURE(mirt_registry_register_plugin_creator(&standard), MIRT_STATUS_INVALID_ARGUMENT, message);
  CHECK(contains(message, "namespace"));
  EXPECT_FAILURE(mirt_registry_register_plugin_creator(nullptr), MIRT_STATUS_INVALID_ARGUMENT, message);
}

TEST_CASE("creators registered from several threads at once are all listed once") {
  constexpr int threads = 4, per_thread = 25;
  static std::vector<std::string> names;
  static std::vector<mirt_plugin_creator> creators(threads * per_thread);
  names.clear();
  for (int i = 0; i < threads * per_thread; ++i) names.push_back("Threaded" + std::to_string(i));
  for (int i = 0; i < threads * per_thread; ++i)
    creators[i] = {sizeof(mirt_plugin_creator), names[i].c_str(), "1", "test.threads", "", 0, nullptr, create_none,
                   nullptr};
  std::atomic<int> failures{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([t, &failures] {
      for (int i = 0; i < per_thread; ++i) {
        mirt_status s = mirt_registry_register_plugin_creator(&creators[t * per_thread + i]);
        if (s) ++failures;
        mirt_status_destroy(s);
        (void)mirt_registry_num_plugin_creators();  // readers race with writers
      }
    });
  for (std::thread& t : pool) t.join();
  CHECK(failures == 0);
  std::set<std::string> seen;
  const size_t n = mirt_registry_num_plugin_creators();
  for (size_t i = 0; i < n; ++i) {
    mirt_plugin_creator_info info = MIRT_PLUGIN_CREATOR_INFO_INIT;
    REQUIRE_OK(mirt_registry_get_plugin_creator(i, &info));
    if (std::string(info.creator->plugin_namespace) == "test.threads") CHECK(seen.insert(info.creator->name).second);
  }
  CHECK(seen.size() == size_t(threads * per_thread));
}
