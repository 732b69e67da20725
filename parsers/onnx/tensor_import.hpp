// parsers/onnx/tensor_import.hpp — reads ONNX TensorProtos (inline, typed or external data) as mirt tensors.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mirt/base.h"
#include "parsers/onnx/onnx_proto.hpp"
#include "parsers/onnx/parse_status.hpp"

namespace mirt::onnx {

// Bytes per element of a mirt dtype (the module cannot call libmirt's mirt_dtype_size).
size_t dtype_size(mirt_dtype dtype);
const char* dtype_name(mirt_dtype dtype);
// "FLOAT", "INT64", ... for an ONNX TensorProto::DataType value; "type <n>" when unknown.
std::string onnx_dtype_name(int32_t onnx_type);
// Maps an ONNX element type to a mirt dtype; UNSUPPORTED names `what` for types mirt lacks.
status to_mirt_dtype(int32_t onnx_type, std::string_view what, mirt_dtype* out_dtype);

// A tensor's dtype, dims and bytes (row-major, little-endian). The bytes live in the TensorProto, in
// a mapped external file, or in `storage`; they stay valid while those live.
struct tensor_data {
  mirt_dtype dtype = MIRT_DTYPE_UNDEFINED;
  std::vector<int64_t> dims;
  const void* external = nullptr;
  size_t size = 0;
  std::vector<uint8_t> storage;
  const void* bytes() const { return external ? external : storage.data(); }
};

// External data files of one parse, mapped read-only on first use and unmapped with this object.
class external_files {
 public:
  explicit external_files(std::string base_dir);
  ~external_files();
  external_files(const external_files&) = delete;
  external_files& operator=(const external_files&) = delete;

  // Reads [offset, offset + length) of `location` (relative to the base folder); length -1 reads to
  // the end. IO_ERROR names the file and the full path searched; CORRUPT_DATA a range past the end.
  status read(const std::string& location, int64_t offset, int64_t length, std::string_view what,
              const void** out_data, size_t* out_size);

 private:
  struct mapping;
  std::string base_dir_;
  std::map<std::string, std::unique_ptr<mapping>> mapped_;
};

// Reads tensor `t`; `what` names it in errors ("initializer 'conv1.weight'").
status read_tensor(const ::onnx::TensorProto& t, std::string_view what, external_files& files, tensor_data* out);

}  // namespace mirt::onnx
