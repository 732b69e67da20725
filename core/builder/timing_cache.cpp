// core/builder/timing_cache.cpp — reading and writing the persistent timing cache file.
#include "core/builder/timing_cache.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mirt {

namespace {

constexpr const char* k_header = "mirt timing cache 1";

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\t') out += "\\t";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// Undoes escape(); false on a dangling or unknown escape.
bool unescape(const std::string& s, std::string& out) {
  out.clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i == s.size()) return false;
    if (s[i] == '\\') out += '\\';
    else if (s[i] == 't') out += '\t';
    else if (s[i] == 'n') out += '\n';
    else return false;
  }
  return true;
}

status corrupt(const std::string& path, size_t line, const std::string& why) {
  return make_error(MIRT_STATUS_INVALID_ARGUMENT, "timing cache '", path, "' line ", line, ": ", why,
                    " (the file is damaged or not a mirt timing cache; delete it to start a new one)");
}

}  // namespace

result<timing_cache> timing_cache::load(const std::string& path) {
  timing_cache cache;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return cache;
    return make_error(MIRT_STATUS_IO_ERROR, "cannot read timing cache '", path, "': ", std::strerror(errno));
  }
  std::string line;
  size_t number = 0;
  if (!std::getline(in, line)) return cache;  // an empty file is an empty cache
  ++number;
  if (line != k_header) return corrupt(path, number, "expected the header '" + std::string(k_header) + "'");
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    const size_t tab = line.find('\t');
    if (tab == std::string::npos || tab == 0 || tab + 1 == line.size() || line.find('\t', tab + 1) != std::string::npos)
      return corrupt(path, number, "expected '<key><tab><tactic>'");
    std::string key;
    if (!unescape(line.substr(0, tab), key)) return corrupt(path, number, "bad escape in the key");
    cache.entries_[key] = line.substr(tab + 1);
  }
  if (in.bad()) return make_error(MIRT_STATUS_IO_ERROR, "error reading timing cache '", path, "'");
  return cache;
}

const std::string* timing_cache::find(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void timing_cache::put(const std::string& key, const std::string& tactic) {
  auto [it, inserted] = entries_.try_emplace(key, tactic);
  if (inserted || it->second != tactic) {
    it->second = tactic;
    changed_ = true;
  }
}

status timing_cache::save(const std::string& path) const {
  std::ostringstream text;
  text << k_header << '\n';
  for (const auto& [key, tactic] : entries_) text << escape(key) << '\t' << tactic << '\n';
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text.str();
    out.flush();
    if (!out)
      return make_error(MIRT_STATUS_IO_ERROR, "cannot write timing cache '", temporary, "': ", std::strerror(errno));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(temporary.c_str());
    return make_error(MIRT_STATUS_IO_ERROR, "cannot write timing cache '", path, "': ", why);
  }
  return {};
}

}  // namespace mirt
