// mirt/plugin.hpp — header-only C++ helpers for writing a layer plugin library over mirt/plugin.h.
//
// Derive from mirt::plugin::layer, list creators with mirt::plugin::creator_of<T>(), and export
// them with MIRT_PLUGIN_LIBRARY(name, version, description, creators...). Exceptions thrown by your
// code (mirt::plugin::error, or any std::exception) become statuses at the C boundary; none crosses
// it. Like mirt.hpp, this adds no behaviour to the C ABI: everything goes through mirt/plugin.h.
#ifndef MIRT_PLUGIN_HPP
#define MIRT_PLUGIN_HPP

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mirt/plugin.h"

namespace mirt::plugin {

// The host's services, set by the library's entry point before any other call.
inline const mirt_host_api*& host() {
  static const mirt_host_api* h = nullptr;
  return h;
}

inline mirt_status make_status(mirt_status_code code, const std::string& message) {
  return host()->status_create(code, mirt_string_view{message.data(), message.size()});
}

// Thrown by plugin code; becomes a status with this code.
class error : public std::runtime_error {
 public:
  explicit error(const std::string& message, mirt_status_code code = MIRT_STATUS_INVALID_ARGUMENT)
      : std::runtime_error(message), code_(code) {}
  mirt_status_code code() const { return code_; }

 private:
  mirt_status_code code_;
};

// Runs body; an exception becomes a status whose message starts with context.
template <class F>
mirt_status guarded(const std::string& context, F&& body) {
  try {
    body();
    return nullptr;
  } catch (const error& e) {
    return make_status(e.code(), context + ": " + e.what());
  } catch (const std::exception& e) {
    return make_status(MIRT_STATUS_INTERNAL, context + ": " + e.what());
  } catch (...) {
    return make_status(MIRT_STATUS_INTERNAL, context + ": unknown exception");
  }
}

inline std::string_view view(mirt_string_view s) { return s.data ? std::string_view(s.data, s.length) : std::string_view(); }

// One field value (an attribute): what creators read and what plugins serialize.
struct field {
  std::string name;
  mirt_attribute_type type = MIRT_ATTRIBUTE_TYPE_UNDEFINED;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;

  static field of_float(std::string n, float v) { return {std::move(n), MIRT_ATTRIBUTE_TYPE_FLOAT, {}, {v}, {}}; }
  static field of_int(std::string n, int64_t v) { return {std::move(n), MIRT_ATTRIBUTE_TYPE_INT, {v}, {}, {}}; }
  static field of_ints(std::string n, std::vector<int64_t> v) {
    return {std::move(n), MIRT_ATTRIBUTE_TYPE_INTS, std::move(v), {}, {}};
  }
  static field of_string(std::string n, std::string v) {
    return {std::move(n), MIRT_ATTRIBUTE_TYPE_STRING, {}, {}, {std::move(v)}};
  }
};

// Read access to the fields a creator receives (mirt checked them against the field list).
class fields {
 public:
  fields(const mirt_attribute* list, size_t count) : list_(list), count_(count) {}
  const mirt_attribute* find(std::string_view name) const {
    for (size_t i = 0; i < count_; ++i)
      if (view(list_[i].name) == name) return &list_[i];
    return nullptr;
  }
  float get_float(std::string_view name, float fallback) const {
    const mirt_attribute* a = find(name);
    if (!a || a->count == 0) return fallback;
    return a->type == MIRT_ATTRIBUTE_TYPE_FLOAT ? a->floats[0] : a->type == MIRT_ATTRIBUTE_TYPE_INT ? float(a->ints[0]) : fallback;
  }
  int64_t get_int(std::string_view name, int64_t fallback) const {
    const mirt_attribute* a = find(name);
    return a && a->count && a->type == MIRT_ATTRIBUTE_TYPE_INT ? a->ints[0] : fallback;
  }
  std::vector<int64_t> get_ints(std::string_view name, std::vector<int64_t> fallback) const {
    const mirt_attribute* a = find(name);
    return a && a->type == MIRT_ATTRIBUTE_TYPE_INTS ? std::vector<int64_t>(a->ints, a->ints + a->count) : fallback;
  }
  std::string get_string(std::string_view name, std::string fallback) const {
    const mirt_attribute* a = find(name);
    return a && a->count && a->type == MIRT_ATTRIBUTE_TYPE_STRING ? std::string(view(a->strings[0])) : fallback;
  }

