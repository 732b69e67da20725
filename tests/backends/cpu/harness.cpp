// tests/backends/cpu/harness.cpp — a test host api and the single-node runner over the cpu vtable.
#include "tests/backends/cpu/harness.hpp"

#include "backends/cpu/convert.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <thread>

// The suite gives the module its own host, so it depends on nothing but the backend and public headers.
struct mirt_status_impl {
  mirt_status_code code;
  std::string message;
};

extern "C" const mirt_module_desc* mirt_module_entry(uint32_t host_abi_version, const mirt_host_api* host);

namespace cpu_test {
namespace {

mirt_status test_status_create(mirt_status_code code, mirt_string_view message) {
  if (code == MIRT_STATUS_OK) return nullptr;
  return new mirt_status_impl{code, std::string(message.data, message.length)};
}
void test_log(mirt_log_level, const char*, const char*) {}

const mirt_host_api k_host = {sizeof(mirt_host_api), MIRT_ABI_VERSION, test_status_create, test_log,
                              nullptr, nullptr, nullptr, nullptr, nullptr};

// Takes a status apart into code and message, and frees it.
mirt_status_code consume(mirt_status st, std::string* message) {
  if (st == nullptr) return MIRT_STATUS_OK;
  const mirt_status_code code = st->code;
  if (message) *message = st->message;
  delete st;
  return code;
}

size_t size_of(mirt_dtype dt) {
  switch (dt) {
    case MIRT_DTYPE_FLOAT32: case MIRT_DTYPE_INT32: return 4;
    case MIRT_DTYPE_FLOAT16: case MIRT_DTYPE_BFLOAT16: return 2;
    case MIRT_DTYPE_INT64: case MIRT_DTYPE_FLOAT64: return 8;
    case MIRT_DTYPE_UNDEFINED: return 0;
    default: return 1;
  }
}

mirt_tensor_desc desc_of(mirt_dtype dtype, const shape_t& shape, bool dynamic) {
  mirt_tensor_desc d{};
  d.dtype = dtype;
  d.rank = uint32_t(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) d.dims[i] = dynamic ? -1 : shape[i];
  return d;
}

}  // namespace

mirt_status_code free_status(mirt_status st, std::string* message) { return consume(st, message); }

int64_t numel(const shape_t& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

tensor_data f32(shape_t shape, const std::vector<float>& v, bool constant) {
  return tensor_data::of(MIRT_DTYPE_FLOAT32, std::move(shape), v, constant);
}
tensor_data i64(shape_t shape, const std::vector<int64_t>& v, bool constant) {
  return tensor_data::of(MIRT_DTYPE_INT64, std::move(shape), v, constant);
}
tensor_data i32(shape_t shape, const std::vector<int32_t>& v, bool constant) {
  return tensor_data::of(MIRT_DTYPE_INT32, std::move(shape), v, constant);
}
tensor_data boolean(shape_t shape, const std::vector<uint8_t>& v) { return tensor_data::of(MIRT_DTYPE_BOOL, std::move(shape), v); }
tensor_data omitted() { return tensor_data{}; }

attr attr_i(const std::string& name, int64_t v) { return {name, MIRT_ATTRIBUTE_TYPE_INT, {v}, {}, {}}; }
attr attr_f(const std::string& name, float v) { return {name, MIRT_ATTRIBUTE_TYPE_FLOAT, {}, {v}, {}}; }
attr attr_s(const std::string& name, const std::string& v) { return {name, MIRT_ATTRIBUTE_TYPE_STRING, {}, {}, {v}}; }
attr attr_ints(const std::string& name, std::vector<int64_t> v) { return {name, MIRT_ATTRIBUTE_TYPE_INTS, std::move(v), {}, {}}; }

const mirt_backend_vtable& backend() {
  static const mirt_module_desc* desc = mirt_module_entry(MIRT_ABI_VERSION, &k_host);
  REQUIRE(desc != nullptr);
  return *static_cast<const mirt_backend_vtable*>(desc->vtable);
}

op_result run(const op_call& call) {
  const mirt_backend_vtable& vt = backend();
  op_result result;

  // Build-time view of the node.
  std::vector<mirt_tensor_desc> in_descs, out_descs;
  std::vector<const void*> constants;
  for (const tensor_data& t : call.inputs) {
    in_descs.push_back(desc_of(t.dtype, t.shape, call.dynamic_build && !t.constant));
    constants.push_back(t.constant ? t.bytes.data() : nullptr);
  }
  for (const out_spec& o : call.outputs) out_descs.push_back(desc_of(o.dtype, o.shape, call.dynamic_build));
  std::vector<mirt_string_view> string_store;
  size_t string_count = 0;
  for (const attr& a : call.attrs) string_count += a.strings.size();
  string_store.reserve(string_count);  // no reallocation: attributes point into it
  std::vector<mirt_attribute> attrs;
  for (const attr& a : call.attrs) {
    mirt_attribute m{};
    m.name = {a.name.data(), a.name.size()};
    m.type = a.type;
    m.ints = a.ints.data();
    m.floats = a.floats.data();
    m.count = a.ints.size() + a.floats.size() + a.strings.size();
    if (!a.strings.empty()) {
      m.strings = string_store.data() + string_store.size();
      for (const std::string& s : a.strings) string_store.push_back({s.data(), s.size()});
    }
    attrs.push_back(m);
  }
  mirt_node_info node{};
  node.struct_size = sizeof(node);
  node.name = {call.name.data(), call.name.size()};
  node.op_type = {call.op.data(), call.op.size()};
  node.num_inputs = in_descs.size();
  node.inputs = in_descs.data();
  node.constant_data = constants.data();
  node.num_outputs = out_descs.size();
  node.outputs = out_descs.data();
  node.num_attributes = attrs.size();
  node.attributes = attrs.data();

  mirt_tactic_info tactics[8];
  uint32_t count = 0;
  result.code = consume(vt.get_tactics(&node, tactics, 8, &count), &result.message);
  if (result.code != MIRT_STATUS_OK) return result;
  REQUIRE(count > 0);
  size_t chosen = 0;
  while (!call.tactic.empty() && chosen < std::min<uint32_t>(count, 8) && call.tactic != tactics[chosen].name) ++chosen;
  if (chosen == std::min<uint32_t>(count, 8)) {
    result.code = MIRT_STATUS_NOT_FOUND;
    result.message = "tactic '" + call.tactic + "' is not offered";
    return result;
  }
  result.tactic = tactics[chosen].name;
  mirt_kernel* kernel = nullptr;
  result.code = consume(vt.kernel_create(&node, tactics[chosen].id, &kernel), &result.message);
  if (result.code != MIRT_STATUS_OK) return result;

  // Run-time buffers with concrete shapes.
  std::vector<tensor_data> inputs = call.inputs;
  std::vector<mirt_tensor_desc> run_in, run_out;
  std::vector<const void*> in_ptrs;
  for (const tensor_data& t : inputs) {
    run_in.push_back(desc_of(t.dtype, t.shape, false));
    in_ptrs.push_back(t.dtype == MIRT_DTYPE_UNDEFINED ? nullptr : t.bytes.data());
  }
  const int threads = std::max(1, call.threads);
  std::vector<std::vector<tensor_data>> outs(static_cast<size_t>(threads));
  for (auto& per_thread : outs)
    for (const out_spec& o : call.outputs)
      per_thread.push_back(tensor_data{o.dtype, o.shape, std::vector<uint8_t>(size_t(numel(o.shape)) * size_of(o.dtype) + 1, 0xCD)});
  for (const out_spec& o : call.outputs) run_out.push_back(desc_of(o.dtype, o.shape, false));
  // One workspace per thread, sized at the run shapes; offset by one byte so that kernels must
  // align inside it themselves (the constant folder's workspace is a byte vector).
  const size_t ws_size = call.workspace && vt.kernel_workspace_size ? vt.kernel_workspace_size(kernel, run_in.data(), run_out.data()) : 0;
  std::vector<std::vector<uint8_t>> workspaces(static_cast<size_t>(threads), std::vector<uint8_t>(ws_size + 1));

  auto execute = [&](int t, std::string* message) {
    std::vector<void*> out_ptrs;
    for (auto& o : outs[size_t(t)]) out_ptrs.push_back(o.bytes.data());
    std::vector<tensor_data> own_inputs;
    std::vector<const void*> ptrs = in_ptrs;
    if (call.in_place) {
      // Output 0 shares input 0's buffer, which then holds the input values.
      std::memcpy(outs[size_t(t)][0].bytes.data(), inputs[0].bytes.data(), inputs[0].bytes.size());
      ptrs[0] = outs[size_t(t)][0].bytes.data();
    }
    mirt_kernel_io io{};
    io.struct_size = sizeof(io);
    io.num_inputs = run_in.size();
    io.inputs = run_in.data();
    io.input_data = ptrs.data();
    io.num_outputs = run_out.size();
    io.outputs = run_out.data();
    io.output_data = out_ptrs.data();
    if (ws_size > 0) {
      io.workspace = workspaces[size_t(t)].data() + 1;
      io.workspace_size = ws_size;
    }
    return consume(vt.kernel_execute(kernel, &io), message);
  };
  if (threads == 1) {
    for (int i = 0; i < std::max(1, call.repeat) && result.code == MIRT_STATUS_OK; ++i) result.code = execute(0, &result.message);
  } else {
    std::vector<std::thread> pool;
    std::vector<mirt_status_code> codes(static_cast<size_t>(threads));
    std::vector<std::string> messages(static_cast<size_t>(threads));
    for (int t = 0; t < threads; ++t) pool.emplace_back([&, t] { codes[size_t(t)] = execute(t, &messages[size_t(t)]); });
    for (auto& th : pool) th.join();
    for (int t = 0; t < threads; ++t)
      if (codes[size_t(t)] != MIRT_STATUS_OK) {
        result.code = codes[size_t(t)];
        result.message = messages[size_t(t)];
      }
    // Every thread must have produced the same bytes.
    for (int t = 1; t < threads && result.code == MIRT_STATUS_OK; ++t)
      for (size_t k = 0; k < outs[0].size(); ++k) CHECK(outs[size_t(t)][k].bytes == outs[0][k].bytes);
  }
  vt.kernel_destroy(kernel);
  for (auto& o : outs[0]) o.bytes.pop_back();  // drop the guard byte
  result.outputs = std::move(outs[0]);
  return result;
}

std::vector<float> run_f32(const op_call& call, size_t index) {
  op_result r = run(call);
  INFO("op ", call.op, ": ", r.message);
  REQUIRE(r.code == MIRT_STATUS_OK);
  REQUIRE(index < r.outputs.size());
  return r.outputs[index].values<float>();
}

std::vector<float> random_floats(int64_t n, float lo, float hi, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(gen);
  return v;
}

void check_close(const std::vector<float>& actual, const std::vector<double>& expected, double tol) {
  REQUIRE(actual.size() == expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i])) {
      INFO("index ", i, ": expected NaN, got ", actual[i]);
      CHECK(std::isnan(actual[i]));
      continue;
    }
    if (std::isinf(expected[i])) {
      INFO("index ", i, ": expected ", expected[i], ", got ", actual[i]);
      CHECK(actual[i] == expected[i]);
      continue;
    }
    const double err = std::fabs(double(actual[i]) - expected[i]) / std::max(1.0, std::fabs(expected[i]));
    if (err > tol) {
      INFO("index ", i, ": got ", actual[i], ", expected ", expected[i], " (relative error ", err, ")");
      CHECK(err <= tol);
      return;  // one report per comparison is enough
    }
  }
}

