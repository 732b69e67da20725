// core/runtime/body_runner.cpp — one run of a control-flow body through the backend's kernels.
//
// A body's shapes may change from one run to the next (loop-carried values that grow, data that
// picks a size), so each run infers the body at its input shapes, and the small int32/int64
// inputs' values too (an iteration number that feeds a Slice), then gives each tensor a buffer.
#include "core/runtime/body_runner.hpp"

#include <cstring>
#include <numeric>

#include "core/graph/shape_inference.hpp"

namespace mirt {

namespace {

constexpr int64_t max_value_elements = 64;  // as shape tensors: small integer inputs only

result<std::vector<int64_t>> integer_values(const backend& b, const run_value& v, void* stream) {
  const size_t count = static_cast<size_t>(element_count(std::vector<int64_t>(v.desc.dims, v.desc.dims + v.desc.rank)));
  std::vector<int64_t> out(count);
  if (v.desc.dtype == MIRT_DTYPE_INT64) {
    MIRT_RETURN_IF_ERROR(read_to_host(b, v.data, count * 8, stream, out.data()));
  } else {
    std::vector<int32_t> narrow(count);
    MIRT_RETURN_IF_ERROR(read_to_host(b, v.data, count * 4, stream, narrow.data()));
    std::copy(narrow.begin(), narrow.end(), out.begin());
  }
  return out;
}

}  // namespace

status read_to_host(const backend& b, const void* src, size_t bytes, void* stream, void* dst) {
  if (bytes == 0) return {};
  if (b.io_location() == MIRT_TENSOR_LOCATION_HOST) {
    MIRT_RETURN_IF_ERROR(b.synchronize(stream));
    std::memcpy(dst, src, bytes);
    return {};
  }
  MIRT_RETURN_IF_ERROR(b.copy(dst, src, bytes, MIRT_COPY_KIND_DEVICE_TO_HOST, stream));
  return b.synchronize(stream);
}

status write_from_host(const backend& b, void* dst, const void* src, size_t bytes, void* stream) {
  if (bytes == 0) return {};
  if (b.io_location() == MIRT_TENSOR_LOCATION_HOST) {
    std::memcpy(dst, src, bytes);
    return {};
  }
  MIRT_RETURN_IF_ERROR(b.copy(dst, src, bytes, MIRT_COPY_KIND_HOST_TO_DEVICE, stream));
  return b.synchronize(stream);
}

result<std::vector<run_value>> body_runner::run(const std::vector<run_value>& inputs, void* stream) const {
  const engine& e = *body_;
  const backend& b = e.target();
  const graph& g = e.plan().network;
  if (inputs.size() != g.inputs.size())
    return make_error(MIRT_STATUS_INTERNAL, where_, ": given ", inputs.size(), " inputs, the body takes ", g.inputs.size());
  std::unordered_map<int, std::vector<int64_t>> shapes;
  value_map values;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const int t = g.inputs[i];
    const mirt_tensor_desc& d = inputs[i].desc;
    if (d.dtype != g.tensors[t].dtype)
      return make_error(MIRT_STATUS_INVALID_GRAPH, where_, ": input ", i, " '", g.tensors[t].name, "' is ",
                        mirt_dtype_name(d.dtype), ", the body was built for ", mirt_dtype_name(g.tensors[t].dtype));
    shapes[t] = std::vector<int64_t>(d.dims, d.dims + d.rank);
    const int64_t count = element_count(shapes[t]);
    if ((d.dtype == MIRT_DTYPE_INT64 || d.dtype == MIRT_DTYPE_INT32) && count <= max_value_elements) {
      MIRT_ASSIGN_OR_RETURN(values[t], integer_values(b, inputs[i], stream));
    }
  }
  std::vector<int> order(g.nodes.size());
  std::iota(order.begin(), order.end(), 0);
  result<std::vector<tensor_type>> inferred = infer_types(g, order, shapes, values);
  if (!inferred.ok()) return inferred.error().with_context(where_);
  const std::vector<tensor_type>& types = *inferred;

  auto memory = std::make_shared<std::vector<std::shared_ptr<void>>>();
  std::vector<const void*> address(g.tensors.size(), nullptr);
  for (size_t i = 0; i < inputs.size(); ++i) address[g.inputs[i]] = inputs[i].data;
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (g.tensors[t].constant >= 0) address[t] = e.constant_address(static_cast<int>(t));
    if (g.tensors[t].producer < 0) continue;
    const mirt_tensor_desc d = to_desc(types[t]);
    for (uint32_t k = 0; k < d.rank; ++k)
      if (d.dims[k] < 0)
        return make_error(MIRT_STATUS_UNSUPPORTED, where_, ": tensor '", g.tensors[t].name, "' has shape ",
                          to_string(types[t].shape), ", which depends on data inside the body");
    MIRT_ASSIGN_OR_RETURN(std::shared_ptr<void> buffer, b.allocate(byte_size(d), cat(where_, " tensor '", g.tensors[t].name, "'")));
    address[t] = buffer.get();
    memory->push_back(std::move(buffer));
  }
  std::vector<std::vector<mirt_tensor_desc>> ins(g.nodes.size()), outs(g.nodes.size());
  size_t workspace_size = 0;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    for (int t : g.nodes[n].inputs) ins[n].push_back(t >= 0 ? to_desc(types[t]) : mirt_tensor_desc{});
    for (int t : g.nodes[n].outputs) outs[n].push_back(to_desc(types[t]));
    workspace_size = std::max(workspace_size, e.kernel_of(n).workspace_size(ins[n].data(), outs[n].data()));
  }
  std::shared_ptr<void> workspace;
  if (workspace_size) {
    MIRT_ASSIGN_OR_RETURN(workspace, b.allocate(workspace_size, cat(where_, " kernel workspace")));
    memory->push_back(workspace);
  }
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    std::vector<const void*> in_data;
    std::vector<void*> out_data;
    for (int t : g.nodes[n].inputs) in_data.push_back(t >= 0 ? address[t] : nullptr);
    for (int t : g.nodes[n].outputs) out_data.push_back(const_cast<void*>(address[t]));
    mirt_kernel_io io{sizeof(mirt_kernel_io), ins[n].size(), ins[n].data(), in_data.data(), outs[n].size(),
                      outs[n].data(), out_data.data(), workspace.get(), workspace_size, stream};
    status s = e.kernel_of(n).execute(io, g.nodes[n].name);
    if (!s.ok()) return s.with_context(where_);
  }
  std::vector<run_value> out;
  for (int t : g.outputs) {
    run_value v{to_desc(types[t]), address[t], memory};
    for (size_t i = 0; i < inputs.size(); ++i)  // a passed-through input lives as long as the caller keeps it
      if (g.inputs[i] == t) v.keep = inputs[i].keep;
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace mirt
