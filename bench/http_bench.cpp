// http_bench: qledgerd appends over HTTP on 127.0.0.1 against the same appends made in-process.
//
//   http_bench [--clients 1,8,64] [--client-side threads|loop|both] [--server-threads 2]
//              [--handler-threads 16] [--seconds 5] [--max-events 300000]
//              [--rate 1000] [--rate-seconds 5] [--rate-connections 16]
//              [--rss-events N | --rss-db FILE] [--rss-seconds 20] [--qledgerd PATH]
//              [--skip-throughput] [--skip-rate] [--keep]
//
// 1. Throughput: for each server thread count T and client count C, a fresh ledger served by an
//    in-process Server (the daemon's own code, access log off) and C keep-alive clients, each
//    POSTing entity.registered events to /api/v1/events as fast as the answers come, for
//    --seconds or until --max-events in all. Counted: 201 answers (acknowledged = durable).
//    The C clients are C threads with a blocking connection each, or C connections on one
//    event-loop thread (as wrk runs them), or both in turn (--client-side, default both).
//    Next to it, C threads call Ledger::append on a fresh domain ledger with the same events:
//    the ratio is HTTP ÷ in-process.
// 2. Latency at a fixed offered load: --rate events/s spread over --rate-connections keep-alive
//    connections, each request sent at its scheduled time (open loop); latency is measured from
//    the scheduled time, so a stall counts against every request queued behind it.
// 3. Memory: a ledger of --rss-events events (built in-process first) or an existing --rss-db,
//    served by the qledgerd binary in a child process; 4 connections read (events, proofs,
//    pages of 100) and 4 append for --rss-seconds while /proc/PID/status is sampled. (The
//    ledger is built through the core Ledger, without the domain applier: see build_ledger.)
//
// The clients run in this process and share the machine's cores with the server: the numbers
// are a floor for a server with cores of its own.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <atomic>
#include <fstream>
#include <future>
#include <iostream>
#include <latch>
#include <mutex>
#include <random>

#include "bench_common.hpp"
#include "context.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/identifiers.hpp"
#include "server.hpp"

extern char** environ;

namespace qb = qledger::bench;
using namespace qledger;

namespace {

// A distinct, well-formed credit code for every n < 26·10^7.
std::string uscc_for(std::uint64_t n) {
  static constexpr char kLetters[] = "ABCDEFGHJKLMNPQRTUWXY0123456";
  char first17[18];
  std::snprintf(first17, sizeof first17, "91341525M%c%07llu", kLetters[(n / 10000000) % 26],
                static_cast<unsigned long long>(n % 10000000));
  return std::string(first17) + *uscc_check_char(first17);
}

Json entity_payload(std::uint64_t n) {
  return Json{{"uscc", uscc_for(n)},
              {"name", "霍山县茶叶合作社 " + std::to_string(n)},
              {"township", "衡山镇"},
              {"industry", "ecological_food"},
              {"address", "安徽省六安市霍山县衡山镇迎驾大道 88 号"}};
}

std::string append_body(std::uint64_t n) {
  return Json{{"kind", "entity.registered"}, {"payload", entity_payload(n)}}.dump();
}

struct Percentiles {
  std::size_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0;  // milliseconds
};

Percentiles percentiles(std::vector<double> ms) {
  Percentiles p;
  p.count = ms.size();
  if (ms.empty()) return p;
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1,
                       static_cast<std::size_t>(q * static_cast<double>(ms.size())))];
  };
  p.p50 = at(0.50);
  p.p90 = at(0.90);
  p.p99 = at(0.99);
  p.max = ms.back();
  return p;
}

// The first complete HTTP/1.1 answer at the front of `buffer` (status and length in bytes), or
// nullopt while it is incomplete. Enough for qledgerd's answers: Content-Length, no chunking.
struct ParsedResponse {
  int status = 0;
  std::size_t length = 0;
};

std::optional<ParsedResponse> parse_response(const std::string& buffer) {
  const std::size_t header_end = buffer.find("\r\n\r\n");
  if (header_end == std::string::npos) return std::nullopt;
  ParsedResponse r;
  r.status = buffer.size() > 12 ? std::atoi(buffer.c_str() + 9) : 0;
  std::size_t body = 0;
  const auto cl = buffer.find("Content-Length: ");
  if (cl != std::string::npos && cl < header_end) {
    body = std::strtoull(buffer.c_str() + cl + 16, nullptr, 10);
  }
  r.length = header_end + 4 + body;
  if (buffer.size() < r.length) return std::nullopt;
  return r;
}

