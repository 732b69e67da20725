// core/plugin/plugin_instance.cpp — calls into a plugin object, each one checked and guarded.
#include "core/plugin/plugin_instance.hpp"

#include <cstddef>
#include <cstring>

#include "core/base/c_status.hpp"
#include "core/graph/op_schema.hpp"
#include "core/plugin/dim_expr.hpp"

namespace mirt {

namespace {

size_t value_count(const attribute& a) {
  return !a.ints.empty() ? a.ints.size() : !a.floats.empty() ? a.floats.size() : a.strings.size();
}

// Whether table (struct_size first) holds member `end` bytes into it.
template <class Table>
bool holds(const Table* table, size_t end) {
  return table && table->struct_size >= end;
}
#define MIRT_TABLE_HOLDS(table, Type, member) holds(table, offsetof(Type, member) + sizeof(Type::member))

// mirt_attribute views of attributes, owning the string views they point to.
struct attribute_views {
  std::vector<mirt_attribute> list;
  std::vector<std::vector<mirt_string_view>> strings;

  explicit attribute_views(const std::vector<attribute>& all) {
    strings.reserve(all.size());
    for (const attribute& a : all) {
      mirt_attribute c{};
      c.name = to_c_view(a.name);
      c.type = a.type;
      std::vector<mirt_string_view>& views = strings.emplace_back();
      for (const std::string& s : a.strings) views.push_back(to_c_view(s));
      c.count = value_count(a);
      c.ints = a.ints.data();
      c.floats = a.floats.data();
      c.strings = views.data();
      list.push_back(c);
    }
  }
};

status check_fields(const plugin_creator_record& r, const attribute_map& fields, const std::string& layer) {
  auto fail = [&](const auto&... parts) {
    return make_error(MIRT_STATUS_INVALID_GRAPH, "layer '", layer, "' (plugin ", r.label(), "): ", parts...);
  };
  for (const attribute& a : fields.all()) {
    const mirt_plugin_field_spec* spec = nullptr;
    for (const mirt_plugin_field_spec& f : r.fields)
      if (a.name == f.name) spec = &f;
    if (!spec) {
      std::string known;
      for (const mirt_plugin_field_spec& f : r.fields) known += (known.empty() ? "" : ", ") + std::string(f.name);
      return fail("unknown field '", a.name, "' (it takes: ", known.empty() ? "none" : known, ")");
    }
    if (spec->type != a.type)
      return fail("field '", a.name, "' is ", mirt_attribute_type_name(a.type), ", expected ", mirt_attribute_type_name(spec->type));
    if (spec->length > 0 && value_count(a) != spec->length)
      return fail("field '", a.name, "' holds ", value_count(a), " values, expected ", spec->length);
  }
  for (const mirt_plugin_field_spec& f : r.fields)
    if (f.required && !fields.find(f.name)) return fail("missing required field '", f.name, "'");
  return {};
}

}  // namespace

template <class F>
status plugin_instance::guarded(const char* what, F&& call) const {
  try {
    return call();
  } catch (const std::exception& e) {
    return make_error(MIRT_STATUS_MODULE_ERROR, where(), ": ", what, " threw: ", e.what());
  } catch (...) {
    return make_error(MIRT_STATUS_MODULE_ERROR, where(), ": ", what, " threw an exception");
  }
}

std::string plugin_instance::where() const { return cat("layer '", layer_, "' (plugin ", record_->label(), ")"); }

result<std::shared_ptr<plugin_instance>> plugin_instance::create(const plugin_creator_record& record,
                                                                 const attribute_map& fields,
                                                                 const std::string& layer) {
  MIRT_RETURN_IF_ERROR(check_fields(record, fields, layer));
  std::shared_ptr<plugin_instance> p(new plugin_instance());
  p->record_ = &record;
  p->layer_ = layer;
  mirt_plugin made{};
  made.struct_size = sizeof(mirt_plugin);
  attribute_views views(fields.all());
  MIRT_RETURN_IF_ERROR(p->guarded("create", [&] {
    return from_c_status(record.creator->create(record.creator, views.list.data(), views.list.size(), &made));
  }), p->where());
  if (!made.core)
    return make_error(MIRT_STATUS_MODULE_ERROR, p->where(), ": the creator returned no plugin object");
  p->plugin_ = made;  // from here on the destructor frees it
  const mirt_plugin_core_vtable* core = made.core;
  if (!MIRT_TABLE_HOLDS(core, mirt_plugin_core_vtable, destroy) || !core->destroy || !core->name || !core->version ||
      !core->plugin_namespace) {
    p->plugin_.core = nullptr;  // cannot be destroyed safely: leak rather than crash
    return make_error(MIRT_STATUS_MODULE_ERROR, p->where(), ": the plugin's core table is incomplete");
  }
  if (!MIRT_TABLE_HOLDS(made.build, mirt_plugin_build_vtable, get_output_shapes) || !made.build->num_outputs ||
      !made.build->get_output_dtypes || (!made.build->get_output_shapes && !p->shape_exprs()))
    return make_error(MIRT_STATUS_MODULE_ERROR, p->where(), ": the plugin has no build table with num_outputs, "
                      "get_output_dtypes and get_output_shapes (or get_output_shape_exprs)");
  if (!MIRT_TABLE_HOLDS(made.runtime, mirt_plugin_runtime_vtable, kernel_destroy) || !made.runtime->get_tactics ||
      !made.runtime->kernel_create || !made.runtime->kernel_execute || !made.runtime->kernel_destroy)
    return make_error(MIRT_STATUS_MODULE_ERROR, p->where(), ": the plugin has no runtime table with get_tactics, "
                      "kernel_create, kernel_execute and kernel_destroy");
  std::string name, version, ns;
  MIRT_RETURN_IF_ERROR(p->guarded("name", [&] {
    const char* n = core->name(made.self);
    const char* v = core->version(made.self);
    const char* s = core->plugin_namespace(made.self);
    name = n ? n : "";
    version = v ? v : "";
    ns = s ? s : "";
    return status();
  }));
  if (name != record.name || version != record.version || ns != record.plugin_namespace)
    return make_error(MIRT_STATUS_MODULE_ERROR, p->where(), ": the plugin object calls itself ", ns, "::", name,
                      " version ", version, ", unlike its creator");
  return p;
}

plugin_instance::~plugin_instance() {
  if (!plugin_.core) return;
  try {
    plugin_.core->destroy(plugin_.self);
  } catch (...) {
  }
}

status plugin_instance::infer(infer_context& ctx) const {
  const mirt_plugin_build_vtable& b = *plugin_.build;
  size_t outputs = 0;
  MIRT_RETURN_IF_ERROR(guarded("num_outputs", [&] { outputs = b.num_outputs(plugin_.self); return status(); }));
  if (outputs != ctx.num_outputs())
    return make_error(MIRT_STATUS_INVALID_GRAPH, where(), ": the plugin has ", outputs, " outputs but the layer has ",
                      ctx.num_outputs());
  std::vector<mirt_dtype> in_dtypes;
  std::vector<mirt_tensor_desc> in_descs;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    in_dtypes.push_back(ctx.input(i).dtype);
    in_descs.push_back(ctx.has_input(i) ? to_desc(ctx.input(i)) : mirt_tensor_desc{});
  }
  std::vector<mirt_dtype> out_dtypes(outputs, MIRT_DTYPE_UNDEFINED);
  MIRT_RETURN_IF_ERROR(guarded("get_output_dtypes", [&] {
    return from_c_status(b.get_output_dtypes(plugin_.self, in_dtypes.data(), in_dtypes.size(), out_dtypes.data(),
                                             outputs));
  }), where());
  std::vector<mirt_tensor_desc> out_descs(outputs);
  for (size_t o = 0; o < outputs; ++o) {
    if (mirt_dtype_size(out_dtypes[o]) == 0)
      return make_error(MIRT_STATUS_MODULE_ERROR, where(), ": get_output_dtypes answered ",
                        static_cast<int>(out_dtypes[o]), " for output ", o, ", which is not a mirt_dtype");
    out_descs[o].dtype = out_dtypes[o];
    for (int64_t& d : out_descs[o].dims) d = MIRT_DYNAMIC_DIM;
  }
  if (shape_exprs()) return infer_from_exprs(ctx, in_descs, out_dtypes);
  MIRT_RETURN_IF_ERROR(guarded("get_output_shapes", [&] {
    return from_c_status(b.get_output_shapes(plugin_.self, in_descs.data(), in_descs.size(), out_descs.data(), outputs));
  }), where());
  bool inputs_known = true;
  for (size_t i = 0; i < ctx.num_inputs(); ++i)
    if (ctx.has_input(i) && element_count(ctx.input(i).shape) < 0) inputs_known = false;
  for (size_t o = 0; o < outputs; ++o) {
    const mirt_tensor_desc& d = out_descs[o];
    if (d.rank > MIRT_MAX_RANK)
      return make_error(MIRT_STATUS_MODULE_ERROR, where(), ": get_output_shapes answered rank ", d.rank,
                        " for output ", o, ", above mirt's limit of ", MIRT_MAX_RANK);
    std::vector<int64_t> extents(d.dims, d.dims + d.rank);
    for (int64_t e : extents)
      if (e < MIRT_DYNAMIC_DIM || (inputs_known && e < 0))
        return make_error(MIRT_STATUS_MODULE_ERROR, where(), ": get_output_shapes answered ", to_string(extents),
                          " for output ", o, inputs_known ? " at known input shapes, which must give known dims"
                                                          : ", which has a negative dim");
    tensor_type& t = ctx.output(o);
    t.dtype = out_dtypes[o];
    t.shape = make_dims(extents);
    t.rank_known = true;
  }
  return {};
}

