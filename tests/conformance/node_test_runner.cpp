// tests/conformance/node_test_runner.cpp — runs the ONNX backend node tests through mirt's public C
// ABI: each test folder's model.onnx goes through the ONNX parser module, is built for one backend
// ("cpu" unless --backend says otherwise), run on test_data_set_*/input_*.pb and compared with
// output_*.pb. Every test ends in PASS, FAIL (with the reason) or SKIP (with a justified category).
// Each data set has a pass list in the repo; a test on it that no longer passes fails the run.
//
// Reading the test data: the runner links Debian's libonnx_proto + libprotobuf (the same pair the
// parser module uses; see parsers/onnx/onnx_proto.hpp). It is a test executable, not part of
// libmirt, so this adds no dependency to core. We need more than TensorProto: the skip categories
// and the failing-op statistics need the ModelProto (graph input/output types, node op types and
// domains), and a hand-written wire reader for both messages would be a second protobuf decoder to
// get right and test. The model itself still reaches mirt only through mirt_onnx_parse_file().
//
// Threads: each test owns its network, config, plan, engine and context (the C ABI allows builds
// and engines on several threads at once), so tests run on a pool of worker threads. A watchdog
// fails a test that runs longer than --test-timeout seconds and replaces its worker, so one hang
// does not stop the run.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "tests/conformance/classify.hpp"
#include "tests/conformance/run_test.hpp"
#include "tests/conformance/tensor_data.hpp"

using namespace conformance;

// ---- the run -------------------------------------------------------------------------------------

