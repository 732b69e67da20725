// tools/gen_ops_doc/gen_ops_doc.cpp — writes docs/ops.md: a hand-written header, then one table row
// per op schema of the standard set, sorted by op name. Internal; not installed.
//
//   gen_ops_doc HEADER.md            print the document
//   gen_ops_doc HEADER.md OUT.md     write it to OUT.md (the `ops-doc` run target)
//   gen_ops_doc HEADER.md --check F  exit 1, naming the first differing line, when F is not what it would write
#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "core/graph/op_schema.hpp"

namespace {

// "INT", "FLOATS", ...: the ONNX spelling of an attribute type.
std::string type_name(mirt_attribute_type type) {
  std::string name = mirt_attribute_type_name(type);
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

// "2" when min == max, else "1..3".
std::string arity(int min, int max) {
  return min == max ? std::to_string(min) : std::to_string(min) + ".." + std::to_string(max);
}

std::string attributes_cell(const mirt::op_schema& s) {
  std::vector<mirt::attribute_spec> attrs = s.attributes;
  std::sort(attrs.begin(), attrs.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::string cell;
  for (const mirt::attribute_spec& a : attrs)
    cell += (cell.empty() ? "" : ", ") + ("`" + a.name + "`: " + type_name(a.type)) + (a.required ? " (required)" : "");
  return cell.empty() ? "—" : cell;
}

std::string render(const std::string& header) {
  std::vector<const mirt::op_schema*> schemas = mirt::schema_table::standard().all();
  std::sort(schemas.begin(), schemas.end(), [](const mirt::op_schema* a, const mirt::op_schema* b) {
    return std::tie(a->op_type, a->domain) < std::tie(b->op_type, b->domain);
  });
  std::ostringstream out;
  out << header;
  if (!header.empty() && header.back() != '\n') out << '\n';
  out << "\n## Ops (" << schemas.size() << ")\n\n";
  out << "| Op | Domain | Inputs | Outputs | Attributes | In-place |\n";
  out << "|---|---|---|---|---|---|\n";
  for (const mirt::op_schema* s : schemas)
    out << "| " << s->op_type << " | " << (s->domain.empty() ? "ai.onnx" : s->domain) << " | "
        << arity(s->min_inputs, s->max_inputs) << " | " << arity(s->min_outputs, s->max_outputs) << " | "
        << attributes_cell(*s) << " | " << (s->may_run_in_place ? "yes" : "no") << " |\n";
  return out.str();
}

bool read_file(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  text = buffer.str();
  return true;
}

// 0 when actual == expected; else prints the first differing line of path and returns 1.
int check(const std::string& path, const std::string& actual, const std::string& expected) {
  if (actual == expected) return 0;
  std::istringstream a(actual), e(expected);
  std::string line_a, line_e;
  for (size_t line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, line_a));
    const bool more_e = static_cast<bool>(std::getline(e, line_e));
    if (more_a && more_e && line_a == line_e) continue;
    std::cerr << path << " is stale at line " << line << ":\n  has:      " << (more_a ? line_a : "<end of file>")
              << "\n  expected: " << (more_e ? line_e : "<end of file>")
              << "\nregenerate it with `ninja -C <build folder> ops-doc` and commit it\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const bool check_mode = args.size() == 3 && args[1] == "--check";
  if (!(args.size() == 1 || args.size() == 2 || check_mode)) {
    std::cerr << "usage: gen_ops_doc HEADER.md [OUT.md | --check OUT.md]\n";
    return 2;
  }
  std::string header;
  if (!read_file(args[0], header)) {
    std::cerr << "gen_ops_doc: cannot read header '" << args[0] << "'\n";
    return 1;
  }
  const std::string doc = render(header);
  if (args.size() == 1) {
    std::cout << doc;
    return 0;
  }
  if (check_mode) {
    std::string current;
    if (!read_file(args[2], current)) {
      std::cerr << "gen_ops_doc: cannot read '" << args[2] << "'\n";
      return 1;
    }
    return check(args[2], current, doc);
  }
  std::ofstream out(args[1], std::ios::binary);
  out << doc;
  out.close();
  if (!out) {
    std::cerr << "gen_ops_doc: cannot write '" << args[1] << "'\n";
    return 1;
  }
  return 0;
}
