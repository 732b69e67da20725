// mirt/mirt.hpp — the C++ API of mirt: a header-only RAII wrapper over the C ABI in mirt/mirt.h.
//
// It adds no behaviour of its own: every method calls exactly the C function it is named after,
// turns a failing mirt_status into a mirt::error and hands ownership to a move-only object that
// calls the matching *_destroy() in its destructor. Everything the C headers say about threading,
// ownership and error codes holds here unchanged. Needs C++17.
#ifndef MIRT_MIRT_HPP
#define MIRT_MIRT_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mirt/base.hpp"
#include "mirt/mirt.h"

namespace mirt {

// ---- Network -------------------------------------------------------------------------------------

// A non-owning reference to a tensor of a network; valid while the network lives. A default one is
// NULL and marks an omitted optional layer input.
class tensor {
 public:
  tensor() noexcept = default;
  explicit tensor(mirt_tensor* t) noexcept : ptr_(t) {}
  mirt_tensor* get() const noexcept { return ptr_; }
  explicit operator bool() const noexcept { return ptr_ != nullptr; }

  std::string name() const { return std::string(to_cpp(mirt_tensor_get_name(ptr_))); }
  mirt_dtype dtype() const { return mirt_tensor_get_dtype(ptr_); }
  // Declared dims, or a layer output's after network::infer_types (-1 where dynamic); empty when the rank is unknown.
  mirt::dims dims() const {
    int64_t d[MIRT_MAX_RANK] = {};
    const size_t rank = mirt_tensor_get_dims(ptr_, d);
    return mirt::dims(d, d + rank);
  }

 private:
  mirt_tensor* ptr_ = nullptr;
};

// A named typed layer attribute that owns its values; c_attribute() gives the mirt_attribute view,
// valid until this object changes or goes.
class attribute {
 public:
  static attribute make_int(std::string name, int64_t value) { return attribute(std::move(name), MIRT_ATTRIBUTE_TYPE_INT, {value}, {}, {}); }
  static attribute make_float(std::string name, float value) { return attribute(std::move(name), MIRT_ATTRIBUTE_TYPE_FLOAT, {}, {value}, {}); }
  static attribute make_string(std::string name, std::string value) {
    return attribute(std::move(name), MIRT_ATTRIBUTE_TYPE_STRING, {}, {}, {std::move(value)});
  }
  static attribute make_ints(std::string name, std::vector<int64_t> values) {
    return attribute(std::move(name), MIRT_ATTRIBUTE_TYPE_INTS, std::move(values), {}, {});
  }
  static attribute make_floats(std::string name, std::vector<float> values) {
    return attribute(std::move(name), MIRT_ATTRIBUTE_TYPE_FLOATS, {}, std::move(values), {});
  }
  static attribute make_strings(std::string name, std::vector<std::string> values) {
    return attribute(std::move(name), MIRT_ATTRIBUTE_TYPE_STRINGS, {}, {}, std::move(values));
  }

  const std::string& name() const noexcept { return name_; }
  mirt_attribute_type type() const noexcept { return type_; }

  mirt_attribute c_attribute() const {
    views_.clear();
    for (const std::string& s : strings_) views_.push_back(to_c(s));
    mirt_attribute a{};
    a.name = to_c(name_);
    a.type = type_;
    a.count = ints_.size() + floats_.size() + strings_.size();
    a.ints = ints_.data();
    a.floats = floats_.data();
    a.strings = views_.data();
    return a;
  }

 private:
  attribute(std::string name, mirt_attribute_type type, std::vector<int64_t> ints, std::vector<float> floats,
            std::vector<std::string> strings)
      : name_(std::move(name)), type_(type), ints_(std::move(ints)), floats_(std::move(floats)), strings_(std::move(strings)) {}

