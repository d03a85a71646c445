#include "session.hpp"

#include <algorithm>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "router.hpp"
#include "routes.hpp"

namespace qledger::daemon {

namespace beast = boost::beast;
namespace net = boost::asio;

namespace {

Response plain_response(http::status status, const char* text) {
  Response res{status, 11};
  res.set(http::field::server, "qledgerd");
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.keep_alive(false);
  res.body() = text;
  res.prepare_payload();
  return res;
}

}  // namespace

namespace {

std::variant<beast::tcp_stream, beast::ssl_stream<beast::tcp_stream>> make_stream(
    net::ip::tcp::socket&& socket, net::ssl::context* tls) {
  if (tls == nullptr) return beast::tcp_stream(std::move(socket));
  return beast::ssl_stream<beast::tcp_stream>(std::move(socket), *tls);
}

}  // namespace

HttpSession::HttpSession(net::ip::tcp::socket&& socket, ServerShared& shared,
                         net::ssl::context* tls)
    : stream_(make_stream(std::move(socket), tls)), shared_(shared) {
  beast::error_code ec;
  const auto endpoint = tcp().socket().remote_endpoint(ec);
  if (!ec) remote_ = endpoint.address().to_string();
}

beast::tcp_stream& HttpSession::tcp() {
  return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); },
                    stream_);
}

HttpSession::~HttpSession() { shared_.sessions.remove(this); }

void HttpSession::mark_waiting() {
  const std::int64_t now =
      std::max<std::int64_t>(std::chrono::steady_clock::now().time_since_epoch().count(), 1);
  std::int64_t current = waiting_since_.load(std::memory_order_acquire);
  while (current != kEvicted &&
         !waiting_since_.compare_exchange_weak(current, now, std::memory_order_acq_rel)) {
  }
}

bool HttpSession::take_request() {
  std::int64_t current = waiting_since_.load(std::memory_order_acquire);
  while (current != kEvicted &&
         !waiting_since_.compare_exchange_weak(current, 0, std::memory_order_acq_rel)) {
  }
  return current != kEvicted;
}

bool HttpSession::claim_for_eviction(std::int64_t seen) {
  return seen > 0 &&
         waiting_since_.compare_exchange_strong(seen, kEvicted, std::memory_order_acq_rel);
}

void HttpSession::evict() {
  net::post(tcp().get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->tcp().socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    self->tcp().close();
  });
}

void HttpSession::run() {
  mark_waiting();
  // Everything of this session runs on its strand, the handshake included.
  net::dispatch(tcp().get_executor(), [self = shared_from_this()] {
    auto* tls = std::get_if<TlsStream>(&self->stream_);
    if (tls == nullptr) return self->do_read();
    // The handshake is bounded by the request deadline like a request; a client speaking plain
    // HTTP (or anything else) fails it and the connection is dropped.
    self->tcp().expires_after(
        std::chrono::seconds(self->shared_.ctx.config.request_timeout_seconds));
    tls->async_handshake(net::ssl::stream_base::server,
                         beast::bind_front_handler(&HttpSession::on_handshake, self));
  });
}

void HttpSession::on_handshake(beast::error_code ec) {
  if (ec) return;  // not TLS, unsupported version, timeout: nothing to answer
  do_read();
}

void HttpSession::stop() {
  net::post(tcp().get_executor(), [self = shared_from_this()] {
    if (self->busy_) return;  // on_write closes after the response (stopping is set)
    beast::error_code ec;
    self->tcp().socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    self->tcp().close();
  });
}

void HttpSession::do_read() {
  if (shared_.stopping) return do_close();
  const Config& config = shared_.ctx.config;
  mark_waiting();
  // A fresh parser per message: the limits apply to each request.
  parser_.emplace();
  parser_->body_limit(config.max_body_bytes);
  parser_->header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
  // A deadline for the whole request: a slow client is cut off when it passes.
  tcp().expires_after(std::chrono::seconds(config.request_timeout_seconds));
  std::visit(
      [this](auto& s) {
        http::async_read(s, buffer_, *parser_,
                         beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
      },
      stream_);
}

void HttpSession::on_read(beast::error_code ec, std::size_t /*bytes*/) {
  // Claimed for closing (at the connection cap), or closed by a stop meanwhile: whatever arrived
  // is not handled, since its answer could not be written.
  if (!take_request() || !tcp().socket().is_open()) {
    beast::error_code ignored;
    tcp().socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    tcp().close();
    return;
  }
  started_ = std::chrono::steady_clock::now();
  if (ec == http::error::end_of_stream) return do_close();
  if (ec == http::error::body_limit || ec == http::error::header_limit) {
    const bool body = ec == http::error::body_limit;
    method_ = body ? std::string(parser_->get().method_string()) : "";
    path_ = body ? std::string(parser_->get().target()) : "";
    busy_ = true;
    Response res = body ? plain_response(http::status::payload_too_large, "413 body too large\n")
                        : plain_response(static_cast<http::status>(431),
                                         "431 request header fields too large\n");
    shared_.ctx.metrics.count_response(res.result_int());
    return do_write(std::move(res));
  }
  if (ec == beast::error::timeout || ec == net::error::operation_aborted) return;
  if (ec == net::ssl::error::stream_truncated) return;  // TLS peer closed without close_notify
  if (ec) {
    if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
      method_.clear();
      path_.clear();
      busy_ = true;
      Response res = plain_response(http::status::bad_request, "400 bad request\n");
      shared_.ctx.metrics.count_response(res.result_int());
      return do_write(std::move(res));
    }
    return;  // connection reset and the like
  }
  busy_ = true;
  auto request = std::make_shared<Request>(
      Request{parser_->release(), remote_, std::holds_alternative<TlsStream>(stream_)});
  method_ = std::string(request->message.method_string());
  path_ = std::string(request->message.target());
  // The handler runs on the handler pool (it may wait for a commit); the response is written
  // back on this session's strand. The work guard keeps the I/O threads running meanwhile.
  // A script's append without an Idempotency-Key runs here instead: it never waits (the token
  // check reads without waiting for writers, the append is answered from its commit), and
  // skipping the hop to the pool gave ~25 % more appends/s (bench/README.md).
  auto executor = tcp().get_executor();
  auto job = [self = shared_from_this(), request, executor,
              guard = net::make_work_guard(executor)]() mutable {
    RequestNote note;
    note.may_defer = true;
    Response res;
    try {
      res = handle(*request, self->shared_.ctx, &note);
    } catch (...) {
      res = plain_response(http::status::internal_server_error, "500 internal error\n");
      note.deferred.reset();
    }
    if (note.deferred) {
      // The guard's job passes to the append's completion, which holds its own.
      return self->append_then(std::move(*note.deferred), request, note.user_id, executor);
    }
    net::dispatch(executor, [self, note, res = std::move(res), guard = std::move(guard)]() mutable {
      self->write_answer(std::move(res), note.user_id);
    });
  };
  if (never_waits(*request)) return job();
  net::post(*shared_.handlers, std::move(job));
}

