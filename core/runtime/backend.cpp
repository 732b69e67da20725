// core/runtime/backend.cpp — calls into a backend module's vtable, turning its statuses into ours.
#include "core/runtime/backend.hpp"

#include "core/base/c_status.hpp"

namespace mirt {

mirt_tensor_desc to_desc(const tensor_type& t) {
  mirt_tensor_desc d{};
  d.dtype = t.dtype;
  d.rank = static_cast<uint32_t>(t.shape.size());
  for (size_t i = 0; i < t.shape.size() && i < MIRT_MAX_RANK; ++i) d.dims[i] = t.shape[i].value;
  return d;
}

size_t byte_size(const mirt_tensor_desc& d) {
  size_t n = mirt_dtype_size(d.dtype);
  for (uint32_t i = 0; i < d.rank; ++i) n *= static_cast<size_t>(d.dims[i] < 0 ? 0 : d.dims[i]);
  return n;
}

node_view::node_view(const graph& g, const node& n, const std::vector<tensor_type>& types,
                     uint32_t precision_flags) {
  for (int t : n.inputs) {
    inputs_.push_back(t >= 0 ? to_desc(types[t]) : mirt_tensor_desc{});
    const tensor* in = t >= 0 ? &g.tensors[t] : nullptr;
    constants_.push_back(in && in->constant >= 0 ? g.constants[in->constant].data() : nullptr);
  }
  for (int t : n.outputs) outputs_.push_back(to_desc(types[t]));
  strings_.reserve(n.attributes.all().size());
  for (const attribute& a : n.attributes.all()) {
    mirt_attribute c{};
    c.name = to_c_view(a.name);
    c.type = a.type;
    switch (a.type) {
      case MIRT_ATTRIBUTE_TYPE_INT:
      case MIRT_ATTRIBUTE_TYPE_INTS:
        c.count = a.ints.size();
        c.ints = a.ints.data();
        break;
      case MIRT_ATTRIBUTE_TYPE_FLOAT:
      case MIRT_ATTRIBUTE_TYPE_FLOATS:
        c.count = a.floats.size();
        c.floats = a.floats.data();
        break;
      default: {
        std::vector<mirt_string_view>& views = strings_.emplace_back();
        for (const std::string& s : a.strings) views.push_back(to_c_view(s));
        c.count = views.size();
        c.strings = views.data();
      }
    }
    attributes_.push_back(c);
  }
  info_.struct_size = sizeof(mirt_node_info);
  info_.name = to_c_view(n.name);
  info_.op_type = to_c_view(n.op_type);
  info_.domain = to_c_view(n.domain);
  info_.num_inputs = inputs_.size();
  info_.inputs = inputs_.data();
  info_.constant_data = constants_.data();
  info_.num_outputs = outputs_.size();
  info_.outputs = outputs_.data();
  info_.num_attributes = attributes_.size();
  info_.attributes = attributes_.data();
  info_.precision_flags = precision_flags;
}

size_t kernel::workspace_size(const mirt_tensor_desc* inputs, const mirt_tensor_desc* outputs) const {
  try {
    return fns_.workspace_size ? fns_.workspace_size(k_, inputs, outputs) : 0;
  } catch (...) {
    return 0;  // execute() reports a broken kernel with the layer's name
  }
}

status kernel::execute(const mirt_kernel_io& io, const std::string& layer) const {
  status s;
  try {
    s = from_c_status(fns_.execute(k_, &io));
  } catch (const std::exception& e) {
    s = make_error(MIRT_STATUS_MODULE_ERROR, "the kernel threw: ", e.what());
  } catch (...) {
    s = make_error(MIRT_STATUS_MODULE_ERROR, "the kernel threw an exception");
  }
  return s.ok() ? s : s.with_context(cat("layer '", layer, "'"));
}

result<std::shared_ptr<backend>> backend::acquire(const std::string& name, int32_t device) {
  registry& r = registry::instance();
  result<module_handle> module = name.empty() ? r.acquire_best(MIRT_MODULE_KIND_BACKEND)
                                              : r.acquire(MIRT_MODULE_KIND_BACKEND, name);
  if (!module.ok()) return module.error();
  auto b = std::make_shared<backend>();
  b->module_ = *module;
  b->vt_ = static_cast<const mirt_backend_vtable*>(b->module_->vtable());
  b->name_ = b->module_->desc->name;
  b->version_ = b->module_->desc->version;
  const size_t needed = offsetof(mirt_backend_vtable, io_location) + sizeof(b->vt_->io_location);
  if (b->vt_->struct_size < needed || !b->vt_->get_tactics || !b->vt_->kernel_create || !b->vt_->kernel_execute ||
      !b->vt_->kernel_destroy || !b->vt_->memory_alloc || !b->vt_->memory_free || !b->vt_->memory_copy)
    return make_error(MIRT_STATUS_MODULE_ERROR, "backend '", b->name_, "' (", b->module_->path,
                      ") has an incomplete vtable (struct_size ", b->vt_->struct_size, ", need ", needed, ")");
  MIRT_RETURN_IF_ERROR(b->select_device(device));
  return b;
}

status backend::select_device(int32_t id) {
  if (!has(offsetof(mirt_backend_vtable, set_device)) || !vt_->set_device) {
    if (id != 0)
      return make_error(MIRT_STATUS_INVALID_ARGUMENT, "device ", id, " does not exist: backend '", name_,
                        "' has 1 device (id 0)");
    return {};
  }
  MIRT_RETURN_IF_ERROR(from_c_status(vt_->set_device(id)));
  device_ = id;
  return {};
}

status backend::use_device() const {
  if (!has(offsetof(mirt_backend_vtable, set_device)) || !vt_->set_device) return {};
  return from_c_status(vt_->set_device(device_));
}

status backend::record_event(void* event, void* stream) const {
  return has_events() ? from_c_status(vt_->event_record(event, stream)) : status();
}

size_t backend::persisting_cache_max() const {
  if (!has(offsetof(mirt_backend_vtable, persisting_cache_max)) || !vt_->persisting_cache_max) return 0;
  return vt_->persisting_cache_max();
}

status backend::set_persisting_window(void* stream, void* base, size_t size, size_t limit) const {
  if (!has(offsetof(mirt_backend_vtable, stream_set_persisting_window)) || !vt_->stream_set_persisting_window)
    return limit ? make_error(MIRT_STATUS_UNSUPPORTED, "backend '", name_, "' has no persisting cache") : status();
  return from_c_status(vt_->stream_set_persisting_window(stream, base, size, limit));
}

bool backend::has_ranges() const {
  return has(offsetof(mirt_backend_vtable, range_pop)) && vt_->range_push && vt_->range_pop;
}

int32_t backend::is_device_memory(const void* ptr) const {
  if (!has(offsetof(mirt_backend_vtable, is_device_memory)) || !vt_->is_device_memory) return -1;
  return vt_->is_device_memory(ptr);
}

namespace {
mirt_status run_timed_call(void* user) { return to_c_status((*static_cast<const std::function<status()>*>(user))()); }
}  // namespace

result<double> backend::time_calls(const std::function<status()>& run, void* stream, int32_t calls) const {
  if (!has_device_timer()) return make_error(MIRT_STATUS_UNSUPPORTED, "backend '", name_, "' has no device timer");
  float ms = 0;
  MIRT_RETURN_IF_ERROR(from_c_status(vt_->time_calls(run_timed_call, const_cast<std::function<status()>*>(&run), stream, calls, &ms)));
  return double(ms);
}

bool backend::has_graphs() const {
  return has(offsetof(mirt_backend_vtable, graph_destroy)) && vt_->graph_record_begin && vt_->graph_record_end &&
         vt_->graph_launch && vt_->graph_destroy;
}

status backend::graph_record_begin(void* stream) const { return from_c_status(vt_->graph_record_begin(stream)); }

status backend::graph_launch(void* graph, void* stream) const { return from_c_status(vt_->graph_launch(graph, stream)); }

result<void*> backend::graph_record_end(void* stream, void* previous) const {
  void* graph = nullptr;
  MIRT_RETURN_IF_ERROR(from_c_status(vt_->graph_record_end(stream, previous, &graph)));
  return graph;
}

result<std::vector<mirt_tactic_info>> backend::tactics(const mirt_node_info* node) const {
  MIRT_RETURN_IF_ERROR(use_device());
  std::vector<mirt_tactic_info> out(16);
  uint32_t count = 0;
  status s = from_c_status(vt_->get_tactics(node, out.data(), static_cast<uint32_t>(out.size()), &count));
  if (!s.ok()) return s;
  if (count == 0)
    return make_error(MIRT_STATUS_UNSUPPORTED, "backend '", name_, "' has no kernel for ", to_view(node->op_type),
                      " '", to_view(node->name), "'");
  if (count > out.size()) {
    out.resize(count);
    s = from_c_status(vt_->get_tactics(node, out.data(), count, &count));
    if (!s.ok()) return s;
  }
  out.resize(std::min<size_t>(count, out.size()));
  return out;
}

result<std::unique_ptr<kernel>> backend::create_kernel(const mirt_node_info* node, uint64_t tactic) const {
  MIRT_RETURN_IF_ERROR(use_device());
  mirt_kernel* k = nullptr;
  status s = from_c_status(vt_->kernel_create(node, tactic, &k));
  if (!s.ok()) return s.with_context(cat("creating the kernel of layer '", to_view(node->name), "'"));
  if (!k)
    return make_error(MIRT_STATUS_MODULE_ERROR, "backend '", name_, "' returned no kernel for layer '",
                      to_view(node->name), "'");
  return std::make_unique<kernel>(module_, vt_, k);
}

result<std::shared_ptr<void>> backend::allocate(size_t bytes, const std::string& purpose) const {
  MIRT_RETURN_IF_ERROR(use_device());
  void* p = nullptr;
  status s = from_c_status(vt_->memory_alloc(bytes ? bytes : 64, &p));
  if (!s.ok() || !p)
    return make_error(MIRT_STATUS_OUT_OF_MEMORY, "backend '", name_, "' could not allocate ", bytes, " bytes for ",
                      purpose, s.ok() ? std::string() : ": " + s.message());
  module_handle keep = module_;
  const mirt_backend_vtable* vt = vt_;
  return std::shared_ptr<void>(p, [keep, vt](void* q) { vt->memory_free(q); });
}

status backend::allocate_raw(size_t bytes, void** out) const {
  MIRT_RETURN_IF_ERROR(use_device());
  void* p = nullptr;
  status s = from_c_status(vt_->memory_alloc(bytes ? bytes : 64, &p));
  if (!s.ok() || !p)
    return make_error(MIRT_STATUS_OUT_OF_MEMORY, "backend '", name_, "' could not allocate ", bytes, " bytes",
                      s.ok() ? std::string() : ": " + s.message());
  *out = p;
  return {};
}

status backend::copy(void* dst, const void* src, size_t bytes, mirt_copy_kind kind, void* stream) const {
  MIRT_RETURN_IF_ERROR(use_device());
  return from_c_status(vt_->memory_copy(dst, src, bytes, kind, stream));
}

status backend::synchronize(void* stream) const {
  MIRT_RETURN_IF_ERROR(use_device());
  return vt_->stream_synchronize ? from_c_status(vt_->stream_synchronize(stream)) : status();
}

}  // namespace mirt
