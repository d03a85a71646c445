// The page frame shared by every HTML page: zh-CN first (English with ?lang=en or the
// qledger_lang cookie), inline style only, no scripts, no external assets.
#pragma once

#include <string>

#include "routes.hpp"

namespace qledger::daemon {

// A full HTML document around `body` (already escaped HTML). `title` is escaped here.
std::string page_document(const Exchange& x, const std::string& title, const std::string& body);
Response html_response(const Exchange& x, http::status status, const std::string& title,
                       const std::string& body);
// <input type="hidden" name="csrf_token" …> for the requester's session (empty without one).
std::string csrf_input(const Exchange& x);
// A short message page (error or notice).
Response message_page(const Exchange& x, http::status status, const std::string& title,
                      const std::string& text);

}  // namespace qledger::daemon