 private:
  const mirt_attribute* list_;
  size_t count_;
};

// A dim expression (mirt/plugin.h) with the arithmetic of mirt_dim_op. A refused one
// (a bad input or axis) carries NULL on, and mirt reports the first refusal naming it.
class dim_expr {
 public:
  dim_expr(mirt_dim_expr_builder* b, const mirt_dim_expr* e) : b_(b), e_(e) {}
  const mirt_dim_expr* get() const { return e_; }

  friend dim_expr operator+(const dim_expr& a, const dim_expr& b) { return a.apply(MIRT_DIM_OP_SUM, b); }
  friend dim_expr operator-(const dim_expr& a, const dim_expr& b) { return a.apply(MIRT_DIM_OP_SUB, b); }
  friend dim_expr operator*(const dim_expr& a, const dim_expr& b) { return a.apply(MIRT_DIM_OP_PROD, b); }
  friend dim_expr operator+(const dim_expr& a, int64_t b) { return a + a.constant(b); }
  friend dim_expr operator-(const dim_expr& a, int64_t b) { return a - a.constant(b); }
  friend dim_expr operator*(const dim_expr& a, int64_t b) { return a * a.constant(b); }
  friend dim_expr floordiv(const dim_expr& a, const dim_expr& b) { return a.apply(MIRT_DIM_OP_FLOOR_DIV, b); }
  friend dim_expr floordiv(const dim_expr& a, int64_t b) { return floordiv(a, a.constant(b)); }
  friend dim_expr ceildiv(const dim_expr& a, const dim_expr& b) { return a.apply(MIRT_DIM_OP_CEIL_DIV, b); }
  friend dim_expr ceildiv(const dim_expr& a, int64_t b) { return ceildiv(a, a.constant(b)); }
  friend dim_expr max(const dim_expr& a, const dim_expr& b) { return a.apply(MIRT_DIM_OP_MAX, b); }
  friend dim_expr min(const dim_expr& a, const dim_expr& b) { return a.apply(MIRT_DIM_OP_MIN, b); }

 private:
  dim_expr constant(int64_t v) const { return {b_, b_->constant(b_->self, v)}; }
  dim_expr apply(mirt_dim_op op, const dim_expr& other) const { return {b_, b_->operation(b_->self, op, e_, other.e_)}; }
  mirt_dim_expr_builder* b_;
  const mirt_dim_expr* e_;
};

// What layer::output_shape_exprs builds expressions with, and where it puts them.
class dim_exprs {
 public:
  dim_exprs(mirt_dim_expr_builder* b, mirt_output_shape_expr* outputs, size_t num_outputs)
      : b_(b), outputs_(outputs), num_outputs_(num_outputs) {}
  dim_expr constant(int64_t value) const { return {b_, b_->constant(b_->self, value)}; }
  // Dim `axis` of input `input`.
  dim_expr dim(uint32_t input, uint32_t axis) const { return {b_, b_->input_dim(b_->self, input, axis)}; }
  // Sets output o's shape.
  void set_output(size_t o, const std::vector<dim_expr>& shape) const {
    if (o >= num_outputs_) throw error("output " + std::to_string(o) + " does not exist");
    if (shape.size() > MIRT_MAX_RANK) throw error("output rank above MIRT_MAX_RANK");
    outputs_[o].rank = static_cast<uint32_t>(shape.size());
    for (size_t d = 0; d < shape.size(); ++d) outputs_[o].dims[d] = shape[d].get();
  }

 private:
  mirt_dim_expr_builder* b_;
  mirt_output_shape_expr* outputs_;
  size_t num_outputs_;
};

// A prepared kernel. execute may run concurrently from several threads: keep it const.
class kernel {
 public:
  virtual ~kernel() = default;
  virtual size_t workspace_size(const mirt_tensor_desc* inputs, const mirt_tensor_desc* outputs) const {
    (void)inputs;
    (void)outputs;
    return 0;
  }
  virtual void execute(const mirt_kernel_io& io) const = 0;
};

// Stable tactic id: FNV-1a of the tactic name.
inline uint64_t tactic_id(std::string_view name) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  return h;
}

