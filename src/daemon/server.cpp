#include "server.hpp"

#include <algorithm>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <boost/asio/post.hpp>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <csignal>

#include "session.hpp"

namespace qledger::daemon {

namespace net = boost::asio;
using tcp = net::ip::tcp;

void SessionRegistry::add(const std::shared_ptr<HttpSession>& s) {
  std::lock_guard lock(mutex_);
  sessions_.emplace_back(s.get(), s);
}

void SessionRegistry::remove(HttpSession* s) {
  std::lock_guard lock(mutex_);
  // By address and expiry only: locking another session's weak_ptr here could make this thread
  // its last owner, and its destructor would call remove() again under this lock.
  std::erase_if(sessions_,
                [s](const auto& entry) { return entry.first == s || entry.second.expired(); });
}

std::size_t SessionRegistry::size() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& entry : sessions_) n += entry.second.expired() ? 0 : 1;
  return n;
}

void SessionRegistry::stop_all() {
  std::vector<std::weak_ptr<HttpSession>> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& entry : sessions_) all.push_back(entry.second);
  }
  for (const auto& w : all) {
    if (auto s = w.lock()) s->stop();  // a last owner here is destroyed outside the lock
  }
}

std::size_t SessionRegistry::admitted() const {
  std::vector<std::weak_ptr<HttpSession>> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& entry : sessions_) all.push_back(entry.second);
  }
  std::size_t n = 0;
  for (const auto& w : all) {  // owners taken here are released outside the lock
    if (auto s = w.lock()) n += s->waiting_since() == HttpSession::kEvicted ? 0 : 1;
  }
  return n;
}

bool SessionRegistry::close_longest_waiting() {
  std::vector<std::weak_ptr<HttpSession>> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& entry : sessions_) all.push_back(entry.second);
  }
  // Waiting sessions, longest first; owners taken here are released outside the lock.
  std::vector<std::pair<std::int64_t, std::shared_ptr<HttpSession>>> waiting;
  for (const auto& w : all) {
    if (auto s = w.lock()) {
      const std::int64_t since = s->waiting_since();
      if (since > 0) waiting.emplace_back(since, std::move(s));
    }
  }
  std::sort(waiting.begin(), waiting.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  // The first still waiting as seen is claimed (a request may have arrived meanwhile, or another
  // admission claimed it): each claim closes one distinct session that handles nothing more.
  for (const auto& [since, session] : waiting) {
    if (session->claim_for_eviction(since)) {
      session->evict();
      return true;
    }
  }
  return false;
}

struct Server::Impl {
  explicit Impl(net::io_context& ioc)
      : strand(net::make_strand(ioc)),
        acceptor(strand),
        backoff(strand),
        grace(strand),
        signals(strand) {}
  net::strand<net::io_context::executor_type> strand;
  tcp::acceptor acceptor;
  net::steady_timer backoff;
  net::steady_timer grace;
  net::signal_set signals;
  std::chrono::steady_clock::time_point deadline;
  std::unique_ptr<net::ssl::context> tls;  // null: plain HTTP
};

