#include "qledger/auth_permissions.hpp"

#include "qledger/auth_account_events.hpp"

namespace qledger {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool is_registry_kind(std::string_view kind) {
  return starts_with(kind, "entity.") || starts_with(kind, "licence.") ||
         starts_with(kind, "equipment.");
}

}  // namespace

bool may_record(Role role, std::string_view kind) {
  // Account events come only from the account commands (UserStore's journal), never from the
  // generic append form or API, whatever the role.
  if (is_account_event_kind(kind)) return false;
  switch (role) {
    case Role::kInspector:
      return kind != "correction" && kind != "void" && !starts_with(kind, "calendar.");
    case Role::kSupervisor:
      return kind == "correction" || kind == "void";
    case Role::kAdmin:
      return is_registry_kind(kind) || starts_with(kind, "calendar.");
    case Role::kAnalyst:
      return false;
  }
  return false;
}

bool may_verify(Role role) { return role == Role::kSupervisor; }
bool may_manage_accounts(Role role) { return role == Role::kAdmin; }
bool may_read(Role /*role*/) { return true; }

}  // namespace qledger