  std::string name_;
  mirt_attribute_type type_ = MIRT_ATTRIBUTE_TYPE_UNDEFINED;
  std::vector<int64_t> ints_;
  std::vector<float> floats_;
  std::vector<std::string> strings_;
  mutable std::vector<mirt_string_view> views_;
};

// The optional parts of a layer for network::add_layer().
struct layer_options {
  std::string name;                       // empty: generated
  std::string domain;                     // empty: the standard op set
  size_t num_outputs = 0;                 // 0: the op's default output count
  std::vector<std::string> output_names;  // empty, or num_outputs names
};

// A network definition (mirt/network.h); owns its tensors. One thread at a time.
class network : public detail::handle<mirt_network, mirt_network_destroy> {
 public:
  // Wraps and owns an existing handle (NULL gives an empty network object).
  explicit network(mirt_network* owned) noexcept : handle(owned) {}
  // Creates an empty network (mirt_network_create).
  explicit network(std::string_view name = {}) {
    mirt_network_options options = MIRT_NETWORK_OPTIONS_INIT;
    options.name = to_c(name);
    mirt_network* out = nullptr;
    check(mirt_network_create(&options, &out));
    reset(out);
  }

  // mirt_network_add_input; dim_names is empty or one name per dim ("" for an unnamed dim).
  tensor add_input(std::string_view name, mirt_dtype dtype, const mirt::dims& dims,
                   const std::vector<std::string>& dim_names = {}) {
    std::vector<mirt_string_view> names;
    for (const std::string& n : dim_names) names.push_back(to_c(n));
    mirt_tensor* out = nullptr;
    check(mirt_network_add_input(get(), to_c(name), dtype, dims.size(), dims.data(),
                                 names.empty() ? nullptr : names.data(), &out));
    return tensor(out);
  }

  // mirt_network_add_constant; data holds product(dims) elements of dtype and is copied.
  tensor add_constant(std::string_view name, mirt_dtype dtype, const mirt::dims& dims, const void* data, size_t data_size) {
    mirt_tensor* out = nullptr;
    check(mirt_network_add_constant(get(), to_c(name), dtype, dims.size(), dims.data(), data, data_size, &out));
    return tensor(out);
  }
  template <typename T>
  tensor add_constant(std::string_view name, mirt_dtype dtype, const mirt::dims& dims, const std::vector<T>& values) {
    return add_constant(name, dtype, dims, values.data(), values.size() * sizeof(T));
  }

  // mirt_network_add_layer. Returns the layer's outputs. With options.num_outputs 0 the output count
  // is the op's default, which the C call does not report: up to max_default_outputs are read.
  static constexpr size_t max_default_outputs = 64;
  std::vector<tensor> add_layer(std::string_view op_type, const std::vector<tensor>& inputs,
                                const std::vector<attribute>& attributes = {}, const layer_options& options = {}) {
    std::vector<mirt_tensor*> in;
    for (const tensor& t : inputs) in.push_back(t.get());
    std::vector<mirt_attribute> attrs;
    for (const attribute& a : attributes) attrs.push_back(a.c_attribute());
    std::vector<mirt_string_view> out_names;
    for (const std::string& n : options.output_names) out_names.push_back(to_c(n));

    mirt_layer_desc desc = MIRT_LAYER_DESC_INIT;
    desc.op_type = to_c(op_type);
    desc.domain = to_c(options.domain);
    desc.name = to_c(options.name);
    desc.num_inputs = in.size();
    desc.inputs = in.data();
    desc.num_attributes = attrs.size();
    desc.attributes = attrs.data();
    desc.num_outputs = options.num_outputs != 0 ? options.num_outputs : out_names.size();
    desc.output_names = out_names.empty() ? nullptr : out_names.data();

    std::vector<mirt_tensor*> out(desc.num_outputs != 0 ? desc.num_outputs : max_default_outputs, nullptr);
    check(mirt_network_add_layer(get(), &desc, out.data()));
    std::vector<tensor> result;
    for (mirt_tensor* t : out) {
      if (t == nullptr) break;
      result.emplace_back(t);
    }
    return result;
  }
  // Adds a layer from a filled mirt_layer_desc; out_outputs as in the C call.
  void add_layer(const mirt_layer_desc& desc, mirt_tensor** out_outputs) { check(mirt_network_add_layer(get(), &desc, out_outputs)); }

  void mark_output(tensor t) { check(mirt_network_mark_output(get(), t.get())); }
  // mirt_network_infer_types: afterwards tensor::dtype() and dims() report layer outputs too.
  void infer_types() { check(mirt_network_infer_types(get())); }
  tensor find_tensor(std::string_view name) const {
    mirt_tensor* out = nullptr;
    check(mirt_network_find_tensor(get(), to_c(name), &out));
    return tensor(out);
  }

