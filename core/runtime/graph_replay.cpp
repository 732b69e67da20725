// core/runtime/graph_replay.cpp — mirt_context_set_graph_replay: a context's run recorded once
// into the backend's device graph (a CUDA graph) and launched again while its launches (shapes,
// addresses, memory) stay the same, so later runs skip the host's per-layer work.
//
// The first run after the launches change runs plainly: kernels may set up lazy state (plans for a
// new shape, allocations) on their first call, which a recording would reject. The next run
// records; a recording that fails (a layer that synchronizes, or refuses to be recorded because it
// must differ from run to run) turns replay off with a warning and runs plainly, so the outputs
// are always those of a plain run.
#include "core/base/log.hpp"
#include "core/runtime/context.hpp"

namespace mirt {

status context::set_graph_replay(bool enable) {
  const backend& target = engine_->target();
  if (enable && !target.has_graphs())
    return make_error(MIRT_STATUS_UNSUPPORTED, "backend '", target.name(),
                      "' cannot record graphs, so graph replay is not available on it");
  replay_ = enable;
  drop_graph();
  warm_generation_ = 0;
  return {};
}

void context::drop_graph() {
  if (graph_) engine_->target().graph_destroy(graph_);
  graph_ = nullptr;
}

std::string context::replay_obstacle(void* stream) const {
  if (stream == nullptr) return "it runs on the default stream, which cannot be recorded";
  if (profiler_) return "a profiler is set (it synchronizes after every layer)";
  if (input_consumed_event_) return "an input-consumed event is set";
  return {};
}

void context::stop_replay(const std::string& why) {
  log_warning("runtime", "graph replay is off for this context: ", why, "; it runs plainly");
  replay_ = false;
  drop_graph();
}

status context::run_replayed(void* stream) {
  const backend& target = engine_->target();
  if (graph_ && graph_generation_ == launches_generation_) return target.graph_launch(graph_, stream);
  if (warm_generation_ != launches_generation_) {
    warm_generation_ = launches_generation_;
    return run_layers(stream);
  }
  if (status begun = target.graph_record_begin(stream); !begun.ok()) {
    stop_replay(cat("the backend cannot record on this stream: ", begun.message()));
    return run_layers(stream);
  }
  const status recorded = run_layers(stream);  // recorded, not run
  result<void*> made = target.graph_record_end(stream, graph_);
  if (!recorded.ok() || !made.ok()) {
    if (made.ok() && *made != graph_) target.graph_destroy(*made);
    stop_replay(cat("recording the run failed: ", recorded.ok() ? made.error().message() : recorded.message()));
    return run_layers(stream);  // the run itself: nothing ran while recording
  }
  log_verbose("runtime", "graph replay: recorded the run's ", launches_.size(), " layers into a ",
              *made == graph_ ? "graph updated in place" : "new graph");
  if (*made != graph_) drop_graph();
  graph_ = *made;
  graph_generation_ = launches_generation_;
  return target.graph_launch(graph_, stream);
}

}  // namespace mirt
