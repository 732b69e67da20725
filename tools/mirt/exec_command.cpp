// tools/mirt/exec_command.cpp — `mirt exec`: builds or loads a plan, runs it and reports timings (trtexec-like).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.hpp"
#include "cuda_stream.hpp"
#include "layer_profile.hpp"
#include "io_buffers.hpp"
#include "output_allocation.hpp"
#include "mirt/mirt.hpp"
#include "progress_bar.hpp"
#include "shapes.hpp"
#include "tensor_data.hpp"
#include "timing_report.hpp"

namespace mirt::cli {

CLI::App* add_exec_command(CLI::App& app, exec_options& o) {
  CLI::App* cmd = app.add_subcommand("exec", "Build a plan from an ONNX model (or load one), run it and report performance");
  auto* onnx = cmd->add_option("--onnx", o.onnx, "ONNX model to parse and build")->check(CLI::ExistingFile);
  auto* load = cmd->add_option("--loadEngine", o.load_engine, "Plan file to load instead of building")->check(CLI::ExistingFile);
  onnx->excludes(load);
  cmd->add_option("--saveEngine", o.save_engine, "Write the plan to this file");
  cmd->add_option("--shapes", o.shapes, "Run-time input shapes, e.g. input:1x3x224x224,mask:1x128; with only --shapes, also min=opt=max of dynamic inputs");
  cmd->add_option("--minShapes", o.min_shapes, "Profile minimum shapes of dynamic inputs (same syntax as --shapes)");
  cmd->add_option("--optShapes", o.opt_shapes, "Profile optimum shapes of dynamic inputs");
  cmd->add_option("--maxShapes", o.max_shapes, "Profile maximum shapes of dynamic inputs");
  cmd->add_option("--plugins", o.plugins, "Plugin libraries (.so) to load before parsing, e.g. --plugins libmyop.so; repeatable")
      ->check(CLI::ExistingFile);
  cmd->add_option("--backend", o.backend, "Backend module to build for (default: the best one installed)");
  cmd->add_flag("--fp16", o.fp16, "Allow FP16 kernels");
  cmd->add_flag("--bf16", o.bf16, "Allow BF16 kernels");
  cmd->add_flag("--tf32", o.tf32, "Allow TF32 kernels");
  cmd->add_flag("--int8", o.int8, "Allow INT8 kernels");
  cmd->add_option("--device", o.device, "Backend device id to build and run on (a CUDA device; default 0)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--layerPrecisions", o.layer_precisions,
                  "Per-layer precision constraints, e.g. --layerPrecisions=conv1:fp32,fc:fp16 (fp32, fp16, bf16)");
  cmd->add_option("--memPoolSize", o.mem_pool_size, "Activation + workspace memory limit in bytes (K, M, G suffixes; 0 = unlimited)");
  cmd->add_option("--builderOptimizationLevel", o.builder_optimization_level, "Builder optimization level 0..5")->capture_default_str()
      ->check(CLI::Range(0, 5));
  cmd->add_option("--timingCacheFile", o.timing_cache_file,
                  "Timing cache: read if the file exists, written back after the kernels are chosen; the same "
                  "cache gives the same tactics (a damaged file fails the build)");
  cmd->add_option("--warmUp", o.warm_up_ms, "Warm-up time in ms before timing")->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--iterations", o.iterations, "Run at least this many timed inferences")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--duration", o.duration_s, "Run timed inferences for at least this many seconds")->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--exportTimes", o.export_times, "Write per-run times as JSON to this file");
  cmd->add_option("--exportOutput", o.export_output, "Write the outputs of the last run as JSON to this file");
  cmd->add_option("--loadInputs", o.load_inputs, "Raw input data: name:file.bin[,name2:file2.bin]; other inputs get deterministic random values");
  cmd->add_flag("--useCudaGraph", o.use_cuda_graph,
                "Run on a stream of its own with the context's graph replay: the enqueue is recorded into a CUDA graph "
                "once and the graph launched for every run (cuda backend)");
  cmd->add_flag("--dumpProfile", o.dump_profile,
                "After the timed runs, --iterations profiling runs with per-layer times (each layer synchronized), printed");
  cmd->add_option("--exportProfile", o.export_profile, "Write the per-layer profile as JSON to this file (implies the profiling runs)");
  cmd->add_flag("--skipInference", o.skip_inference, "Build (and save) the plan, but do not run it");
  cmd->add_flag("--noDataTransfers", o.no_data_transfers,
                "For I/O tensors in device memory: skip the H2D/D2H Latency measurement. Timed runs never copy "
                "(inputs go to the device once before warm-up; outputs come back once after the runs, for "
                "--exportOutput); without this flag, after the timed runs, --iterations rounds each copy all "
                "inputs H2D and all outputs D2H, with a synchronize, and are reported separately");
  return cmd;
}

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

