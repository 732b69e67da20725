// tests/backends/cuda/harness.cpp — a test host api, module loading with dlopen, the single-node
// runner over either backend's vtable and the comparison.
#include "tests/backends/cuda/harness.hpp"

#include <cuda_runtime.h>
#include <dlfcn.h>
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>

struct mirt_status_impl {
  mirt_status_code code;
  std::string message;
};

namespace cuda_test {
namespace {

mirt_status test_status_create(mirt_status_code code, mirt_string_view message) {
  if (code == MIRT_STATUS_OK) return nullptr;
  return new mirt_status_impl{code, std::string(message.data, message.length)};
}
std::mutex log_mutex;
std::vector<std::string> log_lines;
void test_log(mirt_log_level, const char*, const char* message) {
  std::lock_guard<std::mutex> lock(log_mutex);
  log_lines.push_back(message ? message : "");
}

const mirt_host_api k_host = {sizeof(mirt_host_api), MIRT_ABI_VERSION, test_status_create, test_log,
                              nullptr, nullptr, nullptr, nullptr, nullptr};

size_t size_of(mirt_dtype dt) {
  switch (dt) {
    case MIRT_DTYPE_FLOAT32: case MIRT_DTYPE_INT32: return 4;
    case MIRT_DTYPE_FLOAT16: case MIRT_DTYPE_BFLOAT16: return 2;
    case MIRT_DTYPE_INT64: case MIRT_DTYPE_FLOAT64: return 8;
    case MIRT_DTYPE_UNDEFINED: return 0;
    default: return 1;
  }
}

mirt_tensor_desc desc_of(mirt_dtype dtype, const shape_t& shape) {
  mirt_tensor_desc d{};
  d.dtype = dtype;
  d.rank = uint32_t(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) d.dims[i] = shape[i];
  return d;
}

// Finds lib<name>.so in MIRT_MODULE_PATH, then beside this executable's build folder.
std::string find_module(const std::string& file) {
  std::vector<std::filesystem::path> dirs;
  if (const char* env = std::getenv("MIRT_MODULE_PATH")) {
    std::string s = env;
    for (size_t at = 0; at <= s.size();) {
      const size_t end = std::min(s.find(':', at), s.size());
      if (end > at) dirs.emplace_back(s.substr(at, end - at));
      at = end + 1;
    }
  }
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe").parent_path();
  for (const char* rel : {".", "../cpu", "../cuda", "../../../backends/cpu", "../../../backends/cuda"}) dirs.push_back(exe / rel);
  for (const auto& d : dirs)
    if (std::filesystem::exists(d / file)) return (d / file).string();
  return file;
}

const mirt_module_desc& load(const char* file) {
  const std::string path = find_module(file);
  void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  const std::string why = lib ? "" : dlerror();  // copied: INFO stringifies lazily, after dlerror's buffer changed
  INFO("dlopen ", path, ": ", why);
  REQUIRE(lib != nullptr);
  auto entry = reinterpret_cast<mirt_module_entry_fn>(dlsym(lib, MIRT_MODULE_ENTRY_SYMBOL));
  REQUIRE(reinterpret_cast<void*>(entry) != nullptr);
  const mirt_module_desc* desc = entry(MIRT_ABI_VERSION, &k_host);
  REQUIRE(desc != nullptr);
  return *desc;
}

struct node_store {
  std::vector<mirt_tensor_desc> in, out;
  std::vector<const void*> constants;
  std::vector<mirt_string_view> strings;
  std::vector<mirt_attribute> attrs;
  mirt_node_info info{};
};

void describe(const op_call& call, node_store& s) {
  for (const tensor_data& t : call.inputs) {
    s.in.push_back(desc_of(t.dtype, t.shape));
    s.constants.push_back(t.constant ? t.bytes.data() : nullptr);
  }
  for (const out_spec& o : call.outputs) s.out.push_back(desc_of(o.dtype, o.shape));
  size_t total_strings = 0;
  for (const attr& a : call.attrs) total_strings += a.strings.size();
  s.strings.reserve(total_strings);  // no reallocation: attributes point into it
  for (const attr& a : call.attrs) {
    mirt_attribute m{};
    m.name = {a.name.data(), a.name.size()};
    m.type = a.type;
    m.ints = a.ints.data();
    m.floats = a.floats.data();
    m.count = a.ints.size() + a.floats.size() + a.strings.size();
    if (!a.strings.empty()) {
      m.strings = s.strings.data() + s.strings.size();
      for (const std::string& text : a.strings) s.strings.push_back({text.data(), text.size()});
    }
    s.attrs.push_back(m);
  }
  mirt_node_info& n = s.info;
  n.struct_size = sizeof(n);
  n.name = {call.name.data(), call.name.size()};
  n.op_type = {call.op.data(), call.op.size()};
  n.num_inputs = s.in.size();
  n.inputs = s.in.data();
  n.constant_data = s.constants.data();
  n.num_outputs = s.out.size();
  n.outputs = s.out.data();
  n.num_attributes = s.attrs.size();
  n.attributes = s.attrs.data();
  n.precision_flags = call.precision_flags;
}

// Device buffers made and freed through the vtable.
struct device_mem {
  const mirt_backend_vtable& vt;
  std::vector<void*> blocks;
  void* alloc(size_t bytes) {
    void* p = nullptr;
    std::string msg;
    INFO("memory_alloc: ", msg);
    REQUIRE(consume(vt.memory_alloc(bytes ? bytes : 1, &p), &msg) == MIRT_STATUS_OK);
    blocks.push_back(p);
    return p;
  }
  ~device_mem() {
    for (void* p : blocks) vt.memory_free(p);
  }
};

op_result run_on(const mirt_backend_vtable& vt, const op_call& call) {
  const bool device = vt.io_location == MIRT_TENSOR_LOCATION_DEVICE;
  op_result result;
  node_store store;
  describe(call, store);
  constexpr uint32_t capacity = 32;  // more than any op offers (MatMul: 8 ranked algorithms)
  mirt_tactic_info tactics[capacity];
  uint32_t count = 0;
  result.code = consume(vt.get_tactics(&store.info, tactics, capacity, &count), &result.message);
  if (result.code != MIRT_STATUS_OK) return result;
  REQUIRE(count > 0);
  REQUIRE(count <= capacity);
  uint32_t chosen = 0;  // the backend's first tactic, or the one the call names
  while (!call.tactic.empty() && chosen < count && call.tactic != tactics[chosen].name) ++chosen;
  if (chosen == count) {
    result.code = MIRT_STATUS_NOT_FOUND;
    result.message = "no tactic named " + call.tactic;
    return result;
  }
  result.tactic = tactics[chosen].name;
  mirt_kernel* kernel = nullptr;
  result.code = consume(vt.kernel_create(&store.info, tactics[chosen].id, &kernel), &result.message);
  if (result.code != MIRT_STATUS_OK) return result;

  device_mem mem{vt, {}};
  std::vector<const void*> in_ptrs;
  for (const tensor_data& t : call.inputs) {
    if (t.dtype == MIRT_DTYPE_UNDEFINED) {
      in_ptrs.push_back(nullptr);
    } else if (device) {
      void* p = mem.alloc(t.bytes.size());
      REQUIRE(consume(vt.memory_copy(p, t.bytes.data(), t.bytes.size(), MIRT_COPY_KIND_HOST_TO_DEVICE, nullptr), nullptr) == MIRT_STATUS_OK);
      in_ptrs.push_back(p);
    } else {
      in_ptrs.push_back(t.bytes.data());
    }
  }
  std::vector<tensor_data> outs;
  std::vector<void*> out_ptrs;
  for (const out_spec& o : call.outputs) {
    outs.push_back(tensor_data{o.dtype, o.shape, std::vector<uint8_t>(size_t(numel(o.shape)) * size_of(o.dtype), 0xCD)});
    out_ptrs.push_back(device ? mem.alloc(outs.back().bytes.size()) : outs.back().bytes.data());
  }
  size_t ws = vt.kernel_workspace_size ? vt.kernel_workspace_size(kernel, store.in.data(), store.out.data()) : 0;
  void* workspace = ws ? (device ? mem.alloc(ws) : std::malloc(ws)) : nullptr;

  mirt_kernel_io io{};
  io.struct_size = sizeof(io);
  io.num_inputs = store.in.size();
  io.inputs = store.in.data();
  io.input_data = in_ptrs.data();
  io.num_outputs = store.out.size();
  io.outputs = store.out.data();
  io.output_data = out_ptrs.data();
  io.workspace = workspace;
  io.workspace_size = ws;
  result.code = consume(vt.kernel_execute(kernel, &io), &result.message);
  if (result.code == MIRT_STATUS_OK && device) {
    result.code = consume(vt.stream_synchronize(nullptr), &result.message);
    for (size_t i = 0; i < outs.size() && result.code == MIRT_STATUS_OK; ++i)
      if (!outs[i].bytes.empty())
        result.code = consume(vt.memory_copy(outs[i].bytes.data(), out_ptrs[i], outs[i].bytes.size(), MIRT_COPY_KIND_DEVICE_TO_HOST, nullptr),
                              &result.message);
    if (result.code == MIRT_STATUS_OK) result.code = consume(vt.stream_synchronize(nullptr), &result.message);
  }
  if (!device) std::free(workspace);
  vt.kernel_destroy(kernel);
  result.outputs = std::move(outs);
  return result;
}

}  // namespace

mirt_status_code consume(mirt_status st, std::string* message) {
  if (st == nullptr) return MIRT_STATUS_OK;
  const mirt_status_code code = st->code;
  if (message) *message = st->message;
  delete st;
  return code;
}

int64_t numel(const shape_t& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

tensor_data rand_f32(shape_t shape, uint32_t seed, float lo, float hi, bool constant) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(numel(shape)));
  for (float& x : v) x = dist(gen);
  return tensor_data::of(MIRT_DTYPE_FLOAT32, std::move(shape), v, constant);
}
tensor_data f32(shape_t shape, const std::vector<float>& v, bool constant) { return tensor_data::of(MIRT_DTYPE_FLOAT32, std::move(shape), v, constant); }
tensor_data i64(shape_t shape, const std::vector<int64_t>& v, bool constant) { return tensor_data::of(MIRT_DTYPE_INT64, std::move(shape), v, constant); }
tensor_data i32(shape_t shape, const std::vector<int32_t>& v, bool constant) { return tensor_data::of(MIRT_DTYPE_INT32, std::move(shape), v, constant); }
tensor_data boolean(shape_t shape, const std::vector<uint8_t>& v) { return tensor_data::of(MIRT_DTYPE_BOOL, std::move(shape), v); }
tensor_data omitted() { return tensor_data{}; }