namespace {

// Names of the tests in flight, for the crash handler (which may only write(2) fixed buffers).
constexpr int max_slots = 256;
char in_flight[max_slots][160];
std::atomic<bool> slot_used[max_slots];

int take_slot(const std::string& label) {
  for (int i = 0; i < max_slots; ++i) {
    bool expected = false;
    if (slot_used[i].compare_exchange_strong(expected, true)) {
      std::snprintf(in_flight[i], sizeof in_flight[i], "%s\n", label.c_str());
      return i;
    }
  }
  return -1;
}
void free_slot(int i) {
  if (i >= 0) slot_used[i] = false;
}

void on_crash(int sig) {
  const char head[] = "\nnode_test_runner: crashed; tests in flight:\n";
  [[maybe_unused]] ssize_t w = write(2, head, sizeof head - 1);
  for (int i = 0; i < max_slots; ++i)
    if (slot_used[i]) w = write(2, in_flight[i], strnlen(in_flight[i], sizeof in_flight[i]));
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

struct set_spec {
  std::string name;
  fs::path dir;
  fs::path pass_list;
};

struct config {
  options opt;
  std::vector<set_spec> sets;
  unsigned threads = 0;
  std::string filter;
  bool update = false, allow_missing = false, quiet = false, verbose = false;
  double test_timeout_s = 120;
  std::string summary_md;
};

// State shared by the workers of one data set. Held by shared_ptr so a worker that the watchdog
// gave up on can still finish (or hang) without touching freed memory.
struct pool_state {
  std::vector<fs::path> dirs;
  std::string set_name;
  options opt;
  std::vector<result> results;
  std::vector<int> state;  // 0 waiting, 1 running, 2 done, 3 timed out
  std::vector<std::chrono::steady_clock::time_point> started;
  size_t next = 0, finished = 0;
  unsigned alive = 0, hung = 0;  // worker threads still in worker(); those left hanging
  std::mutex m;
  std::condition_variable cv;
};

void worker(std::shared_ptr<pool_state> ps) {
  for (;;) {
    size_t i;
    {
      std::lock_guard<std::mutex> lock(ps->m);
      if (ps->next >= ps->dirs.size()) {
        --ps->alive;
        ps->cv.notify_all();
        return;
      }
      i = ps->next++;
      ps->state[i] = 1;
      ps->started[i] = std::chrono::steady_clock::now();
    }
    int slot = take_slot(ps->set_name + "/" + ps->dirs[i].filename().string());
    result r;
    r.name = ps->dirs[i].filename().string();
    try {
      run_test(ps->dirs[i], ps->opt, r);
    } catch (const failure& f) {
      r.v = verdict::fail;
      r.reason = f.text;
    } catch (const std::exception& e) {
      r.v = verdict::fail;
      r.reason = std::string("runner: exception: ") + e.what();
    }
    free_slot(slot);
    std::lock_guard<std::mutex> lock(ps->m);
    if (ps->state[i] == 3) return;  // the watchdog gave up on this one and started another worker
    ps->results[i] = std::move(r);
    ps->state[i] = 2;
    ++ps->finished;
    ps->cv.notify_all();
  }
}

// Runs every test folder of dirs; returns results in the order of dirs. Sets *abandoned when a
// worker had to be left hanging.
std::vector<result> run_all(const std::string& set_name, std::vector<fs::path> dirs, const config& cfg, bool* abandoned) {
  auto ps = std::make_shared<pool_state>();
  ps->dirs = std::move(dirs);
  ps->set_name = set_name;
  ps->opt = cfg.opt;
  ps->results.resize(ps->dirs.size());
  ps->state.assign(ps->dirs.size(), 0);
  ps->started.resize(ps->dirs.size());
  unsigned n = cfg.threads ? cfg.threads : std::max(1u, std::thread::hardware_concurrency());
  n = std::min<unsigned>(n, static_cast<unsigned>(std::max<size_t>(ps->dirs.size(), 1)));
  std::unique_lock<std::mutex> lock(ps->m);
  ps->alive = n;
  for (unsigned t = 0; t < n; ++t) std::thread(worker, ps).detach();
  while (ps->finished < ps->dirs.size()) {
    ps->cv.wait_for(lock, std::chrono::milliseconds(500));
    auto now = std::chrono::steady_clock::now();
    for (size_t i = 0; i < ps->dirs.size(); ++i) {
      if (ps->state[i] != 1) continue;
      double s = std::chrono::duration<double>(now - ps->started[i]).count();
      if (s < cfg.test_timeout_s) continue;
      ps->state[i] = 3;
      ps->results[i].name = ps->dirs[i].filename().string();
      ps->results[i].v = verdict::fail;
      ps->results[i].reason = "timeout: still running after " + std::to_string(static_cast<int>(s)) + " s";
      ++ps->finished;
      *abandoned = true;
      ++ps->hung;
      ++ps->alive;
      std::thread(worker, ps).detach();
    }
  }
  // The workers return once the queue is empty; wait until every one not left hanging has.
  ps->cv.wait(lock, [&] { return ps->alive <= ps->hung; });
  return ps->results;
}

std::set<std::string> read_list(const fs::path& p) {
  std::set<std::string> out;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    line.erase(0, line.find_first_not_of(" \t\r"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (!line.empty() && line[0] != '#') out.insert(line);
  }
  return out;
}

bool write_list(const fs::path& p, const std::string& set_name, const std::string& backend,
                const std::vector<std::string>& names) {
  std::ofstream out(p, std::ios::trunc);
  out << "# ONNX backend node tests (" << set_name << ") that pass on the " << backend
      << " backend. Sorted; the list may only grow.\n"
         "# A test on it that stops passing fails the onnx_conformance test. Regenerate with\n"
         "# node_test_runner --update-pass-lists (see docs/conformance.md).\n";
  for (const std::string& n : names) out << n << "\n";
  return static_cast<bool>(out);
}

// "type string: input 'x'" -> "type string"; "build: UNSUPPORTED: ..." -> "build".
std::string category(const std::string& reason) {
  std::string r = reason;
  if (r.rfind("set ", 0) == 0) r = r.substr(r.find(' ', 4) + 1);
  return r.substr(0, r.find(':'));
}

std::string pct(size_t a, size_t b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0.0);
  return buf;
}

template <typename Map>
std::vector<std::pair<std::string, size_t>> by_count(const Map& m) {
  std::vector<std::pair<std::string, size_t>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return v;
}

void usage() {
  std::fprintf(stderr,
               "usage: node_test_runner [--set NAME DIR PASS_LIST]... [--backend NAME] [--threads N]\n"
               "         [--filter SUBSTRING] [--update-pass-lists] [--allow-missing] [--quiet] [--verbose]\n"
               "         [--test-timeout SECONDS] [--rtol X] [--atol X] [--summary-md FILE]\n"
               "Without --set, runs the ONNX 1.22 set in the source tree and Debian's ONNX 1.12 set.\n");
}

void log_quiet(void*, mirt_log_level, const char*, const char*) {}

}  // namespace

int main(int argc, char** argv) {
  config cfg;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto need = [&](int n) {
      if (i + n >= argc) {
        usage();
        std::exit(2);
      }
    };
    if (a == "--set") {
      need(3);
      cfg.sets.push_back({argv[i + 1], argv[i + 2], argv[i + 3]});
      i += 3;
    } else if (a == "--backend") {
      need(1);
      cfg.opt.backend = argv[++i];
    } else if (a == "--threads") {
      need(1);
      cfg.threads = static_cast<unsigned>(std::atoi(argv[++i]));
    } else if (a == "--filter") {
      need(1);
      cfg.filter = argv[++i];
    } else if (a == "--test-timeout") {
      need(1);
      cfg.test_timeout_s = std::atof(argv[++i]);
    } else if (a == "--rtol") {
      need(1);
      cfg.opt.rtol = std::atof(argv[++i]);
    } else if (a == "--atol") {
      need(1);
      cfg.opt.atol = std::atof(argv[++i]);
    } else if (a == "--summary-md") {
      need(1);
      cfg.summary_md = argv[++i];
    } else if (a == "--update-pass-lists") {
      cfg.update = true;
    } else if (a == "--allow-missing") {
      cfg.allow_missing = true;
    } else if (a == "--quiet") {
      cfg.quiet = true;
    } else if (a == "--verbose") {
      cfg.verbose = true;
    } else {
      usage();
      return 2;
    }
  }
  if (cfg.sets.empty()) {
    cfg.sets.push_back({"onnx_1_22", MIRT_CONFORMANCE_DATA_1_22, MIRT_CONFORMANCE_DIR "/passing_onnx_1_22.txt"});
    cfg.sets.push_back({"onnx_1_12", MIRT_CONFORMANCE_DATA_1_12, MIRT_CONFORMANCE_DIR "/passing_onnx_1_12.txt"});
  }
  if (cfg.update && !cfg.filter.empty()) {
    std::fprintf(stderr, "node_test_runner: --update-pass-lists needs the whole set; drop --filter\n");
    return 2;
  }
  if (cfg.opt.backend != "cpu" && cfg.update)
    std::fprintf(stderr, "note: the pass lists are for the cpu backend; writing them from '%s'\n", cfg.opt.backend.c_str());
  GOOGLE_PROTOBUF_VERIFY_VERSION;
  for (int sig : {SIGSEGV, SIGABRT, SIGFPE, SIGBUS, SIGILL}) std::signal(sig, on_crash);
  if (!cfg.verbose) mirt_set_log_callback(log_quiet, nullptr, MIRT_LOG_LEVEL_ERROR);

