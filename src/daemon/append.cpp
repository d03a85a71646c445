// One append on behalf of a user: the library validates (AppendRejected) and makes it durable;
// this only measures it and sorts the outcome into the HTTP answers.
#include <chrono>

#include "qledger/hash.hpp"
#include "routes.hpp"

namespace qledger::daemon {

Json receipt_json(const Receipt& r) {
  return Json{{"seq", r.seq},
              {"leaf_hash", to_hex(r.leaf_hash)},
              {"recorded_at", r.recorded_at},
              {"tree_size", r.tree_size},
              {"root_hash", to_hex(r.root_hash)}};
}

AppendOutcome append_event(Context& ctx, const User& user, const std::string& kind, Json payload) {
  const auto start = std::chrono::steady_clock::now();
  AppendResult result;
  try {
    result.receipt = ctx.ledger->append({kind, user.username, std::move(payload)});
  } catch (...) {
    result.error = std::current_exception();
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return append_outcome(ctx, std::move(result), took.count());
}

AppendOutcome append_outcome(Context& ctx, AppendResult result, double seconds) {
  AppendOutcome out;
  out.storage_status = http::status::service_unavailable;
  try {
    if (result.error) std::rethrow_exception(result.error);
    out.receipt = std::move(result.receipt);
    ctx.metrics.observe_append(seconds, true);
  } catch (const AppendRejected& rejected) {
    ctx.metrics.observe_append(0, false);
    out.problems = rejected.problems();
    if (out.problems.empty()) {
      out.problems.push_back({"", "rejected", "The event was refused.", "该事件被拒绝。"});
    }
  } catch (const StorageError& e) {
    // Nothing of the request was written. A full disk is 507, anything else 503.
    out.storage_status = e.fault() == StorageFault::kFull ? http::status::insufficient_storage
                                                          : http::status::service_unavailable;
    out.storage_problem = storage_fault_problem(e.fault());
    out.storage_message = out.storage_problem.message_en;
  } catch (const std::exception&) {
    // Nothing was written either (e.g. the ledger is closing): 503.
    out.storage_problem = storage_fault_problem(StorageFault::kOther);
    out.storage_message = out.storage_problem.message_en;
  }
  return out;
}

}  // namespace qledger::daemon
