// What each role may do (docs/daemon.md §"Roles"). One table, used by every entry point.
//   inspector  — records sampling, re-tests, objections, incidents, complaints, and registry
//                events (entities, licences, equipment) met in the field
//   supervisor — verifies, signs checkpoints, records corrections and voids
//   analyst    — reads events, proofs, overdue lists and reports; records nothing
//   admin      — users and tokens, registries (entities, licences, equipment), the calendar
// Every role may read events and proofs.
#pragma once

#include <string_view>

#include "qledger/auth_users.hpp"

namespace qledger {

bool may_record(Role role, std::string_view kind);
bool may_verify(Role role);           // run verification, download signed checkpoints
bool may_manage_accounts(Role role);  // users and tokens
bool may_read(Role role);             // events, proofs, overdue lists, dashboard

}  // namespace qledger