mirt_plugin_shape_exprs_fn plugin_instance::shape_exprs() const {
  const mirt_plugin_build_vtable* b = plugin_.build;
  return MIRT_TABLE_HOLDS(b, mirt_plugin_build_vtable, get_output_shape_exprs) ? b->get_output_shape_exprs : nullptr;
}

status plugin_instance::infer_from_exprs(infer_context& ctx, const std::vector<mirt_tensor_desc>& in_descs,
                                         const std::vector<mirt_dtype>& out_dtypes) const {
  std::vector<int> ranks;
  std::vector<const dims*> in_shapes;
  std::string shapes;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const bool present = ctx.has_input(i) && ctx.input(i).rank_known;
    ranks.push_back(present ? static_cast<int>(ctx.input(i).shape.size()) : -1);
    in_shapes.push_back(present ? &ctx.input(i).shape : nullptr);
    shapes += cat(i ? ", " : "", "in", i, ": ", present ? to_string(ctx.input(i).shape) : std::string("none"));
  }
  dim_expr_arena arena(ranks);
  std::vector<mirt_output_shape_expr> exprs(out_dtypes.size());
  MIRT_RETURN_IF_ERROR(guarded("get_output_shape_exprs", [&] {
    return from_c_status(shape_exprs()(plugin_.self, in_descs.data(), in_descs.size(), arena.builder(), exprs.data(),
                                       exprs.size()));
  }), where());
  if (!arena.first_error().empty())
    return make_error(MIRT_STATUS_INVALID_GRAPH, where(), ": get_output_shape_exprs: ", arena.first_error());
  for (size_t o = 0; o < exprs.size(); ++o) {
    if (exprs[o].rank > MIRT_MAX_RANK)
      return make_error(MIRT_STATUS_MODULE_ERROR, where(), ": get_output_shape_exprs answered rank ", exprs[o].rank,
                        " for output ", o, ", above mirt's limit of ", MIRT_MAX_RANK);
    dims shape;
    for (uint32_t d = 0; d < exprs[o].rank; ++d) {
      const mirt_dim_expr* e = exprs[o].dims[d];
      if (!e || !arena.owns(e))
        return make_error(MIRT_STATUS_MODULE_ERROR, where(), ": get_output_shape_exprs left output ", o, " dim ", d,
                          e ? " with an expression its builder did not make" : " without an expression");
      result<dim> value = evaluate_dim_expr(*e, in_shapes);
      if (!value.ok())
        return make_error(MIRT_STATUS_INVALID_SHAPE, where(), ": output ", o, " dim ", d, " = ",
                          value.error().message(), " at input shapes (", shapes, ")");
      shape.push_back(*value);
    }
    tensor_type& t = ctx.output(o);
    t.dtype = out_dtypes[o];
    t.shape = std::move(shape);
    t.rank_known = true;
  }
  return {};
}

