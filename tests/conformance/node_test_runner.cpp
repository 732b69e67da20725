// tests/conformance/node_test_runner.cpp — runs the ONNX backend node tests through mirt's public C
// ABI: each test folder's model.onnx goes through the ONNX parser module, is built for one backend
// ("cpu" unless --backend says otherwise), run on test_data_set_*/input_*.pb and compared with
// output_*.pb. Every test ends in PASS, FAIL (with the reason) or SKIP (with a justified category).
// Each data set has a pass list in the repo; a test on it that no longer passes fails the run.
//
// Reading the test data: the runner links Debian's libonnx_proto + libprotobuf (the same pair the
// parser module uses; see parsers/onnx/onnx_proto.hpp). It is a test executable, not part of
// libmirt, so this adds no dependency to core. We need more than TensorProto: the skip categories
// and the failing-op statistics need the ModelProto (graph input/output types, node op types and
// domains), and a hand-written wire reader for both messages would be a second protobuf decoder to
// get right and test. The model itself still reaches mirt only through mirt_onnx_parse_file().
//
// Threads: each test owns its network, config, plan, engine and context (the C ABI allows builds
// and engines on several threads at once), so tests run on a pool of worker threads. A watchdog
// fails a test that runs longer than --test-timeout seconds and replaces its worker, so one hang
// does not stop the run.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#ifndef ONNX_ML
#define ONNX_ML 1
#endif
#include <onnx/onnx_pb.h>

#include "mirt/mirt.h"

namespace fs = std::filesystem;

namespace {

// ---- small helpers over the C ABI -------------------------------------------------------------

mirt_string_view sv(const std::string& s) { return mirt_string_view{s.data(), s.size()}; }
std::string str(mirt_string_view v) { return v.data ? std::string(v.data, v.length) : std::string(); }

// A failed call: "STAGE: CODE: message" (first line of the message, trimmed to keep lines short).
struct failure {
  std::string text;
};

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

// ---- ONNX element types --------------------------------------------------------------------------

// The ONNX TensorProto.DataType names (values of ONNX 1.22; Debian's 1.12 headers lack the newest).
std::string onnx_type_name(int t) {
  static const char* names[] = {"undefined", "float",  "uint8",       "int8",          "uint16",     "int16",
                                "int32",     "int64",  "string",      "bool",          "float16",    "double",
                                "uint32",    "uint64", "complex64",   "complex128",    "bfloat16",   "float8e4m3fn",
                                "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz", "uint4", "int4", "float4e2m1",
                                "float8e8m0", "uint2", "int2"};
  if (t >= 0 && t < static_cast<int>(sizeof(names) / sizeof(names[0]))) return names[t];
  return "type" + std::to_string(t);
}

// mirt's dtype for an ONNX element type; UNDEFINED for types mirt_dtype does not have.
mirt_dtype to_mirt(int t) {
  switch (t) {
    case 1: return MIRT_DTYPE_FLOAT32;
    case 2: return MIRT_DTYPE_UINT8;
    case 3: return MIRT_DTYPE_INT8;
    case 6: return MIRT_DTYPE_INT32;
    case 7: return MIRT_DTYPE_INT64;
    case 9: return MIRT_DTYPE_BOOL;
    case 10: return MIRT_DTYPE_FLOAT16;
    case 11: return MIRT_DTYPE_FLOAT64;
    case 16: return MIRT_DTYPE_BFLOAT16;
    default: return MIRT_DTYPE_UNDEFINED;
  }
}

bool is_float(mirt_dtype d) {
  return d == MIRT_DTYPE_FLOAT32 || d == MIRT_DTYPE_FLOAT16 || d == MIRT_DTYPE_BFLOAT16 || d == MIRT_DTYPE_FLOAT64;
}

double half_to_double(uint16_t h) {
  int sign = h >> 15, exp = (h >> 10) & 31, mant = h & 1023;
  double v;
  if (exp == 0)
    v = std::ldexp(mant, -24);
  else if (exp == 31)
    v = mant ? std::nan("") : INFINITY;
  else
    v = std::ldexp(mant + 1024, exp - 25);
  return sign ? -v : v;
}

double bf16_to_double(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Element i of a dense buffer of a float dtype, as double.
double float_at(const uint8_t* p, mirt_dtype d, size_t i) {
  switch (d) {
    case MIRT_DTYPE_FLOAT32: {
      float f;
      std::memcpy(&f, p + 4 * i, 4);
      return f;
    }
    case MIRT_DTYPE_FLOAT64: {
      double v;
      std::memcpy(&v, p + 8 * i, 8);
      return v;
    }
    case MIRT_DTYPE_FLOAT16: {
      uint16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      return half_to_double(h);
    }
    default: {
      uint16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      return bf16_to_double(h);
    }
  }
}

// Element i of a dense buffer of an integer or bool dtype, as int64 (for messages).
int64_t int_at(const uint8_t* p, mirt_dtype d, size_t i) {
  switch (d) {
    case MIRT_DTYPE_INT8: return static_cast<int8_t>(p[i]);
    case MIRT_DTYPE_UINT8:
    case MIRT_DTYPE_BOOL: return p[i];
    case MIRT_DTYPE_INT32: {
      int32_t v;
      std::memcpy(&v, p + 4 * i, 4);
      return v;
    }
    default: {
      int64_t v;
      std::memcpy(&v, p + 8 * i, 8);
      return v;
    }
  }
}

// A tensor read from a .pb file, in mirt's dense row-major layout.
struct host_tensor {
  std::string name;
  int onnx_type = 0;
  mirt_dtype dtype = MIRT_DTYPE_UNDEFINED;
  std::vector<int64_t> dims;
  std::vector<uint8_t> bytes;
  size_t count() const {
    size_t n = 1;
    for (int64_t d : dims) n *= static_cast<size_t>(d);
    return n;
  }
};

std::string dims_text(const std::vector<int64_t>& dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); ++i) out += (i ? "x" : "") + std::to_string(dims[i]);
  return out + "]";
}

