// tools/mirt/modules_command.cpp — `mirt modules`: the registry's modules as a table or JSON.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.hpp"
#include "mirt/mirt.hpp"

namespace mirt::cli {

CLI::App* add_modules_command(CLI::App& app, modules_options& options) {
  CLI::App* cmd = app.add_subcommand("modules", "List the installed modules (backends, parsers, plugins) and their state");
  cmd->add_flag("--json", options.json, "Print the list as JSON");
  cmd->add_option("--loadLibrary", options.load_library, "Load this module library first (like --plugins)");
  return cmd;
}

namespace {
const char* yes_no(bool b) { return b ? "yes" : "no"; }
}  // namespace

int run_modules_command(const modules_options& options) {
  if (!options.load_library.empty()) load_library(options.load_library);
  const std::vector<module_info> list = modules();

  if (options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const module_info& m : list)
      out.push_back({{"name", m.name},
                     {"version", m.version},
                     {"abi_version", m.abi_version},
                     {"kind", module_kind_name(m.kind)},
                     {"loaded", m.loaded},
                     {"compatible", m.compatible},
                     {"path", m.path},
                     {"description", m.description}});
    std::cout << out.dump(2) << "\n";
    return 0;
  }

  const std::vector<std::string> header = {"NAME", "VERSION", "ABI", "KIND", "LOADED", "COMPATIBLE", "PATH"};
  std::vector<std::vector<std::string>> rows;
  for (const module_info& m : list)
    rows.push_back({m.name, m.version, std::to_string(m.abi_version), module_kind_name(m.kind), yes_no(m.loaded),
                    yes_no(m.compatible), m.path});
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& r : rows) width[c] = std::max(width[c], r[c].size());
  }
  auto print_row = [&](const std::vector<std::string>& r) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line += std::string(width[c] - r[c].size() + 2, ' ');
    }
    std::cout << line << "\n";
  };
  print_row(header);
  for (const auto& r : rows) print_row(r);
  if (rows.empty()) {
    std::cout << "(no modules found; searched:";
    for (const std::string& p : search_paths()) std::cout << " " << p;
    std::cout << ")\n";
  }
  return 0;
}

}  // namespace mirt::cli