  size_t num_inputs() const { return mirt_network_num_inputs(get()); }
  size_t num_outputs() const { return mirt_network_num_outputs(get()); }
  size_t num_layers() const { return mirt_network_num_layers(get()); }
  tensor input(size_t index) const { return tensor(mirt_network_get_input(get(), index)); }
  tensor output(size_t index) const { return tensor(mirt_network_get_output(get(), index)); }
};

// ---- Parsers -------------------------------------------------------------------------------------

// mirt_onnx_parse_file: fills network from an ONNX model file.
inline void parse_onnx_file(network& net, std::string_view path) { check(mirt_onnx_parse_file(net.get(), to_c(path))); }
// mirt_onnx_parse_bytes.
inline void parse_onnx_bytes(network& net, const void* data, size_t size) { check(mirt_onnx_parse_bytes(net.get(), data, size)); }
// mirt_parser_parse_file with the parser module named format.
inline void parse_file(network& net, std::string_view format, std::string_view path) {
  check(mirt_parser_parse_file(net.get(), to_c(format), to_c(path)));
}

// ---- Builder -------------------------------------------------------------------------------------

// Builder options plus optimization profiles (mirt/builder.h). One thread at a time.
class builder_config : public detail::handle<mirt_builder_config, mirt_builder_config_destroy> {
 public:
  explicit builder_config(mirt_builder_config* owned) noexcept : handle(owned) {}
  // mirt_builder_config_create; options.backend is copied, options.progress must outlive builds.
  explicit builder_config(const mirt_builder_options& options) {
    mirt_builder_config* out = nullptr;
    check(mirt_builder_config_create(&options, &out));
    reset(out);
  }
  builder_config() : builder_config(default_options()) {}

  // mirt_builder_config_add_profile; returns the new profile's index.
  size_t add_profile() {
    size_t index = 0;
    check(mirt_builder_config_add_profile(get(), &index));
    return index;
  }
  // mirt_builder_config_set_profile_shape; the three shapes must have the same rank.
  void set_profile_shape(size_t profile, std::string_view input_name, const dims& min, const dims& opt, const dims& max) {
    if (min.size() != opt.size() || opt.size() != max.size())
      throw error(MIRT_STATUS_INVALID_ARGUMENT, "set_profile_shape '" + std::string(input_name) + "': min, opt and max ranks differ (" +
                                                    std::to_string(min.size()) + ", " + std::to_string(opt.size()) + ", " +
                                                    std::to_string(max.size()) + ")");
    check(mirt_builder_config_set_profile_shape(get(), profile, to_c(input_name), opt.size(), min.data(), opt.data(), max.data()));
  }
  // mirt_builder_config_set_profile_shape_values: the value range of a shape tensor input, one
  // entry per element; the three must have the same length.
  void set_profile_shape_values(size_t profile, std::string_view input_name, const dims& min, const dims& opt,
                                const dims& max) {
    if (min.size() != opt.size() || opt.size() != max.size())
      throw error(MIRT_STATUS_INVALID_ARGUMENT, "set_profile_shape_values '" + std::string(input_name) +
                                                    "': min, opt and max lengths differ (" + std::to_string(min.size()) +
                                                    ", " + std::to_string(opt.size()) + ", " +
                                                    std::to_string(max.size()) + ")");
    check(mirt_builder_config_set_profile_shape_values(get(), profile, to_c(input_name), opt.size(), min.data(),
                                                       opt.data(), max.data()));
  }
  // mirt_builder_config_set_layer_precision: layer `layer_name` runs in dtype (float32, float16,
  // bfloat16); MIRT_DTYPE_UNDEFINED removes the constraint.
  void set_layer_precision(std::string_view layer_name, mirt_dtype dtype) {
    check(mirt_builder_config_set_layer_precision(get(), to_c(layer_name), dtype));
  }

 private:
  static mirt_builder_options default_options() {
    mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
    return options;
  }
};

// A serialized plan: the bytes a build produces and an engine loads.
class plan : public detail::handle<mirt_plan, mirt_plan_destroy> {
 public:
  explicit plan(mirt_plan* owned) noexcept : handle(owned) {}

  // mirt_plan_load.
  static plan load(std::string_view path) {
    mirt_plan* out = nullptr;
    check(mirt_plan_load(to_c(path), &out));
    return plan(out);
  }
  // mirt_plan_create_from_bytes; the bytes are copied.
  static plan from_bytes(const void* data, size_t size) {
    mirt_plan* out = nullptr;
    check(mirt_plan_create_from_bytes(data, size, &out));
    return plan(out);
  }