template <typename T, typename Field>
void pack(std::vector<uint8_t>& out, const Field& field) {
  out.resize(field.size() * sizeof(T));
  for (int i = 0; i < field.size(); ++i) {
    T v = static_cast<T>(field.Get(i));
    std::memcpy(out.data() + i * sizeof(T), &v, sizeof(T));
  }
}

// want_type: the element type the model declares for this value (0: unknown). ONNX 1.12's test data
// stores bfloat16 values as uint16 tensors of the same bits; those are read as bfloat16.
host_tensor read_tensor(const fs::path& path, int want_type = 0) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw failure{"data: cannot open " + path.string()};
  onnx::TensorProto t;
  if (!t.ParseFromIstream(&in)) throw failure{"data: " + path.string() + " is not a TensorProto"};
  host_tensor out;
  out.name = t.name();
  out.onnx_type = t.data_type();
  if (out.onnx_type == onnx::TensorProto::UINT16 && want_type == onnx::TensorProto::BFLOAT16) {
    out.onnx_type = want_type;
    t.set_data_type(want_type);
  }
  out.dtype = to_mirt(out.onnx_type);
  out.dims.assign(t.dims().begin(), t.dims().end());
  if (out.dtype == MIRT_DTYPE_UNDEFINED) throw failure{"data: element type " + onnx_type_name(t.data_type())};
  if (t.data_location() == onnx::TensorProto::EXTERNAL) throw failure{"data: external data in " + path.string()};
  size_t expect = out.count() * mirt_dtype_size(out.dtype);
  if (t.has_raw_data()) {
    out.bytes.assign(t.raw_data().begin(), t.raw_data().end());
  } else {
    switch (out.dtype) {
      case MIRT_DTYPE_FLOAT32: pack<float>(out.bytes, t.float_data()); break;
      case MIRT_DTYPE_FLOAT64: pack<double>(out.bytes, t.double_data()); break;
      case MIRT_DTYPE_INT64: pack<int64_t>(out.bytes, t.int64_data()); break;
      case MIRT_DTYPE_INT32: pack<int32_t>(out.bytes, t.int32_data()); break;
      case MIRT_DTYPE_FLOAT16:
      case MIRT_DTYPE_BFLOAT16: pack<uint16_t>(out.bytes, t.int32_data()); break;
      default: pack<uint8_t>(out.bytes, t.int32_data()); break;  // int8, uint8, bool
    }
  }
  if (out.bytes.size() != expect)
    throw failure{"data: " + path.filename().string() + " holds " + std::to_string(out.bytes.size()) +
                  " bytes for " + dims_text(out.dims) + " " + onnx_type_name(out.onnx_type)};
  return out;
}

