// tools/mirt/run_command.cpp — `mirt run MODEL --mirt --onnxrt`: runs a model in mirt (C ABI) and in
// ONNX Runtime on the same inputs and compares every output, as Polygraphy's `run` does.
#include <CLI/CLI.hpp>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.hpp"
#include "compare.hpp"
#include "io_buffers.hpp"
#include "mirt/mirt.hpp"
#include "npz.hpp"
#include "onnxrt_process.hpp"
#include "output_allocation.hpp"
#ifdef MIRT_CLI_ONNX_VIEW
#include "onnx_model_info.hpp"
#endif
#include "shapes.hpp"
#include "tensor_data.hpp"

namespace mirt::cli {

CLI::App* add_run_command(CLI::App& app, run_options& o) {
  CLI::App* cmd = app.add_subcommand("run", "Run an ONNX model in mirt and/or ONNX Runtime on the same inputs and compare the outputs");
  cmd->add_option("model", o.model, "The ONNX model")->required()->check(CLI::ExistingFile);
  cmd->add_flag("--mirt", o.mirt, "Run the model in mirt (built for --backend)");
  cmd->add_flag("--onnxrt", o.onnxrt, "Run the model in ONNX Runtime (CPU provider, through python3 and onnxrt_runner.py)");
  cmd->add_option("--atol", o.atol, "Absolute tolerance: an element matches when |mirt - onnxrt| <= atol + rtol * |onnxrt|")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--rtol", o.rtol, "Relative tolerance (see --atol)")->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--input-shapes", o.input_shapes, "Shapes of inputs: name:1x3x224x224 or name:[1,3,224,224] (dynamic dims "
                  "not given here or by --load-inputs become 1)");
  cmd->add_option("--load-inputs", o.load_inputs, "Input arrays from an .npz file (np.savez), keyed by input name")
      ->check(CLI::ExistingFile);
  cmd->add_option("--save-inputs", o.save_inputs, "Write the inputs used to this .npz file");
  cmd->add_option("--save-outputs", o.save_outputs, "Write the outputs to this .npz file (mirt's; ONNX Runtime's without --mirt)");
  cmd->add_option("--backend", o.backend, "mirt backend module (default: the best one installed)");
  cmd->add_option("--seed", o.seed, "Seed of the generated inputs (floats uniform in [-1, 1], integers 0..3)")->capture_default_str();
  cmd->add_option("--python", o.python, "Python interpreter with numpy and onnxruntime, for --onnxrt")->capture_default_str();
  return cmd;
}

