// core/runtime/control_flow_kernel.cpp — If, Loop and Scan at run time: the condition and the trip
// count are read from the layer's inputs when it runs, and each body runs through body_runner.
//
// Outputs were sized by the context's inference before the run. Where a shape depends on data (a
// Loop stopped by its condition, If branches of different shapes), the size found when running
// must match; otherwise the run fails with a message that names the layer and both shapes.
#include "core/runtime/control_flow_kernel.hpp"

#include <climits>
#include <cstddef>

#include "core/base/c_status.hpp"
#include "core/graph/control_flow.hpp"
#include "core/runtime/body_runner.hpp"

namespace mirt {

namespace {

std::vector<int64_t> dims_of(const mirt_tensor_desc& d) { return std::vector<int64_t>(d.dims, d.dims + d.rank); }

class control_flow_kernel {
 public:
  status execute(const mirt_kernel_io& io) const;

  std::string op_type, name;
  size_t formal = 0;
  attribute_map attributes;
  std::vector<std::string> names;     // body attributes, parallel to bodies
  std::vector<body_runner> bodies;
  const backend* target = nullptr;    // owned by the bodies' engines

 private:
  status run_if(const mirt_kernel_io& io) const;
  status run_loop(const mirt_kernel_io& io) const;
  status run_scan(const mirt_kernel_io& io) const;
  status run_batched_scan(const mirt_kernel_io& io) const;