bool plugin_instance::supports(const std::vector<mirt_dtype>& inputs, const std::vector<mirt_dtype>& outputs) const {
  const mirt_plugin_build_vtable* b = plugin_.build;
  if (!MIRT_TABLE_HOLDS(b, mirt_plugin_build_vtable, supports_dtypes) || !b->supports_dtypes) return true;
  int32_t yes = 0;
  status s = guarded("supports_dtypes", [&] {
    yes = b->supports_dtypes(plugin_.self, inputs.data(), inputs.size(), outputs.data(), outputs.size());
    return status();
  });
  return s.ok() && yes != 0;
}

result<size_t> plugin_instance::workspace_size(const std::vector<mirt_tensor_desc>& inputs,
                                               const std::vector<mirt_tensor_desc>& outputs) const {
  const mirt_plugin_build_vtable* b = plugin_.build;
  if (!MIRT_TABLE_HOLDS(b, mirt_plugin_build_vtable, workspace_size) || !b->workspace_size) return size_t{0};
  size_t bytes = 0;
  MIRT_RETURN_IF_ERROR(guarded("workspace_size", [&] {
    bytes = b->workspace_size(plugin_.self, inputs.data(), inputs.size(), outputs.data(), outputs.size());
    return status();
  }));
  return bytes;
}