  bool failed = false, abandoned = false;
  std::ostringstream md;
  auto t_all = std::chrono::steady_clock::now();
  for (const set_spec& set : cfg.sets) {
    std::printf("== %s: %s\n", set.name.c_str(), set.dir.string().c_str());
    std::error_code ec;
    if (!fs::is_directory(set.dir, ec)) {
      std::printf("== %s: MISSING — no folder %s%s\n", set.name.c_str(), set.dir.string().c_str(),
                  set.name == "onnx_1_12" ? " (Debian's libonnx-testdata; tools/setup.sh installs it)" : "");
      if (!cfg.allow_missing) {
        std::printf("   the set's pass list cannot be checked; this fails the run (--allow-missing to accept)\n");
        failed = true;
      }
      md << "### " << set.name << "\n\nMISSING: " << set.dir.string() << "\n\n";
      continue;
    }
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(set.dir, ec))
      if (e.is_directory() && fs::exists(e.path() / "model.onnx") &&
          (cfg.filter.empty() || e.path().filename().string().find(cfg.filter) != std::string::npos))
        dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    auto t0 = std::chrono::steady_clock::now();
    std::vector<result> results = run_all(set.name, dirs, cfg, &abandoned);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    std::set<std::string> pass_list = read_list(set.pass_list);
    bool have_list = fs::exists(set.pass_list, ec);
    std::map<std::string, size_t> skips, stages, ops, kernels;
    std::map<std::string, std::map<std::string, size_t>> op_causes;
    std::vector<std::string> passing, regressions, newly;
    std::set<std::string> seen;
    for (const result& r : results) {
      seen.insert(r.name);
      const char* tag = r.v == verdict::pass ? "PASS" : r.v == verdict::skip ? "SKIP" : "FAIL";
      if (r.v != verdict::pass || !cfg.quiet)
        std::printf("%s %s%s%s\n", tag, r.name.c_str(), r.reason.empty() ? "" : ": ", r.reason.c_str());
      if (r.v == verdict::pass) {
        passing.push_back(r.name);
        if (!pass_list.count(r.name)) newly.push_back(r.name);
        continue;
      }
      if (pass_list.count(r.name)) regressions.push_back(r.name + " (" + tag + ": " + r.reason + ")");
      if (r.v == verdict::skip) {
        ++skips[category(r.reason)];
      } else {
        ++stages[category(r.reason)];
        std::string dtype;
        std::string op = named_op(r.reason, &dtype);
        ++ops[op.empty() ? r.op : op];
        ++op_causes[op.empty() ? r.op : op][category(r.reason)];
        if (!dtype.empty()) ++kernels[op + " " + dtype];
      }
    }
    if (cfg.filter.empty())
      for (const std::string& name : pass_list)
        if (!seen.count(name)) regressions.push_back(name + " (not found in the data set)");

