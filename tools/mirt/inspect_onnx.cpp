// tools/mirt/inspect_onnx.cpp — `mirt inspect model.onnx`: the model's I/O, opsets and ops, and which
// ops mirt cannot run. Support is asked of mirt itself (C ABI), never read from a list: each op type
// is cut out as a one-node model (onnx_model_info) and put through mirt's ONNX parser and builder
// for the backend, and then the whole model is built.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.hpp"
#include "mirt/mirt.hpp"
#include "onnx_model_info.hpp"

namespace mirt::cli {

namespace {

using json = nlohmann::json;

// What mirt says about one op type, from a one-node model of its first node(s).
struct op_support {
  // "supported"; "unsupported (parser)": mirt's ONNX import refused it (no schema, opset, attribute);
  // "unsupported (builder)": no schema or no kernel on the backend; "not checked": see message
  std::string verdict;
  std::string message;  // mirt's status message, or why the op could not be checked alone
};

mirt_status build_plan(const network& net, const std::string& backend, mirt_plan** out) {
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = to_c(backend);
  options.optimization_level = 0;  // the first kernel that fits: enough to know one exists
  mirt_builder_config* config = nullptr;
  check(mirt_builder_config_create(&options, &config));
  const mirt_status status = mirt_builder_build(net.get(), config, out);
  mirt_builder_config_destroy(config);
  return status;
}

// Takes status apart into (code, message); NULL gives MIRT_STATUS_OK.
std::pair<mirt_status_code, std::string> take(mirt_status status) {
  if (status == nullptr) return {MIRT_STATUS_OK, ""};
  std::pair<mirt_status_code, std::string> out{mirt_status_get_code(status), mirt_status_get_message(status)};
  mirt_status_destroy(status);
  return out;
}

op_support probe_node(const onnx_model_info& info, int node, const std::string& base_dir, const std::string& backend) {
  std::string why_not;
  const std::string bytes = info.single_node_model(node, &why_not);
  if (bytes.empty()) return {"not checked", why_not};
  network net;
  auto [code, message] = take(mirt_parser_parse_bytes(net.get(), to_c("onnx"), bytes.data(), bytes.size(), to_c(base_dir)));
  if (code != MIRT_STATUS_OK) return {"unsupported (parser)", message + " [" + mirt_status_code_name(code) + "]"};
  mirt_plan* plan = nullptr;
  std::tie(code, message) = take(build_plan(net, backend, &plan));
  mirt_plan_destroy(plan);
  if (code == MIRT_STATUS_OK) return {"supported", ""};
  if (code == MIRT_STATUS_UNSUPPORTED) return {"unsupported (builder)", message};
  return {"not checked", "alone, with its inputs' inferred shapes, the build failed: " + message + " [" +
                             mirt_status_code_name(code) + "]"};
}

// Up to 3 nodes of the type: a node that cannot be checked alone (shapes) lets the next one try.
op_support probe_op(const onnx_model_info& info, const onnx_op_count& op, const std::string& base_dir, const std::string& backend) {
  op_support result;
  for (size_t i = 0; i < op.nodes.size() && i < 3; ++i) {
    result = probe_node(info, op.nodes[i], base_dir, backend);
    if (result.verdict != "not checked") break;
  }
  return result;
}

bool is_unsupported(const op_support& s) { return s.verdict.rfind("unsupported", 0) == 0; }

std::string dims_text(const onnx_value_info& v) {
  if (!v.has_shape) return "(shape not given)";
  std::string text = "[";
  for (size_t i = 0; i < v.dims.size(); ++i) text += (i != 0 ? ", " : "") + v.dims[i];
  return text + "]";
}

json dims_json(const onnx_value_info& v) {
  if (!v.has_shape) return nullptr;
  json a = json::array();
  for (const std::string& d : v.dims) {
    if (d == "?") a.push_back(nullptr);
    else if (d.find_first_not_of("0123456789") == std::string::npos) a.push_back(std::stoll(d));
    else a.push_back(d);
  }
  return a;
}

std::string op_label(const onnx_op_count& op) { return op.domain.empty() ? op.op_type : op.domain + "::" + op.op_type; }

// The probes need mirt's ONNX parser and the backend: a missing module is an error of the
// installation, not a verdict on the ops.
void require_modules(const std::string& backend) {
  bool parser = false, backends = false, named = backend.empty();
  for (size_t i = 0; i < mirt_registry_num_modules(); ++i) {
    mirt_module_info m = MIRT_MODULE_INFO_INIT;
    if (mirt_status s = mirt_registry_get_module(i, &m)) {
      mirt_status_destroy(s);
      continue;
    }
    const std::string_view name = to_cpp(m.name);
    parser = parser || (m.kind == MIRT_MODULE_KIND_PARSER && name == "onnx");
    backends = backends || m.kind == MIRT_MODULE_KIND_BACKEND;
    named = named || (m.kind == MIRT_MODULE_KIND_BACKEND && name == backend);
  }
  std::string where = mirt::detail::take_string([] {
    char* paths = nullptr;
    if (mirt_status s = mirt_registry_search_paths(&paths)) mirt_status_destroy(s);
    return paths;
  }());
  for (char& c : where) c = c == '\n' ? ' ' : c;
  const std::string hint = " (searched: " + where + "; set MIRT_MODULE_PATH to add folders)";
  if (!parser) throw std::runtime_error("mirt's ONNX parser module is not installed" + hint);
  if (!backends) throw std::runtime_error("no backend module is installed" + hint);
  if (!named) throw std::runtime_error("backend '" + backend + "' is not installed (see `mirt modules`)" + hint);
}

}  // namespace

int inspect_onnx_model(const inspect_options& o) {
  const onnx_model_info info(o.file);
  require_modules(o.backend);
  const std::string base_dir = std::filesystem::absolute(o.file).parent_path().string();

  std::vector<op_support> support;
  for (const onnx_op_count& op : info.ops) support.push_back(probe_op(info, op, base_dir, o.backend));
  // The whole model, as `mirt exec` would build it (dynamic dims at 1): the final word, since some
  // ops can only be checked in place (shape inputs computed upstream).
  network net;
  auto [parse_code, parse_message] = take(mirt_onnx_parse_file(net.get(), to_c(o.file)));
  std::pair<mirt_status_code, std::string> build_result = {parse_code, parse_message};
  std::string backend_used = o.backend;
  if (parse_code == MIRT_STATUS_OK) {
    mirt_builder_config* config = nullptr;
    mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
    options.backend = to_c(o.backend);
    options.optimization_level = 0;
    check(mirt_builder_config_create(&options, &config));
    size_t profile = 0;
    bool dynamic_inputs = false;
    for (size_t i = 0; i < net.num_inputs(); ++i) {
      dims d = net.input(i).dims();
      bool dynamic = false;
      for (int64_t& x : d) dynamic = dynamic || x < 0, x = x < 0 ? 1 : x;
      if (!dynamic) continue;
      if (!dynamic_inputs) check(mirt_builder_config_add_profile(config, &profile));
      dynamic_inputs = true;
      const std::string name = net.input(i).name();
      check(mirt_builder_config_set_profile_shape(config, profile, to_c(name), d.size(), d.data(), d.data(), d.data()));
    }
    mirt_plan* plan = nullptr;
    build_result = take(mirt_builder_build(net.get(), config, &plan));
    mirt_builder_config_destroy(config);
    if (plan != nullptr) {
      engine eng(mirt::plan{plan});
      backend_used = eng.backend_name();
    }
  }
  const bool builds = build_result.first == MIRT_STATUS_OK;
  const std::string backend_label = backend_used.empty() ? "the default backend" : "backend '" + backend_used + "'";

  if (o.json) {
    json j;
    j["file"] = o.file;
    j["ir_version"] = info.ir_version;
    j["producer"] = info.producer;
    j["graph"] = info.graph_name;
    j["opsets"] = info.opsets;
    auto io = [&](const std::vector<onnx_value_info>& list) {
      json a = json::array();
      for (const onnx_value_info& v : list) a.push_back({{"name", v.name}, {"dtype", v.dtype}, {"dims", dims_json(v)}});
      return a;
    };
    j["inputs"] = io(info.inputs);
    j["outputs"] = io(info.outputs);
    j["initializers"] = {{"count", info.num_initializers}, {"parameters", info.num_parameters}, {"bytes", info.initializer_bytes}};
    j["nodes"] = info.num_nodes;
    j["backend"] = backend_used.empty() ? json(nullptr) : json(backend_used);
    json ops = json::array();
    for (size_t i = 0; i < info.ops.size(); ++i) {
      json e = {{"domain", info.ops[i].domain.empty() ? "ai.onnx" : info.ops[i].domain},
                {"op_type", info.ops[i].op_type},
                {"count", info.ops[i].count},
                {"support", support[i].verdict}};
      if (!support[i].message.empty()) e["message"] = support[i].message;
      ops.push_back(e);
    }
    j["ops"] = ops;
    j["whole_model"] = {{"builds", builds}};
    if (!builds) j["whole_model"]["error"] = build_result.second + " [" + mirt_status_code_name(build_result.first) + "]";
    std::cout << j.dump(1) << "\n";
    return 0;
  }

  std::cout << "ONNX model " << o.file << "\n";
  std::cout << "  IR version " << info.ir_version << ", producer '" << info.producer << "', graph '" << info.graph_name << "'\n";
  std::cout << "Opsets:\n";
  for (const auto& [domain, version] : info.opsets) std::cout << "  " << domain << ": " << version << "\n";
  auto print_io = [](const char* title, const std::vector<onnx_value_info>& list) {
    std::cout << title << " (" << list.size() << "):\n";
    for (const onnx_value_info& v : list) std::cout << "  " << v.name << ": " << v.dtype << " " << dims_text(v) << "\n";
  };
  print_io("Inputs", info.inputs);
  print_io("Outputs", info.outputs);
  std::printf("Initializers: %lld (%.2f M parameters, %.1f MB)\n", static_cast<long long>(info.num_initializers),
              static_cast<double>(info.num_parameters) / 1e6, static_cast<double>(info.initializer_bytes) / 1e6);
  std::cout << "Ops (" << info.ops.size() << " types, " << info.num_nodes << " nodes), checked one by one with mirt's parser and "
            << backend_label << ":\n";
  size_t width = 0, count_width = 1;
  for (const onnx_op_count& op : info.ops) {
    width = std::max(width, op_label(op).size());
    count_width = std::max(count_width, std::to_string(op.count).size());
  }
  size_t unsupported = 0;
  for (size_t i = 0; i < info.ops.size(); ++i) {
    const std::string label = op_label(info.ops[i]);
    const std::string count = std::to_string(info.ops[i].count);
    std::cout << "  " << label << std::string(width - label.size() + 2 + count_width - count.size(), ' ') << count << "  "
              << support[i].verdict << "\n";
    unsupported += is_unsupported(support[i]);
  }
  if (unsupported != 0) {
    std::cout << "Unsupported by mirt (" << unsupported << " op type(s)); a plugin library can supply them:\n";
    for (size_t i = 0; i < info.ops.size(); ++i)
      if (is_unsupported(support[i]))
        std::cout << "  " << op_label(info.ops[i]) << ": " << support[i].message << "\n";
  }
  for (size_t i = 0; i < info.ops.size(); ++i)
    if (support[i].verdict == "not checked") std::cout << "  note: " << op_label(info.ops[i]) << " not checked alone: " << support[i].message << "\n";
  if (builds)
    std::cout << "Whole model: builds on " << backend_label << " (dynamic dims at 1)\n";
  else
    std::cout << "Whole model: does not build on " << backend_label << ": " << build_result.second << " ["
              << mirt_status_code_name(build_result.first) << "]\n";
  return 0;
}

}  // namespace mirt::cli
