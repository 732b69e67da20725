// core/plan/plan_reader.cpp — checks plan bytes layer by layer and restores the plan_model.
#include "core/plan/plan_reader.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>

#include "core/base/buffers.hpp"
#include "core/plan/plan_generated.h"
#include "core/plan/plan_header.hpp"
#include "core/plan/plan_validate.hpp"

namespace mirt {
namespace {

namespace fb = ::mirt::fb;

std::string str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

// Turns verified metadata into model pieces, with the checks the FlatBuffers verifier leaves out:
// 8-byte element alignment of [long] and [ConstantRef] vectors (it checks only the 4-byte length)
// and enum values in range. The first failure is kept in error; later calls then do nothing.
struct decoder {
  status error;

  template <class T, class U>
  std::vector<T> vec(const flatbuffers::Vector<U>* v, const char* what) {
    if (!v || !error.ok()) return {};
    if (v->size() && reinterpret_cast<uintptr_t>(v->Data()) % alignof(U) != 0) {
      fail("plan metadata: a vector of ", what, " is misaligned: the file is damaged");
      return {};
    }
    return std::vector<T>(v->begin(), v->end());
  }

  template <class... Parts>
  void fail(const Parts&... parts) {
    if (error.ok()) error = make_error(MIRT_STATUS_CORRUPT_DATA, parts...);
  }
};

tensor read_tensor(decoder& d, const fb::Tensor& t, size_t index) {
  tensor x;
  x.name = str(t.name());
  const int32_t dtype = static_cast<int32_t>(t.dtype());
  if (dtype < MIRT_DTYPE_UNDEFINED || dtype > MIRT_DTYPE_FLOAT64)
    d.fail("plan tensor ", index, " '", x.name, "': unknown dtype ", dtype);
  else
    x.dtype = static_cast<mirt_dtype>(dtype);
  x.rank_known = t.rank_known();
  if (const auto* shape = t.shape())
    for (const fb::Dim* dm : *shape) x.shape.push_back(dim{dm->value(), str(dm->symbol())});
  x.producer = t.producer();
  x.constant = t.constant();
  x.is_input = t.is_input();
  x.is_output = t.is_output();
  return x;
}

node read_node(decoder& d, const fb::Node& n, size_t index) {
  node x;
  x.name = str(n.name());
  x.op_type = str(n.op_type());
  x.domain = str(n.domain());
  x.version = str(n.version());
  x.inputs = d.vec<int>(n.inputs(), "node inputs");
  x.outputs = d.vec<int>(n.outputs(), "node outputs");
  if (const auto* attrs = n.attributes()) {
    for (const fb::Attribute* a : *attrs) {
      attribute y;
      y.name = str(a->name());
      const int32_t type = static_cast<int32_t>(a->type());
      if (type <= MIRT_ATTRIBUTE_TYPE_UNDEFINED || type > MIRT_ATTRIBUTE_TYPE_STRINGS)
        d.fail("plan node ", index, " '", x.name, "' (", x.op_type, "): attribute '", y.name, "' has unknown type ",
               type);
      else
        y.type = static_cast<mirt_attribute_type>(type);
      y.ints = d.vec<int64_t>(a->ints(), "attribute ints");
      y.floats = d.vec<float>(a->floats(), "attribute floats");
      if (const auto* strings = a->strings())
        for (const flatbuffers::String* s : *strings) y.strings.push_back(str(s));
      x.attributes.set(std::move(y));
    }
  }
  return x;
}

// A control-flow layer's bodies: nested plans, each checked and read as a whole plan.
status read_bodies(const fb::Node& n, node& x, size_t index) {
  const auto* bodies = n.bodies();
  if (!bodies) return {};
  for (const fb::Body* b : *bodies) {
    subgraph s;
    s.attribute = str(b->attribute());
    s.captures = b->captures();
    const std::string who = cat("plan node ", index, " '", x.name, "' (", x.op_type, "): body '", s.attribute, "'");
    if (!b->plan() || b->plan()->size() == 0) return make_error(MIRT_STATUS_CORRUPT_DATA, who, " has no plan");
    auto bytes = std::make_shared<std::vector<std::byte>>(b->plan()->size());
    std::memcpy(bytes->data(), b->plan()->data(), bytes->size());
    result<plan_model> body = read_plan(copy_aligned(bytes->data(), bytes->size()), bytes->size());
    if (!body.ok()) return body.error().with_context(who);
    if (s.captures > body->network.inputs.size())
      return make_error(MIRT_STATUS_CORRUPT_DATA, who, " reads ", s.captures, " outer-scope values but has ",
                        body->network.inputs.size(), " inputs");
    s.body = std::make_shared<const graph>(std::move(body->network));
    s.plan = std::move(bytes);
    x.bodies.push_back(std::move(s));
  }
  return {};
}

plan_profile read_profile(decoder& d, const fb::Profile& p) {
  plan_profile x;
  if (const auto* inputs = p.inputs()) {
    for (const fb::ProfileInput* in : *inputs) {
      profile_input y{in->tensor(), d.vec<int64_t>(in->min(), "profile dims"), d.vec<int64_t>(in->opt(), "profile dims"),
                      d.vec<int64_t>(in->max(), "profile dims")};
      y.shape_tensor = in->shape_tensor();
      y.min_values = d.vec<int64_t>(in->min_values(), "profile values");
      y.opt_values = d.vec<int64_t>(in->opt_values(), "profile values");
      y.max_values = d.vec<int64_t>(in->max_values(), "profile values");
      x.inputs.push_back(std::move(y));
    }
  }
  x.memory.tensor_offsets = d.vec<int64_t>(p.tensor_offsets(), "arena offsets");
  x.memory.arena_size = p.arena_size();
  x.memory.input_aliases = d.vec<int32_t>(p.input_aliases(), "input aliases");
  return x;
}

// The header checks that need no trust in the content: size, magic, versions, section bounds.
status check_header(const plan_header& h, size_t size) {
  if (h.magic != kPlanMagic)
    return make_error(MIRT_STATUS_CORRUPT_DATA, "not a mirt plan (magic \"", describe_magic(h.magic),
                      "\", expected \"MIRTPLAN\")");
  if (h.mirt_major != MIRT_VERSION_MAJOR || h.mirt_minor != MIRT_VERSION_MINOR || h.mirt_patch != MIRT_VERSION_PATCH)
    return make_error(MIRT_STATUS_INCOMPATIBLE_VERSION, "plan was built by mirt ",
                      version_string(h.mirt_major, h.mirt_minor, h.mirt_patch), "; this is mirt ", MIRT_VERSION_STRING,
                      "; rebuild the plan with this version");
  if (h.format_version != kPlanFormatVersion)
    return make_error(MIRT_STATUS_INCOMPATIBLE_VERSION, "plan format version ", h.format_version,
                      " is not supported; mirt ", MIRT_VERSION_STRING, " reads format ", kPlanFormatVersion,
                      "; rebuild the plan with this version");
  if (h.header_size != kPlanHeaderSize)
    return make_error(MIRT_STATUS_CORRUPT_DATA, "plan header size is ", h.header_size, ", format ",
                      kPlanFormatVersion, " has ", kPlanHeaderSize);
  if (h.total_size > size)
    return make_error(MIRT_STATUS_CORRUPT_DATA, "plan is truncated at byte ", size, " of ", h.total_size);
  if (h.total_size < size)
    return make_error(MIRT_STATUS_CORRUPT_DATA, "plan is ", size, " bytes but its header says ", h.total_size,
                      ": ", size - h.total_size, " unexpected bytes follow it");
  const uint64_t total = h.total_size;
  const uint64_t meta_end = uint64_t{h.metadata_offset} + h.metadata_size;
  if (h.metadata_offset < kPlanHeaderSize || h.metadata_offset % 8 != 0 || h.metadata_size == 0 ||
      h.metadata_size >= FLATBUFFERS_MAX_BUFFER_SIZE || meta_end > total)
    return make_error(MIRT_STATUS_CORRUPT_DATA, "plan metadata section (", h.metadata_size, " bytes at byte ",
                      h.metadata_offset, ") does not fit between the header and the end of the ", total,
                      "-byte plan, 8-byte aligned");
  if (h.weights_offset % kPlanAlignment != 0 || h.weights_offset < meta_end || h.weights_offset > total ||
      h.weights_size > total - h.weights_offset)
    return make_error(MIRT_STATUS_CORRUPT_DATA, "plan weights section (", h.weights_size, " bytes at byte ",
                      h.weights_offset, ") does not fit between the metadata (ending at byte ", meta_end,
                      ") and the end of the ", total, "-byte plan, 64-byte aligned");
  return ok_status();
}

// Restores the model from verified metadata; constants alias the weights section of plan.
result<plan_model> read_metadata(const fb::Plan& root, const plan_header& h,
                                 const std::shared_ptr<const std::byte[]>& plan) {
  plan_model m;
  m.mirt_major = h.mirt_major;
  m.mirt_minor = h.mirt_minor;
  m.mirt_patch = h.mirt_patch;
  m.plan_format_version = h.format_version;
  m.plan_checksum = h.checksum;
  m.plan_metadata_size = h.metadata_size;
  m.plan_weights_size = h.weights_size;
  m.backend_name = str(root.backend_name());
  m.backend_version = str(root.backend_version());
  m.device_signature = str(root.device_signature());
  m.precision_flags = root.precision_flags();
  m.build_seconds = root.build_seconds();

  decoder d;
  graph& g = m.network;
  g.name = str(root.network_name());
  if (const auto* tensors = root.tensors())
    for (flatbuffers::uoffset_t t = 0; t < tensors->size(); ++t) g.add_tensor(read_tensor(d, *tensors->Get(t), t));
  if (const auto* nodes = root.nodes())
    for (flatbuffers::uoffset_t n = 0; n < nodes->size(); ++n) {
      g.nodes.push_back(read_node(d, *nodes->Get(n), n));
      MIRT_RETURN_IF_ERROR(read_bodies(*nodes->Get(n), g.nodes.back(), n));
    }
  g.inputs = d.vec<int>(root.inputs(), "graph inputs");
  g.outputs = d.vec<int>(root.outputs(), "graph outputs");
  if (const auto* constants = root.constants(); constants && constants->size() &&
      reinterpret_cast<uintptr_t>(constants->Data()) % alignof(fb::ConstantRef) != 0)
    d.fail("plan metadata: the constant table is misaligned: the file is damaged");
  MIRT_RETURN_IF_ERROR(d.error);
  if (const auto* constants = root.constants()) {
    // Mutable only because constant_buffer holds std::byte[]; nothing writes through it.
    auto* weights = const_cast<std::byte*>(plan.get()) + h.weights_offset;
    for (flatbuffers::uoffset_t c = 0; c < constants->size(); ++c) {
      const fb::ConstantRef* ref = constants->Get(c);
      if (ref->offset() % kPlanAlignment != 0 || ref->offset() > h.weights_size ||
          ref->size() > h.weights_size - ref->offset())
        return make_error(MIRT_STATUS_CORRUPT_DATA, "plan constant ", c, " (", ref->size(), " bytes at offset ",
                          ref->offset(), ") lies outside the ", h.weights_size,
                          "-byte weights section or is not 64-byte aligned");
      constant_buffer buffer;
      buffer.bytes = std::shared_ptr<std::byte[]>(plan, weights + ref->offset());
      buffer.size = ref->size();
      g.constants.push_back(std::move(buffer));
    }
  }
  if (const auto* kernels = root.kernels())
    for (const fb::Kernel* k : *kernels) m.kernels.push_back(kernel_choice{k->tactic_id(), str(k->tactic_name())});
  if (const auto* profiles = root.profiles())
    for (const fb::Profile* p : *profiles) m.profiles.push_back(read_profile(d, *p));
  if (const auto* plugins = root.plugins())
    for (const fb::PluginRef* p : *plugins)
      m.plugins.push_back(plugin_ref{p->node(), str(p->name()), str(p->version()), str(p->plugin_namespace()),
                                     str(p->library())});
  MIRT_RETURN_IF_ERROR(d.error);

  MIRT_RETURN_IF_ERROR(validate_plan_model(m, MIRT_STATUS_CORRUPT_DATA));
  return m;
}

result<plan_model> read_plan_checked(std::shared_ptr<const std::byte[]> bytes, size_t size) {
  if (!bytes && size != 0)
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "read_plan: bytes is null but size is ", size);
  if (size < kPlanHeaderSize)
    return make_error(MIRT_STATUS_CORRUPT_DATA, "plan is truncated: ", size, " bytes, the header alone needs ",
                      kPlanHeaderSize);
  const plan_header h = decode_plan_header(bytes.get());
  MIRT_RETURN_IF_ERROR(check_header(h, size));
  const uint64_t computed = compute_plan_checksum(bytes.get(), size);
  if (computed != h.checksum)
    return make_error(MIRT_STATUS_CORRUPT_DATA, "plan checksum mismatch (stored ", hex64(h.checksum), ", computed ",
                      hex64(computed), "): the file is damaged");