// A plugin object. Override what the op needs; the defaults suit one-output elementwise ops.
class layer {
 public:
  virtual ~layer() = default;
  virtual std::unique_ptr<layer> clone() const = 0;
  virtual size_t num_outputs() const { return 1; }
  // Default: every output has input 0's dtype.
  virtual void output_dtypes(const mirt_dtype* in, size_t num_in, mirt_dtype* out, size_t num_out) const {
    for (size_t o = 0; o < num_out; ++o) out[o] = num_in ? in[0] : MIRT_DTYPE_FLOAT32;
  }
  // Return true to answer output shapes as expressions over the input dims
  // (output_shape_exprs, which mirt then evaluates for every shape) instead of output_shapes.
  virtual bool uses_shape_exprs() const { return false; }
  // in gives dtypes, ranks and the dims known so far (-1 where dynamic); call x.set_output for each output.
  virtual void output_shape_exprs(const mirt_tensor_desc* in, size_t num_in, const dim_exprs& x) const {
    (void)in, (void)num_in, (void)x;
  }
  // Default: every output has input 0's shape.
  virtual void output_shapes(const mirt_tensor_desc* in, size_t num_in, mirt_tensor_desc* out, size_t num_out) const {
    if (num_in == 0) throw error("the op needs an input");
    for (size_t o = 0; o < num_out; ++o) {
      out[o].rank = in[0].rank;
      std::memcpy(out[o].dims, in[0].dims, sizeof(in[0].dims));
    }
  }
  virtual bool supports(const mirt_dtype* in, size_t num_in, const mirt_dtype* out, size_t num_out) const {
    (void)in, (void)num_in, (void)out, (void)num_out;
    return true;
  }
  virtual size_t workspace_size(const mirt_tensor_desc* in, size_t num_in, const mirt_tensor_desc* out,
                                size_t num_out) const {
    (void)in, (void)num_in, (void)out, (void)num_out;
    return 0;
  }
  virtual void configure(const mirt_tensor_desc* in, size_t num_in, const mirt_tensor_desc* out, size_t num_out) {
    (void)in, (void)num_in, (void)out, (void)num_out;
  }
  // Tactic names for this node on backend, best first; empty when the backend is not supported.
  virtual std::vector<std::string> tactics(std::string_view backend, const mirt_node_info& node) const = 0;
  virtual std::unique_ptr<kernel> create_kernel(std::string_view backend, const mirt_node_info& node,
                                                std::string_view tactic) const = 0;
  virtual std::vector<field> serialize() const = 0;
};

