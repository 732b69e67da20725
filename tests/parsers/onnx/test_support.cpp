// tests/parsers/onnx/test_support.cpp — the recording host over libmirt and the model helpers.
#include "test_support.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace onnx_test {

namespace {

// What the current parse asked of the host (the host api carries no user pointer).
parse_result* g_current = nullptr;

std::string str(mirt_string_view v) { return v.data ? std::string(v.data, v.length) : std::string(); }

void record_log(mirt_log_level, const char*, const char* message) {
  if (g_current) g_current->log_lines.emplace_back(message ? message : "");
}

mirt_status record_constant(mirt_network* network, mirt_string_view name, mirt_dtype dtype, size_t rank,
                            const int64_t* dims, const void* data, size_t data_size, mirt_tensor** out_tensor) {
  mirt_status s = mirt_network_add_constant(network, name, dtype, rank, dims, data, data_size, out_tensor);
  if (!s && g_current) {
    recorded_constant& c = g_current->constants[str(name)];
    c.dtype = dtype;
    c.dims.assign(dims, dims + rank);
    const auto* p = static_cast<const uint8_t*>(data);
    c.bytes.assign(p, p + data_size);
  }
  return s;
}

// Forwards to mirt_network_add_layer. While the core's op table is still being filled, an op of the
// standard domain that it does not know yet is added again under a test domain (which the core
// accepts without a schema) and marked, so these tests check the parser and not the op table.
mirt_status record_layer(mirt_network* network, const mirt_layer_desc* desc, mirt_tensor** out_outputs) {
  recorded_layer r;
  r.op_type = str(desc->op_type);
  r.domain = str(desc->domain);
  r.name = str(desc->name);
  for (size_t i = 0; i < desc->num_inputs; ++i)
    r.inputs.push_back(desc->inputs[i] ? str(mirt_tensor_get_name(desc->inputs[i])) : std::string());
  for (size_t i = 0; i < desc->num_attributes; ++i) {
    const mirt_attribute& a = desc->attributes[i];
    recorded_attribute ra;
    ra.type = a.type;
    if (a.type == MIRT_ATTRIBUTE_TYPE_INT || a.type == MIRT_ATTRIBUTE_TYPE_INTS) ra.ints.assign(a.ints, a.ints + a.count);
    if (a.type == MIRT_ATTRIBUTE_TYPE_FLOAT || a.type == MIRT_ATTRIBUTE_TYPE_FLOATS)
      ra.floats.assign(a.floats, a.floats + a.count);
    if (a.type == MIRT_ATTRIBUTE_TYPE_STRING || a.type == MIRT_ATTRIBUTE_TYPE_STRINGS)
      for (size_t k = 0; k < a.count; ++k) ra.strings.push_back(str(a.strings[k]));
    r.attributes[str(a.name)] = ra;
  }
  for (size_t i = 0; i < desc->num_outputs; ++i) r.outputs.push_back(str(desc->output_names[i]));

  mirt_status s = mirt_network_add_layer(network, desc, out_outputs);
  bool standard = r.domain.empty() || r.domain == "ai.onnx";
  if (s && standard && mirt_status_get_code(s) == MIRT_STATUS_INVALID_GRAPH &&
      std::strstr(mirt_status_get_message(s), "unknown op")) {
    mirt_status_destroy(s);
    mirt_layer_desc retry = *desc;
    retry.domain = mirt_string_view_of("mirt.test.no_schema_yet");
    s = mirt_network_add_layer(network, &retry, out_outputs);
    r.without_schema = true;
  }
  if (!s && g_current) g_current->layers.push_back(std::move(r));
  return s;
}

const mirt_host_api recording_host = {
    sizeof(mirt_host_api),
    MIRT_ABI_VERSION,
    mirt_status_create,
    record_log,
    mirt_network_add_input,
    record_constant,
    record_layer,
    mirt_network_mark_output,
    mirt_network_find_tensor,
    mirt_status_get_code,
    mirt_status_get_message,
    mirt_status_destroy,
    mirt_network_create_body,
    mirt_network_add_body_input,
    mirt_network_destroy,
    mirt_network_infer_types,
    mirt_tensor_get_dtype,
    mirt_tensor_get_dims,
};

}  // namespace

