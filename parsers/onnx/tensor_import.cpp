// parsers/onnx/tensor_import.cpp — turns TensorProto data (raw, typed fields, external files) into bytes.
#include "parsers/onnx/tensor_import.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <limits>

namespace mirt::onnx {

namespace {

using ::onnx::TensorProto;

std::string dims_text(const std::vector<int64_t>& dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(dims[i]);
  }
  return out + "]";
}

// Copies a repeated typed field into `out` as elements of `Element` (narrowing int32_data to int8,
// uint8, bool, or to the 16-bit patterns of float16/bfloat16, as the ONNX spec stores them).
template <class Element, class Field>
void copy_field(const Field& field, std::vector<uint8_t>& out) {
  out.resize(static_cast<size_t>(field.size()) * sizeof(Element));
  auto* dst = reinterpret_cast<Element*>(out.data());
  for (int i = 0; i < field.size(); ++i) dst[i] = static_cast<Element>(field.Get(i));
}

// Copies the typed field that the ONNX spec uses for dtype; returns the number of elements it held.
int64_t copy_typed_field(const TensorProto& t, mirt_dtype dtype, std::vector<uint8_t>& out) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: copy_field<float>(t.float_data(), out); return t.float_data_size();
    case MIRT_DTYPE_FLOAT64: copy_field<double>(t.double_data(), out); return t.double_data_size();
    case MIRT_DTYPE_INT64: copy_field<int64_t>(t.int64_data(), out); return t.int64_data_size();
    case MIRT_DTYPE_INT32: copy_field<int32_t>(t.int32_data(), out); return t.int32_data_size();
    case MIRT_DTYPE_INT8: copy_field<int8_t>(t.int32_data(), out); return t.int32_data_size();
    case MIRT_DTYPE_UINT8: copy_field<uint8_t>(t.int32_data(), out); return t.int32_data_size();
    case MIRT_DTYPE_BOOL: copy_field<uint8_t>(t.int32_data(), out); return t.int32_data_size();
    case MIRT_DTYPE_FLOAT16:
    case MIRT_DTYPE_BFLOAT16: copy_field<uint16_t>(t.int32_data(), out); return t.int32_data_size();
    default: return 0;
  }
}

const char* typed_field_name(mirt_dtype dtype) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: return "float_data";
    case MIRT_DTYPE_FLOAT64: return "double_data";
    case MIRT_DTYPE_INT64: return "int64_data";
    default: return "int32_data";
  }
}

// A location must stay inside the model's folder: no absolute path, no "..".
bool is_safe_location(const std::string& location) {
  std::filesystem::path p(location);
  if (location.empty() || p.is_absolute() || p.has_root_name()) return false;
  for (const auto& part : p)
    if (part == "..") return false;
  return true;
}

status read_external(const TensorProto& t, std::string_view what, external_files& files, tensor_data* out) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& entry : t.external_data()) {
    const std::string& key = entry.key();
    if (key == "location") {
      location = entry.value();
    } else if (key == "offset" || key == "length") {
      char* end = nullptr;
      errno = 0;
      long long v = std::strtoll(entry.value().c_str(), &end, 10);
      if (errno || entry.value().empty() || *end || v < 0)
        return make_error(MIRT_STATUS_CORRUPT_DATA, what, ": external data ", key, " '", entry.value(),
                          "' is not a non-negative integer");
      (key == "offset" ? offset : length) = v;
    }  // "checksum" and unknown keys are ignored
  }
  if (location.empty())
    return make_error(MIRT_STATUS_CORRUPT_DATA, what, ": data_location is EXTERNAL but external_data has no 'location'");
  if (!is_safe_location(location))
    return make_error(MIRT_STATUS_CORRUPT_DATA, what, ": external data location '", location,
                      "' must be a relative path inside the model's folder (no absolute path, no '..')");
  return files.read(location, offset, length, what, &out->external, &out->size);
}

}  // namespace