namespace detail {

// What mirt_plugin::self points to: the layer and the storage of its last serialization.
struct holder {
  std::unique_ptr<layer> impl;
  std::string name, version, ns;
  std::vector<field> saved;
  std::vector<std::vector<mirt_string_view>> saved_strings;
  std::vector<mirt_attribute> saved_views;
};
inline holder* of(void* self) { return static_cast<holder*>(self); }
inline const holder* of(const void* self) { return static_cast<const holder*>(self); }
inline std::string where(const void* self) { return "plugin " + of(self)->ns + "::" + of(self)->name; }

struct kernel_holder {
  std::unique_ptr<kernel> impl;
};

inline void fill(mirt_plugin* out, std::unique_ptr<holder> h);

inline const char* name(const void* self) { return of(self)->name.c_str(); }
inline const char* version(const void* self) { return of(self)->version.c_str(); }
inline const char* plugin_namespace(const void* self) { return of(self)->ns.c_str(); }
inline mirt_status clone(const void* self, mirt_plugin* out) {
  return guarded(where(self), [&] {
    auto h = std::make_unique<holder>();
    h->impl = of(self)->impl->clone();
    h->name = of(self)->name, h->version = of(self)->version, h->ns = of(self)->ns;
    fill(out, std::move(h));
  });
}
inline void destroy(void* self) { delete of(self); }
inline size_t num_outputs(const void* self) { return of(self)->impl->num_outputs(); }
inline mirt_status output_dtypes(const void* self, const mirt_dtype* in, size_t ni, mirt_dtype* out, size_t no) {
  return guarded(where(self), [&] { of(self)->impl->output_dtypes(in, ni, out, no); });
}
inline mirt_status output_shapes(const void* self, const mirt_tensor_desc* in, size_t ni, mirt_tensor_desc* out,
                                 size_t no) {
  return guarded(where(self), [&] { of(self)->impl->output_shapes(in, ni, out, no); });
}
inline mirt_status output_shape_exprs(const void* self, const mirt_tensor_desc* in, size_t ni,
                                      mirt_dim_expr_builder* b, mirt_output_shape_expr* out, size_t no) {
  return guarded(where(self), [&] { of(self)->impl->output_shape_exprs(in, ni, dim_exprs(b, out, no)); });
}
inline int32_t supports(const void* self, const mirt_dtype* in, size_t ni, const mirt_dtype* out, size_t no) {
  try {
    return of(self)->impl->supports(in, ni, out, no) ? 1 : 0;
  } catch (...) {
    return 0;
  }
}
inline size_t workspace(const void* self, const mirt_tensor_desc* in, size_t ni, const mirt_tensor_desc* out,
                        size_t no) {
  try {
    return of(self)->impl->workspace_size(in, ni, out, no);
  } catch (...) {
    return 0;
  }
}
inline mirt_status configure(void* self, const mirt_tensor_desc* in, size_t ni, const mirt_tensor_desc* out,
                             size_t no) {
  return guarded(where(self), [&] { of(self)->impl->configure(in, ni, out, no); });
}
inline mirt_status get_tactics(const void* self, mirt_string_view backend, const mirt_node_info* node,
                               mirt_tactic_info* out, uint32_t capacity, uint32_t* out_count) {
  return guarded(where(self), [&] {
    std::vector<std::string> names = of(self)->impl->tactics(view(backend), *node);
    for (size_t i = 0; i < names.size() && i < capacity && out; ++i) {
      out[i].id = tactic_id(names[i]);
      std::memset(out[i].name, 0, sizeof(out[i].name));
      std::strncpy(out[i].name, names[i].c_str(), sizeof(out[i].name) - 1);
    }
    *out_count = static_cast<uint32_t>(names.size());
    if (names.empty())
      throw error("no kernel for backend '" + std::string(view(backend)) + "'", MIRT_STATUS_UNSUPPORTED);
  });
}
inline mirt_status kernel_create(const void* self, mirt_string_view backend, const mirt_node_info* node,
                                 uint64_t tactic, mirt_kernel** out_kernel) {
  return guarded(where(self), [&] {
    for (const std::string& t : of(self)->impl->tactics(view(backend), *node)) {
      if (tactic_id(t) != tactic) continue;
      auto k = std::make_unique<kernel_holder>();
      k->impl = of(self)->impl->create_kernel(view(backend), *node, t);
      if (!k->impl) throw error("no kernel for tactic '" + t + "'", MIRT_STATUS_UNSUPPORTED);
      *out_kernel = reinterpret_cast<mirt_kernel*>(k.release());
      return;
    }
    throw error("unknown tactic id " + std::to_string(tactic) + "; rebuild the plan", MIRT_STATUS_NOT_FOUND);
  });
}
inline size_t kernel_workspace(const mirt_kernel* k, const mirt_tensor_desc* in, const mirt_tensor_desc* out) {
  try {
    return reinterpret_cast<const kernel_holder*>(k)->impl->workspace_size(in, out);
  } catch (...) {
    return 0;
  }
}
inline mirt_status kernel_execute(const mirt_kernel* k, const mirt_kernel_io* io) {
  return guarded("plugin kernel", [&] { reinterpret_cast<const kernel_holder*>(k)->impl->execute(*io); });
}
inline void kernel_destroy(mirt_kernel* k) { delete reinterpret_cast<kernel_holder*>(k); }
inline mirt_status serialize_fields(const void* self, const mirt_attribute** out, size_t* count) {
  return guarded(where(self), [&] {
    holder* h = const_cast<holder*>(of(self));
    h->saved = h->impl->serialize();
    h->saved_strings.assign(h->saved.size(), {});
    h->saved_views.clear();
    for (size_t i = 0; i < h->saved.size(); ++i) {
      const field& f = h->saved[i];
      for (const std::string& s : f.strings) h->saved_strings[i].push_back({s.data(), s.size()});
      mirt_attribute a{};
      a.name = {f.name.data(), f.name.size()};
      a.type = f.type;
      a.count = !f.ints.empty() ? f.ints.size() : !f.floats.empty() ? f.floats.size() : f.strings.size();
      a.ints = f.ints.data();
      a.floats = f.floats.data();
      a.strings = h->saved_strings[i].data();
      h->saved_views.push_back(a);
    }
    *out = h->saved_views.data();
    *count = h->saved_views.size();
  });
}

inline const mirt_plugin_core_vtable core_table = {sizeof(mirt_plugin_core_vtable), name, version, plugin_namespace,
                                                   clone, destroy};
inline const mirt_plugin_build_vtable build_table = {sizeof(mirt_plugin_build_vtable), num_outputs, output_dtypes,
                                                     output_shapes, supports, workspace, configure, nullptr};
// For layers whose uses_shape_exprs() is true.
inline const mirt_plugin_build_vtable build_table_with_exprs = {
    sizeof(mirt_plugin_build_vtable), num_outputs, output_dtypes, output_shapes, supports, workspace, configure,
    output_shape_exprs};
inline const mirt_plugin_runtime_vtable runtime_table = {sizeof(mirt_plugin_runtime_vtable), get_tactics,
                                                         kernel_create, kernel_workspace, kernel_execute,
                                                         kernel_destroy, serialize_fields};

inline void fill(mirt_plugin* out, std::unique_ptr<holder> h) {
  out->build = h->impl->uses_shape_exprs() ? &build_table_with_exprs : &build_table;
  out->self = h.release();
  out->core = &core_table;
  out->runtime = &runtime_table;
}

template <class T>
mirt_status create(const mirt_plugin_creator* creator, const mirt_attribute* list, size_t count, mirt_plugin* out) {
  return guarded(std::string("plugin ") + creator->plugin_namespace + "::" + creator->name, [&] {
    auto h = std::make_unique<holder>();
    h->impl = std::make_unique<T>(fields(list, count));
    h->name = creator->name, h->version = creator->version, h->ns = creator->plugin_namespace;
    fill(out, std::move(h));
  });
}

}  // namespace detail