status plugin_instance::configure(const std::vector<mirt_tensor_desc>& inputs,
                                  const std::vector<mirt_tensor_desc>& outputs) {
  const mirt_plugin_build_vtable* b = plugin_.build;
  if (!MIRT_TABLE_HOLDS(b, mirt_plugin_build_vtable, configure) || !b->configure) return {};
  return guarded("configure", [&] {
    return from_c_status(b->configure(plugin_.self, inputs.data(), inputs.size(), outputs.data(), outputs.size()));
  });
}

result<std::vector<attribute>> plugin_instance::serialize_fields() const {
  const mirt_plugin_runtime_vtable* r = plugin_.runtime;
  if (!MIRT_TABLE_HOLDS(r, mirt_plugin_runtime_vtable, serialize_fields) || !r->serialize_fields)
    return make_error(MIRT_STATUS_MODULE_ERROR, where(), ": the plugin has no serialize_fields");
  const mirt_attribute* fields = nullptr;
  size_t count = 0;
  MIRT_RETURN_IF_ERROR(guarded("serialize_fields", [&] {
    return from_c_status(r->serialize_fields(plugin_.self, &fields, &count));
  }));
  if (count && !fields)
    return make_error(MIRT_STATUS_MODULE_ERROR, where(), ": serialize_fields gave ", count, " fields but no array");
  std::vector<attribute> out;
  for (size_t i = 0; i < count; ++i) {
    const mirt_attribute& a = fields[i];
    attribute x;
    x.name = std::string(to_view(a.name));
    x.type = a.type;
    const bool ints = a.type == MIRT_ATTRIBUTE_TYPE_INT || a.type == MIRT_ATTRIBUTE_TYPE_INTS;
    const bool floats = a.type == MIRT_ATTRIBUTE_TYPE_FLOAT || a.type == MIRT_ATTRIBUTE_TYPE_FLOATS;
    const bool strings = a.type == MIRT_ATTRIBUTE_TYPE_STRING || a.type == MIRT_ATTRIBUTE_TYPE_STRINGS;
    if (!ints && !floats && !strings)
      return make_error(MIRT_STATUS_MODULE_ERROR, where(), ": serialized field '", x.name, "' has no valid type");
    if (a.count && ((ints && !a.ints) || (floats && !a.floats) || (strings && !a.strings)))
      return make_error(MIRT_STATUS_MODULE_ERROR, where(), ": serialized field '", x.name, "' has no values");
    if (ints) x.ints.assign(a.ints, a.ints + a.count);
    if (floats) x.floats.assign(a.floats, a.floats + a.count);
    for (size_t s = 0; strings && s < a.count; ++s) x.strings.emplace_back(to_view(a.strings[s]));
    out.push_back(std::move(x));
  }
  return out;
}

