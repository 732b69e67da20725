// parsers/onnx/output_check.cpp — declared graph output types and dims against mirt's inferred ones.
#include "parsers/onnx/output_check.hpp"

#include <cstddef>
#include <vector>

#include "parsers/onnx/tensor_import.hpp"

namespace mirt::onnx {

namespace {

bool host_can_infer(const mirt_host_api& host) {
  return host.struct_size >= offsetof(mirt_host_api, tensor_get_dims) + sizeof(host.tensor_get_dims) &&
         host.network_infer_types && host.tensor_get_dtype && host.tensor_get_dims;
}

// "output of node 'name' (Op)", or "a graph input or initializer" when no node makes it.
std::string producer_of(const ::onnx::GraphProto& g, const std::string& name) {
  for (int i = 0; i < g.node_size(); ++i)
    for (const std::string& o : g.node(i).output())
      if (o == name)
        return cat("the output of node ", g.node(i).name().empty() ? cat("#", i) : cat("'", g.node(i).name(), "'"), " (",
                   g.node(i).op_type(), ")");
  return "a graph input or initializer";
}

std::string format_dims(const std::vector<int64_t>& dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); ++i) out += cat(i ? "," : "", dims[i] < 0 ? std::string("?") : std::to_string(dims[i]));
  return out + "]";
}

std::string declared_dims(const ::onnx::TensorShapeProto& shape) {
  std::string out = "[";
  for (int i = 0; i < shape.dim_size(); ++i) {
    const auto& d = shape.dim(i);
    out += cat(i ? "," : "", d.has_dim_value() ? std::to_string(d.dim_value()) : d.dim_param().empty() ? "?" : d.dim_param());
  }
  return out + "]";
}

status check_output(const mirt_host_api& host, const ::onnx::GraphProto& g, const ::onnx::ValueInfoProto& v,
                    const mirt_tensor* t) {
  if (!v.type().has_tensor_type()) return {};
  const ::onnx::TypeProto_Tensor& tt = v.type().tensor_type();
  const mirt_dtype computed = host.tensor_get_dtype(t);
  mirt_dtype declared = MIRT_DTYPE_UNDEFINED;
  // An undeclared type (0), or one mirt has no dtype for (reported where a kernel needs it), is not checked.
  if (tt.elem_type() != 0 && to_mirt_dtype(tt.elem_type(), "", &declared).ok() && computed != MIRT_DTYPE_UNDEFINED &&
      declared != computed)
    return make_error(MIRT_STATUS_INVALID_GRAPH, "graph output '", v.name(), "' is declared ",
                      onnx_dtype_name(tt.elem_type()), " (", dtype_name(declared), "), but ", producer_of(g, v.name()),
                      " is ", dtype_name(computed), " in mirt's network (ONNX Runtime rejects this model too); fix the "
                      "output's elem_type in the model (onnx.shape_inference.infer_shapes(model, strict_mode=True) "
                      "reports such mismatches)");
  if (!tt.has_shape()) return {};
  int64_t dims[MIRT_MAX_RANK] = {};
  const size_t rank = host.tensor_get_dims(t, dims);
  if (rank == 0) return {};  // unknown (or a scalar: indistinguishable here)
  std::string mismatch;
  if (tt.shape().dim_size() != static_cast<int>(rank)) mismatch = cat("rank ", tt.shape().dim_size(), " against ", rank);
  for (size_t i = 0; mismatch.empty() && i < rank; ++i) {
    const auto& d = tt.shape().dim(static_cast<int>(i));
    if (d.has_dim_value() && dims[i] >= 0 && d.dim_value() != dims[i])
      mismatch = cat("dim ", i, " is ", d.dim_value(), " against ", dims[i]);
  }
  // As ONNX Runtime does ("falling back to lenient merge"), a wrong declared shape only warns: the
  // engine reports the shape it computes, and the model still runs.
  if (!mismatch.empty() && host.log)
    host.log(MIRT_LOG_LEVEL_WARNING, "onnx",
             cat("graph output '", v.name(), "' is declared with shape ", declared_dims(tt.shape()), ", but ",
                 producer_of(g, v.name()), " has shape ", format_dims(std::vector<int64_t>(dims, dims + rank)),
                 " in mirt's network (", mismatch, "; '?' = known at run time); mirt uses its own shape, and "
                 "the declaration in the model is likely wrong").c_str());
  return {};
}

}  // namespace

status check_declared_outputs(const mirt_host_api& host, mirt_network* network, const ::onnx::GraphProto& g,
                              const std::unordered_map<std::string, mirt_tensor*>& tensors) {
  if (!host_can_infer(host)) return {};
  if (mirt_status s = host.network_infer_types(network)) {
    if (host.log)
      host.log(MIRT_LOG_LEVEL_INFO, "onnx",
               cat("the declared output types are not checked: the network does not infer yet (",
                   host.status_get_message(s), ")").c_str());
    host.status_destroy(s);
    return {};
  }
  for (const ::onnx::ValueInfoProto& v : g.output()) {
    auto it = tensors.find(v.name());
    if (it != tensors.end()) MIRT_ONNX_RETURN_IF_ERROR(check_output(host, g, v, it->second));
  }
  return {};
}

}  // namespace mirt::onnx
