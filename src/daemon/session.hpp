// One HTTP connection (the do_read/on_read/do_write/on_write pattern of the Beast examples), over
// plain TCP or, when the server has a TLS context, TLS (handshake first, close_notify at the end).
#pragma once

#include <atomic>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <variant>

#include "http_message.hpp"
#include "router.hpp"
#include "server.hpp"

namespace qledger::daemon {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `tls` null: plain HTTP.
  HttpSession(boost::asio::ip::tcp::socket&& socket, ServerShared& shared,
              boost::asio::ssl::context* tls);
  ~HttpSession();
  void run();
  // Closes the connection unless a request is being handled (then it closes after the response).
  void stop();
  // Since when (steady-clock ticks) the connection has been waiting for its next request, its
  // TLS handshake or the client's close_notify; 0 while a request is handled or its response
  // written; kEvicted once claimed for closing.
  static constexpr std::int64_t kEvicted = -1;
  std::int64_t waiting_since() const { return waiting_since_.load(std::memory_order_acquire); }
  // Any thread. Claims the connection for closing if it is still waiting since `seen`: true if
  // claimed, and from then on it handles no request (one that arrives is dropped unread, so
  // nothing is done that could not be answered). Then evict() closes it.
  bool claim_for_eviction(std::int64_t seen);
  void evict();

 private:
  void on_handshake(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void do_write(Response response);
  // On the strand: writes the answer to a handled request (a handler's or a commit's) for the
  // access log's `user_id`, closing after it once the server is stopping.
  void write_answer(Response response, std::int64_t user_id);
  // Makes `deferred` with Ledger::append_then and writes its answer from the completion.
  // Runs on a handler thread, or on the I/O thread for a request that never_waits; `executor` is
  // this session's strand.
  void append_then(DeferredAppend deferred, std::shared_ptr<const Request> request,
                   std::int64_t user_id, const boost::asio::any_io_executor& executor);
  void on_write(bool close, boost::beast::error_code ec, std::size_t bytes);
  void do_close();

  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  boost::beast::tcp_stream& tcp();  // the lowest layer, for deadlines and closing
  std::variant<boost::beast::tcp_stream, TlsStream> stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  ServerShared& shared_;
  std::string remote_;
  Response response_;
  bool busy_ = false;  // a request is being handled or its response written
  std::chrono::steady_clock::time_point started_;
  std::string method_, path_;
  std::int64_t note_user_ = 0;
  std::atomic<std::int64_t> waiting_since_{0};
  void mark_waiting();  // waiting from now on, unless claimed for closing
  bool take_request();  // stops waiting; false if claimed for closing
};

}  // namespace qledger::daemon