// ---- classification of a model -----------------------------------------------------------------

const std::set<std::string> sequence_ops = {
    "SequenceConstruct", "SequenceEmpty",    "SequenceAt",      "SequenceInsert",    "SequenceErase",
    "SequenceLength",    "SplitToSequence",  "ConcatFromSequence", "SequenceMap",    "Optional",
    "OptionalGetElement", "OptionalHasElement"};

// Returns a skip "category: detail" when the test needs a type mirt does not claim or a
// training-only op; "" otherwise.
std::string type_skip(const onnx::TypeProto& type, const std::string& what) {
  switch (type.value_case()) {
    case onnx::TypeProto::kTensorType:
      if (type.tensor_type().elem_type() != 0 && to_mirt(type.tensor_type().elem_type()) == MIRT_DTYPE_UNDEFINED)
        return "type " + onnx_type_name(type.tensor_type().elem_type()) + ": " + what;
      return "";
    case onnx::TypeProto::kSequenceType: return "sequence/optional: " + what + " is a sequence";
    case onnx::TypeProto::kOptionalType: return "sequence/optional: " + what + " is an optional";
    case onnx::TypeProto::kMapType: return "sequence/optional: " + what + " is a map";
    case onnx::TypeProto::kSparseTensorType: return "sequence/optional: " + what + " is a sparse tensor";
    default: return "";
  }
}

std::string graph_skip(const onnx::GraphProto& g) {
  for (const auto& v : g.input())
    if (std::string r = type_skip(v.type(), "input '" + v.name() + "'"); !r.empty()) return r;
  for (const auto& v : g.output())
    if (std::string r = type_skip(v.type(), "output '" + v.name() + "'"); !r.empty()) return r;
  for (const auto& t : g.initializer())
    if (to_mirt(t.data_type()) == MIRT_DTYPE_UNDEFINED)
      return "type " + onnx_type_name(t.data_type()) + ": initializer '" + t.name() + "'";
  for (const auto& n : g.node()) {
    if (n.domain() == "ai.onnx.preview.training") return "training-only op: " + n.op_type();
    if ((n.domain().empty() || n.domain() == "ai.onnx") && sequence_ops.count(n.op_type()))
      return "sequence/optional: op " + n.op_type();
    for (const auto& a : n.attribute()) {
      if ((a.name() == "to" || a.name() == "output_datatype" || a.name() == "dtype") &&
          a.type() == onnx::AttributeProto::INT && a.i() != 0 && to_mirt(static_cast<int>(a.i())) == MIRT_DTYPE_UNDEFINED)
        return "type " + onnx_type_name(static_cast<int>(a.i())) + ": " + n.op_type() + " attribute '" + a.name() + "'";
      if (a.type() == onnx::AttributeProto::TENSOR && to_mirt(a.t().data_type()) == MIRT_DTYPE_UNDEFINED)
        return "type " + onnx_type_name(a.t().data_type()) + ": " + n.op_type() + " tensor attribute";
      if (a.has_g())
        if (std::string r = graph_skip(a.g()); !r.empty()) return r;
      for (const auto& sub : a.graphs())
        if (std::string r = graph_skip(sub); !r.empty()) return r;
    }
  }
  return "";
}

// The op a test exercises, for the failing-op table: the model's op types (Constant left out when
// other ops are present), joined with '+', with the domain for non-standard ones.
std::string tested_ops(const onnx::GraphProto& g) {
  std::vector<std::string> ops;
  for (const auto& n : g.node()) {
    std::string op = n.op_type();
    if (!n.domain().empty() && n.domain() != "ai.onnx") op = n.domain() + "." + op;
    if (std::find(ops.begin(), ops.end(), op) == ops.end()) ops.push_back(op);
  }
  if (ops.size() > 1) ops.erase(std::remove(ops.begin(), ops.end(), "Constant"), ops.end());
  std::string out;
  for (const std::string& op : ops) out += (out.empty() ? "" : "+") + op;
  return out.empty() ? "(no nodes)" : out;
}

// ---- one test ----------------------------------------------------------------------------------

enum class verdict { pass, fail, skip };

struct result {
  std::string name;
  verdict v = verdict::fail;
  std::string reason;  // FAIL: "stage: ..."; SKIP: "category: detail"
  std::string op;      // the op(s) the test exercises
};

