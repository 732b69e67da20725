// tools/mirt/layer_profile.cpp — accumulating, printing and exporting per-layer times.
#include "layer_profile.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace mirt::cli {

namespace {

double sum(const std::vector<float>& v) {
  double s = 0;
  for (float x : v) s += x;
  return s;
}

double median(std::vector<float> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (double(v[h - 1]) + v[h]);
}

}  // namespace

void layer_profile::callback(void* user_data, const char* layer_name, const char* op_type, const char* tactic, float ms) {
  auto* self = static_cast<layer_profile*>(user_data);
  if (self->next_ == self->layers_.size()) self->layers_.push_back({layer_name, op_type, tactic, {}});
  self->layers_[self->next_++].ms.push_back(ms);
}

void layer_profile::begin_run() {
  next_ = 0;
  ++runs_;
}

double layer_profile::total_ms() const {
  double t = 0;
  for (const layer& l : layers_) t += sum(l.ms);
  return t;
}

void layer_profile::print(std::ostream& out) const {
  const double total = total_ms();
  char line[512];
  out << "\n=== Profile (" << runs_ << " iterations; each layer synchronized, so the sum exceeds a normal run) ===\n";
  std::snprintf(line, sizeof line, "%10s %10s %10s %8s   %s\n", "Time(ms)", "Avg.(ms)", "Median(ms)", "Time(%)", "Layer [op, tactic]");
  out << line;
  for (const layer& l : layers_) {
    const double t = sum(l.ms);
    std::snprintf(line, sizeof line, "%10.3f %10.4f %10.4f %8.1f   %s [%s, %s]\n", t, t / std::max<size_t>(l.ms.size(), 1),
                  median(l.ms), total > 0 ? 100.0 * t / total : 0.0, l.name.c_str(), l.op_type.c_str(), l.tactic.c_str());
    out << line;
  }
  std::snprintf(line, sizeof line, "%10.3f %10.4f %10s %8.1f   Total\n", total, runs_ ? total / runs_ : 0.0, "", 100.0);
  out << line;
}

std::string layer_profile::to_json() const {
  const double total = total_ms();
  nlohmann::json j = nlohmann::json::array();
  j.push_back({{"count", runs_}});
  for (const layer& l : layers_) {
    const double t = sum(l.ms);
    j.push_back({{"name", l.name},
                 {"opType", l.op_type},
                 {"tactic", l.tactic},
                 {"timeMs", t},
                 {"averageMs", t / std::max<size_t>(l.ms.size(), 1)},
                 {"medianMs", median(l.ms)},
                 {"percentage", total > 0 ? 100.0 * t / total : 0.0}});
  }
  return j.dump(1);
}

}  // namespace mirt::cli