size_t dtype_size(mirt_dtype dtype) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: case MIRT_DTYPE_INT32: return 4;
    case MIRT_DTYPE_FLOAT16: case MIRT_DTYPE_BFLOAT16: return 2;
    case MIRT_DTYPE_INT8: case MIRT_DTYPE_UINT8: case MIRT_DTYPE_BOOL: return 1;
    case MIRT_DTYPE_INT64: case MIRT_DTYPE_FLOAT64: return 8;
    default: return 0;
  }
}

const char* dtype_name(mirt_dtype dtype) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: return "float32";
    case MIRT_DTYPE_FLOAT16: return "float16";
    case MIRT_DTYPE_BFLOAT16: return "bfloat16";
    case MIRT_DTYPE_INT8: return "int8";
    case MIRT_DTYPE_UINT8: return "uint8";
    case MIRT_DTYPE_INT32: return "int32";
    case MIRT_DTYPE_INT64: return "int64";
    case MIRT_DTYPE_BOOL: return "bool";
    case MIRT_DTYPE_FLOAT64: return "float64";
    default: return "undefined";
  }
}

std::string onnx_dtype_name(int32_t onnx_type) {
  if (TensorProto::DataType_IsValid(onnx_type))
    return TensorProto::DataType_Name(static_cast<TensorProto::DataType>(onnx_type));
  // Types newer than the ONNX 1.12 protobuf classes we build with.
  static const char* const newer[] = {"FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4",
                                      "INT4",         "FLOAT4E2M1",     "FLOAT8E8M0", "UINT2",          "INT2"};
  if (onnx_type >= 17 && onnx_type < 17 + static_cast<int32_t>(std::size(newer))) return newer[onnx_type - 17];
  return cat("type ", onnx_type);
}

status to_mirt_dtype(int32_t onnx_type, std::string_view what, mirt_dtype* out_dtype) {
  mirt_dtype d = MIRT_DTYPE_UNDEFINED;
  switch (onnx_type) {
    case TensorProto::FLOAT: d = MIRT_DTYPE_FLOAT32; break;
    case TensorProto::FLOAT16: d = MIRT_DTYPE_FLOAT16; break;
    case TensorProto::BFLOAT16: d = MIRT_DTYPE_BFLOAT16; break;
    case TensorProto::INT8: d = MIRT_DTYPE_INT8; break;
    case TensorProto::UINT8: d = MIRT_DTYPE_UINT8; break;
    case TensorProto::INT32: d = MIRT_DTYPE_INT32; break;
    case TensorProto::INT64: d = MIRT_DTYPE_INT64; break;
    case TensorProto::BOOL: d = MIRT_DTYPE_BOOL; break;
    case TensorProto::DOUBLE: d = MIRT_DTYPE_FLOAT64; break;
    default:
      return make_error(MIRT_STATUS_UNSUPPORTED, what, ": element type ", onnx_dtype_name(onnx_type),
                        " is not supported (mirt takes FLOAT, FLOAT16, BFLOAT16, INT8, UINT8, INT32, INT64, "
                        "BOOL and DOUBLE)");
  }
  *out_dtype = d;
  return {};
}

// ---- external_files ---------------------------------------------------------------------------

struct external_files::mapping {
  void* address = nullptr;
  size_t size = 0;
  ~mapping() {
    if (address) munmap(address, size);
  }
};

external_files::external_files(std::string base_dir) : base_dir_(std::move(base_dir)) {}
external_files::~external_files() = default;

