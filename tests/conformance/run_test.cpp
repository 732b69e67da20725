// tests/conformance/run_test.cpp — one node test through mirt's public C ABI.
#include "tests/conformance/run_test.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>
#include <memory>

#include "tests/conformance/classify.hpp"
#include "tests/conformance/tensor_data.hpp"

namespace conformance {

mirt_string_view sv(const std::string& s) { return mirt_string_view{s.data(), s.size()}; }
std::string str(mirt_string_view v) { return v.data ? std::string(v.data, v.length) : std::string(); }

namespace {


std::string take_message(mirt_status s) {
  std::string out = std::string(mirt_status_code_name(mirt_status_get_code(s))) + ": " + mirt_status_get_message(s);
  mirt_status_destroy(s);
  std::replace(out.begin(), out.end(), '\n', ' ');
  if (out.size() > 400) out = out.substr(0, 400) + "...";
  return out;
}

#define CHECK_MIRT(stage, expr)                                    \
  do {                                                             \
    mirt_status s_ = (expr);                                       \
    if (s_) throw failure{std::string(stage) + ": " + take_message(s_)}; \
  } while (0)

struct network_ptr {
  mirt_network* p = nullptr;
  ~network_ptr() { mirt_network_destroy(p); }
};
struct config_ptr {
  mirt_builder_config* p = nullptr;
  ~config_ptr() { mirt_builder_config_destroy(p); }
};
struct plan_ptr {
  mirt_plan* p = nullptr;
  ~plan_ptr() { mirt_plan_destroy(p); }
};
struct engine_ptr {
  mirt_engine* p = nullptr;
  ~engine_ptr() { mirt_engine_destroy(p); }
};
struct context_ptr {
  mirt_context* p = nullptr;
  ~context_ptr() { mirt_context_destroy(p); }
};
// A buffer in the engine's memory (host memory for host backends).
struct engine_buffer {
  const mirt_engine* engine = nullptr;
  void* p = nullptr;
  bool device = false;
  std::vector<uint8_t> host;
  engine_buffer() = default;
  engine_buffer(const engine_buffer&) = delete;
  engine_buffer& operator=(const engine_buffer&) = delete;
  ~engine_buffer() {
    if (device) mirt_engine_free_device_memory(engine, p);
  }
};

// An output allocator (mirt_output_allocator) for outputs whose shape the run decides: a buffer in
// the engine's memory that grows on demand, and the shape the context reports.
struct dynamic_output {
  const mirt_engine* engine = nullptr;
  bool device = false;
  std::vector<uint8_t> host;
  void* device_memory = nullptr;
  uint64_t capacity = 0;
  bool notified = false;
  std::vector<int64_t> shape;
  dynamic_output() = default;
  dynamic_output(const dynamic_output&) = delete;
  dynamic_output& operator=(const dynamic_output&) = delete;
  ~dynamic_output() {
    if (device_memory) mirt_engine_free_device_memory(engine, device_memory);
  }
  static void* reallocate(void* self, const char*, void* current, uint64_t size, uint64_t) {
    auto* d = static_cast<dynamic_output*>(self);
    if (size <= d->capacity && current) return current;
    const size_t bytes = std::max<size_t>(size, 1);
    if (!d->device) {
      d->host.assign(bytes, 0);
      d->capacity = bytes;
      return d->host.data();
    }
    mirt_engine_free_device_memory(d->engine, d->device_memory);
    d->device_memory = nullptr;
    mirt_status s = mirt_engine_alloc_device_memory(d->engine, bytes, &d->device_memory);
    if (s) {
      mirt_status_destroy(s);
      return nullptr;
    }
    d->capacity = bytes;
    return d->device_memory;
  }
  static void notify(void* self, const char*, size_t rank, const int64_t* dims) {
    auto* d = static_cast<dynamic_output*>(self);
    d->notified = true;
    d->shape.assign(dims, dims + rank);
  }
};

struct data_set {
  std::vector<host_tensor> inputs, outputs;
};

std::vector<fs::path> numbered(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> out;
  for (int i = 0;; ++i) {
    fs::path p = dir / (prefix + std::to_string(i) + ".pb");
    if (!fs::exists(p)) break;
    out.push_back(p);
  }
  return out;
}

struct shape_values {
  std::string name;
  std::vector<int64_t> min, opt, max;
};

// Value ranges over the data sets of each int32/int64 input with at most 64 elements and the same
// shape in every set: candidates for shape tensors.
std::vector<shape_values> shape_value_ranges(const std::vector<data_set>& sets) {
  std::vector<shape_values> out;
  for (const host_tensor& first : sets.front().inputs) {
    if ((first.dtype != MIRT_DTYPE_INT32 && first.dtype != MIRT_DTYPE_INT64) || first.count() > 64) continue;
    shape_values v{first.name, {}, {}, {}};
    bool same_shape = true;
    for (const data_set& s : sets) {
      auto it = std::find_if(s.inputs.begin(), s.inputs.end(), [&](const host_tensor& h) { return h.name == first.name; });
      if (it == s.inputs.end() || it->dims != first.dims) {
        same_shape = false;
        break;
      }
      for (size_t i = 0; i < it->count(); ++i) {
        int64_t x = int_at(it->bytes.data(), it->dtype, i);
        if (v.opt.size() <= i) {
          v.min.push_back(x), v.opt.push_back(x), v.max.push_back(x);
        } else {
          v.min[i] = std::min(v.min[i], x), v.max[i] = std::max(v.max[i], x);
        }
      }
    }
    if (same_shape) out.push_back(std::move(v));
  }
  return out;
}

}  // namespace

void run_test(const fs::path& dir, const options& opt, result& r) {
  r.name = dir.filename().string();
  fs::path model_path = dir / "model.onnx";
  onnx::ModelProto model;
  {
    std::ifstream in(model_path, std::ios::binary);
    if (!in || !model.ParseFromIstream(&in)) throw failure{"data: cannot read " + model_path.string()};
  }
  const onnx::GraphProto& g = model.graph();
  r.op = tested_ops(g);
  // An expanded test (the op's function body) counts for the op it expands.
  if (size_t e = r.name.find("_expanded"); e != std::string::npos) {
    fs::path sibling = dir.parent_path() / r.name.substr(0, e) / "model.onnx";
    onnx::ModelProto sm;
    std::ifstream in(sibling, std::ios::binary);
    if (in && sm.ParseFromIstream(&in)) r.op = tested_ops(sm.graph());
  }
  if (std::string skip = graph_skip(g); !skip.empty()) {
    r.v = verdict::skip;
    r.reason = skip;
    return;
  }

  // Read every data set; graph inputs that are not initializers take input_K.pb in order.
  std::set<std::string> initializers;
  for (const auto& t : g.initializer()) initializers.insert(t.name());
  std::vector<std::string> input_names;
  std::vector<int> input_types, output_types;
  for (const auto& v : g.input())
    if (!initializers.count(v.name())) {
      input_names.push_back(v.name());
      input_types.push_back(v.type().tensor_type().elem_type());
    }
  for (const auto& v : g.output()) output_types.push_back(v.type().tensor_type().elem_type());
  auto type_at = [](const std::vector<int>& types, size_t k) { return k < types.size() ? types[k] : 0; };
  std::vector<data_set> sets;
  std::vector<fs::path> set_dirs;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) set_dirs.push_back(e.path());
  std::sort(set_dirs.begin(), set_dirs.end());
  if (set_dirs.empty()) throw failure{"data: no test_data_set_* folder"};
  for (const fs::path& sd : set_dirs) {
    data_set s;
    for (const fs::path& p : numbered(sd, "input_"))
      s.inputs.push_back(read_tensor(p, type_at(input_types, s.inputs.size())));
    for (const fs::path& p : numbered(sd, "output_"))
      s.outputs.push_back(read_tensor(p, type_at(output_types, s.outputs.size())));
    for (size_t k = 0; k < s.inputs.size() && k < input_names.size(); ++k) s.inputs[k].name = input_names[k];
    sets.push_back(std::move(s));
  }