// A blocking HTTP/1.1 keep-alive client: just enough to send a request and read one answer.
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
  }
  ~HttpClient() { ::close(fd_); }
  int fd() const { return fd_; }
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Returns the status code (0 if the connection failed).
  int exchange(const std::string& request) {
    if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
      return 0;
    }
    for (;;) {
      if (const auto r = parse_response(buffer_)) {
        buffer_.erase(0, r->length);
        return r->status;
      }
      if (!fill()) return 0;
    }
  }

 private:
  bool fill() {
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
  int fd_ = -1;
  std::string buffer_;
};

std::string post_request(const std::string& token, const std::string& body) {
  return "POST /api/v1/events HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer " + token +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

std::string get_request(const std::string& token, const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer " + token +
         "\r\n\r\n";
}

// A fresh ledger served in-process, with one inspector token.
// --handler-threads (default: the daemon's default), the same for every run.
unsigned handler_threads_flag = daemon::Config{}.handler_threads;

struct InProcessServer {
  qb::TempDir dir{"qledger-http-bench"};
  std::unique_ptr<daemon::Context> ctx;
  std::unique_ptr<daemon::Server> server;
  std::thread thread;
  std::string token;

  explicit InProcessServer(unsigned threads) {  // handler threads: --handler-threads
    const std::string db = dir.file("bureau.db");
    qb::create_ledger(db);
    daemon::Config c;
    c.db_path = db;
    c.key_path = default_key_path(db);
    c.users_db_path = default_users_db_path(db);
    c.port = 0;
    c.threads = threads;
    c.handler_threads = handler_threads_flag;
    c.max_connections = 1024;
    c.access_log = false;
    c.pbkdf2_iterations = 1000;
    ctx = std::make_unique<daemon::Context>(c);
    ctx->users->add_user("bench", "bench password, long enough", Role::kInspector, "bench");
    token = ctx->users->create_token("bench", "http_bench", std::nullopt, "bench").secret;
    server = std::make_unique<daemon::Server>(*ctx, nullptr);
    thread = std::thread([this] { server->run(false); });
  }
  ~InProcessServer() {
    server->stop();
    thread.join();
    server.reset();
    ctx.reset();
  }
  std::uint16_t port() const { return server->port(); }
};

struct RunResult {
  std::uint64_t acked = 0, failed = 0;
  double seconds = 0;
  Percentiles latency;
  double rate() const { return seconds > 0 ? static_cast<double>(acked) / seconds : 0; }
};

// C workers behind a latch, each running `one(worker, n)` for global numbers n until the time or
// the event budget is used up; one() returns true for an acknowledged append.
template <typename Fn>
RunResult closed_loop(unsigned workers, double seconds, std::uint64_t max_events, Fn&& one) {
  std::atomic<std::uint64_t> next{0};
  std::atomic<std::uint64_t> acked{0}, failed{0};
  std::vector<std::vector<double>> lat(workers);
  std::latch ready(static_cast<std::ptrdiff_t>(workers) + 1);
  qb::Clock::time_point deadline;
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      auto session = one.begin(w);
      ready.count_down();
      while (!go.load()) std::this_thread::yield();
      for (;;) {
        const std::uint64_t n = next.fetch_add(1);
        if (n >= max_events || qb::Clock::now() >= deadline) break;
        const auto t = qb::Clock::now();
        const bool ok = one.run(session, n);
        lat[w].push_back(std::chrono::duration<double, std::milli>(qb::Clock::now() - t).count());
        (ok ? acked : failed).fetch_add(1);
      }
    });
  }
  ready.arrive_and_wait();
  const auto start = qb::Clock::now();
  deadline = start + std::chrono::duration_cast<qb::Clock::duration>(
                         std::chrono::duration<double>(seconds));
  go = true;
  for (auto& t : threads) t.join();
  RunResult r;
  r.seconds = qb::seconds_since(start);
  r.acked = acked;
  r.failed = failed;
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  r.latency = percentiles(std::move(all));
  return r;
}

