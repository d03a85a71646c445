// Account changes as ledger events. Every change of a user or an API token (added, role changed,
// disabled, enabled, password changed, token created or revoked) is appended to the ledger as an
// `account.*` event (schema/events.json) through the ordinary Ledger::append path, with the admin
// (or CLI operator) as the event's actor. Payloads carry usernames, roles, token ids and labels,
// never passwords, password hashes, token secrets or their digests.
//
// Ordering (docs/daemon.md §"Account events"): UserStore makes the change inside an IMMEDIATE
// transaction of the users file, appends the event (durable when append returns) and only then
// commits. A crash in between leaves an event on the ledger for a change that did not take effect
// (retrying records it again); never an effective change that is missing from the ledger.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "qledger/canonical_json.hpp"

namespace qledger {

class Ledger;

struct AccountEvent {
  std::string kind;  // "account.user_added", …
  std::string actor;
  Json payload = Json::object();
};

// Called by UserStore inside its transaction; throwing aborts the change.
using AccountJournal = std::function<void(const AccountEvent&)>;

// A journal appending to `ledger` (which must outlive it). A refusal by the validator becomes
// AccountError("ledger_refused"); storage failures propagate as std::runtime_error.
AccountJournal ledger_account_journal(Ledger& ledger);

// True for the account.* kinds, which only account commands may append (not the generic append
// form, API, `qledger append` or import).
bool is_account_event_kind(std::string_view kind);

}  // namespace qledger
