// The network side: a listener accepting TCP connections (capped: at the cap, the connection
// waiting longest for a request makes room; backing off on EMFILE) and one
// session per connection reading requests with per-message limits and deadlines, handing them to
// the router, and writing the responses. Graceful stop: stop accepting, cut idle connections,
// let requests being handled finish and their responses be written, then return from run().
// With a certificate and key configured the listener speaks TLS (1.2 or later) only.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "access_log.hpp"
#include "context.hpp"

namespace qledger::daemon {

class HttpSession;

// Live sessions, so a stop can reach idle ones. Thread-safe. No session is ever owned (not even
// for a moment) while the lock is held: if that were the last owner, the session's destructor
// would call remove() and wait for the lock its own thread holds.
class SessionRegistry {
 public:
  void add(const std::shared_ptr<HttpSession>& s);
  void remove(HttpSession* s);  // from the session's destructor
  std::size_t size() const;
  // Sessions not claimed for closing: what the connection cap counts.
  std::size_t admitted() const;
  void stop_all();
  // Claims and closes the session that has waited longest for a request (an idle keep-alive
  // connection, one whose request or TLS handshake is still arriving, or one waiting for the
  // client's close_notify); sessions handling a request are left alone. False if every session
  // is handling one.
  bool close_longest_waiting();

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<HttpSession*, std::weak_ptr<HttpSession>>> sessions_;
};

struct ServerShared {
  Context& ctx;
  AccessLog* access_log = nullptr;  // null: no access log
  // Request handlers run here, off the I/O threads, except a script's append without an
  // Idempotency-Key, which never waits and is handled on its I/O thread. No API append waits
  // for its commit: the answer is written from the append's completion
  // (HttpSession::append_then); form appends still wait for their commit here.
  boost::asio::thread_pool* handlers = nullptr;
  SessionRegistry sessions;
  std::atomic<bool> stopping{false};
  // Appends handed to the ledger whose completion has not yet been passed to an I/O thread;
  // Server::run waits for none to be left before it returns (the I/O context must outlive them).
  std::atomic<int> appends_in_flight{0};
};

class Server {
 public:
  // Binds and listens on config.listen_address:config.port (port 0: any free port), loading the
  // TLS certificate and key first when configured. Throws std::runtime_error if any of that
  // fails, so start-up fails loudly.
  Server(Context& ctx, AccessLog* access_log);
  ~Server();
  std::uint16_t port() const { return port_; }
  bool tls() const;

  // Serves on config.threads I/O threads and config.handler_threads handler threads until stop()
  // (or SIGTERM/SIGINT when handle_signals).
  void run(bool handle_signals);
  // Thread-safe and idempotent: graceful stop (see above); open connections are cut after
  // shutdown_grace_seconds.
  void stop();

 private:
  void do_accept();
  // Starts a session for an accepted connection, making room at the cap (see do_accept).
  void admit(boost::asio::ip::tcp::socket socket);
  void begin_stop();
  void wait_for_sessions();

  ServerShared shared_;  // outlives the io_context: sessions destroyed with it refer to it
  std::unique_ptr<boost::asio::thread_pool> handlers_;  // joined at the end of run()
  boost::asio::io_context ioc_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

}  // namespace qledger::daemon
