// core/abi/parser_api.cpp — the C ABI of mirt/parser.h: finds the parser module and hands it bytes.
#include <boost/interprocess/file_mapping.hpp>
#include <boost/interprocess/mapped_region.hpp>
#include <filesystem>

#include "core/abi/handles.hpp"
#include "core/base/c_status.hpp"
#include "core/registry/registry.hpp"

using mirt::cat;
using mirt::to_c_status;
using mirt::to_view;

namespace {

mirt_status parse(mirt_network* network, std::string_view format, const void* data, size_t size,
                  const std::string& base_dir) {
  if (!network) return to_c_status({MIRT_STATUS_INVALID_ARGUMENT, "parse: network is NULL"});
  auto module = mirt::registry::instance().acquire(MIRT_MODULE_KIND_PARSER, std::string(format));
  if (!module.ok()) return to_c_status(module.error());
  const auto* vt = static_cast<const mirt_parser_vtable*>((*module)->vtable());
  if (vt->struct_size < sizeof(mirt_parser_vtable) || !vt->parse)
    return to_c_status({MIRT_STATUS_MODULE_ERROR, cat("parser '", format, "' has an incomplete vtable")});
  return vt->parse(network, data, size, mirt::to_c_view(base_dir));
}

}  // namespace

extern "C" {

MIRT_EXPORT mirt_status mirt_parser_parse_bytes(mirt_network* network, mirt_string_view format, const void* data,
                                                size_t size, mirt_string_view base_dir) {
  MIRT_C_GUARD_BEGIN
  return parse(network, to_view(format), data, size, std::string(to_view(base_dir)));
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_parser_parse_file(mirt_network* network, mirt_string_view format, mirt_string_view path) {
  MIRT_C_GUARD_BEGIN
  namespace bip = boost::interprocess;
  std::string file(to_view(path));
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return to_c_status({MIRT_STATUS_IO_ERROR, cat("cannot open model file '", file, "': ", ec.message())});
  // Mapped rather than read: the parser reads the bytes once, and a large model is not copied.
  bip::file_mapping mapping;
  bip::mapped_region region;
  if (size > 0) {
    try {
      mapping = bip::file_mapping(file.c_str(), bip::read_only);
      region = bip::mapped_region(mapping, bip::read_only);
    } catch (const bip::interprocess_exception& e) {
      return to_c_status({MIRT_STATUS_IO_ERROR, cat("cannot read model file '", file, "': ", e.what())});
    }
  }
  std::string base_dir = std::filesystem::path(file).parent_path().string();
  mirt_status s = parse(network, to_view(format), region.get_address(), region.get_size(), base_dir.empty() ? "." : base_dir);
  if (!s) return nullptr;
  return to_c_status(mirt::from_c_status(s).with_context(cat("model '", file, "'")));
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_onnx_parse_file(mirt_network* network, mirt_string_view path) {
  return mirt_parser_parse_file(network, mirt_string_view_of("onnx"), path);
}

MIRT_EXPORT mirt_status mirt_onnx_parse_bytes(mirt_network* network, const void* data, size_t size) {
  return mirt_parser_parse_bytes(network, mirt_string_view_of("onnx"), data, size, mirt_string_view_of("."));
}

}  // extern "C"