std::vector<shape_spec> parse_flag(const char* flag, const std::string& text) {
  try {
    return parse_shape_specs(text);
  } catch (const spec_error& e) {
    throw spec_error(std::string(flag) + ": " + e.what());
  }
}

struct shape_flags {
  std::vector<shape_spec> shapes, min, opt, max;
};

// Every name in the specs must be an input of the model.
void check_names(const shape_flags& flags, const std::vector<std::string>& inputs) {
  std::string all;
  for (const std::string& n : inputs) all += (all.empty() ? "" : ", ") + n;
  auto check = [&](const char* flag, const std::vector<shape_spec>& specs) {
    for (const shape_spec& s : specs) {
      bool found = false;
      for (const std::string& n : inputs) found = found || n == s.name;
      if (!found) throw spec_error(std::string(flag) + " names '" + s.name + "', which is not an input (inputs: " + all + ")");
    }
  };
  check("--shapes", flags.shapes);
  check("--minShapes", flags.min);
  check("--optShapes", flags.opt);
  check("--maxShapes", flags.max);
}

bool is_dynamic(const dims& d) {
  for (int64_t x : d)
    if (x < 0) return true;
  return false;
}

std::string mib(uint64_t bytes) {
  char text[64];
  std::snprintf(text, sizeof text, "%.2f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return text;
}

plan build_from_onnx(const exec_options& o, const shape_flags& flags) {
  network net;
  parse_onnx_file(net, o.onnx);
  std::cout << "Parsed " << o.onnx << ": " << net.num_inputs() << " inputs, " << net.num_outputs() << " outputs, "
            << net.num_layers() << " layers\n";

  std::vector<std::string> names;
  for (size_t i = 0; i < net.num_inputs(); ++i) names.push_back(net.input(i).name());
  check_names(flags, names);

  progress_bar bar;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = to_c(o.backend);
  options.precision_flags = (o.fp16 ? MIRT_PRECISION_FLAG_FP16 : 0) | (o.bf16 ? MIRT_PRECISION_FLAG_BF16 : 0) |
                            (o.tf32 ? MIRT_PRECISION_FLAG_TF32 : 0) | (o.int8 ? MIRT_PRECISION_FLAG_INT8 : 0);
  options.memory_limit_bytes = o.mem_pool_size.empty() ? 0 : parse_byte_size(o.mem_pool_size);
  options.optimization_level = o.builder_optimization_level;
  options.timing_cache_path = to_c(o.timing_cache_file);
  options.progress = &progress_bar::callback;
  options.progress_user_data = &bar;
  options.device_id = o.device;
  builder_config config(options);
  for (const precision_spec& spec : parse_precision_specs(o.layer_precisions))
    config.set_layer_precision(spec.layer, static_cast<mirt_dtype>(spec.dtype));

  std::optional<size_t> profile;
  for (size_t i = 0; i < net.num_inputs(); ++i) {
    const tensor in = net.input(i);
    const std::string name = in.name();
    const dims declared = in.dims();
    if (!is_dynamic(declared)) {
      const shape_spec* given = find_shape(flags.shapes, name);
      if (given != nullptr && given->dims != declared)
        throw spec_error("--shapes gives '" + name + "' shape " + format_dims(given->dims) + ", but the model fixes it to " +
                         format_dims(declared));
      continue;
    }
    const shape_spec* opt = find_shape(flags.opt, name);
    if (opt == nullptr) opt = find_shape(flags.shapes, name);
    shape_spec fallback;
    if (opt == nullptr) {
      // As trtexec does: dynamic dims without a given shape become 1, with a warning.
      fallback.name = name;
      for (int64_t d : declared) fallback.dims.push_back(d < 0 ? 1 : d);
      opt = &fallback;
      std::cerr << "warning: input '" << name << "' has dynamic shape " << format_dims(declared)
                << " and no shape was given; using " << format_dims(fallback.dims) << " (set it with --shapes=" << name
                << ":<dims> or --minShapes/--optShapes/--maxShapes)\n";
    }
    const shape_spec* min = find_shape(flags.min, name);
    const shape_spec* max = find_shape(flags.max, name);
    if (!profile) profile = config.add_profile();
    config.set_profile_shape(*profile, name, (min ? min : opt)->dims, opt->dims, (max ? max : opt)->dims);
    std::cout << "Profile 0, '" << name << "': min " << format_dims((min ? min : opt)->dims) << ", opt "
              << format_dims(opt->dims) << ", max " << format_dims((max ? max : opt)->dims) << "\n";
  }

  const auto t0 = clock_type::now();
  plan p = build(net, config);
  bar.finish();
  std::printf("Engine built in %.3f sec.\n", ms_since(t0) / 1000.0);
  return p;
}

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write '" + path + "'");
}