// The op a failure message names ("unknown op 'TopK'", "(Scan, domain ...", "op 'Add' with dtype
// int8"), or "" when it names none; *dtype gets the dtype of a missing kernel.
std::string named_op(const std::string& reason, std::string* dtype) {
  std::string op;
  if (size_t p = reason.find("op '"); p != std::string::npos) {
    size_t e = reason.find('\'', p + 4);
    if (e != std::string::npos) op = reason.substr(p + 4, e - p - 4);
  } else if (size_t n = reason.find("ONNX node #"); n != std::string::npos) {
    size_t p = reason.find('(', n), e = reason.find(',', n);
    if (p != std::string::npos && e != std::string::npos && p < e) op = reason.substr(p + 1, e - p - 1);
  }
  if (size_t d = reason.find(" with dtype "); !op.empty() && d != std::string::npos) {
    size_t b = d + 12, e = reason.find(' ', b);
    *dtype = reason.substr(b, e == std::string::npos ? std::string::npos : e - b);
  }
  return op;
}

struct options {
  std::string backend = "cpu";
  double rtol = 1e-3, atol = 1e-5;
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

std::string compare(const host_tensor& want, const uint8_t* got, mirt_dtype dtype, const options& opt) {
  size_t n = want.count();
  if (is_float(dtype)) {
    size_t bad = 0, worst_i = 0;
    double worst = -1;
    for (size_t i = 0; i < n; ++i) {
      double a = float_at(got, dtype, i), b = float_at(want.bytes.data(), dtype, i);
      if (std::isnan(a) && std::isnan(b)) continue;
      if (a == b) continue;
      double err = std::abs(a - b), tol = opt.atol + opt.rtol * std::abs(b);
      if (std::isnan(err) || err > tol) {
        ++bad;
        double excess = std::isnan(err) ? INFINITY : err - tol;
        if (excess > worst) worst = excess, worst_i = i;
      }
    }
    if (!bad) return "";
    std::ostringstream m;
    m.precision(7);
    m << bad << " of " << n << " values differ; worst at " << worst_i << ": got " << float_at(got, dtype, worst_i)
      << ", expected " << float_at(want.bytes.data(), dtype, worst_i);
    return m.str();
  }
  size_t esize = mirt_dtype_size(dtype);
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < n; ++i) {
    bool same = dtype == MIRT_DTYPE_BOOL ? (got[i] != 0) == (want.bytes[i] != 0)
                                         : std::memcmp(got + i * esize, want.bytes.data() + i * esize, esize) == 0;
    if (!same && bad++ == 0) first = i;
  }
  if (!bad) return "";
  return std::to_string(bad) + " of " + std::to_string(n) + " values differ; first at " + std::to_string(first) +
         ": got " + std::to_string(int_at(got, dtype, first)) + ", expected " +
         std::to_string(int_at(want.bytes.data(), dtype, first));
}

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
      if (std::any_of(got.begin(), got.end(), [](int64_t d) { return d < 0; }))
        throw failure{where + "data-dependent shape: " + label + " is " + dims_text(got) +
                      " after the input shapes are set (it depends on input values), expected " +
                      dims_text(want.dims)};
      if (got != want.dims)
        throw failure{where + "shape: " + label + " is " + dims_text(got) + ", expected " + dims_text(want.dims)};
      out_buffers.push_back(&bind(info, want.bytes.size(), nullptr));
    }
    CHECK_MIRT(where + "run", mirt_context_enqueue(context.p, nullptr));
    for (size_t k = 0; k < outs.size(); ++k)
      if (out_buffers[k]->device && !s.outputs[k].bytes.empty())
        CHECK_MIRT("memory", mirt_engine_copy_memory(engine.p, out_buffers[k]->host.data(), out_buffers[k]->p,
                                                     s.outputs[k].bytes.size(), MIRT_COPY_KIND_DEVICE_TO_HOST, nullptr));
    CHECK_MIRT(where + "run", mirt_engine_synchronize(engine.p, nullptr));
    for (size_t k = 0; k < outs.size(); ++k) {
      engine_buffer& b = *out_buffers[k];
      const host_tensor& want = s.outputs[k];
      if (std::string diff = compare(want, b.host.data(), outs[k].dtype, opt); !diff.empty())
        throw failure{where + "values: output " + std::to_string(k) + " '" + str(outs[k].name) + "': " + diff};
    }
  }
  r.v = verdict::pass;
}

}  // namespace