    size_t total = results.size(), npass = passing.size(), nskip = 0;
    for (const auto& [k, v] : skips) nskip += v;
    size_t nfail = total - npass - nskip;
    std::printf("== %s summary: %zu tests: %zu PASS, %zu FAIL, %zu SKIP (%.1f s, %u threads, backend %s)\n",
                set.name.c_str(), total, npass, nfail, nskip, secs,
                cfg.threads ? cfg.threads : std::max(1u, std::thread::hardware_concurrency()), cfg.opt.backend.c_str());
    std::printf("   pass rate: %zu / %zu = %s of all tests; %zu / %zu = %s without the justified skips\n", npass,
                total, pct(npass, total).c_str(), npass, total - nskip, pct(npass, total - nskip).c_str());
    std::printf("   skipped:");
    for (const auto& [k, v] : by_count(skips)) std::printf(" %s %zu;", k.c_str(), v);
    std::printf("\n   failed at:");
    for (const auto& [k, v] : by_count(stages)) std::printf(" %s %zu;", k.c_str(), v);
    std::printf("\n   top failing ops (tests):");
    auto top = by_count(ops);
    for (size_t i = 0; i < top.size() && i < 30; ++i) std::printf(" %s %zu;", top[i].first.c_str(), top[i].second);
    std::printf("\n   missing kernels (op dtype: tests):");
    auto gaps = by_count(kernels);
    for (size_t i = 0; i < gaps.size() && i < 30; ++i) std::printf(" %s %zu;", gaps[i].first.c_str(), gaps[i].second);
    std::printf("\n");

    md << "### " << set.name << " (" << total << " tests, backend " << cfg.opt.backend << ")\n\n"
       << "| | tests |\n|---|---|\n| passed | " << npass << " |\n| failed | " << nfail << " |\n"
       << "| skipped (justified) | " << nskip << " |\n| passed / total | " << npass << " / " << total << " = "
       << pct(npass, total) << " |\n| passed / (total - justified skips) | " << npass << " / " << total - nskip
       << " = " << pct(npass, total - nskip) << " |\n\nSkips:";
    for (const auto& [k, v] : by_count(skips)) md << " " << k << " " << v << ";";
    md << "\n\nFailures by stage:";
    for (const auto& [k, v] : by_count(stages)) md << " " << k << " " << v << ";";
    md << "\n\nFailing tests by op (the op a failure message names, else the op the test exercises):\n\n"
          "| op | failing tests | failed at |\n|---|---|---|\n";
    for (size_t i = 0; i < top.size() && i < 40; ++i) {
      md << "| " << top[i].first << " | " << top[i].second << " |";
      for (const auto& [k, v] : by_count(op_causes[top[i].first])) md << " " << k << " " << v << ";";
      md << " |\n";
    }
    md << "\nMissing CPU kernels (op dtype: failing tests):";
    for (const auto& [k, v] : gaps) md << " " << k << " " << v << ";";
    md << "\n\n";

    if (!regressions.empty()) {
      if (!cfg.update) failed = true;
      std::printf("== %s: %zu REGRESSIONS (on %s, no longer passing):\n", set.name.c_str(), regressions.size(),
                  set.pass_list.string().c_str());
      for (const std::string& r : regressions) std::printf("   REGRESSION %s\n", r.c_str());
    } else {
      std::printf("   no regressions against %s (%zu tests listed)\n", set.pass_list.string().c_str(), pass_list.size());
    }
    if (!newly.empty() && !cfg.update) {
      std::printf("   %zu newly passing (not on the pass list yet; add them with --update-pass-lists):\n", newly.size());
      for (const std::string& n : newly) std::printf("   NEW %s\n", n.c_str());
    }
    if (!have_list && !cfg.update) {
      std::printf("   no pass list at %s (create it with --update-pass-lists)\n", set.pass_list.string().c_str());
      failed = true;
    }
    if (cfg.update) {
      std::sort(passing.begin(), passing.end());
      if (!write_list(set.pass_list, set.name, cfg.opt.backend, passing)) {
        std::printf("   cannot write %s\n", set.pass_list.string().c_str());
        failed = true;
      } else {
        std::printf("   wrote %zu names to %s\n", passing.size(), set.pass_list.string().c_str());
        if (!regressions.empty()) std::printf("   (the regressions above are now off the list)\n");
      }
    }
  }
  double all = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_all).count();
  std::printf("== all sets: %.1f s; %s\n", all, failed ? "FAILED" : "OK");
  if (!cfg.summary_md.empty()) std::ofstream(cfg.summary_md) << md.str();
  std::fflush(stdout);
  int code = failed ? 1 : 0;
  if (abandoned) std::_Exit(code);  // a hung worker still runs; do not wait for it
  return code;
}
