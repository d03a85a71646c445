// Shared helpers for the benchmarks in bench/ (not a benchmark itself: CMake builds only *.cpp).
#pragma once

#include "qledger/canonical_json.hpp"
#include "qledger/ledger.hpp"
#include "qledger/ledger_setup.hpp"

#include <stdlib.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace qledger::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds consumed by the calling thread: unlike wall time, barely affected by other
// processes competing for the cores (this machine is shared with builds and fuzzers).
inline double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Wall and calling-thread CPU time of one stretch of work.
struct Span {
  double wall = 0;
  double cpu = 0;
};

// CPU seconds consumed by every thread of the process: for work that starts threads of its own
// (a report reads its registry snapshot on a second thread).
inline double process_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Whose CPU time a Stopwatch counts.
enum class CpuOf { kThread, kProcess };

class Stopwatch {
 public:
  explicit Stopwatch(CpuOf of = CpuOf::kThread) : of_(of), wall_(Clock::now()), cpu_(cpu()) {}
  Span elapsed() const { return {seconds_since(wall_), cpu() - cpu_}; }

 private:
  double cpu() const {
    return of_ == CpuOf::kThread ? thread_cpu_seconds() : process_cpu_seconds();
  }
  CpuOf of_;
  Clock::time_point wall_;
  double cpu_;
};

// Runs fn() `runs` times; returns the smallest wall and the smallest CPU time seen.
template <typename Fn>
Span best_of(int runs, Fn&& fn, CpuOf of = CpuOf::kThread) {
  Span best{1e300, 1e300};
  for (int i = 0; i < runs; ++i) {
    const Stopwatch watch(of);
    fn();
    const Span s = watch.elapsed();
    best.wall = std::min(best.wall, s.wall);
    best.cpu = std::min(best.cpu, s.cpu);
  }
  return best;
}

// Minimal flag parsing: "--name value" pairs; unknown flags are an error.
class Flags {
 public:
  Flags(int argc, char** argv) : args_(argv + 1, argv + argc) {}

  // Returns the value after `name`, or nullptr if the flag is absent.
  const std::string* find(std::string_view name) const {
    for (std::size_t i = 0; i < args_.size(); ++i) {
      if (args_[i] == name) {
        if (i + 1 >= args_.size())
          throw std::invalid_argument(std::string(name) + " needs a value");
        return &args_[i + 1];
      }
    }
    return nullptr;
  }
  bool has(std::string_view name) const {
    return std::find(args_.begin(), args_.end(), name) != args_.end();
  }
  std::uint64_t u64(std::string_view name, std::uint64_t fallback) const {
    const std::string* v = find(name);
    return v == nullptr ? fallback : std::stoull(*v);
  }
  double real(std::string_view name, double fallback) const {
    const std::string* v = find(name);
    return v == nullptr ? fallback : std::stod(*v);
  }
  std::string str(std::string_view name, std::string fallback) const {
    const std::string* v = find(name);
    return v == nullptr ? fallback : *v;
  }
  // Comma-separated list of unsigned integers, e.g. "1,8,64".
  std::vector<unsigned> list(std::string_view name, std::vector<unsigned> fallback) const {
    const std::string* v = find(name);
    if (v == nullptr) return fallback;
    std::vector<unsigned> out;
    std::size_t pos = 0;
    while (pos <= v->size()) {
      const std::size_t comma = std::min(v->find(',', pos), v->size());
      out.push_back(static_cast<unsigned>(std::stoul(v->substr(pos, comma - pos))));
      pos = comma + 1;
    }
    return out;
  }

 private:
  std::vector<std::string> args_;
};

// A fresh directory under /tmp (or $TMPDIR) removed on destruction unless keep() was called.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    if (keep_) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  void keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

// Creates a ledger (with its signing key next to it) the way `qledger init` does.
inline void create_ledger(const std::string& db_path) {
  init_ledger(db_path, default_key_path(db_path), "qledger.bench/" + std::string("ledger"));
}

// A realistic small event (leaf of about 300 bytes): a sample registration in a lab.
inline AppendRequest sample_request(unsigned thread, std::uint64_t n) {
  AppendRequest r;
  r.kind = "sample.registered";
  r.actor = "bench-worker-" + std::to_string(thread);
  r.payload = Json::object();
  r.payload["sample_id"] = "S-" + std::to_string(thread) + "-" + std::to_string(n);
  r.payload["site"] = "huoshan";
  r.payload["volume_ul"] = static_cast<std::int64_t>(250 + n % 500);
  r.payload["note"] = "collected at ward 3, stored at 4C, courier batch 17";
  r.payload["tags"] = Json::array({"amr", "blood", "priority-normal"});
  return r;
}

inline std::string fmt_rate(double per_second) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", per_second);
  // Thousands separators for readability (built by appending: GCC 12 warns on string::insert).
  const std::string_view digits(buf);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

inline std::string fmt(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

inline std::string met(bool ok) { return ok ? "met" : "**missed**"; }

inline void print_machine() {
  struct utsname u {};
  ::uname(&u);
  double load[3] = {0, 0, 0};
  ::getloadavg(load, 3);
  std::printf("machine: %s %s, %u hardware threads (nproc), load average %.2f %.2f %.2f\n",
              u.sysname, u.release, std::thread::hardware_concurrency(), load[0], load[1], load[2]);
}

}  // namespace qledger::bench
