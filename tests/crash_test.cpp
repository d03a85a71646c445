// Crash safety: child processes append from several threads and record each receipt only after
// append() returned (the acknowledgement); the parent kills them with SIGKILL at random moments,
// then checks that every acknowledged event is present with the acknowledged hash, that nothing
// half-written exists, and that the ledger verifies. Cycles: QLEDGER_CRASH_CYCLES (default 12).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstring>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "qledger/ledger.hpp"
#include "qledger/ledger_setup.hpp"
#include "qledger/verifier.hpp"
#include "test_support.hpp"

using namespace qledger;
using qledger::test::TempDir;

namespace {

// Runs in the child: appends forever from `threads` threads, logging "seq hash\n" per ack.
[[noreturn]] void child_appender(const std::string& db, const std::string& ack_log, int threads,
                                 int writer_id) {
  const int fd = ::open(ack_log.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0) _exit(3);
  try {
    Ledger ledger(db);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (int i = 0;; ++i) {
          const Receipt r =
              ledger.append({"crash.test", "writer-" + std::to_string(writer_id),
                             Json{{"thread", t},
                                  {"i", i},
                                  {"pad", std::string(static_cast<std::size_t>(i % 200), 'x')}}});
          const std::string line = std::to_string(r.seq) + " " + to_hex(r.leaf_hash) + "\n";
          // One write() of a short line to an O_APPEND file: either all of it or none survives.
          if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(4);
        }
      });
    }
    for (auto& w : workers) w.join();
  } catch (...) {
    _exit(5);
  }
  _exit(0);
}

std::map<std::uint64_t, std::string> read_acks(const std::string& path) {
  std::map<std::uint64_t, std::string> acks;
  std::istringstream in(qledger::test::read_text(path));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::uint64_t seq = 0;
    std::string hash;
    if (fields >> seq >> hash && hash.size() == 64) acks[seq] = hash;
  }
  return acks;
}

int crash_cycles() {
  const char* env = std::getenv("QLEDGER_CRASH_CYCLES");
  return env != nullptr ? std::max(1, std::atoi(env)) : 12;
}

}  // namespace

TEST_SUITE("crash") {
  TEST_CASE("SIGKILL at random moments loses no acknowledged append and leaves a valid chain") {
    TempDir dir;
    const std::string db = dir.file("crash.db");
    init_ledger(db, default_key_path(db), "qledger.test/crash");
    std::mt19937 rng(20261127);
    std::uniform_int_distribution<int> delay_ms(20, 400);
    std::uint64_t total_acks = 0;
    const int cycles = crash_cycles();
    for (int cycle = 0; cycle < cycles; ++cycle) {
      const std::string ack_log = dir.file("acks-" + std::to_string(cycle) + ".log");
      // Two processes append to the same file at once, as the CLI and the daemon may. The first
      // appends from four threads (group commit on its writer thread); the second from one, so
      // its appends find its writer idle and are written on the appending thread itself.
      std::vector<pid_t> children;
      for (int writer = 0; writer < 2; ++writer) {
        const pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) child_appender(db, ack_log, writer == 0 ? 4 : 1, writer);
        children.push_back(pid);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
      for (const pid_t pid : children) {
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        CHECK(WIFSIGNALED(status));  // it was still running: killed mid-work, not exited early
      }
      const auto acks = read_acks(ack_log);
      total_acks += acks.size();
      const auto report = verify_ledger(db, {});
      INFO("cycle " << cycle << ": "
                    << (report.problems.empty() ? report.io_message : report.problems[0].message));
      REQUIRE(report.intact());
      SQLite::Database conn(db, SQLite::OPEN_READONLY);
      SQLite::Statement q(conn, "SELECT leaf_hash FROM events WHERE seq = ?");
      for (const auto& [seq, hash] : acks) {
        q.bind(1, static_cast<std::int64_t>(seq));
        REQUIRE_MESSAGE(q.executeStep(), "acknowledged seq " << seq << " is missing");
        const auto col = q.getColumn(0);
        CHECK(to_hex(std::string_view(static_cast<const char*>(col.getBlob()),
                                      static_cast<std::size_t>(col.getBytes()))) == hash);
        q.reset();
      }
    }
    MESSAGE("crash cycles: " << cycles << ", acknowledged appends checked: " << total_acks);
    CHECK(total_acks > 0);
  }
}