struct HttpAppender {
  std::uint16_t port;
  const std::string& token;
  std::unique_ptr<HttpClient> begin(unsigned) const { return std::make_unique<HttpClient>(port); }
  bool run(std::unique_ptr<HttpClient>& c, std::uint64_t n) const {
    return c->exchange(post_request(token, append_body(n))) == 201;
  }
};

// C keep-alive connections driven by one thread with epoll, as wrk drives its connections: each
// connection sends its next request as soon as its answer is in, until --seconds or the event
// budget is used up. Unlike C client threads, this costs the shared cores little beyond the
// system calls, so it shows more of what the server can do.
RunResult event_loop(unsigned connections, double seconds, std::uint64_t max_events,
                     std::uint16_t port, const std::string& token) {
  struct Connection {
    std::unique_ptr<HttpClient> client;
    std::string out;
    std::size_t sent = 0;
    std::string in;
    qb::Clock::time_point started;
    bool open = true;
  };
  std::vector<Connection> conns(connections);
  for (unsigned k = 0; k < connections; ++k) conns[k].client = std::make_unique<HttpClient>(port);
  const int epoll = ::epoll_create1(0);
  if (epoll < 0) throw std::runtime_error("epoll_create1 failed");
  for (unsigned k = 0; k < connections; ++k) {
    const int fd = conns[k].client->fd();
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = k;
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &ev);
  }
  std::uint64_t next = 0, acked = 0, failed = 0;
  std::vector<double> lat;
  const auto start = qb::Clock::now();
  const auto deadline = start + std::chrono::duration_cast<qb::Clock::duration>(
                                    std::chrono::duration<double>(seconds));
  unsigned open = connections;
  auto close_connection = [&](unsigned k) {
    conns[k].open = false;
    ::epoll_ctl(epoll, EPOLL_CTL_DEL, conns[k].client->fd(), nullptr);
    --open;
  };
  // Sends what is left of connection k's request; false if the connection failed.
  auto flush = [&](unsigned k) {
    Connection& c = conns[k];
    while (c.sent < c.out.size()) {
      const ssize_t n =
          ::send(c.client->fd(), c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EAGAIN) break;
      if (n <= 0) return false;
      c.sent += static_cast<std::size_t>(n);
    }
    epoll_event ev{};
    ev.events = c.sent < c.out.size() ? EPOLLIN | EPOLLOUT : EPOLLIN;
    ev.data.u32 = k;
    ::epoll_ctl(epoll, EPOLL_CTL_MOD, c.client->fd(), &ev);
    return true;
  };
  auto send_next = [&](unsigned k) {
    const std::uint64_t n = next++;
    if (n >= max_events || qb::Clock::now() >= deadline) return close_connection(k);
    Connection& c = conns[k];
    c.out = post_request(token, append_body(n));
    c.sent = 0;
    c.started = qb::Clock::now();
    if (!flush(k)) {
      ++failed;
      close_connection(k);
    }
  };
  for (unsigned k = 0; k < connections; ++k) send_next(k);
  std::vector<epoll_event> events(connections);
  while (open > 0) {
    const int ready = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 1000);
    for (int i = 0; i < ready; ++i) {
      const unsigned k = events[static_cast<std::size_t>(i)].data.u32;
      Connection& c = conns[k];
      if (!c.open) continue;
      if ((events[static_cast<std::size_t>(i)].events & EPOLLOUT) && !flush(k)) {
        ++failed;
        close_connection(k);
        continue;
      }
      char chunk[16384];
      ssize_t n;
      bool broken = false;
      while ((n = ::recv(c.client->fd(), chunk, sizeof chunk, 0)) > 0) {
        c.in.append(chunk, static_cast<std::size_t>(n));
      }
      if (n == 0 || (n < 0 && errno != EAGAIN)) broken = true;
      const auto r = parse_response(c.in);
      if (r) {
        c.in.erase(0, r->length);
        (r->status == 201 ? acked : failed) += 1;
      } else if (broken) {
        ++failed;  // the connection ended without an answer to its request
      }
      if (r || broken) {
        lat.push_back(
            std::chrono::duration<double, std::milli>(qb::Clock::now() - c.started).count());
      }
      if (broken) {
        close_connection(k);
      } else if (r) {
        send_next(k);
      }
    }
  }
  ::close(epoll);
  RunResult r;
  r.seconds = qb::seconds_since(start);
  r.acked = acked;
  r.failed = failed;
  r.latency = percentiles(std::move(lat));
  return r;
}

