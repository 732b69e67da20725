// tools/mirt/onnxrt_process.cpp — starts onnxrt_runner.py and collects what it wrote.
#include "onnxrt_process.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

extern char** environ;

namespace mirt::cli {

namespace fs = std::filesystem;

std::string find_onnxrt_runner() {
  if (const char* env = std::getenv("MIRT_ONNXRT_RUNNER"); env != nullptr && *env != '\0') {
    if (!fs::is_regular_file(env)) throw std::runtime_error(std::string("$MIRT_ONNXRT_RUNNER names '") + env + "', which is not a file");
    return env;
  }
  std::error_code ec;
  const fs::path exe_dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  const fs::path candidates[] = {exe_dir / "onnxrt_runner.py", exe_dir.parent_path() / "share" / "mirt" / "onnxrt_runner.py"};
  std::string tried;
  for (const fs::path& p : candidates) {
    if (fs::is_regular_file(p, ec)) return p.string();
    tried += (tried.empty() ? "" : ", ") + p.string();
  }
  throw std::runtime_error("cannot find onnxrt_runner.py (looked at " + tried + "; set $MIRT_ONNXRT_RUNNER)");
}

namespace {

// Runs argv (argv[0] looked up in PATH) and returns its exit status; -signal when killed.
int run_and_wait(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
  if (rc != 0)
    throw std::runtime_error("cannot start '" + args[0] + "' (" + std::strerror(rc) +
                             "); --onnxrt needs python3 with numpy and onnxruntime (python3 -m pip install numpy "
                             "onnxruntime), or name the interpreter with --python");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw std::runtime_error(std::string("waitpid failed: ") + std::strerror(errno));
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? -WTERMSIG(status) : -1;
}

}  // namespace

std::vector<npy_array> run_onnxrt(const std::string& python, const std::string& model, const std::vector<npy_array>& inputs,
                                  const std::string& workdir) {
  const std::string script = find_onnxrt_runner();
  const std::string in_path = (fs::path(workdir) / "onnxrt_inputs.npz").string();
  const std::string out_path = (fs::path(workdir) / "onnxrt_outputs.npz").string();
  write_npz(in_path, inputs);
  const int status = run_and_wait({python, script, model, in_path, out_path});
  switch (status) {
    case 0: break;
    case 3: throw std::runtime_error("ONNX Runtime is not available to '" + python + "' (see the message above; install with: " +
                                     python + " -m pip install numpy onnxruntime)");
    case 4: throw std::runtime_error("ONNX Runtime was not given the inputs it needs (see the message above)");
    case 5: throw std::runtime_error("ONNX Runtime failed on the model (see the message above)");
    case 127: throw std::runtime_error("'" + python + "' could not run " + script);
    default:
      throw std::runtime_error("'" + python + " " + script + "' " +
                               (status < 0 ? "was killed by signal " + std::to_string(-status) : "exited with status " + std::to_string(status)));
  }
  return read_npz(out_path);
}

}  // namespace mirt::cli