  network_ptr net;
  CHECK_MIRT("network", mirt_network_create(nullptr, &net.p));
  std::string model_file = model_path.string();
  CHECK_MIRT("parse", mirt_onnx_parse_file(net.p, sv(model_file)));

  // A profile over the data sets' shapes for every input with a dynamic dim.
  config_ptr config;
  mirt_builder_options bo = MIRT_BUILDER_OPTIONS_INIT;
  bo.backend = sv(opt.backend);
  CHECK_MIRT("config", mirt_builder_config_create(&bo, &config.p));
  bool have_profile = false;
  size_t profile = 0;
  for (size_t i = 0; i < mirt_network_num_inputs(net.p); ++i) {
    mirt_tensor* t = mirt_network_get_input(net.p, i);
    std::string name = str(mirt_tensor_get_name(t));
    int64_t dims[MIRT_MAX_RANK];
    size_t rank = mirt_tensor_get_dims(t, dims);
    if (std::none_of(dims, dims + rank, [](int64_t d) { return d < 0; })) continue;
    std::vector<int64_t> lo, hi, first;
    for (const data_set& s : sets) {
      auto it = std::find_if(s.inputs.begin(), s.inputs.end(), [&](const host_tensor& h) { return h.name == name; });
      if (it == s.inputs.end()) throw failure{"data: no data for input '" + name + "'"};
      if (first.empty() && lo.empty()) {
        lo = hi = first = it->dims;
        continue;
      }
      if (it->dims.size() != lo.size()) throw failure{"data: data sets give input '" + name + "' different ranks"};
      for (size_t d = 0; d < lo.size(); ++d) lo[d] = std::min(lo[d], it->dims[d]), hi[d] = std::max(hi[d], it->dims[d]);
    }
    if (!have_profile) CHECK_MIRT("profile", mirt_builder_config_add_profile(config.p, &profile));
    have_profile = true;
    CHECK_MIRT("profile",
               mirt_builder_config_set_profile_shape(config.p, profile, sv(name), lo.size(), lo.data(), first.data(), hi.data()));
  }
  // Integer inputs small enough to be shape tensors get value ranges from the data sets; the
  // builder keeps them only for inputs some shape depends on (Reshape's shape, Reduce's axes, ...).
  for (const shape_values& v : shape_value_ranges(sets)) {
    if (!have_profile) CHECK_MIRT("profile", mirt_builder_config_add_profile(config.p, &profile));
    have_profile = true;
    CHECK_MIRT("profile", mirt_builder_config_set_profile_shape_values(config.p, profile, sv(v.name), v.min.size(),
                                                                       v.min.data(), v.opt.data(), v.max.data()));
  }
  plan_ptr plan;
  CHECK_MIRT("build", mirt_builder_build(net.p, config.p, &plan.p));
  engine_ptr engine;
  mirt_engine_options eo = MIRT_ENGINE_OPTIONS_INIT;
  eo.plan = plan.p;
  CHECK_MIRT("engine", mirt_engine_create(&eo, &engine.p));
  context_ptr context;
  CHECK_MIRT("context", mirt_context_create(engine.p, nullptr, &context.p));