struct LedgerAppender {
  Ledger& ledger;
  int begin(unsigned) const { return 0; }
  bool run(int, std::uint64_t n) const {
    ledger.append({"entity.registered", "bench", entity_payload(n)});
    return true;
  }
};

// Client models of the throughput table: C client threads with a blocking connection each, and
// C connections on one event-loop thread (see event_loop).
enum class ClientModel { kThreads, kEventLoop };

void throughput(const std::vector<unsigned>& server_threads, const std::vector<unsigned>& clients,
                const std::vector<ClientModel>& models, double seconds, std::uint64_t max_events) {
  std::printf(
      "\n### Acknowledged appends over HTTP vs in-process (%.0f s or %llu events per run)\n\n",
      seconds, static_cast<unsigned long long>(max_events));
  std::printf(
      "| server threads | clients | client side | HTTP appends/s | p50 ms | p90 ms | p99 ms | max "
      "ms "
      "| failed | in-process appends/s | in-process p99 ms | HTTP ÷ in-process | ≥ 20,000/s @64 "
      "|\n|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (unsigned t : server_threads) {
    for (unsigned c : clients) {
      RunResult local;
      {
        qb::TempDir dir("qledger-http-bench-local");
        const std::string db = dir.file("bureau.db");
        qb::create_ledger(db);
        auto ledger = open_domain_ledger(db);
        local = closed_loop(c, seconds, max_events, LedgerAppender{*ledger});
      }
      for (const ClientModel model : models) {
        RunResult http;
        {
          InProcessServer s(t);
          http = model == ClientModel::kThreads
                     ? closed_loop(c, seconds, max_events, HttpAppender{s.port(), s.token})
                     : event_loop(c, seconds, max_events, s.port(), s.token);
        }
        std::printf(
            "| %u | %u | %s | %s | %.2f | %.2f | %.2f | %.1f | %llu | %s | %.2f | %.2f | %s |\n", t,
            c, model == ClientModel::kThreads ? "a thread each" : "one event loop",
            qb::fmt_rate(http.rate()).c_str(), http.latency.p50, http.latency.p90, http.latency.p99,
            http.latency.max, static_cast<unsigned long long>(http.failed),
            qb::fmt_rate(local.rate()).c_str(), local.latency.p99,
            local.rate() > 0 ? http.rate() / local.rate() : 0.0,
            c == 64 ? qb::met(http.rate() >= 20000).c_str() : "–");
        std::fflush(stdout);
      }
    }
  }
}

void fixed_rate(const std::vector<unsigned>& server_threads, double rate, double seconds,
                unsigned connections) {
  std::printf("\n### Latency at %.0f appends/s offered (open loop, %u connections, %.0f s)\n\n",
              rate, connections, seconds);
  std::printf(
      "| server threads | sent | acknowledged/s | p50 ms | p90 ms | p99 ms | max ms | failed | "
      "p99 ≤ 5 ms |\n|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (unsigned t : server_threads) {
    InProcessServer s(t);
    const auto total = static_cast<std::uint64_t>(rate * seconds);
    std::vector<std::vector<double>> lat(connections);
    std::atomic<std::uint64_t> failed{0};
    std::vector<std::unique_ptr<HttpClient>> clients;
    for (unsigned k = 0; k < connections; ++k) {
      clients.push_back(std::make_unique<HttpClient>(s.port()));
    }
    const auto start = qb::Clock::now() + std::chrono::milliseconds(50);
    std::vector<std::thread> threads;
    for (unsigned k = 0; k < connections; ++k) {
      threads.emplace_back([&, k] {
        for (std::uint64_t i = k; i < total; i += connections) {
          const auto scheduled =
              start + std::chrono::duration_cast<qb::Clock::duration>(
                          std::chrono::duration<double>(static_cast<double>(i) / rate));
          std::this_thread::sleep_until(scheduled);
          const std::string request = post_request(s.token, append_body(i));
          if (clients[k]->exchange(request) != 201) failed.fetch_add(1);
          lat[k].push_back(
              std::chrono::duration<double, std::milli>(qb::Clock::now() - scheduled).count());
        }
      });
    }
    for (auto& th : threads) th.join();
    const double took = qb::seconds_since(start);
    std::vector<double> all;
    for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
    const Percentiles p = percentiles(std::move(all));
    std::printf("| %u | %zu | %s | %.2f | %.2f | %.2f | %.1f | %llu | %s |\n", t, p.count,
                qb::fmt_rate(static_cast<double>(p.count - failed) / took).c_str(), p.p50, p.p90,
                p.p99, p.max, static_cast<unsigned long long>(failed.load()),
                qb::met(p.p99 <= 5.0 && failed == 0).c_str());
    std::fflush(stdout);
  }
}

