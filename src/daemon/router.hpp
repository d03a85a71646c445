// The request router: a pure function of the request and the context — no sockets — so tests and
// fuzzers call it directly. Every route, its roles and its errors: docs/daemon.md,
// docs/openapi.yaml.
#pragma once

#include "context.hpp"
#include "http_message.hpp"

namespace qledger::daemon {

// What the router learned that the access log may record.
struct RequestNote {
  std::int64_t user_id = 0;
};

// Never throws: unexpected exceptions become 500 (503/507 for storage failures).
Response handle(const Request& request, Context& ctx, RequestNote* note = nullptr);

}  // namespace qledger::daemon
