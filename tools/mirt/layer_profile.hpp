// tools/mirt/layer_profile.hpp — `mirt exec --dumpProfile / --exportProfile`: per-layer times
// gathered through the context's profiler (mirt_context_set_profiler) over separate profiling runs,
// printed as a table and written as JSON in trtexec's --exportProfile layout.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace mirt::cli {

class layer_profile {
 public:
  // mirt_layer_time_fn; user_data is the layer_profile.
  static void callback(void* user_data, const char* layer_name, const char* op_type, const char* tactic, float ms);
  // Call before each profiled run.
  void begin_run();

  // Layers in execution order with total, average, median and share of the summed time.
  void print(std::ostream& out) const;
  // [{"count": runs}, {"name", "opType", "tactic", "timeMs", "averageMs", "medianMs", "percentage"}...]
  std::string to_json() const;

 private:
  struct layer {
    std::string name, op_type, tactic;
    std::vector<float> ms;  // one per run
  };
  double total_ms() const;
  std::vector<layer> layers_;
  size_t next_ = 0;
  int runs_ = 0;
};

}  // namespace mirt::cli