status external_files::read(const std::string& location, int64_t offset, int64_t length, std::string_view what,
                            const void** out_data, size_t* out_size) {
  std::filesystem::path path = base_dir_.empty() ? std::filesystem::path(location)
                                                 : std::filesystem::path(base_dir_) / location;
  std::error_code ec;
  std::string full = std::filesystem::absolute(path, ec).lexically_normal().string();
  if (ec) full = path.string();

  auto it = mapped_.find(full);
  if (it == mapped_.end()) {
    int fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      if (err == ENOENT)
        return make_error(MIRT_STATUS_IO_ERROR, what, ": external data file '", location,
                          "' not found (searched '", full, "'); keep the data files beside the model");
      return make_error(MIRT_STATUS_IO_ERROR, what, ": cannot open external data file '", full,
                        "': ", std::strerror(err));
    }
    auto m = std::make_unique<mapping>();
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return make_error(MIRT_STATUS_IO_ERROR, what, ": external data path '", full, "' is not a regular file");
    }
    m->size = static_cast<size_t>(st.st_size);
    if (m->size > 0) {
      void* a = ::mmap(nullptr, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (a == MAP_FAILED) {
        int err = errno;
        ::close(fd);
        return make_error(MIRT_STATUS_IO_ERROR, what, ": cannot map external data file '", full,
                          "': ", std::strerror(err));
      }
      m->address = a;
    }
    ::close(fd);
    it = mapped_.emplace(full, std::move(m)).first;
  }

  const mapping& m = *it->second;
  uint64_t file_size = m.size;
  uint64_t begin = static_cast<uint64_t>(offset);
  uint64_t count = length < 0 ? (begin <= file_size ? file_size - begin : 0) : static_cast<uint64_t>(length);
  if (begin > file_size || count > file_size - begin)
    return make_error(MIRT_STATUS_CORRUPT_DATA, what, ": external data file '", full, "' is ", file_size,
                      " bytes, but the tensor needs bytes [", begin, ", ", begin + count,
                      ") (offset ", offset, ", length ", length < 0 ? std::string("to end") : std::to_string(length),
                      "); the file is truncated or belongs to another model");
  *out_data = static_cast<const uint8_t*>(m.address) + begin;
  *out_size = static_cast<size_t>(count);
  return {};
}

// ---- read_tensor ------------------------------------------------------------------------------

status read_tensor(const TensorProto& t, std::string_view what, external_files& files, tensor_data* out) {
  tensor_data result;
  MIRT_ONNX_RETURN_IF_ERROR(to_mirt_dtype(t.data_type(), what, &result.dtype));
  if (t.has_segment())
    return make_error(MIRT_STATUS_UNSUPPORTED, what, ": segmented tensors are not supported");
  int64_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0)
      return make_error(MIRT_STATUS_CORRUPT_DATA, what, ": dim ", result.dims.size(), " is ", d,
                        ", expected >= 0");
    if (d > 0 && count > std::numeric_limits<int64_t>::max() / d)
      return make_error(MIRT_STATUS_CORRUPT_DATA, what, ": dims overflow 64 bits");
    count *= d;
    result.dims.push_back(d);
  }
  size_t element = dtype_size(result.dtype);
  uint64_t expected = static_cast<uint64_t>(count) * element;
  auto describe = [&] { return cat(dims_text(result.dims), " x ", dtype_name(result.dtype)); };

  if (t.data_location() == TensorProto::EXTERNAL) {
    MIRT_ONNX_RETURN_IF_ERROR(read_external(t, what, files, &result));
    if (result.size != expected)
      return make_error(MIRT_STATUS_CORRUPT_DATA, what, ": external data holds ", result.size, " bytes, expected ",
                        expected, " (", describe(), ")");
  } else if (t.has_raw_data()) {
    if (t.raw_data().size() != expected)
      return make_error(MIRT_STATUS_CORRUPT_DATA, what, ": raw_data holds ", t.raw_data().size(),
                        " bytes, expected ", expected, " (", describe(), ")");
    result.external = t.raw_data().data();
    result.size = t.raw_data().size();
  } else {
    int64_t held = copy_typed_field(t, result.dtype, result.storage);
    if (held != count)
      return make_error(MIRT_STATUS_CORRUPT_DATA, what, ": ", typed_field_name(result.dtype), " holds ", held,
                        " values, expected ", count, " (", describe(), ")");
    result.size = result.storage.size();
  }
  *out = std::move(result);
  return {};
}

}  // namespace mirt::onnx