// A creator of layer type T, which is constructible from `fields`. All strings and the field list
// must have static storage.
template <class T>
constexpr mirt_plugin_creator creator_of(const char* name, const char* version, const char* plugin_namespace,
                                         const char* description, const mirt_plugin_field_spec* field_list,
                                         size_t num_fields) {
  return mirt_plugin_creator{sizeof(mirt_plugin_creator), name, version, plugin_namespace, description, num_fields,
                             field_list, detail::create<T>, nullptr};
}

}  // namespace mirt::plugin

// Defines the library's mirt_module_entry, exporting the creators (pointers to static creators).
#define MIRT_PLUGIN_LIBRARY(module_name, module_version, module_description, ...)                          \
  namespace {                                                                                              \
  const mirt_plugin_creator* const mirt_plugin_library_creators_[] = {__VA_ARGS__};                        \
  mirt_status mirt_plugin_library_get_creators_(const mirt_plugin_creator* const** out, size_t* count) {  \
    *out = mirt_plugin_library_creators_;                                                                  \
    *count = sizeof(mirt_plugin_library_creators_) / sizeof(mirt_plugin_library_creators_[0]);            \
    return nullptr;                                                                                        \
  }                                                                                                        \
  const mirt_plugin_library_vtable mirt_plugin_library_vtable_ = {sizeof(mirt_plugin_library_vtable),      \
                                                                  mirt_plugin_library_get_creators_};      \
  const mirt_module_desc mirt_plugin_library_desc_ = {sizeof(mirt_module_desc), MIRT_ABI_VERSION,          \
                                                      module_name, module_version,                         \
                                                      MIRT_MODULE_KIND_PLUGIN_LIBRARY, module_description, \
                                                      nullptr, &mirt_plugin_library_vtable_};              \
  }                                                                                                        \
  extern "C" MIRT_EXPORT const mirt_module_desc* mirt_module_entry(uint32_t host_abi_version,              \
                                                                   const mirt_host_api* host) {            \
    if (host_abi_version != MIRT_ABI_VERSION || host == nullptr) return nullptr;                           \
    ::mirt::plugin::host() = host;                                                                         \
    return &mirt_plugin_library_desc_;                                                                     \
  }

#endif  // MIRT_PLUGIN_HPP
