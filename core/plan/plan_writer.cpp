// core/plan/plan_writer.cpp — turns a plan_model into header + FlatBuffers metadata + weights.
#include "core/plan/plan_writer.hpp"

#include <cstring>
#include <new>
#include <string>

#include "core/plan/plan_generated.h"
#include "core/plan/plan_header.hpp"
#include "core/plan/plan_validate.hpp"

namespace mirt {
namespace {

namespace fb = ::mirt::fb;
using fbb_t = flatbuffers::FlatBufferBuilder;

// Leaves absent strings absent, so the metadata stays small.
flatbuffers::Offset<flatbuffers::String> optional_string(fbb_t& fbb, const std::string& s) {
  return s.empty() ? 0 : fbb.CreateString(s);
}

flatbuffers::Offset<fb::Tensor> write_tensor(fbb_t& fbb, const tensor& t) {
  std::vector<flatbuffers::Offset<fb::Dim>> dims;
  dims.reserve(t.shape.size());
  for (const dim& d : t.shape) dims.push_back(fb::CreateDim(fbb, d.value, optional_string(fbb, d.symbol)));
  auto name = fbb.CreateString(t.name);
  auto shape = t.rank_known ? fbb.CreateVector(dims) : 0;
  fb::TensorBuilder b(fbb);
  b.add_name(name);
  b.add_dtype(static_cast<fb::DType>(t.dtype));
  b.add_rank_known(t.rank_known);
  if (!shape.IsNull()) b.add_shape(shape);
  b.add_producer(t.producer);
  b.add_constant(t.constant);
  b.add_is_input(t.is_input);
  b.add_is_output(t.is_output);
  return b.Finish();
}

flatbuffers::Offset<fb::Attribute> write_attribute(fbb_t& fbb, const attribute& a) {
  auto name = fbb.CreateString(a.name);
  auto ints = a.ints.empty() ? 0 : fbb.CreateVector(a.ints);
  auto floats = a.floats.empty() ? 0 : fbb.CreateVector(a.floats);
  auto strings = a.strings.empty() ? 0 : fbb.CreateVectorOfStrings(a.strings);
  return fb::CreateAttribute(fbb, name, static_cast<fb::AttributeType>(a.type), ints, floats, strings);
}

flatbuffers::Offset<fb::Node> write_node(fbb_t& fbb, const node& n) {
  std::vector<flatbuffers::Offset<fb::Attribute>> attrs;
  for (const attribute& a : n.attributes.all()) attrs.push_back(write_attribute(fbb, a));
  auto name = fbb.CreateString(n.name);
  auto op_type = fbb.CreateString(n.op_type);
  auto domain = optional_string(fbb, n.domain);
  auto inputs = fbb.CreateVector(n.inputs);
  auto outputs = fbb.CreateVector(n.outputs);
  auto attributes = attrs.empty() ? 0 : fbb.CreateVector(attrs);
  auto version = optional_string(fbb, n.version);
  std::vector<flatbuffers::Offset<fb::Body>> bodies;
  for (const subgraph& s : n.bodies) {
    auto attribute = fbb.CreateString(s.attribute);
    auto plan = s.plan ? fbb.CreateVector(reinterpret_cast<const uint8_t*>(s.plan->data()), s.plan->size()) : 0;
    bodies.push_back(fb::CreateBody(fbb, attribute, static_cast<uint32_t>(s.captures), plan));
  }
  auto bodies_vec = bodies.empty() ? 0 : fbb.CreateVector(bodies);
  return fb::CreateNode(fbb, name, op_type, domain, inputs, outputs, attributes, version, bodies_vec);
}

flatbuffers::Offset<fb::Profile> write_profile(fbb_t& fbb, const plan_profile& p) {
  std::vector<flatbuffers::Offset<fb::ProfileInput>> inputs;
  for (const profile_input& in : p.inputs) {
    auto min = fbb.CreateVector(in.min), opt = fbb.CreateVector(in.opt), max = fbb.CreateVector(in.max);
    flatbuffers::Offset<flatbuffers::Vector<int64_t>> min_values, opt_values, max_values;
    if (in.shape_tensor) {
      min_values = fbb.CreateVector(in.min_values);
      opt_values = fbb.CreateVector(in.opt_values);
      max_values = fbb.CreateVector(in.max_values);
    }
    inputs.push_back(fb::CreateProfileInput(fbb, in.tensor, min, opt, max, in.shape_tensor, min_values, opt_values,
                                            max_values));
  }
  auto inputs_vec = fbb.CreateVector(inputs);
  auto offsets = fbb.CreateVector(p.memory.tensor_offsets);
  flatbuffers::Offset<flatbuffers::Vector<int32_t>> aliases;
  if (!p.memory.input_aliases.empty()) aliases = fbb.CreateVector(p.memory.input_aliases);
  return fb::CreateProfile(fbb, inputs_vec, offsets, p.memory.arena_size, aliases);
}

// Builds the metadata; constant_offsets are relative to the weights section.
void write_metadata(fbb_t& fbb, const plan_model& m, const std::vector<uint64_t>& constant_offsets) {
  const graph& g = m.network;
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
  tensors.reserve(g.tensors.size());
  for (const tensor& t : g.tensors) tensors.push_back(write_tensor(fbb, t));
  std::vector<flatbuffers::Offset<fb::Node>> nodes;
  nodes.reserve(g.nodes.size());
  for (const node& n : g.nodes) nodes.push_back(write_node(fbb, n));
  std::vector<fb::ConstantRef> constants;
  constants.reserve(g.constants.size());
  for (size_t c = 0; c < g.constants.size(); ++c) constants.emplace_back(constant_offsets[c], g.constants[c].size);
  std::vector<flatbuffers::Offset<fb::Kernel>> kernels;
  kernels.reserve(m.kernels.size());
  for (const kernel_choice& k : m.kernels)
    kernels.push_back(fb::CreateKernel(fbb, k.tactic_id, optional_string(fbb, k.tactic_name)));
  std::vector<flatbuffers::Offset<fb::Profile>> profiles;
  for (const plan_profile& p : m.profiles) profiles.push_back(write_profile(fbb, p));
  std::vector<flatbuffers::Offset<fb::PluginRef>> plugins;
  for (const plugin_ref& p : m.plugins)
    plugins.push_back(fb::CreatePluginRef(fbb, p.node, fbb.CreateString(p.name), fbb.CreateString(p.version),
                                          fbb.CreateString(p.plugin_namespace), optional_string(fbb, p.library)));

  auto network_name = optional_string(fbb, g.name);
  auto backend_name = optional_string(fbb, m.backend_name);
  auto backend_version = optional_string(fbb, m.backend_version);
  auto device_signature = optional_string(fbb, m.device_signature);
  auto tensors_vec = fbb.CreateVector(tensors);
  auto nodes_vec = fbb.CreateVector(nodes);
  auto inputs_vec = fbb.CreateVector(g.inputs);
  auto outputs_vec = fbb.CreateVector(g.outputs);
  auto constants_vec = fbb.CreateVectorOfStructs(constants);
  auto kernels_vec = fbb.CreateVector(kernels);
  auto profiles_vec = fbb.CreateVector(profiles);
  auto plugins_vec = plugins.empty() ? 0 : fbb.CreateVector(plugins);
  auto root = fb::CreatePlan(fbb, network_name, backend_name, backend_version, device_signature, m.precision_flags,
                             m.build_seconds, tensors_vec, nodes_vec, inputs_vec, outputs_vec, constants_vec,
                             kernels_vec, profiles_vec, plugins_vec);
  fbb.Finish(root);
}

result<std::vector<std::byte>> write_plan_unchecked(const plan_model& model) {
  const graph& g = model.network;
  // Lay the constants out first: each at a 64-byte aligned offset of the weights section.
  std::vector<uint64_t> constant_offsets;
  uint64_t weights_size = 0;
  for (const constant_buffer& c : g.constants) {
    constant_offsets.push_back(weights_size);
    weights_size += align_to_plan(c.size);
  }

  fbb_t fbb(4096);
  write_metadata(fbb, model, constant_offsets);
  const uint64_t metadata_size = fbb.GetSize();
  if (metadata_size > UINT32_MAX)
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "plan metadata is ", metadata_size,
                      " bytes, more than a plan can hold (4 GiB)");