namespace {

std::string openssl_reason() {
  const unsigned long code = ERR_peek_last_error();
  if (code == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

// A server context for TLS 1.2 and later with the configured chain and key. Throws with a message
// naming the file that could not be used.
std::unique_ptr<net::ssl::context> make_tls_context(const Config& config) {
  auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
  ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                   net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                   net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    throw std::runtime_error("cannot restrict TLS to version 1.2 or later");
  }
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(native, config.tls_cert_file.c_str()) != 1) {
    throw std::runtime_error("cannot use TLS certificate " + config.tls_cert_file + ": " +
                             openssl_reason());
  }
  ERR_clear_error();
  if (SSL_CTX_use_PrivateKey_file(native, config.tls_key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    throw std::runtime_error("cannot use TLS key " + config.tls_key_file + ": " + openssl_reason());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    throw std::runtime_error("TLS key " + config.tls_key_file + " does not match certificate " +
                             config.tls_cert_file);
  }
  return ctx;
}

}  // namespace

Server::Server(Context& ctx, AccessLog* access_log)
    : shared_{ctx, access_log, nullptr, {}, {}},
      handlers_(std::make_unique<net::thread_pool>(ctx.config.handler_threads)),
      impl_(std::make_unique<Impl>(ioc_)) {
  shared_.handlers = handlers_.get();
  const Config& config = ctx.config;
  if (!config.tls_cert_file.empty()) impl_->tls = make_tls_context(config);
  try {
    const tcp::endpoint endpoint(net::ip::make_address(config.listen_address), config.port);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(net::socket_base::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen(net::socket_base::max_listen_connections);
    port_ = impl_->acceptor.local_endpoint().port();
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on " + config.listen_address + ":" +
                             std::to_string(config.port) + ": " + e.code().message());
  }
}

Server::~Server() = default;

bool Server::tls() const { return impl_->tls != nullptr; }

void Server::do_accept() {
  if (shared_.stopping) return;
  impl_->acceptor.async_accept(net::make_strand(ioc_),
                               [this](boost::system::error_code ec, tcp::socket socket) {
                                 if (ec) {
                                   if (ec == net::error::operation_aborted || shared_.stopping)
                                     return;
                                   // EMFILE/ENFILE and the like: back off instead of spinning.
                                   shared_.ctx.metrics.count_connection_refused();
                                   impl_->backoff.expires_after(std::chrono::milliseconds(100));
                                   impl_->backoff.async_wait([this](boost::system::error_code e) {
                                     if (!e) do_accept();
                                   });
                                   return;
                                 }
                                 admit(std::move(socket));
                               });
}

void Server::admit(tcp::socket socket) {
  if (shared_.stopping) return;
  if (shared_.sessions.admitted() >= shared_.ctx.config.max_connections) {
    // At the cap, the connection that has waited longest for a request makes room: otherwise
    // idle keep-alive connections, or clients sending their requests slowly on purpose, could
    // hold every slot and shut everyone else out. A session claimed for closing no longer
    // counts (it handles nothing more and is closing). If every connection is handling a
    // request, this one waits and the cap is looked at again shortly; further ones wait in the
    // kernel's backlog.
    shared_.ctx.metrics.count_connection_refused();
    if (!shared_.sessions.close_longest_waiting()) {
      impl_->backoff.expires_after(std::chrono::milliseconds(50));
      impl_->backoff.async_wait([this, held = std::make_shared<tcp::socket>(std::move(socket))](
                                    boost::system::error_code ec) {
        if (!ec) admit(std::move(*held));
      });
      return;
    }
  }
  auto session = std::make_shared<HttpSession>(std::move(socket), shared_, impl_->tls.get());
  shared_.sessions.add(session);
  session->run();
  do_accept();
}

void Server::run(bool handle_signals) {
  net::post(impl_->strand, [this] { do_accept(); });
  if (handle_signals) {
    impl_->signals.add(SIGINT);
    impl_->signals.add(SIGTERM);
    impl_->signals.async_wait([this](boost::system::error_code ec, int) {
      if (!ec) begin_stop();
    });
  }
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < shared_.ctx.config.threads; ++i) {
    threads.emplace_back([this] { ioc_.run(); });
  }
  ioc_.run();
  for (auto& t : threads) t.join();
  handlers_->join();  // handlers still running (cut by the grace period) finish their appends
  // Appends still in the ledger's queue complete before the I/O context goes (their answers
  // are no longer written once the grace period has cut the connections).
  while (shared_.appends_in_flight.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void Server::stop() {
  net::post(impl_->strand, [this] { begin_stop(); });
}

void Server::begin_stop() {
  if (shared_.stopping.exchange(true)) return;
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
  impl_->backoff.cancel();
  impl_->signals.cancel(ec);
  shared_.sessions.stop_all();
  impl_->deadline = std::chrono::steady_clock::now() +
                    std::chrono::seconds(shared_.ctx.config.shutdown_grace_seconds);
  wait_for_sessions();
}

void Server::wait_for_sessions() {
  if (shared_.sessions.size() == 0) return;  // nothing left: run() returns
  if (std::chrono::steady_clock::now() >= impl_->deadline) {
    ioc_.stop();  // the grace period is over: cut what is left
    return;
  }
  impl_->grace.expires_after(std::chrono::milliseconds(20));
  impl_->grace.async_wait([this](boost::system::error_code ec) {
    if (!ec) wait_for_sessions();
  });
}

}  // namespace qledger::daemon
