// The request and response types the router works on, and the small parsers it needs (query
// strings, urlencoded forms, cookies). Pure functions; no sockets.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace qledger::daemon {

namespace http = boost::beast::http;

struct Request {
  http::request<http::string_body> message;
  std::string remote_address;  // peer IP, for login throttling only (never logged)
  bool tls = false;
};

using Response = http::response<http::string_body>;

// Percent-decoding; with `plus_is_space` '+' becomes ' ' (forms, query strings). nullopt on a
// malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);
std::string percent_encode(std::string_view text);

// "a=1&b=2" into a map (the first of repeated names wins). nullopt on a malformed escape.
std::optional<std::map<std::string, std::string>> parse_urlencoded(std::string_view text);

// Splits a target into path and query (without '?').
std::pair<std::string_view, std::string_view> split_target(std::string_view target);

// Cookie header into name → value (first wins).
std::map<std::string, std::string> parse_cookies(std::string_view header);

// Unsigned decimal without sign, leading '+' or spaces; nullopt otherwise or beyond 2^53−1.
std::optional<std::uint64_t> parse_uint(std::string_view text);

}  // namespace qledger::daemon