  const body_runner& body(std::string_view attribute) const {
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == attribute) return bodies[i];
    return bodies.front();
  }
  std::vector<run_value> captures(const mirt_kernel_io& io) const {
    std::vector<run_value> out;
    for (size_t i = formal; i < io.num_inputs; ++i) out.push_back(run_value{io.inputs[i], io.input_data[i], {}});
    return out;
  }
  template <class... Parts>
  status fail(mirt_status_code code, const Parts&... parts) const {
    return make_error(code, op_type, " '", name, "': ", parts...);
  }
  // Whether output `want` has dims only the run finds (-1) and the context offers allocate_output for it.
  static bool is_data_dependent(const mirt_kernel_io& io, const mirt_tensor_desc& want) {
    const bool hook = io.struct_size >= offsetof(mirt_kernel_io, allocator) + sizeof(io.allocator) && io.allocate_output;
    bool unknown = false;
    for (uint32_t d = 0; d < want.rank; ++d) unknown = unknown || want.dims[d] < 0;
    return hook && unknown;
  }
  // Copies v into output o after checking it has the shape the output was given.
  status store(const mirt_kernel_io& io, size_t o, const run_value& v, void* stream) const {
    const mirt_tensor_desc& want = io.outputs[o];
    // A data-dependent output (-1 dims) takes its buffer from the context at the shape the run found.
    if (is_data_dependent(io, want) && v.desc.dtype == want.dtype && v.desc.rank == want.rank) {
      void* data = nullptr;
      MIRT_RETURN_IF_ERROR(from_c_status(io.allocate_output(io.allocator, o, v.desc.rank, v.desc.dims, &data)));
      return target->copy(data, v.data, byte_size(v.desc), MIRT_COPY_KIND_DEVICE_TO_DEVICE, stream);
    }
    if (v.desc.dtype != want.dtype || dims_of(v.desc) != dims_of(want))
      return fail(MIRT_STATUS_INVALID_SHAPE, "output ", o, " is ", mirt_dtype_name(v.desc.dtype), " ",
                  to_string(dims_of(v.desc)), " at run time, but was sized as ", mirt_dtype_name(want.dtype), " ",
                  to_string(dims_of(want)), " before the run: its shape depends on data, which mirt does not ",
                  "support for control flow outputs yet (docs/control-flow.md)");
    return target->copy(io.output_data[o], v.data, byte_size(v.desc), MIRT_COPY_KIND_DEVICE_TO_DEVICE, stream);
  }
  result<run_value> host_scalar(const void* data, mirt_dtype dtype, size_t bytes, void* stream) const {
    MIRT_ASSIGN_OR_RETURN(std::shared_ptr<void> buffer, target->allocate(bytes, cat(op_type, " '", name, "' scalar")));
    MIRT_RETURN_IF_ERROR(write_from_host(*target, buffer.get(), data, bytes, stream));
    run_value v;
    v.desc.dtype = dtype;
    v.data = buffer.get();
    v.keep = std::move(buffer);
    return v;
  }
};

status control_flow_kernel::execute(const mirt_kernel_io& io) const {
  const bool batched = op_type == "Scan" && attributes.get_int("batched", 0) != 0;
  status s = op_type == "If" ? run_if(io) : op_type == "Loop" ? run_loop(io) : batched ? run_batched_scan(io) : run_scan(io);
  // Buffers of the bodies die on return: a device backend must be done with them first.
  if (target->io_location() != MIRT_TENSOR_LOCATION_HOST) {
    status done = target->synchronize(io.stream);
    if (s.ok()) s = done;
  }
  return s;
}

status control_flow_kernel::run_if(const mirt_kernel_io& io) const {
  if (element_count(dims_of(io.inputs[0])) != 1)
    return fail(MIRT_STATUS_INVALID_SHAPE, "the condition has shape ", to_string(dims_of(io.inputs[0])),
                "; it must hold one element");
  uint8_t cond = 0;
  MIRT_RETURN_IF_ERROR(read_to_host(*target, io.input_data[0], 1, io.stream, &cond));
  MIRT_ASSIGN_OR_RETURN(std::vector<run_value> outs, body(cond ? "then_branch" : "else_branch").run(captures(io), io.stream));
  for (size_t o = 0; o < io.num_outputs; ++o) MIRT_RETURN_IF_ERROR(store(io, o, outs[o], io.stream));
  return {};
}

status control_flow_kernel::run_loop(const mirt_kernel_io& io) const {
  const size_t carried = formal - 2, scans = io.num_outputs - carried;
  int64_t trips = INT64_MAX;
  if (io.inputs[0].dtype != MIRT_DTYPE_UNDEFINED)
    MIRT_RETURN_IF_ERROR(read_to_host(*target, io.input_data[0], 8, io.stream, &trips));
  uint8_t cond = 1;
  if (io.num_inputs > 1 && io.inputs[1].dtype != MIRT_DTYPE_UNDEFINED)
    MIRT_RETURN_IF_ERROR(read_to_host(*target, io.input_data[1], 1, io.stream, &cond));
  std::vector<run_value> state;
  for (size_t v = 0; v < carried; ++v) state.push_back(run_value{io.inputs[2 + v], io.input_data[2 + v], {}});
  const std::vector<run_value> outer = captures(io);
  std::vector<std::vector<run_value>> steps(scans);  // each scan output, per iteration
  int64_t i = 0;
  for (; i < trips && cond; ++i) {
    std::vector<run_value> inputs;
    MIRT_ASSIGN_OR_RETURN(run_value iteration, host_scalar(&i, MIRT_DTYPE_INT64, 8, io.stream));
    MIRT_ASSIGN_OR_RETURN(run_value condition, host_scalar(&cond, MIRT_DTYPE_BOOL, 1, io.stream));
    inputs.push_back(std::move(iteration));
    inputs.push_back(std::move(condition));
    inputs.insert(inputs.end(), state.begin(), state.end());
    inputs.insert(inputs.end(), outer.begin(), outer.end());
    MIRT_ASSIGN_OR_RETURN(std::vector<run_value> outs, bodies.front().run(inputs, io.stream));
    MIRT_RETURN_IF_ERROR(read_to_host(*target, outs[0].data, 1, io.stream, &cond));
    state.assign(outs.begin() + 1, outs.begin() + 1 + static_cast<std::ptrdiff_t>(carried));
    for (size_t k = 0; k < scans; ++k) steps[k].push_back(outs[1 + carried + k]);
  }
  for (size_t v = 0; v < carried; ++v) MIRT_RETURN_IF_ERROR(store(io, v, state[v], io.stream));
  for (size_t k = 0; k < scans; ++k) {
    const mirt_tensor_desc& want = io.outputs[carried + k];
    std::vector<int64_t> got = {i};
    if (!steps[k].empty()) {
      const std::vector<int64_t> step = dims_of(steps[k].front().desc);
      got.insert(got.end(), step.begin(), step.end());
      for (const run_value& v : steps[k])
        if (dims_of(v.desc) != step)
          return fail(MIRT_STATUS_INVALID_SHAPE, "scan output ", k, " is ", to_string(step), " in one iteration and ",
                      to_string(dims_of(v.desc)), " in another; they must agree to be stacked");
    }
    const bool empty_ok = i == 0 && want.rank >= 1 && want.dims[0] == 0;
    auto* dst = static_cast<std::byte*>(io.output_data[carried + k]);
    if (!empty_ok && got != dims_of(want) && is_data_dependent(io, want) && got.size() == want.rank) {
      // Sized by the run (the trip count or a step's shape depends on data): the buffer comes from the context.
      void* data = nullptr;
      MIRT_RETURN_IF_ERROR(from_c_status(io.allocate_output(io.allocator, carried + k, want.rank, got.data(), &data)));
      dst = static_cast<std::byte*>(data);
    } else if (!empty_ok && got != dims_of(want)) {
      return fail(MIRT_STATUS_INVALID_SHAPE, "scan output ", k, " is ", to_string(got), " after ", i,
                  " iterations, but was sized as ", to_string(dims_of(want)), " before the run: the trip count ",
                  "depends on data (the condition or M's value), which mirt does not support for Loop outputs yet "
                  "(docs/control-flow.md)");
    }
    for (const run_value& v : steps[k]) {
      const size_t bytes = byte_size(v.desc);
      MIRT_RETURN_IF_ERROR(target->copy(dst, v.data, bytes, MIRT_COPY_KIND_DEVICE_TO_DEVICE, io.stream));
      dst += bytes;
    }
  }
  return {};
}

// Bytes before, along and after `axis` of desc: [outer, steps, inner].
struct axis_split {
  size_t outer = 1, steps = 1, inner = 1;
};
axis_split split_at(const mirt_tensor_desc& d, size_t axis) {
  axis_split s;
  s.inner = mirt_dtype_size(d.dtype);
  for (size_t k = 0; k < d.rank; ++k) {
    const size_t e = static_cast<size_t>(d.dims[k]);
    if (k < axis) s.outer *= e;
    else if (k == axis) s.steps = e;
    else s.inner *= e;
  }
  return s;
}

size_t normalized(int64_t axis, size_t rank) { return static_cast<size_t>(axis < 0 ? axis + static_cast<int64_t>(rank) : axis); }

status control_flow_kernel::run_scan(const mirt_kernel_io& io) const {
  const size_t scans = static_cast<size_t>(attributes.get_int("num_scan_inputs", 0));
  const size_t states = formal - scans, outputs = io.num_outputs - states;
  const std::vector<int64_t> in_axes = attributes.get_ints("scan_input_axes", std::vector<int64_t>(scans, 0));
  const std::vector<int64_t> in_dirs = attributes.get_ints("scan_input_directions", std::vector<int64_t>(scans, 0));
  const std::vector<int64_t> out_axes = attributes.get_ints("scan_output_axes", std::vector<int64_t>(outputs, 0));
  const std::vector<int64_t> out_dirs = attributes.get_ints("scan_output_directions", std::vector<int64_t>(outputs, 0));
  std::vector<run_value> state;
  for (size_t s = 0; s < states; ++s) state.push_back(run_value{io.inputs[s], io.input_data[s], {}});
  const std::vector<run_value> outer = captures(io);
  std::vector<axis_split> in_split, out_split;
  for (size_t j = 0; j < scans; ++j)
    in_split.push_back(split_at(io.inputs[states + j], normalized(in_axes[j], io.inputs[states + j].rank)));
  for (size_t k = 0; k < outputs; ++k)
    out_split.push_back(split_at(io.outputs[states + k], normalized(out_axes[k], io.outputs[states + k].rank)));
  const size_t length = scans ? in_split[0].steps : 0;
  for (size_t t = 0; t < length; ++t) {
    std::vector<run_value> inputs = state;
    for (size_t j = 0; j < scans; ++j) {
      const axis_split& sp = in_split[j];
      const size_t at = in_dirs[j] ? length - 1 - t : t;
      MIRT_ASSIGN_OR_RETURN(std::shared_ptr<void> slice, target->allocate(sp.outer * sp.inner, cat(op_type, " '", name, "' slice")));
      for (size_t o = 0; o < sp.outer; ++o)
        MIRT_RETURN_IF_ERROR(target->copy(static_cast<std::byte*>(slice.get()) + o * sp.inner,
                                          static_cast<const std::byte*>(io.input_data[states + j]) + (o * sp.steps + at) * sp.inner,
                                          sp.inner, MIRT_COPY_KIND_DEVICE_TO_DEVICE, io.stream));
      run_value v{io.inputs[states + j], slice.get(), slice};
      const size_t axis = normalized(in_axes[j], v.desc.rank);
      for (size_t k = axis; k + 1 < v.desc.rank; ++k) v.desc.dims[k] = v.desc.dims[k + 1];
      --v.desc.rank;
      inputs.push_back(std::move(v));
    }
    inputs.insert(inputs.end(), outer.begin(), outer.end());
    MIRT_ASSIGN_OR_RETURN(std::vector<run_value> outs, bodies.front().run(inputs, io.stream));
    state.assign(outs.begin(), outs.begin() + static_cast<std::ptrdiff_t>(states));
    for (size_t k = 0; k < outputs; ++k) {
      const axis_split& sp = out_split[k];
      const run_value& v = outs[states + k];
      if (byte_size(v.desc) != sp.outer * sp.inner || sp.steps != length)
        return fail(MIRT_STATUS_INVALID_SHAPE, "scan output ", k, " step is ", to_string(dims_of(v.desc)),
                    ", which does not fit output shape ", to_string(dims_of(io.outputs[states + k])));
      const size_t at = out_dirs[k] ? length - 1 - t : t;
      for (size_t o = 0; o < sp.outer; ++o)
        MIRT_RETURN_IF_ERROR(target->copy(static_cast<std::byte*>(io.output_data[states + k]) + (o * sp.steps + at) * sp.inner,
                                          static_cast<const std::byte*>(v.data) + o * sp.inner, sp.inner,
                                          MIRT_COPY_KIND_DEVICE_TO_DEVICE, io.stream));
    }
  }
  for (size_t s = 0; s < states; ++s) MIRT_RETURN_IF_ERROR(store(io, s, state[s], io.stream));
  return {};
}

// Scan of opset 8: states, scan inputs and so every output lead with a batch axis; each batch
// element runs as a Scan of opset 9 on views of its slices.
status control_flow_kernel::run_batched_scan(const mirt_kernel_io& io) const {
  std::vector<mirt_tensor_desc> ins(io.inputs, io.inputs + io.num_inputs), outs(io.outputs, io.outputs + io.num_outputs);
  std::vector<const void*> in_data(io.input_data, io.input_data + io.num_inputs);
  std::vector<void*> out_data(io.output_data, io.output_data + io.num_outputs);
  const int64_t batch = formal ? io.inputs[0].dims[0] : 0;
  auto strip = [&](mirt_tensor_desc& d, const char* what, size_t i) -> status {
    if (d.rank < 1 || d.dims[0] != batch)
      return fail(MIRT_STATUS_INVALID_SHAPE, what, " ", i, " is ", to_string(dims_of(d)), ", expected a leading batch of ", batch);
    for (uint32_t k = 0; k + 1 < d.rank; ++k) d.dims[k] = d.dims[k + 1];
    --d.rank;
    return {};
  };
  for (size_t i = 0; i < formal; ++i) MIRT_RETURN_IF_ERROR(strip(ins[i], "input", i));
  for (size_t o = 0; o < io.num_outputs; ++o) MIRT_RETURN_IF_ERROR(strip(outs[o], "output", o));
  for (int64_t b = 0; b < batch; ++b) {
    for (size_t i = 0; i < formal; ++i)
      in_data[i] = static_cast<const std::byte*>(io.input_data[i]) + static_cast<size_t>(b) * byte_size(ins[i]);
    for (size_t o = 0; o < io.num_outputs; ++o)
      out_data[o] = static_cast<std::byte*>(io.output_data[o]) + static_cast<size_t>(b) * byte_size(outs[o]);
    mirt_kernel_io one = io;
    one.inputs = ins.data(), one.input_data = in_data.data(), one.outputs = outs.data(), one.output_data = out_data.data();
    one.allocate_output = nullptr, one.allocator = nullptr;
    MIRT_RETURN_IF_ERROR(run_scan(one));
  }
  return {};
}

mirt_status execute_entry(const mirt_kernel* k, const mirt_kernel_io* io) {
  try {
    return to_c_status(reinterpret_cast<const control_flow_kernel*>(k)->execute(*io));
  } catch (const std::bad_alloc&) {
    return to_c_status({MIRT_STATUS_OUT_OF_MEMORY, "out of host memory in a control-flow layer"});
  }
}

}  // namespace

result<std::unique_ptr<kernel>> make_control_flow_kernel(const node& n) {
  auto k = std::make_shared<control_flow_kernel>();
  k->op_type = n.op_type;
  k->name = n.name;
  k->formal = formal_input_count(n);
  k->attributes = n.attributes;
  for (const subgraph& s : n.bodies) {
    const std::string where = cat(n.op_type, " '", n.name, "': ", s.attribute);
    if (!s.plan) return make_error(MIRT_STATUS_CORRUPT_DATA, where, " has no compiled plan");
    result<std::shared_ptr<const engine>> body = engine::load(s.plan->data(), s.plan->size());
    if (!body.ok()) return body.error().with_context(where);
    k->target = &(*body)->target();
    k->names.push_back(s.attribute);
    k->bodies.emplace_back(*body, where);
  }
  if (k->bodies.empty()) return make_error(MIRT_STATUS_CORRUPT_DATA, n.op_type, " '", n.name, "' has no bodies");
  kernel_functions fns;
  fns.execute = execute_entry;
  auto* raw = reinterpret_cast<mirt_kernel*>(k.get());
  return std::make_unique<kernel>(std::shared_ptr<const void>(k), fns, raw);
}

}  // namespace mirt