attr attr_i(const std::string& name, int64_t v) { return {name, MIRT_ATTRIBUTE_TYPE_INT, {v}, {}, {}}; }
attr attr_f(const std::string& name, float v) { return {name, MIRT_ATTRIBUTE_TYPE_FLOAT, {}, {v}, {}}; }
attr attr_s(const std::string& name, const std::string& v) { return {name, MIRT_ATTRIBUTE_TYPE_STRING, {}, {}, {v}}; }
attr attr_ints(const std::string& name, std::vector<int64_t> v) { return {name, MIRT_ATTRIBUTE_TYPE_INTS, std::move(v), {}, {}}; }

const mirt_module_desc& cuda_module() {
  static const mirt_module_desc& d = load("libmirt_backend_cuda.so");
  return d;
}
const mirt_module_desc& cpu_module() {
  static const mirt_module_desc& d = load("libmirt_backend_cpu.so");
  return d;
}
const mirt_backend_vtable& cuda_backend() { return *static_cast<const mirt_backend_vtable*>(cuda_module().vtable); }
const mirt_backend_vtable& cpu_backend() { return *static_cast<const mirt_backend_vtable*>(cpu_module().vtable); }

bool gpu_present() {
  static const bool present = [] {
    int n = 0;
    const bool ok = cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
    (void)cudaGetLastError();
    return ok;
  }();
  return present;
}

