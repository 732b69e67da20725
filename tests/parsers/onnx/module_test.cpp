// tests/parsers/onnx/module_test.cpp — the module's descriptor and its built library.
#include <dlfcn.h>

#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <sstream>

#include "test_support.hpp"

using namespace onnx_test;

TEST_SUITE("onnx parser module") {

TEST_CASE("mirt_module_entry describes the onnx parser of this ABI") {
  const mirt_module_desc* desc = mirt_module_entry(MIRT_ABI_VERSION, nullptr);
  CHECK(desc == nullptr);  // no host, no parser
  parser_vtable();         // registers the recording host
  mirt_host_api host{};
  host.struct_size = sizeof host;
  CHECK(mirt_module_entry(MIRT_ABI_VERSION + 1, &host) == nullptr);

  const mirt_parser_vtable* vt = parser_vtable();
  REQUIRE(vt != nullptr);
  CHECK(vt->struct_size == sizeof(mirt_parser_vtable));
  CHECK(static_cast<bool>(vt->parse));
  desc = mirt_module_entry(MIRT_ABI_VERSION, nullptr);
  CHECK(desc == nullptr);
}

TEST_CASE("the descriptor names kind parser, name onnx and version 0.1.0") {
  parser_vtable();
  // Call again through the real table so the descriptor comes back.
  static const mirt_host_api host = {sizeof(mirt_host_api), MIRT_ABI_VERSION, mirt_status_create, nullptr,
                                     mirt_network_add_input, mirt_network_add_constant, mirt_network_add_layer,
                                     mirt_network_mark_output, mirt_network_find_tensor};
  const mirt_module_desc* desc = mirt_module_entry(MIRT_ABI_VERSION, &host);
  REQUIRE(desc != nullptr);
  CHECK(desc->struct_size == sizeof(mirt_module_desc));
  CHECK(desc->abi_version == MIRT_ABI_VERSION);
  CHECK(desc->kind == MIRT_MODULE_KIND_PARSER);
  CHECK(std::string(desc->name) == "onnx");
  CHECK(std::string(desc->version) == "0.1.0");
  CHECK(desc->description != nullptr);
  parser_vtable();  // back to the recording host for the other tests
}

TEST_CASE("the built module loads by path, exports mirt_module_entry and has its manifest beside it") {
  const char* path_list = std::getenv("MIRT_MODULE_PATH");
  REQUIRE_MESSAGE(path_list != nullptr, "run through meson test, which sets MIRT_MODULE_PATH");
  std::filesystem::path library;
  std::stringstream folders(path_list);
  for (std::string folder; std::getline(folders, folder, ':');)
    if (std::filesystem::exists(std::filesystem::path(folder) / "libmirt_parser_onnx.so"))
      library = std::filesystem::path(folder) / "libmirt_parser_onnx.so";
  REQUIRE_MESSAGE(!library.empty(), "libmirt_parser_onnx.so is in no folder of MIRT_MODULE_PATH: ", path_list);

  std::string manifest = read_file(library.parent_path() / "mirt_parser_onnx.mirt-module.json");
  CHECK(manifest.find("\"name\": \"onnx\"") != std::string::npos);
  CHECK(manifest.find("\"kind\": \"parser\"") != std::string::npos);
  CHECK(manifest.find("\"abi_version\": 1") != std::string::npos);
  CHECK(manifest.find("\"library\": \"libmirt_parser_onnx.so\"") != std::string::npos);

  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  REQUIRE_MESSAGE(handle != nullptr, dlerror());
  auto entry = reinterpret_cast<mirt_module_entry_fn>(dlsym(handle, MIRT_MODULE_ENTRY_SYMBOL));
  CHECK(static_cast<bool>(entry));
  if (entry) {
    static const mirt_host_api host = {sizeof(mirt_host_api), MIRT_ABI_VERSION, mirt_status_create, nullptr,
                                       mirt_network_add_input, mirt_network_add_constant, mirt_network_add_layer,
                                       mirt_network_mark_output, mirt_network_find_tensor};
    const mirt_module_desc* desc = entry(MIRT_ABI_VERSION, &host);
    REQUIRE(desc != nullptr);
    CHECK(std::string(desc->name) == "onnx");
  }
  dlclose(handle);
}

}  // TEST_SUITE
