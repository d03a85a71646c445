// Fuzzes qledgerd's request handling: bytes are parsed as one HTTP request with the daemon's
// limits, then (when the fuzzer links qledger_daemon) handed to the router, authenticated as an
// inspector through a bearer token, against a scratch ledger. Neither may crash, hang or leak.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#if __has_include("router.hpp")
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "context.hpp"
#include "qledger/ledger_setup.hpp"
#include "router.hpp"
#define QLEDGER_FUZZ_ROUTER 1
#endif

namespace http = boost::beast::http;

#ifdef QLEDGER_FUZZ_ROUTER
namespace {

struct Harness {
  std::string dir;
  std::unique_ptr<qledger::daemon::Context> ctx;
  std::string token;

  Harness() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "qledger-fuzz-XXXXXX").string();
    dir = mkdtemp(tmpl.data());
    qledger::daemon::Config config;
    config.db_path = dir + "/fuzz.db";
    config.key_path = qledger::default_key_path(config.db_path);
    config.users_db_path = dir + "/fuzz.db.users.db";
    config.pbkdf2_iterations = 1;
    qledger::init_ledger(config.db_path, config.key_path, "qledger.fuzz/http");
    ctx = std::make_unique<qledger::daemon::Context>(config);
    ctx->config.access_log = false;
    ctx->users->add_user("fuzz", "fuzz-password", qledger::Role::kInspector, "fuzz");
    token = ctx->users->create_token("fuzz", "fuzz", std::nullopt, "fuzz").secret;
  }
};

}  // namespace
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::request_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);
  parser.header_limit(16 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) return 0;
#ifdef QLEDGER_FUZZ_ROUTER
  static Harness harness;
  qledger::daemon::Request request{parser.release(), "127.0.0.1", false};
  // Half the inputs come in authenticated, so the API and forms are reached too.
  if (size % 2 == 0) {
    request.message.set(http::field::authorization, "Bearer " + harness.token);
  }
  (void)qledger::daemon::handle(request, *harness.ctx);
#endif
  return 0;
}