std::vector<int64_t> strides_of(const shape_t& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

shape_t broadcast(const shape_t& a, const shape_t& b) {
  const size_t r = std::max(a.size(), b.size());
  shape_t out(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i + a.size() < r ? 1 : a[i + a.size() - r];
    const int64_t db = i + b.size() < r ? 1 : b[i + b.size() - r];
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> unravel(int64_t flat, const shape_t& s) {
  std::vector<int64_t> idx(s.size());
  for (size_t i = s.size(); i-- > 0;) {
    idx[i] = flat % s[i];
    flat /= s[i];
  }
  return idx;
}

int64_t broadcast_index(const shape_t& in, const shape_t& out, int64_t flat_out) {
  const std::vector<int64_t> idx = unravel(flat_out, out);
  const std::vector<int64_t> st = strides_of(in);
  int64_t off = 0;
  const size_t lead = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) off += (in[i] == 1 ? 0 : idx[lead + i]) * st[i];
  return off;
}

std::vector<float> round_to_half(std::vector<float> v) {
  for (float& f : v) f = mirt::cpu::half_to_float(mirt::cpu::float_to_half(f));
  return v;
}

tensor_data f16(shape_t shape, const std::vector<float>& v, bool constant) {
  std::vector<uint16_t> bits;
  for (float f : v) bits.push_back(mirt::cpu::float_to_half(f));
  return tensor_data::of<uint16_t>(MIRT_DTYPE_FLOAT16, std::move(shape), bits, constant);
}

std::vector<float> half_values(const tensor_data& t) {
  std::vector<float> out;
  for (uint16_t h : t.values<uint16_t>()) out.push_back(mirt::cpu::half_to_float(h));
  return out;
}

}  // namespace cpu_test
