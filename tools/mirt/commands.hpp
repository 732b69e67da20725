// tools/mirt/commands.hpp — the subcommands of the mirt CLI: each adds itself to the app and runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace mirt::cli {

struct exec_options {
  std::string onnx, load_engine, save_engine;
  std::string shapes, min_shapes, opt_shapes, max_shapes;
  std::string backend;
  bool fp16 = false, bf16 = false, tf32 = false, int8 = false;
  std::string mem_pool_size;
  int builder_optimization_level = 3;
  std::string timing_cache_file;
  bool use_cuda_graph = false, dump_profile = false;
  std::string export_profile;
  double warm_up_ms = 200;
  int iterations = 10;
  double duration_s = 3;
  std::string export_times, export_output, load_inputs;
  bool skip_inference = false;
  bool no_data_transfers = false;
  std::vector<std::string> plugins;  // plugin libraries to load first
  std::string layer_precisions;      // "layer:fp32,..." (trtexec's --layerPrecisions)
  int device = 0;                    // backend device id (trtexec's --device)
  std::string command_line;  // echoed on the &&&& lines
};
CLI::App* add_exec_command(CLI::App& app, exec_options& options);
int run_exec_command(const exec_options& options);

struct inspect_options {
  std::string file;
  bool json = false;
  std::string backend;  // for an ONNX model: the backend whose kernels are checked
};
CLI::App* add_inspect_command(CLI::App& app, inspect_options& options);
int run_inspect_command(const inspect_options& options);
// The ONNX view of inspect (inspect_onnx.cpp; built when libonnx is there).
int inspect_onnx_model(const inspect_options& options);

struct modules_options {
  bool json = false;
  std::string load_library;
  bool plugins = false;  // list plugin creators and their fields instead
};
CLI::App* add_modules_command(CLI::App& app, modules_options& options);
int run_modules_command(const modules_options& options);

struct run_options {
  std::string model;
  bool mirt = false, onnxrt = false;
  double atol = 1e-4, rtol = 1e-3;
  std::vector<std::string> input_shapes;
  std::string load_inputs, save_inputs, save_outputs;
  std::string backend;
  uint64_t seed = 1;
  std::string python = "python3";
  std::string command_line;
};
CLI::App* add_run_command(CLI::App& app, run_options& options);
int run_run_command(const run_options& options);

struct fold_options {
  std::string model, output;
  std::string backend = "cpu";
};
// Built where libonnx is (fold_command.cpp, with the ONNX view of inspect).
CLI::App* add_fold_command(CLI::App& app, fold_options& options);
int run_fold_command(const fold_options& options);

}  // namespace mirt::cli
