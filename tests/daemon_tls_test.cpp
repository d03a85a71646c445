// qledgerd over TLS: a self-signed certificate made at test time, a Beast SSL client logging in
// (the session cookie carries Secure), plain HTTP and TLS 1.1 refused without harm, and start-up
// failing loudly on a bad certificate or key.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "daemon_fixture.hpp"
#include "server.hpp"

using namespace qledger;
using namespace qledger::test;

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// A P-256 key and a self-signed certificate for "localhost", written as PEM files.
void make_self_signed(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  REQUIRE(key != nullptr);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  REQUIRE(X509_sign(cert, key, EVP_sha256()) > 0);
  FILE* f = std::fopen(cert_path.c_str(), "w");
  REQUIRE(f != nullptr);
  PEM_write_X509(f, cert);
  std::fclose(f);
  f = std::fopen(key_path.c_str(), "w");
  REQUIRE(f != nullptr);
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
}

struct TlsServer {
  TempDir certs;
  std::string cert = certs.file("cert.pem");
  std::string key = certs.file("key.pem");
  std::unique_ptr<DaemonFixture> d;
  std::unique_ptr<daemon::Server> server;
  std::thread thread;

  explicit TlsServer(unsigned max_connections = 256, unsigned request_timeout_seconds = 2) {
    make_self_signed(cert, key);
    daemon::Config c;
    c.listen_address = "127.0.0.1";
    c.port = 0;
    c.threads = 2;
    c.max_connections = max_connections;
    c.request_timeout_seconds = request_timeout_seconds;
    c.tls_cert_file = cert;
    c.tls_key_file = key;
    d = std::make_unique<DaemonFixture>(c);
    server = std::make_unique<daemon::Server>(*d->ctx, nullptr);
    thread = std::thread([this] { server->run(false); });
  }
  ~TlsServer() {
    server->stop();
    if (thread.joinable()) thread.join();
  }
};

using Response = http::response<http::string_body>;

// One TLS connection trusting exactly the test certificate.
class TlsClient {
 public:
  TlsClient(std::uint16_t port, const std::string& trusted_cert)
      : ssl_(net::ssl::context::tls_client), stream_(ioc_, ssl_) {
    ssl_.load_verify_file(trusted_cert);
    ssl_.set_verify_mode(net::ssl::verify_peer);
    SSL_set_tlsext_host_name(stream_.native_handle(), "localhost");
    beast::get_lowest_layer(stream_).connect(
        net::ip::tcp::endpoint(net::ip::address_v4::loopback(), port));
    stream_.handshake(net::ssl::stream_base::client);
  }

  Response send(http::verb method, const std::string& target, const std::string& cookie = "",
                const std::string& form = "", bool close = false) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "localhost");
    if (close) req.keep_alive(false);
    if (!cookie.empty()) req.set(http::field::cookie, cookie);
    if (!form.empty()) {
      req.set(http::field::content_type, "application/x-www-form-urlencoded");
      req.body() = form;
    }
    req.prepare_payload();
    http::write(stream_, req);
    Response res;
    http::read(stream_, buffer_, res);
    return res;
  }

 private:
  net::io_context ioc_;
  net::ssl::context ssl_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

std::vector<std::string> set_cookies(const Response& res) {
  std::vector<std::string> out;
  for (auto it = res.find(http::field::set_cookie);
       it != res.end() && it->name() == http::field::set_cookie; ++it) {
    out.emplace_back(it->value());
  }
  return out;
}

std::string cookie_named(const Response& res, const std::string& name) {
  for (const auto& c : set_cookies(res)) {
    if (c.rfind(name + "=", 0) == 0) return c;
  }
  return "";
}

// Reads from a plain socket until the peer closes or 5 s pass.
std::string plain_exchange(std::uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

}  // namespace

