#include "server.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <csignal>

#include "session.hpp"

namespace qledger::daemon {

namespace net = boost::asio;
using tcp = net::ip::tcp;

void SessionRegistry::add(const std::shared_ptr<HttpSession>& s) {
  std::lock_guard lock(mutex_);
  sessions_.push_back(s);
}

void SessionRegistry::remove(HttpSession* s) {
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [s](const std::weak_ptr<HttpSession>& w) {
    return w.expired() || w.lock().get() == s;
  });
}

std::size_t SessionRegistry::size() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& w : sessions_) n += w.expired() ? 0 : 1;
  return n;
}

void SessionRegistry::stop_all() {
  std::vector<std::shared_ptr<HttpSession>> live;
  {
    std::lock_guard lock(mutex_);
    for (const auto& w : sessions_) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (const auto& s : live) s->stop();
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
};

Server::Server(Context& ctx, AccessLog* access_log)
    : shared_{ctx, access_log, {}, {}}, impl_(std::make_unique<Impl>(ioc_)) {
  const Config& config = ctx.config;
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

void Server::do_accept() {
  if (shared_.stopping) return;
  if (shared_.sessions.size() >= shared_.ctx.config.max_connections) {
    // At the cap: leave further connections in the kernel's backlog and look again shortly.
    shared_.ctx.metrics.count_connection_refused();
    impl_->backoff.expires_after(std::chrono::milliseconds(50));
    impl_->backoff.async_wait([this](boost::system::error_code ec) {
      if (!ec) do_accept();
    });
    return;
  }
  impl_->acceptor.async_accept(
      net::make_strand(ioc_), [this](boost::system::error_code ec, tcp::socket socket) {
        if (ec) {
          if (ec == net::error::operation_aborted || shared_.stopping) return;
          // EMFILE/ENFILE and the like: back off instead of spinning.
          shared_.ctx.metrics.count_connection_refused();
          impl_->backoff.expires_after(std::chrono::milliseconds(100));
          impl_->backoff.async_wait([this](boost::system::error_code e) {
            if (!e) do_accept();
          });
          return;
        }
        auto session = std::make_shared<HttpSession>(std::move(socket), shared_);
        shared_.sessions.add(session);
        session->run();
        do_accept();
      });
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