result<std::vector<mirt_tactic_info>> plugin_instance::tactics(const std::string& backend,
                                                               const mirt_node_info* node) const {
  std::vector<mirt_tactic_info> out(16);
  uint32_t count = 0;
  auto ask = [&] {
    return guarded("get_tactics", [&] {
      return from_c_status(plugin_.runtime->get_tactics(plugin_.self, to_c_view(backend), node, out.data(),
                                                        static_cast<uint32_t>(out.size()), &count));
    });
  };
  MIRT_RETURN_IF_ERROR(ask(), where());
  if (count > out.size()) {
    out.resize(count);
    MIRT_RETURN_IF_ERROR(ask(), where());
  }
  if (count == 0)
    return make_error(MIRT_STATUS_UNSUPPORTED, where(), ": the plugin has no kernel for backend '", backend, "'");
  out.resize(std::min<size_t>(count, out.size()));
  return out;
}

result<std::unique_ptr<kernel>> plugin_instance::create_kernel(const std::string& backend, const mirt_node_info* node,
                                                               uint64_t tactic) const {
  mirt_kernel* k = nullptr;
  MIRT_RETURN_IF_ERROR(guarded("kernel_create", [&] {
    return from_c_status(plugin_.runtime->kernel_create(plugin_.self, to_c_view(backend), node, tactic, &k));
  }), where());
  if (!k) return make_error(MIRT_STATUS_MODULE_ERROR, where(), ": kernel_create returned no kernel");
  const mirt_plugin_runtime_vtable& r = *plugin_.runtime;
  return std::make_unique<kernel>(std::static_pointer_cast<const void>(shared_from_this()),
                                  kernel_functions{r.kernel_workspace_size, r.kernel_execute, r.kernel_destroy}, k);
}

result<std::unique_ptr<plugin_kernel_source>> plugin_kernels_of(const node& n, const std::string& backend) {
  if (is_standard_domain(n.domain) || schema_table::standard().find(n.domain, n.op_type))
    return std::unique_ptr<plugin_kernel_source>();
  const plugin_creator_record* record = find_plugin_creator(n);
  if (!record)
    return make_error(MIRT_STATUS_NOT_FOUND, "layer '", n.name, "': plugin ", n.domain, "::", n.op_type,
                      n.version.empty() ? std::string() : " version " + n.version, " is not registered");
  MIRT_ASSIGN_OR_RETURN(std::shared_ptr<plugin_instance> plugin, plugin_instance::create(*record, n.attributes, n.name));
  return std::make_unique<plugin_kernel_source>(std::move(plugin), backend);
}

size_t plugin_default_outputs(const node& n) {
  const plugin_creator_record* record = find_plugin_creator(n);
  if (!record) return 1;
  result<std::shared_ptr<plugin_instance>> plugin = plugin_instance::create(*record, n.attributes, n.name);
  if (!plugin.ok()) return 1;
  size_t count = 1;
  status s = (*plugin)->guarded("num_outputs", [&] {
    count = (*plugin)->plugin_.build->num_outputs((*plugin)->plugin_.self);
    return status();
  });
  return s.ok() && count > 0 ? count : 1;
}

const plugin_creator_record* find_plugin_creator(const node& n) {
  if (is_standard_domain(n.domain) || schema_table::standard().find(n.domain, n.op_type)) return nullptr;
  return plugin_registry::instance().find(n.domain, n.op_type, n.version);
}

const op_schema* find_op_schema(const node& n) {
  if (const op_schema* s = schema_table::standard().find(n.domain, n.op_type)) return s;
  const plugin_creator_record* r = find_plugin_creator(n);
  return r ? &r->schema : nullptr;
}

}  // namespace mirt