  void save(std::string_view path) const { check(mirt_plan_save(get(), to_c(path))); }
  const void* data() const { return mirt_plan_data(get()); }
  size_t size() const { return mirt_plan_size(get()); }
  // A copy of the plan's bytes.
  std::vector<uint8_t> bytes() const {
    const auto* p = static_cast<const uint8_t*>(data());
    return p != nullptr ? std::vector<uint8_t>(p, p + size()) : std::vector<uint8_t>();
  }
  // mirt_plan_describe_json.
  std::string describe_json() const {
    char* json = nullptr;
    check(mirt_plan_describe_json(get(), &json));
    return detail::take_string(json);
  }
};

// mirt_builder_build: builds network with config into a plan.
inline plan build(const network& net, const builder_config& config) {
  mirt_plan* out = nullptr;
  check(mirt_builder_build(net.get(), config.get(), &out));
  return plan(out);
}

// ---- Runtime -------------------------------------------------------------------------------------

// mirt_tensor_info with owned members.
struct io_tensor_info {
  std::string name;
  bool is_input = false;
  mirt_dtype dtype = MIRT_DTYPE_UNDEFINED;
  mirt::dims dims;  // -1 where dynamic
  mirt_tensor_location location = MIRT_TENSOR_LOCATION_UNDEFINED;
};

namespace detail {
inline io_tensor_info to_cpp(const mirt_tensor_info& info) {
  io_tensor_info out;
  out.name = std::string(mirt::to_cpp(info.name));
  out.is_input = info.is_input != 0;
  out.dtype = info.dtype;
  out.dims.assign(info.dims, info.dims + (info.rank < MIRT_MAX_RANK ? info.rank : MIRT_MAX_RANK));
  out.location = info.location;
  return out;
}
}  // namespace detail

// Memory of an engine's backend from mirt_engine_alloc_device_memory (host memory for the CPU
// backend), freed with mirt_engine_free_device_memory on the same engine. Move-only. Free it (let it
// go) before that engine; the engine is not kept alive by it. Thread-safe as the C calls are.
class device_buffer {
 public:
  device_buffer() noexcept = default;
  // Takes ownership of ptr, size bytes allocated with mirt_engine_alloc_device_memory(engine, ...).
  device_buffer(const mirt_engine* engine, void* ptr, size_t size) noexcept : engine_(engine), ptr_(ptr), size_(size) {}
  device_buffer(const device_buffer&) = delete;
  device_buffer& operator=(const device_buffer&) = delete;
  device_buffer(device_buffer&& other) noexcept
      : engine_(other.engine_), ptr_(std::exchange(other.ptr_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  device_buffer& operator=(device_buffer&& other) noexcept {
    if (this != &other) {
      reset();
      engine_ = other.engine_;
      ptr_ = std::exchange(other.ptr_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  ~device_buffer() { reset(); }

  void* get() const noexcept { return ptr_; }
  size_t size() const noexcept { return size_; }
  explicit operator bool() const noexcept { return ptr_ != nullptr; }
  // Gives up ownership; the caller must free the memory with mirt_engine_free_device_memory.
  void* release() noexcept {
    size_ = 0;
    return std::exchange(ptr_, nullptr);
  }
  // mirt_engine_free_device_memory; leaves the buffer empty.
  void reset() noexcept {
    if (ptr_ != nullptr) mirt_engine_free_device_memory(engine_, ptr_);
    ptr_ = nullptr;
    size_ = 0;
  }

 private:
  const mirt_engine* engine_ = nullptr;
  void* ptr_ = nullptr;
  size_t size_ = 0;
};

// An immutable engine made from a plan (mirt/runtime.h); may be shared by threads.
class engine : public detail::handle<mirt_engine, mirt_engine_destroy> {
 public:
  explicit engine(mirt_engine* owned) noexcept : handle(owned) {}
  // mirt_engine_create; the plan's bytes are copied, so the plan may go after.
  explicit engine(const plan& p, int32_t device_id = 0) {
    mirt_engine_options options = MIRT_ENGINE_OPTIONS_INIT;
    options.plan = p.get();
    options.device_id = device_id;
    mirt_engine* out = nullptr;
    check(mirt_engine_create(&options, &out));
    reset(out);
  }

  size_t num_io_tensors() const { return mirt_engine_num_io_tensors(get()); }
  io_tensor_info io_tensor(size_t index) const {
    mirt_tensor_info info = MIRT_TENSOR_INFO_INIT;
    check(mirt_engine_get_io_tensor(get(), index, &info));
    return detail::to_cpp(info);
  }
  io_tensor_info find_io_tensor(std::string_view name) const {
    mirt_tensor_info info = MIRT_TENSOR_INFO_INIT;
    check(mirt_engine_find_io_tensor(get(), to_c(name), &info));
    return detail::to_cpp(info);
  }
  size_t num_profiles() const { return mirt_engine_num_profiles(get()); }
  dims profile_shape(size_t profile, std::string_view input_name, mirt_profile_selector which) const {
    int64_t d[MIRT_MAX_RANK] = {};
    size_t rank = 0;
    check(mirt_engine_get_profile_shape(get(), profile, to_c(input_name), which, &rank, d));
    return dims(d, d + (rank < MIRT_MAX_RANK ? rank : MIRT_MAX_RANK));
  }
  // mirt_engine_is_shape_tensor: whether the context reads this input's values on the host.
  bool is_shape_tensor(std::string_view name) const { return flag(mirt_engine_is_shape_tensor, name); }
  // mirt_engine_is_data_dependent: the output's shape is known only as the network runs (needs an allocator).
  bool is_data_dependent(std::string_view name) const { return flag(mirt_engine_is_data_dependent, name); }
  // mirt_engine_get_profile_shape_values: a shape tensor input's min/opt/max values.
  dims profile_shape_values(size_t profile, std::string_view input_name, mirt_profile_selector which) const {
    size_t count = 0;
    check(mirt_engine_get_profile_shape_values(get(), profile, to_c(input_name), which, 0, nullptr, &count));
    dims values(count);
    if (count) check(mirt_engine_get_profile_shape_values(get(), profile, to_c(input_name), which, count, values.data(), &count));
    return values;
  }
  uint64_t device_memory_size() const { return mirt_engine_device_memory_size(get()); }
  // mirt_engine_device_memory_size_for_profile: the block a context of that profile needs.
  uint64_t device_memory_size(uint32_t profile) const {
    uint64_t out = 0;
    check(mirt_engine_device_memory_size_for_profile(get(), profile, &out));
    return out;
  }
  std::string backend_name() const { return std::string(to_cpp(mirt_engine_backend_name(get()))); }

  // mirt_engine_alloc_device_memory: size bytes of the backend's memory, 64-byte aligned, for I/O
  // tensors whose location is MIRT_TENSOR_LOCATION_DEVICE. The buffer must go before this engine.
  device_buffer alloc_device_memory(size_t size) const {
    void* out = nullptr;
    check(mirt_engine_alloc_device_memory(get(), size, &out));
    return device_buffer(get(), out, size);
  }
  // mirt_engine_copy_memory: copies size bytes in direction kind, ordered on stream (NULL: default).
  void copy_memory(void* dst, const void* src, size_t size, mirt_copy_kind kind, void* stream = nullptr) const {
    check(mirt_engine_copy_memory(get(), dst, src, size, kind, stream));
  }
  // mirt_engine_synchronize: waits for the work enqueued on stream (NULL: the default stream).
  void synchronize(void* stream = nullptr) const { check(mirt_engine_synchronize(get(), stream)); }

 private:
  bool flag(mirt_status (*query)(const mirt_engine*, mirt_string_view, int32_t*), std::string_view name) const {
    int32_t out = 0;
    return check(query(get(), to_c(name), &out)), out != 0;
  }
};

// An execution context of an engine; one thread at a time. Destroy it before its engine.
class context : public detail::handle<mirt_context, mirt_context_destroy> {
 public:
  explicit context(mirt_context* owned) noexcept : handle(owned) {}
  // mirt_context_create on profile `profile`.
  // user_device_memory: allocates none; give it a block with set_device_memory before running.
  // nvtx: a profiler range per layer (NVTX on CUDA).
  explicit context(engine& e, uint32_t profile = 0, bool user_device_memory = false, bool nvtx = false) {
    mirt_context_options options = MIRT_CONTEXT_OPTIONS_INIT;
    options.profile = profile;
    options.user_device_memory = user_device_memory ? 1 : 0;
    options.nvtx = nvtx ? 1 : 0;
    mirt_context* out = nullptr;
    check(mirt_context_create(e.get(), &options, &out));
    reset(out);
  }

  void set_input_shape(std::string_view name, const dims& shape) {
    check(mirt_context_set_input_shape(get(), to_c(name), shape.size(), shape.data()));
  }
  dims tensor_shape(std::string_view name) const {
    int64_t d[MIRT_MAX_RANK] = {};
    size_t rank = 0;
    check(mirt_context_get_tensor_shape(get(), to_c(name), &rank, d));
    return dims(d, d + (rank < MIRT_MAX_RANK ? rank : MIRT_MAX_RANK));
  }
  // The context does not own address; it must stay valid for the runs that use it.
  void set_tensor_address(std::string_view name, void* address) {
    check(mirt_context_set_tensor_address(get(), to_c(name), address));
  }
  // mirt_context_set_device_memory: the context runs in this block (not owned; keep it alive).
  void set_device_memory(void* memory, uint64_t size) { check(mirt_context_set_device_memory(get(), memory, size)); }
  // mirt_context_set_input_consumed_event: a backend event (cudaEvent_t) recorded once the inputs
  // are read; NULL removes it. Not owned.
  void set_input_consumed_event(void* event) { check(mirt_context_set_input_consumed_event(get(), event)); }
  // mirt_context_set_persistent_cache_limit: persisting L2 bytes for the activation memory.
  void set_persistent_cache_limit(size_t bytes) { check(mirt_context_set_persistent_cache_limit(get(), bytes)); }
  // mirt_context_set_graph_replay: record the run once into a device graph and replay it.
  void set_graph_replay(bool enable) { check(mirt_context_set_graph_replay(get(), enable ? 1 : 0)); }
  // mirt_context_enqueue on a backend stream (NULL: the backend's default).
  void enqueue(void* stream = nullptr) { check(mirt_context_enqueue(get(), stream)); }
  // mirt_context_set_output_allocator (fields copied; NULL removes it). Callbacks must not throw.
  void set_output_allocator(std::string_view name, const mirt_output_allocator* allocator) {
    check(mirt_context_set_output_allocator(get(), to_c(name), allocator));
  }
};

// ---- Registry ------------------------------------------------------------------------------------

// mirt_module_info with owned strings.
struct module_info {
  std::string name, version, description, path;
  mirt_module_kind kind = MIRT_MODULE_KIND_UNDEFINED;
  uint32_t abi_version = 0;
  bool compatible = false;
  bool loaded = false;
};

// The known modules (mirt_registry_num_modules / mirt_registry_get_module); loads none.
inline std::vector<module_info> modules() {
  std::vector<module_info> result;
  const size_t n = mirt_registry_num_modules();
  for (size_t i = 0; i < n; ++i) {
    mirt_module_info info = MIRT_MODULE_INFO_INIT;
    check(mirt_registry_get_module(i, &info));
    module_info m;
    m.name = std::string(to_cpp(info.name));
    m.version = std::string(to_cpp(info.version));
    m.description = std::string(to_cpp(info.description));
    m.path = std::string(to_cpp(info.path));
    m.kind = info.kind;
    m.abi_version = info.abi_version;
    m.compatible = info.compatible != 0;
    m.loaded = info.loaded != 0;
    result.push_back(std::move(m));
  }
  return result;
}
inline void load_library(std::string_view path) { check(mirt_registry_load_library(to_c(path))); }
inline void add_search_path(std::string_view folder) { check(mirt_registry_add_search_path(to_c(folder))); }
inline bool is_loaded(mirt_module_kind kind, std::string_view name) { return mirt_registry_is_loaded(kind, to_c(name)) != 0; }
// The folders searched so far (mirt_registry_search_paths), one entry per folder.
inline std::vector<std::string> search_paths() {
  char* joined = nullptr;
  check(mirt_registry_search_paths(&joined));
  const std::string all = detail::take_string(joined);
  std::vector<std::string> result;
  size_t start = 0;
  while (start < all.size()) {
    size_t end = all.find('\n', start);
    if (end == std::string::npos) end = all.size();
    if (end > start) result.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  return result;
}

}  // namespace mirt

#endif  // MIRT_MIRT_HPP