// ---- the run -------------------------------------------------------------------------------------

namespace {

// Names of the tests in flight, for the crash handler (which may only write(2) fixed buffers).
constexpr int max_slots = 256;
char in_flight[max_slots][160];
std::atomic<bool> slot_used[max_slots];

int take_slot(const std::string& label) {
  for (int i = 0; i < max_slots; ++i) {
    bool expected = false;
    if (slot_used[i].compare_exchange_strong(expected, true)) {
      std::snprintf(in_flight[i], sizeof in_flight[i], "%s\n", label.c_str());
      return i;
    }
  }
  return -1;
}
void free_slot(int i) {
  if (i >= 0) slot_used[i] = false;
}

void on_crash(int sig) {
  const char head[] = "\nnode_test_runner: crashed; tests in flight:\n";
  [[maybe_unused]] ssize_t w = write(2, head, sizeof head - 1);
  for (int i = 0; i < max_slots; ++i)
    if (slot_used[i]) w = write(2, in_flight[i], strnlen(in_flight[i], sizeof in_flight[i]));
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

struct set_spec {
  std::string name;
  fs::path dir;
  fs::path pass_list;
};

struct config {
  options opt;
  std::vector<set_spec> sets;
  unsigned threads = 0;
  std::string filter;
  bool update = false, allow_missing = false, quiet = false, verbose = false;
  double test_timeout_s = 120;
  std::string summary_md;
};

// State shared by the workers of one data set. Held by shared_ptr so a worker that the watchdog
// gave up on can still finish (or hang) without touching freed memory.
struct pool_state {
  std::vector<fs::path> dirs;
  std::string set_name;
  options opt;
  std::vector<result> results;
  std::vector<int> state;  // 0 waiting, 1 running, 2 done, 3 timed out
  std::vector<std::chrono::steady_clock::time_point> started;
  size_t next = 0, finished = 0;
  unsigned alive = 0, hung = 0;  // worker threads still in worker(); those left hanging
  std::mutex m;
  std::condition_variable cv;
};

void worker(std::shared_ptr<pool_state> ps) {
  for (;;) {
    size_t i;
    {
      std::lock_guard<std::mutex> lock(ps->m);
      if (ps->next >= ps->dirs.size()) {
        --ps->alive;
        ps->cv.notify_all();
        return;
      }
      i = ps->next++;
      ps->state[i] = 1;
      ps->started[i] = std::chrono::steady_clock::now();
    }
    int slot = take_slot(ps->set_name + "/" + ps->dirs[i].filename().string());
    result r;
    r.name = ps->dirs[i].filename().string();
    try {
      run_test(ps->dirs[i], ps->opt, r);
    } catch (const failure& f) {
      r.v = verdict::fail;
      r.reason = f.text;
    } catch (const std::exception& e) {
      r.v = verdict::fail;
      r.reason = std::string("runner: exception: ") + e.what();
    }
    free_slot(slot);
    std::lock_guard<std::mutex> lock(ps->m);
    if (ps->state[i] == 3) return;  // the watchdog gave up on this one and started another worker
    ps->results[i] = std::move(r);
    ps->state[i] = 2;
    ++ps->finished;
    ps->cv.notify_all();
  }
}

// Runs every test folder of dirs; returns results in the order of dirs. Sets *abandoned when a
// worker had to be left hanging.
std::vector<result> run_all(const std::string& set_name, std::vector<fs::path> dirs, const config& cfg, bool* abandoned) {
  auto ps = std::make_shared<pool_state>();
  ps->dirs = std::move(dirs);
  ps->set_name = set_name;
  ps->opt = cfg.opt;
  ps->results.resize(ps->dirs.size());
  ps->state.assign(ps->dirs.size(), 0);
  ps->started.resize(ps->dirs.size());
  unsigned n = cfg.threads ? cfg.threads : std::max(1u, std::thread::hardware_concurrency());
  n = std::min<unsigned>(n, static_cast<unsigned>(std::max<size_t>(ps->dirs.size(), 1)));
  std::unique_lock<std::mutex> lock(ps->m);
  ps->alive = n;
  for (unsigned t = 0; t < n; ++t) std::thread(worker, ps).detach();
  while (ps->finished < ps->dirs.size()) {
    ps->cv.wait_for(lock, std::chrono::milliseconds(500));
    auto now = std::chrono::steady_clock::now();
    for (size_t i = 0; i < ps->dirs.size(); ++i) {
      if (ps->state[i] != 1) continue;
      double s = std::chrono::duration<double>(now - ps->started[i]).count();
      if (s < cfg.test_timeout_s) continue;
      ps->state[i] = 3;
      ps->results[i].name = ps->dirs[i].filename().string();
      ps->results[i].v = verdict::fail;
      ps->results[i].reason = "timeout: still running after " + std::to_string(static_cast<int>(s)) + " s";
      ++ps->finished;
      *abandoned = true;
      ++ps->hung;
      ++ps->alive;
      std::thread(worker, ps).detach();
    }
  }
  // The workers return once the queue is empty; wait until every one not left hanging has.
  ps->cv.wait(lock, [&] { return ps->alive <= ps->hung; });
  return ps->results;
}

std::set<std::string> read_list(const fs::path& p) {
  std::set<std::string> out;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    line.erase(0, line.find_first_not_of(" \t\r"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (!line.empty() && line[0] != '#') out.insert(line);
  }
  return out;
}

bool write_list(const fs::path& p, const std::string& set_name, const std::string& backend,
                const std::vector<std::string>& names) {
  std::ofstream out(p, std::ios::trunc);
  out << "# ONNX backend node tests (" << set_name << ") that pass on the " << backend
      << " backend. Sorted; the list may only grow.\n"
         "# A test on it that stops passing fails the onnx_conformance test. Regenerate with\n"
         "# node_test_runner --update-pass-lists (see docs/conformance.md).\n";
  for (const std::string& n : names) out << n << "\n";
  return static_cast<bool>(out);
}

// "type string: input 'x'" -> "type string"; "build: UNSUPPORTED: ..." -> "build".
std::string category(const std::string& reason) {
  std::string r = reason;
  if (r.rfind("set ", 0) == 0) r = r.substr(r.find(' ', 4) + 1);
  return r.substr(0, r.find(':'));
}

std::string pct(size_t a, size_t b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0.0);
  return buf;
}

template <typename Map>
std::vector<std::pair<std::string, size_t>> by_count(const Map& m) {
  std::vector<std::pair<std::string, size_t>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return v;
}

void usage() {
  std::fprintf(stderr,
               "usage: node_test_runner [--set NAME DIR PASS_LIST]... [--backend NAME] [--threads N]\n"
               "         [--filter SUBSTRING] [--update-pass-lists] [--allow-missing] [--quiet] [--verbose]\n"
               "         [--test-timeout SECONDS] [--rtol X] [--atol X] [--summary-md FILE]\n"
               "Without --set, runs the ONNX 1.22 set in the source tree and Debian's ONNX 1.12 set.\n");
}

void log_quiet(void*, mirt_log_level, const char*, const char*) {}

}  // namespace

int main(int argc, char** argv) {
  config cfg;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto need = [&](int n) {
      if (i + n >= argc) {
        usage();
        std::exit(2);
      }
    };
    if (a == "--set") {
      need(3);
      cfg.sets.push_back({argv[i + 1], argv[i + 2], argv[i + 3]});
      i += 3;
    } else if (a == "--backend") {
      need(1);
      cfg.opt.backend = argv[++i];
    } else if (a == "--threads") {
      need(1);
      cfg.threads = static_cast<unsigned>(std::atoi(argv[++i]));
    } else if (a == "--filter") {
      need(1);
      cfg.filter = argv[++i];
    } else if (a == "--test-timeout") {
      need(1);
      cfg.test_timeout_s = std::atof(argv[++i]);
    } else if (a == "--rtol") {
      need(1);
      cfg.opt.rtol = std::atof(argv[++i]);
    } else if (a == "--atol") {
      need(1);
      cfg.opt.atol = std::atof(argv[++i]);
    } else if (a == "--summary-md") {
      need(1);
      cfg.summary_md = argv[++i];
    } else if (a == "--update-pass-lists") {
      cfg.update = true;
    } else if (a == "--allow-missing") {
      cfg.allow_missing = true;
    } else if (a == "--quiet") {
      cfg.quiet = true;
    } else if (a == "--verbose") {
      cfg.verbose = true;
    } else {
      usage();
      return 2;
    }
  }
  if (cfg.sets.empty()) {
    cfg.sets.push_back({"onnx_1_22", MIRT_CONFORMANCE_DATA_1_22, MIRT_CONFORMANCE_DIR "/passing_onnx_1_22.txt"});
    cfg.sets.push_back({"onnx_1_12", MIRT_CONFORMANCE_DATA_1_12, MIRT_CONFORMANCE_DIR "/passing_onnx_1_12.txt"});
  }
  if (cfg.update && !cfg.filter.empty()) {
    std::fprintf(stderr, "node_test_runner: --update-pass-lists needs the whole set; drop --filter\n");
    return 2;
  }
  if (cfg.opt.backend != "cpu" && cfg.update)
    std::fprintf(stderr, "note: the pass lists are for the cpu backend; writing them from '%s'\n", cfg.opt.backend.c_str());
  GOOGLE_PROTOBUF_VERIFY_VERSION;
  for (int sig : {SIGSEGV, SIGABRT, SIGFPE, SIGBUS, SIGILL}) std::signal(sig, on_crash);
  if (!cfg.verbose) mirt_set_log_callback(log_quiet, nullptr, MIRT_LOG_LEVEL_ERROR);

