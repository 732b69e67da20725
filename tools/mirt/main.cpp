// tools/mirt/main.cpp — the mirt command line: parses the arguments and runs one subcommand.
#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.hpp"
#include "mirt/mirt.hpp"

int main(int argc, char** argv) {
  using namespace mirt::cli;
  CLI::App app{"mirt — build, run and inspect mirt inference plans (mirt " MIRT_VERSION_STRING ")", "mirt"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("mirt ") + MIRT_VERSION_STRING);

  exec_options exec;
  inspect_options inspect;
  modules_options modules;
  run_options run;
  fold_options fold;
  CLI::App* exec_cmd = add_exec_command(app, exec);
  CLI::App* inspect_cmd = add_inspect_command(app, inspect);
  CLI::App* modules_cmd = add_modules_command(app, modules);
  CLI::App* run_cmd = add_run_command(app, run);
#ifdef MIRT_CLI_ONNX_VIEW
  CLI::App* fold_cmd = add_fold_command(app, fold);
#endif

  CLI11_PARSE(app, argc, argv);

  for (int i = 0; i < argc; ++i) exec.command_line += (i != 0 ? " " : "") + std::string(argv[i]);
  run.command_line = exec.command_line;
  try {
    if (exec_cmd->parsed()) return run_exec_command(exec);
    if (inspect_cmd->parsed()) return run_inspect_command(inspect);
    if (modules_cmd->parsed()) return run_modules_command(modules);
    if (run_cmd->parsed()) return run_run_command(run);
#ifdef MIRT_CLI_ONNX_VIEW
    if (fold_cmd->parsed()) return run_fold_command(fold);
#endif
  } catch (const mirt::error& e) {
    std::cerr << "error: " << e.what() << " [" << e.code_name() << "]\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 1;
}
