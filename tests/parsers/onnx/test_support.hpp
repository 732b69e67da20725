// tests/parsers/onnx/test_support.hpp — a host api over libmirt that records what the parser adds,
// and helpers that build ONNX models with the protobuf classes.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "mirt/mirt.h"
#include "mirt/module.h"
#include "mirt/parser.h"
#include "parsers/onnx/onnx_proto.hpp"

// The parser module's export, linked in from its static library.
extern "C" const mirt_module_desc* mirt_module_entry(uint32_t host_abi_version, const mirt_host_api* host);

namespace onnx_test {

struct recorded_attribute {
  mirt_attribute_type type = MIRT_ATTRIBUTE_TYPE_UNDEFINED;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;
};

struct recorded_layer {
  std::string op_type, domain, name;
  std::vector<std::string> inputs;  // "" for an omitted input
  std::map<std::string, recorded_attribute> attributes;
  std::vector<std::string> outputs;
  bool without_schema = false;  // the core had no schema for the op yet, see test_support.cpp
};

struct recorded_constant {
  mirt_dtype dtype = MIRT_DTYPE_UNDEFINED;
  std::vector<int64_t> dims;
  std::vector<uint8_t> bytes;
  template <class T>
  std::vector<T> values() const {
    std::vector<T> out(bytes.size() / sizeof(T));
    if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
    return out;
  }
};

// The outcome of one parse: the network (libmirt), the status, and what the host was asked to do.
struct parse_result {
  mirt_network* network = nullptr;
  mirt_status status = nullptr;
  std::vector<recorded_layer> layers;
  std::map<std::string, recorded_constant> constants;
  std::vector<std::string> log_lines;

  parse_result() = default;
  parse_result(parse_result&& other) noexcept;
  parse_result(const parse_result&) = delete;
  ~parse_result();

  bool ok() const { return status == nullptr; }
  mirt_status_code code() const { return mirt_status_get_code(status); }
  std::string message() const { return mirt_status_get_message(status); }
  // The first layer of that op type, or NULL.
  const recorded_layer* layer(const std::string& op_type) const;
  // The declared dims of the named tensor (empty when absent).
  std::vector<int64_t> dims_of(const std::string& tensor) const;
};

// The parser's vtable, from mirt_module_entry with the recording host.
const mirt_parser_vtable* parser_vtable();
// Parses bytes through the vtable into a fresh network.
parse_result parse_bytes(const std::string& bytes, const std::string& base_dir = "");
// Reads path and parses it, with external data looked up beside it.
parse_result parse_file(const std::filesystem::path& path);

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& bytes);

// A fresh folder under the system temp folder, removed with this object.
struct temp_dir {
  std::filesystem::path path;
  temp_dir();
  ~temp_dir();
};

// ---- model building ---------------------------------------------------------------------------

// A model with ir_version 8 importing `opset` of the default domain.
::onnx::ModelProto make_model(int64_t opset);
// Adds a graph input or output; a dim of -1 gets dim_param "batch".
void add_input(::onnx::ModelProto& m, const std::string& name, int32_t elem_type, std::vector<int64_t> dims);
void add_output(::onnx::ModelProto& m, const std::string& name, int32_t elem_type, std::vector<int64_t> dims);
::onnx::NodeProto* add_node(::onnx::ModelProto& m, const std::string& op_type, std::vector<std::string> inputs,
                            std::vector<std::string> outputs, const std::string& name = "");
void set_ints(::onnx::NodeProto* n, const std::string& name, std::vector<int64_t> values);
void set_int(::onnx::NodeProto* n, const std::string& name, int64_t value);
void set_float(::onnx::NodeProto* n, const std::string& name, float value);
::onnx::TensorProto* add_float_initializer(::onnx::ModelProto& m, const std::string& name, std::vector<int64_t> dims,
                                           std::vector<float> values);
std::string serialize(const ::onnx::ModelProto& m);

}  // namespace onnx_test
