// tools/mirt/inspect_command.cpp — `mirt inspect FILE`: a readable summary of a plan or an ONNX model.
#include <CLI/CLI.hpp>

#include <cstring>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "commands.hpp"
#include "mirt/mirt.hpp"
#include "shapes.hpp"

namespace mirt::cli {

CLI::App* add_inspect_command(CLI::App& app, inspect_options& options) {
  CLI::App* cmd = app.add_subcommand("inspect", "Describe a plan (header, I/O, profiles, layers and kernels, memory) or an ONNX model");
  cmd->add_option("file", options.file, "A plan file (starts with MIRTPLAN) or an ONNX model")->required()->check(CLI::ExistingFile);
  cmd->add_flag("--json", options.json, "Print JSON: for a plan mirt_plan_describe_json as is, for an ONNX model its summary");
  cmd->add_option("--backend", options.backend, "For an ONNX model: the backend whose kernels are checked (default: the best installed)");
  return cmd;
}

namespace {

using json = nlohmann::json;

bool is_plan_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  in.read(magic, sizeof magic);
  return in.gcount() == 8 && std::memcmp(magic, "MIRTPLAN", 8) == 0;
}

// The first of keys that obj has, or NULL.
const json* pick(const json& obj, std::initializer_list<const char*> keys) {
  if (!obj.is_object()) return nullptr;
  for (const char* k : keys) {
    auto it = obj.find(k);
    if (it != obj.end()) return &*it;
  }
  return nullptr;
}

std::string scalar_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array() && !v.empty() && v.front().is_number_integer()) {
    std::vector<int64_t> d;
    for (const json& x : v) d.push_back(x.is_number_integer() ? x.get<int64_t>() : -1);
    return format_dims(d);
  }
  return v.dump();
}

std::string text_of(const json& obj, std::initializer_list<const char*> keys, const std::string& fallback = "") {
  const json* v = pick(obj, keys);
  return v != nullptr ? scalar_text(*v) : fallback;
}

// Any JSON as indented "key: value" lines.
void print_generic(const json& v, int indent) {
  const std::string pad(static_cast<size_t>(indent), ' ');
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it->is_structured() && !it->empty() && !(it->is_array() && it->front().is_primitive())) {
        std::cout << pad << it.key() << ":\n";
        print_generic(*it, indent + 2);
      } else {
        std::cout << pad << it.key() << ": " << scalar_text(*it) << "\n";
      }
    }
  } else if (v.is_array()) {
    for (const json& x : v) {
      if (x.is_object()) {
        std::cout << pad << "-\n";
        print_generic(x, indent + 2);
      } else {
        std::cout << pad << "- " << scalar_text(x) << "\n";
      }
    }
  } else {
    std::cout << pad << scalar_text(v) << "\n";
  }
}

void print_io(const json& list, const char* direction) {
  for (const json& t : list) {
    std::string dir = direction;
    if (const json* is_input = pick(t, {"is_input", "input"}))
      dir = (is_input->is_boolean() ? is_input->get<bool>() : is_input->is_number() && is_input->get<int>() != 0) ? "input " : "output";
    std::cout << "  " << dir << " " << text_of(t, {"name"}, "?") << ": " << text_of(t, {"dtype", "type"}, "?") << " "
              << text_of(t, {"dims", "shape", "dimensions"}, "?");
    if (const json* loc = pick(t, {"location"})) std::cout << " (" << scalar_text(*loc) << ")";
    std::cout << "\n";
  }
}

// " (writes float32)" where a layer's outputs are not all of its precision (a folded Cast), else "".
std::string written_types(const json& output_dtypes, const json& precision) {
  if (!output_dtypes.is_array()) return "";
  bool differs = false;
  std::string list;
  for (const json& d : output_dtypes) {
    differs = differs || d != precision;
    list += (list.empty() ? "" : ", ") + scalar_text(d);
  }
  return differs ? " (writes " + list + ")" : "";
}

