// tools/mirt/onnx_file.cpp — see onnx_file.hpp.
#include "onnx_file.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>

#include <climits>
#include <fcntl.h>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace mirt::cli {

void read_onnx_model(const std::string& path, onnx::ModelProto& model) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw std::runtime_error("cannot open '" + path + "'");
  bool parsed = false;
  {
    google::protobuf::io::FileInputStream file(fd);
    google::protobuf::io::CodedInputStream coded(&file);
    coded.SetTotalBytesLimit(INT_MAX);  // models up to 2 GiB inline; larger ones keep weights outside
    parsed = model.ParseFromCodedStream(&coded) && coded.ConsumedEntireMessage();
  }
  ::close(fd);
  if (!parsed || !model.has_graph())
    throw std::runtime_error("'" + path + "' is not an ONNX model (the protobuf does not parse as a ModelProto with a graph)");
}

void write_onnx_model(const onnx::ModelProto& model, const std::string& path) {
  if (model.ByteSizeLong() > size_t(INT_MAX))
    throw std::runtime_error("the model is over 2 GiB, more than one protobuf holds; '" + path + "' is not written");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out || !model.SerializeToOstream(&out) || !out.flush())
    throw std::runtime_error("cannot write '" + path + "'");
}

}  // namespace mirt::cli