  bool failed = false, abandoned = false;
  std::ostringstream md;
  auto t_all = std::chrono::steady_clock::now();
  for (const set_spec& set : cfg.sets) {
    std::printf("== %s: %s\n", set.name.c_str(), set.dir.string().c_str());
    std::error_code ec;
    if (!fs::is_directory(set.dir, ec)) {
      std::printf("== %s: MISSING — no folder %s%s\n", set.name.c_str(), set.dir.string().c_str(),
                  set.name == "onnx_1_12" ? " (Debian's libonnx-testdata; tools/setup.sh installs it)" : "");
      if (!cfg.allow_missing) {
        std::printf("   the set's pass list cannot be checked; this fails the run (--allow-missing to accept)\n");
        failed = true;
      }
      md << "### " << set.name << "\n\nMISSING: " << set.dir.string() << "\n\n";
      continue;
    }
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(set.dir, ec))
      if (e.is_directory() && fs::exists(e.path() / "model.onnx") &&
          (cfg.filter.empty() || e.path().filename().string().find(cfg.filter) != std::string::npos))
        dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    auto t0 = std::chrono::steady_clock::now();
    std::vector<result> results = run_all(set.name, dirs, cfg, &abandoned);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    std::set<std::string> pass_list = read_list(set.pass_list);
    bool have_list = fs::exists(set.pass_list, ec);
    std::map<std::string, size_t> skips, stages, ops, kernels;
    std::map<std::string, std::map<std::string, size_t>> op_causes;
    std::vector<std::string> passing, regressions, newly;
    std::set<std::string> seen;
    for (const result& r : results) {
      seen.insert(r.name);
      const char* tag = r.v == verdict::pass ? "PASS" : r.v == verdict::skip ? "SKIP" : "FAIL";
      if (r.v != verdict::pass || !cfg.quiet)
        std::printf("%s %s%s%s\n", tag, r.name.c_str(), r.reason.empty() ? "" : ": ", r.reason.c_str());
      if (r.v == verdict::pass) {
        passing.push_back(r.name);
        if (!pass_list.count(r.name)) newly.push_back(r.name);
        continue;
      }
      if (pass_list.count(r.name)) regressions.push_back(r.name + " (" + tag + ": " + r.reason + ")");
      if (r.v == verdict::skip) {
        ++skips[category(r.reason)];
      } else {
        ++stages[category(r.reason)];
        std::string dtype;
        std::string op = named_op(r.reason, &dtype);
        ++ops[op.empty() ? r.op : op];
        ++op_causes[op.empty() ? r.op : op][category(r.reason)];
        if (!dtype.empty()) ++kernels[op + " " + dtype];
      }
    }
    if (cfg.filter.empty())
      for (const std::string& name : pass_list)
        if (!seen.count(name)) regressions.push_back(name + " (not found in the data set)");