parse_result::parse_result(parse_result&& other) noexcept
    : network(other.network),
      status(other.status),
      layers(std::move(other.layers)),
      constants(std::move(other.constants)),
      log_lines(std::move(other.log_lines)) {
  other.network = nullptr;
  other.status = nullptr;
}

parse_result::~parse_result() {
  mirt_status_destroy(status);
  mirt_network_destroy(network);
}

const recorded_layer* parse_result::layer(const std::string& op_type) const {
  for (const recorded_layer& l : layers)
    if (l.op_type == op_type) return &l;
  return nullptr;
}

std::vector<int64_t> parse_result::dims_of(const std::string& tensor) const {
  mirt_tensor* t = nullptr;
  mirt_status s = mirt_network_find_tensor(network, mirt_string_view_of(tensor.c_str()), &t);
  if (s) {
    mirt_status_destroy(s);
    return {};
  }
  int64_t dims[MIRT_MAX_RANK];
  size_t rank = mirt_tensor_get_dims(t, dims);
  return std::vector<int64_t>(dims, dims + rank);
}

const mirt_parser_vtable* parser_vtable() {
  const mirt_module_desc* desc = mirt_module_entry(MIRT_ABI_VERSION, &recording_host);
  if (!desc) throw std::runtime_error("mirt_module_entry refused the test host");
  return static_cast<const mirt_parser_vtable*>(desc->vtable);
}

parse_result parse_bytes(const std::string& bytes, const std::string& base_dir) {
  parse_result r;
  mirt_status s = mirt_network_create(nullptr, &r.network);
  if (s) throw std::runtime_error(mirt_status_get_message(s));
  const mirt_parser_vtable* vt = parser_vtable();
  g_current = &r;
  r.status = vt->parse(r.network, bytes.data(), bytes.size(), {base_dir.data(), base_dir.size()});
  g_current = nullptr;
  return r;
}

parse_result parse_file(const std::filesystem::path& path) {
  return parse_bytes(read_file(path), path.parent_path().string());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

temp_dir::temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "mirt_onnx_test_XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path = pattern;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

::onnx::ModelProto make_model(int64_t opset) {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("mirt tests");
  auto* o = m.add_opset_import();
  o->set_domain("");
  o->set_version(opset);
  m.mutable_graph()->set_name("test");
  return m;
}

namespace {
void fill_value_info(::onnx::ValueInfoProto* v, const std::string& name, int32_t elem_type,
                     const std::vector<int64_t>& dims) {
  v->set_name(name);
  auto* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(elem_type);
  auto* shape = t->mutable_shape();
  for (int64_t d : dims) {
    auto* dim = shape->add_dim();
    if (d < 0)
      dim->set_dim_param("batch");
    else
      dim->set_dim_value(d);
  }
}
}  // namespace

void add_input(::onnx::ModelProto& m, const std::string& name, int32_t elem_type, std::vector<int64_t> dims) {
  fill_value_info(m.mutable_graph()->add_input(), name, elem_type, dims);
}

void add_output(::onnx::ModelProto& m, const std::string& name, int32_t elem_type, std::vector<int64_t> dims) {
  fill_value_info(m.mutable_graph()->add_output(), name, elem_type, dims);
}

::onnx::NodeProto* add_node(::onnx::ModelProto& m, const std::string& op_type, std::vector<std::string> inputs,
                            std::vector<std::string> outputs, const std::string& name) {
  auto* n = m.mutable_graph()->add_node();
  n->set_op_type(op_type);
  n->set_name(name);
  for (auto& i : inputs) n->add_input(i);
  for (auto& o : outputs) n->add_output(o);
  return n;
}

void set_ints(::onnx::NodeProto* n, const std::string& name, std::vector<int64_t> values) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

void set_int(::onnx::NodeProto* n, const std::string& name, int64_t value) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::INT);
  a->set_i(value);
}

void set_float(::onnx::NodeProto* n, const std::string& name, float value) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::FLOAT);
  a->set_f(value);
}

::onnx::TensorProto* add_float_initializer(::onnx::ModelProto& m, const std::string& name, std::vector<int64_t> dims,
                                           std::vector<float> values) {
  auto* t = m.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  for (float v : values) t->add_float_data(v);
  return t;
}

std::string serialize(const ::onnx::ModelProto& m) {
  std::string out;
  if (!m.SerializeToString(&out)) throw std::runtime_error("SerializeToString failed");
  return out;
}

}  // namespace onnx_test