void HttpSession::append_then(DeferredAppend deferred, std::shared_ptr<const Request> request,
                              std::int64_t user_id, const net::any_io_executor& executor) {
  Context& ctx = shared_.ctx;
  const auto start = std::chrono::steady_clock::now();
  // Answers on the strand; an answer that may block is computed on a handler thread first.
  auto answer =
      std::make_shared<std::function<Response(const AppendOutcome&)>>(std::move(deferred.answer));
  const bool may_block = deferred.answer_may_block;
  // Runs once, on the writer thread: hand the result on and return.
  auto done = [self = shared_from_this(), request, user_id, start, answer, may_block, executor,
               guard = net::make_work_guard(executor)](AppendResult result) mutable {
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    auto& in_flight = self->shared_.appends_in_flight;
    auto respond = [self, request, user_id, answer, result = std::move(result),
                    seconds = took.count(), executor, guard = std::move(guard)]() mutable {
      Response res;
      try {
        res = (*answer)(append_outcome(self->shared_.ctx, std::move(result), seconds));
      } catch (...) {
        res = plain_response(http::status::internal_server_error, "500 internal error\n");
      }
      self->shared_.ctx.metrics.count_response(res.result_int());
      net::dispatch(executor,
                    [self, user_id, res = std::move(res), guard = std::move(guard)]() mutable {
                      self->write_answer(std::move(res), user_id);
                    });
    };
    if (may_block) {
      net::post(*self->shared_.handlers, std::move(respond));
    } else {
      net::post(executor, std::move(respond));
    }
    --in_flight;  // after the post: the I/O context and the handler pool are still there
  };
  ++shared_.appends_in_flight;
  try {
    ctx.ledger->append_then(std::move(deferred.request), done);
  } catch (...) {
    // Refused before queueing (too large, bad fields) or the ledger is closing: answer now.
    done(AppendResult{std::nullopt, std::current_exception()});
  }
}

void HttpSession::write_answer(Response response, std::int64_t user_id) {
  if (shared_.stopping) response.keep_alive(false);
  note_user_ = user_id;
  do_write(std::move(response));
}

void HttpSession::do_write(Response response) {
  response_ = std::move(response);
  const bool close = response_.need_eof();
  // The deadline again: a handler that took long must not make the write time out at once.
  tcp().expires_after(std::chrono::seconds(shared_.ctx.config.request_timeout_seconds));
  std::visit(
      [this, close](auto& s) {
        http::async_write(
            s, response_,
            beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), close));
      },
      stream_);
}

void HttpSession::on_write(bool close, beast::error_code ec, std::size_t bytes) {
  busy_ = false;
  if (shared_.access_log != nullptr) {
    AccessRecord record;
    record.method = method_;
    record.path = path_;
    record.status = response_.result_int();
    record.bytes = bytes;
    record.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_)
            .count();
    record.user_id = note_user_;
    shared_.access_log->write(record);
  }
  note_user_ = 0;
  if (ec) return;
  if (close || shared_.stopping) return do_close();
  response_ = {};
  do_read();
}

void HttpSession::do_close() {
  if (auto* tls = std::get_if<TlsStream>(&stream_)) {
    // close_notify, bounded by a short deadline of its own; the socket closes when the session
    // is destroyed. Meanwhile the connection only waits for the client, so at the cap it may
    // be closed to make room like an idle one.
    mark_waiting();
    tcp().expires_after(
        std::chrono::seconds(std::min(2U, shared_.ctx.config.request_timeout_seconds)));
    tls->async_shutdown([self = shared_from_this()](beast::error_code) {});
    return;
  }
  beast::error_code ec;
  tcp().socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
}

}  // namespace qledger::daemon