    size_t total = results.size(), npass = passing.size(), nskip = 0;
    for (const auto& [k, v] : skips) nskip += v;
    size_t nfail = total - npass - nskip;
    std::printf("== %s summary: %zu tests: %zu PASS, %zu FAIL, %zu SKIP (%.1f s, %u threads, backend %s)\n",
                set.name.c_str(), total, npass, nfail, nskip, secs,
                cfg.threads ? cfg.threads : std::max(1u, std::thread::hardware_concurrency()), cfg.opt.backend.c_str());
    std::printf("   pass rate: %zu / %zu = %s of all tests; %zu / %zu = %s without the justified skips\n", npass,
                total, pct(npass, total).c_str(), npass, total - nskip, pct(npass, total - nskip).c_str());
    std::printf("   skipped:");
    for (const auto& [k, v] : by_count(skips)) std::printf(" %s %zu;", k.c_str(), v);
    std::printf("\n   failed at:");
    for (const auto& [k, v] : by_count(stages)) std::printf(" %s %zu;", k.c_str(), v);
    std::printf("\n   top failing ops (tests):");
    auto top = by_count(ops);
    for (size_t i = 0; i < top.size() && i < 30; ++i) std::printf(" %s %zu;", top[i].first.c_str(), top[i].second);
    std::printf("\n   missing kernels (op dtype: tests):");
    auto gaps = by_count(kernels);
    for (size_t i = 0; i < gaps.size() && i < 30; ++i) std::printf(" %s %zu;", gaps[i].first.c_str(), gaps[i].second);
    std::printf("\n");

