// tools/mirt/fold_command.cpp — `mirt fold model.onnx -o folded.onnx`: the nodes that compute
// only from constants are run once by mirt (the cpu backend by default) and replaced by
// initializers holding their values, as Polygraphy's `surgeon sanitize --fold-constants` does.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "commands.hpp"
#include "constant_folding.hpp"
#include "mirt/mirt.hpp"
#include "onnx_file.hpp"

namespace mirt::cli {

CLI::App* add_fold_command(CLI::App& app, fold_options& options) {
  CLI::App* cmd = app.add_subcommand("fold", "Fold the constant parts of an ONNX model into initializers and write the model");
  cmd->add_option("model", options.model, "The ONNX model")->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", options.output, "Where to write the folded model")->required();
  cmd->add_option("--backend", options.backend, "The backend that computes the constants (default: cpu)");
  return cmd;
}

namespace {

int onnx_type_of(mirt_dtype dtype) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: return onnx::TensorProto::FLOAT;
    case MIRT_DTYPE_FLOAT16: return onnx::TensorProto::FLOAT16;
    case MIRT_DTYPE_BFLOAT16: return onnx::TensorProto::BFLOAT16;
    case MIRT_DTYPE_INT8: return onnx::TensorProto::INT8;
    case MIRT_DTYPE_UINT8: return onnx::TensorProto::UINT8;
    case MIRT_DTYPE_INT32: return onnx::TensorProto::INT32;
    case MIRT_DTYPE_INT64: return onnx::TensorProto::INT64;
    case MIRT_DTYPE_BOOL: return onnx::TensorProto::BOOL;
    case MIRT_DTYPE_FLOAT64: return onnx::TensorProto::DOUBLE;
    default: throw std::runtime_error("a folded value has a dtype ONNX cannot hold");
  }
}

// Runs the evaluation model (no inputs) on `backend` and returns each output as a tensor.
std::vector<onnx::TensorProto> evaluate(const onnx::ModelProto& eval, const std::string& backend) {
  const std::string bytes = eval.SerializeAsString();
  network net;
  parse_onnx_bytes(net, bytes.data(), bytes.size());
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = to_c(backend);
  options.optimization_level = 0;  // run once: no tactic timing
  const plan p = build(net, builder_config(options));
  engine eng(p);
  context ctx(eng, 0);
  std::vector<std::vector<uint8_t>> host;
  std::vector<device_buffer> device;
  std::vector<onnx::TensorProto> values;
  for (size_t i = 0; i < eng.num_io_tensors(); ++i) {
    const io_tensor_info info = eng.io_tensor(i);
    const dims shape = ctx.tensor_shape(info.name);
    int64_t count = 1;
    for (int64_t d : shape) {
      if (d < 0) throw std::runtime_error("folded value '" + info.name + "' has a shape known only when it runs");
      count *= d;
    }
    onnx::TensorProto& t = values.emplace_back();
    t.set_name(info.name);
    t.set_data_type(onnx_type_of(info.dtype));
    for (int64_t d : shape) t.add_dims(d);
    host.emplace_back(size_t(count) * mirt_dtype_size(info.dtype));
    void* address = host.back().data();
    if (info.location == MIRT_TENSOR_LOCATION_DEVICE) address = device.emplace_back(eng.alloc_device_memory(host.back().size())).get();
    ctx.set_tensor_address(info.name, address);
  }
  ctx.enqueue(nullptr);
  eng.synchronize(nullptr);
  size_t on_device = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (eng.io_tensor(i).location == MIRT_TENSOR_LOCATION_DEVICE)
      eng.copy_memory(host[i].data(), device[on_device++].get(), host[i].size(), MIRT_COPY_KIND_DEVICE_TO_HOST);
    values[i].set_raw_data(host[i].data(), host[i].size());
  }
  return values;
}

}  // namespace

int run_fold_command(const fold_options& o) {
  onnx::ModelProto model;
  read_onnx_model(o.model, model);
  const int before = model.graph().node_size();
  const fold_plan plan = plan_folding(model);
  std::vector<onnx::TensorProto> values;
  if (!plan.boundary.empty()) {
    try {
      std::vector<onnx::TensorProto> computed = evaluate(evaluation_model(model, plan), o.backend);
      for (size_t k = 0; k < plan.boundary.size(); ++k) {  // in the plan's order, whatever order the engine lists them in
        for (onnx::TensorProto& t : computed)
          if (t.name() == plan.boundary[k]) values.push_back(std::move(t));
        if (values.size() != k + 1) throw std::runtime_error("the engine has no output '" + plan.boundary[k] + "'");
      }
    } catch (const std::exception& e) {
      throw std::runtime_error("computing the " + std::to_string(plan.boundary.size()) + " folded values with the " + o.backend +
                               " backend: " + e.what());
    }
  }
  replace_folded(model, plan, std::move(values));
  write_onnx_model(model, o.output);
  std::printf("[I] folded %d of %d nodes into %zu constants; '%s' has %d nodes\n", plan.foldable, before, plan.boundary.size(),
              o.output.c_str(), model.graph().node_size());
  return 0;
}

}  // namespace mirt::cli
