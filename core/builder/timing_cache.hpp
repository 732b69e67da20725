// core/builder/timing_cache.hpp — the persistent timing cache: which tactic won the timing of a
// layer, keyed by everything that decides the timing (backend name and version, device signature,
// precision flags, op, attributes, operand dtypes and shapes). A build that finds a layer's key
// takes the recorded tactic without timing it, so the same cache gives the same plan.
#pragma once

#include <map>
#include <string>

#include "core/base/status.hpp"

namespace mirt {

// File format (text, one entry a line, sorted by key so equal caches are equal files):
//   mirt timing cache 1
//   <key>\t<tactic name>
// Keys escape backslash, tab and newline as \\, \t and \n.
class timing_cache {
 public:
  // Reads path. A missing file is an empty cache. A file that is not a timing cache, or has a
  // malformed line, is an error (INVALID_ARGUMENT naming the path and the line): a build never
  // silently ignores the cache it was given.
  static result<timing_cache> load(const std::string& path);

  // The tactic recorded for key, or nullptr.
  const std::string* find(const std::string& key) const;
  void put(const std::string& key, const std::string& tactic);
  size_t size() const { return entries_.size(); }
  bool changed() const { return changed_; }

  // Writes the cache to path through a temporary file and a rename, so that a reader never sees a
  // half-written cache. IO_ERROR names the path.
  status save(const std::string& path) const;

 private:
  std::map<std::string, std::string> entries_;
  bool changed_ = false;
};

}  // namespace mirt