// A call's tactic names one of the cuda backend's: the cpu backend runs its first.
op_result run_cpu(const op_call& call) {
  op_call on_cpu = call;
  on_cpu.tactic.clear();
  return run_on(cpu_backend(), on_cpu);
}
op_result run_cuda(const op_call& call) { return run_on(cuda_backend(), call); }

std::vector<std::string> take_log_lines() {
  std::lock_guard<std::mutex> lock(log_mutex);
  std::vector<std::string> taken;
  taken.swap(log_lines);
  return taken;
}

void compare_with_cpu(const op_call& call, double rel_tol) {
  const op_result cpu = run_cpu(call);
  {
    INFO("cpu backend, op ", call.op, ": ", cpu.message);
    REQUIRE(cpu.code == MIRT_STATUS_OK);
  }
  const op_result gpu = run_cuda(call);
  INFO("cuda backend, op ", call.op, " (tactic ", gpu.tactic, "): ", gpu.message);
  REQUIRE(gpu.code == MIRT_STATUS_OK);
  REQUIRE(gpu.outputs.size() == cpu.outputs.size());
  for (size_t o = 0; o < cpu.outputs.size(); ++o) {
    const tensor_data &c = cpu.outputs[o], &g = gpu.outputs[o];
    INFO("output ", o);
    REQUIRE(c.bytes.size() == g.bytes.size());
    if (c.dtype != MIRT_DTYPE_FLOAT32) {
      CHECK(c.bytes == g.bytes);
      continue;
    }
    const std::vector<float> cv = c.values<float>(), gv = g.values<float>();
    double worst = 0;
    size_t worst_at = 0;
    bool nan_mismatch = false;
    for (size_t i = 0; i < cv.size(); ++i) {
      if (std::isnan(cv[i]) || std::isnan(gv[i])) {
        nan_mismatch = nan_mismatch || std::isnan(cv[i]) != std::isnan(gv[i]);
        continue;
      }
      if (std::isinf(cv[i]) || std::isinf(gv[i])) {
        if (cv[i] != gv[i]) nan_mismatch = true;
        continue;
      }
      const double err = std::fabs(double(gv[i]) - double(cv[i])) / std::max(1.0, std::fabs(double(cv[i])));
      if (err > worst) worst = err, worst_at = i;
    }
    CHECK_FALSE(nan_mismatch);
    INFO("worst relative error ", worst, " at index ", worst_at, ": cuda ", gv.empty() ? 0.f : gv[worst_at], ", cpu ",
         cv.empty() ? 0.f : cv[worst_at]);
    CHECK(worst <= rel_tol);
  }
}

}  // namespace cuda_test