  plan_header h;
  h.mirt_major = MIRT_VERSION_MAJOR;
  h.mirt_minor = MIRT_VERSION_MINOR;
  h.mirt_patch = MIRT_VERSION_PATCH;
  h.metadata_offset = kPlanHeaderSize;
  h.metadata_size = static_cast<uint32_t>(metadata_size);
  h.weights_offset = align_to_plan(kPlanHeaderSize + metadata_size);
  h.weights_size = weights_size;
  h.total_size = h.weights_offset + weights_size;

  std::vector<std::byte> out(h.total_size);  // zeroed: padding is deterministic
  std::memcpy(out.data() + h.metadata_offset, fbb.GetBufferPointer(), metadata_size);
  for (size_t c = 0; c < g.constants.size(); ++c)
    if (g.constants[c].size)
      std::memcpy(out.data() + h.weights_offset + constant_offsets[c], g.constants[c].data(), g.constants[c].size);
  encode_plan_header(h, out.data());
  h.checksum = compute_plan_checksum(out.data(), out.size());
  encode_plan_header(h, out.data());
  return out;
}

}  // namespace

result<std::vector<std::byte>> write_plan(const plan_model& model) {
  MIRT_RETURN_IF_ERROR(validate_plan_model(model, MIRT_STATUS_INVALID_ARGUMENT), "cannot write plan");
  const graph& g = model.network;
  for (size_t c = 0; c < g.constants.size(); ++c)
    if (g.constants[c].size && !g.constants[c].bytes)
      return make_error(MIRT_STATUS_INVALID_ARGUMENT, "cannot write plan: constant ", c, " has size ",
                        g.constants[c].size, " but no bytes");
  try {
    return write_plan_unchecked(model);
  } catch (const std::bad_alloc&) {
    uint64_t weights = 0;
    for (const constant_buffer& c : g.constants) weights += align_to_plan(c.size);
    return make_error(MIRT_STATUS_OUT_OF_MEMORY, "cannot write plan: out of memory while serializing ",
                      g.tensors.size(), " tensors, ", g.nodes.size(), " nodes and ", weights, " bytes of weights");
  }
}

}  // namespace mirt