// ---- memory of the qledgerd process ---------------------------------------------------------

std::uint64_t status_kb(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::strtoull(line.c_str() + prefix.size(), nullptr, 10);
  }
  return 0;
}

double mb(std::uint64_t kb) { return static_cast<double>(kb) / 1024.0; }

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The big ledger is built through the core Ledger (no domain applier: the domain rules cost about
// 270 µs per event, see import_bench), so its projection tables stay empty; the events, leaves
// and tree are exactly what qledgerd would have written.
std::uint64_t build_ledger(const std::string& db, std::uint64_t events) {
  qb::create_ledger(db);
  auto ledger = std::make_unique<Ledger>(db);
  const auto start = qb::Clock::now();
  std::vector<std::future<Receipt>> pending;
  constexpr std::size_t kWindow = 8192;
  for (std::uint64_t n = 0; n < events; ++n) {
    pending.push_back(ledger->append_async({"entity.registered", "bench", entity_payload(n)}));
    if (pending.size() >= kWindow) {
      for (auto& f : pending) f.get();
      pending.clear();
    }
    if (n > 0 && n % 1000000 == 0) {
      std::fprintf(stderr, "  built %llu events, %.0f s\n", static_cast<unsigned long long>(n),
                   qb::seconds_since(start));
    }
  }
  for (auto& f : pending) f.get();
  const double took = qb::seconds_since(start);
  std::printf("Built %llu events in %.0f s (%s appends/s).\n",
              static_cast<unsigned long long>(events), took,
              qb::fmt_rate(static_cast<double>(events) / took).c_str());
  return ledger->head().size;
}

void memory(const std::string& db, const std::string& qledgerd, double seconds) {
  std::string token;
  std::uint64_t size = 0;
  {
    auto ledger = open_domain_ledger(db);
    UserStore users(default_users_db_path(db), 1000);
    users.set_account_journal(ledger_account_journal(*ledger));
    const std::string name = "rss" + std::to_string(::getpid());
    users.add_user(name, "bench password, long enough", Role::kInspector, "bench");
    token = users.create_token(name, "http_bench", std::nullopt, "bench").secret;
    size = ledger->head().size;
  }
  const std::uint64_t db_mb = std::filesystem::file_size(db) / (1024 * 1024);
  const std::uint16_t port = free_port();
  const std::string listen = "127.0.0.1:" + std::to_string(port);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> args = {qledgerd, "--db", db, "--listen", listen};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, qledgerd.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
    throw std::runtime_error("cannot start " + qledgerd);
  }
  posix_spawn_file_actions_destroy(&actions);
  std::unique_ptr<HttpClient> probe;
  const auto started = qb::Clock::now();
  while (!probe) {
    try {
      probe = std::make_unique<HttpClient>(port);
    } catch (const std::exception&) {
      if (qb::seconds_since(started) > 120) throw std::runtime_error("qledgerd did not start");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  probe->exchange("GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n");
  const std::uint64_t idle_rss = status_kb(pid, "VmRSS");

  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> reads{0}, appends{0}, failures{0};
  std::uint64_t max_rss = idle_rss;
  std::vector<std::thread> load;
  for (unsigned k = 0; k < 4; ++k) {
    load.emplace_back([&, k] {
      HttpClient c(port);
      std::mt19937_64 rng(k);
      std::uniform_int_distribution<std::uint64_t> seq(1, size);
      for (unsigned i = 0; !stop; ++i) {
        const std::uint64_t s = seq(rng);
        std::string target = i % 3 == 0 ? "/api/v1/events/" + std::to_string(s)
                             : i % 3 == 1
                                 ? "/api/v1/proofs/inclusion?seq=" + std::to_string(s)
                                 : "/api/v1/events?from=" + std::to_string(s) + "&limit=100";
        (c.exchange(get_request(token, target)) == 200 ? reads : failures).fetch_add(1);
      }
    });
    load.emplace_back([&, k] {
      HttpClient c(port);
      // Numbers above anything the ledger was built with (the letter block 25).
      for (std::uint64_t n = 250000000 + k; !stop; n += 4) {
        (c.exchange(post_request(token, append_body(n))) == 201 ? appends : failures).fetch_add(1);
      }
    });
  }
  const auto load_start = qb::Clock::now();
  while (qb::seconds_since(load_start) < seconds) {
    max_rss = std::max(max_rss, status_kb(pid, "VmRSS"));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop = true;
  for (auto& t : load) t.join();
  const std::uint64_t hwm = status_kb(pid, "VmHWM");
  const std::uint64_t end_rss = status_kb(pid, "VmRSS");
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::printf("\n### qledgerd memory while serving reads and appends (%.0f s)\n\n", seconds);
  std::printf(
      "| events | database MB | reads | appends | failed | VmRSS idle MB | VmRSS max sampled MB | "
      "VmRSS end MB | VmHWM MB | ≤ 64 MB | exit |\n"
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
  std::printf("| %llu | %llu | %llu | %llu | %llu | %.1f | %.1f | %.1f | %.1f | %s | %d |\n",
              static_cast<unsigned long long>(size), static_cast<unsigned long long>(db_mb),
              static_cast<unsigned long long>(reads.load()),
              static_cast<unsigned long long>(appends.load()),
              static_cast<unsigned long long>(failures.load()), mb(idle_rss), mb(max_rss),
              mb(end_rss), mb(hwm), qb::met(hwm <= 64 * 1024).c_str(),
              WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

std::string default_qledgerd() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (self.parent_path() / "qledgerd").string();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const qb::Flags flags(argc, argv);
    const auto clients = flags.list("--clients", {1, 8, 64});
    const auto server_threads = flags.list("--server-threads", {2});
    handler_threads_flag =
        static_cast<unsigned>(flags.u64("--handler-threads", handler_threads_flag));
    const double seconds = flags.real("--seconds", 5);
    const std::uint64_t max_events = flags.u64("--max-events", 300000);
    const double rate = flags.real("--rate", 1000);
    const double rate_seconds = flags.real("--rate-seconds", 5);
    const auto rate_connections = static_cast<unsigned>(flags.u64("--rate-connections", 16));
    const std::uint64_t rss_events = flags.u64("--rss-events", 0);
    std::string rss_db = flags.str("--rss-db", "");
    const double rss_seconds = flags.real("--rss-seconds", 20);
    const std::string qledgerd = flags.str("--qledgerd", default_qledgerd());
    qb::print_machine();
    std::printf("qledgerd handler threads: %u\n", handler_threads_flag);
    const std::string client_side = flags.str("--client-side", "both");
    std::vector<ClientModel> models;
    if (client_side != "loop") models.push_back(ClientModel::kThreads);
    if (client_side != "threads") models.push_back(ClientModel::kEventLoop);
    if (!flags.has("--skip-throughput")) {
      throughput(server_threads, clients, models, seconds, max_events);
    }
    if (!flags.has("--skip-rate")) fixed_rate(server_threads, rate, rate_seconds, rate_connections);
    std::unique_ptr<qb::TempDir> rss_dir;
    if (rss_events > 0) {
      if (rss_db.empty()) {
        rss_dir = std::make_unique<qb::TempDir>("qledger-http-bench-rss");
        if (flags.has("--keep")) rss_dir->keep();
        rss_db = rss_dir->file("big.db");
      }
      std::printf("\n");
      build_ledger(rss_db, rss_events);
    }
    if (!rss_db.empty()) memory(rss_db, qledgerd, rss_seconds);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "http_bench: %s\n", e.what());
    return 2;
  }
  return 0;
}
