#include "qledger/auth_account_events.hpp"

#include "qledger/auth_users.hpp"
#include "qledger/ledger.hpp"

namespace qledger {

AccountJournal ledger_account_journal(Ledger& ledger) {
  return [&ledger](const AccountEvent& event) {
    try {
      ledger.append({event.kind, event.actor, event.payload});
    } catch (const AppendRejected& rejected) {
      std::string message = "the ledger refused the " + event.kind + " event";
      for (const auto& p : rejected.problems()) message += "; " + p.field + ": " + p.message_en;
      throw AccountError("ledger_refused", message);
    }
  };
}

bool is_account_event_kind(std::string_view kind) { return kind.substr(0, 8) == "account."; }

}  // namespace qledger