  // A misaligned plan is copied once, so constants stay aligned and FlatBuffers scalars too.
  if (reinterpret_cast<uintptr_t>(bytes.get()) % kPlanAlignment != 0) bytes = copy_aligned(bytes.get(), size);

  const auto* meta = reinterpret_cast<const uint8_t*>(bytes.get() + h.metadata_offset);
  flatbuffers::Verifier::Options options;
  options.max_tables = std::max<flatbuffers::uoffset_t>(options.max_tables, h.metadata_size / 4);
  flatbuffers::Verifier verifier(meta, h.metadata_size, options);
  if (!verifier.VerifyBuffer<fb::Plan>(nullptr))
    return make_error(MIRT_STATUS_CORRUPT_DATA, "plan metadata (", h.metadata_size, " bytes at byte ",
                      h.metadata_offset, ") failed FlatBuffers verification: the file is damaged or not written by mirt");
  return read_metadata(*flatbuffers::GetRoot<fb::Plan>(meta), h, bytes);
}

}  // namespace

result<plan_model> read_plan(std::shared_ptr<const std::byte[]> bytes, size_t size) {
  try {
    return read_plan_checked(std::move(bytes), size);
  } catch (const std::bad_alloc&) {
    return make_error(MIRT_STATUS_OUT_OF_MEMORY, "out of memory while reading a plan of ", size, " bytes");
  }
}

}  // namespace mirt