namespace {

using clock_type = std::chrono::steady_clock;
double seconds_since(clock_type::time_point t0) { return std::chrono::duration<double>(clock_type::now() - t0).count(); }

struct model_input {
  std::string name;
  mirt_dtype dtype;
  dims declared;
};

// "x:[1,3,224,224]" (Polygraphy's spelling) -> "x:1x3x224x224"; other text unchanged.
std::string bracket_dims_to_x(const std::string& spec) {
  std::string out;
  bool in_brackets = false;
  for (char c : spec) {
    if (c == '[') in_brackets = true;
    else if (c == ']') in_brackets = false;
    else if (in_brackets && c == ',') out += 'x';
    else if (!(in_brackets && c == ' ')) out += c;
  }
  return out;
}

std::vector<shape_spec> parse_input_shapes(const std::vector<std::string>& args) {
  std::vector<shape_spec> all;
  for (const std::string& a : args) {
    std::vector<shape_spec> specs;
    try {
      specs = parse_shape_specs(bracket_dims_to_x(a));
    } catch (const spec_error& e) {
      throw spec_error(std::string("--input-shapes: ") + e.what());
    }
    for (shape_spec& s : specs) {
      if (find_shape(all, s.name) != nullptr) throw spec_error("--input-shapes gives '" + s.name + "' twice");
      all.push_back(std::move(s));
    }
  }
  return all;
}

#ifdef MIRT_CLI_ONNX_VIEW
// The graph inputs as the ONNX file declares them (symbolic and unknown dims as -1).
std::vector<model_input> onnx_inputs(const std::string& path) {
  const onnx_model_info info(path);
  std::vector<model_input> out;
  for (const onnx_value_info& v : info.inputs) {
    model_input in{v.name, MIRT_DTYPE_UNDEFINED, {}};
    for (mirt_dtype d : {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_INT8, MIRT_DTYPE_UINT8,
                         MIRT_DTYPE_INT32, MIRT_DTYPE_INT64, MIRT_DTYPE_BOOL})
      if (v.dtype == mirt_dtype_name(d)) in.dtype = d;
    if (in.dtype == MIRT_DTYPE_UNDEFINED)
      throw spec_error("input '" + v.name + "' has dtype " + v.dtype + ", which mirt run cannot generate or read");
    for (const std::string& d : v.dims)
      in.declared.push_back(d.find_first_not_of("0123456789") == std::string::npos ? std::stoll(d) : -1);
    out.push_back(std::move(in));
  }
  return out;
}
#else
std::vector<model_input> onnx_inputs(const std::string& path) {
  network net;
  parse_onnx_file(net, path);
  std::vector<model_input> out;
  for (size_t i = 0; i < net.num_inputs(); ++i) out.push_back({net.input(i).name(), net.input(i).dtype(), net.input(i).dims()});
  return out;
}
#endif

std::string names_of(const std::vector<model_input>& inputs) {
  std::string all;
  for (const model_input& i : inputs) all += (all.empty() ? "'" : ", '") + i.name + "'";
  return all.empty() ? "none" : all;
}

// The shape each input runs at: --input-shapes, else the loaded array's, else the declared shape
// with dynamic dims as 1. Checked against the model's rank and fixed dims.
dims resolve_shape(const model_input& in, const shape_spec* given, const npy_array* loaded, const std::string& file) {
  dims shape;
  std::string source;
  if (given != nullptr) {
    shape = given->dims, source = "--input-shapes";
    if (loaded != nullptr && loaded->shape != given->dims)
      throw spec_error("input '" + in.name + "': --input-shapes gives " + format_dims(given->dims) + " but " + file + " holds " +
                       format_dims(loaded->shape));
  } else if (loaded != nullptr) {
    shape = loaded->shape, source = file;
  } else {
    bool dynamic = false;
    for (int64_t d : in.declared) shape.push_back(d < 0 ? 1 : d), dynamic = dynamic || d < 0;
    if (dynamic)
      std::cerr << "[W] input '" << in.name << "' has dynamic shape " << format_dims(in.declared) << "; using "
                << format_dims(shape) << " (set it with --input-shapes " << in.name << ":<dims>)\n";
    return shape;
  }
  bool fits = shape.size() == in.declared.size();
  for (size_t k = 0; fits && k < shape.size(); ++k) fits = in.declared[k] < 0 || in.declared[k] == shape[k];
  if (!fits)
    throw spec_error("input '" + in.name + "': " + source + " gives shape " + format_dims(shape) + ", but the model declares " +
                     format_dims(in.declared) + " ('?' = any)");
  return shape;
}

// Owns a fresh temporary folder for the files exchanged with ONNX Runtime.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mirt-run-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temporary folder " + pattern);
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Builds the model for the inputs' shapes, runs it once and returns the outputs.
std::vector<npy_array> run_mirt(const run_options& o, network& net, const std::vector<npy_array>& inputs) {
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = to_c(o.backend);
  builder_config config(options);
  std::optional<size_t> profile;
  for (size_t i = 0; i < net.num_inputs(); ++i) {
    const dims declared = net.input(i).dims();
    bool dynamic = false;
    for (int64_t d : declared) dynamic = dynamic || d < 0;
    if (!dynamic) continue;
    if (!profile) profile = config.add_profile();
    config.set_profile_shape(*profile, inputs[i].name, inputs[i].shape, inputs[i].shape, inputs[i].shape);
  }
  auto t0 = clock_type::now();
  const plan p = build(net, config);
  const double build_s = seconds_since(t0);
  engine eng(p);
  context ctx(eng, 0);
  std::vector<io_binding> io;
  for (size_t i = 0; i < eng.num_io_tensors(); ++i) {
    io.emplace_back();
    io.back().info = eng.io_tensor(i);
  }
  for (io_binding& b : io) {
    if (!b.info.is_input) continue;
    const npy_array* in = nullptr;
    for (const npy_array& a : inputs) in = a.name == b.info.name ? &a : in;
    if (in == nullptr) throw std::runtime_error("the engine has input '" + b.info.name + "', which the network did not list");
    b.shape = in->shape;
    ctx.set_input_shape(b.info.name, b.shape);
  }
  // Outputs of data-dependent shape (NonZero, NonMaxSuppression, ...) get their memory from an
  // output allocator during the run; the others are sized now.
  const std::vector<std::unique_ptr<grown_output>> grown = allocate_data_dependent_outputs(eng, ctx);
  for (io_binding& b : io) {
    if (find_grown(grown, b.info.name) != nullptr) continue;
    if (!b.info.is_input) b.shape = ctx.tensor_shape(b.info.name);
    for (int64_t d : b.shape)
      if (d < 0) throw std::runtime_error("output '" + b.info.name + "' has unresolved dims " + format_dims(b.shape));
    allocate_buffers(eng, b, b.info.location == MIRT_TENSOR_LOCATION_DEVICE);
    if (b.info.is_input)
      for (const npy_array& a : inputs)
        if (a.name == b.info.name) convert_values(a.data.data(), a.dtype, b.host->data(), b.info.dtype, b.count, "input '" + a.name + "'");
    ctx.set_tensor_address(b.info.name, b.address());
  }
  t0 = clock_type::now();
  upload_inputs(eng, io);
  ctx.enqueue(nullptr);
  eng.synchronize(nullptr);
  download_outputs(eng, io);
  for (io_binding& b : io)
    if (const grown_output* g = find_grown(grown, b.info.name)) read_grown_output(eng, b, *g);
  std::printf("[I] mirt (backend %s): built in %.3f s, ran in %.3f ms\n", eng.backend_name().c_str(), build_s,
              seconds_since(t0) * 1000.0);
  std::vector<npy_array> outputs;
  for (const io_binding& b : io) {
    if (b.info.is_input) continue;
    npy_array a;
    a.name = b.info.name;
    a.dtype = b.info.dtype;
    a.shape = b.shape;
    const auto* bytes = static_cast<const uint8_t*>(b.host->data());
    a.data.assign(bytes, bytes + b.bytes);
    outputs.push_back(std::move(a));
  }
  return outputs;
}

std::string fmt(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.5g", v);
  return text;
}

// Prints one output's comparison, Polygraphy-style; returns whether it passed.
bool report_output(const npy_array& got, const npy_array* want, const tolerance& tol) {
  std::cout << "[I] Comparing output '" << got.name << "' (" << mirt_dtype_name(got.dtype) << ", " << format_dims(got.shape)
            << "): mirt vs onnxrt\n";
  if (want == nullptr) {
    std::cout << "[E]     FAILED | output '" << got.name << "' | ONNX Runtime has no output of that name\n";
    return false;
  }
  if (want->shape != got.shape) {
    std::cout << "[E]     FAILED | output '" << got.name << "' | shapes differ: mirt " << format_dims(got.shape) << ", onnxrt "
              << format_dims(want->shape) << "\n";
    return false;
  }
  const comparison c = compare_values(values_to_doubles(got.data.data(), got.dtype, got.count()),
                                      values_to_doubles(want->data.data(), want->dtype, want->count()), tol);
  auto stats = [](const char* who, const value_stats& s) {
    std::cout << "[I]     " << who << " | Stats: mean=" << fmt(s.mean) << ", min=" << fmt(s.min) << ", max=" << fmt(s.max)
              << ", avg-magnitude=" << fmt(s.mean_magnitude) << "\n";
  };
  std::cout << "[I]     Tolerance: [abs=" << fmt(tol.atol) << ", rel=" << fmt(tol.rtol)
            << "] | elementwise: |mirt - onnxrt| <= abs + rel * |onnxrt|\n";
  stats("mirt  ", c.got_stats);
  stats("onnxrt", c.want_stats);
  std::cout << "[I]     Absolute difference | max=" << fmt(c.max_abs) << " at " << index_text(c.max_abs_index, got.shape)
            << ", mean=" << fmt(c.mean_abs) << "\n";
  std::cout << "[I]     Relative difference | max=" << fmt(c.max_rel) << " at " << index_text(c.max_rel_index, got.shape)
            << ", mean=" << fmt(c.mean_rel) << " (over elements where onnxrt != 0)\n";
  std::cout << "[I]     Minimum required tolerance: [abs=" << fmt(c.required_atol) << "] OR [rel=" << fmt(c.required_rtol) << "]\n";
  if (c.nonfinite != 0) std::cout << "[W]     " << c.nonfinite << " element(s) are NaN or Inf in mirt or onnxrt\n";
  if (c.passed)
    std::cout << "[I]     PASSED | output '" << got.name << "' | difference is within tolerance (" << c.count << " elements)\n";
  else
    std::cout << "[E]     FAILED | output '" << got.name << "' | " << c.mismatches << " of " << c.count
              << " elements are outside tolerance\n";
  return c.passed;
}

int run(const run_options& o) {
  if (!o.mirt && !o.onnxrt) throw spec_error("choose what to run: --mirt, --onnxrt, or both to compare them");
  const std::vector<shape_spec> specs = parse_input_shapes(o.input_shapes);
  std::vector<npy_array> loaded;
  if (!o.load_inputs.empty()) loaded = read_npz(o.load_inputs);

  network net;
  std::vector<model_input> model_inputs;
  if (o.mirt) {
    parse_onnx_file(net, o.model);
    for (size_t i = 0; i < net.num_inputs(); ++i) model_inputs.push_back({net.input(i).name(), net.input(i).dtype(), net.input(i).dims()});
  } else {
    model_inputs = onnx_inputs(o.model);  // ONNX Runtime alone: any model, even one mirt cannot import
  }
  for (const shape_spec& s : specs) {
    bool found = false;
    for (const model_input& in : model_inputs) found = found || in.name == s.name;
    if (!found) throw spec_error("--input-shapes names '" + s.name + "', which is not an input of the model (inputs: " + names_of(model_inputs) + ")");
  }
  for (const npy_array& a : loaded) {
    bool found = false;
    for (const model_input& in : model_inputs) found = found || in.name == a.name;
    if (!found) throw spec_error(o.load_inputs + " holds '" + a.name + "', which is not an input of the model (inputs: " + names_of(model_inputs) + ")");
  }

  // The inputs, in the model's dtypes; both runners get these same arrays.
  std::vector<npy_array> inputs;
  std::cout << "[I] Inputs:\n";
  for (size_t i = 0; i < model_inputs.size(); ++i) {
    const model_input& in = model_inputs[i];
    const npy_array* file = nullptr;
    for (const npy_array& a : loaded) file = a.name == in.name ? &a : file;
    npy_array a;
    a.name = in.name;
    a.shape = resolve_shape(in, find_shape(specs, in.name), file, o.load_inputs);
    if (file != nullptr) {
      a = *file;
    } else {
      a.dtype = in.dtype;
      a.data.resize(element_count(a.shape) * mirt_dtype_size(a.dtype));
      fill_deterministic(a.data.data(), a.dtype, a.count(), o.seed * 0x9E3779B97F4A7C15ull + i);
    }
    std::cout << "[I]     " << a.name << ": " << mirt_dtype_name(a.dtype) << " " << format_dims(a.shape) << " ("
              << (file != nullptr ? "from " + o.load_inputs : "generated, seed " + std::to_string(o.seed)) << ")\n";
    inputs.push_back(std::move(a));
  }
  if (!o.save_inputs.empty()) {
    write_npz(o.save_inputs, inputs);
    std::cout << "[I] Saved inputs to " << o.save_inputs << "\n";
  }

  std::vector<npy_array> mirt_outputs, ort_outputs;
  if (o.mirt) mirt_outputs = run_mirt(o, net, inputs);
  if (o.onnxrt) {
    temp_dir dir;
    const auto t0 = clock_type::now();
    ort_outputs = run_onnxrt(o.python, o.model, inputs, dir.path());
    std::printf("[I] onnxrt (CPUExecutionProvider, %s): ran in %.3f s including Python start-up\n", o.python.c_str(), seconds_since(t0));
  }
  if (!o.save_outputs.empty()) {
    write_npz(o.save_outputs, o.mirt ? mirt_outputs : ort_outputs);
    std::cout << "[I] Saved " << (o.mirt ? "mirt" : "onnxrt") << " outputs to " << o.save_outputs << "\n";
  }
  if (!(o.mirt && o.onnxrt)) {
    for (const npy_array& a : o.mirt ? mirt_outputs : ort_outputs)
      std::cout << "[I] output '" << a.name << "': " << mirt_dtype_name(a.dtype) << " " << format_dims(a.shape) << "\n";
    return 0;
  }

  const tolerance tol{o.atol, o.rtol};
  std::vector<std::string> failed;
  for (const npy_array& got : mirt_outputs) {
    const npy_array* want = nullptr;
    for (const npy_array& a : ort_outputs) want = a.name == got.name ? &a : want;
    if (!report_output(got, want, tol)) failed.push_back(got.name);
  }
  for (const npy_array& a : ort_outputs) {
    bool found = false;
    for (const npy_array& m : mirt_outputs) found = found || m.name == a.name;
    if (!found) {
      std::cout << "[E] FAILED | output '" << a.name << "' | mirt has no output of that name\n";
      failed.push_back(a.name);
    }
  }
  if (failed.empty()) {
    std::cout << "[I] PASSED | all " << mirt_outputs.size() << " output(s) matched\n";
    return 0;
  }
  std::string list;
  for (const std::string& n : failed) list += (list.empty() ? "'" : ", '") + n + "'";
  std::cout << "[E] FAILED | mismatched outputs: " << list << "\n";
  return 1;
}

}  // namespace

int run_run_command(const run_options& o) {
  const auto t0 = clock_type::now();
  std::cout << "[I] RUNNING | Command: " << o.command_line << std::endl;
  int rc = 1;
  try {
    rc = run(o);
  } catch (const mirt::error& e) {
    std::cerr << "[E] error: " << e.what() << " [" << e.code_name() << "]\n";
  } catch (const std::exception& e) {
    std::cerr << "[E] error: " << e.what() << "\n";
  }
  std::printf("[%s] %s | Runtime: %.3fs | Command: %s\n", rc == 0 ? "I" : "E", rc == 0 ? "PASSED" : "FAILED", seconds_since(t0),
              o.command_line.c_str());
  return rc;
}

}  // namespace mirt::cli