  std::vector<mirt_tensor_info> ins, outs;
  for (size_t i = 0; i < mirt_engine_num_io_tensors(engine.p); ++i) {
    mirt_tensor_info info = MIRT_TENSOR_INFO_INIT;
    CHECK_MIRT("engine", mirt_engine_get_io_tensor(engine.p, i, &info));
    (info.is_input ? ins : outs).push_back(info);
  }

  for (size_t si = 0; si < sets.size(); ++si) {
    const data_set& s = sets[si];
    std::string where = sets.size() > 1 ? "set " + std::to_string(si) + " " : "";
    if (outs.size() != s.outputs.size())
      throw failure{"outputs: the engine has " + std::to_string(outs.size()) + " outputs, the test " +
                    std::to_string(s.outputs.size())};
    std::vector<std::unique_ptr<engine_buffer>> buffers;
    auto bind = [&](const mirt_tensor_info& info, size_t bytes, const void* src) -> engine_buffer& {
      auto b = std::make_unique<engine_buffer>();
      b->engine = engine.p;
      b->device = info.location == MIRT_TENSOR_LOCATION_DEVICE;
      b->host.assign(std::max<size_t>(bytes, 1), 0);
      if (src && bytes) std::memcpy(b->host.data(), src, bytes);
      if (b->device) {
        CHECK_MIRT("memory", mirt_engine_alloc_device_memory(engine.p, std::max<size_t>(bytes, 1), &b->p));
        if (src && bytes)
          CHECK_MIRT("memory", mirt_engine_copy_memory(engine.p, b->p, b->host.data(), bytes,
                                                       MIRT_COPY_KIND_HOST_TO_DEVICE, nullptr));
      } else {
        b->p = b->host.data();
      }
      CHECK_MIRT("bind", mirt_context_set_tensor_address(context.p, info.name, b->p));
      buffers.push_back(std::move(b));
      return *buffers.back();
    };
    for (const mirt_tensor_info& info : ins) {
      std::string name = str(info.name);
      auto it = std::find_if(s.inputs.begin(), s.inputs.end(), [&](const host_tensor& h) { return h.name == name; });
      if (it == s.inputs.end()) throw failure{"data: no data for input '" + name + "'"};
      if (it->dtype != info.dtype)
        throw failure{"inputs: input '" + name + "' is " + mirt_dtype_name(info.dtype) + " in the engine, the data " +
                      mirt_dtype_name(it->dtype)};
      CHECK_MIRT(where + "input shape", mirt_context_set_input_shape(context.p, info.name, it->dims.size(), it->dims.data()));
      bind(info, it->bytes.size(), it->bytes.data());
    }
    std::vector<engine_buffer*> out_buffers;
    std::vector<std::unique_ptr<dynamic_output>> dynamic(outs.size());
    for (size_t k = 0; k < outs.size(); ++k) {
      const mirt_tensor_info& info = outs[k];
      const host_tensor& want = s.outputs[k];
      std::string label = "output " + std::to_string(k) + " '" + str(info.name) + "'";
      if (info.dtype != want.dtype)
        throw failure{where + "dtype: " + label + " is " + mirt_dtype_name(info.dtype) + ", expected " +
                      mirt_dtype_name(want.dtype)};
      size_t rank = 0;
      int64_t dims[MIRT_MAX_RANK];
      CHECK_MIRT(where + "output shape", mirt_context_get_tensor_shape(context.p, info.name, &rank, dims));
      std::vector<int64_t> got(dims, dims + rank);
      if (std::any_of(got.begin(), got.end(), [](int64_t d) { return d < 0; })) {
        // Known only while the network runs: an output allocator takes it.
        auto d = std::make_unique<dynamic_output>();
        d->engine = engine.p;
        d->device = info.location == MIRT_TENSOR_LOCATION_DEVICE;
        mirt_output_allocator a = MIRT_OUTPUT_ALLOCATOR_INIT;
        a.reallocate = dynamic_output::reallocate;
        a.notify_shape = dynamic_output::notify;
        a.user_data = d.get();
        CHECK_MIRT(where + "output allocator", mirt_context_set_output_allocator(context.p, info.name, &a));
        dynamic[k] = std::move(d);
        out_buffers.push_back(nullptr);
        continue;
      }
      if (got != want.dims)
        throw failure{where + "shape: " + label + " is " + dims_text(got) + ", expected " + dims_text(want.dims)};
      out_buffers.push_back(&bind(info, want.bytes.size(), nullptr));
    }
    CHECK_MIRT(where + "run", mirt_context_enqueue(context.p, nullptr));
    for (size_t k = 0; k < outs.size(); ++k) {
      if (!dynamic[k]) continue;
      dynamic_output& d = *dynamic[k];
      const std::string label = "output " + std::to_string(k) + " '" + str(outs[k].name) + "'";
      if (!d.notified)
        throw failure{where + "data-dependent shape: " + label + ": the run reported no shape"};
      if (d.shape != s.outputs[k].dims)
        throw failure{where + "shape: " + label + " is " + dims_text(d.shape) + " after the run, expected " +
                      dims_text(s.outputs[k].dims)};
      // Read through an engine_buffer view, as the outputs with static shapes are.
      auto b = std::make_unique<engine_buffer>();
      b->host.assign(std::max<size_t>(s.outputs[k].bytes.size(), 1), 0);
      if (d.device) {
        b->device = false;  // the memory stays the allocator's
        b->p = d.device_memory;
        if (!s.outputs[k].bytes.empty())
          CHECK_MIRT("memory", mirt_engine_copy_memory(engine.p, b->host.data(), d.device_memory,
                                                       s.outputs[k].bytes.size(), MIRT_COPY_KIND_DEVICE_TO_HOST, nullptr));
      } else if (!s.outputs[k].bytes.empty()) {
        std::memcpy(b->host.data(), d.host.data(), s.outputs[k].bytes.size());
      }
      buffers.push_back(std::move(b));
      out_buffers[k] = buffers.back().get();
    }
    for (size_t k = 0; k < outs.size(); ++k)
      if (!dynamic[k] && out_buffers[k]->device && !s.outputs[k].bytes.empty())
        CHECK_MIRT("memory", mirt_engine_copy_memory(engine.p, out_buffers[k]->host.data(), out_buffers[k]->p,
                                                     s.outputs[k].bytes.size(), MIRT_COPY_KIND_DEVICE_TO_HOST, nullptr));
    CHECK_MIRT(where + "run", mirt_engine_synchronize(engine.p, nullptr));
    for (size_t k = 0; k < outs.size(); ++k) {
      engine_buffer& b = *out_buffers[k];
      const host_tensor& want = s.outputs[k];
      if (std::string diff = compare(want, b.host.data(), outs[k].dtype, opt.rtol, opt.atol); !diff.empty())
        throw failure{where + "values: output " + std::to_string(k) + " '" + str(outs[k].name) + "': " + diff};
    }
  }
  r.v = verdict::pass;
}

}  // namespace conformance