TEST_SUITE("daemon_tls") {
  TEST_CASE("TLS: a browser login gets a Secure session cookie") {
    TlsServer s;
    CHECK(s.server->tls());
    TlsClient client(s.server->port(), s.cert);
    Response form = client.send(http::verb::get, "/login");
    REQUIRE(form.result_int() == 200);
    const std::string login_cookie = cookie_named(form, "qledger_login");
    CHECK(login_cookie.find("; Secure") != std::string::npos);
    const std::string token = login_cookie.substr(14, login_cookie.find(';') - 14);
    REQUIRE(form.body().find(token) != std::string::npos);

    Response login =
        client.send(http::verb::post, "/login", "qledger_login=" + token,
                    "login_token=" + token + "&username=insp&password=correct+horse+battery");
    CHECK(login.result_int() == 303);
    const std::string session = cookie_named(login, "qledger_session");
    REQUIRE_FALSE(session.empty());
    CHECK(session.find("; Secure") != std::string::npos);
    CHECK(session.find("HttpOnly") != std::string::npos);
    const std::string id = session.substr(16, session.find(';') - 16);
    CHECK(id.size() == 64);
    // The session works over the same connection.
    Response dash = client.send(http::verb::get, "/dashboard", "qledger_session=" + id);
    CHECK(dash.result_int() == 200);
  }

  TEST_CASE("TLS: plain HTTP and TLS 1.1 to the TLS port fail cleanly; the server carries on") {
    TlsServer s;
    const std::string answer =
        plain_exchange(s.server->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(answer.find("HTTP/1.1") == std::string::npos);
    CHECK(answer.find("ok") == std::string::npos);

    {
      net::io_context ioc;
      net::ssl::context old(net::ssl::context::tls_client);
      SSL_CTX_set_security_level(old.native_handle(), 0);
      SSL_CTX_set_min_proto_version(old.native_handle(), TLS1_1_VERSION);
      SSL_CTX_set_max_proto_version(old.native_handle(), TLS1_1_VERSION);
      old.set_verify_mode(net::ssl::verify_none);
      beast::ssl_stream<beast::tcp_stream> stream(ioc, old);
      beast::get_lowest_layer(stream).connect(
          net::ip::tcp::endpoint(net::ip::address_v4::loopback(), s.server->port()));
      beast::error_code ec;
      stream.handshake(net::ssl::stream_base::client, ec);
      CHECK(ec);  // refused
    }

    TlsClient client(s.server->port(), s.cert);
    CHECK(client.send(http::verb::get, "/healthz").result_int() == 200);
  }

  TEST_CASE("TLS: connections waiting for the client's close_notify make room at the cap") {
    // From review: after a "Connection: close" answer the server waits for the client's
    // close_notify; clients that never send it held every slot for the request timeout.
    TlsServer s(2, 20);
    TlsClient first(s.server->port(), s.cert);
    TlsClient second(s.server->port(), s.cert);
    CHECK(first.send(http::verb::get, "/healthz", "", "", true).result_int() == 200);
    CHECK(second.send(http::verb::get, "/healthz", "", "", true).result_int() == 200);
    // Both stay connected without answering the server's close_notify.
    const auto t0 = std::chrono::steady_clock::now();
    TlsClient third(s.server->port(), s.cert);
    CHECK(third.send(http::verb::get, "/healthz").result_int() == 200);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(1500));
  }

  TEST_CASE("TLS: a bad certificate or key stops start-up with a clear error") {
    TempDir dir;
    const std::string cert = dir.file("cert.pem"), key = dir.file("key.pem");
    const std::string other_cert = dir.file("other.pem"), other_key = dir.file("other.key");
    make_self_signed(cert, key);
    make_self_signed(other_cert, other_key);
    auto start = [&](const std::string& c, const std::string& k) -> std::string {
      daemon::Config config;
      config.listen_address = "127.0.0.1";
      config.port = 0;
      config.tls_cert_file = c;
      config.tls_key_file = k;
      DaemonFixture d(config);
      try {
        daemon::Server server(*d.ctx, nullptr);
      } catch (const std::runtime_error& e) {
        return e.what();
      }
      return "";
    };
    CHECK(start(cert, key).empty());
    CHECK(start(dir.file("missing.pem"), key)
              .find("cannot use TLS certificate " + dir.file("missing.pem")) == 0);
    CHECK(start(cert, dir.file("missing.key")).find("cannot use TLS key") == 0);
    CHECK(start(key, key).find("cannot use TLS certificate") == 0);  // a key is no certificate
    const std::string mismatch = start(cert, other_key);
    INFO(mismatch);
    CHECK(mismatch.find("TLS key " + other_key) != std::string::npos);
    CHECK(mismatch.find("match") != std::string::npos);

    // The daemon itself: a message naming the file and a non-zero exit, never a running server.
    const std::string db = dir.file("bureau.db");
    init_ledger(db, default_key_path(db), "qledger.test/tls");
    const CommandResult r =
        run_command("timeout 20 " + shell_quote(QLEDGERD_PATH) + " --db " + shell_quote(db) +
                    " --listen 127.0.0.1:0 --tls-cert " + shell_quote(dir.file("missing.pem")) +
                    " --tls-key " + shell_quote(key) + " 2>&1");
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("cannot use TLS certificate") != std::string::npos);
  }
}