    md << "### " << set.name << " (" << total << " tests, backend " << cfg.opt.backend << ")\n\n"
       << "| | tests |\n|---|---|\n| passed | " << npass << " |\n| failed | " << nfail << " |\n"
       << "| skipped (justified) | " << nskip << " |\n| passed / total | " << npass << " / " << total << " = "
       << pct(npass, total) << " |\n| passed / (total - justified skips) | " << npass << " / " << total - nskip
       << " = " << pct(npass, total - nskip) << " |\n\nSkips:";
    for (const auto& [k, v] : by_count(skips)) md << " " << k << " " << v << ";";
    md << "\n\nFailures by stage:";
    for (const auto& [k, v] : by_count(stages)) md << " " << k << " " << v << ";";
    md << "\n\nFailing tests by op (the op a failure message names, else the op the test exercises):\n\n"
          "| op | failing tests | failed at |\n|---|---|---|\n";
    for (size_t i = 0; i < top.size() && i < 40; ++i) {
      md << "| " << top[i].first << " | " << top[i].second << " |";
      for (const auto& [k, v] : by_count(op_causes[top[i].first])) md << " " << k << " " << v << ";";
      md << " |\n";
    }
    md << "\nMissing CPU kernels (op dtype: failing tests):";
    for (const auto& [k, v] : gaps) md << " " << k << " " << v << ";";
    md << "\n\n";

    if (!regressions.empty()) {
      if (!cfg.update) failed = true;
      std::printf("== %s: %zu REGRESSIONS (on %s, no longer passing):\n", set.name.c_str(), regressions.size(),
                  set.pass_list.string().c_str());
      for (const std::string& r : regressions) std::printf("   REGRESSION %s\n", r.c_str());
    } else {
      std::printf("   no regressions against %s (%zu tests listed)\n", set.pass_list.string().c_str(), pass_list.size());
    }
    if (!newly.empty() && !cfg.update) {
      std::printf("   %zu newly passing (not on the pass list yet; add them with --update-pass-lists):\n", newly.size());
      for (const std::string& n : newly) std::printf("   NEW %s\n", n.c_str());
    }
    if (!have_list && !cfg.update) {
      std::printf("   no pass list at %s (create it with --update-pass-lists)\n", set.pass_list.string().c_str());
      failed = true;
    }
    if (cfg.update) {
      std::sort(passing.begin(), passing.end());
      if (!write_list(set.pass_list, set.name, cfg.opt.backend, passing)) {
        std::printf("   cannot write %s\n", set.pass_list.string().c_str());
        failed = true;
      } else {
        std::printf("   wrote %zu names to %s\n", passing.size(), set.pass_list.string().c_str());
        if (!regressions.empty()) std::printf("   (the regressions above are now off the list)\n");
      }
    }
  }
  double all = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_all).count();
  std::printf("== all sets: %.1f s; %s\n", all, failed ? "FAILED" : "OK");
  if (!cfg.summary_md.empty()) std::ofstream(cfg.summary_md) << md.str();
  std::fflush(stdout);
  int code = failed ? 1 : 0;
  if (abandoned) std::_Exit(code);  // a hung worker still runs; do not wait for it
  return code;
}