void print_layers(const json& layers) {
  size_t i = 0;
  for (const json& l : layers) {
    if (!l.is_object()) {
      std::cout << "  [" << i++ << "] " << scalar_text(l) << "\n";
      continue;
    }
    std::cout << "  [" << i++ << "] " << text_of(l, {"name"}, "?") << " (" << text_of(l, {"op_type", "op", "type"}, "?") << ")";
    if (const json* k = pick(l, {"kernel", "tactic", "tactic_name", "implementation"}))
      std::cout << " -> " << (k->is_object() ? text_of(*k, {"name", "tactic_name"}, k->dump()) : scalar_text(*k));
    if (const json* p = pick(l, {"precision"})) {
      std::cout << ", " << scalar_text(*p);
      if (const json* o = pick(l, {"output_dtypes"})) std::cout << written_types(*o, *p);
    }
    std::cout << "\n";
    if (const json* in = pick(l, {"inputs"})) std::cout << "        inputs: " << scalar_text(*in) << "\n";
    if (const json* out = pick(l, {"outputs"})) std::cout << "        outputs: " << scalar_text(*out) << "\n";
  }
}

void print_plan_summary(const json& d) {
  std::set<std::string> done;
  auto section = [&](const char* title, std::initializer_list<const char*> keys, auto&& printer) {
    for (const char* k : keys) {
      auto it = d.find(k);
      if (it == d.end() || done.count(k) != 0) continue;
      done.insert(k);
      std::cout << title;
      if (it->is_array()) std::cout << " (" << it->size() << ")";
      std::cout << ":\n";
      printer(*it);
    }
  };
  auto generic = [](const json& v) { print_generic(v, 2); };

  section("Header", {"header"}, generic);
  // Top-level scalars (format, versions, backend, checksum, ...) belong to the header too.
  bool scalars = false;
  for (auto it = d.begin(); it != d.end(); ++it) {
    if (!it->is_primitive()) continue;
    if (!scalars && done.count("header") == 0) std::cout << "Header:\n";
    scalars = true;
    done.insert(it.key());
    std::cout << "  " << it.key() << ": " << scalar_text(*it) << "\n";
  }
  section("I/O tensors", {"io", "io_tensors", "tensors_io"}, [](const json& v) { print_io(v, "tensor"); });
  section("Inputs", {"inputs"}, [](const json& v) { print_io(v, "input "); });
  section("Outputs", {"outputs"}, [](const json& v) { print_io(v, "output"); });
  section("Profiles", {"profiles"}, generic);
  section("Layers", {"layers", "nodes", "kernels"}, [](const json& v) { print_layers(v); });
  section("Weights", {"weights", "weights_size", "weights_bytes"}, generic);
  section("Memory plan", {"memory", "memory_plan"}, generic);
  for (auto it = d.begin(); it != d.end(); ++it) {
    if (done.count(it.key()) != 0) continue;
    std::cout << it.key() << ":\n";
    print_generic(*it, 2);
  }
}

int inspect_plan(const inspect_options& o) {
  const plan p = plan::load(o.file);
  const std::string description = p.describe_json();
  if (o.json) {
    std::cout << description << "\n";
    return 0;
  }
  std::cout << "Plan " << o.file << " (" << p.size() << " bytes)\n";
  json d;
  try {
    d = json::parse(description);
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("mirt_plan_describe_json gave JSON that does not parse: ") + e.what());
  }
  print_plan_summary(d);
  return 0;
}

#ifndef MIRT_CLI_ONNX_VIEW
// Without libonnx: what mirt's own parser makes of the model.
void print_network_tensor(const char* direction, const tensor& t) {
  const dims d = t.dims();
  const mirt_dtype dtype = t.dtype();
  std::cout << "  " << direction << " " << t.name() << ": "
            << (dtype == MIRT_DTYPE_UNDEFINED ? std::string("(dtype set at build)") : std::string(dtype_name(dtype))) << " "
            << (d.empty() && direction[0] == 'o' ? std::string("(shape set at build)") : format_dims(d)) << "\n";
}

int inspect_onnx(const inspect_options& o) {
  network net;
  parse_onnx_file(net, o.file);
  std::cout << "ONNX model " << o.file << " (mirt built without libonnx: opsets and op counts are not shown)\n";
  std::cout << "Inputs (" << net.num_inputs() << "):\n";
  for (size_t i = 0; i < net.num_inputs(); ++i) print_network_tensor("input ", net.input(i));
  std::cout << "Outputs (" << net.num_outputs() << "):\n";
  for (size_t i = 0; i < net.num_outputs(); ++i) print_network_tensor("output", net.output(i));
  std::cout << "Layers: " << net.num_layers() << "\n";
  return 0;
}
#endif

}  // namespace

int run_inspect_command(const inspect_options& options) {
  if (is_plan_file(options.file)) return inspect_plan(options);
#ifdef MIRT_CLI_ONNX_VIEW
  return inspect_onnx_model(options);
#else
  return inspect_onnx(options);
#endif
}

}  // namespace mirt::cli
