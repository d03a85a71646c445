// The request router: a pure function of the request and the context — no sockets — so tests and
// fuzzers call it directly. Every route, its roles and its errors: docs/daemon.md,
// docs/openapi.yaml.
#pragma once

#include <functional>
#include <optional>

#include "context.hpp"
#include "http_message.hpp"
#include "qledger/ledger.hpp"

namespace qledger::daemon {

struct AppendOutcome;  // routes.hpp

// An append whose answer waits for its commit. A route that has one (POST /api/v1/events) leaves
// it in the note instead of appending; the caller makes the append
// with Ledger::append_then and answers with `answer` once it is durable or refused, so no thread
// sits waiting for the commit. `answer` keeps references to the Request: it must outlive it.
struct DeferredAppend {
  AppendRequest request;
  std::function<Response(const AppendOutcome&)> answer;
  bool answer_may_block = false;  // `answer` writes to a file: run it off the I/O threads
};

// What the router learned that the access log may record, and an append to make, if any.
struct RequestNote {
  std::int64_t user_id = 0;
  bool may_defer = false;  // set by the caller: it will make a deferred append itself
  std::optional<DeferredAppend> deferred;  // then handle()'s own Response is not sent
};

// Never throws: unexpected exceptions become 500 (503/507 for storage failures).
Response handle(const Request& request, Context& ctx, RequestNote* note = nullptr);

// True if handle() cannot wait on anything for this request when the caller defers appends:
// POST /api/v1/events with a bearer token and no Idempotency-Key is authenticated (a read that
// does not wait for writers), parsed and left in the note. A keyed append claims its key in the
// accounts file first, which may wait for a writer; anything else may read the ledger or wait
// for a commit. qledgerd handles such a request on its I/O thread.
bool never_waits(const Request& request);

}  // namespace qledger::daemon