int run(const exec_options& o) {
  const shape_flags flags{parse_flag("--shapes", o.shapes), parse_flag("--minShapes", o.min_shapes),
                          parse_flag("--optShapes", o.opt_shapes), parse_flag("--maxShapes", o.max_shapes)};
  const std::vector<file_spec> input_files = [&] {
    try {
      return parse_file_specs(o.load_inputs);
    } catch (const spec_error& e) {
      throw spec_error(std::string("--loadInputs: ") + e.what());
    }
  }();
  if (o.onnx.empty() && o.load_engine.empty()) throw spec_error("give a model with --onnx FILE or a plan with --loadEngine FILE");
  for (const std::string& library : o.plugins) {
    load_library(library);
    std::cout << "Loaded plugin library " << library << "\n";
  }

  std::optional<plan> p;
  if (!o.onnx.empty()) {
    p.emplace(build_from_onnx(o, flags));
  } else {
    p.emplace(plan::load(o.load_engine));
    std::cout << "Loaded plan " << o.load_engine << "\n";
  }
  std::cout << "Plan size: " << p->size() << " bytes (" << mib(p->size()) << ")\n";
  if (!o.save_engine.empty()) {
    p->save(o.save_engine);
    std::cout << "Saved plan to " << o.save_engine << "\n";
  }
  if (o.skip_inference) return 0;

  engine eng(*p, o.device);
  std::cout << "Backend: " << eng.backend_name() << ", device memory: " << mib(eng.device_memory_size()) << ", profiles: "
            << eng.num_profiles() << "\n";
  context ctx(eng, 0);

  // Declared after the engine and context, so its device buffers go before them.
  std::vector<io_binding> io;
  std::vector<std::string> input_names;
  for (size_t i = 0; i < eng.num_io_tensors(); ++i) {
    io.emplace_back();
    io.back().info = eng.io_tensor(i);
    if (io.back().info.is_input) input_names.push_back(io.back().info.name);
  }
  check_names(flags, input_names);
  for (const file_spec& f : input_files) {
    bool found = false;
    for (const std::string& n : input_names) found = found || n == f.name;
    if (!found) throw spec_error("--loadInputs names '" + f.name + "', which is not an input");
  }

  for (io_binding& b : io) {
    if (!b.info.is_input) continue;
    const shape_spec* given = find_shape(flags.shapes, b.info.name);
    b.shape = given != nullptr ? given->dims
              : is_dynamic(b.info.dims) ? eng.profile_shape(0, b.info.name, MIRT_PROFILE_SELECTOR_OPT)
                                        : b.info.dims;
    ctx.set_input_shape(b.info.name, b.shape);
  }
  // Outputs of data-dependent shape (NonZero, NonMaxSuppression, ...) take each run's memory from an
  // output allocator (TensorRT's IOutputAllocator); the others are sized now.
  const std::vector<std::unique_ptr<grown_output>> grown = allocate_data_dependent_outputs(eng, ctx);
  if (!grown.empty() && o.use_cuda_graph)
    throw spec_error("--useCudaGraph: output '" + grown.front()->name() +
                     "' has a data-dependent shape, so each run reads sizes back from the device and "
                     "allocates during the run, which a CUDA graph cannot capture");
  std::cout << "I/O tensors:\n";
  for (size_t i = 0; i < io.size(); ++i) {
    io_binding& b = io[i];
    if (find_grown(grown, b.info.name) != nullptr) {
      std::cout << "  output " << b.info.name << ": " << dtype_name(b.info.dtype) << " "
                << format_dims(ctx.tensor_shape(b.info.name)) << " (data-dependent: sized by each run)\n";
      continue;
    }
    if (!b.info.is_input) b.shape = ctx.tensor_shape(b.info.name);
    if (is_dynamic(b.shape))
      throw std::runtime_error("output '" + b.info.name + "' has unresolved dims " + format_dims(b.shape));
    allocate_buffers(eng, b, b.info.location == MIRT_TENSOR_LOCATION_DEVICE);
    if (b.info.is_input) {
      const file_spec* file = nullptr;
      for (const file_spec& f : input_files)
        if (f.name == b.info.name) file = &f;
      if (file != nullptr)
        load_binary_file(file->path, b.host->data(), b.bytes);
      else
        fill_deterministic(b.host->data(), b.info.dtype, b.count, 0x6D697274ull + i);
    }
    ctx.set_tensor_address(b.info.name, b.address());
    std::cout << "  " << (b.info.is_input ? "input  " : "output ") << b.info.name << ": " << dtype_name(b.info.dtype) << " "
              << format_dims(b.shape) << (b.on_device() ? " (device)" : "")
              << (b.info.is_input && find_shape(flags.shapes, b.info.name) == nullptr && is_dynamic(b.info.dims)
                      ? " (profile opt)"
                      : "")
              << "\n";
  }
  const bool device_io = any_on_device(io);
  upload_inputs(eng, io);  // once; the timed runs reuse the device copies

  // With --useCudaGraph, the runs go to a stream of exec's own, where the context's graph replay
  // records the enqueue (after one plain run) and launches the graph from then on.
  std::optional<cuda_stream> own_stream;
  void* stream = nullptr;
  if (o.use_cuda_graph) {
    own_stream.emplace();
    stream = own_stream->get();
    check(mirt_context_set_graph_replay(ctx.get(), 1));
    std::cout << "Graph replay on: the context records its enqueue into a CUDA graph and launches it\n";
  }
  auto run_once = [&] { ctx.enqueue(stream); };

  // Warm-up, then timed runs until both the iteration count and the duration are reached.
  const auto warm0 = clock_type::now();
  size_t warm_runs = 0;
  while (ms_since(warm0) < o.warm_up_ms) {
    run_once();
    eng.synchronize(stream);
    ++warm_runs;
  }
  // Each timed run is the enqueue plus a synchronize of the default stream, so that its latency is
  // the real compute time on backends that run asynchronously; the enqueue call is timed alone too.
  std::vector<run_time> runs;
  const auto t0 = clock_type::now();
  while (runs.size() < static_cast<size_t>(o.iterations) || ms_since(t0) < o.duration_s * 1000.0) {
    run_time r;
    r.start_ms = ms_since(t0);
    run_once();
    r.enqueue_ms = ms_since(t0) - r.start_ms;
    eng.synchronize(stream);
    r.end_ms = ms_since(t0);
    runs.push_back(r);
  }
  std::cout << "Warm-up: " << warm_runs << " runs in " << o.warm_up_ms << " ms; timed: " << runs.size() << " runs\n";
  if (o.dump_profile || !o.export_profile.empty()) {
    // Per-layer times need the layers run one by one: no graph for these runs.
    if (o.use_cuda_graph) check(mirt_context_set_graph_replay(ctx.get(), 0));
    layer_profile profile;
    check(mirt_context_set_profiler(ctx.get(), &layer_profile::callback, &profile));
    for (int k = 0; k < o.iterations; ++k) {
      profile.begin_run();
      ctx.enqueue(stream);
    }
    check(mirt_context_set_profiler(ctx.get(), nullptr, nullptr));
    if (o.dump_profile) profile.print(std::cout);
    if (!o.export_profile.empty()) {
      write_text_file(o.export_profile, profile.to_json() + "\n");
      std::cout << "Wrote the profile to " << o.export_profile << "\n";
    }
  }

  // Device I/O: the copies are timed apart from the runs, one round of all inputs and one of all
  // outputs per iteration. The last D2H round leaves the outputs of the last run in host memory.
  std::vector<double> h2d_ms, d2h_ms;
  if (device_io && !o.no_data_transfers) {
    for (int k = 0; k < o.iterations; ++k) {
      h2d_ms.push_back(upload_inputs(eng, io));
      d2h_ms.push_back(download_outputs(eng, io));
    }
  } else if (device_io && !o.export_output.empty()) {
    download_outputs(eng, io);
  }

  if (!o.export_times.empty()) {
    write_text_file(o.export_times, times_to_json(runs) + "\n");
    std::cout << "Wrote times to " << o.export_times << "\n";
  }
  if (!o.export_output.empty()) {
    for (io_binding& b : io)
      if (const grown_output* g = find_grown(grown, b.info.name)) read_grown_output(eng, b, *g);
    nlohmann::json out = nlohmann::json::array();
    for (const io_binding& b : io) {
      if (b.info.is_input) continue;
      out.push_back({{"name", b.info.name},
                     {"dtype", dtype_name(b.info.dtype)},
                     {"dimensions", b.shape},
                     {"values", values_to_json(b.host->data(), b.info.dtype, b.count)}});
    }
    std::string text = "[\n";  // one output per line: readable without holding every value on its own line
    for (size_t i = 0; i < out.size(); ++i) text += " " + out[i].dump() + (i + 1 < out.size() ? ",\n" : "\n");
    write_text_file(o.export_output, text + "]\n");
    std::cout << "Wrote outputs to " << o.export_output << "\n";
  }
  performance_summary summary = summarize(runs);
  if (device_io) {
    summary.compute = summary.latency;
    auto any = [&](bool inputs) {
      for (const io_binding& b : io)
        if (b.on_device() && b.info.is_input == inputs) return true;
      return false;
    };
    if (!o.no_data_transfers && any(true)) summary.h2d = compute_latency_stats(h2d_ms);
    if (!o.no_data_transfers && any(false)) summary.d2h = compute_latency_stats(d2h_ms);
  }
  print_performance_summary(std::cout, summary);
  return 0;
}

}  // namespace

int run_exec_command(const exec_options& o) {
  const std::string tag = "mirt.exec [mirt v" + mirt::version() + "] # " + o.command_line;
  std::cout << "&&&& RUNNING " << tag << std::endl;
  int rc = 1;
  try {
    rc = run(o);
  } catch (const mirt::error& e) {
    std::cerr << "error: " << e.what() << " [" << e.code_name() << "]\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
  }
  std::cout << (rc == 0 ? "&&&& PASSED " : "&&&& FAILED ") << tag << std::endl;
  return rc;
}

}  // namespace mirt::cli
